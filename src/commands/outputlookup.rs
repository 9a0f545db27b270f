//! `outputlookup`: write the results to a lookup table.

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Write the results to a lookup table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outputlookup {
    pub options: Vec<Opt>,
    pub name: String,
}

impl Outputlookup {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Outputlookup> {
        let parts = Parts::of(p)?;
        Ok(Outputlookup {
            name: parts.first_field(p)?,
            options: parts.options,
        })
    }
}

#[cfg(test)]
mod tests {
    #[allow(unused_imports)]
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| outputlookup append=true previously_seen_aws_regions.csv");
        let CommandKind::Outputlookup(x) = c.kind else {
            panic!("not outputlookup: {c:?}")
        };
        assert_eq!(x.name, "previously_seen_aws_regions.csv");
        assert_eq!(x.options.get_opt("append"), Some("true"));
    }
}

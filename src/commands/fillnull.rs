//! `fillnull`: replace null values; `value=` (default `0`) in the listed fields, or in every field.

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Replace null values; `value=` (default `0`) in the listed fields, or in every field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fillnull {
    pub options: Vec<Opt>,
    pub fields: Vec<String>,
}

impl Fillnull {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Fillnull> {
        let parts = Parts::of(p)?;
        Ok(Fillnull {
            options: parts.options,
            fields: parts.fields,
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
        let c = parse_command("| fillnull value=\"Unknown\" src_category, dest_category");
        let CommandKind::Fillnull(x) = c.kind else {
            panic!("not fillnull: {c:?}")
        };
        assert_eq!(x.options.get_opt("value"), Some("Unknown"));
        assert_eq!(x.fields, vec!["src_category", "dest_category"]);
    }
}

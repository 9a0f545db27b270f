//! `nomv`: turn a multivalue field into a single value.

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Turn a multivalue field into a single value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Nomv {
    pub field: String,
}

impl Nomv {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Nomv> {
        let parts = Parts::of(p)?;
        Ok(Nomv {
            field: parts.first_field(p)?,
        })
    }
}

unsupported_command!(Nomv, "Turn a multivalue field into a single value.");

#[cfg(test)]
mod tests {
    #[allow(unused_imports)]
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| nomv values");
        let CommandKind::Nomv(x) = c.kind else {
            panic!("not nomv: {c:?}")
        };
        assert_eq!(x.field, "values");
    }
}

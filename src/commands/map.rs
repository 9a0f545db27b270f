//! `map`: run a search once per result, substituting `$field$` tokens (`search=`, `maxsearches=`).

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Run a search once per result, substituting `$field$` tokens (`search=`, `maxsearches=`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Map {
    pub options: Vec<Opt>,
    pub subsearch: Option<Pipeline>,
}

impl Map {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Map> {
        let parts = Parts::of(p)?;
        Ok(Map {
            options: parts.options,
            subsearch: parts.subsearch,
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
        let c = parse_command(
            "| map maxsearches=70 search=\"search EventCode=4624 TargetLogonId=$TargetLogonId$\"",
        );
        let CommandKind::Map(x) = c.kind else {
            panic!("not map: {c:?}")
        };
        assert_eq!(x.options.get_opt("maxsearches"), Some("70"));
        assert_eq!(
            x.options.get_opt("search"),
            Some("search EventCode=4624 TargetLogonId=$TargetLogonId$")
        );
    }
}

//! `spath`: extract fields from JSON or XML (`input=`, `output=`, `path=`).

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Extract fields from JSON or XML (`input=`, `output=`, `path=`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spath {
    pub options: Vec<Opt>,
    /// A positional path, as in `spath a.b{}`.
    pub path: Option<String>,
}

impl Spath {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Spath> {
        let parts = Parts::of(p)?;
        Ok(Spath {
            path: parts.fields.first().cloned(),
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
        let c = parse_command(
            "| spath input=requestParameters.policy output=key_policy_statements path=Statement{}",
        );
        let CommandKind::Spath(x) = c.kind else {
            panic!("not spath: {c:?}")
        };
        assert_eq!(x.options.get_opt("path"), Some("Statement{}"));
        assert_eq!(x.path, None);
    }
}

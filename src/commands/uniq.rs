//! `uniq`: remove consecutive duplicate results.

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Remove consecutive duplicate results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Uniq {}

impl Uniq {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Uniq> {
        let _ = p;
        Ok(Uniq {})
    }
}

unsupported_command!(Uniq, "Remove consecutive duplicate results.");

#[cfg(test)]
mod tests {
    #[allow(unused_imports)]
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| uniq");
        let CommandKind::Uniq(x) = c.kind else {
            panic!("not uniq: {c:?}")
        };
        assert_eq!(x, Uniq {});
    }
}

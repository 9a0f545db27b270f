//! `reverse`: reverse the order of the results.

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Reverse the order of the results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reverse {}

impl Reverse {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Reverse> {
        let _ = p;
        Ok(Reverse {})
    }
}

/// Run `reverse`.
pub(crate) fn execute(lf: polars::prelude::LazyFrame) -> polars::prelude::LazyFrame {
    lf.reverse()
}

#[cfg(test)]
mod tests {
    #[allow(unused_imports)]
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| reverse");
        let CommandKind::Reverse(x) = c.kind else {
            panic!("not reverse: {c:?}")
        };
        assert_eq!(x, Reverse {});
    }
}

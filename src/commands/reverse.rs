//! `reverse`: reverse the order of the results.

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

use crate::commands::{Lower, SplCommand};
use crate::diagnostic::Diagnostic;
use crate::plan::{Node, Op};
use crate::syntax::ast::Command;

impl SplCommand for Reverse {
    const DOC: &'static str = "Reverse the order of the results.";

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        Ok(cx.node(
            Op::Reverse {
                input: Box::new(input),
            },
            c,
        ))
    }
}

#[cfg(test)]
mod tests {
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

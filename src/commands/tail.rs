//! `tail`: keep the last N results (default 10), in reverse order.

use super::parts::Parts;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Keep the last N results (default 10), in reverse order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tail {
    pub count: Option<u64>,
}

impl Tail {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Tail> {
        Ok(Tail {
            count: Parts::of(p)?.count,
        })
    }
}

use crate::commands::{Lower, SplCommand};
use crate::diagnostic::Diagnostic;
use crate::plan::{Node, Op};
use crate::syntax::ast::Command;

impl SplCommand for Tail {
    const DOC: &'static str = "Keep the last N results (default 10), the last first.";

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        Ok(cx.node(
            Op::Limit {
                input: Box::new(input),
                count: self.count.unwrap_or(10),
                from_end: true,
            },
            c,
        ))
    }
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn last_n_reversed() {
        let df = df!("a" => [1i64, 2, 3, 4]).unwrap();
        let out = crate::testkit::run_on(df, "| tail 2");
        assert_eq!(
            out.column("a")
                .unwrap()
                .i64()
                .unwrap()
                .into_no_null_iter()
                .collect::<Vec<_>>(),
            vec![4, 3]
        );
    }
}

#[cfg(test)]
mod tests {

    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| tail 3");
        let CommandKind::Tail(x) = c.kind else {
            panic!("not tail: {c:?}")
        };
        assert_eq!(x.count, Some(3));
    }
}

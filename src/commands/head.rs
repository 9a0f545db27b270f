//! `head`: keep the first N results (default 10), or while an expression holds.

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Keep the first N results (default 10), or while an expression holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Head {
    pub count: Option<u64>,
    pub options: Vec<Opt>,
    pub expr: Option<EvalExpr>,
}

impl Head {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Head> {
        let parts = Parts::of(p)?;
        let expr = match parts.rest.iter().find(|c| c.as_rule() == Rule::eval_expr) {
            Some(e) => Some(eval_expr(e)?),
            None => None,
        };
        Ok(Head {
            count: parts.count,
            options: parts.options,
            expr,
        })
    }
}

use crate::commands::{Lower, SplCommand};
use crate::diagnostic::Diagnostic;
use crate::plan::{Node, Op};

impl SplCommand for Head {
    const DOC: &'static str = "Keep the first N results (default 10), or the results while an expression holds (`keeplast=`, `null=`).";
    const OPTIONS: Option<&'static [&'static str]> = Some(&["limit", "keeplast", "null"]);
    const EXAMPLES: &'static [crate::commands::Example] = &[crate::commands::Example {
        description: "results until the first whose count is not above 1",
        search: "| head (count > 1)",
        input: "count\n5\n3\n1\n7",
        output: "count\n5\n3\n",
    }];

    fn options(&self) -> &[Opt] {
        &self.options
    }

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        let limit = self
            .count
            .or_else(|| self.options.get_opt("limit").and_then(|v| v.parse().ok()));
        let Some(expr) = &self.expr else {
            return Ok(cx.node(
                Op::Limit {
                    input: Box::new(input),
                    count: limit.unwrap_or(10),
                    from_end: false,
                },
                c,
            ));
        };
        let flag = |k: &str| {
            self.options
                .get_opt(k)
                .is_some_and(crate::commands::is_true)
        };
        let node = cx.node(
            Op::TakeWhile {
                input: Box::new(input),
                condition: cx.scalar(expr)?,
                keeplast: flag("keeplast"),
                null_true: flag("null"),
            },
            c,
        );
        // With an expression, a count limits it further only when given.
        Ok(match limit {
            Some(count) => cx.node(
                Op::Limit {
                    input: Box::new(node),
                    count,
                    from_end: false,
                },
                c,
            ),
            None => node,
        })
    }
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn first_n() {
        let df = df!("a" => (0..20i64).collect::<Vec<_>>()).unwrap();
        assert_eq!(crate::testkit::run_on(df.clone(), "| head").height(), 10);
        assert_eq!(crate::testkit::run_on(df, "| head 3").height(), 3);
    }
}

#[cfg(test)]
mod tests {

    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| head 5");
        let CommandKind::Head(x) = c.kind else {
            panic!("not head: {c:?}")
        };
        assert_eq!(x.count, Some(5));
    }
}

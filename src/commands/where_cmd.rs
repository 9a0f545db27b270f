//! `where`: keep the results for which an eval-language expression is true (case-sensitive).

use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `where` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Where {
    pub expr: EvalExpr,
}

impl Where {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Where> {
        Ok(Where {
            expr: eval_expr(&child(p, Rule::eval_expr)?)?,
        })
    }
}

use crate::diagnostic::Diagnostic;
use crate::syntax::ast::Command;

use crate::commands::{Lower, SplCommand};
use crate::plan::{Node, Op};

impl SplCommand for Where {
    const DOC: &'static str = "Keep the results for which an eval-language expression is true (comparisons are case-sensitive; null is false).";

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        let cond = cx.scalar(&self.expr)?;
        Ok(cx.node(
            Op::Filter {
                input: Box::new(input),
                predicate: crate::plan::Predicate::Eval(cond),
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

    fn expr(spl: &str) -> EvalExpr {
        match parse_command(spl).kind {
            CommandKind::Where(w) => w.expr,
            k => panic!("not where: {k:?}"),
        }
    }

    fn eq(f: &str, n: f64) -> EvalExpr {
        EvalExpr::Binary {
            op: BinOp::Eq,
            lhs: Box::new(EvalExpr::Field(f.into())),
            rhs: Box::new(EvalExpr::Num {
                value: n,
                text: format!("{n}"),
            }),
        }
    }

    #[test]
    fn and_binds_tighter_than_or() {
        // eval/where: (a=1 AND b=2) OR c=3 — the opposite of the search language.
        assert_eq!(
            expr("| where a=1 AND b=2 OR c=3"),
            EvalExpr::Binary {
                op: BinOp::Or,
                lhs: Box::new(EvalExpr::Binary {
                    op: BinOp::And,
                    lhs: Box::new(eq("a", 1.0)),
                    rhs: Box::new(eq("b", 2.0)),
                }),
                rhs: Box::new(eq("c", 3.0)),
            }
        );
    }

    #[test]
    fn keywords_are_case_insensitive_and_like_is_both() {
        let e = expr(r#"| where not LIKE(x, "%a%") and y like "b_""#);
        let EvalExpr::Binary {
            op: BinOp::And,
            lhs,
            rhs,
        } = e
        else {
            panic!()
        };
        assert!(
            matches!(*lhs, EvalExpr::Not(ref c) if matches!(**c, EvalExpr::Call { ref name, .. } if name == "like"))
        );
        assert!(matches!(
            *rhs,
            EvalExpr::Binary {
                op: BinOp::Like,
                ..
            }
        ));
    }

    #[test]
    fn arithmetic_precedence_and_unary_minus() {
        let e = expr("| where query_length>(avg+stdev*2) AND -x < 1");
        let EvalExpr::Binary {
            op: BinOp::And,
            lhs,
            rhs,
        } = e
        else {
            panic!()
        };
        let EvalExpr::Binary {
            op: BinOp::Gt,
            rhs: r,
            ..
        } = *lhs
        else {
            panic!()
        };
        assert!(
            matches!(*r, EvalExpr::Binary { op: BinOp::Add, ref rhs, .. } if matches!(**rhs, EvalExpr::Binary { op: BinOp::Mul, .. }))
        );
        assert!(
            matches!(*rhs, EvalExpr::Binary { op: BinOp::Lt, ref lhs, .. } if matches!(**lhs, EvalExpr::Neg(_)))
        );
    }

    #[test]
    fn in_operator() {
        let e = expr(r#"| where user IN ("a", "b")"#);
        assert!(matches!(e, EvalExpr::In { ref list, .. } if list.len() == 2));
    }
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn where_is_case_sensitive_and_numeric_aware() {
        let df = df!("process_name" => ["cmd.exe", "CMD.EXE"], "n" => ["10", "9"]).unwrap();
        let out = crate::testkit::run_on(df.clone(), r#"| where process_name="cmd.exe""#);
        assert_eq!(out.height(), 1);
        let out = crate::testkit::run_on(df, "| where n > 9");
        assert_eq!(out.height(), 1);
        assert_eq!(out.column("n").unwrap().str().unwrap().get(0), Some("10"));
    }

    #[test]
    fn and_before_or_at_execution() {
        // (a=1 AND b=2) OR c=3: row 2 (only c=3) is kept; the search reading a=1 AND (b=2 OR c=3) would drop it.
        let df =
            df!("a" => ["1", "1", "0"], "b" => ["2", "0", "0"], "c" => ["0", "0", "3"]).unwrap();
        let out = crate::testkit::run_on(df, "| where a=1 AND b=2 OR c=3");
        assert_eq!(out.height(), 2);
    }
}

//! `eval`: compute fields from eval-language expressions, left to right (`a=1, b=a+1`).

use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// One `field=expression`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assignment {
    pub field: String,
    pub expr: EvalExpr,
}

/// An `eval` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Eval {
    pub assignments: Vec<Assignment>,
}

impl Eval {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Eval> {
        Ok(Eval {
            assignments: assignments(p)?,
        })
    }
}

/// The `field=expr` assignments of `eval` or `fieldformat`.
pub(crate) fn assignments(p: &Pair<'_, Rule>) -> BuildResult<Vec<Assignment>> {
    let mut out = Vec::new();
    for a in p
        .clone()
        .into_inner()
        .filter(|c| c.as_rule() == Rule::eval_assign)
    {
        let target = child(&a, Rule::eval_target)?;
        let expr = child(&a, Rule::eval_expr)?;
        out.push(Assignment {
            field: field(&target),
            expr: eval_expr(&expr)?,
        });
    }
    Ok(out)
}

use crate::diagnostic::Diagnostic;
use crate::syntax::ast::Command;

use crate::commands::{Lower, SplCommand};
use crate::plan::{Node, Op};

impl SplCommand for Eval {
    const DOC: &'static str = "Compute fields from eval-language expressions, left to right, each seeing the ones before.";

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        let assignments = self
            .assignments
            .iter()
            .map(|a| Ok((a.field.clone(), cx.scalar(&a.expr)?)))
            .collect::<Result<_, Diagnostic>>()?;
        Ok(cx.node(
            Op::Compute {
                input: Box::new(input),
                assignments,
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
    fn several_assignments_with_quoted_names_and_templates() {
        let c = parse_command(
            r#"| eval 'a b'=1, x = "p" . lower(y), <<FIELD>>=if(<<FIELD>>="null",null(),<<FIELD>>)"#,
        );
        let CommandKind::Eval(e) = c.kind else {
            panic!()
        };
        assert_eq!(e.assignments.len(), 3);
        assert_eq!(e.assignments[0].field, "a b");
        assert!(matches!(
            e.assignments[1].expr,
            EvalExpr::Binary {
                op: BinOp::Concat,
                ..
            }
        ));
        assert_eq!(e.assignments[2].field, "<<FIELD>>");
    }

    #[test]
    fn a_period_concatenates_and_a_quoted_name_keeps_it() {
        // Search Reference, eval: `.` concatenates; a field name with a period is single-quoted.
        let rhs_of = |spl: &str| {
            let CommandKind::Eval(e) = parse_command(spl).kind else {
                panic!()
            };
            let EvalExpr::Binary {
                op: BinOp::Concat,
                rhs,
                ..
            } = &e.assignments[0].expr
            else {
                panic!("{spl}: {:?}", e.assignments[0].expr)
            };
            (**rhs).clone()
        };
        assert_eq!(
            rhs_of(r#"| eval p="*" . 'Processes.parent_process_name'"#),
            EvalExpr::Field("Processes.parent_process_name".into())
        );
        // Unquoted: ("*" . Processes) . parent_process_name.
        assert_eq!(
            rhs_of(r#"| eval p="*" . Processes.parent_process_name"#),
            EvalExpr::Field("parent_process_name".into())
        );
    }
}

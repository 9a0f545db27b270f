//! `head`: keep the first N results (default 10), or while an expression holds.

#[allow(unused_imports)]
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

#[cfg(test)]
mod tests {
    #[allow(unused_imports)]
    use super::*;
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

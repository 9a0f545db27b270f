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

use crate::diagnostic::Diagnostic;
#[allow(unused_imports)]
use crate::exec::{schema_of, Context};
#[allow(unused_imports)]
use crate::syntax::ast::Command;
#[allow(unused_imports)]
use polars::prelude::{
    col, lit, DataType, LazyFrame, SortMultipleOptions, UniqueKeepStrategy, NULL,
};

/// Run `head`: the first N results (default 10).
pub(crate) fn execute(
    lf: LazyFrame,
    h: &Head,
    c: &Command,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    if h.expr.is_some() {
        return Err(ctx.error("`head` with an expression is not supported yet", c.span));
    }
    let n = h
        .count
        .or_else(|| h.options.get_opt("limit").and_then(|v| v.parse().ok()))
        .unwrap_or(10);
    Ok(lf.limit(n as polars::prelude::IdxSize))
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn first_n() {
        let df = df!("a" => (0..20i64).collect::<Vec<_>>()).unwrap();
        assert_eq!(
            crate::exec::testing::run_on(df.clone(), "| head").height(),
            10
        );
        assert_eq!(crate::exec::testing::run_on(df, "| head 3").height(), 3);
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

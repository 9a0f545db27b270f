//! `tail`: keep the last N results (default 10), in reverse order.

#[allow(unused_imports)]
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

use crate::diagnostic::Diagnostic;
#[allow(unused_imports)]
use crate::exec::{schema_of, Context};
#[allow(unused_imports)]
use crate::syntax::ast::Command;
#[allow(unused_imports)]
use polars::prelude::{
    col, lit, DataType, LazyFrame, SortMultipleOptions, UniqueKeepStrategy, NULL,
};

/// Run `tail`: the last N results (default 10), last first.
pub(crate) fn execute(
    lf: LazyFrame,
    t: &Tail,
    _c: &Command,
    _ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let n = t.count.unwrap_or(10);
    Ok(lf.tail(n as polars::prelude::IdxSize).reverse())
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn last_n_reversed() {
        let df = df!("a" => [1i64, 2, 3, 4]).unwrap();
        let out = crate::exec::testing::run_on(df, "| tail 2");
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
    #[allow(unused_imports)]
    use super::*;
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

//! `append`: append a subsearch's results to the current results.

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Append a subsearch's results to the current results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Append {
    pub options: Vec<Opt>,
    pub subsearch: Pipeline,
}

impl Append {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Append> {
        let mut parts = Parts::of(p)?;
        let subsearch = parts.take_subsearch(p)?;
        Ok(Append {
            options: parts.options,
            subsearch,
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
        let c = parse_command("| append [search sourcetype=stream:tcp bytes_out>65000]");
        let CommandKind::Append(x) = c.kind else {
            panic!("not append: {c:?}")
        };
        assert_eq!(x.subsearch.commands.len(), 1);
        assert_eq!(x.subsearch.commands[0].name, "search");
    }
}

use crate::diagnostic::Diagnostic;
#[allow(unused_imports)]
use crate::exec::{schema_of, Context};
#[allow(unused_imports)]
use crate::syntax::ast::Command;
#[allow(unused_imports)]
use polars::prelude::{
    col, lit, DataType, IntoLazy, LazyFrame, SortMultipleOptions, UniqueKeepStrategy, NULL,
};

/// Run `append`: the subsearch's results after the current ones (columns united).
pub(crate) fn execute(
    lf: LazyFrame,
    a: &Append,
    c: &Command,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let sub = crate::exec::run(&a.subsearch, ctx)?;
    let main = lf
        .collect()
        .map_err(|e| ctx.polars_error("append", c.span, e))?;
    Ok(crate::exec::append_frames(main, sub)
        .map_err(|e| ctx.polars_error("append", c.span, e))?
        .lazy())
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn unites_columns() {
        let df = df!("a" => ["x"]).unwrap();
        let out = crate::exec::testing::run_on(df, "| append [| makeresults count=2]");
        assert_eq!(out.height(), 3);
        assert_eq!(out.width(), 2);
    }
}

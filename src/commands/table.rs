//! `table`: keep the listed fields, in the order given (wildcards allowed).

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Keep the listed fields, in the order given (wildcards allowed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub fields: Vec<String>,
}

impl Table {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Table> {
        Ok(Table {
            fields: Parts::of(p)?.fields,
        })
    }
}

use crate::diagnostic::Diagnostic;
use crate::exec::matching_columns;
#[allow(unused_imports)]
use crate::exec::{schema_of, Context};
#[allow(unused_imports)]
use crate::syntax::ast::Command;
#[allow(unused_imports)]
use polars::prelude::{
    col, lit, DataType, LazyFrame, SortMultipleOptions, UniqueKeepStrategy, NULL,
};

/// Columns chosen by field patterns, in the order of the patterns (each once).
pub(crate) fn select_patterns(
    schema: &polars::prelude::Schema,
    patterns: &[String],
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in patterns {
        for n in matching_columns(schema, p) {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// Run `table`: only the listed fields, in that order.
pub(crate) fn execute(
    mut lf: LazyFrame,
    t: &Table,
    c: &Command,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let schema = schema_of(&mut lf, "table", c.span, ctx)?;
    let cols: Vec<_> = select_patterns(&schema, &t.fields)
        .iter()
        .map(|n| col(n.as_str()))
        .collect();
    Ok(lf.select(cols))
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn order_and_wildcards() {
        let df = df!("a" => [1i64], "b1" => [2i64], "b2" => [3i64], "c" => [4i64]).unwrap();
        let out = crate::exec::testing::run_on(df, "| table c, b* nosuch a");
        let names: Vec<&str> = out.get_column_names().iter().map(|s| s.as_str()).collect();
        assert_eq!(names, vec!["c", "b1", "b2", "a"]);
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
        let c = parse_command("| table firstTime, \"Search Name\" dest* user");
        let CommandKind::Table(x) = c.kind else {
            panic!("not table: {c:?}")
        };
        assert_eq!(x.fields, vec!["firstTime", "Search Name", "dest*", "user"]);
    }
}

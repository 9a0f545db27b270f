//! `addtotals`: add a field holding the sum of numeric fields (`fieldname=`).

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Add a field holding the sum of numeric fields (`fieldname=`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Addtotals {
    pub options: Vec<Opt>,
    pub fields: Vec<String>,
}

impl Addtotals {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Addtotals> {
        let parts = Parts::of(p)?;
        Ok(Addtotals {
            options: parts.options,
            fields: parts.fields,
        })
    }
}

// ---------- semantics ----------

use crate::diagnostic::Diagnostic;
use crate::frame::{matching_columns, schema_of};
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::{col, lit, when, DataType, Expr, LazyFrame, NULL};

/// Run `addtotals`: per result, the sum of the numeric values of the listed fields (wildcards
/// allowed; none listed: every field except internal `_` ones) into `fieldname` (default
/// `Total`). Text that is not a number is skipped; a result with no numeric value gets no total
/// (null). `col=t` (a summary result) is not supported yet.
fn execute(
    mut lf: LazyFrame,
    a: &Addtotals,
    c: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let flag = |k: &str, default: bool| {
        a.options
            .get_opt(k)
            .map(|v| matches!(v.to_ascii_lowercase().as_str(), "t" | "true" | "1"))
            .unwrap_or(default)
    };
    if flag("col", false) {
        return Err(ctx.error("addtotals col=t is not supported yet", c.span));
    }
    if !flag("row", true) {
        return Ok(lf);
    }
    let out = a
        .options
        .get_opt("fieldname")
        .unwrap_or("Total")
        .to_string();
    let schema = schema_of(&mut lf, "addtotals", c.span, ctx)?;
    let fields: Vec<String> = if a.fields.is_empty() {
        schema
            .iter_names()
            .map(|s| s.to_string())
            .filter(|n| !n.starts_with('_') && *n != out)
            .collect()
    } else {
        let mut v: Vec<String> = Vec::new();
        for f in &a.fields {
            for n in matching_columns(&schema, f) {
                if !v.contains(&n) {
                    v.push(n);
                }
            }
        }
        v
    };
    let numbers: Vec<Expr> = fields
        .iter()
        .filter(|f| !matches!(schema.get(f.as_str()), Some(DataType::List(_))))
        .map(|f| col(f.as_str()).cast(DataType::Float64))
        .collect();
    if numbers.is_empty() {
        return Ok(lf.with_column(lit(NULL).cast(DataType::Float64).alias(out.as_str())));
    }
    let sum = numbers
        .iter()
        .fold(lit(0.0), |acc, e| acc + e.clone().fill_null(lit(0.0)));
    let any = numbers
        .iter()
        .map(|e| e.clone().is_not_null())
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(false));
    Ok(lf.with_column(
        when(any)
            .then(sum)
            .otherwise(lit(NULL).cast(DataType::Float64))
            .alias(out.as_str()),
    ))
}

opaque_command!(Addtotals, "Add a field holding the sum of numeric fields (`fieldname=`).", options: Some(&["fieldname", "row", "col"]), field: options);

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn sums_the_numeric_values_of_the_listed_fields() {
        let df = df!(
            "a" => [Some("1"), Some("x"), None],
            "b" => [Some(2i64), Some(3), None],
            "c" => [Some(100i64), Some(100), Some(100)]
        )
        .unwrap();
        let out = crate::testkit::run_on(df.clone(), "| addtotals fieldname=Score a, b");
        let s = out.column("Score").unwrap().f64().unwrap();
        // "x" is not a number and is skipped; a row with no number gets no total.
        assert_eq!(s.iter().collect::<Vec<_>>(), [Some(3.0), Some(3.0), None]);
        let out = crate::testkit::run_on(df, "| addtotals");
        let t = out.column("Total").unwrap().f64().unwrap();
        assert_eq!(t.get(0), Some(103.0));
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
        let c = parse_command("| addtotals fieldname=Score, jndi, env_var");
        let CommandKind::Addtotals(x) = c.kind else {
            panic!("not addtotals: {c:?}")
        };
        assert_eq!(x.options.get_opt("fieldname"), Some("Score"));
        assert_eq!(x.fields, vec!["jndi", "env_var"]);
    }
}

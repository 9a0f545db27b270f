//! `addtotals`: add a field holding the sum of numeric fields (`fieldname=`).

use super::parts::Parts;
#[allow(unused_imports)]
use crate::commands::Lower;
use crate::plan::Node;
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
use polars::prelude::{
    col, lit, when, Column, DataFrame, DataType, Expr, IntoLazy, LazyFrame, Schema, NULL,
};

/// The fields to sum: the listed ones (wildcards allowed), or every field except internal `_`
/// ones and `skip`.
fn summed_fields(a: &Addtotals, schema: &Schema, skip: &str) -> Vec<String> {
    if a.fields.is_empty() {
        schema
            .iter_names()
            .map(|s| s.to_string())
            .filter(|n| !n.starts_with('_') && *n != skip)
            .collect()
    } else {
        let mut v: Vec<String> = Vec::new();
        for f in &a.fields {
            for n in matching_columns(schema, f) {
                if !v.contains(&n) {
                    v.push(n);
                }
            }
        }
        v
    }
}

/// Run `addtotals`: per result, the sum of the numeric values of the listed fields (wildcards
/// allowed; none listed: every field except internal `_` ones) into `fieldname` (default
/// `Total`; `row=f` for none). Text that is not a number is skipped; a result with no numeric
/// value gets no total (null). `col=t` adds a summary result at the end with the sum of each of
/// those fields (and of the row totals), and `label` (default `Total`) in `labelfield` when one
/// is given (created when no result has it).
fn execute(
    mut lf: LazyFrame,
    a: &Addtotals,
    c: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let flag = |k: &str, default: bool| {
        a.options
            .get_opt(k)
            .map(crate::commands::is_true)
            .unwrap_or(default)
    };
    let out = a
        .options
        .get_opt("fieldname")
        .unwrap_or("Total")
        .to_string();
    let schema = schema_of(&mut lf, "addtotals", c.span, ctx)?;
    let fields = summed_fields(a, &schema, &out);
    let row = flag("row", true);
    if row {
        let numbers: Vec<Expr> = fields
            .iter()
            .filter(|f| !matches!(schema.get(f.as_str()), Some(DataType::List(_))))
            .map(|f| col(f.as_str()).cast(DataType::Float64))
            .collect();
        lf = if numbers.is_empty() {
            lf.with_column(lit(NULL).cast(DataType::Float64).alias(out.as_str()))
        } else {
            let sum = numbers
                .iter()
                .fold(lit(0.0), |acc, e| acc + e.clone().fill_null(lit(0.0)));
            let any = numbers
                .iter()
                .map(|e| e.clone().is_not_null())
                .reduce(|a, b| a.or(b))
                .unwrap_or(lit(false));
            lf.with_column(
                when(any)
                    .then(sum)
                    .otherwise(lit(NULL).cast(DataType::Float64))
                    .alias(out.as_str()),
            )
        };
    }
    if !flag("col", false) {
        return Ok(lf);
    }
    let df = lf
        .collect()
        .map_err(|e| ctx.polars_error("addtotals", c.span, e))?;
    let mut summed = fields;
    if row && !summed.contains(&out) {
        summed.push(out.clone());
    }
    let mut cells: Vec<Column> = Vec::new();
    for f in &summed {
        let Ok(column) = df.column(f) else { continue };
        let numbers: Vec<f64> = (0..df.height())
            .flat_map(|i| crate::frame::values_at(column, i))
            .filter_map(|v| v.trim().parse::<f64>().ok())
            .collect();
        let total = (!numbers.is_empty()).then(|| numbers.iter().sum::<f64>());
        cells.push(Column::new(f.as_str().into(), [total]));
    }
    if let Some(labelfield) = a.options.get_opt("labelfield") {
        let label = a.options.get_opt("label").unwrap_or("Total");
        cells.retain(|c| c.name().as_str() != labelfield);
        cells.push(Column::new(labelfield.into(), [label]));
    }
    let summary = if cells.is_empty() {
        DataFrame::new(1, Vec::new())
    } else {
        DataFrame::new_infer_height(cells)
    }
    .map_err(|e| ctx.polars_error("addtotals", c.span, e))?;
    let all = if df.width() == 0 {
        summary
    } else if summary.width() == 0 {
        // Nothing to sum: the summary result has no field at all.
        let mut empty = df.clear();
        let nulls: Vec<Column> = empty
            .columns()
            .iter()
            .map(|c| Column::full_null(c.name().clone(), 1, c.dtype()))
            .collect();
        empty = DataFrame::new_infer_height(nulls)
            .map_err(|e| ctx.polars_error("addtotals", c.span, e))?;
        df.vstack(&empty)
            .map_err(|e| ctx.polars_error("addtotals", c.span, e))?
    } else {
        crate::frame::append_frames(df, summary)
            .map_err(|e| ctx.polars_error("addtotals", c.span, e))?
    };
    Ok(all.lazy())
}

impl crate::commands::SplCommand for Addtotals {
    const DOC: &'static str = "Add a field holding the sum of numeric fields per result (`fieldname=`, `row=`), and with `col=t` a summary result with the sum of each field (`labelfield=`, `label=`).";
    const OPTIONS: Option<&'static [&'static str]> =
        Some(&["fieldname", "row", "col", "labelfield", "label"]);
    const EXAMPLES: &'static [crate::commands::Example] = &[
        crate::commands::Example {
            description: "row totals, then a summary result summing each field and the totals; text is not summed",
            search: "| addtotals col=t labelfield=host label=ALL",
            input: "host,a,b
h1,1,2
h2,3,x",
            output: "host,a,b,Total
h1,1,2,3
h2,3,x,3
ALL,4,2,6
",
        },
        crate::commands::Example {
            description: "the listed fields only, no row totals, the label in a new field",
            search: "| addtotals row=f col=t labelfield=what a",
            input: "a,b
1,10
2,20",
            output: "a,b,what
1,10,
2,20,
3,,Total
",
        },
    ];

    fn options(&self) -> &[Opt] {
        &self.options
    }

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        Ok(cx.opaque(self.clone(), c, input))
    }
}

runs_execute!(Addtotals);

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    fn text(df: &DataFrame, c: &str) -> Vec<Option<String>> {
        let c = df.column(c).unwrap();
        (0..c.len())
            .map(|i| crate::frame::values_at(c, i).pop())
            .collect()
    }

    #[test]
    fn col_adds_one_summary_result_with_each_sum() {
        let df = df!("host" => ["h1", "h2"], "a" => ["1", "3"], "b" => ["2", "x"]).unwrap();
        let out = crate::testkit::run_on(df.clone(), "| addtotals col=t");
        assert_eq!(out.height(), 3);
        // Column sums (not another row total), the row totals summed too; no label by default.
        assert_eq!(text(&out, "a")[2].as_deref(), Some("4"));
        assert_eq!(text(&out, "b")[2].as_deref(), Some("2"));
        assert_eq!(text(&out, "Total")[2].as_deref(), Some("6"));
        assert_eq!(text(&out, "host")[2], None);
        let out = crate::testkit::run_on(df, "| addtotals row=f col=t labelfield=host label=ALL a");
        assert_eq!(out.width(), 3);
        assert_eq!(text(&out, "host")[2].as_deref(), Some("ALL"));
        assert_eq!(text(&out, "a")[2].as_deref(), Some("4"));
        assert_eq!(text(&out, "b")[2], None);
    }

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

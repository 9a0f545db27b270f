//! `mvcombine`: combine results that differ only in one field into one multivalue result.

use super::parts::Parts;
use crate::commands::Lower;
use crate::plan::Node;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Combine results that differ only in one field into one multivalue result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mvcombine {
    pub options: Vec<Opt>,
    pub field: String,
}

impl Mvcombine {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Mvcombine> {
        let parts = Parts::of(p)?;
        Ok(Mvcombine {
            field: parts.first_field(p)?,
            options: parts.options,
        })
    }

    /// The `delim=` given (default one space): what `nomv` right after joins the values with.
    pub fn delim(&self) -> &str {
        self.options.get_opt("delim").unwrap_or(" ")
    }
}

use crate::diagnostic::Diagnostic;
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::{
    AnyValue, DataType, IdxCa, IdxSize, IntoColumn, IntoLazy, LazyFrame, ListChunked, NamedFrom,
    Series,
};

/// Run `mvcombine`: results whose other fields all have the same values (internal `_` fields are
/// not compared; the group keeps the first result's) become one result, at the place of the
/// first of them, whose `field` holds the values of all of them in result order (a multivalue
/// field). Results without the field still group; they add no value.
fn execute(lf: LazyFrame, m: &Mvcombine, c: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    let df = lf
        .collect()
        .map_err(|e| ctx.polars_error("mvcombine", c.span, e))?;
    let Ok(target) = df.column(&m.field) else {
        // No result has the field: nothing to combine on (Splunk returns the results as they are).
        return Ok(df.lazy());
    };
    let keys: Vec<&polars::prelude::Column> = df
        .columns()
        .iter()
        .filter(|col| col.name().as_str() != m.field && !col.name().starts_with('_'))
        .collect();
    let mut index: std::collections::HashMap<Vec<Option<Vec<String>>>, usize> =
        std::collections::HashMap::new();
    let mut groups: Vec<(IdxSize, Vec<String>)> = Vec::new();
    for i in 0..df.height() {
        let key: Vec<Option<Vec<String>>> = keys
            .iter()
            .map(|col| match col.get(i) {
                Ok(AnyValue::Null) => None,
                _ => Some(crate::frame::values_at(col, i)),
            })
            .collect();
        let g = *index.entry(key).or_insert_with(|| {
            groups.push((i as IdxSize, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.extend(crate::frame::values_at(target, i));
    }
    let rows = IdxCa::from_vec("".into(), groups.iter().map(|g| g.0).collect());
    let mut out = df
        .take(&rows)
        .map_err(|e| ctx.polars_error("mvcombine", c.span, e))?;
    let values: ListChunked = groups
        .into_iter()
        .map(|(_, v)| (!v.is_empty()).then(|| Series::new("".into(), v)))
        .collect();
    let values = crate::frame::text_list(values)
        .with_name(m.field.as_str().into())
        .into_column();
    let values = values
        .cast(&DataType::List(Box::new(DataType::String)))
        .map_err(|e| ctx.polars_error("mvcombine", c.span, e))?;
    out.replace(&m.field, values)
        .map_err(|e| ctx.polars_error("mvcombine", c.span, e))?;
    Ok(out.lazy())
}

impl crate::commands::SplCommand for Mvcombine {
    const DOC: &'static str = "Combine results that differ only in one field into one result where that field is multivalue (`delim=` joins the values for a `nomv` right after).";
    const OPTIONS: Option<&'static [&'static str]> = Some(&["delim"]);
    const EXAMPLES: &'static [crate::commands::Example] = &[
        crate::commands::Example {
            description:
                "results that differ only in host become one, host multivalue in result order",
            search: "| mvcombine host",
            input: "max,host\n5,b\n5,a\n7,c",
            output: "max,host\n5,\"b\na\"\n7,c\n",
        },
        crate::commands::Example {
            description: "with `delim=` and `nomv` right after, one value joined by the delimiter",
            search: "| mvcombine delim=\";\" host | nomv host",
            input: "max,host\n5,b\n5,a\n7,c",
            output: "max,host\n5,b;a\n7,c\n",
        },
    ];

    fn options(&self) -> &[Opt] {
        &self.options
    }

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        if self.field.starts_with('_') {
            return Err(cx.error(
                format!(
                    "`mvcombine` does not apply to internal fields such as `{}`",
                    self.field
                ),
                c.span,
            ));
        }
        Ok(cx.opaque(self.clone(), c, input))
    }
}

runs_execute!(Mvcombine, columns: |input| input.clone());

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;
    use polars::prelude::*;

    #[test]
    fn parses_example() {
        let c = parse_command("| mvcombine delim=\",\" host");
        let CommandKind::Mvcombine(x) = c.kind else {
            panic!("not mvcombine: {c:?}")
        };
        assert_eq!(x.field, "host");
        assert_eq!(x.delim(), ",");
    }

    fn list(df: &DataFrame, c: &str, i: usize) -> Vec<String> {
        crate::frame::values_at(df.column(c).unwrap(), i)
    }

    #[test]
    fn combines_results_identical_but_for_the_field_in_result_order() {
        let df = df!(
            "max" => ["5", "5", "7", "5"],
            "host" => ["b", "a", "c", "d"]
        )
        .unwrap();
        let out = crate::testkit::run_on(df, "| mvcombine host");
        assert_eq!(out.height(), 2);
        // The group of the first result comes first, its values in result order (not sorted).
        assert_eq!(list(&out, "host", 0), ["b", "a", "d"]);
        assert_eq!(list(&out, "host", 1), ["c"]);
        let max: Vec<&str> = out
            .column("max")
            .unwrap()
            .str()
            .unwrap()
            .no_null_iter()
            .collect();
        assert_eq!(max, ["5", "7"]);
        // The column keeps its place.
        let names: Vec<&str> = out.get_column_names().iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["max", "host"]);
    }

    #[test]
    fn a_difference_in_any_other_field_keeps_results_apart() {
        let df = df!("a" => ["1", "1"], "b" => ["x", "y"], "host" => ["h1", "h2"]).unwrap();
        let out = crate::testkit::run_on(df, "| mvcombine host");
        assert_eq!(out.height(), 2);
    }
}

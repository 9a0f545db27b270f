//! `fillnull`: replace null values; `value=` (default `0`) in the listed fields, or in every field.

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Replace null values; `value=` (default `0`) in the listed fields, or in every field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fillnull {
    pub options: Vec<Opt>,
    pub fields: Vec<String>,
}

impl Fillnull {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Fillnull> {
        let parts = Parts::of(p)?;
        Ok(Fillnull {
            options: parts.options,
            fields: parts.fields,
        })
    }
}

use crate::diagnostic::Diagnostic;
use crate::frame::schema_of;
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::{col, lit, DataType, IntoLazy, LazyFrame};

/// Run `fillnull`: null values of the listed fields (every field when none is listed) become
/// `value` (default `0`). A listed field that no result has is created. Without a list, only
/// the fields some result has are filled: Search Reference, fillnull: "Null values are field
/// values that are missing in a particular result but present in another result" (a column
/// that is null in every result is a field no result has, e.g. another sourcetype's field).
fn execute(
    mut lf: LazyFrame,
    f: &Fillnull,
    c: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let schema = schema_of(&mut lf, "fillnull", c.span, ctx)?;
    let value = f.options.get_opt("value").unwrap_or("0").to_string();
    let number = value.parse::<f64>().ok();
    let fields: Vec<String> = if f.fields.is_empty() {
        let df = lf
            .collect()
            .map_err(|e| ctx.polars_error("fillnull", c.span, e))?;
        let present: Vec<String> = df
            .columns()
            .iter()
            .filter(|c| c.null_count() < c.len())
            .map(|c| c.name().to_string())
            .collect();
        lf = df.lazy();
        present
    } else {
        f.fields.clone()
    };
    let mut exprs = Vec::new();
    for name in fields {
        let e = match (schema.get(&name), number) {
            (None, _) => lit(value.clone()),
            (Some(DataType::List(_)), _) => continue,
            (Some(dt), Some(n)) if dt.is_primitive_numeric() => {
                col(name.as_str()).fill_null(lit(n))
            }
            (Some(_), _) => col(name.as_str())
                .cast(DataType::String)
                .fill_null(lit(value.clone())),
        };
        exprs.push(e.alias(name.as_str()));
    }
    if exprs.is_empty() {
        // polars' plan breaks on an empty `with_columns`.
        return Ok(lf);
    }
    Ok(lf.with_columns(exprs))
}

opaque_command!(Fillnull, "Replace null values; `value=` (default `0`) in the listed fields, or in every field.", options: Some(&["value"]), field: options);

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn without_a_list_only_fields_some_result_has_are_filled() {
        let df = df!("a" => [Some("x"), None], "other" => [None::<&str>, None]).unwrap();
        let out = crate::testkit::run_on(df, "| fillnull");
        assert_eq!(out.column("a").unwrap().str().unwrap().get(1), Some("0"));
        // `other` is no result's field: it stays absent (null), as in Splunk.
        assert_eq!(out.column("other").unwrap().null_count(), 2);
    }

    #[test]
    fn default_zero_and_value() {
        let df = df!("a" => [Some("x"), None], "n" => [Some(1.0f64), None]).unwrap();
        let out = crate::testkit::run_on(df.clone(), "| fillnull");
        assert_eq!(out.column("a").unwrap().str().unwrap().get(1), Some("0"));
        assert_eq!(out.column("n").unwrap().f64().unwrap().get(1), Some(0.0));
        let out = crate::testkit::run_on(df, "| fillnull value=NULL a b");
        assert_eq!(out.column("a").unwrap().str().unwrap().get(1), Some("NULL"));
        assert_eq!(out.column("b").unwrap().str().unwrap().get(0), Some("NULL"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| fillnull value=\"Unknown\" src_category, dest_category");
        let CommandKind::Fillnull(x) = c.kind else {
            panic!("not fillnull: {c:?}")
        };
        assert_eq!(x.options.get_opt("value"), Some("Unknown"));
        assert_eq!(x.fields, vec!["src_category", "dest_category"]);
    }
}

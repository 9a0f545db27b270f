//! `fromjson`: expand a JSON object held in a field into fields.

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Expand a JSON object held in a field into fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fromjson {
    pub options: Vec<Opt>,
    pub field: String,
}

impl Fromjson {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Fromjson> {
        let parts = Parts::of(p)?;
        Ok(Fromjson {
            field: parts.first_field(p)?,
            options: parts.options,
        })
    }
}

use crate::diagnostic::Diagnostic;
use crate::frame::structured::{self, Flat};
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::{IntoLazy, LazyFrame};

/// Run `fromjson`: every top-level and nested field of the JSON object in a field (`prefix=`
/// prepended to the names).
fn execute(lf: LazyFrame, f: &Fromjson, c: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    let df = lf
        .collect()
        .map_err(|e| ctx.polars_error("fromjson", c.span, e))?;
    let prefix = f.options.get_opt("prefix").unwrap_or("");
    let rows: Vec<Flat> = super::spath::texts(&df, &f.field)
        .iter()
        .map(|t| {
            let flat = t
                .as_deref()
                .filter(|t| t.trim_start().starts_with('{'))
                .and_then(structured::flatten)
                .unwrap_or_default();
            flat.into_iter()
                .map(|(k, v)| (format!("{prefix}{k}"), v))
                .collect()
        })
        .collect();
    Ok(structured::add_fields(df, &rows)
        .map_err(|e| ctx.polars_error("fromjson", c.span, e))?
        .lazy())
}

opaque_command!(Fromjson, "Expand a JSON object held in a field into fields.", options: Some(&["prefix"]), field: options);

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn expands_an_object() {
        let df = df!("Data" => [r#"{"a":"1","b":{"c":"2"}}"#]).unwrap();
        let out = crate::testkit::run_on(df, "| fromjson Data");
        assert_eq!(out.column("b.c").unwrap().str().unwrap().get(0), Some("2"));
    }
}

#[cfg(test)]
mod tests {

    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| fromjson Data");
        let CommandKind::Fromjson(x) = c.kind else {
            panic!("not fromjson: {c:?}")
        };
        assert_eq!(x.field, "Data");
    }
}

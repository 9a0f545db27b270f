//! `spath`: extract fields from JSON or XML (`input=`, `output=`, `path=`).

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Extract fields from JSON or XML (`input=`, `output=`, `path=`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spath {
    pub options: Vec<Opt>,
    /// A positional path, as in `spath a.b{}`.
    pub path: Option<String>,
}

impl Spath {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Spath> {
        let parts = Parts::of(p)?;
        Ok(Spath {
            path: parts.fields.first().cloned(),
            options: parts.options,
        })
    }
}

use crate::diagnostic::Diagnostic;
use crate::frame::structured::{self, Flat};
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::{IntoLazy, LazyFrame};

/// The texts of a column, one per result (multivalue joined by newlines).
pub(crate) fn texts(df: &polars::prelude::DataFrame, field: &str) -> Vec<Option<String>> {
    match df.column(field) {
        Ok(c) => (0..df.height())
            .map(|i| {
                let v = crate::frame::values_at(c, i);
                (!v.is_empty()).then(|| v.join("\n"))
            })
            .collect(),
        Err(_) => vec![None; df.height()],
    }
}

/// Run `spath`: with a path, extract its values from `input` (default `_raw`) into `output`
/// (default the path); without one, extract every field of the JSON or XML.
fn execute(lf: LazyFrame, s: &Spath, c: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    let df = lf
        .collect()
        .map_err(|e| ctx.polars_error("spath", c.span, e))?;
    let input = s.options.get_opt("input").unwrap_or("_raw");
    let path = s
        .options
        .get_opt("path")
        .map(str::to_string)
        .or_else(|| s.path.clone());
    let texts = texts(&df, input);
    let rows: Vec<Flat> = match &path {
        Some(p) => {
            let output = s.options.get_opt("output").unwrap_or(p).to_string();
            texts
                .iter()
                .map(|t| {
                    let mut f = Flat::new();
                    if let Some(t) = t {
                        let v = structured::extract(t, p);
                        if !v.is_empty() {
                            f.insert(output.clone(), v);
                        }
                    }
                    f
                })
                .collect()
        }
        None => texts
            .iter()
            .map(|t| {
                t.as_deref()
                    .and_then(structured::flatten)
                    .unwrap_or_default()
            })
            .collect(),
    };
    Ok(structured::add_fields(df, &rows)
        .map_err(|e| ctx.polars_error("spath", c.span, e))?
        .lazy())
}

opaque_command!(Spath, "Extract fields from JSON or XML (`input=`, `output=`, `path=`).", options: Some(&["input", "output", "path"]), field: options);

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn path_and_auto_extract() {
        let df =
            df!("_raw" => [r#"{"user":{"name":"bob"},"ips":["1.1.1.1","2.2.2.2"]}"#, "not json"])
                .unwrap();
        let out = crate::testkit::run_on(df.clone(), "| spath output=u path=user.name");
        assert_eq!(out.column("u").unwrap().str().unwrap().get(0), Some("bob"));
        assert_eq!(out.column("u").unwrap().str().unwrap().get(1), None);
        let out = crate::testkit::run_on(df, "| spath");
        assert_eq!(
            out.column("user.name").unwrap().str().unwrap().get(0),
            Some("bob")
        );
        assert_eq!(
            out.column("ips{}")
                .unwrap()
                .list()
                .unwrap()
                .get_as_series(0)
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn xml_input_field() {
        let df = df!("UserData_Xml" => ["<UserData><Ev><Name>x</Name></Ev></UserData>"]).unwrap();
        let out = crate::testkit::run_on(df, "| spath input=UserData_Xml");
        assert_eq!(
            out.column("UserData.Ev.Name")
                .unwrap()
                .str()
                .unwrap()
                .get(0),
            Some("x")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command(
            "| spath input=requestParameters.policy output=key_policy_statements path=Statement{}",
        );
        let CommandKind::Spath(x) = c.kind else {
            panic!("not spath: {c:?}")
        };
        assert_eq!(x.options.get_opt("path"), Some("Statement{}"));
        assert_eq!(x.path, None);
    }
}

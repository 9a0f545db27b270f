//! `xmlkv`: extract XML key-value pairs from a field (default `_raw`).

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Extract XML key-value pairs from a field (default `_raw`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Xmlkv {
    pub options: Vec<Opt>,
    pub field: Option<String>,
}

impl Xmlkv {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Xmlkv> {
        let parts = Parts::of(p)?;
        Ok(Xmlkv {
            field: parts.fields.first().cloned(),
            options: parts.options,
        })
    }
}

use crate::diagnostic::Diagnostic;
use crate::frame::structured::{self, Flat};
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::{IntoLazy, LazyFrame};

/// Run `xmlkv`: each `<tag>value</tag>` of the field (default `_raw`) becomes the field
/// `tag`.
fn execute(lf: LazyFrame, x: &Xmlkv, c: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    let df = lf
        .collect()
        .map_err(|e| ctx.polars_error("xmlkv", c.span, e))?;
    let field = x.field.as_deref().unwrap_or("_raw");
    let re = regex::Regex::new(r"<([A-Za-z_][\w.\-]*)(?:\s[^>]*)?>([^<]*)</([A-Za-z_][\w.\-]*)>")
        .map_err(|e| ctx.error(e.to_string(), c.span))?;
    let rows: Vec<Flat> = super::spath::texts(&df, field)
        .iter()
        .map(|t| {
            let mut f = Flat::new();
            if let Some(t) = t {
                for cap in re.captures_iter(t) {
                    if cap[1] == cap[3] && !cap[2].trim().is_empty() {
                        let v = quick_xml::escape::unescape(cap[2].trim())
                            .map(|v| v.into_owned())
                            .unwrap_or_else(|_| cap[2].trim().to_string());
                        f.entry(cap[1].to_string()).or_default().push(v);
                    }
                }
            }
            f
        })
        .collect();
    Ok(structured::add_fields(df, &rows)
        .map_err(|e| ctx.polars_error("xmlkv", c.span, e))?
        .lazy())
}

opaque_command!(Xmlkv, "Extract XML key-value pairs from a field (default `_raw`).", options: None, field: options);

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn tags_become_fields() {
        let df = df!("Message" => ["<a>1</a><b x='y'>two &amp; 2</b><c></c>"]).unwrap();
        let out = crate::testkit::run_on(df, "| xmlkv Message");
        assert_eq!(out.column("a").unwrap().str().unwrap().get(0), Some("1"));
        assert_eq!(
            out.column("b").unwrap().str().unwrap().get(0),
            Some("two & 2")
        );
    }
}

#[cfg(test)]
mod tests {

    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| xmlkv UserData_Xml");
        let CommandKind::Xmlkv(x) = c.kind else {
            panic!("not xmlkv: {c:?}")
        };
        assert_eq!(x.field.as_deref(), Some("UserData_Xml"));
    }
}

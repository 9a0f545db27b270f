//! `extract`: `extract`/`kv`: extract key-value pairs from `_raw` (`pairdelim=`, `kvdelim=`).

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// `extract`/`kv`: extract key-value pairs from `_raw` (`pairdelim=`, `kvdelim=`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Extract {
    pub options: Vec<Opt>,
    pub fields: Vec<String>,
}

impl Extract {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Extract> {
        let parts = Parts::of(p)?;
        Ok(Extract {
            options: parts.options,
            fields: parts.fields,
        })
    }
}

opaque_command!(Extract, "Extract key-value pairs from `_raw` (`pairdelim=`, `kvdelim=`).", options: Some(&["kvdelim", "pairdelim", "auto", "reload"]), field: options);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| extract pairdelim=\";\" kvdelim=\":\"");
        let CommandKind::Extract(x) = c.kind else {
            panic!("not extract: {c:?}")
        };
        assert_eq!(x.options.get_opt("kvdelim"), Some(":"));
    }
}

use crate::diagnostic::Diagnostic;
use crate::frame::structured::{self, Flat};
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::{IntoLazy, LazyFrame};

/// Run `extract`/`kv`: `key=value` pairs of `_raw` become fields (`pairdelim=`, `kvdelim=`;
/// by default pairs are separated by spaces, commas or semicolons and keys from values by `=`).
fn execute(lf: LazyFrame, x: &Extract, c: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    // Search Reference, extract: `reload` re-reads props.conf and transforms.conf (spelunk reads
    // its knowledge files once per run, so it changes nothing); `auto=f` turns off the automatic
    // `=` extraction, which leaves only the pairs of explicit `pairdelim=`/`kvdelim=`.
    let explicit =
        x.options.get_opt("pairdelim").is_some() || x.options.get_opt("kvdelim").is_some();
    if !explicit
        && x.options
            .get_opt("auto")
            .is_some_and(|v| !crate::commands::is_true(v))
    {
        return Ok(lf);
    }
    let df = lf
        .collect()
        .map_err(|e| ctx.polars_error("extract", c.span, e))?;
    let pairdelim: Vec<char> = x
        .options
        .get_opt("pairdelim")
        .map(|d| d.chars().collect())
        .unwrap_or_else(|| vec![' ', ',', ';', '\t', '\n']);
    let kvdelim: Vec<char> = x
        .options
        .get_opt("kvdelim")
        .map(|d| d.chars().collect())
        .unwrap_or_else(|| vec!['=']);
    let rows: Vec<Flat> = super::spath::texts(&df, "_raw")
        .iter()
        .map(|t| {
            let mut f = Flat::new();
            if let Some(t) = t {
                for pair in t.split(|ch| pairdelim.contains(&ch)) {
                    if let Some(pos) = pair.find(|ch| kvdelim.contains(&ch)) {
                        let k = pair[..pos].trim().trim_matches('"');
                        let v = pair[pos + 1..].trim().trim_matches('"');
                        let valid = !k.is_empty()
                            && k.chars().all(|ch| {
                                ch.is_alphanumeric() || ch == '_' || ch == '.' || ch == '-'
                            });
                        if valid && !v.is_empty() {
                            f.entry(k.to_string()).or_default().push(v.to_string());
                        }
                    }
                }
            }
            f
        })
        .collect();
    Ok(structured::add_fields(df, &rows)
        .map_err(|e| ctx.polars_error("extract", c.span, e))?
        .lazy())
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn custom_delimiters() {
        let df = df!("_raw" => ["user:bob;action:login;bad"]).unwrap();
        let out = crate::testkit::run_on(df, r#"| extract pairdelim=";" kvdelim=":""#);
        assert_eq!(
            out.column("user").unwrap().str().unwrap().get(0),
            Some("bob")
        );
        assert_eq!(
            out.column("action").unwrap().str().unwrap().get(0),
            Some("login")
        );
    }
}

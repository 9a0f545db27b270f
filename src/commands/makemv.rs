//! `makemv`: split a field's value into a multivalue field (`delim=`, `tokenizer=`).

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Split a field's value into a multivalue field (`delim=`, `tokenizer=`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Makemv {
    pub options: Vec<Opt>,
    pub field: String,
}

impl Makemv {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Makemv> {
        let parts = Parts::of(p)?;
        Ok(Makemv {
            field: parts.first_field(p)?,
            options: parts.options,
        })
    }
}

opaque_command!(Makemv, "Split a field's value into a multivalue field (`delim=`, `tokenizer=`).", options: Some(&["delim", "tokenizer", "allowempty"]), field: options);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| makemv delim=\" \" answer");
        let CommandKind::Makemv(x) = c.kind else {
            panic!("not makemv: {c:?}")
        };
        assert_eq!(x.field, "answer");
        assert_eq!(x.options.get_opt("delim"), Some(" "));
    }
}

use crate::diagnostic::Diagnostic;
use crate::frame::schema_of;
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::{col, DataType, LazyFrame};
use polars::prelude::{Column, Field, IntoColumn, ListChunked, NamedFrom, Series};

/// Run `makemv`: split a field into a multivalue field on `delim=` (default a space), or keep the
/// matches of `tokenizer=` (its first group when it has one).
fn execute(mut lf: LazyFrame, m: &Makemv, c: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    let schema = schema_of(&mut lf, "makemv", c.span, ctx)?;
    let Some(dt) = schema.get(&m.field).cloned() else {
        return Ok(lf);
    };
    if matches!(dt, DataType::List(_)) {
        return Ok(lf);
    }
    let input = crate::frame::text_expr(col(m.field.as_str()), &dt);
    // Search Reference, makemv, allowempty: "if delim="," and field="a,,b", by default does not
    // produce any value for the empty string ... When using the tokenizer argument, zero length
    // matches produce empty string values. By default they produce no values."
    let allowempty = m
        .options
        .get_opt("allowempty")
        .is_some_and(crate::commands::is_true);
    enum Split {
        Tokenizer(regex::Regex),
        Delim(String),
    }
    let how = match m.options.get_opt("tokenizer") {
        Some(tok) => Split::Tokenizer(
            crate::expr::pcre::compile(tok)
                .map_err(|e| ctx.error(format!("invalid tokenizer `{tok}`: {e}"), c.span))?,
        ),
        None => Split::Delim(m.options.get_opt("delim").unwrap_or(" ").to_string()),
    };
    let e = input.map(
        move |col: Column| {
            let s = col.cast(&DataType::String)?;
            let out: ListChunked = s
                .str()?
                .iter()
                .map(|v| {
                    v.map(|v| {
                        let toks: Vec<String> = match &how {
                            Split::Tokenizer(re) => re
                                .captures_iter(v)
                                .filter_map(|cap| {
                                    cap.get(1)
                                        .or_else(|| cap.get(0))
                                        .map(|m| m.as_str().to_string())
                                })
                                .collect(),
                            Split::Delim(d) if d.is_empty() => vec![v.to_string()],
                            Split::Delim(d) => v.split(d.as_str()).map(str::to_string).collect(),
                        };
                        let toks: Vec<String> = toks
                            .into_iter()
                            .filter(|t| allowempty || !t.is_empty())
                            .collect();
                        Series::new("".into(), toks)
                    })
                })
                .collect();
            Ok(crate::frame::text_list(out)
                .with_name(col.name().clone())
                .into_column())
        },
        |_, f| {
            Ok(Field::new(
                f.name().clone(),
                DataType::List(Box::new(DataType::String)),
            ))
        },
    );
    Ok(lf.with_column(e.alias(m.field.as_str())))
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn empty_values_are_dropped_unless_allowempty() {
        let df = df!("a" => ["a,,b"]).unwrap();
        let n = |spl: &str| {
            let out = crate::testkit::run_on(df.clone(), spl);
            let v = out
                .column("a")
                .unwrap()
                .list()
                .unwrap()
                .get_as_series(0)
                .unwrap();
            v.len()
        };
        assert_eq!(n(r#"| makemv delim="," a"#), 2);
        assert_eq!(n(r#"| makemv delim="," allowempty=true a"#), 3);
    }

    #[test]
    fn delim_and_tokenizer() {
        let df = df!("a" => ["x y z"]).unwrap();
        let out = crate::testkit::run_on(df.clone(), r#"| makemv delim=" " a"#);
        assert_eq!(
            out.column("a")
                .unwrap()
                .list()
                .unwrap()
                .get_as_series(0)
                .unwrap()
                .len(),
            3
        );
        let out = crate::testkit::run_on(df, r#"| makemv tokenizer="([a-y])" a"#);
        assert_eq!(
            out.column("a")
                .unwrap()
                .list()
                .unwrap()
                .get_as_series(0)
                .unwrap()
                .len(),
            2
        );
    }
}

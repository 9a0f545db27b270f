//! `nomv`: turn a multivalue field into a single value.

use super::parts::Parts;
use crate::commands::Lower;
use crate::plan::Node;
use crate::syntax::ast::Command;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Turn a multivalue field into a single value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Nomv {
    pub field: String,
}

impl Nomv {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Nomv> {
        let parts = Parts::of(p)?;
        Ok(Nomv {
            field: parts.first_field(p)?,
        })
    }
}

use crate::diagnostic::Diagnostic;
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::{col, lit, DataType, LazyFrame};

/// `nomv`'s operator: the field's values joined by `delim` (a newline, or the `delim=` of an
/// `mvcombine` of the same field right before).
#[derive(Debug, Clone, Serialize)]
pub struct NomvJoin {
    field: String,
    delim: String,
}

/// Run `nomv`: a multivalue field becomes one value, its values joined by newlines (Search
/// Reference, `nomv`); a single value stays as it is.
fn execute(
    mut lf: LazyFrame,
    n: &NomvJoin,
    c: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let schema = crate::frame::schema_of(&mut lf, "nomv", c.span, ctx)?;
    match schema.get(&n.field) {
        Some(DataType::List(_)) => Ok(lf.with_column(
            col(n.field.as_str())
                .cast(DataType::List(Box::new(DataType::String)))
                .list()
                .join(lit(n.delim.clone()), true)
                .alias(n.field.as_str()),
        )),
        _ => Ok(lf),
    }
}

impl crate::commands::SplCommand for Nomv {
    const DOC: &'static str =
        "Turn a multivalue field into a single value, its values separated by newlines.";
    const OPTIONS: Option<&'static [&'static str]> = Some(&[]);
    const EXAMPLES: &'static [crate::commands::Example] = &[crate::commands::Example {
        description: "the values of a multivalue field become one value separated by newlines",
        search: "| makemv delim=\",\" senders | nomv senders | eval n=mvcount(senders)",
        input: "senders\n\"a,b,c\"",
        output: "senders,n\n\"a\nb\nc\",1\n",
    }];

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        // Splunk: `mvcombine delim=...` keeps the delimited text beside the values, and a
        // `nomv` right after shows that text.
        let mut delim = "\n".to_string();
        if let crate::plan::Op::Opaque { operator, .. } = &input.op {
            if input.command == "mvcombine" {
                if let Ok(m) = serde_json::from_str::<serde_json::Value>(&operator.describe()) {
                    let same_field = m["field"].as_str() == Some(self.field.as_str());
                    let given = m["options"].as_array().and_then(|opts| {
                        opts.iter()
                            .find(|o| {
                                o["key"]
                                    .as_str()
                                    .is_some_and(|k| k.eq_ignore_ascii_case("delim"))
                            })
                            .and_then(|o| o["value"].as_str().map(str::to_string))
                    });
                    if same_field {
                        delim = given.unwrap_or_else(|| " ".to_string());
                    }
                }
            }
        }
        Ok(cx.opaque(
            NomvJoin {
                field: self.field.clone(),
                delim,
            },
            c,
            input,
        ))
    }
}

runs_execute!(NomvJoin, columns: |input| input.clone());

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;
    use polars::prelude::*;

    #[test]
    fn parses_example() {
        let c = parse_command("| nomv values");
        let CommandKind::Nomv(x) = c.kind else {
            panic!("not nomv: {c:?}")
        };
        assert_eq!(x.field, "values");
    }

    #[test]
    fn joins_by_newline_into_one_value() {
        let df = df!("s" => ["a,b", "c"], "k" => ["1", "1"]).unwrap();
        let out = crate::testkit::run_on(df, "| makemv delim=\",\" s | nomv s");
        let s = out.column("s").unwrap();
        // One value (not a list), newline-joined (not space- or comma-joined).
        assert_eq!(s.dtype(), &DataType::String);
        assert_eq!(s.str().unwrap().get(0), Some("a\nb"));
        assert_eq!(s.str().unwrap().get(1), Some("c"));
    }

    #[test]
    fn after_mvcombine_the_delimiter_joins() {
        let df = df!("k" => ["1", "1"], "h" => ["a", "b"]).unwrap();
        let out = crate::testkit::run_on(df.clone(), "| mvcombine delim=\",\" h | nomv h");
        assert_eq!(out.column("h").unwrap().str().unwrap().get(0), Some("a,b"));
        let out = crate::testkit::run_on(df, "| mvcombine h | nomv h");
        assert_eq!(out.column("h").unwrap().str().unwrap().get(0), Some("a b"));
    }
}

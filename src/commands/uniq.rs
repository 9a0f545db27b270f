//! `uniq`: remove consecutive duplicate results.

use crate::commands::Lower;
use crate::plan::Node;
use crate::syntax::ast::Command;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Remove consecutive duplicate results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Uniq {}

impl Uniq {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Uniq> {
        let _ = p;
        Ok(Uniq {})
    }
}

use crate::diagnostic::Diagnostic;
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::{IntoLazy, LazyFrame};

/// Run `uniq`: a result that is an exact duplicate of the result just before it (every field,
/// internal ones included, has the same values) is removed. Duplicates that are not adjacent
/// stay (Search Reference, `uniq`).
fn execute(lf: LazyFrame, _u: &Uniq, c: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    let df = lf
        .collect()
        .map_err(|e| ctx.polars_error("uniq", c.span, e))?;
    let cols = df.columns();
    let row = |i: usize| -> Vec<Vec<String>> {
        cols.iter()
            .map(|c| {
                // A null and an empty multivalue are both "no value"; keep null distinct from "".
                match c.get(i) {
                    Ok(polars::prelude::AnyValue::Null) => vec!["\u{0}null".to_string()],
                    _ => crate::frame::values_at(c, i),
                }
            })
            .collect()
    };
    let mut prev: Option<Vec<Vec<String>>> = None;
    let keep: Vec<bool> = (0..df.height())
        .map(|i| {
            let r = row(i);
            let k = prev.as_ref() != Some(&r);
            prev = Some(r);
            k
        })
        .collect();
    crate::frame::filter_rows(&df, keep.into_iter())
        .map(|d| d.lazy())
        .map_err(|e| ctx.polars_error("uniq", c.span, e))
}

impl crate::commands::SplCommand for Uniq {
    const DOC: &'static str =
        "Remove each result that is an exact duplicate of the result just before it.";
    const OPTIONS: Option<&'static [&'static str]> = Some(&[]);
    const EXAMPLES: &'static [crate::commands::Example] = &[crate::commands::Example {
        description: "only adjacent duplicates go: the third `a,1` follows `b,2` and stays",
        search: "| uniq",
        input: "user,n\na,1\na,1\nb,2\na,1\na,2",
        output: "user,n\na,1\nb,2\na,1\na,2\n",
    }];

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        Ok(cx.opaque(self.clone(), c, input))
    }
}

runs_execute!(Uniq, columns: |input| input.clone());

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;
    use polars::prelude::*;

    #[test]
    fn parses_example() {
        let c = parse_command("| uniq");
        let CommandKind::Uniq(x) = c.kind else {
            panic!("not uniq: {c:?}")
        };
        assert_eq!(x, Uniq {});
    }

    #[test]
    fn removes_only_consecutive_duplicates_of_the_whole_result() {
        let df = df!(
            "user" => ["a", "a", "b", "a", "a"],
            "n" => ["1", "1", "2", "1", "2"]
        )
        .unwrap();
        let out = crate::testkit::run_on(df, "| uniq");
        // Not dedup: the later `a,1` is kept (not adjacent); not dedup by one field: `a,2` kept.
        let users: Vec<&str> = out
            .column("user")
            .unwrap()
            .str()
            .unwrap()
            .no_null_iter()
            .collect();
        let ns: Vec<&str> = out
            .column("n")
            .unwrap()
            .str()
            .unwrap()
            .no_null_iter()
            .collect();
        assert_eq!(users, ["a", "b", "a", "a"]);
        assert_eq!(ns, ["1", "2", "1", "2"]);
    }

    #[test]
    fn null_differs_from_empty_text() {
        let df = df!("f" => [Some(""), None, None]).unwrap();
        let out = crate::testkit::run_on(df, "| uniq");
        assert_eq!(out.height(), 2);
    }
}

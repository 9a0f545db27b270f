//! `mvexpand`: one result per value of a multivalue field.

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// One result per value of a multivalue field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mvexpand {
    pub options: Vec<Opt>,
    pub field: String,
}

impl Mvexpand {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Mvexpand> {
        let parts = Parts::of(p)?;
        Ok(Mvexpand {
            field: parts.first_field(p)?,
            options: parts.options,
        })
    }
}

use crate::commands::{Lower, SplCommand};
use crate::diagnostic::Diagnostic;
use crate::plan::{Node, Op};

impl SplCommand for Mvexpand {
    const DOC: &'static str =
        "One result per value of a multivalue field (`limit=` values at most).";
    const OPTIONS: Option<&'static [&'static str]> = Some(&["limit"]);

    fn options(&self) -> &[Opt] {
        &self.options
    }

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        let limit = match self.options.get_opt("limit") {
            Some(v) => Some(
                v.parse()
                    .map_err(|_| cx.error(format!("invalid limit `{v}`"), c.span))?,
            ),
            None => None,
        };
        Ok(cx.node(
            Op::Explode {
                input: Box::new(input),
                field: self.field.clone(),
                limit,
            },
            c,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| mvexpand findings limit=5");
        let CommandKind::Mvexpand(x) = c.kind else {
            panic!("not mvexpand: {c:?}")
        };
        assert_eq!(x.field, "findings");
        assert_eq!(x.options.get_opt("limit"), Some("5"));
    }
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn one_row_per_value() {
        let mv: ListChunked = [
            Some(Series::new("".into(), ["a", "b"])),
            Some(Series::new("".into(), ["c"])),
        ]
        .into_iter()
        .collect();
        let df = DataFrame::new_infer_height(vec![
            mv.with_name("v".into()).into_column(),
            Column::new("k".into(), [1i64, 2]),
        ])
        .unwrap();
        let out = crate::testkit::run_on(df, "| mvexpand v");
        assert_eq!(out.height(), 3);
        assert_eq!(out.column("v").unwrap().str().unwrap().get(1), Some("b"));
    }
}

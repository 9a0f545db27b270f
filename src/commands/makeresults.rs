//! `makeresults`: generate results (`count=`), each with `_time`.

use super::parts::Parts;
use crate::commands::Lower;
use crate::plan::Node;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Generate results (`count=`), each with `_time`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Makeresults {
    pub options: Vec<Opt>,
}

impl Makeresults {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Makeresults> {
        Ok(Makeresults {
            options: Parts::of(p)?.options,
        })
    }
}

use crate::diagnostic::Diagnostic;
use crate::runtime::Context;
use polars::prelude::{Column, DataFrame, IntoLazy, LazyFrame};

/// Run `makeresults`: `count=` results (default 1), each with `_time` = now.
fn execute(
    _input: LazyFrame,
    m: &Makeresults,
    c: &crate::plan::operator::At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let n: usize = match m.options.get_opt("count") {
        Some(v) => v
            .parse()
            .map_err(|_| ctx.error(format!("invalid count `{v}`"), c.span))?,
        None => 1,
    };
    let df =
        DataFrame::new_infer_height(vec![Column::new("_time".into(), vec![ctx.now.floor(); n])])
            .map_err(|e| ctx.polars_error("makeresults", c.span, e))?;
    Ok(df.lazy())
}

impl crate::plan::operator::Operator for Makeresults {
    fn describe(&self) -> String {
        format!("makeresults {}", crate::commands::describe(&self.options))
    }

    fn columns(&self, _input: &crate::plan::Columns) -> crate::plan::Columns {
        crate::plan::Columns::Known(vec!["_time".into()])
    }

    fn run(
        &self,
        input: LazyFrame,
        at: &crate::plan::operator::At,
        ctx: &Context,
    ) -> Result<LazyFrame, Diagnostic> {
        execute(input, self, at, ctx)
    }
}

impl crate::commands::SplCommand for Makeresults {
    const DOC: &'static str = "Generate `count=` results (default 1), each with `_time` = now.";

    fn options(&self) -> &[crate::syntax::ast::Opt] {
        &self.options
    }

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        cx.generator(self.clone(), c, input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| makeresults count=3");
        let CommandKind::Makeresults(x) = c.kind else {
            panic!("not makeresults: {c:?}")
        };
        assert_eq!(x.options.get_opt("count"), Some("3"));
    }
}

//! `appendpipe`: run a sub-pipeline over the current results and append its output.

use super::parts::Parts;
use crate::commands::Lower;
use crate::plan::Node;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Run a sub-pipeline over the current results and append its output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Appendpipe {
    pub options: Vec<Opt>,
    pub subsearch: Pipeline,
}

impl Appendpipe {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Appendpipe> {
        let mut parts = Parts::of(p)?;
        let subsearch = parts.take_subsearch(p)?;
        Ok(Appendpipe {
            options: parts.options,
            subsearch,
        })
    }
}

#[cfg(test)]
mod tests {

    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| appendpipe [| timechart limit=0 span=5m count | table _time]");
        let CommandKind::Appendpipe(x) = c.kind else {
            panic!("not appendpipe: {c:?}")
        };
        assert_eq!(x.subsearch.commands.len(), 2);
        assert_eq!(x.subsearch.commands[0].name, "timechart");
    }
}

use crate::diagnostic::Diagnostic;
use crate::runtime::Context;
use crate::syntax::ast::Command;
use polars::prelude::{IntoLazy, LazyFrame};

/// `appendpipe`'s operator: the sub-pipeline, planned over the current results.
#[derive(Debug)]
pub struct AppendpipeOp {
    plan: crate::plan::Plan,
}

impl crate::plan::operator::Operator for AppendpipeOp {
    fn describe(&self) -> String {
        "the sub-pipeline's results over the current results, appended".into()
    }

    fn subplans(&self) -> Vec<&crate::plan::Plan> {
        vec![&self.plan]
    }

    /// Run the sub-pipeline over the current results and append its output.
    fn run(
        &self,
        lf: LazyFrame,
        c: &crate::plan::operator::At,
        ctx: &Context,
    ) -> Result<LazyFrame, Diagnostic> {
        let main = lf
            .collect()
            .map_err(|e| ctx.polars_error("appendpipe", c.span, e))?;
        let sub = ctx
            .run_plan_on(main.clone().lazy(), &self.plan)?
            .collect()
            .map_err(|e| ctx.polars_error("appendpipe", c.span, e))?;
        Ok(crate::frame::append_frames(main, sub)
            .map_err(|e| ctx.polars_error("appendpipe", c.span, e))?
            .lazy())
    }
}

impl crate::commands::SplCommand for Appendpipe {
    const DOC: &'static str = "Run a sub-pipeline over the current results and append its output.";

    fn options(&self) -> &[Opt] {
        &self.options
    }

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        let root = cx.pipeline(&self.subsearch, crate::plan::Node::empty())?;
        let op = AppendpipeOp {
            plan: crate::plan::Plan { root },
        };
        Ok(cx.opaque(op, c, input))
    }
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn appends_the_sub_pipeline_output() {
        let df = df!("a" => ["x", "y"]).unwrap();
        let out = crate::testkit::run_on(df, "| appendpipe [| stats count]");
        assert_eq!(out.height(), 3);
        assert_eq!(out.column("count").unwrap().i64().unwrap().get(2), Some(2));
    }
}

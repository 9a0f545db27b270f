//! `summary`: describe a trained machine-learning model (Splunk MLTK).

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Describe a trained machine-learning model (Splunk MLTK).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub model: String,
    pub options: Vec<Opt>,
}

impl Summary {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Summary> {
        let parts = Parts::of(p)?;
        Ok(Summary {
            model: parts.first_field(p)?,
            options: parts.options,
        })
    }
}

use crate::commands::Lower;
use crate::diagnostic::Diagnostic;
use crate::plan::operator::At;
use crate::plan::Node;
use crate::runtime::Context;
use polars::prelude::{IntoLazy, LazyFrame};

/// Run `summary <model>`: one result per group of a DensityFunction model, with its `by`
/// values, `type` (Normal, Exponential, Gaussian KDE, Beta), `min`, `max`, `mean`, `std`,
/// `cardinality` (training values), `distance` (Wasserstein distance to the data) and `other`.
fn execute(
    _input: LazyFrame,
    s: &Summary,
    at: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let model = ctx
        .models
        .load(&s.model)
        .map_err(|e| ctx.error(format!("`summary {}`: {e}", s.model), at.span))?
        .ok_or_else(|| super::apply::missing_model_error(&s.model, ctx, at.span))?;
    let df = crate::mltk::table::summary(&model.density)
        .map_err(|e| ctx.polars_error("summary", at.span, e))?;
    Ok(df.lazy())
}

runs_execute!(Summary);

impl crate::commands::SplCommand for Summary {
    const DOC: &'static str = "Describe a trained machine-learning model (Splunk MLTK): one result per DensityFunction group.";
    const OPTIONS: Option<&'static [&'static str]> = Some(&[]);
    const EXAMPLES: &'static [crate::commands::Example] = &[crate::commands::Example {
        description: "a normal density per group: its size, mean and standard deviation",
        search: "| fit DensityFunction n by g dist=norm into summary_example_model | where 1=2 | append [| summary summary_example_model] | table g type cardinality mean std",
        input: "n,g\n1,a\n3,a\n10,b\n20,b\n30,b\n",
        output: "g,type,cardinality,mean,std\na,Normal,2,2,1\nb,Normal,3,20,8.16496580927726\n",
    }];

    fn options(&self) -> &[crate::syntax::ast::Opt] {
        &self.options
    }

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        crate::mltk::model_name(&self.model).map_err(|e| cx.error(e, c.span))?;
        cx.generator(self.clone(), c, input)
    }
}

#[cfg(test)]
mod tests {

    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| summary cloud_excessive_api_calls_v1");
        let CommandKind::Summary(x) = c.kind else {
            panic!("not summary: {c:?}")
        };
        assert_eq!(x.model, "cloud_excessive_api_calls_v1");
    }
}

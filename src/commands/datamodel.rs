//! `datamodel`: the `datamodel` generating command: a data model, dataset and action.

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// The `datamodel` generating command: a data model, dataset and action.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Datamodel {
    pub args: Vec<String>,
    pub options: Vec<Opt>,
}

impl Datamodel {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Datamodel> {
        let parts = Parts::of(p)?;
        Ok(Datamodel {
            args: parts.fields,
            options: parts.options,
        })
    }
}

impl crate::commands::SplCommand for Datamodel {
    const DOC: &'static str = "The `datamodel` generating command: `datamodel <model> <dataset> search` (or `flat`) returns the dataset's events, as `from datamodel:<model>.<dataset>`.";
    const OPTIONS: Option<&'static [&'static str]> = Some(&[]);

    fn options(&self) -> &[Opt] {
        &self.options
    }

    fn lower(
        &self,
        c: &crate::syntax::ast::Command,
        input: crate::plan::Node,
        cx: &mut crate::commands::Lower,
    ) -> Result<crate::plan::Node, crate::diagnostic::Diagnostic> {
        // Search Reference, datamodel: "datamodel [<data model name>] [<dataset name>]
        // [<data model search mode>]"; the modes `search` and `flat` run the dataset's search
        // (`flat` without the dataset prefix on field names). Without a mode it returns the
        // model's JSON description, which spelunk does not produce.
        let [model, dataset, mode] = self.args.as_slice() else {
            return Err(cx.error(
                "`datamodel` without a dataset and a search mode returns the data model's JSON description, which spelunk does not produce; use `datamodel <model> <dataset> search`",
                c.span,
            ));
        };
        let mode = mode.to_ascii_lowercase();
        if mode != "search" && mode != "flat" {
            return Err(cx.error(
                format!("`datamodel ... {mode}`: spelunk runs the search modes `search` and `flat` (acceleration_search and the others are not supported)"),
                c.span,
            ));
        }
        let from = super::from::From {
            kind: "datamodel".into(),
            name: format!("{model}.{dataset}"),
        };
        let node = crate::commands::SplCommand::lower(&from, c, input, cx)?;
        if mode == "search" {
            return Ok(node);
        }
        let leaf = dataset.rsplit('.').next().unwrap_or(dataset);
        Ok(cx.node(
            crate::plan::Op::Rename {
                input: Box::new(node),
                pairs: vec![(format!("{leaf}.*"), "*".to_string())],
            },
            c,
        ))
    }
}

#[cfg(test)]
mod tests {

    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| datamodel Endpoint Processes search");
        let CommandKind::Datamodel(x) = c.kind else {
            panic!("not datamodel: {c:?}")
        };
        assert_eq!(x.args, vec!["Endpoint", "Processes", "search"]);
    }
}

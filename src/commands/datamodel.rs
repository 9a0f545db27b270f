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

unsupported_command!(
    Datamodel,
    "The `datamodel` generating command: a data model, dataset and action."
);

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

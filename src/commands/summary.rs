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

unsupported_command!(
    Summary,
    "Describe a trained machine-learning model (Splunk MLTK)."
);

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

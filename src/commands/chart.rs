//! `chart`: aggregations over one field (`OVER`) split by another (`BY`).

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `chart` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    pub options: Vec<Opt>,
    pub aggregates: Vec<Aggregate>,
    pub over: Option<String>,
    pub by: Vec<String>,
}

impl Chart {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Chart> {
        let parts = Parts::of(p)?;
        Ok(Chart {
            over: parts.fields.first().cloned(),
            options: parts.options,
            aggregates: parts.aggregates,
            by: parts.by,
        })
    }
}

unsupported_command!(
    Chart,
    "Aggregations over one field (`OVER`) split by another (`BY`)."
);

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn over_and_by() {
        let CommandKind::Chart(c) = parse_command("| chart count over host by user").kind else {
            panic!()
        };
        assert_eq!(c.over.as_deref(), Some("host"));
        assert_eq!(c.by, vec!["user"]);
    }
}

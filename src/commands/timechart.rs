//! `timechart`: aggregations over time buckets (`span=`), split by a field.

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Aggregations over time buckets (`span=`), split by a field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timechart {
    pub options: Vec<Opt>,
    pub aggregates: Vec<Aggregate>,
    pub by: Vec<String>,
}

impl Timechart {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Timechart> {
        let parts = Parts::of(p)?;
        Ok(Timechart {
            options: parts.options,
            aggregates: parts.aggregates,
            by: parts.by,
        })
    }
}

#[cfg(test)]
mod tests {
    #[allow(unused_imports)]
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| timechart limit=0 span=5m count by host");
        let CommandKind::Timechart(x) = c.kind else {
            panic!("not timechart: {c:?}")
        };
        assert_eq!(x.options.get_opt("span"), Some("5m"));
        assert_eq!(x.aggregates[0].func, "count");
        assert_eq!(x.by, vec!["host"]);
    }
}

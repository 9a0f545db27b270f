//! `mstats`: aggregate metric data points: `mstats <aggs> WHERE <search> BY <fields> [span=]`.

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Aggregate metric data points: `mstats <aggs> WHERE <search> BY <fields> [span=]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mstats {
    pub options: Vec<Opt>,
    pub aggregates: Vec<Aggregate>,
    pub where_clause: Option<SearchExpr>,
    pub by: Vec<String>,
}

impl Mstats {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Mstats> {
        let parts = Parts::of(p)?;
        let mut where_clause = None;
        for c in &parts.rest {
            if c.as_rule() == Rule::tstats_where {
                where_clause = Some(search_expr(&child(c, Rule::ts_expr)?)?);
            }
        }
        Ok(Mstats {
            options: parts.options,
            aggregates: parts.aggregates,
            where_clause,
            by: parts.by,
        })
    }
}

unsupported_command!(
    Mstats,
    "Aggregate metric data points: `mstats <aggs> WHERE <search> BY <fields> [span=]`."
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| mstats avg(tcp.*) as tcp.* where index=kubernetes_metrics AND earliest=-1h by k8s.cluster.name span=10s");
        let CommandKind::Mstats(x) = c.kind else {
            panic!("not mstats: {c:?}")
        };
        assert_eq!(x.aggregates[0].alias.as_deref(), Some("tcp.*"));
        assert_eq!(x.by, vec!["k8s.cluster.name"]);
        assert_eq!(x.options.get_opt("span"), Some("10s"));
        assert!(x.where_clause.is_some());
    }
}

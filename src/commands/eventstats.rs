//! `eventstats`: add aggregates of all results (or of each `BY` group) to every result.

#[allow(unused_imports)]
use super::parts::Parts;
use super::stats::StatsArgs;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// An `eventstats` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Eventstats {
    #[serde(flatten)]
    pub args: StatsArgs,
}

impl Eventstats {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Eventstats> {
        Ok(Eventstats {
            args: StatsArgs::build(p)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses() {
        let c = parse_command("| eventstats avg(x) as a, stdev(x) as s by dest");
        let CommandKind::Eventstats(s) = c.kind else {
            panic!()
        };
        assert_eq!(s.args.aggregates.len(), 2);
        assert_eq!(s.args.by, vec!["dest"]);
    }
}

use crate::diagnostic::Diagnostic;
#[allow(unused_imports)]
use crate::exec::{schema_of, Context};
#[allow(unused_imports)]
use crate::syntax::ast::Command;
#[allow(unused_imports)]
use polars::prelude::{
    col, lit, DataType, IntoLazy, LazyFrame, SortMultipleOptions, UniqueKeepStrategy, NULL,
};
use polars::prelude::{JoinArgs, JoinType};

/// Run `eventstats`: compute the aggregates over all results (or per `BY` group) and add them to
/// every result; results whose BY field is null get no values.
pub(crate) fn execute(
    lf: LazyFrame,
    e: &Eventstats,
    c: &Command,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let (mut lf, evaluated) =
        crate::exec::aggregate::materialize_eval_args(lf, &e.args.aggregates, "eventstats", ctx)?;
    let schema = schema_of(&mut lf, "eventstats", c.span, ctx)?;
    let by = &e.args.by;
    let mut exprs = Vec::new();
    let aggs = crate::exec::aggregate::expand_wildcards(&evaluated, &schema, &e.args.by);
    for a in &aggs {
        exprs.push(
            crate::exec::aggregate::agg_expr(a, &schema, ctx, !by.is_empty())?
                .alias(a.output_name().as_str()),
        );
    }
    if exprs.is_empty() || by.iter().any(|b| !schema.contains(b)) {
        // No result has a complete group key: nothing is added.
        return Ok(lf);
    }
    if by.is_empty() {
        // Aggregates broadcast to every result.
        return Ok(lf.with_columns(exprs));
    }
    let aggregated = {
        let keys: Vec<_> = by.iter().map(|b| col(b.as_str())).collect();
        let mut grouped = lf.clone();
        for b in by {
            grouped = grouped.filter(col(b.as_str()).is_not_null());
        }
        grouped.group_by(keys).agg(exprs)
    };
    // New values replace fields of the same name.
    let names: Vec<String> = e
        .args
        .aggregates
        .iter()
        .map(|a| a.output_name())
        .filter(|n| schema.contains(n) && !by.contains(n))
        .collect();
    let base = if names.is_empty() {
        lf
    } else {
        lf.drop(polars::prelude::cols(names))
    };
    let on: Vec<_> = by.iter().map(|b| col(b.as_str())).collect();
    Ok(base.join(aggregated, on.clone(), on, JoinArgs::new(JoinType::Left)))
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn adds_group_aggregates_to_every_row() {
        let df =
            df!("dest" => [Some("a"), Some("a"), Some("b"), None], "n" => [1.0f64, 3.0, 10.0, 7.0])
                .unwrap();
        let out =
            crate::exec::testing::run_on(df.clone(), "| eventstats avg(n) as avg count by dest");
        assert_eq!(out.height(), 4);
        let avg = out.column("avg").unwrap().f64().unwrap();
        assert_eq!(avg.get(0), Some(2.0));
        assert_eq!(avg.get(2), Some(10.0));
        assert_eq!(avg.get(3), None);
        let out = crate::exec::testing::run_on(df, "| eventstats max(n) as m");
        assert_eq!(out.column("m").unwrap().f64().unwrap().get(3), Some(10.0));
    }
}

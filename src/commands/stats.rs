//! `stats`: aggregate the results, one row per distinct `BY` tuple (sorted by it).

use super::parts::Parts;
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Aggregations, `BY` fields and options: shared by `stats`, `eventstats` and `streamstats`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsArgs {
    pub options: Vec<Opt>,
    pub aggregates: Vec<Aggregate>,
    pub by: Vec<String>,
}

impl StatsArgs {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<StatsArgs> {
        let parts = Parts::of(p)?;
        Ok(StatsArgs {
            options: parts.options,
            aggregates: parts.aggregates,
            by: parts.by,
        })
    }
}

/// A `stats` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    #[serde(flatten)]
    pub args: StatsArgs,
}

impl Stats {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Stats> {
        Ok(Stats {
            args: StatsArgs::build(p)?,
        })
    }
}

use crate::commands::{Lower, SplCommand};
use crate::plan::{AggCall, AggInput, NullGroups};
use crate::plan::{Node, Op};

/// The plan's aggregates for the syntax tree's (eval arguments lowered and checked).
pub(crate) fn agg_calls(
    aggs: &[Aggregate],
    cx: &Lower,
) -> Result<Vec<AggCall>, crate::diagnostic::Diagnostic> {
    agg_calls_reading(aggs, cx, false)
}

/// [`agg_calls`]; `prefix_columns`: the input has the `PREFIX(...)` columns of `tstats`.
pub(crate) fn agg_calls_reading(
    aggs: &[Aggregate],
    cx: &Lower,
    prefix_columns: bool,
) -> Result<Vec<AggCall>, crate::diagnostic::Diagnostic> {
    aggs.iter()
        .map(|a| {
            use crate::plan::functions::{check_call, FunctionClass};
            if let Some(AggArg::Field(f)) = a.arg.as_ref().filter(|_| !prefix_columns) {
                if f.get(..7).is_some_and(|h| h.eq_ignore_ascii_case("prefix(")) {
                    return Err(cx.error(
                        "PREFIX() is a `tstats` directive (the raw terms of events)",
                        a.span,
                    ));
                }
            }
            if a.func == "eval" {
                return Err(cx.error(
                    "`eval(...)` over aggregations is documented for `chart` and `timechart` only (Search Reference); aggregate, then `eval`",
                    a.span,
                ));
            }
            check_call(&a.func, FunctionClass::Stats, usize::from(a.arg.is_some()))
                .map_err(|d| d.at(cx.text, a.span).origin("expanded search"))?;
            Ok(AggCall {
                func: a.func.clone(),
                arg: match &a.arg {
                    None => None,
                    Some(AggArg::Field(f)) => Some(AggInput::Field(f.clone())),
                    Some(AggArg::Eval(e, text)) => {
                        Some(AggInput::Eval(cx.scalar(e)?, text.clone()))
                    }
                },
                alias: a.alias.clone(),
                span: a.span,
            })
        })
        .collect()
}

/// The hidden column of the `i`th aggregation inside an `eval(...)` term.
fn eval_agg_column(i: usize) -> String {
    format!("__spelunk_evalagg_{i}")
}

/// The aggregations of `chart`/`timechart`, whose terms may be `eval(<expression over
/// aggregations>) [AS name]` (Search Reference, `chart`: `chart eval(avg(size)/max(delay)) AS
/// ratio BY host user`; `timechart`: `timechart span=1m eval(avg(CPU) * avg(MEM)) BY host`).
/// Each call of a statistical function with at most one field argument inside the expression
/// is computed as a hidden aggregate; the expression is then evaluated over the aggregated row.
/// Returns the aggregate calls, the assignments to compute after the aggregation, and the
/// hidden columns to drop.
pub(crate) type EvalAggregates = (
    Vec<AggCall>,
    Vec<(String, crate::plan::Scalar)>,
    Vec<String>,
);

pub(crate) fn agg_calls_with_eval(
    aggs: &[Aggregate],
    cx: &Lower,
) -> Result<EvalAggregates, crate::diagnostic::Diagnostic> {
    use crate::syntax::ast::EvalExpr;
    let mut plain: Vec<Aggregate> = Vec::new();
    let mut computes = Vec::new();
    let mut hidden = Vec::new();
    // Replace each aggregation call in `e` by its hidden column.
    fn rewrite(
        e: &EvalExpr,
        plain: &mut Vec<Aggregate>,
        hidden: &mut Vec<String>,
        cx: &Lower,
    ) -> Result<EvalExpr, crate::diagnostic::Diagnostic> {
        Ok(match e {
            EvalExpr::Call { name, args, span }
                if args.len() <= 1
                    && crate::plan::functions::stats_function(name).is_some()
                    && !(args.is_empty()
                        && crate::plan::functions::eval_function(name).is_some()) =>
            {
                let arg = match args.first() {
                    None => None,
                    Some(EvalExpr::Field(f)) => Some(AggArg::Field(f.clone())),
                    Some(_) => {
                        return Err(cx.error(
                            format!("`{name}(...)` inside `eval(...)` takes a field name"),
                            *span,
                        ))
                    }
                };
                let col = eval_agg_column(hidden.len());
                hidden.push(col.clone());
                plain.push(Aggregate {
                    func: name.clone(),
                    arg,
                    alias: Some(col.clone()),
                    span: *span,
                });
                EvalExpr::Field(col)
            }
            EvalExpr::Call { name, args, span } => EvalExpr::Call {
                name: name.clone(),
                args: args
                    .iter()
                    .map(|a| rewrite(a, plain, hidden, cx))
                    .collect::<Result<_, _>>()?,
                span: *span,
            },
            EvalExpr::Neg(x) => EvalExpr::Neg(Box::new(rewrite(x, plain, hidden, cx)?)),
            EvalExpr::Not(x) => EvalExpr::Not(Box::new(rewrite(x, plain, hidden, cx)?)),
            EvalExpr::Binary { op, lhs, rhs } => EvalExpr::Binary {
                op: *op,
                lhs: Box::new(rewrite(lhs, plain, hidden, cx)?),
                rhs: Box::new(rewrite(rhs, plain, hidden, cx)?),
            },
            EvalExpr::In { expr, list } => EvalExpr::In {
                expr: Box::new(rewrite(expr, plain, hidden, cx)?),
                list: list
                    .iter()
                    .map(|a| rewrite(a, plain, hidden, cx))
                    .collect::<Result<_, _>>()?,
            },
            other => other.clone(),
        })
    }
    for a in aggs {
        match (&a.func[..], &a.arg) {
            ("eval", Some(AggArg::Eval(e, _))) => {
                let before = hidden.len();
                let e = rewrite(e, &mut plain, &mut hidden, cx)?;
                if hidden.len() == before {
                    return Err(cx.error(
                        "`eval(...)` here is an expression over aggregations (`eval(avg(x)/max(y))`); it holds none",
                        a.span,
                    ));
                }
                computes.push((a.output_name(), cx.scalar(&e)?));
            }
            _ => plain.push(a.clone()),
        }
    }
    Ok((agg_calls(&plain, cx)?, computes, hidden))
}

/// The aggregated rows with the `eval(...)` terms computed and their hidden columns dropped.
pub(crate) fn eval_after_aggregate(
    grouped: Node,
    computes: Vec<(String, crate::plan::Scalar)>,
    hidden: Vec<String>,
    c: &Command,
    cx: &mut Lower,
) -> Node {
    if computes.is_empty() {
        return grouped;
    }
    let computed = cx.node(
        Op::Compute {
            input: Box::new(grouped),
            assignments: computes,
        },
        c,
    );
    cx.node(
        Op::Project {
            input: Box::new(computed),
            patterns: hidden,
            mode: crate::plan::ProjectMode::Remove,
        },
        c,
    )
}

impl SplCommand for Stats {
    const DOC: &'static str = "Aggregate the results: one row per distinct BY tuple (sorted by it), BY fields then aggregates; rows with a null BY field are dropped.";
    // `partitions=` only spreads work in Splunk.
    const OPTIONS: Option<&'static [&'static str]> = Some(&["partitions"]);

    fn options(&self) -> &[Opt] {
        &self.args.options
    }

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        Ok(cx.node(
            Op::Aggregate {
                input: Box::new(input),
                aggregates: agg_calls(&self.args.aggregates, cx)?,
                by: self.args.by.clone(),
                nulls: NullGroups::Drop,
                span: None,
            },
            c,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn aggregates_with_eval_alias_and_by() {
        let c = parse_command(
            r#"| stats count min(_time) as firstTime, values(eval(if(x=="a",y,null()))) as v dc("DNS.answer") by user, dest"#,
        );
        let CommandKind::Stats(s) = c.kind else {
            panic!()
        };
        let a = &s.args.aggregates;
        assert_eq!(a.len(), 4);
        assert_eq!(a[0].output_name(), "count");
        assert_eq!(a[1].output_name(), "firstTime");
        assert!(matches!(a[2].arg, Some(AggArg::Eval(..))));
        assert_eq!(a[3].output_name(), "dc(DNS.answer)");
        assert_eq!(s.args.by, vec!["user", "dest"]);
    }

    #[test]
    fn trailing_commas_are_accepted() {
        let c = parse_command(
            "| stats count min(_time) as firstTime, max(_time) as lastTime, by Id,Operation",
        );
        let CommandKind::Stats(s) = c.kind else {
            panic!()
        };
        assert_eq!(s.args.by, vec!["Id", "Operation"]);
    }
}

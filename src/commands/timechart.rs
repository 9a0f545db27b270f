//! `timechart`: aggregations over time buckets (`span=`), split by a field.

use super::parts::Parts;
use crate::commands::Lower;
use crate::plan::Node;
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
    /// `WHERE max in top5` after the split field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series_where: Option<super::parts::SeriesWhere>,
}

impl Timechart {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Timechart> {
        let parts = Parts::of(p)?;
        Ok(Timechart {
            options: parts.options,
            aggregates: parts.aggregates,
            by: parts.by,
            series_where: parts.series_where,
        })
    }
}

/// `timechart`'s second step: the grouped rows pivoted into one column per series, every time
/// bucket from the first to the last (the first step is an Aggregate BY `_time` and the split
/// field).
#[derive(Debug)]
pub struct TimechartPivot(Timechart);

impl crate::plan::operator::Operator for TimechartPivot {
    fn describe(&self) -> String {
        format!(
            "one column per series{}",
            self.0
                .by
                .first()
                .map(|b| format!(" of {b}"))
                .unwrap_or_default()
        )
    }

    fn run(&self, input: LazyFrame, at: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
        execute(input, &self.0, at, ctx)
    }
}

impl crate::commands::SplCommand for Timechart {
    const DOC: &'static str = "Aggregations over time buckets (`span=`, default 1h), split by a field into one column per value (`limit=`).";
    const OPTIONS: Option<&'static [&'static str]> = Some(&[
        "span",
        "limit",
        "useother",
        "otherstr",
        "usenull",
        "nullstr",
        "aligntime",
    ]);

    fn options(&self) -> &[Opt] {
        &self.options
    }

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        let span = self.options.get_opt("span").unwrap_or("1h").to_string();
        if crate::frame::aggregate::span_seconds(&span).is_none_or(|s| s <= 0.0) {
            return Err(cx.error(format!("invalid span `{span}`"), c.span));
        }
        if self.by.len() > 1 {
            return Err(cx.error(
                "`timechart` with more than one BY field is not supported",
                c.span,
            ));
        }
        let has_eval = self.aggregates.iter().any(|a| a.func == "eval");
        if has_eval && self.by.is_empty() {
            // Search Reference, `timechart`: "If you use an eval expression, the split-by
            // clause is required."
            return Err(cx.error(
                "`timechart` with an `eval(...)` expression needs a BY clause (Search Reference: \"If you use an eval expression, the split-by clause is required\")",
                c.span,
            ));
        }
        if let Some(w) = &self.series_where {
            if self.by.is_empty() {
                return Err(cx.error(
                    "the where clause of `timechart` selects series of the BY field; there is none",
                    w.span,
                ));
            }
            w.check().map_err(|m| cx.error(m, w.span))?;
        }
        let align = match self.options.get_opt("aligntime") {
            Some(a) => aligntime(a, &span).map_err(|m| cx.error(m, c.span))?,
            None => None,
        };
        let mut input = input;
        let mut by = vec!["_time".to_string()];
        if let Some(a) = &align {
            // Bins start at `a + k*span`: `_time - a` is binned from epoch 0, then `a` added
            // back. The offset is a BY field of the aggregate (one value) so that it survives it.
            input = align_before(input, a, c, cx);
            by.push(ALIGN.to_string());
        }
        by.extend(self.by.iter().cloned());
        let (aggregates, computes, hidden) =
            super::stats::agg_calls_with_eval(&self.aggregates, cx)?;
        // `usenull=t` (the default): results without the split field form the series `NULL`
        // (`nullstr=`); they are grouped under a mark the pivot recognises.
        let nulls = if !self.by.is_empty() && usenull(&self.options) {
            crate::plan::NullGroups::Fill(NULL_MARK.into())
        } else {
            crate::plan::NullGroups::Drop
        };
        let grouped = cx.node(
            crate::plan::Op::Aggregate {
                input: Box::new(input),
                aggregates,
                by,
                nulls,
                span: Some(span),
            },
            c,
        );
        let grouped = super::stats::eval_after_aggregate(grouped, computes, hidden, c, cx);
        let grouped = if align.is_some() {
            align_after(grouped, c, cx)
        } else {
            grouped
        };
        Ok(cx.opaque(TimechartPivot(self.clone()), c, grouped))
    }
}

/// The split value of results without the split field, between the aggregate and the pivot.
const NULL_MARK: &str = "\u{0}spelunk-timechart-null\u{0}";
/// The column holding the bins' alignment between the aggregate and the pivot.
const ALIGN: &str = "__spelunk_aligntime";

/// `usenull=` (default true).
fn usenull(options: &[Opt]) -> bool {
    options
        .get_opt("usenull")
        .map(crate::commands::is_true)
        .unwrap_or(true)
}

/// Where `aligntime=` puts the bins.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Align {
    /// The search's earliest time: spelunk searches a replayed dataset over its own time range,
    /// so the first result's `_time`.
    Earliest,
    /// The search's latest time (exclusive): one second after the last result's `_time`.
    Latest,
    /// A time specifier: an epoch time, or a relative time modifier from now (`@d+3h`).
    Spec(String),
}

/// Read `aligntime=` for a `span=`: `None` when the span is in days or longer, where the Search
/// Reference (`bin`, `timechart`: "Ignored if span is in days, months, or years") ignores it.
pub(crate) fn aligntime(value: &str, span: &str) -> Result<Option<Align>, String> {
    let unit: String = span
        .trim()
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
        .to_ascii_lowercase();
    if matches!(
        unit.as_str(),
        "d" | "day"
            | "days"
            | "w"
            | "week"
            | "weeks"
            | "mon"
            | "month"
            | "months"
            | "y"
            | "yr"
            | "yrs"
            | "year"
            | "years"
            | "q"
            | "qtr"
            | "qtrs"
            | "quarter"
            | "quarters"
    ) {
        return Ok(None);
    }
    let v = value.trim();
    Ok(Some(match v.to_ascii_lowercase().as_str() {
        "earliest" => Align::Earliest,
        "latest" => Align::Latest,
        _ if v.parse::<f64>().is_ok() => Align::Spec(v.to_string()),
        _ if crate::expr::time::relative_time(0.0, v, &chrono_tz::UTC).is_some() => {
            Align::Spec(v.to_string())
        }
        _ => {
            return Err(format!(
                "invalid `aligntime={v}`: earliest, latest, an epoch time or a relative time specifier such as @d+3h"
            ))
        }
    }))
}

/// The plan steps before the aggregate: the alignment as a column, `_time` made relative to it.
fn align_before(input: Node, a: &Align, c: &Command, cx: &mut Lower) -> Node {
    use crate::plan::{AggCall, AggInput, Op, Scalar};
    let span = c.span;
    let call = |name: &str, args: Vec<Scalar>| Scalar::Call {
        name: name.to_string(),
        args,
        span,
    };
    let num = |v: f64| Scalar::Num {
        value: v,
        text: crate::frame::format_number(v),
    };
    let input = match a {
        Align::Earliest | Align::Latest => cx.node(
            Op::Window {
                input: Box::new(input),
                aggregates: vec![AggCall {
                    func: if *a == Align::Earliest { "min" } else { "max" }.to_string(),
                    arg: Some(AggInput::Field("_time".into())),
                    alias: Some(ALIGN.into()),
                    span,
                }],
                by: vec![],
                frame: crate::plan::WindowFrame::All,
            },
            c,
        ),
        Align::Spec(_) => input,
    };
    let offset = match a {
        Align::Earliest => Scalar::Field(ALIGN.into()),
        Align::Latest => Scalar::Binary {
            op: BinOp::Add,
            lhs: Box::new(Scalar::Field(ALIGN.into())),
            rhs: Box::new(num(1.0)),
        },
        Align::Spec(s) => match s.parse::<f64>() {
            Ok(v) => num(v),
            Err(_) => call(
                "relative_time",
                vec![call("now", vec![]), Scalar::Str(s.clone())],
            ),
        },
    };
    cx.node(
        Op::Compute {
            input: Box::new(input),
            assignments: vec![
                (ALIGN.to_string(), offset),
                (
                    "_time".to_string(),
                    Scalar::Binary {
                        op: BinOp::Sub,
                        lhs: Box::new(Scalar::Field("_time".into())),
                        rhs: Box::new(Scalar::Field(ALIGN.into())),
                    },
                ),
            ],
        },
        c,
    )
}

/// The plan steps after the aggregate: the alignment added back to each bin's start.
fn align_after(grouped: Node, c: &Command, cx: &mut Lower) -> Node {
    use crate::plan::{Op, Scalar};
    let computed = cx.node(
        Op::Compute {
            input: Box::new(grouped),
            assignments: vec![(
                "_time".to_string(),
                Scalar::Binary {
                    op: BinOp::Add,
                    lhs: Box::new(Scalar::Field("_time".into())),
                    rhs: Box::new(Scalar::Field(ALIGN.into())),
                },
            )],
        },
        c,
    );
    cx.node(
        Op::Project {
            input: Box::new(computed),
            patterns: vec![ALIGN.to_string()],
            mode: crate::plan::ProjectMode::Remove,
        },
        c,
    )
}

#[cfg(test)]
mod tests {
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

use crate::diagnostic::Diagnostic;
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::{Column, DataFrame};
use polars::prelude::{IntoLazy, LazyFrame};

/// Run `timechart`: the aggregates per `span=` time bucket (default `1h`), every bucket from
/// the first to the last present (counts of empty buckets are 0). With `BY`, one column per value
/// of the field (`<aggregate>: <value>` when there are several aggregates); `limit=N` keeps the
/// N largest series (default 10, `0` for all) and sums the rest into `OTHER`.
fn execute(lf: LazyFrame, t: &Timechart, c: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    let span = t.options.get_opt("span").unwrap_or("1h").to_string();
    let secs = crate::frame::aggregate::span_seconds(&span)
        .filter(|s| *s > 0.0)
        .ok_or_else(|| ctx.error(format!("invalid span `{span}`"), c.span))?;
    if t.by.len() > 1 {
        return Err(ctx.error(
            "`timechart` with more than one BY field is not supported",
            c.span,
        ));
    }
    let grouped = lf
        .collect()
        .map_err(|e| ctx.polars_error("timechart", c.span, e))?;
    let names: Vec<String> = t.aggregates.iter().map(|a| a.output_name()).collect();
    let times: Vec<f64> = grouped
        .column("_time")
        .ok()
        .and_then(|c| c.f64().ok().map(|ca| ca.iter().flatten().collect()))
        .unwrap_or_default();
    let (lo, hi) = match (
        times.iter().cloned().reduce(f64::min),
        times.iter().cloned().reduce(f64::max),
    ) {
        (Some(a), Some(b)) => (a, b),
        _ => return Ok(grouped.lazy()),
    };
    let buckets: Vec<f64> = (0..=((hi - lo) / secs).round() as usize)
        .map(|i| lo + i as f64 * secs)
        .collect();
    let index: std::collections::HashMap<i64, usize> = buckets
        .iter()
        .enumerate()
        .map(|(i, b)| (bucket_key(*b), i))
        .collect();
    let is_count = |a: &crate::syntax::ast::Aggregate| {
        matches!(a.func.as_str(), "count" | "c" | "dc" | "distinct_count")
    };
    let cell = |col: &Column, i: usize| crate::frame::values_at(col, i).into_iter().next();
    // series name -> values per bucket
    let mut series: Vec<TcSeries> = Vec::new();
    let split_values: Vec<Option<String>> = match t.by.first() {
        Some(b) => (0..grouped.height())
            .map(|i| grouped.column(b).ok().and_then(|c| cell(c, i)))
            .collect(),
        None => vec![None; grouped.height()],
    };
    for (a, name) in t.aggregates.iter().zip(&names) {
        let Ok(values) = grouped.column(name) else {
            continue;
        };
        for (row, split) in split_values.iter().enumerate() {
            let label = match split {
                None => name.clone(),
                Some(v) if names.len() > 1 => format!("{name}: {v}"),
                Some(v) => v.clone(),
            };
            let slot = match series.iter().position(|s| s.0 == label) {
                Some(p) => p,
                None => {
                    series.push((label, is_count(a), vec![None; buckets.len()]));
                    series.len() - 1
                }
            };
            if let Some(&b) = grouped
                .column("_time")
                .ok()
                .and_then(|c| cell(c, row))
                .and_then(|t| t.parse::<f64>().ok())
                .and_then(|t| index.get(&bucket_key(t)))
            {
                series[slot].2[b] = cell(values, row);
            }
        }
    }
    // The NULL series (results without the split field, `usenull=t`) is named by `nullstr=`.
    let nullstr = t.options.get_opt("nullstr").unwrap_or("NULL").to_string();
    let null_label = |l: &str| -> Option<String> {
        if l == NULL_MARK {
            Some(nullstr.clone())
        } else {
            l.strip_suffix(NULL_MARK).map(|p| format!("{p}{nullstr}"))
        }
    };
    let null_labels: Vec<String> = series
        .iter()
        .filter_map(|s| null_label(&s.0).map(|_| s.0.clone()))
        .collect();
    let useother = t
        .options
        .get_opt("useother")
        .map(crate::commands::is_true)
        .unwrap_or(true);
    let otherstr = t.options.get_opt("otherstr").unwrap_or("OTHER").to_string();
    let mut other: Option<TcSeries> = None;
    // The where clause replaces `limit=` (Search Reference: "These options are ignored if you
    // specify an explicit where-clause"): the series that fail it are summed into OTHER.
    let series_where = t.series_where.as_ref().filter(|_| !t.by.is_empty());
    if let Some(w) = series_where {
        let numeric: Vec<(&str, Vec<Option<f64>>)> = series
            .iter()
            .map(|s| {
                let vals =
                    s.2.iter()
                        .map(|v| {
                            v.as_deref().and_then(|v| v.parse::<f64>().ok()).or(if s.1 {
                                Some(0.0)
                            } else {
                                None
                            })
                        })
                        .collect();
                (s.0.as_str(), vals)
            })
            .collect();
        let keep = w.keep(&numeric);
        let mut kept = Vec::new();
        let mut rest = Vec::new();
        for (s, k) in series.into_iter().zip(keep) {
            if k {
                kept.push(s);
            } else {
                rest.push(s);
            }
        }
        series = kept;
        if useother && !rest.is_empty() {
            other = Some(other_series(&rest, buckets.len(), &otherstr));
        }
    }
    let limit: usize = match t.options.get_opt("limit") {
        Some(v) => v
            .parse()
            .map_err(|_| ctx.error(format!("invalid limit `{v}`"), c.span))?,
        None => 10,
    };
    if series_where.is_none() && !t.by.is_empty() && limit > 0 && series.len() > limit {
        let total = |s: &(String, bool, Vec<Option<String>>)| {
            s.2.iter()
                .flatten()
                .filter_map(|v| v.parse::<f64>().ok())
                .sum::<f64>()
        };
        series.sort_by(|a, b| total(b).total_cmp(&total(a)));
        let rest = series.split_off(limit);
        if useother {
            other = Some(other_series(&rest, buckets.len(), &otherstr));
        }
    }
    // The NULL series comes after the others, before OTHER.
    let (nulls, mut series): (Vec<_>, Vec<_>) =
        series.into_iter().partition(|s| null_labels.contains(&s.0));
    series.extend(nulls);
    series.extend(other);
    let mut columns = vec![Column::new("_time".into(), buckets.clone())];
    for (label, count, vals) in series {
        let label = null_label(&label).unwrap_or(label);
        let vals: Vec<Option<f64>> = vals
            .iter()
            .map(|v| {
                v.as_deref()
                    .and_then(|v| v.parse::<f64>().ok())
                    .or(if count { Some(0.0) } else { None })
            })
            .collect();
        columns.push(Column::new(label.as_str().into(), vals));
    }
    let out = DataFrame::new_infer_height(columns)
        .map_err(|e| ctx.polars_error("timechart", c.span, e))?;
    Ok(out.lazy())
}

/// A bucket's start as a map key (milliseconds: aligned bins need not start on a whole second).
fn bucket_key(t: f64) -> i64 {
    (t * 1000.0).round() as i64
}

/// A series: its label, whether empty buckets read 0 (a count), its value per bucket.
type TcSeries = (String, bool, Vec<Option<String>>);

/// The series beyond `limit=` (or failing the where clause) summed per bucket into OTHER.
fn other_series(rest: &[TcSeries], buckets: usize, label: &str) -> TcSeries {
    let mut other = vec![0.0f64; buckets];
    for s in rest {
        for (i, v) in s.2.iter().enumerate() {
            other[i] += v
                .as_deref()
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0);
        }
    }
    (
        label.to_string(),
        true,
        other
            .into_iter()
            .map(|x| Some(crate::frame::format_number(x)))
            .collect(),
    )
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn buckets_with_zero_fill_and_split() {
        let df = df!("_time" => [0.0f64, 10.0, 700.0, 30.0], "h" => ["a", "b", "a", "a"]).unwrap();
        let out = crate::testkit::run_on(df.clone(), "| timechart span=5m count");
        let counts: Vec<f64> = out
            .column("count")
            .unwrap()
            .f64()
            .unwrap()
            .no_null_iter()
            .collect();
        assert_eq!(counts, vec![3.0, 0.0, 1.0]);
        let out = crate::testkit::run_on(df, "| timechart span=5m count by h");
        let names: Vec<&str> = out.get_column_names().iter().map(|s| s.as_str()).collect();
        assert_eq!(names, vec!["_time", "a", "b"]);
        assert_eq!(out.column("b").unwrap().f64().unwrap().get(2), Some(0.0));
    }
}

//! `chart`: aggregations over one field (`OVER`) split by another (`BY`).

use super::parts::Parts;
use crate::commands::Lower;
use crate::plan::Node;
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
    /// `WHERE max in top5` after the column split.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series_where: Option<super::parts::SeriesWhere>,
}

impl Chart {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Chart> {
        let parts = Parts::of(p)?;
        Ok(Chart {
            over: parts.fields.first().cloned(),
            options: parts.options,
            aggregates: parts.aggregates,
            by: parts.by,
            series_where: parts.series_where,
        })
    }

    /// The row split (`OVER x`, or the first `BY` field) and the column split (`OVER x BY y`, or
    /// the second `BY` field).
    fn splits(&self) -> (Option<&str>, Option<&str>) {
        match &self.over {
            Some(o) => (Some(o.as_str()), self.by.first().map(String::as_str)),
            None => (
                self.by.first().map(String::as_str),
                self.by.get(1).map(String::as_str),
            ),
        }
    }
}

use crate::diagnostic::Diagnostic;
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::{Column, DataFrame, IntoLazy, LazyFrame};

/// What the aggregation writes for a null column-split value, so that the pivot can tell it from
/// a real value (the aggregation fills every null split value with it; results whose row split
/// is null are then dropped, as `stats` drops them).
const NULL_MARK: &str = "\u{0}spelunk-chart-null\u{0}";

/// `chart`'s second step: the grouped rows (by the row split and the column split) pivoted into
/// one column per value of the column split.
#[derive(Debug)]
pub struct ChartPivot(Chart);

/// A series: its column name and its value per row.
type Series = (String, Vec<Option<String>>);

fn number(v: &Option<String>) -> Option<f64> {
    v.as_deref().and_then(|v| v.trim().parse::<f64>().ok())
}

/// The `limit=` option: how many series to keep and whether the largest (`top`, the default) or
/// the smallest (`bottom`); `0` keeps all.
fn limit(v: Option<&str>) -> Option<(usize, bool)> {
    let v = v.unwrap_or("10").to_ascii_lowercase();
    let (top, n) = if let Some(n) = v.strip_prefix("top") {
        (true, n)
    } else if let Some(n) = v.strip_prefix("bottom") {
        (false, n)
    } else {
        (true, v.as_str())
    };
    n.trim().parse().ok().map(|n| (n, top))
}

/// Run the pivot: rows are the values of the row split in ascending order (as the aggregation
/// sorts them); a column per value of the column split, in ascending order, holding the
/// aggregate (`<aggregate>: <value>` with several aggregates); `count` and `dc` cells with no
/// results are 0, other empty cells null. `usenull=t` (default) gives results without the column
/// split the series `NULL` (`nullstr=`); `limit=N` (default 10, `topN`/`bottomN`, `0` for all)
/// keeps the N series with the largest (smallest) sum and, with `useother=t` (default), puts the
/// rest in the series `OTHER` (`otherstr=`) at the end.
fn execute(lf: LazyFrame, t: &Chart, c: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    let (Some(row), Some(split)) = t.splits() else {
        return Ok(lf);
    };
    let flag = |k: &str| {
        t.options
            .get_opt(k)
            .map(crate::commands::is_true)
            .unwrap_or(true)
    };
    let grouped = lf
        .collect()
        .map_err(|e| ctx.polars_error("chart", c.span, e))?;
    let cell = |col: &Column, i: usize| {
        let v = crate::frame::values_at(col, i);
        (!v.is_empty()).then(|| v.join("\n"))
    };
    let get = |name: &str| {
        grouped
            .column(name)
            .map_err(|e| ctx.polars_error("chart", c.span, e))
    };
    let (row_col, split_col) = (get(row)?, get(split)?);
    let names: Vec<String> = t.aggregates.iter().map(|a| a.output_name()).collect();
    let is_count = |f: &str| matches!(f, "count" | "c" | "dc" | "distinct_count");
    // Row keys in order of appearance (the aggregation sorted them).
    let mut rows: Vec<String> = Vec::new();
    let mut row_of: Vec<Option<usize>> = Vec::with_capacity(grouped.height());
    for i in 0..grouped.height() {
        match cell(row_col, i) {
            Some(k) if k != NULL_MARK => {
                let at = match rows.iter().rposition(|r| *r == k) {
                    Some(p) => p,
                    None => {
                        rows.push(k);
                        rows.len() - 1
                    }
                };
                row_of.push(Some(at));
            }
            _ => row_of.push(None),
        }
    }
    let nullstr = t.options.get_opt("nullstr").unwrap_or("NULL").to_string();
    let otherstr = t.options.get_opt("otherstr").unwrap_or("OTHER").to_string();
    let usenull = flag("usenull");
    let mut out: Vec<Column> = vec![Column::new(row.into(), rows.clone())];
    for (a, name) in t.aggregates.iter().zip(&names) {
        let values = get(name)?;
        // split value -> cells
        let mut series: Vec<Series> = Vec::new();
        let mut null_series: Option<Series> = None;
        for (i, r) in row_of.iter().enumerate() {
            let Some(r) = *r else { continue };
            let label = match cell(split_col, i) {
                Some(v) if v != NULL_MARK => Some(v),
                _ => None,
            };
            let slot = match label {
                Some(l) => match series.iter().position(|s| s.0 == l) {
                    Some(p) => &mut series[p],
                    None => {
                        series.push((l, vec![None; rows.len()]));
                        series.last_mut().expect("just pushed")
                    }
                },
                None if usenull => {
                    null_series.get_or_insert_with(|| (nullstr.clone(), vec![None; rows.len()]))
                }
                None => continue,
            };
            slot.1[r] = cell(values, i);
        }
        series.sort_by(|x, y| x.0.cmp(&y.0));
        series.extend(null_series);
        // The where clause replaces `limit=` (Search Reference, `chart`: "The limit and agg
        // options are ignored if an explicit where-clause is provided").
        let by_where = t.series_where.as_ref().map(|w| {
            let numeric: Vec<(&str, Vec<Option<f64>>)> = series
                .iter()
                .map(|s| {
                    let vals =
                        s.1.iter()
                            .map(|v| number(v).or(if is_count(&a.func) { Some(0.0) } else { None }))
                            .collect();
                    (s.0.as_str(), vals)
                })
                .collect();
            w.keep(&numeric)
        });
        let limited = match &by_where {
            Some(keep) => Some(keep.clone()),
            None => match limit(t.options.get_opt("limit")) {
                Some((n, top)) if n > 0 && series.len() > n => {
                    let total = |s: &Series| s.1.iter().filter_map(number).sum::<f64>();
                    let mut order: Vec<usize> = (0..series.len()).collect();
                    order.sort_by(|&x, &y| {
                        let o = total(&series[y]).total_cmp(&total(&series[x]));
                        if top {
                            o
                        } else {
                            o.reverse()
                        }
                    });
                    let keep: std::collections::HashSet<usize> =
                        order[..n].iter().copied().collect();
                    Some((0..series.len()).map(|k| keep.contains(&k)).collect())
                }
                _ => None,
            },
        };
        if let Some(keep) = limited {
            {
                let mut kept = Vec::new();
                let mut rest = Vec::new();
                for (k, s) in series.into_iter().enumerate() {
                    if keep[k] {
                        kept.push(s);
                    } else {
                        rest.push(s);
                    }
                }
                series = kept;
                if flag("useother") && !rest.is_empty() {
                    let combine: fn(f64, f64) -> f64 = match a.func.as_str() {
                        "count" | "c" | "sum" => |x, y| x + y,
                        "min" => f64::min,
                        "max" => f64::max,
                        f => {
                            return Err(ctx.error(
                                format!(
                                    "`chart` cannot combine `{f}` over the series beyond limit= into OTHER; use useother=f or limit=0"
                                ),
                                c.span,
                            ))
                        }
                    };
                    let other: Vec<Option<String>> = (0..rows.len())
                        .map(|r| {
                            rest.iter()
                                .filter_map(|s| number(&s.1[r]))
                                .reduce(combine)
                                .map(crate::frame::format_number)
                        })
                        .collect();
                    series.push((otherstr.clone(), other));
                }
            }
        }
        for (label, cells) in series {
            let label = if names.len() > 1 {
                format!("{name}: {label}")
            } else {
                label
            };
            let cells: Vec<Option<String>> = cells
                .into_iter()
                .map(|v| v.or_else(|| is_count(&a.func).then(|| "0".to_string())))
                .collect();
            let numeric = cells.iter().all(|v| v.is_none() || number(v).is_some());
            out.push(if numeric {
                let nums: Vec<Option<f64>> = cells.iter().map(number).collect();
                Column::new(label.as_str().into(), nums)
            } else {
                Column::new(label.as_str().into(), cells)
            });
        }
    }
    let df = DataFrame::new_infer_height(out).map_err(|e| ctx.polars_error("chart", c.span, e))?;
    Ok(df.lazy())
}

impl crate::plan::operator::Operator for ChartPivot {
    fn describe(&self) -> String {
        let (row, split) = self.0.splits();
        format!(
            "one row per {} and one column per {}",
            row.unwrap_or("?"),
            split.unwrap_or("?")
        )
    }

    fn run(&self, input: LazyFrame, at: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
        execute(input, &self.0, at, ctx)
    }
}

impl crate::commands::SplCommand for Chart {
    const DOC: &'static str = "Aggregations per value of one field (`OVER x` or `BY x`), split into one column per value of another (`OVER x BY y`, `BY x y`; `limit=`, `useother=`, `usenull=`, `nullstr=`, `otherstr=`).";
    const OPTIONS: Option<&'static [&'static str]> =
        Some(&["limit", "useother", "usenull", "nullstr", "otherstr"]);
    const EXAMPLES: &'static [crate::commands::Example] = &[
        crate::commands::Example {
            description: "one row per host, one column per user (ascending); a missing combination counts 0; a result without user is in NULL",
            search: "| chart count over host by user",
            input: "host,user\nh2,bob\nh1,bob\nh1,al\nh1,\nh2,bob",
            output: "host,al,bob,NULL\nh1,1,1,1\nh2,0,2,0\n",
        },
        crate::commands::Example {
            description: "`by x y` is `over x by y`; limit=1 keeps the series with the largest sum, the rest summed in OTHER; usenull=f drops results without y",
            search: "| chart limit=1 usenull=f sum(n) by host user",
            input: "host,user,n\nh1,al,1\nh1,bob,5\nh2,cy,2\nh2,,100",
            output: "host,bob,OTHER\nh1,5,1\nh2,,2\n",
        },
        crate::commands::Example {
            description: "a sparkline as exported results show it: the marker, then the count per minute over the whole time range",
            search: "| chart sparkline(count, 1m) count by user",
            input: "_time,user\n0,a\n10,a\n61,a\n130,a\n125,b\n5,b",
            output: "user,\"sparkline(count, 1m)\",count\na,\"##__SPARKLINE__##,2,1,1\",4\nb,\"##__SPARKLINE__##,1,0,1\",2\n",
        },
    ];

    fn options(&self) -> &[Opt] {
        &self.options
    }

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        let max = if self.over.is_some() { 1 } else { 2 };
        if self.by.len() > max {
            return Err(cx.error(
                "`chart` splits by at most two fields (`OVER x BY y` or `BY x y`)",
                c.span,
            ));
        }
        if let Some(l) = self.options.get_opt("limit") {
            if limit(Some(l)).is_none() {
                return Err(cx.error(format!("invalid limit `{l}`"), c.span));
            }
        }
        let (row, split) = self.splits();
        if let Some(w) = &self.series_where {
            if split.is_none() {
                return Err(cx.error(
                    "the where clause of `chart` selects series of the column split (`OVER x BY y`); there is none",
                    w.span,
                ));
            }
            w.check().map_err(|m| cx.error(m, w.span))?;
        }
        if split.is_none() {
            // Search Reference, `chart`: "Unless you specify a split-by clause, the eval
            // expression must be renamed."
            if let Some(a) = self
                .aggregates
                .iter()
                .find(|a| a.func == "eval" && a.alias.is_none())
            {
                return Err(cx.error(
                    "`chart eval(...)` without a split-by clause must be renamed with AS (Search Reference: \"Unless you specify a split-by clause, the eval expression must be renamed\")",
                    a.span,
                ));
            }
        }
        let by: Vec<String> = row.into_iter().chain(split).map(str::to_string).collect();
        let (aggregates, computes, hidden) =
            super::stats::agg_calls_with_eval(&self.aggregates, cx)?;
        let grouped = cx.node(
            crate::plan::Op::Aggregate {
                input: Box::new(input),
                aggregates,
                by,
                nulls: if split.is_some() {
                    crate::plan::NullGroups::Fill(NULL_MARK.into())
                } else {
                    crate::plan::NullGroups::Drop
                },
                span: None,
            },
            c,
        );
        let grouped = super::stats::eval_after_aggregate(grouped, computes, hidden, c, cx);
        if split.is_none() {
            // `chart ... BY x` (or OVER x, or neither) is `stats ... BY x`.
            return Ok(grouped);
        }
        Ok(cx.opaque(ChartPivot(self.clone()), c, grouped))
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;
    use polars::prelude::*;

    #[test]
    fn over_and_by() {
        let CommandKind::Chart(c) = parse_command("| chart count over host by user").kind else {
            panic!()
        };
        assert_eq!(c.over.as_deref(), Some("host"));
        assert_eq!(c.by, vec!["user"]);
    }

    fn names(df: &DataFrame) -> Vec<String> {
        df.get_column_names()
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    fn f64s(df: &DataFrame, c: &str) -> Vec<Option<f64>> {
        df.column(c).unwrap().f64().unwrap().iter().collect()
    }

    fn data() -> DataFrame {
        df!(
            "host" => [Some("h2"), Some("h1"), Some("h1"), Some("h1"), Some("h2"), None],
            "user" => [Some("bob"), Some("bob"), Some("al"), None, Some("bob"), Some("al")],
            "n" => ["1", "2", "3", "4", "5", "6"]
        )
        .unwrap()
    }

    #[test]
    fn pivots_rows_by_the_over_field_and_columns_by_the_split() {
        let out = crate::testkit::run_on(data(), "| chart count over host by user");
        // Not one row per (host, user) pair as stats gives: one row per host.
        assert_eq!(names(&out), ["host", "al", "bob", "NULL"]);
        assert_eq!(out.height(), 2);
        assert_eq!(f64s(&out, "al"), [Some(1.0), Some(0.0)]);
        assert_eq!(f64s(&out, "bob"), [Some(1.0), Some(2.0)]);
        assert_eq!(f64s(&out, "NULL"), [Some(1.0), Some(0.0)]);
        let same = crate::testkit::run_on(data(), "| chart count by host user");
        assert!(out.equals_missing(&same));
        let out = crate::testkit::run_on(
            data(),
            "| chart usenull=f nullstr=none count over host by user",
        );
        assert_eq!(names(&out), ["host", "al", "bob"]);
        let out = crate::testkit::run_on(data(), "| chart nullstr=none count over host by user");
        assert_eq!(names(&out), ["host", "al", "bob", "none"]);
    }

    #[test]
    fn several_aggregates_name_columns_by_aggregate_and_value() {
        let out = crate::testkit::run_on(
            data(),
            "| chart usenull=f count max(n) as top over host by user",
        );
        assert_eq!(
            names(&out),
            ["host", "count: al", "count: bob", "top: al", "top: bob"]
        );
        // Empty cells of other functions stay empty.
        assert_eq!(f64s(&out, "top: al"), [Some(3.0), None]);
    }

    #[test]
    fn limit_keeps_the_largest_series_and_sums_the_rest_into_other() {
        let df = df!(
            "x" => ["a", "a", "a", "b", "b"],
            "y" => ["p", "q", "r", "q", "q"]
        )
        .unwrap();
        let out = crate::testkit::run_on(df.clone(), "| chart limit=1 count over x by y");
        assert_eq!(names(&out), ["x", "q", "OTHER"]);
        assert_eq!(f64s(&out, "OTHER"), [Some(2.0), Some(0.0)]);
        let out = crate::testkit::run_on(
            df.clone(),
            "| chart limit=1 useother=f otherstr=X count over x by y",
        );
        assert_eq!(names(&out), ["x", "q"]);
        let out = crate::testkit::run_on(
            df.clone(),
            "| chart limit=bottom1 otherstr=X count over x by y",
        );
        assert_eq!(names(&out), ["x", "p", "X"]);
        let out = crate::testkit::run_on(df, "| chart limit=0 count over x by y");
        assert_eq!(names(&out), ["x", "p", "q", "r"]);
    }

    #[test]
    fn one_split_field_is_stats() {
        let out = crate::testkit::run_on(data(), "| chart count by host");
        assert_eq!(names(&out), ["host", "count"]);
        assert_eq!(out.height(), 2);
    }
}

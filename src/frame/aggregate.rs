//! Grouping and aggregation for `stats` and `tstats` (splunk-semantics.md §3, §6).
//!
//! Output: the BY fields in the order given, then the aggregates in the order given; one row per
//! distinct BY tuple, ordered by the BY fields ascending. Without BY: one row. A multivalue BY
//! field counts the row once for each of its values.

use super::schema_of;
use crate::diagnostic::Diagnostic;
use crate::plan::operator::At;
use crate::plan::{AggCall as Aggregate, AggInput as AggArg, NullGroups};
use crate::runtime::Context;
use polars::prelude::*;

/// Seconds in a Splunk span (`30s`, `5m`, `1h`, `1d`, `1w`; a bare number is seconds).
pub fn span_seconds(span: &str) -> Option<f64> {
    let s = span.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let n: f64 = s[..split].parse().ok()?;
    let unit = s[split..].to_ascii_lowercase();
    let mult = match unit.as_str() {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86400.0,
        "w" | "week" | "weeks" => 7.0 * 86400.0,
        _ => return None,
    };
    Some(n * mult)
}

/// Aggregates over wildcard fields, one per matching column of `schema` (see
/// [`crate::plan::resolve::expand_aggregates`]).
pub fn expand_wildcards(aggs: &[Aggregate], schema: &Schema, by: &[String]) -> Vec<Aggregate> {
    let names: Vec<&str> = schema.iter_names().map(|n| n.as_str()).collect();
    crate::plan::resolve::expand_aggregates(aggs, &names, by)
}

/// Aggregates over `eval(expr)` read a column computed first: `count(eval(x>1))` counts the
/// results where the expression is true (false counts as null, as in Splunk).
pub fn materialize_eval_args(
    mut lf: LazyFrame,
    aggs: &[Aggregate],
    step_command: &str,
    ctx: &Context,
) -> Result<(LazyFrame, Vec<Aggregate>), Diagnostic> {
    let mut out = Vec::with_capacity(aggs.len());
    for (k, a) in aggs.iter().enumerate() {
        let Some(AggArg::Eval(expr, _)) = &a.arg else {
            out.push(a.clone());
            continue;
        };
        let tmp = format!("__spelunk_agg_eval_{k}");
        let schema = lf
            .collect_schema()
            .map_err(|e| ctx.polars_error(step_command, a.span, e))?;
        let ectx = crate::expr::eval::EvalContext {
            schema: &schema,
            source: &ctx.text,
            now: ctx.now,
            tz: &ctx.tz,
        };
        let value = crate::expr::eval::compile_scalar(expr, &ectx)?;
        lf = lf.with_column(value.alias(tmp.as_str()));
        let schema = lf
            .collect_schema()
            .map_err(|e| ctx.polars_error(step_command, a.span, e))?;
        if schema.get(&tmp) == Some(&DataType::Boolean) {
            lf = lf.with_column(
                when(col(tmp.as_str()).fill_null(lit(false)))
                    .then(lit(true))
                    .otherwise(lit(NULL).cast(DataType::Boolean))
                    .alias(tmp.as_str()),
            );
        }
        let alias = Some(a.output_name());
        out.push(Aggregate {
            func: a.func.clone(),
            arg: Some(AggArg::Field(tmp)),
            alias,
            span: a.span,
        });
    }
    Ok((lf, out))
}

/// Group and aggregate.
pub fn aggregate(
    lf: LazyFrame,
    aggs: &[Aggregate],
    by: &[String],
    nulls: &NullGroups,
    span: Option<&str>,
    step: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let (mut lf, aggs) = materialize_eval_args(lf, aggs, &step.name, ctx)?;
    let aggs = aggs.as_slice();
    let schema = schema_of(&mut lf, &step.name, step.span, ctx)?;
    // BY fields: fill or drop nulls; explode multivalue ones; bucket _time by span.
    for f in by {
        match (schema.get(f), nulls) {
            (None, NullGroups::Fill(v)) => lf = lf.with_column(lit(v.clone()).alias(f.as_str())),
            (None, NullGroups::Drop) => {
                // No row has the field: no groups.
                lf = lf
                    .filter(lit(false))
                    .with_column(lit(NULL).cast(DataType::String).alias(f.as_str()));
            }
            (Some(dt), nulls) => {
                if matches!(dt, DataType::List(_)) {
                    lf = lf.explode(by_name(f), explode_options());
                }
                match nulls {
                    NullGroups::Fill(v) if !dt.is_primitive_numeric() => {
                        lf = lf.with_column(
                            col(f.as_str())
                                .cast(DataType::String)
                                .fill_null(lit(v.clone())),
                        );
                    }
                    _ => lf = lf.filter(col(f.as_str()).is_not_null()),
                }
            }
        }
        if f == "_time" {
            if let Some(span) = span {
                let secs = span_seconds(span)
                    .filter(|s| *s > 0.0)
                    .ok_or_else(|| ctx.error(format!("invalid span `{span}`"), step.span))?;
                lf = lf.with_column((col("_time").floor_div(lit(secs)) * lit(secs)).alias("_time"));
            }
        }
    }
    let aggs = expand_wildcards(aggs, &schema, by);
    if aggs.iter().any(|a| a.func == "sparkline") {
        return with_sparklines(lf, &aggs, by, &schema, step, ctx);
    }
    group(lf, &aggs, by, &schema, ctx)
}

/// Group `lf` by `by` (prepared: nulls handled, multivalues exploded) and aggregate.
fn group(
    lf: LazyFrame,
    aggs: &[Aggregate],
    by: &[String],
    schema: &Schema,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let mut exprs = Vec::with_capacity(aggs.len());
    let mut names: Vec<String> = Vec::new();
    for a in aggs {
        let name = a.output_name();
        exprs.push(agg_expr(a, schema, ctx, !by.is_empty())?.alias(name.as_str()));
        names.push(name);
    }
    if by.is_empty() {
        return Ok(lf.select(exprs));
    }
    let keys: Vec<Expr> = by.iter().map(|f| col(f.as_str())).collect();
    // Each group has its own combination of BY values, so sorting by all of them is a total
    // order: no stable (slower, one-threaded) sort is needed for a deterministic output.
    let sort = SortMultipleOptions::default().with_maintain_order(false);
    Ok(lf
        .group_by(keys)
        .agg(exprs)
        .sort(by.iter().map(|s| s.as_str()).collect::<Vec<_>>(), sort))
}

/// What a sparkline is in exported results: this marker, then the value of each time bucket,
/// separated by commas (`##__SPARKLINE__##,0,3,1`).
pub const SPARKLINE_MARK: &str = "##__SPARKLINE__##";

/// The spans a sparkline without one chooses from: the smallest giving at most
/// [`SPARKLINE_MAX_POINTS`] buckets over the results' time range.
const SPARKLINE_SPANS: &[f64] = &[
    1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 600.0, 1800.0, 3600.0, 86400.0, 604800.0, 2592000.0,
];

/// limits.conf `sparkline_maxsize`: the most points a sparkline has.
const SPARKLINE_MAX_POINTS: f64 = 100.0;

/// A sparkline's inner aggregation and span: `sparkline` (count, span chosen),
/// `sparkline(count(user))`, `sparkline(avg(bytes), 5m)`.
fn sparkline_parts(a: &Aggregate) -> (Aggregate, Option<String>) {
    let text = match &a.arg {
        Some(AggArg::Field(t)) => t.trim().to_string(),
        _ => String::new(),
    };
    let (inner, span) = match text.rfind(',') {
        Some(i) if !text[i..].contains(')') => (
            text[..i].trim().to_string(),
            Some(text[i + 1..].trim().to_string()),
        ),
        _ => (text, None),
    };
    let (func, field) = match inner.split_once('(') {
        Some((f, rest)) => (
            f.trim().to_ascii_lowercase(),
            Some(rest.trim_end_matches(')').trim().to_string()).filter(|f| !f.is_empty()),
        ),
        None if inner.is_empty() => ("count".to_string(), None),
        None => (inner.to_ascii_lowercase(), None),
    };
    let agg = Aggregate {
        func,
        arg: field.map(AggArg::Field),
        alias: Some("__spelunk_sparkline".into()),
        span: a.span,
    };
    (agg, span)
}

/// `stats`/`chart` with `sparkline` aggregates: the other aggregates as usual, and per group a
/// sparkline: its inner aggregation (count by default) per time bucket of `span` (given, or the
/// smallest of 1s, 5s, 10s, 30s, 1m, 5m, 10m, 30m, 1h, 1d, 1w, 30d giving at most 100 buckets),
/// from the earliest to the latest result of all groups, so that the sparklines of a table line
/// up. Rendered as exported results show it: `##__SPARKLINE__##,v1,v2,...` (count and dc of an
/// empty bucket 0, other functions empty).
fn with_sparklines(
    lf: LazyFrame,
    aggs: &[Aggregate],
    by: &[String],
    schema: &Schema,
    step: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let err = |e: PolarsError| ctx.polars_error(&step.name, step.span, e);
    let plain: Vec<Aggregate> = aggs
        .iter()
        .filter(|a| a.func != "sparkline")
        .cloned()
        .collect();
    let mut out = if by.is_empty() && plain.is_empty() {
        DataFrame::new(1, Vec::new()).map_err(err)?
    } else {
        group(lf.clone(), &plain, by, schema, ctx)?
            .collect()
            .map_err(err)?
    };
    let key_of = |df: &DataFrame, i: usize| -> Vec<Vec<String>> {
        by.iter()
            .map(|f| {
                df.column(f)
                    .map(|c| super::values_at(c, i))
                    .unwrap_or_default()
            })
            .collect()
    };
    // The time range of all results.
    let range = if schema.contains("_time") {
        let r = lf
            .clone()
            .select([
                col("_time").cast(DataType::Float64).min().alias("lo"),
                col("_time").cast(DataType::Float64).max().alias("hi"),
            ])
            .collect()
            .map_err(err)?;
        let get = |n: &str| {
            r.column(n)
                .ok()
                .and_then(|c| c.f64().ok().and_then(|c| c.get(0)))
        };
        get("lo").zip(get("hi"))
    } else {
        None
    };
    for a in aggs.iter().filter(|a| a.func == "sparkline") {
        let (inner, span) = sparkline_parts(a);
        if inner.func == "sparkline" {
            return Err(ctx.error("a sparkline of a sparkline", a.span));
        }
        let count_like = matches!(inner.func.as_str(), "count" | "c" | "dc" | "distinct_count");
        let mut lines: Vec<String> = vec![SPARKLINE_MARK.to_string(); out.height()];
        if let Some((lo, hi)) = range {
            let secs = match &span {
                Some(s) => span_seconds(s)
                    .filter(|s| *s > 0.0)
                    .ok_or_else(|| ctx.error(format!("invalid sparkline span `{s}`"), a.span))?,
                None => SPARKLINE_SPANS
                    .iter()
                    .copied()
                    .find(|s| ((hi / s).floor() - (lo / s).floor()) < SPARKLINE_MAX_POINTS)
                    .unwrap_or(2592000.0),
            };
            let first = (lo / secs).floor();
            let points = ((hi / secs).floor() - first) as usize + 1;
            let mut keys: Vec<Expr> = by.iter().map(|f| col(f.as_str())).collect();
            keys.push(col("__spelunk_bucket"));
            let value = agg_expr(&inner, schema, ctx, true)?.alias("__spelunk_sparkline");
            let g = lf
                .clone()
                .filter(col("_time").is_not_null())
                .with_column(
                    ((col("_time").cast(DataType::Float64) / lit(secs)).floor() - lit(first))
                        .cast(DataType::Int64)
                        .alias("__spelunk_bucket"),
                )
                .group_by(keys)
                .agg([value])
                .collect()
                .map_err(err)?;
            let mut series: std::collections::HashMap<Vec<Vec<String>>, Vec<Option<String>>> =
                std::collections::HashMap::new();
            let buckets = g.column("__spelunk_bucket").map_err(err)?;
            let values = g.column("__spelunk_sparkline").map_err(err)?;
            for i in 0..g.height() {
                let Some(b) = super::values_at(buckets, i)
                    .pop()
                    .and_then(|b| b.parse::<usize>().ok())
                    .filter(|b| *b < points)
                else {
                    continue;
                };
                let v = super::values_at(values, i);
                series
                    .entry(key_of(&g, i))
                    .or_insert_with(|| vec![None; points])[b] =
                    (!v.is_empty()).then(|| v.join(" "));
            }
            for (i, line) in lines.iter_mut().enumerate() {
                let cells = series.get(&key_of(&out, i));
                for p in 0..points {
                    line.push(',');
                    match cells.and_then(|c| c[p].as_deref()) {
                        Some(v) => line.push_str(v),
                        None if count_like => line.push('0'),
                        None => {}
                    }
                }
            }
        }
        out.with_column(Column::new(a.output_name().as_str().into(), lines))
            .map_err(err)?;
    }
    let order: Vec<String> = by
        .iter()
        .cloned()
        .chain(aggs.iter().map(Aggregate::output_name))
        .collect();
    Ok(out.select(order).map_err(err)?.lazy())
}

/// Explode keeping rows whose list is empty or null (as a null value).
fn explode_options() -> ExplodeOptions {
    ExplodeOptions {
        empty_as_null: true,
        keep_nulls: true,
    }
}

fn by_name(f: &str) -> Selector {
    cols([f])
}

/// The type of a column's values (a multivalue column's inner type).
fn flat_dt(dt: Option<&DataType>) -> DataType {
    match dt {
        Some(DataType::List(inner)) => (**inner).clone(),
        Some(d) => d.clone(),
        None => DataType::String,
    }
}

/// `perc95`, `p95`, `exactperc95`, `upperperc95` → 0.95.
fn percentile(func: &str) -> Option<f64> {
    let digits = func
        .strip_prefix("exactperc")
        .or_else(|| func.strip_prefix("upperperc"))
        .or_else(|| func.strip_prefix("perc"))
        .or_else(|| func.strip_prefix('p'))?;
    let n: f64 = digits.parse().ok()?;
    (0.0..=100.0).contains(&n).then_some(n / 100.0)
}

fn numeric(dt: Option<&DataType>) -> bool {
    dt.map(|d| d.is_primitive_numeric()).unwrap_or(false)
}

/// The polars aggregation for one Splunk aggregate.
/// The polars aggregation for one Splunk aggregate. `grouped`: inside `group_by().agg()`, where
/// list-valued results (`values`, `list`) come out per group; otherwise they are imploded into
/// one value.
pub(crate) fn agg_expr(
    a: &Aggregate,
    schema: &Schema,
    ctx: &Context,
    grouped: bool,
) -> Result<Expr, Diagnostic> {
    let e = agg_expr_inner(a, schema, ctx)?;
    Ok(
        if !grouped && matches!(a.func.as_str(), "values" | "list") {
            e.implode(true)
        } else {
            e
        },
    )
}

fn agg_expr_inner(a: &Aggregate, schema: &Schema, ctx: &Context) -> Result<Expr, Diagnostic> {
    // Names and arity come from the function table (unknown, unsupported, wrong arity).
    use crate::plan::functions::{check_call, FunctionClass};
    check_call(&a.func, FunctionClass::Stats, usize::from(a.arg.is_some())).map_err(|d| {
        let e = ctx.error(d.message, a.span);
        d.notes.into_iter().fold(e, Diagnostic::note)
    })?;
    if a.func == "sparkline" {
        return Err(ctx.error(
            "`sparkline` is an aggregate of `stats` and `chart` only",
            a.span,
        ));
    }
    let field = match &a.arg {
        None => None,
        Some(AggArg::Field(f)) => {
            if f.contains('*') {
                return Err(ctx.error(
                    format!("wildcard field `{f}` in `{}` is not supported yet", a.func),
                    a.span,
                ));
            }
            Some(f.as_str())
        }
        Some(AggArg::Eval(..)) => {
            return Err(ctx.error(
                format!("`{}(eval(...))` is not supported yet", a.func),
                a.span,
            ));
        }
    };
    let func = a.func.as_str();
    // A missing field behaves as all-null.
    let dt = field.and_then(|f| schema.get(f));
    let present = field.map(|f| schema.contains(f)).unwrap_or(true);
    let c = || col(field.unwrap_or("_time"));
    let missing_value = |v: Expr| Ok(v);
    if !present {
        return match func {
            "count" | "dc" | "distinct_count" => missing_value(lit(0i64)),
            "values" | "list" => {
                missing_value(lit(NULL).cast(DataType::List(Box::new(DataType::String))))
            }
            _ => missing_value(lit(NULL).cast(DataType::String)),
        };
    }
    let is_list = matches!(dt, Some(DataType::List(_)));
    let flat = || {
        if is_list {
            c().explode(explode_options())
        } else {
            c()
        }
    };
    let as_float = || flat().cast(DataType::Float64);
    Ok(match (func, field) {
        ("count" | "c", None) => len().cast(DataType::Int64),
        ("count" | "c", Some(_)) => flat().count().cast(DataType::Int64),
        ("dc" | "distinct_count", Some(_)) => flat().drop_nulls().n_unique().cast(DataType::Int64),
        ("values", Some(_)) => crate::frame::text_expr(flat(), &flat_dt(dt))
            .drop_nulls()
            .unique()
            .sort(SortOptions::default()),
        ("list", Some(_)) => crate::frame::text_expr(flat(), &flat_dt(dt))
            .drop_nulls()
            .head(Some(100)),
        ("min" | "max", Some(_)) => {
            let is_min = func == "min";
            if numeric(dt) {
                if is_min {
                    flat().min()
                } else {
                    flat().max()
                }
            } else {
                // Numeric when every value is a number, else lexicographic (splunk-semantics §6).
                let nums = as_float();
                let all_numeric = nums.clone().null_count().eq(flat().null_count());
                let num = if is_min { nums.min() } else { nums.max() };
                let strs = flat().cast(DataType::String);
                let s = if is_min { strs.min() } else { strs.max() };
                when(all_numeric)
                    .then(crate::frame::text_expr(num, &DataType::Float64))
                    .otherwise(s)
            }
        }
        ("sum", Some(_)) => as_float().sum(),
        ("avg" | "mean", Some(_)) => as_float().mean(),
        ("stdev", Some(_)) => as_float().std(1),
        ("stdevp", Some(_)) => as_float().std(0),
        ("var", Some(_)) => as_float().var(1),
        ("varp", Some(_)) => as_float().var(0),
        ("range", Some(_)) => as_float().max() - as_float().min(),
        ("sumsq", Some(_)) => (as_float() * as_float()).sum(),
        ("earliest" | "latest", Some("_time")) => {
            if func == "earliest" {
                c().min()
            } else {
                c().max()
            }
        }
        ("earliest" | "latest", Some(_)) if schema.contains("_time") => {
            let desc = func == "latest";
            c().sort_by(
                [col("_time")],
                SortMultipleOptions::default()
                    .with_order_descending(desc)
                    .with_maintain_order(true),
            )
            .drop_nulls()
            .first()
        }
        ("median", Some(_)) => as_float().median(),
        (f, Some(_)) if percentile(f).is_some() => {
            let q = percentile(f).unwrap_or(0.5);
            as_float().quantile(lit(q), QuantileMethod::Linear)
        }
        ("first", Some(_)) => c().drop_nulls().first(),
        ("last", Some(_)) => c().drop_nulls().last(),
        _ => {
            return Err(ctx.error(format!("unsupported aggregation `{}`", a.func), a.span));
        }
    })
}

#[cfg(test)]
mod tests {
    use crate::testkit::run_on;
    use polars::prelude::*;

    #[test]
    fn a_wildcard_does_not_make_an_output_named_explicitly_again() {
        let df = df!("k" => ["a", "a", "b"], "t" => [3i64, 1, 2], "u" => ["x", "y", "z"]).unwrap();
        let out = run_on(df, "| stats min(t) as t values(*) as * by k");
        let names: Vec<&str> = out.get_column_names().iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["k", "t", "u"]);
        // The explicit min, not the wildcard's values().
        let t = out.column("t").unwrap().cast(&DataType::Int64).unwrap();
        assert_eq!(t.i64().unwrap().get(0), Some(1));
    }

    fn strs(df: &DataFrame, c: &str) -> Vec<Option<String>> {
        df.column(c)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect()
    }

    #[test]
    fn output_is_by_fields_then_aggregates_sorted_by_the_by_fields() {
        let df =
            df!("user" => ["b", "a", "b"], "host" => ["h2", "h1", "h1"], "x" => ["1", "2", "3"])
                .unwrap();
        let out = run_on(df, "| stats dc(x) as n count by user host");
        let names: Vec<&str> = out.get_column_names().iter().map(|s| s.as_str()).collect();
        assert_eq!(names, vec!["user", "host", "n", "count"]);
        assert_eq!(
            strs(&out, "user"),
            vec![Some("a".into()), Some("b".into()), Some("b".into())]
        );
        assert_eq!(
            strs(&out, "host"),
            vec![Some("h1".into()), Some("h1".into()), Some("h2".into())]
        );
    }

    #[test]
    fn values_are_distinct_and_lexicographic_not_numeric() {
        let df = df!("k" => ["a", "a", "a", "a"], "v" => ["10", "9", "b", "10"]).unwrap();
        let out = run_on(df, "| stats values(v) as v by k");
        let v = out
            .column("v")
            .unwrap()
            .list()
            .unwrap()
            .get_as_series(0)
            .unwrap();
        let got: Vec<&str> = v.str().unwrap().no_null_iter().collect();
        // Lexicographic: "10" < "9" < "b" (a numeric order would put 9 first).
        assert_eq!(got, vec!["10", "9", "b"]);
    }

    #[test]
    fn min_max_are_numeric_when_all_values_are_numbers_else_lexicographic() {
        let df = df!("k" => ["a", "a", "b", "b"], "v" => ["10", "9", "10", "x"]).unwrap();
        let out = run_on(df, "| stats min(v) as lo max(v) as hi by k");
        assert_eq!(strs(&out, "lo"), vec![Some("9".into()), Some("10".into())]);
        assert_eq!(strs(&out, "hi"), vec![Some("10".into()), Some("x".into())]);
    }

    #[test]
    fn stats_drops_rows_with_a_null_by_field() {
        let df = df!("user" => [Some("a"), None, Some("a")]).unwrap();
        let out = run_on(df, "| stats count by user");
        assert_eq!(out.height(), 1);
        assert_eq!(out.column("count").unwrap().i64().unwrap().get(0), Some(2));
    }

    #[test]
    fn stats_without_by_gives_one_row_even_with_values() {
        let df = df!("v" => ["b", "a", "b"]).unwrap();
        let out = run_on(df, "| stats count values(v) as v dc(v) as n");
        assert_eq!(out.height(), 1);
        assert_eq!(out.column("count").unwrap().i64().unwrap().get(0), Some(3));
        assert_eq!(out.column("n").unwrap().i64().unwrap().get(0), Some(2));
        assert_eq!(
            out.column("v")
                .unwrap()
                .list()
                .unwrap()
                .get_as_series(0)
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn earliest_latest_follow_time() {
        let df = df!("_time" => [3.0f64, 1.0, 2.0], "v" => ["c", "a", "b"]).unwrap();
        let out = run_on(
            df,
            "| stats earliest(v) as e latest(v) as l min(_time) as first",
        );
        assert_eq!(strs(&out, "e"), vec![Some("a".into())]);
        assert_eq!(strs(&out, "l"), vec![Some("c".into())]);
        assert_eq!(
            out.column("first").unwrap().f64().unwrap().get(0),
            Some(1.0)
        );
    }

    #[test]
    fn percentiles_and_wildcard_fields() {
        let df = df!("tcp.in" => [1.0f64, 2.0, 3.0, 4.0, 5.0], "tcp.out" => [10.0f64, 10.0, 10.0, 10.0, 10.0]).unwrap();
        let out = run_on(df, "| stats p50(tcp.in) as med avg(tcp.*) as avg_tcp.*");
        assert_eq!(out.column("med").unwrap().f64().unwrap().get(0), Some(3.0));
        assert_eq!(
            out.column("avg_tcp.in").unwrap().f64().unwrap().get(0),
            Some(3.0)
        );
        assert_eq!(
            out.column("avg_tcp.out").unwrap().f64().unwrap().get(0),
            Some(10.0)
        );
    }

    #[test]
    fn eval_arguments_count_true_results() {
        let df = df!("k" => ["a", "a", "b"], "n" => ["5", "1", "7"]).unwrap();
        let out = run_on(
            df,
            r#"| stats count(eval(n>2)) as big values(eval(if(n>2, "hi", null()))) as v by k"#,
        );
        assert_eq!(out.column("big").unwrap().i64().unwrap().get(0), Some(1));
        assert_eq!(out.column("big").unwrap().i64().unwrap().get(1), Some(1));
        assert_eq!(
            out.column("v")
                .unwrap()
                .list()
                .unwrap()
                .get_as_series(0)
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn wildcard_aggregates_leave_out_the_by_fields() {
        let df = df!("dest" => ["h", "h"], "_time" => [1.0f64, 2.0], "f" => ["a", "b"]).unwrap();
        let out = run_on(df, "| stats latest(*) as * by dest");
        let names: Vec<&str> = out.get_column_names().iter().map(|s| s.as_str()).collect();
        assert_eq!(names, vec!["dest", "_time", "f"]);
        assert_eq!(strs(&out, "f"), vec![Some("b".into())]);
    }

    #[test]
    fn sumsq_is_the_sum_of_squares() {
        let df = df!("n" => [1.0f64, 2.0, 3.0]).unwrap();
        let out = run_on(df, "| stats sumsq(n) as s");
        assert_eq!(out.column("s").unwrap().f64().unwrap().get(0), Some(14.0));
    }

    #[test]
    fn span_buckets_time() {
        assert_eq!(super::span_seconds("5m"), Some(300.0));
        assert_eq!(super::span_seconds("1h"), Some(3600.0));
        assert_eq!(super::span_seconds("2s"), Some(2.0));
        assert_eq!(super::span_seconds("x"), None);
    }
}

#[cfg(test)]
mod sparkline_tests {
    use crate::testkit::run_on;
    use polars::prelude::*;

    fn strs(df: &DataFrame, c: &str) -> Vec<String> {
        df.column(c)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap_or_default().to_string())
            .collect()
    }

    fn data() -> DataFrame {
        df!(
            "_time" => [0.0f64, 10.0, 61.0, 130.0, 125.0, 5.0],
            "user" => ["a", "a", "a", "a", "b", "b"],
            "n" => ["1", "2", "3", "4", "5", "6"]
        )
        .unwrap()
    }

    #[test]
    fn a_sparkline_is_the_marker_then_one_value_per_bucket_over_the_whole_range() {
        let out = run_on(
            data(),
            "| stats sparkline(count, 1m) as trend count by user",
        );
        let names: Vec<&str> = out.get_column_names().iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["user", "trend", "count"]);
        // Buckets 0-59, 60-119, 120-179 for every group (not only the group's own range);
        // an empty bucket counts 0.
        assert_eq!(
            strs(&out, "trend"),
            ["##__SPARKLINE__##,2,1,1", "##__SPARKLINE__##,1,0,1"]
        );
    }

    #[test]
    fn inner_aggregation_default_name_and_span() {
        let out = run_on(data(), "| stats sparkline(sum(n), 1m) by user");
        assert_eq!(
            strs(&out, "sparkline(sum(n), 1m)"),
            ["##__SPARKLINE__##,3,3,4", "##__SPARKLINE__##,6,,5"]
        );
        // No span: the smallest of the usual spans giving at most 100 points (here 5s: 0..130).
        let out = run_on(data(), "| stats sparkline");
        let line = strs(&out, "sparkline").pop().unwrap();
        assert!(line.starts_with("##__SPARKLINE__##,"), "{line}");
        assert_eq!(line.split(',').count() - 1, 27, "{line}");
        let total: f64 = line
            .split(',')
            .skip(1)
            .map(|v| v.parse::<f64>().unwrap())
            .sum();
        assert_eq!(total, 6.0);
    }

    #[test]
    fn chart_takes_a_sparkline_too() {
        let out = run_on(data(), "| chart sparkline(count, 1m) count by user");
        assert_eq!(out.height(), 2);
        assert_eq!(
            strs(&out, "sparkline(count, 1m)")[0],
            "##__SPARKLINE__##,2,1,1"
        );
    }
}

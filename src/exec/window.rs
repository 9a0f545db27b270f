//! `eventstats` and `streamstats`: aggregates added to every result.

use crate::diagnostic::Diagnostic;
use crate::frame::schema_of;
use crate::plan::operator::At;
use crate::plan::{AggCall, AggInput, WindowFrame};
use crate::runtime::Context;
use polars::prelude::{col, Column, IntoLazy, JoinArgs, JoinType, LazyFrame, MaintainOrderJoin};

/// Run a window node.
pub(crate) fn window(
    lf: LazyFrame,
    aggregates: &[AggCall],
    by: &[String],
    frame: &WindowFrame,
    at: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    match frame {
        WindowFrame::All => eventstats(lf, aggregates, by, at, ctx),
        WindowFrame::Running { window, current } => {
            streamstats(lf, aggregates, by, *window, *current, at, ctx)
        }
    }
}

/// `eventstats`: compute the aggregates over all results (or per `BY` group) and add them to
/// every result; results whose BY field is null get no values.
fn eventstats(
    lf: LazyFrame,
    aggregates: &[AggCall],
    by: &[String],
    at: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let (mut lf, evaluated) =
        crate::frame::aggregate::materialize_eval_args(lf, aggregates, &at.name, ctx)?;
    let schema = schema_of(&mut lf, &at.name, at.span, ctx)?;
    let mut exprs = Vec::new();
    let aggs = crate::frame::aggregate::expand_wildcards(&evaluated, &schema, by);
    for a in &aggs {
        exprs.push(
            crate::frame::aggregate::agg_expr(a, &schema, ctx, !by.is_empty())?
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
    let names: Vec<String> = aggregates
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
    Ok(base.join(aggregated, on.clone(), on, {
        let mut args = JoinArgs::new(JoinType::Left);
        args.maintain_order = MaintainOrderJoin::Left;
        args
    }))
}

/// One aggregate over a window of values (text, as stored).
fn window_value(func: &str, vals: &[&str]) -> Option<String> {
    let nums: Vec<f64> = vals
        .iter()
        .filter_map(|v| v.trim().parse::<f64>().ok())
        .collect();
    let fmt = crate::frame::format_number;
    match func {
        "count" | "c" => Some(vals.len().to_string()),
        "dc" | "distinct_count" => {
            let mut d: Vec<&&str> = vals.iter().collect();
            d.sort();
            d.dedup();
            Some(d.len().to_string())
        }
        "sum" => Some(fmt(nums.iter().sum())),
        "avg" | "mean" if !nums.is_empty() => {
            Some(fmt(nums.iter().sum::<f64>() / nums.len() as f64))
        }
        "min" if !nums.is_empty() && nums.len() == vals.len() => {
            nums.iter().cloned().reduce(f64::min).map(fmt)
        }
        "max" if !nums.is_empty() && nums.len() == vals.len() => {
            nums.iter().cloned().reduce(f64::max).map(fmt)
        }
        "min" => vals.iter().min().map(|s| s.to_string()),
        "max" => vals.iter().max().map(|s| s.to_string()),
        "range" if !nums.is_empty() => {
            let lo = nums.iter().cloned().reduce(f64::min)?;
            let hi = nums.iter().cloned().reduce(f64::max)?;
            Some(fmt(hi - lo))
        }
        "first" | "earliest" => vals.first().map(|s| s.to_string()),
        "last" | "latest" => vals.last().map(|s| s.to_string()),
        _ => None,
    }
}

/// Run `streamstats`: in result order, each result gets the aggregates of the results so far
/// (per `BY` group): `window=N` limits them to the last N, `current=false` leaves the result
/// itself out.
fn streamstats(
    lf: LazyFrame,
    aggregates: &[AggCall],
    by: &[String],
    window: usize,
    current: bool,
    at: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let c = at;
    let mut df = lf
        .collect()
        .map_err(|e| ctx.polars_error(&at.name, at.span, e))?;
    let supported = [
        "count",
        "c",
        "dc",
        "distinct_count",
        "sum",
        "avg",
        "mean",
        "min",
        "max",
        "range",
        "first",
        "last",
        "earliest",
        "latest",
    ];
    for a in aggregates {
        if !supported.contains(&a.func.as_str()) || matches!(a.arg, Some(AggInput::Eval(..))) {
            return Err(ctx.error(
                format!("`streamstats` does not support `{}` yet", a.output_name()),
                a.span,
            ));
        }
    }
    let n = df.height();
    let keys: Vec<Vec<String>> = (0..n)
        .map(|i| {
            by.iter()
                .map(|b| {
                    df.column(b)
                        .map(|c| crate::frame::values_at(c, i).join("\n"))
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect();
    let inputs: Vec<(AggCall, Vec<Option<String>>)> = aggregates
        .iter()
        .map(|a| {
            let vals = match &a.arg {
                Some(AggInput::Field(f)) => match df.column(f) {
                    Ok(col) => (0..n)
                        .map(|i| crate::frame::values_at(col, i).into_iter().next())
                        .collect(),
                    Err(_) => vec![None; n],
                },
                _ => vec![Some(String::new()); n],
            };
            (a.clone(), vals)
        })
        .collect();
    let mut history: std::collections::HashMap<&Vec<String>, Vec<usize>> =
        std::collections::HashMap::new();
    let mut outputs: Vec<Vec<Option<String>>> = vec![Vec::with_capacity(n); inputs.len()];
    for (i, key) in keys.iter().enumerate() {
        let seen = history.entry(key).or_default();
        let mut rows: Vec<usize> = seen.clone();
        if current {
            rows.push(i);
        }
        if window > 0 && rows.len() > window {
            rows = rows[rows.len() - window..].to_vec();
        }
        for (k, (a, vals)) in inputs.iter().enumerate() {
            let window_vals: Vec<&str> = rows.iter().filter_map(|&r| vals[r].as_deref()).collect();
            outputs[k].push(window_value(&a.func, &window_vals));
        }
        seen.push(i);
    }
    for ((a, _), out) in inputs.iter().zip(outputs) {
        let name = a.output_name();
        let column = Column::new(name.as_str().into(), out);
        df.with_column(column)
            .map_err(|e| ctx.polars_error(&c.name, c.span, e))?;
    }
    Ok(df.lazy())
}

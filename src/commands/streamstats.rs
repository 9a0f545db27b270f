//! `streamstats`: cumulative aggregates in result order (`window=`, `current=`, `reset_on_change=`).

#[allow(unused_imports)]
use super::parts::Parts;
use super::stats::StatsArgs;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// An `streamstats` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Streamstats {
    #[serde(flatten)]
    pub args: StatsArgs,
}

impl Streamstats {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Streamstats> {
        Ok(Streamstats {
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
        let c = parse_command("| streamstats window=2 current=1 range(_time) as d by dest");
        let CommandKind::Streamstats(s) = c.kind else {
            panic!()
        };
        assert_eq!(s.args.aggregates.len(), 1);
        assert_eq!(s.args.options.len(), 2);
        assert_eq!(s.args.by, vec!["dest"]);
    }
}

use crate::diagnostic::Diagnostic;
#[allow(unused_imports)]
use crate::exec::{schema_of, Context};
#[allow(unused_imports)]
use crate::syntax::ast::Command;
use crate::syntax::ast::{AggArg, Aggregate, Options};
use polars::prelude::Column;
#[allow(unused_imports)]
use polars::prelude::{
    col, lit, DataType, IntoLazy, LazyFrame, SortMultipleOptions, UniqueKeepStrategy, NULL,
};

/// One aggregate over a window of values (text, as stored).
fn window_value(func: &str, vals: &[&str]) -> Option<String> {
    let nums: Vec<f64> = vals
        .iter()
        .filter_map(|v| v.trim().parse::<f64>().ok())
        .collect();
    let fmt = crate::exec::format_number;
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
pub(crate) fn execute(
    lf: LazyFrame,
    s: &Streamstats,
    c: &Command,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let mut df = lf
        .collect()
        .map_err(|e| ctx.polars_error("streamstats", c.span, e))?;
    let window: usize = match s.args.options.get_opt("window") {
        Some(v) => v
            .parse()
            .map_err(|_| ctx.error(format!("invalid window `{v}`"), c.span))?,
        None => 0,
    };
    let current = !matches!(s.args.options.get_opt("current"), Some("false" | "f" | "0"));
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
    for a in &s.args.aggregates {
        if !supported.contains(&a.func.as_str()) || matches!(a.arg, Some(AggArg::Eval(..))) {
            return Err(ctx.error(
                format!("`streamstats` does not support `{}` yet", a.output_name()),
                a.span,
            ));
        }
    }
    let n = df.height();
    let keys: Vec<Vec<String>> = (0..n)
        .map(|i| {
            s.args
                .by
                .iter()
                .map(|b| {
                    df.column(b)
                        .map(|c| crate::exec::values_at(c, i).join("\n"))
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect();
    let inputs: Vec<(Aggregate, Vec<Option<String>>)> = s
        .args
        .aggregates
        .iter()
        .map(|a| {
            let vals = match &a.arg {
                Some(AggArg::Field(f)) => match df.column(f) {
                    Ok(col) => (0..n)
                        .map(|i| crate::exec::values_at(col, i).into_iter().next())
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
            .map_err(|e| ctx.polars_error("streamstats", c.span, e))?;
    }
    Ok(df.lazy())
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn running_counts_and_windows() {
        let df = df!("_time" => [1.0f64, 5.0, 6.0, 20.0], "s" => ["a", "a", "b", "a"]).unwrap();
        let out = crate::exec::testing::run_on(df.clone(), "| streamstats count as rank by s");
        let rank: Vec<&str> = out
            .column("rank")
            .unwrap()
            .str()
            .unwrap()
            .no_null_iter()
            .collect();
        assert_eq!(rank, vec!["1", "2", "1", "3"]);
        let out = crate::exec::testing::run_on(
            df,
            "| streamstats window=2 current=1 range(_time) as d by s",
        );
        let d: Vec<Option<&str>> = out.column("d").unwrap().str().unwrap().iter().collect();
        assert_eq!(d, vec![Some("0"), Some("4"), Some("0"), Some("15")]);
    }
}

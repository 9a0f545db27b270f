//! `transaction`: group results into transactions by fields and constraints
//! (`startswith=`, `endswith=`, `maxspan=`, `maxpause=`, `connected=`).

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// The value of a transaction option.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum TxValue {
    /// `(EventCode=4781)`: a search expression.
    Search(SearchExpr),
    /// `eval(expr)`.
    Eval(EvalExpr),
    /// A plain value (`240m`, `false`, or a quoted search string).
    Text(String),
}

/// A transaction option.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TxOption {
    pub key: String,
    pub value: TxValue,
}

/// A `transaction` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transaction {
    pub fields: Vec<String>,
    pub options: Vec<TxOption>,
}

impl Transaction {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Transaction> {
        let parts = Parts::of(p)?;
        let mut options = Vec::new();
        for c in &parts.rest {
            if c.as_rule() != Rule::option_tx {
                return Err(unexpected(c));
            }
            let key = child(c, Rule::opt_key)?.as_str().to_string();
            let v = c.clone().into_inner().nth(1).ok_or_else(|| unexpected(c))?;
            let value = match v.as_rule() {
                Rule::tx_search => TxValue::Search(search_expr(&child(&v, Rule::search_expr)?)?),
                Rule::tx_eval => TxValue::Eval(eval_expr(&child(&v, Rule::eval_expr)?)?),
                _ => TxValue::Text(field(&v)),
            };
            options.push(TxOption { key, value });
        }
        Ok(Transaction {
            fields: parts.fields,
            options,
        })
    }
}

opaque_command!(Transaction, "Group results into transactions by fields and constraints", options: None);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn fields_and_search_options() {
        let c = parse_command(
            r#"| transaction ObjectDN AttributeValue startswith=(EventCode=5136 OperationType="%%14674") maxspan=240m"#,
        );
        let CommandKind::Transaction(t) = c.kind else {
            panic!()
        };
        assert_eq!(t.fields, vec!["ObjectDN", "AttributeValue"]);
        assert!(matches!(
            t.options[0].value,
            TxValue::Search(SearchExpr::And(_))
        ));
        assert_eq!(t.options[1].value, TxValue::Text("240m".into()));
    }
}

use crate::diagnostic::Diagnostic;
use crate::frame::aggregate::span_seconds;
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::{Column, DataFrame, IntoColumn, ListChunked, NamedFrom, Series};
use polars::prelude::{DataType, IntoLazy, LazyFrame, SortMultipleOptions};

/// A boolean column for a `startswith=`/`endswith=` option over the results.
fn condition(
    df: &DataFrame,
    v: &TxValue,
    c: &crate::plan::operator::At,
    ctx: &Context,
) -> Result<Vec<bool>, Diagnostic> {
    let expr = match v {
        TxValue::Search(e) => e.clone(),
        TxValue::Text(t) => {
            let p = crate::syntax::parse(&format!("search {t}")).map_err(|e| {
                ctx.error(
                    format!(
                        "`transaction` condition `{t}` does not parse: {}",
                        e.message
                    ),
                    c.span,
                )
            })?;
            match p.commands.first().map(|c| &c.kind) {
                Some(crate::commands::CommandKind::Search(s)) => {
                    s.expr.clone().unwrap_or(SearchExpr::Empty)
                }
                _ => SearchExpr::Empty,
            }
        }
        TxValue::Eval(_) => {
            return Err(ctx.error(
                "`transaction` with an eval(...) condition is not supported yet",
                c.span,
            ))
        }
    };
    let schema = df.schema().clone();
    let expr = crate::commands::Lower { text: &ctx.text }.predicate(&expr)?;
    let pred = crate::expr::search::compile_in(&expr, &schema, ctx)?;
    let out = df
        .clone()
        .lazy()
        .select([pred.alias("c")])
        .collect()
        .map_err(|e| ctx.polars_error("transaction", c.span, e))?;
    let b = out
        .column("c")
        .and_then(|c| c.bool().cloned())
        .map_err(|e| ctx.polars_error("transaction", c.span, e))?;
    Ok(b.iter().map(|x| x.unwrap_or(false)).collect())
}

/// Run `transaction`: group results into transactions that share the values of the fields,
/// in time order, split by `maxspan=` (from the first event), `maxpause=` (between events),
/// `startswith=` (opens a new transaction) and `endswith=` (closes one). Each transaction
/// becomes one result: `_time` of its first event, `duration`, `eventcount`, and every
/// field's distinct values (multivalue when several).
fn execute(lf: LazyFrame, t: &Transaction, c: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    let mut df = lf
        .collect()
        .map_err(|e| ctx.polars_error("transaction", c.span, e))?;
    if df.height() == 0 {
        return Ok(df.lazy());
    }
    if df.column("_time").is_ok() {
        df = df
            .sort(
                ["_time"],
                SortMultipleOptions::default().with_maintain_order(true),
            )
            .map_err(|e| ctx.polars_error("transaction", c.span, e))?;
    }
    for o in &t.options {
        let key = o.key.to_ascii_lowercase();
        let ok = match key.as_str() {
            "startswith" | "endswith" | "maxspan" | "maxpause" | "mvlist" => true,
            // Only decides how events with some but not all of several fields join.
            "connected" => t.fields.len() <= 1,
            _ => false,
        };
        if !ok {
            return Err(ctx.error(
                format!("`transaction {}=` is not supported yet", o.key),
                c.span,
            ));
        }
    }
    let opt = |k: &str| {
        t.options
            .iter()
            .find(|o| o.key.eq_ignore_ascii_case(k))
            .map(|o| &o.value)
    };
    let secs = |k: &str| -> Result<Option<f64>, Diagnostic> {
        match opt(k) {
            Some(TxValue::Text(v)) => span_seconds(v)
                .map(Some)
                .ok_or_else(|| ctx.error(format!("invalid {k} `{v}`"), c.span)),
            Some(_) => Err(ctx.error(format!("invalid {k}"), c.span)),
            None => Ok(None),
        }
    };
    let (maxspan, maxpause) = (secs("maxspan")?, secs("maxpause")?);
    // mvlist=false (the default): a field's values are a sorted set of unique values;
    // mvlist=true keeps every value in event order (Search Reference, transaction).
    let mvlist = matches!(opt("mvlist"), Some(TxValue::Text(v))
        if matches!(v.to_ascii_lowercase().as_str(), "t" | "true" | "1"));
    let starts = match opt("startswith") {
        Some(v) => Some(condition(&df, v, c, ctx)?),
        None => None,
    };
    let ends = match opt("endswith") {
        Some(v) => Some(condition(&df, v, c, ctx)?),
        None => None,
    };
    let times: Vec<Option<f64>> = match df.column("_time").and_then(|c| c.cast(&DataType::Float64))
    {
        Ok(t) => t
            .f64()
            .map(|ca| ca.iter().collect())
            .unwrap_or_else(|_| vec![None; df.height()]),
        Err(_) => vec![None; df.height()],
    };
    // Group key per row; rows missing a field belong to no transaction.
    let key_cols: Vec<&Column> = t.fields.iter().filter_map(|f| df.column(f).ok()).collect();
    if key_cols.len() < t.fields.len() {
        return Ok(crate::frame::empty_frame());
    }
    let mut open: std::collections::HashMap<Vec<String>, usize> = std::collections::HashMap::new();
    let mut txns: Vec<Vec<usize>> = Vec::new();
    for i in 0..df.height() {
        let key: Vec<String> = key_cols
            .iter()
            .map(|c| crate::frame::values_at(c, i).join("\n"))
            .collect();
        if key.iter().any(|k| k.is_empty()) {
            continue;
        }
        let starts_here = starts.as_ref().is_some_and(|s| s[i]);
        let current = open.get(&key).copied();
        let new_txn = match current {
            None => starts.is_none() || starts_here,
            Some(ti) => {
                let first = txns[ti].first().and_then(|&r| times[r]);
                let last = txns[ti].last().and_then(|&r| times[r]);
                let t_i = times[i];
                starts_here
                    || matches!((maxspan, first, t_i), (Some(m), Some(f), Some(x)) if x - f > m)
                    || matches!((maxpause, last, t_i), (Some(m), Some(l), Some(x)) if x - l > m)
            }
        };
        if new_txn {
            txns.push(vec![i]);
            open.insert(key.clone(), txns.len() - 1);
        } else if let Some(ti) = current {
            txns[ti].push(i);
        } else {
            // Before any start event: not part of a transaction.
            continue;
        }
        if ends.as_ref().is_some_and(|e| e[i]) {
            open.remove(&key);
        }
    }
    if ends.is_some() {
        // With endswith=, only closed transactions are kept.
        let closed: Vec<bool> = txns
            .iter()
            .map(|rows| {
                rows.last()
                    .is_some_and(|&r| ends.as_ref().is_some_and(|e| e[r]))
            })
            .collect();
        txns = txns
            .into_iter()
            .zip(closed)
            .filter(|(_, c)| *c)
            .map(|(t, _)| t)
            .collect();
    }
    txns.sort_by(|a, b| a[0].cmp(&b[0]));
    // One result per transaction.
    let mut columns: Vec<Column> = Vec::new();
    for column in df.columns() {
        let name = column.name().clone();
        if name.as_str() == "_time" {
            let v: Vec<Option<f64>> = txns.iter().map(|rows| times[rows[0]]).collect();
            columns.push(Column::new(name, v));
            continue;
        }
        let per_txn: Vec<Vec<String>> = txns
            .iter()
            .map(|rows| {
                let mut vals: Vec<String> = Vec::new();
                for &r in rows {
                    vals.extend(crate::frame::values_at(column, r));
                }
                if name.as_str() != "_raw" && !mvlist {
                    vals.sort();
                    vals.dedup();
                }
                vals
            })
            .collect();
        if name.as_str() == "_raw" {
            let v: Vec<Option<String>> = per_txn
                .iter()
                .map(|v| (!v.is_empty()).then(|| v.join("\n")))
                .collect();
            columns.push(Column::new(name, v));
        } else if per_txn.iter().any(|v| v.len() > 1) {
            let ca: ListChunked = per_txn
                .iter()
                .map(|v| (!v.is_empty()).then(|| Series::new("".into(), v.clone())))
                .collect();
            columns.push(crate::frame::text_list(ca).with_name(name).into_column());
        } else {
            let v: Vec<Option<String>> = per_txn.iter().map(|v| v.first().cloned()).collect();
            columns.push(Column::new(name, v));
        }
    }
    let duration: Vec<Option<f64>> = txns
        .iter()
        .map(|rows| {
            Some(
                rows.last().and_then(|&r| times[r]).unwrap_or(0.0)
                    - rows.first().and_then(|&r| times[r]).unwrap_or(0.0),
            )
        })
        .collect();
    columns.push(Column::new("duration".into(), duration));
    columns.push(Column::new(
        "eventcount".into(),
        txns.iter().map(|r| r.len() as i64).collect::<Vec<_>>(),
    ));
    let out = DataFrame::new_infer_height(columns)
        .map_err(|e| ctx.polars_error("transaction", c.span, e))?;
    Ok(out.lazy())
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    fn frame() -> DataFrame {
        df!(
            "_time" => [0.0f64, 10.0, 20.0, 1000.0, 30.0],
            "user" => ["a", "a", "b", "a", "b"],
            "EventCode" => ["4624", "4634", "4624", "4624", "4634"]
        )
        .unwrap()
    }

    #[test]
    fn groups_by_field_and_maxpause() {
        let out = crate::testkit::run_on(frame(), "| transaction user maxpause=5m");
        assert_eq!(out.height(), 3);
        let counts: Vec<i64> = out
            .column("eventcount")
            .unwrap()
            .i64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(counts, vec![2, 2, 1]);
        assert_eq!(
            out.column("duration").unwrap().f64().unwrap().get(0),
            Some(10.0)
        );
        assert_eq!(
            out.column("EventCode").unwrap().dtype(),
            &DataType::List(Box::new(DataType::String))
        );
    }

    #[test]
    fn multivalue_fields_are_sorted_unique_unless_mvlist() {
        let df = df!(
            "_time" => [0.0f64, 1.0, 2.0],
            "user" => ["a", "a", "a"],
            "x" => ["zeta", "alpha", "zeta"]
        )
        .unwrap();
        let vals = |spl: &str| -> Vec<String> {
            let out = crate::testkit::run_on(df.clone(), spl);
            let l = out
                .column("x")
                .unwrap()
                .list()
                .unwrap()
                .get_as_series(0)
                .unwrap();
            l.str()
                .unwrap()
                .iter()
                .flatten()
                .map(String::from)
                .collect()
        };
        // mvlist=false (default): a sorted set, not arrival order with duplicates.
        assert_eq!(vals("| transaction user"), ["alpha", "zeta"]);
        assert_eq!(
            vals("| transaction user mvlist=t"),
            ["zeta", "alpha", "zeta"]
        );
    }

    #[test]
    fn startswith_endswith_keep_closed_transactions() {
        let out = crate::testkit::run_on(
            frame(),
            "| transaction user startswith=(EventCode=4624) endswith=(EventCode=4634)",
        );
        assert_eq!(out.height(), 2);
    }
}

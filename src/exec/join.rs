//! `join`: each result with the subsearch's results that share the join fields.

use crate::diagnostic::Diagnostic;
use crate::frame::schema_of;
use crate::plan::operator::At;
use crate::plan::JoinKind;
use crate::runtime::Context;
use polars::prelude::{
    col, lit, when, DataType, IntoLazy, JoinArgs, JoinType, LazyFrame, MaintainOrderJoin,
    PlSmallStr, UniqueKeepStrategy,
};

const RIGHT_SUFFIX: &str = "__spelunk_join_right";

/// Run `join`: combine each result with the subsearch's results that have the same values in the
/// join fields (all common fields when none are listed). `type=inner` (default) keeps matched
/// results only; `left`/`outer` keep every result. `max=1` (default) takes the first matching
/// subsearch result, `max=N` the first N, `max=0` all of them. Subsearch values overwrite the result's own
/// (Splunk's `overwrite=true`).
pub(crate) fn join(
    mut lf: LazyFrame,
    right: LazyFrame,
    fields: &[String],
    kind: JoinKind,
    max: u64,
    at: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let mut right = right;
    if kind == JoinKind::Left && !fields.is_empty() {
        // A left join keeps every result and only the subsearch's results that match one:
        // the subsearch is filtered on the results' keys (pushed by polars below its own
        // `tstats`/`stats`), instead of aggregating every event for a few results.
        let left = lf
            .collect()
            .map_err(|e| ctx.polars_error(&at.name, at.span, e))?;
        let right_schema = right
            .collect_schema()
            .map_err(|e| ctx.polars_error(&at.name, at.span, e))?;
        for k in fields {
            let (Some(ldt), Some(rdt)) = (left.schema().get(k), right_schema.get(k)) else {
                continue;
            };
            if rdt != &DataType::String {
                continue;
            }
            let Some(values) = key_values(&left, k, ldt, at, ctx)? else {
                continue;
            };
            right = right.filter(col(k.as_str()).is_in(lit(values).implode(false), false));
        }
        lf = left.lazy();
    }
    let right = right
        .collect()
        .map_err(|e| ctx.polars_error(&at.name, at.span, e))?;
    let left_schema = schema_of(&mut lf, &at.name, at.span, ctx)?;
    let right_schema = right.schema().clone();
    let keys: Vec<String> = if fields.is_empty() {
        left_schema
            .iter_names()
            .filter(|n| right_schema.contains(n))
            .map(|n| n.to_string())
            .collect()
    } else {
        fields.to_vec()
    };
    let how = match kind {
        JoinKind::Inner => JoinType::Inner,
        JoinKind::Left => JoinType::Left,
    };
    let missing = keys.is_empty()
        || keys
            .iter()
            .any(|k| !left_schema.contains(k) || !right_schema.contains(k));
    if missing {
        // No result can match.
        return Ok(if how == JoinType::Inner {
            lf.filter(lit(false))
        } else {
            lf
        });
    }
    let text = |k: &String, schema: &polars::prelude::Schema| {
        let dt = schema.get(k).cloned().unwrap_or(DataType::String);
        crate::frame::text_expr(col(k.as_str()), &dt).alias(k.as_str())
    };
    if how == JoinType::Inner {
        // Only results whose (text) key is among the subsearch's keys can match: said as a
        // filter on the key, polars applies it before the main search's earlier steps where it
        // can (below a `tstats`/`stats` grouped by that field, down to the table scan), instead
        // of aggregating every event for a join that keeps a few.
        for k in &keys {
            if left_schema.get(k) != Some(&DataType::String) {
                continue;
            }
            let dt = right_schema.get(k).cloned().unwrap_or(DataType::String);
            let Some(values) = key_values(&right, k, &dt, at, ctx)? else {
                continue;
            };
            lf = lf.filter(col(k.as_str()).is_in(lit(values).implode(false), false));
        }
    }
    lf = lf.with_columns(
        keys.iter()
            .map(|k| text(k, &left_schema))
            .collect::<Vec<_>>(),
    );
    let mut r = right.lazy().with_columns(
        keys.iter()
            .map(|k| text(k, &right_schema))
            .collect::<Vec<_>>(),
    );
    if max == 1 {
        r = r.unique_stable(
            Some(polars::prelude::cols(
                keys.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            )),
            UniqueKeepStrategy::First,
        );
    } else if max > 1 {
        // The first `max` subsearch results of each key, in their order.
        let df = r
            .collect()
            .map_err(|e| ctx.polars_error(&at.name, at.span, e))?;
        let ranks = crate::frame::group_ranks(&df, &keys);
        r = crate::frame::filter_rows(&df, ranks.iter().map(|n| *n < max))
            .map_err(|e| ctx.polars_error(&at.name, at.span, e))?
            .lazy();
    }
    let on: Vec<_> = keys.iter().map(|k| col(k.as_str())).collect();
    // The main search's order, then the subsearch's: the same rows in the same order every run.
    let mut args = JoinArgs::new(how).with_suffix(Some(PlSmallStr::from_static(RIGHT_SUFFIX)));
    args.maintain_order = MaintainOrderJoin::LeftRight;
    let mut out = lf.join(r, on.clone(), on, args);
    // Overlapping fields: the subsearch's value wins where it has one.
    let overlap: Vec<String> = right_schema
        .iter_names()
        .filter(|n| left_schema.contains(n) && !keys.iter().any(|k| k == n.as_str()))
        .map(|n| n.to_string())
        .collect();
    if !overlap.is_empty() {
        let fixes: Vec<_> = overlap
            .iter()
            .map(|n| {
                let r = col(format!("{n}{RIGHT_SUFFIX}").as_str());
                when(r.clone().is_not_null())
                    .then(r)
                    .otherwise(col(n.as_str()))
                    .alias(n.as_str())
            })
            .collect();
        let drops: Vec<String> = overlap
            .iter()
            .map(|n| format!("{n}{RIGHT_SUFFIX}"))
            .collect();
        out = out.with_columns(fixes).drop(polars::prelude::cols(drops));
    }
    Ok(out)
}

/// The distinct non-null text values of the join key `k` (of type `dt`) in `df`; None when they
/// are not text (then no filter is derived from them).
fn key_values(
    df: &polars::prelude::DataFrame,
    k: &str,
    dt: &DataType,
    at: &At,
    ctx: &Context,
) -> Result<Option<polars::prelude::Series>, Diagnostic> {
    let values = df
        .clone()
        .lazy()
        .select([crate::frame::text_expr(col(k), dt).alias(k)])
        .drop_nulls(None)
        .unique(None, UniqueKeepStrategy::Any)
        .collect()
        .map_err(|e| ctx.polars_error(&at.name, at.span, e))?;
    Ok(values
        .column(k)
        .ok()
        .filter(|c| c.dtype() == &DataType::String)
        .map(|c| c.as_materialized_series().clone()))
}

//! `sort` (and `dedup ... sortby`): Splunk's automatic order puts numbers first (numerically),
//! then strings (lexicographically).

use crate::diagnostic::Diagnostic;
use crate::frame::schema_of;
use crate::plan::operator::At;
use crate::plan::SortKey;
use crate::runtime::Context;
use polars::prelude::{col, DataType, Expr, IdxSize, LazyFrame, Schema, SortMultipleOptions};

/// Sort expressions for one key: numbers first in numeric order, then strings lexicographically
/// (Splunk's automatic ordering).
pub(crate) fn key_exprs(key: &SortKey, dt: &DataType) -> Vec<(Expr, bool)> {
    let c = col(key.field.as_str());
    let desc = key.descending;
    let func = key.func.as_deref().unwrap_or("auto");
    if dt.is_primitive_numeric() || func == "num" {
        return vec![(c.cast(DataType::Float64), desc)];
    }
    if func == "str" {
        return vec![(c.cast(DataType::String), desc)];
    }
    // Numbers (non-null after the cast) before strings; each group in its own order.
    let num = c.clone().cast(DataType::Float64);
    vec![
        (num.clone().is_null(), false),
        (num, desc),
        (c.cast(DataType::String), desc),
    ]
}

/// Sort by the keys present in `schema` (a trailing `desc` reverses every key, `reverse`), stably.
pub(crate) fn sort_by(
    lf: LazyFrame,
    keys: &[SortKey],
    reverse: bool,
    schema: &Schema,
) -> LazyFrame {
    let mut exprs = Vec::new();
    let mut desc = Vec::new();
    for k in keys {
        if let Some(dt) = schema.get(&k.field) {
            for (e, d) in key_exprs(k, dt) {
                exprs.push(e);
                desc.push(d != reverse);
            }
        }
    }
    if exprs.is_empty() {
        return lf;
    }
    let n = exprs.len();
    let opts = SortMultipleOptions::default()
        .with_order_descending_multi(desc)
        .with_nulls_last_multi(vec![true; n])
        .with_maintain_order(true);
    lf.sort_by_exprs(exprs, opts)
}

/// `sort`: by the keys, then the first `limit` results (None: all).
pub(crate) fn sort(
    mut lf: LazyFrame,
    keys: &[SortKey],
    reverse: bool,
    limit: Option<u64>,
    at: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let schema = schema_of(&mut lf, &at.name, at.span, ctx)?;
    let lf = sort_by(lf, keys, reverse, &schema);
    Ok(match limit {
        None => lf,
        Some(n) => lf.limit(n.min(IdxSize::MAX as u64) as IdxSize),
    })
}

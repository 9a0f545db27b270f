//! `dedup`: the first N results of each combination of field values.

use crate::diagnostic::Diagnostic;
use crate::frame::{schema_of, select_patterns};
use crate::plan::operator::At;
use crate::plan::SortKey;
use crate::runtime::Context;
use polars::prelude::{col, lit, Expr, IntoLazy, LazyFrame, UniqueKeepStrategy};

/// What `dedup` keeps.
pub(crate) struct DedupSpec<'a> {
    pub fields: &'a [String],
    pub count: u64,
    pub keepempty: bool,
    pub consecutive: bool,
    pub sortby: &'a [SortKey],
}

/// The first `count` results (in result order) of each combination of values of the fields.
/// Results lacking a field are dropped, or all kept with `keepempty=true` (Search Reference,
/// dedup: "keepempty ... retains events that do not contain one or more of the fields"). Then
/// `sortby` orders what is left.
pub(crate) fn dedup(
    mut lf: LazyFrame,
    d: DedupSpec,
    at: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    if d.consecutive {
        return Err(ctx.error("`dedup consecutive=true` is not supported yet", at.span));
    }
    let schema = schema_of(&mut lf, &at.name, at.span, ctx)?;
    let keys = select_patterns(&schema, d.fields);
    if keys.len() < d.fields.len() && !d.keepempty {
        // A key field no result has: every result has a null key.
        return Ok(lf.filter(lit(false)));
    }
    let any_null: Expr = keys
        .iter()
        .map(|k| col(k.as_str()).is_null())
        .fold(lit(keys.len() < d.fields.len()), |a, b| a.or(b));
    if !d.keepempty {
        lf = lf.filter(any_null.clone().not());
    }
    if !keys.is_empty() && d.count <= 1 && !d.keepempty {
        let sel = polars::prelude::cols(keys.iter().map(|s| s.as_str()).collect::<Vec<_>>());
        lf = lf.unique_stable(Some(sel), UniqueKeepStrategy::First);
    } else if !keys.is_empty() {
        const NULL_KEY: &str = "__spelunk_dedup_null";
        let df = lf
            .with_column(any_null.alias(NULL_KEY))
            .collect()
            .map_err(|e| ctx.polars_error(&at.name, at.span, e))?;
        let ranks = crate::frame::group_ranks(&df, &keys);
        let nulls = df
            .column(NULL_KEY)
            .and_then(|c| c.bool().cloned())
            .map_err(|e| ctx.polars_error(&at.name, at.span, e))?;
        let keep = ranks
            .iter()
            .zip(nulls.iter())
            .map(|(r, null)| *r < d.count.max(1) || (d.keepempty && null == Some(true)));
        lf = crate::frame::filter_rows(&df, keep)
            .map_err(|e| ctx.polars_error(&at.name, at.span, e))?
            .drop(NULL_KEY)
            .map_err(|e| ctx.polars_error(&at.name, at.span, e))?
            .lazy();
    }
    if !d.sortby.is_empty() {
        let schema = schema_of(&mut lf, &at.name, at.span, ctx)?;
        lf = super::sort::sort_by(lf, d.sortby, false, &schema);
    }
    Ok(lf)
}

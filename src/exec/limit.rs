//! `head` and `tail`: the first or last N results; `head <expr>`: results while it holds.

use crate::diagnostic::Diagnostic;
use crate::frame::schema_of;
use crate::plan::operator::At;
use crate::plan::Scalar;
use crate::runtime::Context;
use polars::prelude::{IdxSize, IntoLazy, LazyFrame};

/// The first `count` results, or the last `count` with the last first (`tail`).
pub(crate) fn limit(lf: LazyFrame, count: u64, from_end: bool) -> LazyFrame {
    let n = count.min(IdxSize::MAX as u64) as IdxSize;
    if from_end {
        lf.tail(n).reverse()
    } else {
        lf.limit(n)
    }
}

/// `head <expr>`: the results up to the first for which the expression is false (that one too
/// with `keeplast=true`); a null value counts as `null_true`.
pub(crate) fn take_while(
    mut lf: LazyFrame,
    condition: &Scalar,
    keeplast: bool,
    null_true: bool,
    at: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let schema = schema_of(&mut lf, &at.name, at.span, ctx)?;
    let ectx = crate::expr::eval::EvalContext {
        schema: &schema,
        source: &ctx.text,
        now: ctx.now,
        tz: &ctx.tz,
    };
    const HOLDS: &str = "__spelunk_head_holds";
    let value = crate::expr::eval::compile_scalar_predicate(condition, &ectx, null_true)?;
    let df = lf
        .with_column(value.alias(HOLDS))
        .collect()
        .map_err(|e| ctx.polars_error(&at.name, at.span, e))?;
    let holds = df
        .column(HOLDS)
        .and_then(|c| c.bool().cloned())
        .map_err(|e| ctx.polars_error(&at.name, at.span, e))?;
    // The results before the first that does not hold (and that one with keeplast).
    let stop = holds
        .iter()
        .position(|h| h != Some(true))
        .map(|i| if keeplast { i + 1 } else { i })
        .unwrap_or(df.height());
    Ok(df
        .head(Some(stop))
        .drop(HOLDS)
        .map_err(|e| ctx.polars_error(&at.name, at.span, e))?
        .lazy())
}

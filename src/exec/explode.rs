//! `mvexpand`: one result per value of a multivalue field.

use crate::diagnostic::Diagnostic;
use crate::frame::schema_of;
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::{col, lit, DataType, LazyFrame};

/// One result per value of `field` (the first `limit` values at most); a single-valued field
/// leaves the results as they are.
pub(crate) fn explode(
    mut lf: LazyFrame,
    field: &str,
    limit: Option<u64>,
    at: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let schema = schema_of(&mut lf, &at.name, at.span, ctx)?;
    match schema.get(field) {
        Some(DataType::List(_)) => {
            if let Some(n) = limit {
                lf = lf.with_column(col(field).list().head(lit(n as i64)));
            }
            let opts = polars::prelude::ExplodeOptions {
                empty_as_null: true,
                keep_nulls: true,
            };
            Ok(lf.explode(polars::prelude::cols([field]), opts))
        }
        _ => Ok(lf),
    }
}

//! `table` and `fields`: choose columns by field-name patterns.

use crate::diagnostic::Diagnostic;
use crate::frame::{schema_of, select_patterns};
use crate::plan::operator::At;
use crate::plan::ProjectMode;
use crate::runtime::Context;
use polars::prelude::{col, LazyFrame};

/// `table`: only the matching fields, in the order of the patterns. `fields +`: the matching
/// fields and the internal `_time`/`_raw`. `fields -`: every field but the matching ones.
pub(crate) fn project(
    mut lf: LazyFrame,
    patterns: &[String],
    mode: ProjectMode,
    at: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let schema = schema_of(&mut lf, &at.name, at.span, ctx)?;
    let chosen = select_patterns(&schema, patterns);
    let keep: Vec<_> = match mode {
        ProjectMode::Table => chosen.iter().map(|n| col(n.as_str())).collect(),
        ProjectMode::Remove => schema
            .iter_names()
            .filter(|n| !chosen.iter().any(|c| c == n.as_str()))
            .map(|n| col(n.as_str()))
            .collect(),
        ProjectMode::Keep => {
            let mut k = chosen.clone();
            for internal in ["_time", "_raw"] {
                if schema.contains(internal) && !k.iter().any(|x| x == internal) {
                    k.push(internal.to_string());
                }
            }
            k.iter().map(|n| col(n.as_str())).collect()
        }
    };
    Ok(lf.select(keep))
}

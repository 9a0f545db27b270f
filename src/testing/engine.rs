//! The one place the test runner and the conformance runs call the search engine.
//!
//! Everything above this function (planning, replay caching, reports) is independent of how the
//! engine is organised: after an engine refactor, only this function needs re-pointing.

use crate::diagnostic::Diagnostic;
use crate::exec::{self, Context, SourceCache};
use crate::lookups::LookupLibrary;
use crate::macros::MacroLibrary;
use crate::store::Store;
use polars::prelude::DataFrame;

/// Expand, parse and run one search over a store; the results.
///
/// `cache`: the tables already read from this store, shared by the searches run over it.
///
/// A search that applies an MLTK model spelunk ships the baseline of (`baselines/`) gets it
/// fitted first, over the same store: always, in a registry of its own, for a store in memory
/// (each detection's model is fitted over its own data, whatever runs alongside); only when the
/// model is missing for a store on disk (a model fitted there is kept).
pub fn run_search(
    search: &str,
    macros: &MacroLibrary,
    lookups: &LookupLibrary,
    store: &Store,
    cache: Option<&SourceCache>,
) -> Result<DataFrame, Diagnostic> {
    let (expanded, plan) = crate::plan_search(search, macros)?;
    let mut ctx = Context::new(store, expanded, macros.clone());
    ctx.cache = cache;
    ctx.lookups = lookups.clone();
    let baselines = crate::mltk::baselines::needed_by(&ctx.text);
    if !baselines.is_empty() && !ctx.models.on_disk() {
        ctx.models = crate::mltk::Models::private();
    }
    for b in baselines {
        if ctx.models.on_disk() && ctx.models.exists(&b.model) {
            continue;
        }
        let (text, fit) = crate::plan_search(&b.search, macros)?;
        let mut bctx = ctx.with_text(text);
        bctx.models = ctx.models.clone();
        exec::run(&fit, &bctx).map_err(|e| {
            let mut d = Diagnostic::new(format!(
                "the baseline search \"{}\" (which fits model `{}`) failed: {}",
                b.name,
                b.model,
                e.message.lines().next().unwrap_or("")
            ));
            d.notes = e.notes;
            d
        })?;
    }
    exec::run(&plan, &ctx)
}

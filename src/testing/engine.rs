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
    exec::run(&plan, &ctx)
}

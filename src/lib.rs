//! spelunk: a Splunk-compatible search interpreter.
//!
//! Stages, data flowing one way (see ARCHITECTURE.md):
//! macro expansion (text, [`macros`]) → syntax (pest grammar → typed AST, [`syntax`]) → commands
//! (one file per SPL command, each lowering itself, [`commands`]) → plan (relational IR, [`plan`])
//! → backend ([`exec`], polars) → [`output`];
//! ingest (readers per format) → knowledge (field extraction, CIM mapping) → store.

pub mod cli;
pub mod commands;
pub mod conformance;
pub mod corpus;
pub mod detection;
pub mod diagnostic;
pub mod exec;
pub mod expr;
pub mod frame;
pub mod ingest;
pub mod knowledge;
pub mod lint;
pub mod lookups;
pub mod macros;
pub mod mltk;
pub mod output;
pub mod plan;
pub mod runtime;
pub mod sql;
pub mod store;
pub mod syntax;
pub mod testing;
#[cfg(test)]
pub(crate) mod testkit;

use diagnostic::Diagnostic;
use macros::MacroLibrary;
use syntax::ast::Pipeline;

/// Expand macros and parse: the front end in one call.
///
/// Errors in macro expansion point into the text as written; syntax errors point into the
/// expanded search (its origin reads `expanded search` when expansion changed the text).
pub fn parse_search(spl: &str, macros: &MacroLibrary) -> Result<(String, Pipeline), Diagnostic> {
    let expanded = macros::expand(spl, macros)?;
    match syntax::parse(&expanded) {
        Ok(p) => Ok((expanded, p)),
        Err(e) if expanded != spl => Err(e.origin("expanded search")),
        Err(e) => Err(e),
    }
}

/// Expand macros, parse and plan: the front end in one call. The plan's columns are resolved
/// without a store (see [`plan::resolve::resolve_with`] for one).
pub fn plan_search(spl: &str, macros: &MacroLibrary) -> Result<(String, plan::Plan), Diagnostic> {
    let (expanded, pipeline) = parse_search(spl, macros)?;
    let plan = commands::lower_pipeline(&pipeline, &expanded)?;
    Ok((expanded, plan))
}

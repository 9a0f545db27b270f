//! Operators: commands whose output columns depend on the data (`spath`, `rex`, `transaction`,
//! `map`, ...). Each is implemented in its command's file and runs on the polars backend only;
//! a backend that cannot run one (SQL) reports it by name.

use super::ir::Columns;
use crate::diagnostic::{Diagnostic, Span};
use crate::runtime::Context;
use polars::prelude::LazyFrame;

/// Where an operator stands in the search: its command name and span (errors point at it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct At {
    pub name: String,
    pub span: Span,
}

/// A command the relational IR does not express; it transforms results itself.
pub trait Operator: std::fmt::Debug + Send + Sync {
    /// One line for `explain`: the command and its arguments.
    fn describe(&self) -> String;

    /// The output columns, given the input's. The default: the input's columns, and possibly
    /// more that depend on the data.
    fn columns(&self, input: &Columns) -> Columns {
        Columns::Open(input.names().to_vec())
    }

    /// Plans this operator runs (subsearches), for `explain`.
    fn subplans(&self) -> Vec<&super::Plan> {
        Vec::new()
    }

    /// The operator itself, for a backend that expresses some operators another way (the SQL
    /// backend reads `inputlookup`'s table and options); None: only the polars backend runs it.
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }

    /// Run on the polars backend.
    fn run(&self, input: LazyFrame, at: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic>;
}

//! The plan: what a search computes, independent of how it runs.
//!
//! - [`ir`]: the relational IR, a tree of [`Node`]s (scan, filter, compute, project, aggregate,
//!   window, sort, limit, dedup, union, join, explode, lookup, and opaque operators);
//! - [`expr`]: scalar expressions ([`Scalar`], the eval language) and search predicates
//!   ([`Predicate`]);
//! - [`functions`]: the eval and stats function table (names, arity, docs);
//! - [`resolve`]: the output columns of each node, known before any data is read;
//! - [`explain`]: the plan as an indented tree (`spelunk explain`);
//! - [`order`]: event searches newest first, and where that order can be left out.
//!
//! Commands lower themselves to the IR in `src/commands/`; backends (`src/exec/` for polars)
//! run plans.

pub mod explain;
pub mod expr;
pub mod functions;
pub mod ir;
pub mod operator;
pub mod order;
pub mod resolve;

pub use expr::{Predicate, Scalar};
pub use ir::{
    AggCall, AggInput, Columns, JoinKind, LookupSpec, Node, NullGroups, Op, Plan, ProjectMode,
    Scan, SortKey, WindowFrame,
};

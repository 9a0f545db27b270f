//! spelunk: a Splunk-compatible search interpreter.
//!
//! Stages, data flowing one way:
//! macro expansion (text) → syntax (pest grammar → typed AST) → plan → commands → output;
//! ingest (readers per format) → knowledge (field extraction, CIM mapping) → store.

pub mod cli;
pub mod ingest;
pub mod knowledge;
pub mod store;

//! Expressions compiled to polars: the search language ([`search`]) and the eval language
//! (`eval`, `where`).
//!
//! Value conventions shared by every stage of the engine (Splunk's dynamic typing on columns):
//! - a field is a column; a missing field is a missing column or a null;
//! - extracted fields are `String`; `_time` is `Float64` epoch seconds; aggregates and eval
//!   arithmetic give `Float64`/`Int64`; comparisons give `Boolean`;
//! - a multivalue field is `List(String)`.

pub mod eval;
pub mod functions;
pub mod pattern;
pub mod pcre;
pub mod search;
pub mod time;
pub mod value;

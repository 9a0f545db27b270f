//! Test helpers: run SPL over a frame with an empty in-memory store, UTC and a fixed `now`.

use crate::diagnostic::Diagnostic;
use crate::macros::MacroLibrary;
use crate::runtime::Context;
use crate::store::Store;
use polars::prelude::*;

/// Run SPL (starting with `| command`) over a frame.
pub fn run_on(df: DataFrame, spl: &str) -> DataFrame {
    try_run_on(df, spl).unwrap_or_else(|e| panic!("{e}"))
}

/// Like [`run_on`], returning the error. `iplocation` reads the tests' sample City database
/// ([`crate::lookups::geoip::writer::sample_city_database`]).
pub fn try_run_on(df: DataFrame, spl: &str) -> Result<DataFrame, Diagnostic> {
    let mut lookups = crate::lookups::LookupLibrary::default();
    let db = crate::lookups::geoip::GeoIp::from_bytes(
        crate::lookups::geoip::writer::sample_city_database(),
        std::path::Path::new("sample-city.mmdb"),
    )
    .map_err(Diagnostic::new)?;
    lookups.set_geoip(db);
    try_run_with(df, spl, lookups)
}

/// The fixture lookups of `tests/fixtures/lookups`.
pub fn fixture_lookups() -> crate::lookups::LookupLibrary {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lookups");
    crate::lookups::LookupLibrary::with_dirs(&[dir]).unwrap_or_else(|e| panic!("{e}"))
}

/// Like [`run_on`], with the fixture lookups.
pub fn run_with_lookups(df: DataFrame, spl: &str) -> DataFrame {
    try_run_with_lookups(df, spl).unwrap_or_else(|e| panic!("{e}"))
}

/// Like [`try_run_on`], with the fixture lookups.
pub fn try_run_with_lookups(df: DataFrame, spl: &str) -> Result<DataFrame, Diagnostic> {
    try_run_with(df, spl, fixture_lookups())
}

/// Run SPL over a frame with the given lookups: parse, plan, run with the frame as the input.
pub fn try_run_with(
    df: DataFrame,
    spl: &str,
    lookups: crate::lookups::LookupLibrary,
) -> Result<DataFrame, Diagnostic> {
    let store = Store::in_memory();
    let p = crate::syntax::parse(spl)?;
    let plan = crate::commands::lower_pipeline(&p, spl)?;
    let mut ctx = Context::new(&store, spl.to_string(), MacroLibrary::builtin());
    ctx.now = 1_700_000_000.0;
    ctx.lookups = lookups;
    ctx.run_plan_on(df.lazy(), &plan)?
        .collect()
        .map_err(|e| Diagnostic::new(e.to_string()))
}

//! Helpers shared by the ingest tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared` (the reference corpus) relative to the crate root, or None — with a visible
/// message — when it is absent. With `SPELUNK_REQUIRE_SHARED=1` its absence fails the test.
pub fn shared_dir() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if p.is_dir() {
        return Some(p);
    }
    if std::env::var("SPELUNK_REQUIRE_SHARED").is_ok_and(|v| v == "1") {
        panic!("../shared not found and SPELUNK_REQUIRE_SHARED=1");
    }
    eprintln!("skipping: ../shared not found");
    None
}

/// A fixture under tests/fixtures/ingest.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ingest")
        .join(name)
}

/// A fresh, empty temporary folder.
pub fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("spelunk-test-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

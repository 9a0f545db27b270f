//! Helpers shared by integration tests.
#![allow(dead_code)]

pub mod pipelines;

use std::path::PathBuf;

/// `../shared` beside the project, if present.
///
/// A user's fresh clone has no `../shared`: tests that need it skip with a visible message. CI sets
/// `SPELUNK_REQUIRE_SHARED=1`, which turns a missing `../shared` into a failure.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("SPELUNK_REQUIRE_SHARED").as_deref() == Ok("1") {
        panic!(
            "SPELUNK_REQUIRE_SHARED=1 but {} does not exist",
            dir.display()
        );
    }
    eprintln!("skipping: ../shared not found (set SPELUNK_REQUIRE_SHARED=1 to require it)");
    None
}

/// The project root.
pub fn project_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
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

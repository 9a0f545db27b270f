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

/// The models of security_content's five DSDL detections.
pub const DSDL_MODELS: [&str; 5] = [
    "pretrained_dga_model_dsdl",
    "detect_dns_data_exfiltration_using_pretrained_model_in_dsdl",
    "detect_suspicious_dns_txt_records_using_pretrained_model_in_dsdl",
    "detect_suspicious_processnames_using_pretrained_model_in_dsdl",
    "unusual_commandline_detection",
];

/// The shell command of the tests' stand-in DSDL scorer (tests/fixtures/dsdl/stand_in_scorer.py:
/// character statistics, not DSDL's pretrained networks).
pub fn stand_in_dsdl_command() -> String {
    let script = project_dir().join("tests/fixtures/dsdl/stand_in_scorer.py");
    format!("python3 '{}'", script.display())
}

/// Scorers for the five DSDL models, all served by the stand-in scorer.
pub fn stand_in_dsdl_scorers() -> spelunk::mltk::dsdl::Scorers {
    use spelunk::mltk::dsdl::{Program, Scorer};
    let map = DSDL_MODELS
        .iter()
        .map(|m| {
            (
                m.to_string(),
                Scorer {
                    program: Program::Shell {
                        command: stand_in_dsdl_command(),
                        dir: None,
                    },
                    origin: "the tests' stand-in scorer".into(),
                },
            )
        })
        .collect();
    spelunk::mltk::dsdl::Scorers::new(map)
}

//! security_content's lookups: every definition loads, every table that exists reads, and
//! detections that use `lookup` run to completion over the bundled sample dataset.

mod common;

use spelunk::lookups::{LookupLibrary, LookupSource};
use std::process::Command;

#[test]
fn every_security_content_lookup_loads() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let dir = shared.join("corpus/security_content/lookups");
    let lib = LookupLibrary::with_dirs(&[dir]).expect("lookups folder");
    assert!(lib.rejected.is_empty(), "rejected: {:?}", lib.rejected);
    assert!(lib.len() >= 70, "only {} definitions", lib.len());
    let mut read = 0;
    for def in lib.definitions() {
        match (&def.source, def.table()) {
            (_, Ok(t)) => {
                assert!(!t.columns.is_empty(), "{}: no columns", def.name);
                read += 1;
            }
            (LookupSource::Csv(path), Err(e)) => {
                // A missing or unreadable file errors, naming the lookup and the file.
                assert!(!path.is_file() || e.contains("LFS"), "{}: {e}", def.name);
                assert!(e.contains(&format!("`{}`", def.name)), "{e}");
                let fname = path.file_name().and_then(|f| f.to_str()).unwrap_or("");
                assert!(e.contains(fname), "{e}");
            }
            (LookupSource::Unsupported { .. } | LookupSource::External { .. }, Err(e)) => {
                assert!(e.contains(&def.name), "{e}");
            }
            (LookupSource::KvStore { .. }, Err(e)) => panic!("{}: {e}", def.name),
        }
    }
    assert!(read >= 70, "only {read} tables read");
    // The tables detections use most.
    for name in [
        "is_windows_system_file",
        "remote_access_software",
        "lolbas_file_path",
        "char_conversion_matrix",
    ] {
        let def = lib.get(name).unwrap_or_else(|| panic!("{name} missing"));
        let t = def.table().unwrap_or_else(|e| panic!("{e}"));
        assert!(t.rows.len() > 10, "{name}: {} rows", t.rows.len());
    }
}

fn run_detection(rel: &str) -> (Option<i32>, String, String) {
    let shared = common::project_dir().join("../shared");
    let det = shared.join("corpus/security_content").join(rel);
    let out = Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(["run", "--format", "json", "-f"])
        .arg(&det)
        .output()
        .expect("run spelunk");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn detections_using_lookup_run_over_the_sample() {
    if common::shared_dir().is_none() {
        return;
    }
    // `is_windows_system_file_macro` (lookup ... OUTPUT systemFile | search systemFile=true) and
    // two lookups of lolbas_file_path with WILDCARD columns; the checkout's lookups/ loads
    // automatically because -f names a detection inside it.
    for rel in [
        "detections/endpoint/system_processes_run_from_unexpected_locations.yml",
        "detections/endpoint/windows_lolbas_executed_outside_expected_path.yml",
    ] {
        let (code, stdout, stderr) = run_detection(rel);
        assert_eq!(code, Some(0), "{rel}: {stderr}");
        let rows: serde_json::Value = serde_json::from_str(&stdout).expect("json");
        assert!(rows.is_array(), "{rel}: {stdout}");
    }
}

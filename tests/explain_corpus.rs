//! `spelunk explain` over the whole security_content corpus (needs ../shared): every detection
//! that runs over the sample has a plan, printed as a tree and as JSON; the ones that do not plan
//! fail for a named, unsupported command or function, never for an internal error.

mod common;

use spelunk::detection::{find_detections, Detection};
use spelunk::macros::MacroLibrary;
use std::collections::BTreeMap;

#[test]
fn every_corpus_detection_that_runs_has_a_plan() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let root = shared.join("corpus/security_content");
    let lib = MacroLibrary::with_dirs(&[root.join("macros")]).expect("macros");
    let (mut planned, mut total) = (0, 0);
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for f in find_detections(&root) {
        let Ok(d) = Detection::load(&f) else { continue };
        total += 1;
        match spelunk::plan_search(&d.search, &lib) {
            Ok((expanded, plan)) => {
                planned += 1;
                let text = spelunk::cli::explain::render(&expanded, &plan);
                assert!(text.contains("plan:\n"), "{}", f.display());
                assert!(
                    text.contains("Scan") || text.contains("Empty"),
                    "{}: {text}",
                    f.display()
                );
                let json = spelunk::plan::explain::json(&plan);
                assert!(json["op"].is_string(), "{}", f.display());
            }
            Err(e) => {
                let m = e.message.clone();
                assert!(
                    m.starts_with("unsupported") || m.contains("not supported"),
                    "{}: {m}",
                    f.display()
                );
                let key: String = m.split(':').next().unwrap_or(&m).to_string();
                *reasons.entry(key).or_default() += 1;
            }
        }
    }
    eprintln!("explain: {planned} of {total} corpus detections plan; not planned: {reasons:?}");
    let base: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::project_dir().join("tests/conformance_baseline.json"))
            .expect("baseline"),
    )
    .expect("baseline json");
    let ran = base["corpus_over_sample_ran"].as_u64().expect("count") as usize;
    assert!(
        planned >= ran,
        "{planned} detections plan, fewer than the {ran} that run over the sample"
    );
}

#[test]
fn explain_cli_prints_the_tree_and_json() {
    let bin = env!("CARGO_BIN_EXE_spelunk");
    let spl = "index=main EventCode=1 | eval x=lower(Image) | stats count by host | sort - count";
    let out = std::process::Command::new(bin)
        .args(["explain", spl])
        .output()
        .expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for want in [
        "Sort (sort)",
        "Aggregate (stats) count BY host",
        "Compute (eval) x=lower(Image)",
        "Scan (search) events",
        "columns: [host, count]",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    let out = std::process::Command::new(bin)
        .args(["explain", "--format", "json", spl])
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["plan"]["op"], "Sort");
    assert_eq!(
        v["plan"]["inputs"][0]["columns"],
        serde_json::json!(["host", "count"])
    );
    // An unsupported command is an error naming it, with its position.
    let out = std::process::Command::new(bin)
        .args(["explain", "| mstats avg(cpu) WHERE index=metrics"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unsupported command `mstats`") && err.contains('^'),
        "{err}"
    );
}

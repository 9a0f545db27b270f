//! `spelunk lint` end to end: each rule on a fixture detection, with its rule name and a caret
//! at its place; JSON; exit statuses; the corpus when ../shared is present.

mod common;

use serde_json::Value;
use std::process::{Command, Output, Stdio};

fn spelunk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(args)
        .current_dir(common::project_dir())
        .stdin(Stdio::null())
        .output()
        .expect("run spelunk")
}

const LINT: &str = "tests/fixtures/testrunner/lint";

fn text(o: &Output) -> String {
    format!(
        "{}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn a_detection_that_can_never_fire_gets_each_finding_with_a_caret() {
    let det = format!("{LINT}/detections/endpoint/never_fires.yml");
    let out = spelunk(&["lint", &det]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let t = String::from_utf8_lossy(&out.stdout);
    // The typo, with its caret under `Processes.proces_name` and the field it meant.
    let i = t
        .find("error[datamodel-field]: `Processes.proces_name` is not a field of the Endpoint data model")
        .unwrap_or_else(|| panic!("{t}"));
    let block: Vec<&str> = t[i..].lines().take(6).collect();
    let code = block[3];
    let caret = block[4];
    let col = caret.find('^').expect("caret");
    assert_eq!(
        &code[col..col + "Processes.proces_name".len()],
        "Processes.proces_name",
        "{}",
        block.join("\n")
    );
    assert!(block[5].contains("did you mean `Processes.process_name`?"));
    for rule in [
        "error[missing-filter-macro]: the search does not call `never_fires_filter`",
        "error[undefined-macro]: undefined macro `not_a_macro` (1 argument(s))",
        "error[undefined-lookup]: undefined lookup `no_such_lookup`",
        "error[where-case]: `action` is never \"Allowed\"",
        "warning[tstats-summariesonly]",
        "error[test-dataset-missing]: test `True Positive Test` names a dataset that is not on disk: data/not_here.log",
    ] {
        assert!(t.contains(rule), "{rule} missing from:\n{t}");
    }
    assert!(
        t.contains("--> detections/endpoint/never_fires.yml (search):1:"),
        "{t}"
    );
}

#[test]
fn lint_json_gives_rule_severity_and_position() {
    let out = spelunk(&["lint", LINT, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["detections"], 3);
    let findings = v["findings"].as_array().unwrap();
    let typo = findings
        .iter()
        .find(|f| f["rule"] == "datamodel-field")
        .expect("datamodel-field");
    assert_eq!(typo["severity"], "error");
    assert_eq!(typo["file"], "detections/endpoint/never_fires.yml");
    assert_eq!(typo["line"], 1);
    assert!(typo["column"].as_u64().unwrap() > 1);
    let unknown = findings
        .iter()
        .find(|f| f["rule"] == "unknown-sourcetype")
        .expect("unknown-sourcetype");
    assert_eq!(unknown["severity"], "warning");
    assert_eq!(unknown["file"], "detections/endpoint/unknown_source.yml");
    // The clean detection has no finding.
    assert!(!findings
        .iter()
        .any(|f| f["file"] == "detections/endpoint/clean_detection.yml"));
}

#[test]
fn warnings_alone_exit_0_and_errors_exit_1_and_usage_errors_2() {
    let clean = format!("{LINT}/detections/endpoint/clean_detection.yml");
    let out = spelunk(&["lint", &clean]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 error(s), 0 warning(s)"));
    let only_warning = format!("{LINT}/detections/endpoint/unknown_source.yml");
    let out = spelunk(&["lint", &only_warning]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = spelunk(&["lint", "tests/fixtures/testrunner/nothing_here"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn the_corpus_lints_in_one_run_with_few_errors() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let sc = shared.join("corpus/security_content");
    let out = spelunk(&[
        "lint",
        "--content",
        &sc.display().to_string(),
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", text(&out)));
    assert_eq!(v["detections"], 1711);
    let errors = v["errors"].as_u64().unwrap();
    eprintln!("corpus lint: {errors} errors, {} warnings", v["warnings"]);
    // Every error of this snapshot is a lookup it does not ship (no false positives from the
    // macro, filter and field rules on Splunk's own content).
    for f in v["findings"].as_array().unwrap() {
        if f["severity"] == "error" {
            assert_eq!(f["rule"], "undefined-lookup", "{f}");
        }
    }
    assert_eq!(out.status.code(), Some(if errors > 0 { 1 } else { 0 }));
}

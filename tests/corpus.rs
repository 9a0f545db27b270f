//! Conformance over the security_content corpus (needs ../shared; CI requires it).

mod common;

use spelunk::corpus::{check_corpus, Baseline};
use spelunk::macros::MacroLibrary;

#[test]
fn every_detection_expands_and_parses_with_no_generic_nodes() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let report = check_corpus(&shared.join("corpus/security_content"), &[]).expect("corpus");
    assert_eq!(report.detections, 1711);
    let first: Vec<String> = report
        .failures
        .iter()
        .take(5)
        .map(|f| f.detail.clone())
        .collect();
    assert!(report.failures.is_empty(), "{}", first.join("\n"));
    assert_eq!(report.parsed, 1711);
    assert_eq!(report.generic_commands, 0);
    let base: Baseline = serde_json::from_str(
        &std::fs::read_to_string(common::project_dir().join("tests/corpus_baseline.json"))
            .expect("baseline"),
    )
    .expect("baseline json");
    assert!(
        report.regressions(&base).is_empty(),
        "{:?}",
        report.regressions(&base)
    );
}

#[test]
fn the_seed_search_expands_and_parses() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let seed = std::fs::read_to_string(
        shared.join("seed/credential_dumping_via_symlink_to_shadow_copy.md"),
    )
    .expect("seed");
    // The search is the fenced block under "#### Search".
    let after = seed.split("#### Search").nth(1).expect("search heading");
    let search = after.split("```").nth(1).expect("fenced search").trim();
    let lib =
        MacroLibrary::with_dirs(&[shared.join("corpus/security_content/macros")]).expect("macros");
    let (expanded, pipeline) = spelunk::parse_search(search, &lib).expect("seed parses");
    assert!(expanded.starts_with(
        "| tstats summariesonly=false allow_old_summaries=true fillnull_value=null count"
    ));
    let names: Vec<&str> = pipeline.commands.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        vec!["tstats", "rename", "convert", "convert", "search"]
    );
}

//! Conformance figures of the execution engine (need ../shared; CI requires it). Each figure may
//! only go up: tests/conformance_baseline.json records the floor.

mod common;

use spelunk::conformance::{read_pairs, run_list, run_pairs};
use spelunk::ingest::Input;
use spelunk::lookups::LookupLibrary;
use spelunk::macros::MacroLibrary;
use spelunk::store::{ReplayOptions, Store};

fn baseline(key: &str) -> usize {
    let text =
        std::fs::read_to_string(common::project_dir().join("tests/conformance_baseline.json"))
            .expect("baseline");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    v[key].as_u64().expect("number") as usize
}

/// Run detections over the bundled sample dataset, replayed in memory, with the checkout's
/// lookups.
fn run_over_sample(
    paths: &[std::path::PathBuf],
    root: &std::path::Path,
    lib: &MacroLibrary,
) -> spelunk::conformance::Report {
    let mut store = Store::in_memory();
    let sample = common::project_dir().join("datasets/sample/dataset.yml");
    store
        .replay(&[Input::new(sample)], &ReplayOptions::default())
        .expect("replay");
    let mut lookups = LookupLibrary::with_dirs(&[root.join("lookups")]).expect("lookups");
    // `iplocation` reads a small City database built by the tests (spelunk ships no GeoIP data).
    let db = spelunk::lookups::geoip::GeoIp::from_bytes(
        spelunk::lookups::geoip::writer::sample_city_database(),
        std::path::Path::new("sample-city.mmdb"),
    )
    .expect("sample database");
    lookups.set_geoip(db);
    // DSDL models are scored by the tests' stand-in scorer (character statistics, not DSDL's
    // pretrained networks), the way a user configures `--dsdl-model NAME=COMMAND`.
    lookups.dsdl = common::stand_in_dsdl_scorers();
    let report = run_list(paths, lib, &lookups, &store);
    eprintln!("{report}");
    report
}

#[test]
fn endpoint_processes_detections_run_over_the_bundled_sample() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let root = shared.join("corpus/security_content");
    let lib = MacroLibrary::with_dirs(std::slice::from_ref(&root)).expect("macros");
    let list = std::fs::read_to_string(root.join("endpoint_processes_sysmon.tsv")).expect("list");
    let paths: Vec<_> = list
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .map(|p| root.join(p))
        .collect();
    assert_eq!(paths.len(), 449);
    let report = run_over_sample(&paths, &root, &lib);
    assert!(
        report.ran * 100 >= report.total * 95,
        "{} of {} ran",
        report.ran,
        report.total
    );
    assert!(
        report.ran >= baseline("endpoint_processes_over_sample_ran"),
        "{} ran, below the baseline",
        report.ran
    );
    // The seed detection finds the sample's mklink event.
    let seed = report
        .outcomes
        .iter()
        .find(|o| {
            o.detection
                .ends_with("credential_dumping_via_symlink_to_shadow_copy.yml")
        })
        .expect("seed in list");
    assert_eq!(seed.rows, Some(1));
}

#[test]
fn every_corpus_detection_runs_over_the_bundled_sample() {
    // Breadth: the whole corpus (1,711 detections, every data source), not only
    // Endpoint.Processes. What fails is listed by reason (mostly GeoIP, MLTK and metrics).
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let root = shared.join("corpus/security_content");
    let lib = MacroLibrary::with_dirs(std::slice::from_ref(&root)).expect("macros");
    let paths = spelunk::detection::find_detections(&root);
    assert!(paths.len() >= 1700, "{} detections", paths.len());
    let report = run_over_sample(&paths, &root, &lib);
    assert!(
        report.ran >= baseline("corpus_over_sample_ran"),
        "{} ran, below the baseline",
        report.ran
    );
    // An engine failure is a bug, never an accepted reason.
    assert!(
        !report.reasons.keys().any(|r| r.contains("internal error")),
        "{:?}",
        report.reasons.keys().collect::<Vec<_>>()
    );
}

#[test]
fn detection_dataset_pairs_return_results() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let root = shared.join("corpus/security_content");
    let lib = MacroLibrary::with_dirs(std::slice::from_ref(&root)).expect("macros");
    let pairs = read_pairs(
        &shared.join("corpus/attack_data/DETECTIONS.tsv"),
        &root,
        &shared.join("corpus/attack_data"),
    )
    .expect("pairs");
    assert_eq!(pairs.len(), 23);
    let lookups = LookupLibrary::with_dirs(&[root.join("lookups")]).expect("lookups");
    let report = run_pairs(&pairs, &lib, &lookups);
    eprintln!("{report}");
    for o in &report.outcomes {
        eprintln!(
            "{:>5} {}",
            o.rows
                .map(|r| r.to_string())
                .unwrap_or_else(|| "error".into()),
            o.detection
        );
    }
    assert!(
        report.with_results >= baseline("pairs_with_results"),
        "{} pairs with results, below the baseline",
        report.with_results
    );
    assert!(
        report.tested_with_results >= baseline("pairs_tested_with_results"),
        "{} tested pairs with results, below the baseline",
        report.tested_with_results
    );
    // Two detections carry `manual_test` (Splunk's CI skips them); pingid's second dataset is
    // not in ../shared and is reported as missing rather than silently left out.
    assert_eq!(report.manual_tests, 2);
    assert_eq!(report.tested + report.manual_tests, 23);
    assert!(report
        .outcomes
        .iter()
        .any(|o| o.detection.contains("pingid")
            && o.missing.iter().any(|m| m.ends_with("pingid.log"))));
}

#[test]
fn a_detection_runs_over_the_datasets_its_own_tests_name() {
    // The fixture checkout's seed detection names the bundled sample in its `tests:`
    // (a path relative to the data root): no ../shared needed.
    let project = common::project_dir();
    let root = project.join("tests/fixtures/security_content");
    let lib = MacroLibrary::with_dirs(std::slice::from_ref(&root)).expect("macros");
    let lookups = LookupLibrary::builtin();
    let seed = root.join("detections/endpoint/credential_dumping_via_symlink_to_shadow_copy.yml");
    let (pairs, untested) =
        spelunk::conformance::pairs_from_tests(&[seed, project.join("README.md")], &project);
    assert_eq!(untested.len(), 1, "README.md has no tests");
    assert_eq!(pairs.len(), 1);
    assert!(pairs[0]
        .dataset
        .ends_with("datasets/sample/windows-events.log"));
    let report = run_pairs(&pairs, &lib, &lookups);
    assert_eq!(report.outcomes[0].rows, Some(1), "{report}");
    assert_eq!(report.tested_with_results, 1);
    // A dataset that is not on disk is an error saying so, not "no results".
    let mut gone = pairs.clone();
    gone[0].dataset = project.join("datasets/nope/data.log");
    let report = run_pairs(&gone, &lib, &lookups);
    assert_eq!(report.errors, 1);
    assert!(report.reasons.keys().any(|r| r.contains("not on disk")));
}

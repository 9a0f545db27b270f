//! Replaying attack_data as Splunk indexes it: the event counts of INDEX.tsv, the seed dataset's
//! Endpoint.Processes rows, and no duplicates on a second replay.
mod common;

use polars::prelude::*;
use spelunk::ingest::{self, Input, ReaderOptions, Record};
use spelunk::store::{hash_file, ReplayOptions, Store};
use std::collections::BTreeMap;

#[test]
fn attack_data_counts_match_index_tsv() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let root = shared.join("corpus/attack_data");
    let index = std::fs::read_to_string(root.join("INDEX.tsv")).expect("INDEX.tsv");
    let mut checked = 0;
    let mut expected_total = 0u64;
    let mut absent = Vec::new();
    for line in index.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (path, events, ids, sha) = (cols[0], cols[5], cols[6], cols[7]);
        let file = root.join(path);
        // INDEX.tsv lists one version of a file whose content is not in the corpus.
        if hash_file(&file).as_deref() != Some(sha) {
            absent.push(path.to_string());
            continue;
        }
        let expected: u64 = events.parse().expect("count");
        let mut by_code: BTreeMap<String, u64> = BTreeMap::new();
        let mut n = 0;
        for rec in ingest::open(&Input::new(&file), &ReaderOptions::default()) {
            match rec {
                Record::Event(e) => {
                    n += 1;
                    *by_code
                        .entry(e.field("EventCode").unwrap_or("?").to_string())
                        .or_default() += 1;
                }
                Record::Rejected(r) => panic!("{path}: rejected {r}"),
            }
        }
        assert_eq!(n, expected, "{path}");
        let got: Vec<String> = by_code.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        let mut want: Vec<&str> = ids.split(';').collect();
        want.sort();
        let mut got_sorted = got.clone();
        got_sorted.sort();
        assert_eq!(got_sorted, want, "{path}: EventCode counts");
        checked += 1;
        expected_total += expected;
    }
    assert_eq!(checked, 58, "files checked (absent: {absent:?})");
    assert!(absent.len() <= 1, "{absent:?}");

    // The whole tree through the store: every event stored, none rejected.
    let mut store = Store::in_memory();
    let s = store
        .replay(
            &[
                Input::new(root.join("datasets")),
                Input::new(root.join("history")),
            ],
            &ReplayOptions::default(),
        )
        .expect("replay");
    assert_eq!(s.events_rejected, 0, "{s}");
    assert_eq!(s.files_rejected, 0, "{s}");
    assert_eq!(s.events_stored, expected_total, "{s}");
    assert_eq!(s.events_read, s.events_stored + s.events_rejected);
    let n = store
        .events(None)
        .and_then(|lf| Ok(lf.collect()?))
        .expect("events")
        .height();
    assert_eq!(n as u64, expected_total);
}

fn col_str(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    let ca = df
        .column(name)
        .unwrap_or_else(|_| panic!("column {name}"))
        .str()
        .unwrap_or_else(|_| panic!("{name} is not a string column"))
        .clone();
    (0..ca.len())
        .map(|i| ca.get(i).map(str::to_string))
        .collect()
}

#[test]
fn seed_dataset_gives_16_process_rows_with_cim_fields() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let file = shared.join("corpus/attack_data/datasets/attack_techniques/T1003.003/credential-dumping-via-symlink/data.log");
    let mut store = Store::in_memory();
    let s = store
        .replay(
            &[Input {
                source: Some("XmlWinEventLog:Microsoft-Windows-Sysmon/Operational".into()),
                sourcetype: Some("xmlwineventlog".into()),
                ..Input::new(file)
            }],
            &ReplayOptions::default(),
        )
        .expect("replay");
    assert_eq!(s.events_stored, 16);
    let df = store
        .datamodel("Endpoint.Processes")
        .expect("table")
        .expect("Endpoint.Processes exists")
        .collect()
        .expect("collect");
    assert_eq!(df.height(), 16);
    for f in [
        "dest",
        "user",
        "process",
        "process_name",
        "process_path",
        "process_id",
        "process_guid",
        "parent_process",
        "parent_process_name",
        "parent_process_path",
        "parent_process_id",
        "parent_process_guid",
        "original_file_name",
        "process_current_directory",
        "process_integrity_level",
        "process_hash",
        "process_exec",
        "parent_process_exec",
        "action",
        "vendor_product",
    ] {
        let vals = col_str(&df, &format!("Processes.{f}"));
        assert!(
            vals.iter().all(|v| v
                .as_deref()
                .is_some_and(|v| !v.is_empty() && v != "unknown")),
            "Processes.{f} not filled: {vals:?}"
        );
    }
    assert!(col_str(&df, "Processes.process_integrity_level")
        .iter()
        .all(|v| v.as_deref() == Some("high")));
    assert!(col_str(&df, "sourcetype")
        .iter()
        .all(|v| v.as_deref() == Some("xmlwineventlog")));
    // The seed detection's WHERE clause finds the mklink events.
    let hits = df
        .lazy()
        .filter(
            col("Processes.process_name")
                .str()
                .to_lowercase()
                .eq(lit("cmd.exe"))
                .or(col("Processes.original_file_name")
                    .str()
                    .to_lowercase()
                    .eq(lit("cmd.exe")))
                .and(
                    col("Processes.process")
                        .str()
                        .contains_literal(lit("mklink")),
                )
                .and(
                    col("Processes.process")
                        .str()
                        .contains_literal(lit("HarddiskVolumeShadowCopy")),
                ),
        )
        .collect()
        .expect("filter");
    assert!(hits.height() >= 1);
    // Events carry eventtype and tag.
    let ev = store
        .events(Some("main"))
        .expect("events")
        .collect()
        .expect("collect");
    let tags = ev
        .column("tag")
        .expect("tag")
        .list()
        .expect("list")
        .get_as_series(0)
        .expect("row 0");
    let tags = tags.str().expect("str").clone();
    let tags: Vec<&str> = (0..tags.len()).filter_map(|i| tags.get(i)).collect();
    assert_eq!(tags, vec!["process", "report"]);
}

#[test]
fn replaying_the_same_file_twice_adds_nothing() {
    let dir = common::temp_dir("twice");
    let file = common::fixture("good.log");
    {
        let mut store = Store::open(&dir).expect("open");
        let s = store
            .replay(&[Input::new(&file)], &ReplayOptions::default())
            .expect("replay");
        assert_eq!(s.events_stored, 2);
        let s2 = store
            .replay(&[Input::new(&file)], &ReplayOptions::default())
            .expect("replay");
        assert_eq!(
            (s2.files_duplicate, s2.events_read, s2.events_stored),
            (1, 0, 0)
        );
    }
    // Reopened from disk: still two events, and a copy under another name is a duplicate too.
    let copy = dir.join("copy.log");
    std::fs::copy(&file, &copy).expect("copy");
    let mut store = Store::open(&dir).expect("reopen");
    let s = store
        .replay(&[Input::new(&copy)], &ReplayOptions::default())
        .expect("replay");
    assert_eq!(s.files_duplicate, 1);
    assert_eq!(store.indexes(), vec!["main".to_string()]);
    let n = store
        .events(None)
        .expect("events")
        .collect()
        .expect("collect")
        .height();
    assert_eq!(n, 2);
    assert!(store
        .datamodels()
        .contains(&"Endpoint.Processes".to_string()));
    let _ = std::fs::remove_dir_all(&dir);
}

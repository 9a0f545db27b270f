//! Malformed input is counted and reported with reasons while every good event is kept.
mod common;

use spelunk::ingest::Input;
use spelunk::store::{ReplayOptions, Store};

#[test]
fn malformed_inputs_are_reported_and_good_events_kept() {
    let names = [
        "good.log",
        "truncated.log",
        "bad_entity.log",
        "empty.log",
        "invalid_utf8.log",
        "garbage.bin",
        "junk_between.log",
        "events.jsonl",
        "does-not-exist.log",
    ];
    let inputs: Vec<Input> = names
        .iter()
        .map(|n| Input::new(common::fixture(n)))
        .collect();
    let mut store = Store::in_memory();
    let s = store
        .replay(&inputs, &ReplayOptions::default())
        .expect("replay");
    // good: 2, truncated: 2 good, bad_entity: 2, invalid_utf8: 3 (one with a byte replaced),
    // junk_between: 2, jsonl: 3 (one without a time). Splunk keeps events whose bytes or time
    // had to be repaired; the summary counts them.
    assert_eq!(s.events_stored, 14, "{s}");
    assert_eq!(s.events_read, s.events_stored + s.events_rejected);
    assert_eq!(s.events_repaired, 2, "{s}");
    assert_eq!(s.repairs.get("invalid UTF-8 replaced").copied(), Some(1));
    assert_eq!(s.repairs.get("no readable time").copied(), Some(1));
    assert!(!s.reasons.contains_key("invalid UTF-8"), "{s}");
    assert!(!s.reasons.contains_key("no timestamp"), "{s}");
    for (reason, n) in [
        ("truncated event", 2),
        ("bad XML entity", 1),
        ("not an event", 1),
        ("bad JSON", 1),
        ("empty file", 1),
        ("missing file", 1),
        ("unknown format", 1),
    ] {
        assert_eq!(s.reasons.get(reason).copied(), Some(n), "{reason}: {s}");
    }
    assert_eq!(s.files_rejected, 3);
    assert!(s.has_rejections());
    let ex = s
        .examples
        .iter()
        .find(|e| e.kind == "bad XML entity")
        .expect("example");
    assert!(
        ex.file.ends_with("bad_entity.log") && ex.offset > 1000,
        "{ex:?}"
    );
    let ex = s
        .examples
        .iter()
        .find(|e| e.kind == "truncated event")
        .expect("example");
    assert_eq!(ex.offset, 1020);
    // Stored events keep their fields; multi-line command lines and entities are decoded.
    let df = store
        .events(None)
        .expect("events")
        .collect()
        .expect("collect");
    assert_eq!(df.height(), 14);
    let cl = df
        .column("CommandLine")
        .expect("CommandLine")
        .str()
        .expect("str")
        .clone();
    let values: Vec<&str> = (0..cl.len()).filter_map(|i| cl.get(i)).collect();
    assert!(values.contains(&"cmd.exe /c echo one & echo two"));
    assert!(values.contains(&"cmd.exe /c \"echo multi\r\nline > out.txt\""));
    // JSON arrays are multivalue fields named with {}.
    assert!(matches!(
        df.column("tags{}").expect("tags{}").dtype(),
        polars::prelude::DataType::List(_)
    ));
}

#[test]
fn cli_json_summary_and_exit_status() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(["replay", "--in-memory", "--format", "json"])
        .arg(common::fixture("good.log"))
        .arg(common::fixture("truncated.log"))
        .output()
        .expect("run spelunk");
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["events_read"], 6);
    assert_eq!(v["events_stored"], 4);
    assert_eq!(v["events_rejected"], 2);
    let ok = std::process::Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(["replay", "--in-memory"])
        .arg(common::fixture("good.log"))
        .output()
        .expect("run spelunk");
    assert_eq!(ok.status.code(), Some(0));
    let missing = std::process::Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(["replay", "--in-memory", "no/such/file.log"])
        .output()
        .expect("run spelunk");
    assert_eq!(missing.status.code(), Some(1));
}

//! Event searches return events newest first, as Splunk does (Search Reference, `head`: "the
//! first N results in search order. This means the most recent N events for a historical
//! search"; Event order functions, `first`: "the most recent instance of this field, based on the
//! order in which the events are seen"). Events of the same `_time` come last-read first. Each
//! test runs on crafted data written here and fails under the store-order (oldest first) reading.
mod common;

use serde_json::{Map, Value};
use std::path::PathBuf;
use std::process::Command;

/// Events in the file, out of time order on purpose: (id, minute, user).
const EVENTS: &[(&str, u32, &str)] = &[
    ("e1", 10, "alice"),
    ("e2", 30, "bob"),
    ("e3", 20, "alice"),
    ("e4", 40, "carol"),
    ("e5", 30, "alice"), // same time as e2, read after it
    ("e6", 5, "bob"),
];

fn data(tag: &str) -> PathBuf {
    let dir = common::temp_dir(tag);
    let mut text = String::new();
    for (id, minute, user) in EVENTS {
        text.push_str(&format!(
            "{{\"time\":\"2024-03-01T10:{minute:02}:00Z\",\"id\":\"{id}\",\"user\":\"{user}\",\"n\":{}}}\n",
            &id[1..]
        ));
    }
    let p = dir.join("events.json");
    std::fs::write(&p, text).expect("write");
    p
}

fn run(tag: &str, spl: &str) -> Vec<Map<String, Value>> {
    let out = Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(["run", "--format", "json", "--sourcetype", "_json", "--data"])
        .arg(data(tag))
        .arg(spl)
        .output()
        .expect("run spelunk");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    v.as_array()
        .expect("array")
        .iter()
        .map(|r| r.as_object().expect("row").clone())
        .collect()
}

fn col(rows: &[Map<String, Value>], c: &str) -> Vec<String> {
    rows.iter()
        .map(|r| match &r[c] {
            Value::String(s) => s.clone(),
            Value::Array(a) => a
                .iter()
                .map(|v| v.as_str().unwrap_or("").to_string())
                .collect::<Vec<_>>()
                .join(","),
            v => v.to_string(),
        })
        .collect()
}

#[test]
fn an_event_search_lists_events_newest_first_ties_last_read_first() {
    let rows = run("order-all", "id=* | table id");
    // 10:40 e4, 10:30 e5 then e2 (same time: the later-read first), 10:20 e3, 10:10 e1, 10:05 e6.
    assert_eq!(col(&rows, "id"), ["e4", "e5", "e2", "e3", "e1", "e6"]);
    // `reverse` gives the time-ordered log back, ties in file order.
    let rows = run("order-rev", "id=* | reverse | table id");
    assert_eq!(col(&rows, "id"), ["e6", "e1", "e3", "e2", "e5", "e4"]);
}

#[test]
fn head_takes_the_most_recent_events() {
    let rows = run("order-head", "id=* | head 2 | table id");
    assert_eq!(col(&rows, "id"), ["e4", "e5"]);
    let rows = run("order-tail", "id=* | tail 1 | table id");
    assert_eq!(col(&rows, "id"), ["e6"]);
}

#[test]
fn dedup_keeps_each_users_most_recent_event() {
    let rows = run("order-dedup", "id=* | dedup user | table user id");
    assert_eq!(col(&rows, "user"), ["carol", "alice", "bob"]);
    assert_eq!(col(&rows, "id"), ["e4", "e5", "e2"]);
}

#[test]
fn first_last_and_list_follow_event_order() {
    let rows = run(
        "order-stats",
        "id=* | stats first(id) as f last(id) as l list(id) as all count by user",
    );
    assert_eq!(col(&rows, "user"), ["alice", "bob", "carol"]);
    assert_eq!(col(&rows, "f"), ["e5", "e2", "e4"]);
    assert_eq!(col(&rows, "l"), ["e1", "e6", "e4"]);
    assert_eq!(col(&rows, "all"), ["e5,e3,e1", "e2,e6", "e4"]);
    // Order-free aggregates are unchanged.
    assert_eq!(col(&rows, "count"), ["3", "2", "1"]);
}

#[test]
fn streamstats_counts_from_the_newest_event() {
    let rows = run(
        "order-streamstats",
        "id=* | streamstats count as k | table id k",
    );
    assert_eq!(col(&rows, "id"), ["e4", "e5", "e2", "e3", "e1", "e6"]);
    assert_eq!(col(&rows, "k"), ["1", "2", "3", "4", "5", "6"]);
}

#[test]
fn a_subsearch_returns_its_most_recent_events_too() {
    // The subsearch's head 1 is its newest event (e4, carol), not its oldest in the file.
    let rows = run(
        "order-sub",
        "id=* [search id=* | head 1 | fields user] | table id",
    );
    assert_eq!(col(&rows, "id"), ["e4"]);
}

#[test]
fn a_join_gives_the_same_rows_in_the_main_searchs_order_every_run() {
    let spl = "id=* | join type=left user [search id=* | stats count as n values(id) as ids by user] | table id user n ids";
    let first = run("order-join", spl);
    assert_eq!(col(&first, "id"), ["e4", "e5", "e2", "e3", "e1", "e6"]);
    assert_eq!(col(&first, "n"), ["1", "3", "2", "3", "3", "2"]);
    for i in 0..19 {
        assert_eq!(run("order-join", spl), first, "run {}", i + 2);
    }
}

#[test]
fn every_command_gives_the_same_rows_in_the_same_order_every_run() {
    // Issue 11, done when: "`join`, `stats`, `dedup` and every other command give the same output
    // order on every run". Hash grouping (stats, top, chart, transaction, eventstats) and
    // parallel joins are where an order could vary from run to run.
    let searches = [
        "id=* | stats count values(id) as ids list(id) as l by user",
        "id=* | dedup user | table id user",
        "id=* | top user",
        "id=* | rare user",
        "id=* | transaction user | table user eventcount id",
        "id=* | eventstats count as c by user | table id user c",
        "id=* | streamstats count as c by user | table id user c",
        "id=* | chart count over user by id",
        "id=* | timechart span=10m count by user",
        "id=* | append [search id=* | stats count by user] | table id user count",
        "id=* | join user [search id=* | stats max(n) as m by user] | table id user m",
        "id=* | mvcombine id | table id user",
    ];
    for spl in searches {
        let first = run("order-all", spl);
        assert!(!first.is_empty(), "{spl}");
        for i in 0..4 {
            assert_eq!(run("order-all", spl), first, "{spl}: run {}", i + 2);
        }
    }
    // stats orders its groups by the BY fields.
    let rows = run("order-all", "id=* | stats count by user");
    assert_eq!(col(&rows, "user"), ["alice", "bob", "carol"]);
}

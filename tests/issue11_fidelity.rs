//! Issue 11 (fidelity): the remaining documented behaviours, each on crafted data written here
//! and each failing under the common wrong reading.
mod common;

use serde_json::{Map, Value};
use std::path::PathBuf;
use std::process::Command;

/// Write JSON events (one object per line) to a fresh folder.
fn data(tag: &str, lines: &[String]) -> PathBuf {
    let dir = common::temp_dir(tag);
    let p = dir.join("events.json");
    std::fs::write(&p, lines.join("\n") + "\n").expect("write");
    p
}

fn spelunk(tag: &str, lines: &[String], spl: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(["run", "--format", "json", "--sourcetype", "_json", "--data"])
        .arg(data(tag, lines))
        .arg(spl)
        .output()
        .expect("run spelunk")
}

fn run(tag: &str, lines: &[String], spl: &str) -> Vec<Map<String, Value>> {
    let out = spelunk(tag, lines, spl);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{spl}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    v.as_array()
        .expect("array")
        .iter()
        .map(|r| r.as_object().expect("row").clone())
        .collect()
}

/// The error text of a search that must fail.
#[allow(dead_code)]
fn fails(tag: &str, lines: &[String], spl: &str) -> String {
    let out = spelunk(tag, lines, spl);
    assert_ne!(out.status.code(), Some(0), "{spl} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn col(rows: &[Map<String, Value>], c: &str) -> Vec<String> {
    rows.iter()
        .map(|r| match r.get(c) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(v) => v.to_string(),
        })
        .collect()
}

fn ev(minute: u32, rest: &str) -> String {
    format!("{{\"time\":\"2024-03-01T10:{minute:02}:00Z\",{rest}}}")
}

// ---- URL-encoded breakers (segmenters.conf [default] MAJOR: `%20`, `%2C`, ..., `--`) ----

fn url_events() -> Vec<String> {
    vec![
        ev(1, r#""id":"a","url":"/q?s=hello%20world""#),
        ev(2, r#""id":"b","url":"/q?s=list%2Citems""#),
        ev(3, r#""id":"c","url":"/q?s=helloworld""#),
        ev(4, r#""id":"d","url":"/q?s=%2021""#),
    ]
}

#[test]
fn url_encoded_sequences_are_major_breakers() {
    let ev = url_events();
    // `%20` is one major breaker: `20world` is not a term (the single-character reading, `%`
    // a minor breaker, would make it one), `world` is.
    assert!(run("u1", &ev, "20world | table id").is_empty());
    assert_eq!(col(&run("u2", &ev, "world | table id"), "id"), ["a"]);
    assert!(run("u3", &ev, "2Citems | table id").is_empty());
    assert_eq!(col(&run("u4", &ev, "items | table id"), "id"), ["b"]);
    // TERM() is bounded by it as by a space.
    assert_eq!(col(&run("u5", &ev, "TERM(world) | table id"), "id"), ["a"]);
    // A wildcard does not cross a major breaker.
    assert!(run("u6", &ev, "hello*world id=a | table id").is_empty());
    assert_eq!(col(&run("u7", &ev, "hello*world | table id"), "id"), ["c"]);
    // A term does not start inside `%20`: `2021` is not a term of `%2021` (`%20`, then `21`).
    assert!(run("u8", &ev, "2021 | table id").is_empty());
    assert_eq!(col(&run("u9", &ev, "21 | table id"), "id"), ["d"]);
}

// ---- CIDR values in event types and data model constraints ----

fn event(fields: &[(&str, &str)]) -> spelunk::knowledge::IndexedEvent {
    spelunk::knowledge::IndexedEvent {
        time: 0.0,
        raw: String::new(),
        host: "h".into(),
        source: "s".into(),
        sourcetype: "fw".into(),
        index: "main".into(),
        fields: fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        eventtype: Vec::new(),
        tag: Vec::new(),
    }
}

#[test]
fn cidr_values_in_event_types_and_data_model_constraints() {
    // Search Reference, `search`: a CIDR value matches the addresses in the range, as in a
    // search; event types and constraints are searches too. Under the text reading nothing
    // matches (no field holds the text `10.0.0.0/8`).
    let dir = common::temp_dir("cidr-knowledge");
    std::fs::write(
        dir.join("eventtypes.conf"),
        "[internal_src]\nsearch = src_ip=10.0.0.0/8\n\n\
         [not_internal]\nsearch = src_ip!=10.0.0.0/8\n\n\
         [lab_src]\nsearch = src_ip IN (192.168.1.0/24, 172.16.0.0/12)\n",
    )
    .expect("write");
    std::fs::create_dir_all(dir.join("datamodels")).expect("mkdir");
    std::fs::write(
        dir.join("datamodels/Lab.yml"),
        "model: Lab\ndatasets:\n  - name: Internal\n    constraint: 'dest_ip=\"10.1.0.0/16\"'\n    fields: [dest_ip]\n",
    )
    .expect("write");
    let k = spelunk::knowledge::Knowledge::load_dir(&dir).expect("knowledge");
    let types = |fields: &[(&str, &str)]| {
        let mut ev = event(fields);
        k.apply(&mut ev);
        ev.eventtype
    };
    assert_eq!(types(&[("src_ip", "10.20.30.40")]), ["internal_src"]);
    assert_eq!(types(&[("src_ip", "11.0.0.1")]), ["not_internal"]);
    assert_eq!(
        types(&[("src_ip", "172.20.1.1")]),
        ["lab_src", "not_internal"]
    );
    assert_eq!(
        types(&[("src_ip", "192.168.1.7")]),
        ["lab_src", "not_internal"]
    );
    // A multivalue field matches when any value is in the range.
    assert!(types(&[("src_ip", "8.8.8.8"), ("src_ip", "10.0.0.1")])
        .contains(&"internal_src".to_string()));
    let internal = k
        .datasets
        .iter()
        .find(|d| d.name == "Lab.Internal")
        .expect("dataset");
    assert!(internal.selects(&event(&[("dest_ip", "10.1.200.3")])));
    assert!(!internal.selects(&event(&[("dest_ip", "10.2.0.1")])));
    assert!(!internal.selects(&event(&[("dest_ip", "10.1.0.0/16")])));
}

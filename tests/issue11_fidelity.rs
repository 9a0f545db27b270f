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

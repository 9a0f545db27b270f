//! README.md's first command: the seed detection over the bundled sample dataset prints a table
//! with the one `mklink` event. Needs nothing outside the repository.

mod common;

use std::process::Command;

#[test]
fn the_readme_first_command_prints_the_mklink_event() {
    let readme = std::fs::read_to_string(common::project_dir().join("README.md")).expect("README");
    let line = readme
        .lines()
        .find(|l| l.starts_with("cargo run -- run "))
        .expect("README's first command");
    let args: Vec<&str> = line
        .trim_start_matches("cargo run -- ")
        .split_whitespace()
        .collect();
    let out = Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(&args)
        .current_dir(common::project_dir())
        .output()
        .expect("run spelunk");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("mklink /d"), "{table}");
    assert!(table.contains("wks-finance-07.corp.example"), "{table}");
    assert!(table.trim_end().ends_with("1 result"), "{table}");
    // The header row holds Splunk's columns in Splunk's order.
    let header = table.lines().nth(1).unwrap_or("");
    let cols: Vec<&str> = header
        .split(['│', '┆'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(cols.first(), Some(&"dest"));
    assert_eq!(&cols[cols.len() - 3..], &["count", "firstTime", "lastTime"]);
}

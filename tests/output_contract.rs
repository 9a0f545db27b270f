//! The output contract over real data (issue 14 item 5): a field with one value is a scalar,
//! only two or more values make an array; nothing but spelunk's own diagnostics on stderr.

mod common;

use std::process::Command;

fn spelunk() -> Command {
    Command::new(env!("CARGO_BIN_EXE_spelunk"))
}

/// Lines polars prints through its default warning function (`{warning:?}: {message}`), and
/// anything else that is not one of spelunk's own messages.
fn foreign_stderr(stderr: &str) -> Vec<&str> {
    const POLARS: &[&str] = &[
        "Deprecation:",
        "UserWarning:",
        "CategoricalRemappingWarning:",
        "MapWithoutReturnDtypeWarning:",
        "Hint:",
    ];
    stderr
        .lines()
        .filter(|l| POLARS.iter().any(|p| l.starts_with(p)) || l.contains("panicked"))
        .collect()
}

#[test]
fn json_over_the_evtx_samples_has_no_one_element_arrays() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let evtx = shared.join("corpus/evtx-attack-samples");
    let out = spelunk()
        .args(["run", "--format", "json", "--data"])
        .arg(&evtx)
        .arg("index=*")
        .output()
        .expect("spelunk runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        foreign_stderr(&stderr).is_empty(),
        "stderr has messages that are not spelunk's:\n{stderr}"
    );
    let rows: Vec<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_slice(&out.stdout).expect("JSON array of objects");
    assert!(rows.len() > 8000, "{} results", rows.len());
    let mut multivalues = 0;
    for (i, row) in rows.iter().enumerate() {
        for (field, value) in row {
            match value {
                serde_json::Value::Array(a) => {
                    assert!(a.len() >= 2, "result {i}: `{field}` is {value}");
                    assert!(a.iter().all(|v| v.is_string()), "result {i}: {value}");
                    multivalues += 1;
                }
                serde_json::Value::Null => panic!("result {i}: `{field}` is null"),
                _ => {}
            }
        }
    }
    // The samples do hold real multivalue fields, which stay arrays.
    assert!(multivalues > 0);
}

#[test]
fn jsonl_and_csv_follow_the_same_contract() {
    let spl = "| makeresults count=2 | streamstats count as n | eval one=if(n=1, mvappend(\"x\"), mvappend(\"y\", \"z\")) | table n one";
    let out = spelunk()
        .args(["run", "--format", "jsonl", spl])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["one"], "x");
    assert_eq!(lines[1]["one"], serde_json::json!(["y", "z"]));
    let out = spelunk()
        .args(["run", "--format", "csv", spl])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "n,one\n1,x\n2,\"y\nz\"\n"
    );
    let out = spelunk()
        .args(["run", "--format", "raw", "--limit", "1", spl])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "n=1 one=x\n");
}

#[test]
fn endpoint_processes_detections_print_nothing_foreign_on_stderr() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let content = shared.join("corpus/security_content");
    let out = spelunk()
        .arg("check")
        .arg("--corpus")
        .arg(&content)
        .arg("--list")
        .arg(content.join("endpoint_processes_sysmon.tsv"))
        .arg("--data")
        .arg(shared.join("corpus/evtx-attack-samples"))
        .args(["--min-percent", "0"])
        .output()
        .expect("spelunk check runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("detections:   449"), "{stdout}\n{stderr}");
    assert!(
        foreign_stderr(&stderr).is_empty(),
        "stderr has messages that are not spelunk's:\n{stderr}"
    );
}

//! The first end-to-end case: the seed detection, verbatim, over its attack_data dataset returns
//! exactly the one `mklink` event, with Splunk's columns in Splunk's order.

mod common;

use std::process::Command;

#[test]
fn seed_detection_returns_the_one_mklink_event() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let det = shared.join("corpus/security_content/detections/endpoint/credential_dumping_via_symlink_to_shadow_copy.yml");
    let data = shared.join("corpus/attack_data/datasets/attack_techniques/T1003.003/credential-dumping-via-symlink/data.log");
    let out = Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(["run", "-f"])
        .arg(&det)
        .arg("--data")
        .arg(&data)
        .args([
            "--source",
            "XmlWinEventLog:Microsoft-Windows-Sysmon/Operational",
            "--sourcetype",
            "XmlWinEventLog",
            "--format",
            "json",
        ])
        .output()
        .expect("run spelunk");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let rows = rows.as_array().expect("array");
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = rows[0].as_object().expect("object");
    let columns: Vec<&str> = row.keys().map(|k| k.as_str()).collect();
    // tstats output: the BY fields (renamed by drop_dm_object_name) in order, then the aggregates.
    assert_eq!(
        columns,
        vec![
            "dest",
            "user",
            "process_name",
            "process",
            "parent_process",
            "parent_process_name",
            "original_file_name",
            "process_id",
            "parent_process_id",
            "count",
            "firstTime",
            "lastTime"
        ]
    );
    assert_eq!(row["process_name"], "cmd.exe");
    assert!(
        row["process"].as_str().unwrap_or("").contains("mklink"),
        "{row:?}"
    );
    assert!(
        row["process"]
            .as_str()
            .unwrap_or("")
            .contains("HarddiskVolumeShadowCopy"),
        "{row:?}"
    );
    assert_eq!(row["count"], 1);
    // security_content_ctime: timeformat="%Y-%m-%dT%H:%M:%S"
    let first = row["firstTime"].as_str().expect("firstTime is text");
    assert_eq!(first.len(), 19, "{first}");
    assert_eq!(&first[4..5], "-");
    assert_eq!(&first[10..11], "T");
    assert_eq!(row["firstTime"], row["lastTime"]);
}

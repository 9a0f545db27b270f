//! The DSRM datasets (attack_data T1098/dsrm_account): Sysmon 13 registry value type and data
//! split out of `Details`, Security 4794 in the Change data model, and both detections verbatim.
mod common;

use polars::prelude::*;
use spelunk::ingest::Input;
use spelunk::knowledge::{datamodel::recognize_eval, datamodel::CalcOp, LookupTable};
use spelunk::store::{ReplayOptions, Store};
use std::process::Command;

const DIR: &str = "corpus/attack_data/datasets/attack_techniques/T1098/dsrm_account";

fn strings(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    let ca = df
        .column(name)
        .unwrap_or_else(|_| panic!("{name}"))
        .str()
        .expect("str")
        .clone();
    (0..ca.len())
        .map(|i| ca.get(i).map(str::to_string))
        .collect()
}

fn replay(file: &std::path::Path) -> Store {
    let mut store = Store::in_memory();
    let s = store
        .replay(&[Input::new(file)], &ReplayOptions::default())
        .expect("replay");
    assert_eq!(s.events_rejected, 0, "{s}");
    store
}

#[test]
fn sysmon_13_details_split_into_registry_value_type_and_data() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let store = replay(&shared.join(DIR).join("windows-sysmon.log"));
    let df = store
        .datamodel("Endpoint.Registry")
        .expect("dm")
        .expect("table")
        .filter(
            col("Registry.registry_path")
                .str()
                .ends_with(lit("\\DSRMAdminLogonBehavior")),
        )
        .collect()
        .expect("collect");
    assert_eq!(df.height(), 1, "{df}");
    assert_eq!(
        strings(&df, "Registry.registry_value_data"),
        vec![Some("0x00000002".to_string())]
    );
    assert_eq!(
        strings(&df, "Registry.registry_value_type"),
        vec![Some("DWORD".to_string())]
    );
    assert_eq!(
        strings(&df, "Registry.action"),
        vec![Some("modified".to_string())]
    );
    // The raw fields stay as the add-on extracts them.
    let ev = store
        .events(None)
        .expect("events")
        .filter(col("EventCode").eq(lit("13")))
        .collect()
        .expect("collect");
    let details = strings(&ev, "Details");
    let types = strings(&ev, "RegistryValueType");
    let data = strings(&ev, "RegistryValueData");
    assert!(details.contains(&Some("DWORD (0x00000002)".to_string())));
    for ((d, t), v) in details.iter().zip(&types).zip(&data) {
        let d = d.as_deref().unwrap_or("");
        if let Some(inner) = d
            .strip_prefix("DWORD (")
            .or_else(|| d.strip_prefix("QWORD ("))
        {
            assert_eq!(v.as_deref(), inner.strip_suffix(')'), "{d}");
            assert!(matches!(t.as_deref(), Some("DWORD" | "QWORD")), "{d}");
        } else if d != "Binary Data" {
            // A string value: no type, and the data model's data is the string itself.
            assert_eq!(t, &None, "{d}");
            assert_eq!(v, &None, "{d}");
        }
    }
    // Registry events are not Change.All_Changes events (object_category=registry).
    let changes = store.datamodel("Change").expect("dm");
    if let Some(lf) = changes {
        assert_eq!(lf.collect().expect("collect").height(), 0);
    }
}

#[test]
fn security_4794_is_a_change_with_result_from_the_signature_lookup() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let store = replay(&shared.join(DIR).join("windows-security-xml.log"));
    // `from datamodel=Change` names the model only: the store answers with its root dataset.
    let root = store
        .datamodel("Change")
        .expect("dm")
        .expect("Change root")
        .collect()
        .expect("collect");
    let full = store
        .datamodel("Change.All_Changes")
        .expect("dm")
        .expect("Change.All_Changes")
        .collect()
        .expect("collect");
    assert_eq!(root.height(), 1, "{root}");
    assert!(root.equals_missing(&full));
    let one = |c: &str| strings(&root, c).into_iter().next().flatten();
    assert_eq!(one("All_Changes.result_id").as_deref(), Some("4794"));
    assert_eq!(
        one("All_Changes.result").as_deref(),
        Some(
            "An attempt was made to set the Directory Services Restore Mode administrator password"
        )
    );
    assert_eq!(one("All_Changes.action").as_deref(), Some("modified"));
    assert_eq!(
        one("All_Changes.dest").as_deref(),
        Some("win-dc-root-17044-552.attackrange.local")
    );
    assert_eq!(
        one("All_Changes.src").as_deref(),
        Some("[fe80::b907:7694:d740:91bb]")
    );
    assert_eq!(one("All_Changes.user").as_deref(), Some("unknown"));
    assert_eq!(one("All_Changes.status").as_deref(), Some("success"));
    // Models with several roots (Endpoint) have no table by the model name alone.
    assert!(store.datamodel("Endpoint").expect("dm").is_none());
}

fn detection_rows(shared: &std::path::Path, detection: &str, data: &str) -> usize {
    let out = Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(["run", "-f"])
        .arg(
            shared
                .join("corpus/security_content/detections/endpoint")
                .join(detection),
        )
        .arg("--data")
        .arg(shared.join(DIR).join(data))
        .args(["--format", "json"])
        .output()
        .expect("run spelunk");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    rows.as_array().expect("array").len()
}

#[test]
fn both_dsrm_detections_fire_on_their_datasets() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    assert_eq!(
        detection_rows(
            &shared,
            "windows_ad_dsrm_account_changes.yml",
            "windows-sysmon.log"
        ),
        1
    );
    assert_eq!(
        detection_rows(
            &shared,
            "windows_ad_dsrm_password_reset.yml",
            "windows-security-xml.log"
        ),
        1
    );
}

#[test]
fn lookup_csv_and_cim_result_eval() {
    let t = LookupTable::from_csv(
        "t",
        "signature_id,signature\r\n4720,A user account was created\r\n\r\n1,\"a, \"\"b\"\"\"\n",
    )
    .expect("csv");
    assert_eq!(
        t.get("4720", "signature"),
        Some("A user account was created")
    );
    assert_eq!(t.get("1", "signature"), Some("a, \"b\""));
    assert_eq!(t.get("2", "signature"), None);
    assert_eq!(t.get("4720", "nope"), None);
    assert!(LookupTable::from_csv("t", "").is_err());
    // The CIM's Change.All_Changes result/result_id calculations.
    assert_eq!(
        recognize_eval(
            "result",
            r#"if(isnotnull(result) AND result!="",result,if(isnotnull(signature) AND signature!="",signature,"unknown"))"#
        ),
        Some(CalcOp::CoalesceOr {
            fields: vec!["result".into(), "signature".into()],
            default: "unknown".into()
        })
    );
    assert_eq!(
        recognize_eval(
            "result_id",
            r#"if(isnotnull(result_id) AND result_id!="",result_id,if(isnotnull(signature_id) AND signature_id!="",signature_id,-1))"#
        ),
        Some(CalcOp::CoalesceOr {
            fields: vec!["result_id".into(), "signature_id".into()],
            default: "-1".into()
        })
    );
}

//! MLTK end to end: `fit ... into` in one `spelunk run` writes `<store>/models/<name>.json`, a
//! later run applies it; without a store the model is gone; the corpus's `apply` detections run
//! in `spelunk check` after their shipped baselines, DSDL models being a clear error.

mod common;

use serde_json::Value;
use std::process::{Command, Output, Stdio};

fn spelunk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(args)
        .current_dir(common::project_dir())
        .stdin(Stdio::null())
        .output()
        .expect("run spelunk")
}

fn text(o: &Output) -> String {
    format!(
        "{}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn a_model_fitted_into_a_store_is_applied_by_a_later_run() {
    let dir = common::temp_dir("mltk-store");
    let store = dir.join("store");
    let store = store.to_str().unwrap();
    // 1..50: mean 25.5, std 14.43; the normal's upper boundary at threshold 0.01 is 62.7.
    let fit = spelunk(&[
        "run",
        "--store",
        store,
        "--format",
        "csv",
        "| makeresults count=50 | streamstats count as n | fit DensityFunction n dist=norm into lengths_v1 | stats count",
    ]);
    assert_eq!(fit.status.code(), Some(0), "{}", text(&fit));
    let file = dir.join("store/models/lengths_v1.json");
    let model: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("model file")).unwrap();
    assert_eq!(model["format"], "spelunk-mltk-model");
    assert_eq!(model["algorithm"], "DensityFunction");
    assert_eq!(model["density"]["groups"][0]["dist"]["type"], "norm");
    assert_eq!(model["density"]["groups"][0]["cardinality"], 50);

    let apply = spelunk(&[
        "run",
        "--store",
        store,
        "--format",
        "csv",
        "| makeresults count=2 | streamstats count as i | eval n=if(i=1, 60, 64) | apply lengths_v1 | table n IsOutlier(n)",
    ]);
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply));
    assert_eq!(
        String::from_utf8_lossy(&apply.stdout),
        "n,IsOutlier(n)\n60,0\n64,1\n"
    );

    // Without the store, the model does not exist: the error says how to create it.
    let missing = spelunk(&["run", "| makeresults | eval n=1 | apply lengths_v1"]);
    assert_eq!(missing.status.code(), Some(1), "{}", text(&missing));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains("model `lengths_v1` not found"), "{err}");
    assert!(
        err.contains("fit DensityFunction <field> into lengths_v1"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_corpus_apply_detections_run_after_their_baselines() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let corpus = shared.join("corpus/security_content");
    let density = [
        "detections/cloud/abnormally_high_number_of_cloud_infrastructure_api_calls.yml",
        "detections/cloud/abnormally_high_number_of_cloud_instances_destroyed.yml",
        "detections/cloud/abnormally_high_number_of_cloud_instances_launched.yml",
        "detections/cloud/abnormally_high_number_of_cloud_security_group_api_calls.yml",
        "detections/deprecated/abnormally_high_aws_instances_launched_by_user___mltk.yml",
        "detections/deprecated/abnormally_high_aws_instances_terminated_by_user___mltk.yml",
        "detections/endpoint/unusually_long_command_line___mltk.yml",
        "detections/network/dns_query_length_outliers___mltk.yml",
        "detections/network/smb_traffic_spike___mltk.yml",
    ];
    let dsdl = [
        "detections/endpoint/detect_suspicious_processnames_using_pretrained_model_in_dsdl.yml",
        "detections/endpoint/potentially_malicious_code_on_commandline.yml",
        "detections/network/detect_dga_domains_using_pretrained_model_in_dsdl.yml",
        "detections/network/detect_dns_data_exfiltration_using_pretrained_model_in_dsdl.yml",
        "detections/network/detect_suspicious_dns_txt_records_using_pretrained_model_in_dsdl.yml",
    ];
    let dir = common::temp_dir("mltk-corpus");
    let list = dir.join("apply.tsv");
    let mut tsv = String::from("path\n");
    for p in density.iter().chain(dsdl.iter()) {
        tsv.push_str(p);
        tsv.push('\n');
    }
    std::fs::write(&list, tsv).unwrap();
    let out = spelunk(&[
        "check",
        "--corpus",
        corpus.to_str().unwrap(),
        "--list",
        list.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let report: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", text(&out)));
    let outcomes = report["outcomes"].as_array().expect("outcomes");
    for o in outcomes {
        let d = o["detection"].as_str().unwrap_or("");
        if density.iter().any(|p| d.ends_with(p)) {
            assert!(o["error"].is_null(), "{d}: {}", o["error"]);
        } else {
            let e = o["error"].as_str().unwrap_or("");
            assert!(e.contains("(DSDL) cannot run in spelunk"), "{d}: {e}");
        }
    }
    assert_eq!(report["ran"], density.len());
    let _ = std::fs::remove_dir_all(&dir);
}

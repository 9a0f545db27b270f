//! MLTK end to end: `fit ... into` in one `spelunk run` writes `<store>/models/<name>.json`, a
//! later run applies it; without a store the model is gone; the corpus's `apply` detections run
//! in `spelunk check` after their shipped baselines, DSDL models being a clear error without a
//! scorer and running with one (`--dsdl-model`, `dsdl:` in the settings file, an executable in
//! the store).

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

    // With a scorer for each DSDL model (the tests' stand-in), all of them run.
    let flags: Vec<String> = common::DSDL_MODELS
        .iter()
        .map(|m| format!("{m}={}", common::stand_in_dsdl_command()))
        .collect();
    let mut args = vec![
        "check",
        "--corpus",
        corpus.to_str().unwrap(),
        "--list",
        list.to_str().unwrap(),
        "--format",
        "json",
    ];
    for f in &flags {
        args.extend(["--dsdl-model", f.as_str()]);
    }
    let out = spelunk(&args);
    let report: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", text(&out)));
    assert_eq!(
        report["ran"],
        density.len() + dsdl.len(),
        "{}",
        report["outcomes"]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn spelunk_in(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(args)
        .current_dir(dir)
        .env_remove("XDG_CONFIG_HOME")
        .env("HOME", dir)
        .stdin(Stdio::null())
        .output()
        .expect("run spelunk")
}

/// A search of two results whose `domain` a DSDL model scores.
const DOMAINS: &str = "| makeresults count=2 | streamstats count as i | eval domain=if(i=1, \"google.com\", \"xkq3jz9v0wpl2m.com\") | apply pretrained_dga_model_dsdl | table domain pred_dga_proba";

#[test]
fn a_dsdl_model_is_scored_by_the_configured_program() {
    let dir = common::temp_dir("dsdl-scorer");
    // A scorer that finds `domain` in the CSV header and returns one prediction per row: 0.9
    // for a domain with a digit, else 0.1.
    std::fs::write(
        dir.join("scorer.sh"),
        "#!/bin/sh\nawk -F, 'NR==1{for(j=1;j<=NF;j++) if($j==\"domain\") d=j; print \"pred_dga_proba\"; next} {print ($d ~ /[0-9]/ ? \"0.9\" : \"0.1\")}'\n",
    )
    .unwrap();
    let want = "domain,pred_dga_proba\ngoogle.com,0.1\nxkq3jz9v0wpl2m.com,0.9\n";

    // 1. --dsdl-model NAME=COMMAND
    let out = spelunk_in(
        &dir,
        &[
            "run",
            "--format",
            "csv",
            "--dsdl-model",
            "pretrained_dga_model_dsdl=sh scorer.sh",
            DOMAINS,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), want);

    // 2. `dsdl:` in .spelunk/config.yml: the command runs in the settings file's folder.
    std::fs::create_dir_all(dir.join(".spelunk")).unwrap();
    std::fs::copy(dir.join("scorer.sh"), dir.join(".spelunk/scorer.sh")).unwrap();
    std::fs::write(
        dir.join(".spelunk/config.yml"),
        "dsdl:\n  pretrained_dga_model_dsdl: sh scorer.sh\n",
    )
    .unwrap();
    let out = spelunk_in(&dir, &["run", "--format", "csv", DOMAINS]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), want);
    // --dsdl-model comes before the settings file.
    let out = spelunk_in(
        &dir,
        &[
            "run",
            "--format",
            "csv",
            "--dsdl-model",
            "pretrained_dga_model_dsdl=cat >/dev/null; printf 'pred_dga_proba\\n0.5\\n0.5\\n'",
            DOMAINS,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "domain,pred_dga_proba\ngoogle.com,0.5\nxkq3jz9v0wpl2m.com,0.5\n"
    );
    std::fs::remove_dir_all(dir.join(".spelunk")).unwrap();

    // 3. An executable <store>/models/dsdl/NAME.
    let store = dir.join("store");
    std::fs::create_dir_all(store.join("models/dsdl")).unwrap();
    let exe = store.join("models/dsdl/pretrained_dga_model_dsdl");
    std::fs::copy(dir.join("scorer.sh"), &exe).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = spelunk_in(
        &dir,
        &[
            "run",
            "--store",
            store.to_str().unwrap(),
            "--format",
            "csv",
            DOMAINS,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), want);

    // Without a scorer: the DSDL explanation and how to configure one.
    let out = spelunk_in(&dir, &["run", DOMAINS]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("(DSDL) cannot run in spelunk"), "{err}");
    assert!(
        err.contains("--dsdl-model pretrained_dga_model_dsdl=COMMAND"),
        "{err}"
    );

    // A failing scorer: its exit status and standard error.
    let out = spelunk_in(
        &dir,
        &[
            "run",
            "--dsdl-model",
            "pretrained_dga_model_dsdl=echo 'no GPU here' >&2; exit 7",
            DOMAINS,
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("exit status: 7") && err.contains("no GPU here"),
        "{err}"
    );

    // A scorer that loses a row.
    let out = spelunk_in(
        &dir,
        &[
            "run",
            "--dsdl-model",
            "pretrained_dga_model_dsdl=sh scorer.sh | head -2",
            DOMAINS,
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("returned 1 rows for 2 input rows"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

//! tstats behaviours over the bundled sample dataset (no ../shared needed), each written so that
//! the common wrong reading fails (splunk-semantics.md §3–4).

use std::process::Command;

fn run(spl: &str) -> Vec<serde_json::Map<String, serde_json::Value>> {
    let out = Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(["run", "--format", "json", spl])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run spelunk");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    v.as_array()
        .expect("array")
        .iter()
        .map(|r| r.as_object().expect("row").clone())
        .collect()
}

fn total(rows: &[serde_json::Map<String, serde_json::Value>]) -> i64 {
    rows.iter().map(|r| r["count"].as_i64().unwrap_or(0)).sum()
}

#[test]
fn fillnull_value_keeps_events_missing_a_by_field() {
    let all = total(&run("| tstats count from datamodel=Endpoint.Processes"));
    let with = run("| tstats fillnull_value=null count from datamodel=Endpoint.Processes by Processes.parent_process_guid");
    let without =
        run("| tstats count from datamodel=Endpoint.Processes by Processes.parent_process_guid");
    assert_eq!(total(&with), all);
    assert!(with
        .iter()
        .any(|r| r["Processes.parent_process_guid"] == "null"));
    assert!(
        total(&without) < all,
        "events without the BY field are dropped"
    );
    assert!(!without
        .iter()
        .any(|r| r["Processes.parent_process_guid"] == "null"));
}

#[test]
fn where_values_match_case_insensitively_with_wildcards() {
    let rows = run("| tstats count from datamodel=Endpoint.Processes where Processes.process_name=CMD.EXE Processes.process=*MKLINK* by Processes.process_name");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["Processes.process_name"], "cmd.exe");
}

#[test]
fn where_or_binds_tighter_than_and() {
    // Search precedence: powershell AND (nosuch OR mklink) -> nothing (the mklink event is cmd.exe).
    // The eval reading (powershell AND nosuch) OR mklink would return the mklink event.
    let rows = run("| tstats count from datamodel=Endpoint.Processes where Processes.process_name=powershell.exe Processes.dest=nosuch OR Processes.process=*mklink* by Processes.process_name");
    assert!(rows.is_empty(), "{rows:?}");
}

#[test]
fn by_fields_then_aggregates_and_values_sorted() {
    let rows = run("| tstats values(Processes.process_name) as names count min(_time) as first from datamodel=Endpoint.Processes by Processes.dest");
    let keys: Vec<&String> = rows[0].keys().collect();
    assert_eq!(keys, vec!["Processes.dest", "names", "count", "first"]);
    let dests: Vec<&str> = rows
        .iter()
        .map(|r| r["Processes.dest"].as_str().unwrap_or(""))
        .collect();
    let mut sorted = dests.clone();
    sorted.sort();
    assert_eq!(dests, sorted);
    for r in &rows {
        let names: Vec<&str> = r["names"]
            .as_array()
            .expect("multivalue")
            .iter()
            .map(|v| v.as_str().unwrap_or(""))
            .collect();
        let mut s = names.clone();
        s.sort();
        s.dedup();
        assert_eq!(names, s, "values() is distinct and lexicographic");
        assert!(r["first"].is_number(), "min(_time) is epoch seconds");
    }
}

#[test]
fn prestats_feeds_the_next_stats_the_same_counts_as_plain_tstats() {
    // The wrong reading (aggregate in tstats, then count the groups) gives 1 per name.
    let direct = run(
        "| tstats count from datamodel=Endpoint.Processes by Processes.process_name | sort - count",
    );
    let prestats = run("| tstats prestats=t count from datamodel=Endpoint.Processes by Processes.process_name | stats count by Processes.process_name | sort - count");
    assert!(direct[0]["count"].as_i64().unwrap_or(0) > 1);
    assert_eq!(direct, prestats);
}

#[test]
fn prestats_append_adds_a_second_dataset_before_the_final_stats() {
    let count_of = |spl: &str, key: &str, dest: &str| -> i64 {
        run(spl)
            .iter()
            .filter(|r| r[key] == dest)
            .map(|r| r["count"].as_i64().unwrap_or(0))
            .sum()
    };
    let host = "wks-finance-07.corp.example";
    let p = count_of(
        "| tstats count from datamodel=Endpoint.Processes by Processes.dest",
        "Processes.dest",
        host,
    );
    let r = count_of(
        "| tstats count from datamodel=Endpoint.Registry by Registry.dest",
        "Registry.dest",
        host,
    );
    assert!(p > 0 && r > 0);
    let both = count_of("| tstats prestats=t count from datamodel=Endpoint.Processes by Processes.dest | tstats prestats=t append=t count from datamodel=Endpoint.Registry by Registry.dest | eval dest=coalesce('Processes.dest', 'Registry.dest') | stats count by dest", "dest", host);
    assert_eq!(both, p + r);
}

#[test]
fn where_cidr_values_match_addresses_in_the_range() {
    // Search Reference, `search`: a CIDR value matches the addresses in its range; tstats `where`
    // is a search. The sample's two destinations are 142.250.176.198 and 142.250.66.149: /16
    // holds both, /18 (142.250.64.0-142.250.127.255) only the second. Read as text, the value
    // matches no address at all.
    let ips = |spl: &str| -> Vec<String> {
        run(spl)
            .iter()
            .map(|r| r["All_Traffic.dest_ip"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let q = |w: &str| {
        format!("| tstats count from datamodel=Network_Traffic.All_Traffic where {w} by All_Traffic.dest_ip")
    };
    assert_eq!(
        ips(&q("All_Traffic.dest_ip=142.250.0.0/16")),
        ["142.250.176.198", "142.250.66.149"]
    );
    assert_eq!(
        ips(&q("All_Traffic.dest_ip=142.250.64.0/18")),
        ["142.250.66.149"]
    );
    assert_eq!(
        ips(&q("NOT All_Traffic.dest_ip=142.250.64.0/18")),
        ["142.250.176.198"]
    );
}

//! The SQL backend's proof: every corpus detection that compiles to SQL runs on DuckDB (the
//! Python package, an external process) over a store and returns the polars engine's rows.
//!
//! Skips visibly when ../shared, python3 or the duckdb package is missing; with
//! `SPELUNK_REQUIRE_SHARED=1` (CI) a missing one is a failure. The floors below are the figures
//! measured when this test was written: a change may raise them, never lower them.

mod common;

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_spelunk");

/// Measured floors of the percentage of detections (that run on polars) compiling per dialect;
/// every compiled detection must return identical rows.
const SAMPLE_MIN_COMPILE_PERCENT: f64 = 90.0;
const EVTX_MIN_COMPILE_PERCENT: f64 = 95.0;

fn duckdb_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import duckdb"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        if std::env::var("SPELUNK_REQUIRE_SHARED").as_deref() == Ok("1") {
            panic!("SPELUNK_REQUIRE_SHARED=1 but python3 with the duckdb package is not available (pip install duckdb)");
        }
        eprintln!(
            "skipping: python3 with the duckdb package is not available (pip install duckdb)"
        );
    }
    ok
}

fn replay(store: &Path, input: &Path) {
    let out = Command::new(BIN)
        .arg("replay")
        .arg("--store")
        .arg(store)
        .arg(input)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 2),
        "replay failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// (compiled duckdb, compiled spark, ran, identical, compiled-and-compared, report text)
fn figures(report: &str) -> (usize, usize, usize, usize, usize) {
    let num_after = |prefix: &str| -> (usize, usize) {
        let line = report
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` line in:\n{report}"));
        let rest = &line[prefix.len()..];
        let mut it = rest
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty());
        let a = it.next().unwrap().parse().unwrap();
        let b = it.next().unwrap().parse().unwrap();
        (a, b)
    };
    let (duck, ran) = num_after("compile to SQL (duckdb): ");
    let (spark, _) = num_after("compile to SQL (spark): ");
    let (same, total) = num_after("identical on duckdb: ");
    (duck, spark, ran, same, total)
}

/// Run the corpus report with `--compare duckdb`; its figures.
fn report(
    store: &Path,
    corpus: &Path,
    list: Option<&Path>,
) -> (String, (usize, usize, usize, usize, usize)) {
    let mut cmd = Command::new(BIN);
    cmd.arg("sql")
        .arg("--corpus")
        .arg(corpus)
        .arg("--store")
        .arg(store)
        .args(["--compare", "duckdb"]);
    if let Some(l) = list {
        cmd.arg("--list").arg(l);
    }
    let out = cmd.output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{report}");
    let f = figures(&report);
    (report, f)
}

/// The Endpoint.Processes detections over the EVTX attack samples (real Sysmon and Security
/// events): every one that compiles returns the polars engine's rows on DuckDB.
#[test]
fn endpoint_processes_detections_return_the_polars_rows_on_duckdb_over_the_evtx_samples() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    if !duckdb_available() {
        return;
    }
    let store = common::temp_dir("sql-evtx-store");
    replay(&store, &shared.join("corpus/evtx-attack-samples"));
    let sc = shared.join("corpus/security_content");
    let (report, (duck, spark, ran, same, total)) =
        report(&store, &sc, Some(&sc.join("endpoint_processes_sysmon.tsv")));
    let pct = |n: usize, of: usize| 100.0 * n as f64 / of.max(1) as f64;
    assert!(pct(duck, ran) >= EVTX_MIN_COMPILE_PERCENT, "{report}");
    assert!(pct(spark, ran) >= EVTX_MIN_COMPILE_PERCENT, "{report}");
    assert_eq!(same, total, "{report}");
}

#[test]
fn corpus_detections_compiled_to_sql_return_the_polars_rows_on_duckdb_over_the_sample() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    if !duckdb_available() {
        return;
    }
    let store = common::temp_dir("sql-sample-store");
    replay(
        &store,
        &common::project_dir().join("datasets/sample/dataset.yml"),
    );
    let (report, (duck, spark, ran, same, total)) =
        report(&store, &shared.join("corpus/security_content"), None);
    let pct = |n: usize, of: usize| 100.0 * n as f64 / of.max(1) as f64;
    assert!(pct(duck, ran) >= SAMPLE_MIN_COMPILE_PERCENT, "{report}");
    assert!(pct(spark, ran) >= SAMPLE_MIN_COMPILE_PERCENT, "{report}");
    assert_eq!(same, total, "{report}");
}

/// The (detection, dataset) pairs of attack_data's DETECTIONS.tsv, each over a store of its own
/// datasets: every one that compiles returns the polars engine's rows on DuckDB.
#[test]
fn detection_pairs_return_the_polars_rows_on_duckdb() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    if !duckdb_available() {
        return;
    }
    let out = Command::new(BIN)
        .arg("sql")
        .arg("--corpus")
        .arg(shared.join("corpus/security_content"))
        .arg("--pairs")
        .arg(shared.join("corpus/attack_data/DETECTIONS.tsv"))
        .arg("--data-root")
        .arg(shared.join("corpus/attack_data"))
        .args(["--compare", "duckdb", "--require-identical"])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (duck, _, ran, same, total) = figures(&report);
    assert_eq!(ran, 23, "{report}");
    // Measured when written: 19 of the 23 compile; 16 of them return results.
    assert!(duck >= 19, "{report}");
    assert_eq!(same, total, "{report}");
}

/// `lookup` compiled to SQL (the table inlined, joined with the definition's match rules):
/// wildcard cells, case-insensitive matching, several matches (multivalue, file order),
/// `default_match`, OUTPUT replacing and OUTPUTNEW filling, results without the input field;
/// DuckDB returns the polars engine's rows.
#[test]
fn lookups_compiled_to_sql_return_the_polars_rows_on_duckdb() {
    if !duckdb_available() {
        return;
    }
    let root = common::temp_dir("sql-lookup-content");
    let _ = std::fs::remove_dir_all(&root);
    for d in ["macros", "lookups", "detections"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    std::fs::write(
        root.join("lookups/tools.yml"),
        "name: tools\nfilename: tools.csv\nmatch_type: WILDCARD(image)\ncase_sensitive_match: 'false'\ndefault_match: 'unknown'\nmin_matches: 1\n",
    )
    .unwrap();
    std::fs::write(
        root.join("lookups/tools.csv"),
        "image,kind,note\n*\\psexec*.exe,remote,\nCMD.EXE,shell,builtin\n*.exe,binary,any exe\nwhoami.exe,recon,\n",
    )
    .unwrap();
    std::fs::write(
        root.join("lookups/owners.yml"),
        "name: owners\nfilename: owners.csv\n",
    )
    .unwrap();
    std::fs::write(
        root.join("lookups/owners.csv"),
        "host,owner\nh1,alice\nh2,bob\nH1,carol\n",
    )
    .unwrap();
    let searches = [
        (
            "wild",
            r#"| makeresults | eval n=split("1,2,3,4,5", ",") | mvexpand n | eval n=tonumber(n) | eval image=case(n=1,"C:\\PsExec64.exe", n=2, "cmd.exe", n=3, "note.txt", n=4, "Whoami.EXE", true(), null()) | lookup tools image OUTPUT kind note | table n image kind note"#,
        ),
        (
            "outputnew",
            r#"| makeresults | eval n=split("1,2,3", ",") | mvexpand n | eval n=tonumber(n) | eval host=case(n=1,"h1",n=2,"H1",true(),"h3"), owner=if(n=2,"preset",null()) | lookup owners host OUTPUTNEW owner | table n host owner"#,
        ),
        (
            "open_match",
            r#"| makeresults | eval host="h2" | lookup owners host OUTPUT owner AS who | eval n=1"#,
        ),
        (
            "open_nomatch",
            r#"| makeresults | eval host="h9" | lookup owners host OUTPUT owner AS who | eval n=1"#,
        ),
        (
            "replace",
            r#"| makeresults | eval n=split("1,2,3", ",") | mvexpand n | eval n=tonumber(n) | eval host=case(n=1,"h2",n=2,"zz",true(),null()), owner="old" | lookup owners host OUTPUT owner | stats count by owner"#,
        ),
    ];
    for (name, spl) in searches {
        std::fs::write(
            root.join(format!("detections/{name}.yml")),
            format!("name: {name}\nsearch: '{}'\n", spl.replace('\'', "''")),
        )
        .unwrap();
    }
    let store = common::temp_dir("sql-lookup-store");
    let out = Command::new(BIN)
        .arg("sql")
        .arg("--corpus")
        .arg(&root)
        .arg("--store")
        .arg(&store)
        .args(["--compare", "duckdb", "--require-identical"])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (duck, spark, ran, same, total) = figures(&report);
    assert_eq!((ran, duck, spark, same, total), (5, 5, 5, 5, 5), "{report}");
}

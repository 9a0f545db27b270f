//! The Spark backend's proof: searches compiled to Spark SQL and submitted with Spark's own
//! `spark-submit` (a local `local[2]` master) return the polars engine's rows.
//!
//! Needs `spark-submit` (SPARK_HOME or PATH; `pip install pyspark`) and a Java runtime. Skips
//! visibly when they are missing; with `SPELUNK_REQUIRE_SHARED=1` (CI, which installs pyspark)
//! a missing one is a failure. Each test starts one Spark application (~30-60 s on 2 cores).

mod common;

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_spelunk");

fn spark_available() -> bool {
    let submit = match std::env::var_os("SPARK_HOME") {
        Some(h) => std::path::Path::new(&h).join("bin/spark-submit").is_file(),
        None => Command::new("sh")
            .args(["-c", "command -v spark-submit"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false),
    };
    let java = Command::new("java")
        .arg("-version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !(submit && java) {
        if std::env::var("SPELUNK_REQUIRE_SHARED").as_deref() == Ok("1") {
            panic!("SPELUNK_REQUIRE_SHARED=1 but spark-submit (pip install pyspark) or java is not available");
        }
        eprintln!(
            "skipping: spark-submit (pip install pyspark) or a Java runtime is not available"
        );
    }
    submit && java
}

/// `spelunk run --engine spark -f <seed detection>` prints the table `spelunk run -f` prints.
#[test]
fn the_seed_detection_prints_the_same_table_on_spark() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    if !spark_available() {
        return;
    }
    let det = shared.join(
        "corpus/security_content/detections/endpoint/credential_dumping_via_symlink_to_shadow_copy.yml",
    );
    let run = |extra: &[&str]| {
        let out = Command::new(BIN)
            .arg("run")
            .args(extra)
            .args(["--format", "table", "-f"])
            .arg(&det)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let polars = run(&[]);
    let spark = run(&["--engine", "spark", "--master", "local[2]"]);
    assert!(polars.contains("mklink"), "{polars}");
    assert!(polars.ends_with("1 result\n"), "{polars}");
    assert_eq!(spark, polars);
}

/// The (detection, dataset) pairs of attack_data's DETECTIONS.tsv: every one that compiles to
/// Spark SQL returns exactly the polars engine's rows on Spark (one application for all).
#[test]
fn detection_pairs_return_the_polars_rows_on_spark() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    if !spark_available() {
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
        .args(["--compare", "spark", "--master", "local[2]"])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout).to_string();
    eprintln!("{report}");
    assert!(
        out.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = report
        .lines()
        .find(|l| l.starts_with("identical on spark: "))
        .unwrap_or_else(|| panic!("no `identical on spark` line in:\n{report}"));
    let nums: Vec<usize> = line["identical on spark: ".len()..]
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .take(3)
        .map(|s| s.parse().unwrap())
        .collect();
    let (same, total, with_rows) = (nums[0], nums[1], nums[2]);
    assert_eq!(same, total, "{report}");
    // Measured when written: 19 of the 23 pairs compile for Spark, 16 of them with results.
    assert!(total >= 19, "{report}");
    assert!(with_rows >= 16, "{report}");
}

/// The crafted pipelines (`foreach`, `appendpipe`, multivalue comparisons, `addtotals`,
/// `makemv`, `inputlookup`, lookups) return the polars engine's rows on Spark too (one Spark
/// application). Found: Spark's `size(NULL)` is -1, not null, outside ANSI mode.
#[test]
fn crafted_pipelines_return_the_polars_rows_on_spark() {
    if !spark_available() {
        return;
    }
    let dir = common::temp_dir("sql-spark-pipelines");
    let (store, corpus) = common::pipelines::write_pipeline_corpus(BIN, &dir);
    let n = common::pipelines::PIPELINE_SEARCHES.len();
    common::pipelines::compare_all(BIN, &corpus, &store, "spark", &["--master", "local[2]"], n);
}

/// A table of several parquet chunks (25,000 events: the replay's compaction writes files of
/// up to 10,000 rows) reads as one scan per group of chunks on Spark; rows keep the polars
/// engine's order across chunks (newest first, then the store's order).
#[test]
fn tables_of_several_chunks_keep_the_polars_order_on_spark() {
    if !spark_available() {
        return;
    }
    let dir = common::temp_dir("sql-spark-chunks");
    let mut text = String::new();
    for i in 0..25_000u32 {
        // Ten distinct times: ties are ordered by the store's order, across chunks.
        text.push_str(&format!(
            "{{\"time\":\"2024-03-01T10:{:02}:00Z\",\"id\":\"e{i}\",\"user\":\"u{}\",\"n\":{}}}\n",
            i % 10,
            i % 7,
            i % 13
        ));
    }
    let data = dir.join("events.json");
    std::fs::write(&data, text).unwrap();
    let store = dir.join("store");
    let out = Command::new(BIN)
        .args(["replay", "--sourcetype", "_json", "--store"])
        .arg(&store)
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest = std::fs::read_to_string(store.join("manifest.json")).unwrap();
    assert!(
        manifest.matches("\"file\":\"events/").count() >= 2,
        "the events table has several chunks: {manifest}"
    );
    let searches = [
        "id=* | head 25 | table id",
        "id=* | dedup user | table id user",
        "id=* | stats count sum(n) as s by user",
        "id=* | tail 3 | table id",
    ];
    let corpus = dir.join("corpus");
    common::pipelines::write_detections(&corpus, &searches);
    let n = searches.len();
    common::pipelines::compare_all(BIN, &corpus, &store, "spark", &["--master", "local[2]"], n);
}

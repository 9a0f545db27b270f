//! The engines compiled SQL runs on, driven as external processes (never linked into spelunk):
//! DuckDB through its Python package, Spark through its own `spark-submit`.
//!
//! Both runners take a JSON list of `{"id", "sql"}` and write a JSON object `id -> {"columns",
//! "rows"}` (or `{"error"}`), each cell the list of its values as Splunk text
//! ([`crate::cli::sql::polars_rows`] writes the polars engine's rows the same way), so results
//! compare cell by cell and print with spelunk's own renderer.

use crate::diagnostic::Diagnostic;
use polars::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Col, Kind};

/// The DuckDB runner (tests/sql/duckdb_run.py), passed to `python3`.
pub const DUCKDB_RUNNER: &str = include_str!("../../tests/sql/duckdb_run.py");
/// The Spark runner (tests/sql/spark_run.py), submitted with `spark-submit`.
pub const SPARK_RUNNER: &str = include_str!("../../tests/sql/spark_run.py");

/// Results by query id.
pub type Results = serde_json::Map<String, serde_json::Value>;

/// A scratch folder for one runner call (removed by [`Scratch::drop`]).
struct Scratch(PathBuf);

impl Scratch {
    fn new(what: &str) -> Result<Scratch, Diagnostic> {
        static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("spelunk-{what}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| Diagnostic::new(format!("{}: {e}", dir.display())))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write(path: &Path, text: &str) -> Result<(), Diagnostic> {
    std::fs::write(path, text).map_err(|e| Diagnostic::new(format!("{}: {e}", path.display())))
}

fn read_results(path: &Path) -> Result<Results, Diagnostic> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Diagnostic::new(format!("{}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| Diagnostic::new(e.to_string()))
}

/// Run queries (`{id, sql}`) on DuckDB (`python3` with the `duckdb` package).
pub fn run_duckdb(queries: &[serde_json::Value]) -> Result<Results, Diagnostic> {
    let dir = Scratch::new("duckdb")?;
    let inp = dir.0.join("queries.json");
    let outp = dir.0.join("results.json");
    let script = dir.0.join("duckdb_run.py");
    write(&inp, &serde_json::to_string(queries).unwrap_or_default())?;
    write(&script, DUCKDB_RUNNER)?;
    let status = Command::new("python3")
        .arg(&script)
        .arg(&inp)
        .arg(&outp)
        .status()
        .map_err(|e| Diagnostic::new(format!("cannot run python3: {e}")))?;
    if !status.success() {
        return Err(Diagnostic::new(
            "the DuckDB runner failed (is the `duckdb` Python package installed? pip install duckdb)",
        ));
    }
    read_results(&outp)
}

/// How to reach Spark: its `spark-submit`, the master and extra configuration.
#[derive(Debug, Clone, Default)]
pub struct SparkOptions {
    /// `--master`: `local[*]` (the default), `spark://host:7077`, `yarn`, `k8s://...`.
    pub master: Option<String>,
    /// Extra `--conf KEY=VALUE` settings, passed through.
    pub conf: Vec<String>,
    /// The session time zone (`spark.sql.session.timeZone`), as `--tz`.
    pub tz: String,
}

/// `spark-submit`: `$SPARK_HOME/bin/spark-submit` when SPARK_HOME is set, else the first on PATH
/// (`pip install pyspark` installs one).
pub fn spark_submit() -> Result<PathBuf, Diagnostic> {
    if let Some(home) = std::env::var_os("SPARK_HOME").filter(|h| !h.is_empty()) {
        let p = Path::new(&home).join("bin").join("spark-submit");
        if p.is_file() {
            return Ok(p);
        }
        return Err(Diagnostic::new(format!(
            "SPARK_HOME is {} but it has no bin/spark-submit",
            Path::new(&home).display()
        )));
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let p = dir.join("spark-submit");
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    Err(Diagnostic::new(
        "Spark not found: set SPARK_HOME to a Spark 4 installation, or put its spark-submit on PATH \
         (`pip install pyspark` installs one; Spark needs a Java 17 runtime)",
    ))
}

/// Run queries (`{id, sql, parquet?}`) in one Spark application submitted with `spark-submit`.
/// Spark's log goes to a file and is shown only when the application fails.
pub fn run_spark(
    queries: &[serde_json::Value],
    opts: &SparkOptions,
) -> Result<Results, Diagnostic> {
    let submit = spark_submit()?;
    let dir = Scratch::new("spark")?;
    let inp = dir.0.join("queries.json");
    let outp = dir.0.join("results.json");
    let script = dir.0.join("spark_run.py");
    write(&inp, &serde_json::to_string(queries).unwrap_or_default())?;
    write(&script, SPARK_RUNNER)?;
    let master = opts.master.clone().unwrap_or_else(|| "local[*]".into());
    let mut cmd = Command::new(&submit);
    cmd.arg("--master").arg(&master);
    // Splunk's field names are case-sensitive and the store has columns differing only by case;
    // the SQL names columns exactly. The session zone is the one times are written in.
    let mut conf = vec![
        "spark.sql.caseSensitive=true".to_string(),
        format!("spark.sql.session.timeZone={}", opts.tz),
        "spark.ui.enabled=false".to_string(),
        "spark.sql.ansi.enabled=false".to_string(),
        // Stores written before min/max statistics were kept for `_time` have Parquet column
        // indexes that parquet-mr reads as "all null" for `_raw` and `_time`: it would skip
        // their pages under `IS NOT NULL` filters.
        "spark.hadoop.parquet.filter.columnindex.enabled=false".to_string(),
    ];
    if master.starts_with("local") {
        // Small results on one machine: a few shuffle partitions, not 200.
        conf.push("spark.sql.shuffle.partitions=4".into());
    }
    conf.extend(opts.conf.iter().cloned());
    for c in &conf {
        cmd.arg("--conf").arg(c);
    }
    cmd.arg(&script).arg(&inp).arg(&outp);
    let log = dir.0.join("spark.log");
    let logf = std::fs::File::create(&log)
        .map_err(|e| Diagnostic::new(format!("{}: {e}", log.display())))?;
    let logf2 = logf
        .try_clone()
        .map_err(|e| Diagnostic::new(format!("{}: {e}", log.display())))?;
    let status = cmd
        .stdout(logf)
        .stderr(logf2)
        .status()
        .map_err(|e| Diagnostic::new(format!("cannot run {}: {e}", submit.display())))?;
    if !status.success() || !outp.is_file() {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let tail: Vec<&str> = text
            .lines()
            .filter(|l| !l.contains(" INFO ") && !l.contains(" WARN "))
            .collect();
        let tail = tail[tail.len().saturating_sub(15)..].join("\n");
        return Err(Diagnostic::new(format!(
            "the Spark application failed ({} --master {master}):\n{tail}",
            submit.display()
        )));
    }
    read_results(&outp)
}

/// A runner's result (`{columns, rows}`) as a frame typed like the polars engine's result,
/// from the compiled query's column kinds: the same renderer then prints the same text.
pub fn result_frame(result: &serde_json::Value, kinds: &[Col]) -> Result<DataFrame, Diagnostic> {
    if let Some(e) = result.get("error").and_then(|e| e.as_str()) {
        return Err(Diagnostic::new(format!("the engine failed: {e}")));
    }
    let mut names: Vec<String> =
        serde_json::from_value(result["columns"].clone()).unwrap_or_default();
    let mut rows: Vec<Vec<Vec<String>>> =
        serde_json::from_value(result["rows"].clone()).unwrap_or_default();
    super::Query::settle(&mut names, &mut rows);
    let mut columns = Vec::with_capacity(names.len());
    for (j, name) in names.iter().enumerate() {
        let kind = kinds
            .iter()
            .find(|c| &c.name == name)
            .map(|c| c.kind)
            .unwrap_or(Kind::Str);
        let cells: Vec<&Vec<String>> = rows.iter().filter_map(|r| r.get(j)).collect();
        columns.push(typed_column(name, kind, &cells));
    }
    if columns.is_empty() {
        return Ok(DataFrame::empty());
    }
    DataFrame::new_infer_height(columns).map_err(|e| Diagnostic::new(e.to_string()))
}

fn typed_column(name: &str, kind: Kind, cells: &[&Vec<String>]) -> Column {
    let multi = kind == Kind::Multi || cells.iter().any(|c| c.len() > 1);
    let first = |c: &&Vec<String>| c.first().cloned();
    if multi {
        let lists: ListChunked = cells
            .iter()
            .map(|c| (!c.is_empty()).then(|| Series::new("".into(), c.as_slice())))
            .collect();
        return lists.with_name(name.into()).into_column();
    }
    let texts: Vec<Option<String>> = cells.iter().map(first).collect();
    match kind {
        Kind::Int => {
            let v: Option<Vec<Option<i64>>> = texts
                .iter()
                .map(|t| match t {
                    None => Some(None),
                    Some(s) => s.parse::<i64>().ok().map(Some),
                })
                .collect();
            if let Some(v) = v {
                return Column::new(name.into(), v);
            }
        }
        Kind::Float => {
            let v: Option<Vec<Option<f64>>> = texts
                .iter()
                .map(|t| match t {
                    None => Some(None),
                    Some(s) => s.parse::<f64>().ok().map(Some),
                })
                .collect();
            if let Some(v) = v {
                return Column::new(name.into(), v);
            }
        }
        Kind::Bool => {
            let v: Option<Vec<Option<bool>>> = texts
                .iter()
                .map(|t| match t.as_deref() {
                    None => Some(None),
                    Some("true") => Some(Some(true)),
                    Some("false") => Some(Some(false)),
                    Some(_) => None,
                })
                .collect();
            if let Some(v) = v {
                return Column::new(name.into(), v);
            }
        }
        _ => {}
    }
    Column::new(name.into(), texts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_frames_take_the_compiled_kinds() {
        let r = serde_json::json!({
            "columns": ["count", "dest", "v", "_time"],
            "rows": [[["3"], ["h1"], ["a", "b"], ["1700000000.5"]], [["1"], [], [], []]]
        });
        let cols = vec![
            Col {
                name: "count".into(),
                kind: Kind::Int,
            },
            Col {
                name: "dest".into(),
                kind: Kind::Str,
            },
            Col {
                name: "v".into(),
                kind: Kind::Multi,
            },
            Col {
                name: "_time".into(),
                kind: Kind::Float,
            },
        ];
        let df = result_frame(&r, &cols).unwrap();
        assert_eq!(df.column("count").unwrap().dtype(), &DataType::Int64);
        assert_eq!(df.column("_time").unwrap().dtype(), &DataType::Float64);
        assert!(matches!(df.column("v").unwrap().dtype(), DataType::List(_)));
        let json = crate::output::render(&df, crate::output::OutputFormat::Json, "UTC");
        assert!(json.contains("\"count\": 3"), "{json}");
        assert!(json.contains("2023-11-14T22:13:20.500+00:00"), "{json}");
        // A kind the text does not fit (a string in an Int column) keeps the text.
        let r = serde_json::json!({"columns": ["n"], "rows": [[["x"]]]});
        let df = result_frame(
            &r,
            &[Col {
                name: "n".into(),
                kind: Kind::Int,
            }],
        )
        .unwrap();
        assert_eq!(df.column("n").unwrap().dtype(), &DataType::String);
    }

    #[test]
    fn engine_errors_are_errors() {
        let r = serde_json::json!({"error": "boom"});
        assert!(result_frame(&r, &[]).is_err());
    }
}

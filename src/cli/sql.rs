//! `spelunk sql`: a search as SQL for DuckDB or Spark over a store's parquet tables; with
//! `--corpus`, a report of which detections compile (grouped by reason), and with
//! `--compare duckdb` the differential check: each compiled detection runs on DuckDB (the Python
//! package, as an external process) and its rows are compared with the polars engine's.

use super::input::{report, SearchInput};
use crate::diagnostic::Diagnostic;
use crate::exec::{self, Context};
use crate::sql::external::{run_duckdb, run_spark, SparkOptions};
use crate::sql::{compile, Dialect, Options, Tables};
use crate::store::Store;
use clap::Args;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `spelunk sql`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  spelunk sql --store .spelunk/store --dialect duckdb '| tstats count from datamodel=Endpoint.Processes by Processes.dest'\n  spelunk sql --dialect spark -f detections/endpoint/some_detection.yml --store /data/store --root s3a://bucket/store\n  spelunk sql --corpus ../shared/corpus/security_content --store .spelunk/store --compare duckdb\n\nExit status: 0 when the SQL was printed (or the report's checks held), 1 on an error."
)]
pub struct SqlArgs {
    #[command(flatten)]
    pub input: SearchInput,

    /// The SQL dialect.
    #[arg(long, value_enum, default_value_t = Dialect::Duckdb)]
    pub dialect: Dialect,

    /// The store the SQL reads (its manifest gives the tables' files and columns).
    #[arg(long, value_name = "DIR", default_value = crate::store::DEFAULT_STORE_DIR)]
    pub store: PathBuf,

    /// How the engine names the store folder (e.g. `s3a://bucket/store`); default: its local path.
    #[arg(long, value_name = "URI")]
    pub root: Option<String>,

    /// Report over every detection of a security_content checkout: which compile to SQL (both
    /// dialects), grouped by reason.
    #[arg(long, value_name = "DIR")]
    pub corpus: Option<PathBuf>,

    /// With --corpus: only the detections of this TSV list (first column: path or name).
    #[arg(long, value_name = "TSV", requires = "corpus")]
    pub list: Option<PathBuf>,

    /// With --corpus: run each compiled detection on this engine and compare its rows with the
    /// polars engine's.
    #[arg(long, value_name = "ENGINE", value_parser = ["duckdb", "spark"], requires = "corpus")]
    pub compare: Option<String>,

    /// With --compare spark: the Spark master (`local[2]`, `spark://host:7077`, `yarn`, ...;
    /// default `local[*]`).
    #[arg(long, value_name = "URL")]
    pub master: Option<String>,

    /// With --compare spark: extra Spark configuration, passed through (repeatable).
    #[arg(long = "spark-conf", value_name = "KEY=VALUE")]
    pub spark_conf: Vec<String>,

    /// Instead of one store: the (detection, dataset) pairs of this TSV (attack_data's
    /// DETECTIONS.tsv), each run over a store of its own datasets (replayed under a temporary
    /// folder), as `spelunk check --pairs` does.
    #[arg(long, value_name = "TSV", requires = "corpus", conflicts_with = "list")]
    pub pairs: Option<PathBuf>,

    /// With --pairs: the folder the datasets' paths resolve against (an attack_data checkout).
    #[arg(long, value_name = "DIR", requires = "pairs")]
    pub data_root: Option<PathBuf>,

    /// With --compare: fail (exit 1) unless every compiled detection returns identical rows.
    #[arg(long, requires = "compare")]
    pub require_identical: bool,

    /// With --corpus: list every detection under its reason (default: three examples each).
    #[arg(long, requires = "corpus")]
    pub all: bool,
}

/// Run `spelunk sql`.
pub fn run(args: SqlArgs) -> ExitCode {
    let r = if args.corpus.is_some() {
        corpus(&args)
    } else {
        single(&args)
    };
    match r {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            report(&e);
            ExitCode::from(1)
        }
    }
}

fn tables(args: &SqlArgs) -> Result<Tables, Diagnostic> {
    Tables::open(&args.store, args.root.as_deref())
        .map_err(|e| Diagnostic::new(format!("store: {e}")))
}

fn single(args: &SqlArgs) -> Result<String, Diagnostic> {
    let (spl, origin) = args.input.read()?;
    let lib = args.input.library()?;
    let (expanded, plan) = crate::plan_search(&spl, &lib).map_err(|e| {
        if e.origin == "search" {
            e.origin(origin)
        } else {
            e
        }
    })?;
    let t = tables(args)?;
    let mut dirs = Vec::new();
    if let Some(root) = args
        .input
        .file
        .as_deref()
        .and_then(super::input::checkout_root)
    {
        if root.join("lookups").is_dir() {
            dirs.push(root.join("lookups"));
        }
    }
    let lookups = crate::lookups::LookupLibrary::with_dirs(&dirs)?;
    let q = compile(
        &plan,
        &expanded,
        &t,
        &Options {
            dialect: args.dialect,
            now: crate::exec::now(),
            lookups: Some(lookups),
        },
    )
    .map_err(|e| e.0)?;
    Ok(format!("{}\n", q.sql))
}

/// A result table as text cells (each cell: its values; none for null).
pub type Rows = (Vec<String>, Vec<Vec<Vec<String>>>);

/// The polars engine's rows, normalised as the DuckDB runner writes them.
pub fn polars_rows(df: &polars::prelude::DataFrame) -> Rows {
    let cols: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let mut rows = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        rows.push(
            df.columns()
                .iter()
                .map(|c| crate::frame::values_at(c, i))
                .collect(),
        );
    }
    (cols, rows)
}

/// One detection of the report: its DuckDB and Spark SQL (when they compile) and the polars
/// engine's rows.
struct Item {
    name: String,
    sql: Option<String>,
    spark_sql: Option<String>,
    rows: Option<Rows>,
}

/// A detection to report on, and the store it runs over.
struct Job {
    name: String,
    search: String,
    store: PathBuf,
}

/// The detections of a corpus run (path, search), optionally limited to a TSV list.
fn detections(root: &Path, list: Option<&Path>) -> Result<Vec<(PathBuf, String)>, Diagnostic> {
    let mut files = crate::detection::find_detections(root);
    if let Some(l) = list {
        let text = std::fs::read_to_string(l)
            .map_err(|e| Diagnostic::new(format!("{}: {e}", l.display())))?;
        let wanted: Vec<String> = text
            .lines()
            .filter_map(|x| x.split('\t').next())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        files.retain(|f| {
            let s = f.to_string_lossy();
            let stem = f.file_stem().map(|x| x.to_string_lossy().to_string());
            wanted
                .iter()
                .any(|w| s.ends_with(w.as_str()) || stem.as_deref() == Some(w.as_str()))
        });
    }
    let mut out = Vec::new();
    for f in files {
        if let Ok(d) = crate::detection::Detection::load(&f) {
            out.push((f, d.search));
        }
    }
    Ok(out)
}

/// The reason of a compile error without its specifics in quotes after the first (for grouping).
fn reason(msg: &str) -> String {
    msg.lines().next().unwrap_or("").to_string()
}

/// The detections of --pairs, each over a store of its own datasets (written under `scratch`).
fn pair_jobs(
    args: &SqlArgs,
    root: &Path,
    tsv: &Path,
    scratch: &Path,
) -> Result<Vec<Job>, Diagnostic> {
    let data_root = args.data_root.as_deref().unwrap_or(Path::new("."));
    let pairs = crate::conformance::read_pairs(tsv, root, data_root)?;
    let mut jobs = Vec::new();
    for (k, p) in pairs.iter().enumerate() {
        let Ok(d) = crate::detection::Detection::load(&p.detection) else {
            continue;
        };
        if !p.dataset.is_file() {
            continue;
        }
        let dir = scratch.join(format!("pair-{k}"));
        let mut store = Store::open(&dir).map_err(|e| Diagnostic::new(format!("store: {e}")))?;
        let (inputs, _) = crate::conformance::pair_inputs(p, &d);
        store
            .replay(&inputs, &crate::store::ReplayOptions::default())
            .map_err(|e| Diagnostic::new(format!("replay failed: {e}")))?;
        let stem = |x: &Path| {
            x.file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default()
        };
        jobs.push(Job {
            name: format!("{} over {}", stem(&p.detection), stem(&p.dataset)),
            search: d.search,
            store: dir,
        });
    }
    Ok(jobs)
}

fn corpus(args: &SqlArgs) -> Result<String, Diagnostic> {
    let root = args.corpus.as_deref().unwrap_or(Path::new("."));
    let mut dirs = vec![];
    if root.join("macros").is_dir() {
        dirs.push(root.join("macros"));
    }
    dirs.extend(args.input.macros.iter().cloned());
    let lib = crate::macros::MacroLibrary::with_dirs(&dirs)?;
    let lookups = crate::lookups::LookupLibrary::with_dirs(
        &[root.join("lookups")]
            .into_iter()
            .filter(|p| p.is_dir())
            .collect::<Vec<_>>(),
    )?;
    let scratch = std::env::temp_dir().join(format!("spelunk-sql-pairs-{}", std::process::id()));
    let jobs = match &args.pairs {
        Some(tsv) => {
            let r = pair_jobs(args, root, tsv, &scratch);
            if r.is_err() {
                let _ = std::fs::remove_dir_all(&scratch);
            }
            r?
        }
        None => detections(root, args.list.as_deref())?
            .into_iter()
            .map(|(path, search)| Job {
                name: path
                    .file_stem()
                    .map(|s| s.to_string_lossy().to_string())
                    .unwrap_or_default(),
                search,
                store: args.store.clone(),
            })
            .collect(),
    };
    let r = report_on(args, &jobs, &lib, &lookups);
    let _ = std::fs::remove_dir_all(&scratch);
    r
}

fn report_on(
    args: &SqlArgs,
    jobs: &[Job],
    lib: &crate::macros::MacroLibrary,
    lookups: &crate::lookups::LookupLibrary,
) -> Result<String, Diagnostic> {
    let now = crate::exec::now();
    let mut planned = 0usize;
    let mut ran = 0usize;
    let mut compiled: BTreeMap<&str, usize> = BTreeMap::new();
    let mut reasons: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut items: Vec<Item> = Vec::new();
    // The tables are read once per store for all its detections (as `spelunk check` does).
    let mut open: Option<(PathBuf, Store, Tables, crate::exec::SourceCache)> = None;
    for job in jobs {
        if open.as_ref().map(|o| &o.0) != Some(&job.store) {
            let store =
                Store::open(&job.store).map_err(|e| Diagnostic::new(format!("store: {e}")))?;
            let root = if args.pairs.is_some() {
                None
            } else {
                args.root.as_deref()
            };
            let t = Tables::open(&job.store, root)
                .map_err(|e| Diagnostic::new(format!("store: {e}")))?;
            open = Some((
                job.store.clone(),
                store,
                t,
                crate::exec::SourceCache::default(),
            ));
        }
        let Some((_, store, t, cache)) = open.as_ref() else {
            continue;
        };
        let name = job.name.clone();
        let Ok((expanded, plan)) = crate::plan_search(&job.search, lib) else {
            continue;
        };
        planned += 1;
        let mut ctx = Context::new(store, expanded.clone(), lib.clone());
        ctx.now = now;
        ctx.lookups = lookups.clone();
        ctx.cache = Some(cache);
        let Ok(df) = exec::run(&plan, &ctx) else {
            continue;
        };
        ran += 1;
        let mut duck_sql = None;
        let mut spark_sql = None;
        for (dname, d) in [("duckdb", Dialect::Duckdb), ("spark", Dialect::Spark)] {
            let opts = Options {
                dialect: d,
                now,
                lookups: Some(lookups.clone()),
            };
            match compile(&plan, &expanded, t, &opts) {
                Ok(q) => {
                    *compiled.entry(dname).or_default() += 1;
                    if d == Dialect::Duckdb {
                        duck_sql = Some(q.sql);
                    } else {
                        spark_sql = Some(q.sql);
                    }
                }
                Err(e) => reasons
                    .entry((dname.to_string(), reason(&e.reason())))
                    .or_default()
                    .push(name.clone()),
            }
        }
        items.push(Item {
            name,
            rows: (duck_sql.is_some() || spark_sql.is_some()).then(|| polars_rows(&df)),
            sql: duck_sql,
            spark_sql,
        });
    }
    // The polars side is done: free its cached tables before another engine starts (on a
    // 10M-event store they are gigabytes, and local Spark runs in this machine's memory too).
    drop(open);
    let pct = |n: usize| {
        if ran == 0 {
            0.0
        } else {
            100.0 * n as f64 / ran as f64
        }
    };
    let mut out = String::new();
    out.push_str(&format!(
        "detections: {} ({} planned, {} ran on polars over {})\n",
        jobs.len(),
        planned,
        ran,
        if args.pairs.is_some() {
            "each pair's datasets".to_string()
        } else {
            args.store.display().to_string()
        }
    ));
    for d in ["duckdb", "spark"] {
        let n = compiled.get(d).copied().unwrap_or(0);
        out.push_str(&format!(
            "compile to SQL ({d}): {n} of {ran} ({:.1}%)\n",
            pct(n)
        ));
    }
    let mut failed_identical = false;
    if let Some(engine) = args.compare.as_deref() {
        let spark = SparkOptions {
            master: args.master.clone(),
            conf: args.spark_conf.clone(),
            tz: "UTC".into(),
        };
        let started = std::time::Instant::now();
        let (same, diffs) = compare_on(engine, &items, &spark)?;
        let sql_of = |i: &Item| {
            if engine == "spark" {
                i.spark_sql.is_some()
            } else {
                i.sql.is_some()
            }
        };
        let total = items.iter().filter(|i| sql_of(i)).count();
        let with_rows = items
            .iter()
            .filter(|i| sql_of(i) && i.rows.as_ref().is_some_and(|r| !r.1.is_empty()))
            .count();
        out.push_str(&format!(
            "identical on {engine}: {same} of {total} compiled ({with_rows} of them return results on polars; {:.1} s on {engine})\n",
            started.elapsed().as_secs_f64()
        ));
        for (name, why) in &diffs {
            out.push_str(&format!("  DIFFERENT {name}: {why}\n"));
        }
        failed_identical = same != total;
    }
    let mut grouped: Vec<(&(String, String), &Vec<String>)> = reasons.iter().collect();
    grouped.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    if !grouped.is_empty() {
        out.push_str("\nnot compiled, by reason:\n");
    }
    for ((d, r), names) in grouped {
        let shown: Vec<&str> = names
            .iter()
            .take(if args.all { usize::MAX } else { 3 })
            .map(|s| s.as_str())
            .collect();
        out.push_str(&format!(
            "  [{d}] {:>4}  {r}\n         e.g. {}\n",
            names.len(),
            shown.join(", ")
        ));
    }
    if args.require_identical && failed_identical {
        print!("{out}");
        return Err(Diagnostic::new(
            "some detections return different rows on the compared engine than on the polars engine",
        ));
    }
    Ok(out)
}

/// Run the compiled queries on `engine` (DuckDB or Spark, external processes); (identical,
/// differences).
fn compare_on(
    engine: &str,
    items: &[Item],
    spark: &SparkOptions,
) -> Result<(usize, Vec<(String, String)>), Diagnostic> {
    let queries: Vec<serde_json::Value> = items
        .iter()
        .filter_map(|i| {
            let sql = if engine == "spark" {
                &i.spark_sql
            } else {
                &i.sql
            };
            sql.as_ref()
                .map(|s| serde_json::json!({"id": i.name, "sql": s}))
        })
        .collect();
    let results = if engine == "spark" {
        run_spark(&queries, spark)?
    } else {
        run_duckdb(&queries)?
    };
    let mut same = 0;
    let mut diffs = Vec::new();
    for i in items {
        let sql = if engine == "spark" {
            &i.spark_sql
        } else {
            &i.sql
        };
        let (Some(_), Some((pcols, prows))) = (sql, &i.rows) else {
            continue;
        };
        let Some(r) = results.get(&i.name) else {
            diffs.push((i.name.clone(), format!("no result from {engine}")));
            continue;
        };
        if let Some(e) = r.get("error").and_then(|e| e.as_str()) {
            diffs.push((i.name.clone(), format!("{engine} error: {e}")));
            continue;
        }
        let mut dcols: Vec<String> =
            serde_json::from_value(r["columns"].clone()).unwrap_or_default();
        let mut drows: Vec<Vec<Vec<String>>> =
            serde_json::from_value(r["rows"].clone()).unwrap_or_default();
        crate::sql::Query::settle(&mut dcols, &mut drows);
        match diff(pcols, prows, &dcols, &drows) {
            None => same += 1,
            Some(why) => diffs.push((i.name.clone(), why)),
        }
    }
    Ok((same, diffs))
}

/// The first difference between two result tables (None: identical). A one-value multivalue
/// equals the single value, and an empty multivalue equals null (Splunk does not tell them
/// apart).
pub fn diff(
    pcols: &[String],
    prows: &[Vec<Vec<String>>],
    dcols: &[String],
    drows: &[Vec<Vec<String>>],
) -> Option<String> {
    if pcols != dcols && !(pcols.is_empty() && prows.is_empty() && drows.is_empty()) {
        return Some(format!("columns {pcols:?} vs {dcols:?}"));
    }
    if prows.len() != drows.len() {
        return Some(format!("{} rows vs {}", prows.len(), drows.len()));
    }
    for (i, (a, b)) in prows.iter().zip(drows).enumerate() {
        for (j, (x, y)) in a.iter().zip(b).enumerate() {
            if x != y {
                return Some(format!(
                    "row {i} column {}: {x:?} vs {y:?}",
                    pcols.get(j).cloned().unwrap_or_default()
                ));
            }
        }
    }
    None
}

//! `spelunk run`: run a search (or a detection) over replayed data and print the results.

use super::input::{checkout_root, report, SearchInput};
use crate::diagnostic::Diagnostic;
use crate::exec::{self, Context};
use crate::ingest::Input;
use crate::lookups::LookupLibrary;
use crate::output::{render, view, OutputFormat};
use crate::store::{ReplayOptions, Store};
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The bundled sample dataset (in a checkout of the project).
pub const SAMPLE_DATASET: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/sample/dataset.yml");

/// Arguments of `spelunk run`.
#[derive(Debug, Args)]
#[command(
    after_help = "Data: --data files are replayed in memory (into --store when given); with --store alone the\nstore is read; with neither, the bundled sample dataset (datasets/sample) is used. A search\nwithout index= covers all the data given, as Splunk searches its default indexes.\n\nExamples:\n  spelunk run -f detections/endpoint/credential_dumping_via_symlink_to_shadow_copy.yml\n  spelunk run --data windows-sysmon.log --sourcetype XmlWinEventLog '`sysmon` EventCode=1 | stats count by Image'\n  spelunk run --store .spelunk/store --format json '| tstats count from datamodel=Endpoint.Processes by Processes.dest'\n\nSpark: --engine spark compiles the search to Spark SQL and submits it with spark-submit\n(SPARK_HOME/bin or PATH; `pip install pyspark` gives one), the same table printed:\n  spelunk run --engine spark -f detections/endpoint/some_detection.yml\n  spelunk run --engine spark --master spark://head:7077 --store s3a://bucket/store --manifest manifest.json -f detection.yml\n\nExit status: 0 when the search ran (with or without results), 1 on an error."
)]
pub struct RunArgs {
    #[command(flatten)]
    pub input: SearchInput,

    #[command(flatten)]
    pub data: DataArgs,

    /// Print how long each stage took (macros, planning, lookups, store, search, output) on
    /// stderr.
    #[arg(long)]
    pub timing: bool,

    #[command(flatten)]
    pub engine: EngineArgs,
}

/// The engine a search runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// In this process, on polars.
    Polars,
    /// Compiled to Spark SQL and submitted to a Spark cluster with `spark-submit`.
    Spark,
}

/// Where `spelunk run` runs the search (`--engine spark` and its settings).
#[derive(Debug, Args, Clone)]
pub struct EngineArgs {
    /// The engine: `polars` runs the search here; `spark` compiles it to Spark SQL over the store
    /// and runs it with Spark's `spark-submit` (found via SPARK_HOME or PATH), printing the same
    /// results.
    #[arg(long, value_enum, default_value_t = Engine::Polars)]
    pub engine: Engine,

    /// With --engine spark: the Spark master, passed to spark-submit (`local[*]` by default;
    /// `spark://host:7077`, `yarn`, `k8s://https://...`).
    #[arg(long, value_name = "URL")]
    pub master: Option<String>,

    /// With --engine spark: extra Spark configuration (`--conf KEY=VALUE`), repeatable, e.g.
    /// `spark.hadoop.fs.s3a.endpoint=...`.
    #[arg(long = "spark-conf", value_name = "KEY=VALUE")]
    pub spark_conf: Vec<String>,

    /// With --engine spark and a --store the cluster reads by URI (`s3a://bucket/store`): a local
    /// copy of that store's manifest.json (spelunk compiles against its tables and columns).
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,

    /// With --engine spark: also write the result as parquet to this folder (any URI the cluster
    /// writes: a local path, `s3a://...`, `hdfs://...`).
    #[arg(long, value_name = "URI")]
    pub spark_output: Option<String>,
}

/// Where searches read their data, and how results are printed (`run` and `repl`).
#[derive(Debug, Args, Clone)]
pub struct DataArgs {
    /// A data file, folder or attack_data dataset YAML to replay (repeatable).
    #[arg(long = "data", value_name = "FILE")]
    pub data: Vec<PathBuf>,

    #[command(flatten)]
    pub overrides: super::input::InputOverrides,

    /// A store folder written by `spelunk replay` (read; --data is added to it).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,

    /// A folder of lookup definitions and their CSV files (security_content's `lookups/`, or a
    /// checkout's root). For a detection (-f) inside a security_content checkout, that checkout's
    /// `lookups/` is loaded first; this folder overrides it.
    #[arg(long, value_name = "DIR")]
    pub lookups: Option<PathBuf>,

    /// The GeoIP database `iplocation` reads: a MaxMind City database (GeoLite2-City.mmdb).
    /// Default: SPELUNK_GEOIP, else `geoip:` in .spelunk/config.yml or
    /// ~/.config/spelunk/config.yml.
    #[arg(long, value_name = "FILE.mmdb")]
    pub geoip: Option<PathBuf>,

    /// A program that scores the DSDL model NAME for `apply NAME` (repeatable): it reads the
    /// results as CSV on standard input and writes them back as CSV, one row per row, with the
    /// model's prediction fields (see README, "MLTK models"). Also `dsdl:` in the settings file.
    #[arg(long = "dsdl-model", value_name = "NAME=COMMAND")]
    pub dsdl_model: Vec<String>,

    /// Time zone for rendering and parsing times (IANA name).
    #[arg(long, default_value = "UTC", value_name = "ZONE")]
    pub tz: String,

    /// Output format for scripts. Without it, a terminal gets the REPL's view (an event list for
    /// raw events, tables fitted to the window, `N results (x ms)`), and a pipe gets `table`.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<OutputFormat>,

    /// Print at most N results.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

/// Run `spelunk run`.
pub fn run(args: RunArgs) -> ExitCode {
    match run_inner(&args) {
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

fn store_err(e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::new(format!("store: {e}"))
}

/// Open or build the store the search reads.
pub fn prepare_store(args: &DataArgs) -> Result<Store, Diagnostic> {
    let mut store = match &args.store {
        Some(dir) => Store::open(dir).map_err(store_err)?,
        None => Store::in_memory(),
    };
    let mut data = args.data.clone();
    if data.is_empty() && args.store.is_none() {
        let sample = PathBuf::from(SAMPLE_DATASET);
        if !sample.exists() {
            return Err(Diagnostic::new("no data: give --data FILE or --store DIR (the bundled sample dataset is not available)"));
        }
        data.push(sample);
    }
    if !data.is_empty() {
        let inputs: Vec<Input> = data.iter().map(|p| args.overrides.input(p)).collect();
        let summary = store
            .replay(&inputs, &ReplayOptions::default())
            .map_err(store_err)?;
        if summary.events_rejected > 0 {
            eprintln!("note: {} of {} events were rejected while replaying the data (run `spelunk replay` for details)", summary.events_rejected, summary.events_read);
        }
    }
    Ok(store)
}

/// The checkout's `lookups/` when `file` (-f) is a detection inside a security_content
/// checkout, then `--lookups`.
pub fn lookup_library(file: Option<&Path>, args: &DataArgs) -> Result<LookupLibrary, Diagnostic> {
    let mut dirs = Vec::new();
    if let Some(root) = file.and_then(checkout_root) {
        if root.join("lookups").is_dir() {
            dirs.push(root.join("lookups"));
        }
    }
    dirs.extend(args.lookups.iter().cloned());
    let mut lib = LookupLibrary::with_dirs(&dirs)?;
    reference_data(
        &mut lib,
        args.store.as_deref(),
        args.geoip.as_deref(),
        &args.dsdl_model,
    )?;
    Ok(lib)
}

/// What searches read besides events and lookup definitions: `outputlookup` writes into
/// `<store>/lookups/` with a store (in memory without one), and `iplocation` reads the GeoIP
/// database of `--geoip`, `SPELUNK_GEOIP` or the settings file ([`super::config`]); `apply`
/// scores DSDL models with the programs of `--dsdl-model` or the settings file.
pub fn reference_data(
    lib: &mut LookupLibrary,
    store: Option<&Path>,
    geoip: Option<&Path>,
    dsdl: &[String],
) -> Result<(), Diagnostic> {
    if let Some(dir) = store {
        lib.written = crate::lookups::written::WrittenLookups::in_dir(dir.join("lookups"));
    }
    super::config::apply_geoip(lib, geoip)?;
    super::config::apply_dsdl(lib, dsdl)
}

fn run_inner(run: &RunArgs) -> Result<String, Diagnostic> {
    if run.engine.engine == Engine::Spark {
        return run_spark(run);
    }
    for (set, flag) in [
        (run.engine.master.is_some(), "--master"),
        (!run.engine.spark_conf.is_empty(), "--spark-conf"),
        (run.engine.manifest.is_some(), "--manifest"),
        (run.engine.spark_output.is_some(), "--spark-output"),
    ] {
        if set {
            return Err(Diagnostic::new(format!(
                "{flag} applies to --engine spark only"
            )));
        }
    }
    let args = &run.data;
    if crate::expr::time::parse_tz(&args.tz).is_none() {
        return Err(Diagnostic::new(format!(
            "unknown time zone `{}` (use an IANA name such as UTC or Europe/Paris)",
            args.tz
        )));
    }
    let mut timing = Timing::new(run.timing);
    let (spl, origin) = run.input.read()?;
    let lib = run.input.library()?;
    timing.lap("macros");
    let (expanded, plan) = crate::plan_search(&spl, &lib).map_err(|e| {
        if e.origin == "search" {
            e.origin(origin)
        } else {
            e
        }
    })?;
    timing.lap("plan");
    let lookups = lookup_library(run.input.file.as_deref(), args)?;
    timing.lap("lookups");
    let store = prepare_store(args)?;
    timing.lap("store");
    let mut ctx = Context::new(&store, expanded, lib);
    ctx.tz = args.tz.clone();
    ctx.lookups = lookups;
    let started = std::time::Instant::now();
    let mut df = exec::run(&plan, &ctx)?;
    let elapsed = started.elapsed();
    timing.lap("search");
    if let Some(n) = args.limit {
        df = df.head(Some(n));
    }
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let text = match args.format {
        None if terminal => {
            view::render(&df, &args.tz, view::terminal_width())
                + &view::footer(df.height(), elapsed)
        }
        format => render(&df, format.unwrap_or(OutputFormat::Table), &args.tz),
    };
    timing.lap("output");
    timing.report();
    Ok(text)
}

/// Wall time per stage of `spelunk run --timing`, printed on stderr.
struct Timing {
    on: bool,
    start: std::time::Instant,
    last: std::time::Instant,
    laps: Vec<(&'static str, f64)>,
}

impl Timing {
    fn new(on: bool) -> Timing {
        let now = std::time::Instant::now();
        Timing {
            on,
            start: now,
            last: now,
            laps: Vec::new(),
        }
    }

    fn lap(&mut self, stage: &'static str) {
        if self.on {
            let now = std::time::Instant::now();
            self.laps
                .push((stage, now.duration_since(self.last).as_secs_f64() * 1e3));
            self.last = now;
        }
    }

    fn report(&self) {
        if !self.on {
            return;
        }
        let parts: Vec<String> = self
            .laps
            .iter()
            .map(|(s, ms)| format!("{s} {ms:.1}"))
            .collect();
        eprintln!(
            "timing (ms): {}; total {:.1}",
            parts.join(", "),
            self.start.elapsed().as_secs_f64() * 1e3
        );
    }
}

/// `--engine spark`: compile the plan to Spark SQL over the store's tables, submit it, and
/// print the rows with the same renderer (typed by the compiled columns, as the polars engine
/// types them).
fn run_spark(run: &RunArgs) -> Result<String, Diagnostic> {
    use crate::sql::external::{result_frame, run_spark as submit, SparkOptions};
    use crate::sql::{compile, Dialect, Options, Tables};
    let args = &run.data;
    if crate::expr::time::parse_tz(&args.tz).is_none() {
        return Err(Diagnostic::new(format!(
            "unknown time zone `{}` (use an IANA name such as UTC or Europe/Paris)",
            args.tz
        )));
    }
    let (spl, origin) = run.input.read()?;
    let lib = run.input.library()?;
    let (expanded, plan) = crate::plan_search(&spl, &lib).map_err(|e| {
        if e.origin == "search" {
            e.origin(origin)
        } else {
            e
        }
    })?;
    let remote = args
        .store
        .as_deref()
        .map(|s| s.to_string_lossy().contains("://"))
        .unwrap_or(false);
    // Without --store the data (--data, or the bundled sample) is replayed into a temporary
    // store on disk, which Spark reads.
    let scratch = std::env::temp_dir().join(format!("spelunk-spark-store-{}", std::process::id()));
    let tables = if remote {
        let root = args
            .store
            .as_deref()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let Some(m) = &run.engine.manifest else {
            return Err(Diagnostic::new(format!(
                "--store {root} is read by the cluster: give --manifest FILE, a local copy of its manifest.json (e.g. `aws s3 cp {root}/manifest.json .`)"
            )));
        };
        if !args.data.is_empty() {
            return Err(Diagnostic::new(
                "--data cannot be replayed into a store on a cluster: replay it with `spelunk replay --store DIR` and copy DIR there",
            ));
        }
        Tables::from_manifest(m, &root).map_err(|e| Diagnostic::new(format!("store: {e}")))?
    } else {
        let dir = match &args.store {
            Some(d) => d.clone(),
            None => scratch.clone(),
        };
        let data = DataArgs {
            store: Some(dir.clone()),
            ..args.clone()
        };
        if args.store.is_none() || !args.data.is_empty() {
            let mut data = data;
            if args.store.is_none() && data.data.is_empty() {
                data.data.push(PathBuf::from(SAMPLE_DATASET));
                if !Path::new(SAMPLE_DATASET).exists() {
                    return Err(Diagnostic::new("no data: give --data FILE or --store DIR (the bundled sample dataset is not available)"));
                }
            }
            prepare_store(&data)?;
        }
        Tables::open(&dir, None).map_err(|e| Diagnostic::new(format!("store: {e}")))?
    };
    let lookups = lookup_library(run.input.file.as_deref(), args)?;
    let result = (|| {
        let q = compile(
            &plan,
            &expanded,
            &tables,
            &Options {
                dialect: Dialect::Spark,
                now: crate::exec::now(),
                lookups: Some(lookups),
            },
        )
        .map_err(|e| e.0)?;
        let mut query = serde_json::json!({"id": "search", "sql": q.sql});
        if let Some(out) = &run.engine.spark_output {
            query["parquet"] = serde_json::Value::String(out.clone());
        }
        let started = std::time::Instant::now();
        let results = submit(
            &[query],
            &SparkOptions {
                master: run.engine.master.clone(),
                conf: run.engine.spark_conf.clone(),
                tz: args.tz.clone(),
            },
        )?;
        let elapsed = started.elapsed();
        let r = results
            .get("search")
            .ok_or_else(|| Diagnostic::new("Spark returned no result"))?;
        Ok::<_, Diagnostic>((result_frame(r, &q.columns)?, elapsed))
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    let (mut df, elapsed) = result?;
    if let Some(n) = args.limit {
        df = df.head(Some(n));
    }
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stdout());
    Ok(match args.format {
        None if terminal => {
            view::render(&df, &args.tz, view::terminal_width())
                + &view::footer(df.height(), elapsed)
        }
        format => render(&df, format.unwrap_or(OutputFormat::Table), &args.tz),
    })
}

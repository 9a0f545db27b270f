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
    after_help = "Data: --data files are replayed in memory (into --store when given); with --store alone the\nstore is read; with neither, the bundled sample dataset (datasets/sample) is used. A search\nwithout index= covers all the data given, as Splunk searches its default indexes.\n\nExamples:\n  spelunk run -f detections/endpoint/credential_dumping_via_symlink_to_shadow_copy.yml\n  spelunk run --data windows-sysmon.log --sourcetype XmlWinEventLog '`sysmon` EventCode=1 | stats count by Image'\n  spelunk run --store .spelunk/store --format json '| tstats count from datamodel=Endpoint.Processes by Processes.dest'\n\nExit status: 0 when the search ran (with or without results), 1 on an error."
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
    reference_data(&mut lib, args.store.as_deref(), args.geoip.as_deref())?;
    Ok(lib)
}

/// What searches read besides events and lookup definitions: `outputlookup` writes into
/// `<store>/lookups/` with a store (in memory without one), and `iplocation` reads the GeoIP
/// database of `--geoip`, `SPELUNK_GEOIP` or the settings file ([`super::config`]).
pub fn reference_data(
    lib: &mut LookupLibrary,
    store: Option<&Path>,
    geoip: Option<&Path>,
) -> Result<(), Diagnostic> {
    if let Some(dir) = store {
        lib.written = crate::lookups::written::WrittenLookups::in_dir(dir.join("lookups"));
    }
    super::config::apply_geoip(lib, geoip)
}

fn run_inner(run: &RunArgs) -> Result<String, Diagnostic> {
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

//! `spelunk check`: run many detections and report how many run, grouped by failure reason.

use super::input::report;
use crate::conformance::{pairs_from_tests, read_pairs, run_list, run_pairs};
use crate::diagnostic::Diagnostic;
use crate::ingest::Input;
use crate::lookups::LookupLibrary;
use crate::macros::MacroLibrary;
use crate::store::{ReplayOptions, Store};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Output format of `spelunk check`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum CheckFormat {
    Text,
    Json,
}

/// Arguments of `spelunk check`.
#[derive(Debug, Args)]
#[command(
    after_help = "Modes:\n  List: every detection of --list (a TSV with a `path` column, or a folder of detection YAML)\n    runs over the same data (--data, --store, or the bundled sample); a detection passes when it\n    runs to completion, with or without results.\n  Pairs: every row of --pairs (a TSV with `detection`, `dataset`, `source`, `sourcetype`\n    columns, as attack_data's DETECTIONS.tsv) runs over its own dataset; a detection passes when\n    it returns at least one result (Splunk's detection CI rule).\n  Tests: every detection given with --tests (files or folders) runs over the datasets its own\n    `tests:` name, found under --data-root (an attack_data checkout), as Splunk's CI does.\n\nExamples:\n  spelunk check --corpus ../security_content --list ../security_content/endpoint_processes_sysmon.tsv\n  spelunk check --corpus ../security_content --pairs ../attack_data/DETECTIONS.tsv --data-root ../attack_data\n  spelunk check --corpus ../security_content --tests ../security_content/detections/endpoint/my_detection.yml --data-root ../attack_data\n\nExit status: 0 when every detection passes (or --min-percent is reached), 1 otherwise."
)]
pub struct CheckArgs {
    /// The security_content checkout (detection paths resolve against it; its macros and
    /// lookups load).
    #[arg(long, value_name = "DIR")]
    pub corpus: PathBuf,

    /// Detections to run over the same data: a TSV with a `path` column, or a folder.
    #[arg(long, value_name = "FILE", conflicts_with = "pairs")]
    pub list: Option<PathBuf>,

    /// (detection, dataset) pairs, each run over its own dataset.
    #[arg(long, value_name = "TSV", conflicts_with = "tests")]
    pub pairs: Option<PathBuf>,

    /// Detections (YAML files or folders, repeatable) to run over the datasets of their own
    /// `tests:`, looked up under --data-root.
    #[arg(long = "tests", value_name = "PATH", num_args = 1.., conflicts_with = "list")]
    pub tests: Vec<PathBuf>,

    /// With --pairs or --tests: the folder dataset paths resolve against (an attack_data
    /// checkout for --tests).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub data_root: PathBuf,

    /// With --list: data to replay (repeatable); default the bundled sample dataset.
    #[arg(long = "data", value_name = "FILE")]
    pub data: Vec<PathBuf>,

    /// With --list: read this store instead of replaying data.
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,

    /// The GeoIP database `iplocation` reads (a MaxMind City .mmdb; default: SPELUNK_GEOIP or
    /// the settings file, see `spelunk run --help`).
    #[arg(long, value_name = "FILE.mmdb")]
    pub geoip: Option<PathBuf>,

    /// A program that scores the DSDL model NAME for `apply NAME` (repeatable): it reads the
    /// results as CSV on standard input and writes them back as CSV, one row per row, with the
    /// model's prediction fields (see README, "MLTK models"). Also `dsdl:` in the settings file.
    #[arg(long = "dsdl-model", value_name = "NAME=COMMAND")]
    pub dsdl_model: Vec<String>,

    /// Pass when at least this percentage passes (default: all must).
    #[arg(long, value_name = "PCT")]
    pub min_percent: Option<f64>,

    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
}

/// Run `spelunk check`.
pub fn run(args: CheckArgs) -> ExitCode {
    match inner(&args) {
        Ok(code) => code,
        Err(e) => {
            report(&e);
            ExitCode::from(1)
        }
    }
}

fn list_paths(args: &CheckArgs, list: &PathBuf) -> Result<Vec<PathBuf>, Diagnostic> {
    if list.is_dir() {
        return Ok(crate::detection::find_detections(list));
    }
    let text = std::fs::read_to_string(list)
        .map_err(|e| Diagnostic::new(format!("cannot read {}: {e}", list.display())))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    let col = header
        .iter()
        .position(|h| *h == "path" || *h == "detection")
        .ok_or_else(|| Diagnostic::new(format!("{}: no `path` column", list.display())))?;
    Ok(lines
        .filter_map(|l| l.split('\t').nth(col))
        .filter(|p| !p.is_empty())
        .map(|p| args.corpus.join(p))
        .collect())
}

fn inner(args: &CheckArgs) -> Result<ExitCode, Diagnostic> {
    let lib = MacroLibrary::with_dirs(std::slice::from_ref(&args.corpus))?;
    let lookup_dir = args.corpus.join("lookups");
    let mut lookups = if lookup_dir.is_dir() {
        LookupLibrary::with_dirs(&[lookup_dir])?
    } else {
        LookupLibrary::builtin()
    };
    // Tables `outputlookup` writes stay in memory: a check never changes the store it reads.
    super::run::reference_data(&mut lookups, None, args.geoip.as_deref(), &args.dsdl_model)?;
    let from_tests = !args.tests.is_empty();
    let (report, pass_all) = if args.pairs.is_some() || from_tests {
        let pairs = match &args.pairs {
            Some(tsv) => read_pairs(tsv, &args.corpus, &args.data_root)?,
            None => {
                let mut files = Vec::new();
                for t in &args.tests {
                    if t.is_dir() {
                        files.extend(crate::detection::find_detections(t));
                    } else {
                        files.push(t.clone());
                    }
                }
                let (pairs, untested) = pairs_from_tests(&files, &args.data_root);
                for d in &untested {
                    eprintln!("no test dataset: {}", d.display());
                }
                if pairs.is_empty() {
                    return Err(Diagnostic::new(format!(
                        "no detection with a test dataset among {} file(s) given with --tests",
                        files.len()
                    )));
                }
                pairs
            }
        };
        let r = run_pairs(&pairs, &lib, &lookups);
        // Splunk's CI rule: every pair it tests (no `manual_test` tag) returns results.
        let pass = r.errors == 0 && r.tested_with_results == r.tested;
        (r, pass)
    } else {
        let list = args
            .list
            .as_ref()
            .ok_or_else(|| Diagnostic::new("give --list or --pairs"))?;
        let paths = list_paths(args, list)?;
        let mut store = match &args.store {
            Some(d) => Store::open(d).map_err(|e| Diagnostic::new(format!("store: {e}")))?,
            None => Store::in_memory(),
        };
        let mut data = args.data.clone();
        if data.is_empty() && args.store.is_none() {
            data.push(PathBuf::from(super::run::SAMPLE_DATASET));
        }
        if !data.is_empty() {
            let inputs: Vec<Input> = data.iter().map(Input::new).collect();
            store
                .replay(&inputs, &ReplayOptions::default())
                .map_err(|e| Diagnostic::new(format!("replay failed: {e}")))?;
        }
        let r = run_list(&paths, &lib, &lookups, &store);
        let pass = r.ran == r.total;
        (r, pass)
    };
    match args.format {
        CheckFormat::Text => print!("{report}"),
        CheckFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ),
    }
    let pct = if args.pairs.is_some() {
        if report.total == 0 {
            0.0
        } else {
            100.0 * report.with_results as f64 / report.total as f64
        }
    } else {
        report.ran_percent()
    };
    let ok = match args.min_percent {
        Some(min) => pct >= min,
        None => pass_all,
    };
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

//! `spelunk test`: run detections' tests over their datasets, by contentctl's rules
//! (see `src/testing/mod.rs`), with text, JSON and JUnit reports.

use super::input::report;
use crate::diagnostic::Diagnostic;
use crate::lookups::LookupLibrary;
use crate::macros::MacroLibrary;
use crate::testing::{self, report as rep, select, Setup};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Output format of `spelunk test` and `spelunk lint`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ReportFormat {
    Text,
    Json,
}

/// Arguments of `spelunk test`.
#[derive(Debug, Args)]
#[command(
    after_help = "Rules (contentctl's unit tests): every `tests:` entry of a detection is a test; all its\ndatasets are replayed with their source and sourcetype, and the search must return at least one\nresult in which the risk object fields (rba.risk_objects, or observables with role Victim) are\nset, and every threat object field (rba.threat_objects, or role Attacker) is set in some result.\nmanual_test detections run and are reported as manual; non-production and Correlation detections\nare skipped; a test whose dataset is not on disk is skipped with its path.\n\nNegative tests: `<detection>.spelunk.yaml` beside the detection lists tests with\n`expect: no_results` (contentctl ignores that file).\n\nExamples:\n  spelunk test --content security_content --attack-data attack_data\n  spelunk test security_content/detections/endpoint/my_detection.yml --attack-data attack_data\n  spelunk test --content security_content --attack-data attack_data --changed-since origin/develop --junit junit.xml\n\nExit status: 0 every test passed (or was skipped), 1 a test failed, 2 a usage or data error."
)]
pub struct TestArgs {
    /// Detection files or folders (default: every detection of --content).
    #[arg(value_name = "DETECTION|DIR")]
    pub paths: Vec<PathBuf>,

    /// The content checkout (security_content): its macros/ and lookups/ load, relative test
    /// paths resolve against it. Default: the checkout holding the first detection named.
    #[arg(long, value_name = "DIR")]
    pub content: Option<PathBuf>,

    /// An attack_data checkout: dataset URLs (…/attack_data/master/datasets/…) map to its
    /// datasets/ folder.
    #[arg(long, value_name = "DIR")]
    pub attack_data: Option<PathBuf>,

    /// Only detections changed since this git ref (`git diff --name-only REF` in the content
    /// checkout, untracked files included), or calling a changed macro or lookup.
    #[arg(long, value_name = "GIT_REF")]
    pub changed_since: Option<String>,

    /// Tests run in parallel (default: the available cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,

    /// Also write a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// The GeoIP database `iplocation` reads (a MaxMind City .mmdb; default: SPELUNK_GEOIP or
    /// the settings file, see `spelunk run --help`).
    #[arg(long, value_name = "FILE.mmdb")]
    pub geoip: Option<PathBuf>,

    /// A program that scores the DSDL model NAME for `apply NAME` (repeatable): it reads the
    /// results as CSV on standard input and writes them back as CSV, one row per row, with the
    /// model's prediction fields (see README, "MLTK models"). Also `dsdl:` in the settings file.
    #[arg(long = "dsdl-model", value_name = "NAME=COMMAND")]
    pub dsdl_model: Vec<String>,

    /// List every skipped detection (text format).
    #[arg(long)]
    pub list_skipped: bool,

    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// The content checkout: --content, else the checkout holding the first path named, else the
/// current folder when it is one.
pub fn content_dir(given: Option<&Path>, paths: &[PathBuf]) -> Result<Option<PathBuf>, Diagnostic> {
    if let Some(c) = given {
        if !c.is_dir() {
            return Err(Diagnostic::new(format!(
                "--content {}: no such folder",
                c.display()
            )));
        }
        return Ok(Some(
            std::fs::canonicalize(c).unwrap_or_else(|_| c.to_path_buf()),
        ));
    }
    for p in paths {
        let Ok(abs) = std::fs::canonicalize(p) else {
            continue;
        };
        if let Some(root) = abs
            .ancestors()
            .find(|d| d.join("detections").is_dir() && d.join("macros").is_dir())
        {
            return Ok(Some(root.to_path_buf()));
        }
    }
    let cwd = PathBuf::from(".");
    if paths.is_empty() && cwd.join("detections").is_dir() {
        return Ok(std::fs::canonicalize(&cwd).ok());
    }
    Ok(None)
}

/// Macros and lookups of the content checkout (the built-ins without one).
pub fn libraries(content: Option<&Path>) -> Result<(MacroLibrary, LookupLibrary), Diagnostic> {
    let macros = match content {
        Some(c) if c.join("macros").is_dir() => MacroLibrary::with_dirs(&[c.to_path_buf()])?,
        _ => MacroLibrary::builtin(),
    };
    let lookups = match content {
        Some(c) if c.join("lookups").is_dir() => LookupLibrary::with_dirs(&[c.join("lookups")])?,
        _ => LookupLibrary::builtin(),
    };
    Ok((macros, lookups))
}

/// Absolute paths, so that results and the content checkout compare.
fn absolute(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths
        .iter()
        .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
        .collect()
}

/// The detections a run covers (selection, then --changed-since).
pub fn selected(
    paths: &[PathBuf],
    content: Option<&Path>,
    changed_since: Option<&str>,
) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut dets = select::detections(&absolute(paths), content)?;
    if let Some(r) = changed_since {
        let dir = content
            .map(Path::to_path_buf)
            .or_else(|| paths.first().cloned())
            .unwrap_or_else(|| PathBuf::from("."));
        let dir = if dir.is_file() {
            dir.parent().map(Path::to_path_buf).unwrap_or_default()
        } else {
            dir
        };
        let changed = select::changed_files(&dir, r)?;
        dets = select::affected(&dets, &changed);
    }
    Ok(dets)
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into())
}

/// Run `spelunk test`.
pub fn run(args: TestArgs) -> ExitCode {
    match inner(&args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            report(&e);
            ExitCode::from(2)
        }
    }
}

fn inner(args: &TestArgs) -> Result<u8, Diagnostic> {
    if args.jobs == Some(0) {
        return Err(Diagnostic::new("--jobs must be at least 1"));
    }
    if let Some(a) = &args.attack_data {
        if !a.is_dir() {
            return Err(Diagnostic::new(format!(
                "--attack-data {}: no such folder",
                a.display()
            )));
        }
    }
    let content = content_dir(args.content.as_deref(), &args.paths)?;
    let (macros, mut lookups) = libraries(content.as_deref())?;
    super::config::apply_geoip(&mut lookups, args.geoip.as_deref())?;
    super::config::apply_dsdl(&mut lookups, &args.dsdl_model)?;
    let detections = selected(
        &args.paths,
        content.as_deref(),
        args.changed_since.as_deref(),
    )?;
    let setup = Setup {
        content,
        attack_data: args
            .attack_data
            .as_ref()
            .map(|a| std::fs::canonicalize(a).unwrap_or_else(|_| a.clone())),
        jobs: args.jobs.unwrap_or_else(testing::default_jobs),
    };
    let run = testing::run(&detections, &macros, &lookups, &setup);
    match args.format {
        ReportFormat::Text => print!("{}", rep::text(&run, args.list_skipped)),
        ReportFormat::Json => print!("{}", rep::json(&run)),
    }
    if let Some(path) = &args.junit {
        let ts = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string();
        std::fs::write(path, rep::junit(&run, &ts, &hostname()))
            .map_err(|e| Diagnostic::new(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(run.exit_code())
}

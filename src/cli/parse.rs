//! `spelunk parse`: expand and parse a search and print its syntax tree; or, with `--corpus`,
//! check every detection of a security_content checkout.

use super::input::{report, SearchInput};
use crate::corpus::{check_corpus, Baseline};
use crate::diagnostic::Diagnostic;
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Output format of `spelunk parse`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// An indented outline for people.
    Text,
    /// JSON for scripts.
    Json,
}

/// Arguments of `spelunk parse`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  spelunk parse 'index=main EventCode=1 | stats count by host'\n  spelunk parse -f detections/endpoint/some_detection.yml --format json\n  spelunk parse --corpus ../security_content\n  spelunk parse --corpus ../security_content --baseline tests/corpus_baseline.json\n\nExit status: 0 on success; 1 on a user error (bad SPL, unknown macro, missing file) or, with\n--corpus, when any detection fails or the results fall below --baseline."
)]
pub struct ParseArgs {
    #[command(flatten)]
    pub input: SearchInput,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Check a whole security_content checkout (or a folder of detection YAML): expand and parse
    /// every detection; print totals, per-command counts and the first failures.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["spl", "file"])]
    pub corpus: Option<PathBuf>,

    /// With --corpus: a JSON file of counts the run must reach (parsed may only go up, generic
    /// commands only down). Exit status 1 if it does not.
    #[arg(long, value_name = "FILE", requires = "corpus")]
    pub baseline: Option<PathBuf>,

    /// With --corpus: write this run's counts to FILE as the new baseline.
    #[arg(long, value_name = "FILE", requires = "corpus")]
    pub write_baseline: Option<PathBuf>,
}

/// Run `spelunk parse`.
pub fn run(args: ParseArgs) -> ExitCode {
    let result = match &args.corpus {
        Some(dir) => run_corpus(&args, dir),
        None => run_one(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            report(&e);
            ExitCode::from(1)
        }
    }
}

fn run_one(args: &ParseArgs) -> Result<ExitCode, Diagnostic> {
    let (spl, origin) = args.input.read()?;
    let lib = args.input.library()?;
    let (_, pipeline) = crate::parse_search(&spl, &lib).map_err(|e| {
        if e.origin == "search" {
            e.origin(origin)
        } else {
            e
        }
    })?;
    let json = serde_json::to_value(&pipeline)
        .map_err(|e| Diagnostic::new(format!("cannot serialise the syntax tree: {e}")))?;
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        ),
        Format::Text => print!("{}", outline(&json)),
    }
    Ok(ExitCode::SUCCESS)
}

fn run_corpus(args: &ParseArgs, dir: &std::path::Path) -> Result<ExitCode, Diagnostic> {
    let report = check_corpus(dir, &args.input.macros)?;
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ),
        Format::Text => print!("{report}"),
    }
    if let Some(path) = &args.write_baseline {
        let text = serde_json::to_string_pretty(&report.baseline()).unwrap_or_default();
        std::fs::write(path, text + "\n")
            .map_err(|e| Diagnostic::new(format!("cannot write {}: {e}", path.display())))?;
    }
    let mut ok = report.failures.is_empty();
    if let Some(path) = &args.baseline {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Diagnostic::new(format!("cannot read {}: {e}", path.display())))?;
        let base: Baseline = serde_json::from_str(&text)
            .map_err(|e| Diagnostic::new(format!("invalid baseline {}: {e}", path.display())))?;
        let worse = report.regressions(&base);
        for w in &worse {
            eprintln!("below baseline: {w}");
        }
        ok = worse.is_empty();
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// An indented outline of a JSON value: one key per line, short lists inline.
pub fn outline(v: &serde_json::Value) -> String {
    let mut out = String::new();
    write_outline(v, 0, &mut out);
    out
}

fn scalar(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(format!("{s:?}")),
        serde_json::Value::Null => Some("null".into()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Array(a) if a.is_empty() => Some("[]".into()),
        serde_json::Value::Array(a) if a.iter().all(|x| x.is_string() || x.is_number()) => {
            let items: Vec<String> = a.iter().filter_map(scalar).collect();
            let line = format!("[{}]", items.join(", "));
            (line.len() <= 100).then_some(line)
        }
        serde_json::Value::Object(o) if o.is_empty() => Some("{}".into()),
        _ => None,
    }
}

fn write_outline(v: &serde_json::Value, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    match v {
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                match scalar(x) {
                    Some(s) => out.push_str(&format!("{pad}{k}: {s}\n")),
                    None => {
                        out.push_str(&format!("{pad}{k}:\n"));
                        write_outline(x, depth + 1, out);
                    }
                }
            }
        }
        serde_json::Value::Array(a) => {
            for x in a {
                match scalar(x) {
                    Some(s) => out.push_str(&format!("{pad}- {s}\n")),
                    None => {
                        out.push_str(&format!("{pad}-\n"));
                        write_outline(x, depth + 1, out);
                    }
                }
            }
        }
        x => out.push_str(&format!("{pad}{}\n", scalar(x).unwrap_or_default())),
    }
}

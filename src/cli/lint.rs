//! `spelunk lint`: the mistakes that make a detection silently never fire (rules in
//! `src/lint/mod.rs`).

use super::input::report;
use super::test::{content_dir, libraries, selected, ReportFormat};
use crate::diagnostic::Diagnostic;
use crate::lint::{self, LintContext, Severity};
use crate::testing::display_path;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `spelunk lint`.
#[derive(Debug, Args)]
#[command(
    after_help = "Rules: missing-filter-macro, undefined-macro, undefined-lookup, datamodel-field, where-case,\ntest-dataset-missing (errors); tstats-summariesonly, unknown-sourcetype (warnings).\n\nExamples:\n  spelunk lint --content security_content\n  spelunk lint security_content/detections/endpoint/my_detection.yml --attack-data attack_data\n\nExit status: 0 no error-level finding, 1 an error-level finding, 2 a usage or data error."
)]
pub struct LintArgs {
    /// Detection files or folders (default: every detection of --content).
    #[arg(value_name = "DETECTION|DIR")]
    pub paths: Vec<PathBuf>,

    /// The content checkout (security_content): its macros/, lookups/ and data_sources/.
    /// Default: the checkout holding the first detection named.
    #[arg(long, value_name = "DIR")]
    pub content: Option<PathBuf>,

    /// An attack_data checkout, to check that test datasets named by URL are on disk.
    #[arg(long, value_name = "DIR")]
    pub attack_data: Option<PathBuf>,

    /// Only detections changed since this git ref (as `spelunk test`).
    #[arg(long, value_name = "GIT_REF")]
    pub changed_since: Option<String>,

    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// Run `spelunk lint`.
pub fn run(args: LintArgs) -> ExitCode {
    match inner(&args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            report(&e);
            ExitCode::from(2)
        }
    }
}

fn inner(args: &LintArgs) -> Result<u8, Diagnostic> {
    if let Some(a) = &args.attack_data {
        if !a.is_dir() {
            return Err(Diagnostic::new(format!(
                "--attack-data {}: no such folder",
                a.display()
            )));
        }
    }
    let content = content_dir(args.content.as_deref(), &args.paths)?;
    let (macros, lookups) = libraries(content.as_deref())?;
    let files = selected(
        &args.paths,
        content.as_deref(),
        args.changed_since.as_deref(),
    )?;
    let attack_data = args
        .attack_data
        .as_ref()
        .map(|a| std::fs::canonicalize(a).unwrap_or_else(|_| a.clone()));
    let cx = LintContext::new(macros, lookups, content.as_deref(), attack_data.as_deref());
    let findings = lint::lint_all(&files, &cx);
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    let display = |p: &std::path::Path| display_path(p, content.as_deref());
    match args.format {
        ReportFormat::Text => {
            for f in &findings {
                println!("{}", f.render(&display(&f.file)));
            }
            let mut by_rule = std::collections::BTreeMap::<&str, usize>::new();
            for f in &findings {
                *by_rule.entry(f.rule).or_default() += 1;
            }
            let rules: Vec<String> = by_rule.iter().map(|(r, n)| format!("{r} {n}")).collect();
            println!(
                "{} detection(s) linted: {errors} error(s), {warnings} warning(s){}",
                files.len(),
                if rules.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", rules.join(", "))
                }
            );
        }
        ReportFormat::Json => {
            let list: Vec<_> = findings
                .iter()
                .map(|f| f.to_json(&display(&f.file)))
                .collect();
            let v = serde_json::json!({
                "detections": files.len(),
                "errors": errors,
                "warnings": warnings,
                "findings": list,
            });
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
    }
    Ok(if errors > 0 { 1 } else { 0 })
}

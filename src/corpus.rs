//! The corpus check: expand and parse every detection of a security_content checkout.
//!
//! Reports totals, how often each command occurs (typed node vs generic fallback) and the first
//! failures with their reasons. A recorded baseline lets CI fail when conformance goes down.

use crate::commands::CommandKind;
use crate::detection::{find_detections, Detection};
use crate::diagnostic::Diagnostic;
use crate::macros::MacroLibrary;
use crate::syntax::ast::{Command, Pipeline, SearchExpr};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Per-command occurrence counts.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct CommandCount {
    /// Occurrences parsed into the command's typed node.
    pub typed: usize,
    /// Occurrences that fell back to the generic node.
    pub generic: usize,
    /// Detections using the command at least once.
    pub detections: usize,
}

/// One failure.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    pub file: String,
    pub stage: &'static str,
    pub message: String,
    /// The full diagnostic, with line, column and caret.
    pub detail: String,
}

/// The outcome of a corpus run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CorpusReport {
    pub detections: usize,
    pub read_errors: usize,
    pub expand_errors: usize,
    pub parse_errors: usize,
    pub parsed: usize,
    /// Generic nodes over all parsed searches (commands the grammar does not know).
    pub generic_commands: usize,
    pub commands: BTreeMap<String, CommandCount>,
    pub failures: Vec<Failure>,
    /// Wall time of expansion + parsing, in seconds.
    pub seconds: f64,
}

/// The counts a checkout must at least reach (stored as JSON in the repository).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Baseline {
    pub detections: usize,
    pub parsed: usize,
    pub generic_commands: usize,
}

impl CorpusReport {
    /// The figures to record as a baseline.
    pub fn baseline(&self) -> Baseline {
        Baseline {
            detections: self.detections,
            parsed: self.parsed,
            generic_commands: self.generic_commands,
        }
    }

    /// Compare with a baseline: the reasons this run is worse, if any.
    pub fn regressions(&self, base: &Baseline) -> Vec<String> {
        let mut out = Vec::new();
        if self.parsed < base.parsed {
            out.push(format!(
                "parsed {} detections, baseline is {}",
                self.parsed, base.parsed
            ));
        }
        if self.generic_commands > base.generic_commands {
            out.push(format!(
                "{} generic command nodes, baseline is {}",
                self.generic_commands, base.generic_commands
            ));
        }
        out
    }
}

/// Expand and parse every detection under `root` (a security_content checkout or a folder of
/// detection YAML). Macros: the built-ins, `root/macros` if present, then `extra_macros`.
pub fn check_corpus(root: &Path, extra_macros: &[PathBuf]) -> Result<CorpusReport, Diagnostic> {
    let mut dirs = Vec::new();
    if root.join("macros").is_dir() {
        dirs.push(root.join("macros"));
    }
    dirs.extend(extra_macros.iter().cloned());
    let lib = MacroLibrary::with_dirs(&dirs)?;
    let files = find_detections(root);
    if files.is_empty() {
        return Err(Diagnostic::new(format!(
            "no detection YAML files under {}",
            root.display()
        )));
    }
    let mut report = CorpusReport::default();
    let mut searches = Vec::with_capacity(files.len());
    for f in &files {
        match Detection::load(f) {
            Ok(d) => searches.push((f.clone(), d.search)),
            Err(e) => {
                report.read_errors += 1;
                push_failure(&mut report, f, "read", &e);
            }
        }
    }
    report.detections = files.len();
    let start = std::time::Instant::now();
    for (f, search) in &searches {
        let expanded = match crate::macros::expand(search, &lib) {
            Ok(x) => x,
            Err(e) => {
                report.expand_errors += 1;
                push_failure(&mut report, f, "expand", &e);
                continue;
            }
        };
        match crate::syntax::parse(&expanded) {
            Ok(p) => {
                report.parsed += 1;
                let mut seen = std::collections::BTreeSet::new();
                count_pipeline(&p, &mut report, &mut seen);
                for name in seen {
                    report.commands.entry(name).or_default().detections += 1;
                }
            }
            Err(e) => {
                report.parse_errors += 1;
                push_failure(&mut report, f, "parse", &e.origin("expanded search"));
            }
        }
    }
    report.seconds = start.elapsed().as_secs_f64();
    Ok(report)
}

fn push_failure(report: &mut CorpusReport, f: &Path, stage: &'static str, e: &Diagnostic) {
    report.failures.push(Failure {
        file: f.display().to_string(),
        stage,
        message: e.message.clone(),
        detail: e.to_string(),
    });
}

fn count_pipeline(
    p: &Pipeline,
    report: &mut CorpusReport,
    seen: &mut std::collections::BTreeSet<String>,
) {
    for c in &p.commands {
        count_command(c, report, seen);
    }
}

fn count_command(
    c: &Command,
    report: &mut CorpusReport,
    seen: &mut std::collections::BTreeSet<String>,
) {
    let entry = report.commands.entry(c.name.clone()).or_default();
    if c.kind.is_generic() {
        entry.generic += 1;
        report.generic_commands += 1;
    } else {
        entry.typed += 1;
    }
    seen.insert(c.name.clone());
    // Nested pipelines: subsearches and templates.
    match &c.kind {
        CommandKind::Join(x) => count_pipeline(&x.subsearch, report, seen),
        CommandKind::Append(x) => count_pipeline(&x.subsearch, report, seen),
        CommandKind::Appendpipe(x) => count_pipeline(&x.subsearch, report, seen),
        CommandKind::Map(x) => {
            if let Some(s) = &x.subsearch {
                count_pipeline(s, report, seen)
            }
        }
        CommandKind::Foreach(x) => {
            for b in &x.body {
                count_command(b, report, seen);
            }
        }
        CommandKind::Search(x) => {
            if let Some(e) = &x.expr {
                count_search_expr(e, report, seen)
            }
        }
        CommandKind::Tstats(x) => {
            if let Some(e) = &x.where_clause {
                count_search_expr(e, report, seen)
            }
        }
        _ => {}
    }
}

fn count_search_expr(
    e: &SearchExpr,
    report: &mut CorpusReport,
    seen: &mut std::collections::BTreeSet<String>,
) {
    match e {
        SearchExpr::And(v) | SearchExpr::Or(v) => {
            for x in v {
                count_search_expr(x, report, seen);
            }
        }
        SearchExpr::Not(x) => count_search_expr(x, report, seen),
        SearchExpr::Subsearch(p) => count_pipeline(p, report, seen),
        _ => {}
    }
}

impl std::fmt::Display for CorpusReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "detections:       {}", self.detections)?;
        writeln!(f, "parsed:           {}", self.parsed)?;
        writeln!(f, "read errors:      {}", self.read_errors)?;
        writeln!(f, "expansion errors: {}", self.expand_errors)?;
        writeln!(f, "parse errors:     {}", self.parse_errors)?;
        writeln!(f, "generic commands: {}", self.generic_commands)?;
        writeln!(
            f,
            "time:             {:.3} s (expand + parse)",
            self.seconds
        )?;
        writeln!(f)?;
        writeln!(
            f,
            "{:<20} {:>8} {:>8} {:>11}",
            "command", "typed", "generic", "detections"
        )?;
        let mut rows: Vec<_> = self.commands.iter().collect();
        rows.sort_by(|a, b| b.1.detections.cmp(&a.1.detections).then(a.0.cmp(b.0)));
        for (name, c) in rows {
            writeln!(
                f,
                "{:<20} {:>8} {:>8} {:>11}",
                name, c.typed, c.generic, c.detections
            )?;
        }
        if !self.failures.is_empty() {
            writeln!(f)?;
            writeln!(f, "first failures ({} in all):", self.failures.len())?;
            for fl in self.failures.iter().take(10) {
                writeln!(f, "{} [{}]", fl.file, fl.stage)?;
                writeln!(f, "{}", fl.detail)?;
            }
        }
        Ok(())
    }
}

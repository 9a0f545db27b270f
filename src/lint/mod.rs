//! `spelunk lint`: the mistakes that make a detection silently never fire, each with a rule name
//! and a caret at its place in the search.
//!
//! The rules read the search text (as written, and as expanded for what macros bring in), not
//! the engine's syntax tree, so they run on every detection, even one the engine cannot run yet.
//!
//! | rule | severity | finds |
//! |---|---|---|
//! | `missing-filter-macro` | error | the search does not call `` `<file stem>_filter` `` (contentctl refuses such a detection) |
//! | `undefined-macro` | error | a macro call no definition (content `macros/`, built-ins) answers, by name and argument count |
//! | `undefined-lookup` | error | `lookup`/`inputlookup`/`outputlookup` of a lookup neither content `lookups/` nor the built-ins define |
//! | `datamodel-field` | error / warning | `Processes.proces_name`: a field the data model does not have (models spelunk knows); an error when a field of the model is within two edits (a typo), else a warning |
//! | `where-case` | error | `where action="Allowed"`: `where` compares case-sensitively, and the CIM defines the field's values in lower case |
//! | `test-dataset-missing` | error / warning | a `tests:` dataset that is not on disk: a local path (error), an attack_data URL missing from `--attack-data` (warning) |
//! | `tstats-summariesonly` | warning | `tstats` over a data model without `summariesonly` handling (`` `security_content_summariesonly` `` or `summariesonly=`) |
//! | `unknown-sourcetype` | warning | a search whose `sourcetype=`/`source=` values are all unknown to the content's data sources (`data_sources/*.yml`) |
//!
//! `where-case` only flags what is certain: fields whose CIM 5 definition lists lower-case
//! expected values (`action`, `status`, `direction`, `transport`, `object_category`,
//! `start_mode`) compared with one of those values in another case, and
//! `process_integrity_level`, which the CIM computes with `lower()`. `process_name="CMD.EXE"`
//! is not flagged: the CIM does not define the case of process names.

use crate::detection::Detection;
use crate::diagnostic::{Diagnostic, Span};
use crate::lookups::LookupLibrary;
use crate::macros::MacroLibrary;
use regex::Regex;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One finding.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    /// The detection file.
    pub file: PathBuf,
    /// Its place (the search as written, or as expanded), with the message and notes.
    pub diagnostic: Diagnostic,
}

/// A finding as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct FindingJson {
    pub rule: &'static str,
    pub severity: Severity,
    pub file: String,
    pub message: String,
    /// `search` (as written) or `expanded search`, or `tests` for a dataset.
    pub origin: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Finding {
    /// Rendered with a caret, headed by the severity and rule.
    pub fn render(&self, display: &str) -> String {
        let mut d = self.diagnostic.clone();
        d.origin = format!("{display} ({})", d.origin);
        let text = d.to_string();
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let head = format!("{sev}[{}]:", self.rule);
        if d.span.is_none() {
            // No place in the search (a dataset of `tests:`): say which file.
            let mut s = format!("{head} {}\n  --> {display}\n", d.message);
            for n in &d.notes {
                s.push_str(&format!("  = {n}\n"));
            }
            return s;
        }
        match text.strip_prefix("error:") {
            Some(rest) => head + rest,
            None => text,
        }
    }

    pub fn to_json(&self, display: &str) -> FindingJson {
        let d = &self.diagnostic;
        let lc = d.line_col();
        FindingJson {
            rule: self.rule,
            severity: self.severity,
            file: display.to_string(),
            message: d.message.clone(),
            origin: d.origin.clone(),
            line: lc.map(|x| x.0),
            column: lc.map(|x| x.1),
            span: d.span,
            notes: d.notes.clone(),
        }
    }
}

/// What the rules check against.
pub struct LintContext {
    pub macros: MacroLibrary,
    pub lookups: LookupLibrary,
    /// Data model datasets spelunk knows: `Model` → field prefix → fields.
    pub datamodels: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
    /// Sourcetypes and sources the content's data sources produce (lower case).
    pub sourcetypes: BTreeSet<String>,
    pub sources: BTreeSet<String>,
    pub content: Option<PathBuf>,
    pub attack_data: Option<PathBuf>,
}

impl LintContext {
    /// The context for a content checkout: its macros and lookups (with the built-ins), its
    /// `data_sources/`, and spelunk's data models.
    pub fn new(
        macros: MacroLibrary,
        lookups: LookupLibrary,
        content: Option<&Path>,
        attack_data: Option<&Path>,
    ) -> LintContext {
        let mut datamodels: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
        if let Ok(k) = crate::knowledge::Knowledge::bundled() {
            for ds in &k.datasets {
                let model = ds.name.split('.').next().unwrap_or("").to_string();
                datamodels
                    .entry(model)
                    .or_default()
                    .entry(ds.prefix.clone())
                    .or_default()
                    .extend(ds.fields.iter().cloned());
            }
        }
        let mut sourcetypes = BTreeSet::new();
        let mut sources = BTreeSet::new();
        if let Some(dir) = content.map(|c| c.join("data_sources")) {
            for f in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let Ok(text) = std::fs::read_to_string(f.path()) else {
                    continue;
                };
                let Ok(v) = serde_norway::from_str::<serde_norway::Value>(&text) else {
                    continue;
                };
                if let Some(s) = v.get("sourcetype").and_then(|s| s.as_str()) {
                    sourcetypes.insert(s.to_ascii_lowercase());
                }
                if let Some(s) = v.get("source").and_then(|s| s.as_str()) {
                    sources.insert(s.to_ascii_lowercase());
                }
            }
        }
        LintContext {
            macros,
            lookups,
            datamodels,
            sourcetypes,
            sources,
            content: content.map(Path::to_path_buf),
            attack_data: attack_data.map(Path::to_path_buf),
        }
    }
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("a valid built-in pattern"))
}

/// Lint one detection file.
pub fn lint_file(path: &Path, cx: &LintContext) -> Vec<Finding> {
    match Detection::load(path) {
        Ok(d) => lint_detection(&d, cx),
        Err(e) => vec![Finding {
            rule: "invalid-detection",
            severity: Severity::Error,
            file: path.to_path_buf(),
            diagnostic: e.origin("file"),
        }],
    }
}

/// Lint a loaded detection.
pub fn lint_detection(d: &Detection, cx: &LintContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    let search = d.search.as_str();
    let mut add = |rule: &'static str, severity: Severity, diagnostic: Diagnostic| {
        findings.push(Finding {
            rule,
            severity,
            file: d.path.clone(),
            diagnostic,
        })
    };
    let at = |msg: String, span: Span| Diagnostic::new(msg).at(search, span).origin("search");
    if search.trim().is_empty() {
        add(
            "invalid-detection",
            Severity::Error,
            Diagnostic::new("the detection has no `search:`").origin("file"),
        );
        return findings;
    }
    let calls = macro_calls(search);
    // missing-filter-macro
    let filter = format!("{}_filter", d.stem());
    if !calls.iter().any(|c| c.name == filter) {
        let end = search.trim_end().len();
        add(
            "missing-filter-macro",
            Severity::Error,
            at(
                format!("the search does not call `{filter}`"),
                Span::new(end, end),
            )
            .note(format!(
                "contentctl requires every detection to call `{filter}` (usually `| `{filter}`` at the end), the tuning point for false positives"
            )),
        );
    }
    // undefined-macro (the `_filter` macros are generated by the content build)
    let mut undefined = 0;
    for c in &calls {
        if c.name.ends_with("_filter") && c.arity == 0 {
            continue;
        }
        if cx.macros.get(&c.name, c.arity).is_none() {
            let mut diag = at(
                format!("undefined macro `{}` ({} argument(s))", c.name, c.arity),
                c.span,
            );
            let arities = cx.macros.arities(&c.name);
            diag = diag.note(if arities.is_empty() {
                "define it in the content's macros/ folder".to_string()
            } else {
                format!(
                    "`{}` is defined with {} argument(s)",
                    c.name,
                    arities
                        .iter()
                        .map(|a| a.to_string())
                        .collect::<Vec<_>>()
                        .join(" or ")
                )
            });
            add("undefined-macro", Severity::Error, diag);
            undefined += 1;
        }
    }
    // The expanded search, for what macros bring in; an undefined macro inside a definition
    // is reported by the expansion itself.
    let expanded = match crate::macros::expand(search, &cx.macros) {
        Ok(e) => Some(e),
        Err(e) => {
            if undefined == 0 {
                add("undefined-macro", Severity::Error, e);
            }
            None
        }
    };
    let ex = expanded.as_deref();
    // Text to point into: the search as written when the text is there, else the expansion.
    let locate = |needle_span: Span, in_expanded: bool, msg: String| -> Diagnostic {
        if in_expanded {
            let e = ex.unwrap_or(search);
            let piece = &e[needle_span.start..needle_span.end];
            if let Some(i) = search.find(piece) {
                return at(msg, Span::new(i, i + piece.len()));
            }
            Diagnostic::new(msg)
                .at(e, needle_span)
                .origin("expanded search")
        } else {
            at(msg, needle_span)
        }
    };
    // undefined-lookup (over the search as written when it cannot be expanded)
    {
        let e = ex.unwrap_or(search);
        static LOOKUP: OnceLock<Regex> = OnceLock::new();
        let r = re(
            &LOOKUP,
            r"(?i)(?:^|[|\[])\s*(lookup|inputlookup|outputlookup)\s+((?:[a-z_]+\s*=\s*\S+\s+)*)([A-Za-z0-9_.:\-]+)",
        );
        for caps in r.captures_iter(e) {
            let (Some(cmd), Some(name)) = (caps.get(1), caps.get(3)) else {
                continue;
            };
            let n = name.as_str();
            if cx.lookups.get(n).is_some() || cmd.as_str().eq_ignore_ascii_case("outputlookup") {
                continue;
            }
            let mut diag = locate(
                Span::new(name.start(), name.end()),
                true,
                format!("undefined lookup `{n}`"),
            );
            let close = cx.lookups.closest(n);
            diag = diag.note(if close.is_empty() {
                "define it in the content's lookups/ folder (a .yml with its .csv)".to_string()
            } else {
                format!("did you mean: {}?", close.join(", "))
            });
            add("undefined-lookup", Severity::Error, diag);
        }
    }
    // tstats-summariesonly and datamodel-field
    static TSTATS: OnceLock<Regex> = OnceLock::new();
    let tstats = re(&TSTATS, r"(?i)(?:^|[|\[])\s*(tstats)\b");
    for m in tstats.captures_iter(search).filter_map(|c| c.get(1)) {
        let rest = &search[m.end()..];
        let args_end = rest.find('|').unwrap_or(rest.len());
        let args = &rest[..args_end];
        let head_end = args
            .to_ascii_lowercase()
            .find(" from ")
            .unwrap_or(args.len());
        let head = &args[..head_end];
        if args.to_ascii_lowercase().contains("datamodel")
            && !head.to_ascii_lowercase().contains("summariesonly")
        {
            add(
                "tstats-summariesonly",
                Severity::Warning,
                at(
                    "tstats over a data model without summariesonly handling".into(),
                    Span::new(m.start(), m.end()),
                )
                .note("add `security_content_summariesonly` (or summariesonly=): a search that reads only summaries finds nothing where the data model is not accelerated, and one that never does misses the point of tstats"),
            );
        }
    }
    static DM: OnceLock<Regex> = OnceLock::new();
    let dm = re(
        &DM,
        r"(?i)datamodel\s*[=:]?\s*([A-Za-z_]+)(?:\.[A-Za-z_]+)*",
    );
    let text_for_models = ex.unwrap_or(search);
    let mut prefixes: BTreeMap<String, (String, &BTreeSet<String>)> = BTreeMap::new();
    for c in dm.captures_iter(text_for_models) {
        let Some(model) = c.get(1) else { continue };
        if let Some(sets) = cx.datamodels.get(model.as_str()) {
            for (prefix, fields) in sets {
                prefixes.insert(prefix.clone(), (model.as_str().to_string(), fields));
            }
        }
    }
    if !prefixes.is_empty() {
        static FIELD: OnceLock<Regex> = OnceLock::new();
        let field = re(
            &FIELD,
            r"\b([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)\b",
        );
        let mut seen = BTreeSet::new();
        for c in field.captures_iter(search) {
            let (Some(p), Some(f)) = (c.get(1), c.get(2)) else {
                continue;
            };
            let Some((model, fields)) = prefixes.get(p.as_str()) else {
                continue;
            };
            // A dataset name after the prefix (`All_Changes.Account_Management`) or a wildcard.
            let after = &search[f.end()..];
            if after.starts_with('*') || after.starts_with('.') {
                continue;
            }
            let name = f.as_str();
            if fields.contains(name)
                || crate::knowledge::is_default_field(name)
                || prefixes.contains_key(name)
            {
                continue;
            }
            if !seen.insert((p.as_str().to_string(), name.to_string())) {
                continue;
            }
            if CIM_FIELDS_NOT_MODELLED.contains(&name) {
                continue;
            }
            // A known field within two edits is a typo: the search can never see a value.
            let mut close: Vec<(usize, &String)> = fields
                .iter()
                .map(|k| (strsim::levenshtein(name, k), k))
                .filter(|(s, _)| *s <= 2)
                .collect();
            close.sort();
            let severity = if close.is_empty() {
                Severity::Warning
            } else {
                Severity::Error
            };
            let mut diag = at(
                format!(
                    "`{}.{name}` is not a field of the {model} data model",
                    p.as_str()
                ),
                Span::new(p.start(), f.end()),
            );
            if let Some((_, k)) = close.first() {
                diag = diag.note(format!("did you mean `{}.{k}`?", p.as_str()));
            }
            add("datamodel-field", severity, diag);
        }
    }
    // where-case
    for (span, msg) in where_case(search) {
        add("where-case", Severity::Error, at(msg, span).note(
            "`where` compares strings case-sensitively; use the CIM's lower-case value (or lower()/like())",
        ));
    }
    // unknown-sourcetype
    if let Some(e) = ex {
        static ST: OnceLock<Regex> = OnceLock::new();
        let st = re(
            &ST,
            r#"(?i)(?:^|[\s(|\[])(sourcetype|source)\s*=\s*(?:"([^"]+)"|([^\s()|\]"]+))"#,
        );
        // The search is flagged only when none of its source/sourcetype values is known (they
        // are often alternatives: `sourcetype=A OR source=B`).
        let mut unknown: Vec<(Span, String)> = Vec::new();
        let mut any_known = false;
        for c in st.captures_iter(e) {
            let Some(kind) = c.get(1) else { continue };
            let Some(v) = c.get(2).or_else(|| c.get(3)) else {
                continue;
            };
            let is_st = kind.as_str().eq_ignore_ascii_case("sourcetype");
            let known = if is_st { &cx.sourcetypes } else { &cx.sources };
            let value = v.as_str().to_ascii_lowercase();
            if known.is_empty() || value.starts_with('$') || value == "*" {
                any_known = true;
                continue;
            }
            let matches = known.iter().any(|k| {
                crate::lookups::glob_match(&value, k) || crate::lookups::glob_match(k, &value)
            });
            if matches {
                any_known = true;
            } else {
                unknown.push((
                    Span::new(v.start(), v.end()),
                    format!("{} `{}`", kind.as_str().to_ascii_lowercase(), v.as_str()),
                ));
            }
        }
        if !any_known {
            if let Some((span, _)) = unknown.first() {
                let mut names: Vec<&str> = Vec::new();
                for u in &unknown {
                    if !names.contains(&u.1.as_str()) {
                        names.push(u.1.as_str());
                    }
                }
                add(
                    "unknown-sourcetype",
                    Severity::Warning,
                    locate(
                        *span,
                        true,
                        format!("no data source of the content produces {}", names.join(" or ")),
                    )
                    .note("the known ones are the `source`/`sourcetype` of the content's data_sources/*.yml"),
                );
            }
        }
    }
    // test-dataset-missing
    let content_base: Vec<&Path> = cx.content.as_deref().into_iter().collect();
    for t in &d.tests {
        for a in &t.attack_data {
            let url = a.data.contains("://");
            if url && cx.attack_data.is_none() {
                continue;
            }
            let (p, ok) = crate::testing::locate(&a.data, &content_base, cx.attack_data.as_deref());
            if ok {
                continue;
            }
            let (sev, why) = if url {
                (
                    Severity::Warning,
                    format!(
                        "not in the attack_data checkout (looked for {})",
                        p.display()
                    ),
                )
            } else {
                (Severity::Error, format!("looked for {}", p.display()))
            };
            add(
                "test-dataset-missing",
                sev,
                Diagnostic::new(format!(
                    "test `{}` names a dataset that is not on disk: {}",
                    t.name, a.data
                ))
                .origin("tests")
                .note(why),
            );
        }
    }
    findings
}

/// CIM 5 fields (asset and identity enrichment, zones, flows) that spelunk's data models do not
/// materialise: accepted without a finding.
const CIM_FIELDS_NOT_MODELLED: &[&str] = &[
    "dest_bunit",
    "dest_category",
    "dest_priority",
    "dest_zone",
    "src_bunit",
    "src_category",
    "src_priority",
    "src_zone",
    "user_bunit",
    "user_category",
    "user_priority",
    "flow_id",
];

/// A macro call in a search.
struct MacroCall {
    name: String,
    arity: usize,
    span: Span,
}

/// The macro calls of a search as written (`` `name` `` and `` `name(a, b)` ``; ```` ```comments``` ```` skipped).
fn macro_calls(search: &str) -> Vec<MacroCall> {
    let mut out = Vec::new();
    let b = search.as_bytes();
    let mut i = 0;
    let mut quoted = false;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                i += 2;
                continue;
            }
            b'"' => {
                quoted = !quoted;
                i += 1;
                continue;
            }
            b'`' if !quoted => {}
            _ => {
                i += 1;
                continue;
            }
        }
        if search[i..].starts_with("```") {
            // A comment: skip to its end.
            match search[i + 3..].find("```") {
                Some(j) => i = i + 3 + j + 3,
                None => break,
            }
            continue;
        }
        let Some(j) = search[i + 1..].find('`') else {
            break;
        };
        let inner = &search[i + 1..i + 1 + j];
        let (name, arity) = match inner.find('(') {
            Some(p) if inner.trim_end().ends_with(')') => {
                let args = &inner[p + 1..inner.trim_end().len() - 1];
                (inner[..p].trim(), count_args(args))
            }
            _ => (inner.trim(), 0),
        };
        if !name.is_empty() && !name.contains(char::is_whitespace) {
            out.push(MacroCall {
                name: name.to_string(),
                arity,
                span: Span::new(i, i + j + 2),
            });
        }
        i = i + j + 2;
    }
    out
}

/// Arguments of a macro call: top-level commas outside quotes and parentheses.
fn count_args(args: &str) -> usize {
    if args.trim().is_empty() {
        return 0;
    }
    let mut n = 1;
    let mut depth = 0i32;
    let mut quoted = false;
    let mut prev = ' ';
    for c in args.chars() {
        match c {
            '"' if prev != '\\' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => n += 1,
            _ => {}
        }
        prev = c;
    }
    n
}

/// CIM fields whose values are lower case by definition, with their expected values (CIM 5.0.1
/// `expected_values`); an empty list means any upper-case letter can never match (computed with
/// `lower()`).
const LOWER_CASE_FIELDS: &[(&str, &[&str])] = &[
    (
        "action",
        &[
            "acl_modified",
            "allowed",
            "blocked",
            "cleared",
            "created",
            "deleted",
            "lockout",
            "logoff",
            "modified",
            "read",
            "restarted",
            "started",
            "stopped",
            "teardown",
            "unlocked",
            "updated",
            "success",
            "failure",
        ],
    ),
    ("direction", &["inbound", "outbound"]),
    (
        "object_category",
        &["directory", "file", "group", "registry", "user"],
    ),
    ("process_integrity_level", &[]),
    ("start_mode", &["auto", "disabled", "manual"]),
    (
        "status",
        &[
            "critical", "failure", "started", "stopped", "success", "warning",
        ],
    ),
    ("transport", &["icmp", "tcp", "udp"]),
];

/// `where` comparisons that can never be true because of case.
fn where_case(search: &str) -> Vec<(Span, String)> {
    static WHERE: OnceLock<Regex> = OnceLock::new();
    static CMP: OnceLock<Regex> = OnceLock::new();
    let wh = re(&WHERE, r"(?i)\|\s*where\b");
    let cmp = re(&CMP, r#"([A-Za-z_][A-Za-z0-9_.]*)\s*(==|=)\s*"([^"]*)""#);
    let mut out = Vec::new();
    for m in wh.find_iter(search) {
        let rest = &search[m.end()..];
        let end = rest.find('|').unwrap_or(rest.len());
        let clause = &rest[..end];
        for c in cmp.captures_iter(clause) {
            let (Some(f), Some(v)) = (c.get(1), c.get(3)) else {
                continue;
            };
            let field = f.as_str().rsplit('.').next().unwrap_or(f.as_str());
            let value = v.as_str();
            let lower = value.to_lowercase();
            if lower == value {
                continue;
            }
            let Some((_, expected)) = LOWER_CASE_FIELDS.iter().find(|(n, _)| *n == field) else {
                continue;
            };
            if !expected.is_empty() && !expected.contains(&lower.as_str()) {
                continue;
            }
            let start = m.end() + v.start();
            out.push((
                Span::new(start, start + value.len()),
                format!(
                    "`{}` is never \"{value}\": its values are lower case by CIM definition (\"{lower}\")",
                    f.as_str()
                ),
            ));
        }
    }
    out
}

/// The findings of many detections, in file order.
pub fn lint_all(files: &[PathBuf], cx: &LintContext) -> Vec<Finding> {
    files.iter().flat_map(|f| lint_file(f, cx)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macro_calls_count_arguments_and_skip_comments() {
        let c = macro_calls("`a` x ```a comment `b` ``` `c(1, \"x,y\", f(2,3))` | `d_filter`");
        let v: Vec<(String, usize)> = c.iter().map(|m| (m.name.clone(), m.arity)).collect();
        assert_eq!(
            v,
            [
                ("a".to_string(), 0),
                ("c".to_string(), 3),
                ("d_filter".to_string(), 0)
            ]
        );
    }

    #[test]
    fn where_case_flags_only_certain_cases() {
        let s = r#"index=x | where action="Allowed" AND process_name="CMD.EXE" | where Processes.process_integrity_level="High" | where status="Pending""#;
        let found = where_case(s);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(&s[found[0].0.start..found[0].0.end], "Allowed");
        assert_eq!(&s[found[1].0.start..found[1].0.end], "High");
    }
}

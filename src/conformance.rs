//! Conformance runs: many detections over data, outcomes grouped by reason.
//!
//! Two modes:
//! - a list of detections over one store: does each run to completion (results or none)?
//! - (detection, dataset) pairs, as attack_data's `DETECTIONS.tsv`: does each detection return at
//!   least one result over its own dataset (Splunk's detection CI rule)?

use crate::detection::Detection;
use crate::diagnostic::Diagnostic;
use crate::ingest::Input;
use crate::lookups::LookupLibrary;
use crate::macros::MacroLibrary;
use crate::store::{ReplayOptions, Store};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The outcome of one detection.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub detection: String,
    /// Results returned, when the search ran.
    pub rows: Option<usize>,
    /// Why it did not run.
    pub error: Option<String>,
    /// Pairs mode: datasets the detection's tests name that are not on disk (replayed
    /// without them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// The detection's `manual_test` tag, when it has one: Splunk's CI does not require results
    /// of it (pairs mode; the search is still run and reported).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manual_test: Option<String>,
    pub seconds: f64,
}

/// A conformance report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub total: usize,
    /// Ran to completion (with or without results).
    pub ran: usize,
    /// Returned at least one result.
    pub with_results: usize,
    pub errors: usize,
    /// Pairs mode: pairs whose detection has a `manual_test` tag (Splunk's CI skips them).
    pub manual_tests: usize,
    /// Pairs mode: pairs without `manual_test`, and those of them that returned results:
    /// Splunk's CI rule is that every tested pair returns at least one result.
    pub tested: usize,
    pub tested_with_results: usize,
    /// Pairs mode: list the pairs that returned nothing in the text report.
    #[serde(skip)]
    pub pairs_mode: bool,
    /// Error reasons with their detections.
    pub reasons: BTreeMap<String, Vec<String>>,
    pub outcomes: Vec<Outcome>,
    pub seconds: f64,
}

impl Report {
    fn add(&mut self, o: Outcome) {
        self.total += 1;
        if o.manual_test.is_some() {
            self.manual_tests += 1;
        } else {
            self.tested += 1;
            if o.error.is_none() && o.rows.unwrap_or(0) > 0 {
                self.tested_with_results += 1;
            }
        }
        match &o.error {
            None => {
                self.ran += 1;
                if o.rows.unwrap_or(0) > 0 {
                    self.with_results += 1;
                }
            }
            Some(e) => {
                self.errors += 1;
                self.reasons
                    .entry(e.clone())
                    .or_default()
                    .push(o.detection.clone());
            }
        }
        self.outcomes.push(o);
    }

    /// Percentage of detections that ran to completion.
    pub fn ran_percent(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            100.0 * self.ran as f64 / self.total as f64
        }
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "detections:   {}", self.total)?;
        writeln!(f, "ran:          {} ({:.1}%)", self.ran, self.ran_percent())?;
        writeln!(f, "with results: {}", self.with_results)?;
        writeln!(f, "errors:       {}", self.errors)?;
        if self.pairs_mode {
            writeln!(
                f,
                "manual_test:  {} (Splunk's CI skips these; they were run and are listed)",
                self.manual_tests
            )?;
            writeln!(
                f,
                "tested pairs with results: {} of {}",
                self.tested_with_results, self.tested
            )?;
        }
        writeln!(f, "time:         {:.2} s", self.seconds)?;
        if self.pairs_mode {
            let empty: Vec<&Outcome> = self
                .outcomes
                .iter()
                .filter(|o| o.error.is_none() && o.rows == Some(0) || o.manual_test.is_some())
                .collect();
            if !empty.is_empty() {
                writeln!(f, "\nwithout results, or manual_test:")?;
                for o in empty {
                    let rows = o.rows.map(|r| r.to_string()).unwrap_or("error".into());
                    let tag = if o.manual_test.is_some() {
                        "  (manual_test)"
                    } else {
                        ""
                    };
                    writeln!(f, "{rows:>5}  {}{tag}", o.detection)?;
                    for m in &o.missing {
                        writeln!(f, "         dataset named by its test is missing: {m}")?;
                    }
                }
            }
        }
        if !self.reasons.is_empty() {
            writeln!(f, "\nerrors by reason:")?;
            let mut reasons: Vec<_> = self.reasons.iter().collect();
            reasons.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
            for (reason, dets) in reasons {
                writeln!(f, "{:>5}  {}", dets.len(), reason)?;
                for d in dets.iter().take(3) {
                    writeln!(f, "         {d}")?;
                }
            }
        }
        Ok(())
    }
}

/// The error text used for grouping: the first line of the message.
fn reason(e: &Diagnostic) -> String {
    e.message.lines().next().unwrap_or("").to_string()
}

/// Run one detection's search over a store; the number of results.
pub fn run_detection(
    search: &str,
    lib: &MacroLibrary,
    lookups: &LookupLibrary,
    store: &Store,
    cache: Option<&crate::exec::SourceCache>,
) -> Result<usize, Diagnostic> {
    crate::testing::engine::run_search(search, lib, lookups, store, cache).map(|df| df.height())
}

/// Stack for runs of many searches: query plans of long `case`/`if` chains are deep.
pub const STACK_SIZE: usize = 256 << 20;

/// Run `f` on a thread with a large stack (whatever the caller's stack is).
pub fn with_large_stack<T: Send, F: FnOnce() -> T + Send>(f: F) -> T {
    let job = std::sync::Mutex::new(Some(f));
    let take = || job.lock().ok().and_then(|mut j| j.take());
    let on_thread = std::thread::scope(|s| {
        let spawned = std::thread::Builder::new()
            .stack_size(STACK_SIZE)
            .spawn_scoped(s, || take().map(|f| f()));
        match spawned {
            Ok(h) => match h.join() {
                Ok(v) => v,
                Err(p) => std::panic::resume_unwind(p),
            },
            // No thread could be started: run here below.
            Err(_) => None,
        }
    });
    match on_thread {
        Some(v) => v,
        None => match take() {
            Some(f) => f(),
            None => unreachable_job(),
        },
    }
}

/// The job ran on the thread but gave no value: impossible, since a job that ran returns Some.
#[cold]
fn unreachable_job<T>() -> T {
    std::process::abort()
}

/// Run detections (YAML files) over one store.
pub fn run_list(
    detections: &[PathBuf],
    lib: &MacroLibrary,
    lookups: &LookupLibrary,
    store: &Store,
) -> Report {
    with_large_stack(|| run_list_inner(detections, lib, lookups, store))
}

fn run_list_inner(
    detections: &[PathBuf],
    lib: &MacroLibrary,
    lookups: &LookupLibrary,
    store: &Store,
) -> Report {
    let start = std::time::Instant::now();
    let mut report = Report::default();
    let cache = crate::exec::SourceCache::default();
    for path in detections {
        let t = std::time::Instant::now();
        let name = path.display().to_string();
        let outcome = match Detection::load(path) {
            Err(e) => Outcome {
                detection: name,
                rows: None,
                error: Some(reason(&e)),
                missing: Vec::new(),
                manual_test: None,
                seconds: 0.0,
            },
            Ok(d) => match run_detection(&d.search, lib, lookups, store, Some(&cache)) {
                Ok(n) => Outcome {
                    detection: name,
                    rows: Some(n),
                    error: None,
                    missing: Vec::new(),
                    manual_test: None,
                    seconds: t.elapsed().as_secs_f64(),
                },
                Err(e) => Outcome {
                    detection: name,
                    rows: None,
                    error: Some(reason(&e)),
                    missing: Vec::new(),
                    manual_test: None,
                    seconds: t.elapsed().as_secs_f64(),
                },
            },
        };
        report.add(outcome);
    }
    report.seconds = start.elapsed().as_secs_f64();
    report
}

/// One row of a pairs file: detection, dataset, source, sourcetype.
#[derive(Debug, Clone)]
pub struct Pair {
    pub detection: PathBuf,
    pub dataset: PathBuf,
    pub source: Option<String>,
    pub sourcetype: Option<String>,
    /// Where the detection's other test datasets (attack_data URLs) are looked up.
    pub data_root: PathBuf,
}

/// The local file of an attack_data URL (`https://media.githubusercontent.com/media/splunk/
/// attack_data/master/datasets/...` -> `<data_root>/datasets/...`).
/// A path that is not a URL is taken relative to `data_root`.
pub fn local_dataset(url: &str, data_root: &Path) -> Option<PathBuf> {
    if !url.contains("://") {
        return (!url.trim().is_empty()).then(|| data_root.join(url.trim()));
    }
    let i = url.find("/datasets/")?;
    Some(data_root.join(&url[i + 1..]))
}

/// The pairs of detections' own tests: each detection with the first dataset its `tests:` name
/// (the others are replayed with it by [`run_pairs`]), found under `data_root` (an attack_data
/// checkout). A detection without a test dataset is returned in the second list.
pub fn pairs_from_tests(detections: &[PathBuf], data_root: &Path) -> (Vec<Pair>, Vec<PathBuf>) {
    let mut pairs = Vec::new();
    let mut untested = Vec::new();
    for path in detections {
        let first = Detection::load(path).ok().and_then(|d| {
            d.tests
                .iter()
                .flat_map(|t| &t.attack_data)
                .find_map(|a| local_dataset(&a.data, data_root).map(|p| (p, a.clone())))
        });
        match first {
            Some((dataset, a)) => {
                let nonempty = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
                pairs.push(Pair {
                    detection: path.clone(),
                    dataset,
                    source: nonempty(&a.source),
                    sourcetype: nonempty(&a.sourcetype),
                    data_root: data_root.to_path_buf(),
                });
            }
            None => untested.push(path.clone()),
        }
    }
    (pairs, untested)
}

/// Read a TSV with a header naming `detection` and `dataset` (and optionally `source`,
/// `sourcetype`) columns; relative paths resolve against `detections_root` and `data_root`.
pub fn read_pairs(
    tsv: &Path,
    detections_root: &Path,
    data_root: &Path,
) -> Result<Vec<Pair>, Diagnostic> {
    let text = std::fs::read_to_string(tsv)
        .map_err(|e| Diagnostic::new(format!("cannot read {}: {e}", tsv.display())))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    let idx = |name: &str| header.iter().position(|h| *h == name);
    let (Some(di), Some(da)) = (idx("detection"), idx("dataset")) else {
        return Err(Diagnostic::new(format!(
            "{}: the header must name `detection` and `dataset` columns",
            tsv.display()
        )));
    };
    let (so, st) = (idx("source"), idx("sourcetype"));
    let mut out = Vec::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let get = |i: Option<usize>| {
            i.and_then(|i| cols.get(i))
                .map(|s| s.to_string())
                .filter(|s| !s.is_empty())
        };
        let (Some(d), Some(ds)) = (get(Some(di)), get(Some(da))) else {
            continue;
        };
        out.push(Pair {
            detection: detections_root.join(d),
            dataset: data_root.join(ds),
            source: get(so),
            sourcetype: get(st),
            data_root: data_root.to_path_buf(),
        });
    }
    Ok(out)
}

/// What a pair replays: its dataset with its source and sourcetype, then every other dataset the
/// detection's `tests:` name (Splunk's CI replays them all); the second list names those not on
/// disk.
pub fn pair_inputs(p: &Pair, d: &Detection) -> (Vec<Input>, Vec<String>) {
    let mut missing = Vec::new();
    let mut inputs = vec![Input {
        path: p.dataset.clone(),
        source: p.source.clone(),
        sourcetype: p.sourcetype.clone(),
        host: None,
        index: None,
    }];
    for a in d.tests.iter().flat_map(|t| &t.attack_data) {
        let Some(path) = local_dataset(&a.data, &p.data_root) else {
            continue;
        };
        if path == p.dataset {
            continue;
        }
        if !path.is_file() {
            missing.push(path.display().to_string());
            continue;
        }
        let nonempty = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        inputs.push(Input {
            path,
            source: nonempty(&a.source),
            sourcetype: nonempty(&a.sourcetype),
            host: None,
            index: None,
        });
    }
    (inputs, missing)
}

/// Run each detection over its own dataset (replayed in memory).
pub fn run_pairs(pairs: &[Pair], lib: &MacroLibrary, lookups: &LookupLibrary) -> Report {
    with_large_stack(|| run_pairs_inner(pairs, lib, lookups))
}

fn run_pairs_inner(pairs: &[Pair], lib: &MacroLibrary, lookups: &LookupLibrary) -> Report {
    let start = std::time::Instant::now();
    let mut report = Report {
        pairs_mode: true,
        ..Report::default()
    };
    for p in pairs {
        let t = std::time::Instant::now();
        let name = format!("{} over {}", p.detection.display(), p.dataset.display());
        let mut manual_test = None;
        let mut missing = Vec::new();
        let result = (|| -> Result<usize, Diagnostic> {
            let d = Detection::load(&p.detection)?;
            manual_test.clone_from(&d.tags.manual_test);
            if !p.dataset.is_file() {
                missing.push(p.dataset.display().to_string());
                return Err(Diagnostic::new(
                    "its dataset is not on disk (see --data-root)",
                ));
            }
            let mut store = Store::in_memory();
            let (inputs, others_missing) = pair_inputs(p, &d);
            missing.extend(others_missing);
            store
                .replay(&inputs, &ReplayOptions::default())
                .map_err(|e| Diagnostic::new(format!("replay failed: {e}")))?;
            run_detection(&d.search, lib, lookups, &store, None)
        })();
        let seconds = t.elapsed().as_secs_f64();
        report.add(match result {
            Ok(n) => Outcome {
                detection: name,
                rows: Some(n),
                error: None,
                missing,
                manual_test,
                seconds,
            },
            Err(e) => Outcome {
                detection: name,
                rows: None,
                error: Some(reason(&e)),
                missing,
                manual_test,
                seconds,
            },
        });
    }
    report.seconds = start.elapsed().as_secs_f64();
    report
}

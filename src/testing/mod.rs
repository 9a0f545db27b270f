//! `spelunk test`: detection tests without Splunk, by contentctl's rules.
//!
//! # What is tested
//! Every entry of a detection's `tests:` is one test: all the datasets it names are replayed
//! together (each with its `source`, `sourcetype`, and optional `host`/`custom_index`), then the
//! detection's search runs over them. Tests from the detection's spelunk sidecar
//! (`<detection>.spelunk.yaml`, see [`sidecar`]) are added: negative tests (`expect: no_results`,
//! the detection must return nothing on benign data) and extra positive ones.
//!
//! # When a test passes (contentctl's unit-test rule, `DetectionTestingInfrastructure.
//! retry_search_until_timeout`)
//! The search must return at least one result. Then the results are read in order:
//! - a result in which a *risk object* field is missing or null fails the test at once;
//! - a result in which every *threat object* field is non-null passes it at once;
//! - when no result passed that way, the test passes only if every threat object field is
//!   non-null in at least one result.
//!
//! Risk objects are `rba.risk_objects[].field` (contentctl 5) or, in the older format the
//! security_content snapshot of 2024 uses, `tags.observable` entries whose `role` holds
//! `Victim`; threat objects are `rba.threat_objects[].field` or observables with the role
//! `Attacker`. A field is null when the result lacks it, when it is null, when it is the
//! string `null` (as Splunk's JSON results show an unset field), or an empty multivalue.
//!
//! The `$field$` tokens of the risk message (`rba.message`, `tags.message`) are checked too,
//! but only reported: contentctl checks them when it *builds* the app (each must appear in the
//! search text), never against results, and a message token that is empty only renders as an
//! empty string in the risk event. Failing on them would fail detections that pass Splunk's
//! CI; each test lists the message fields that were null in every result (`message_nulls`).
//!
//! # What is not required
//! - `manual_test` detections: their tests are run and their outcome reported as `manual`,
//!   never failing the run (contentctl skips them);
//! - detections that are not `production`, and `Correlation` detections: skipped with the
//!   reason, as contentctl does;
//! - a test whose dataset is not on disk: skipped with the path it looked for — never a pass,
//!   never "no results".
//!
//! Replays are cached by the content hash (BLAKE3) of their datasets and shared by every test
//! naming the same data (with the same source/sourcetype); a replay is dropped as soon as the last
//! test using it has run. Tests run in parallel on `jobs` threads.

pub mod engine;
pub mod report;
pub mod select;
pub mod sidecar;

use crate::detection::{AttackData, Detection};
use crate::diagnostic::Diagnostic;
use crate::exec::SourceCache;
use crate::ingest::Input;
use crate::lookups::LookupLibrary;
use crate::macros::MacroLibrary;
use crate::store::{ReplayOptions, Store};
use polars::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

/// Where detections, their macros and lookups, and their datasets are.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The content checkout (security_content or a repository of the same shape), if any.
    pub content: Option<PathBuf>,
    /// The attack_data checkout dataset URLs map into.
    pub attack_data: Option<PathBuf>,
    /// Parallel jobs (at least 1).
    pub jobs: usize,
}

/// Outcome of a test or a detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    /// A `manual_test` detection's test: run and reported, not required.
    Manual,
    Skip,
    /// The detection file could not be read, or its data could not be replayed.
    Error,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Manual => "MANUAL",
            Status::Skip => "SKIP",
            Status::Error => "ERROR",
        }
    }
}

/// What a test expects of the search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// At least one result, with the annotated fields set (contentctl's rule).
    Results,
    /// No result at all (a negative test over benign data).
    NoResults,
}

/// One dataset of a test, located on disk.
#[derive(Debug, Clone, Serialize)]
pub struct DatasetUse {
    /// As the test names it.
    pub data: String,
    /// Where it was looked for (the first candidate when none exists).
    pub path: PathBuf,
    pub source: Option<String>,
    pub sourcetype: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
    pub on_disk: bool,
}

/// The result of one test.
#[derive(Debug, Clone, Serialize)]
pub struct TestOutcome {
    pub name: String,
    pub expect: Expect,
    /// `detection` (its `tests:`) or `sidecar` (`<detection>.spelunk.yaml`).
    pub from: &'static str,
    pub status: Status,
    /// Why it failed or was skipped; for a manual test, what happened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Results returned, when the search ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results: Option<usize>,
    /// Message fields null in every result (reported only; see the module documentation).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub message_nulls: Vec<String>,
    pub datasets: Vec<DatasetUse>,
    /// Time spent replaying (0 when the replay was shared with an earlier test).
    pub replay_seconds: f64,
    pub replay_shared: bool,
    pub search_seconds: f64,
}

impl TestOutcome {
    pub fn seconds(&self) -> f64 {
        self.replay_seconds + self.search_seconds
    }
}

/// The result of one detection: its tests and an overall status.
#[derive(Debug, Clone, Serialize)]
pub struct DetectionOutcome {
    /// The detection file.
    pub path: PathBuf,
    /// Its path for display (relative to the content checkout when inside it).
    pub display: String,
    pub name: String,
    pub status: Status,
    /// Why the detection as a whole was skipped or errored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub seconds: f64,
    pub tests: Vec<TestOutcome>,
}

/// A whole run.
#[derive(Debug, Clone, Serialize)]
pub struct TestRun {
    pub summary: Summary,
    pub detections: Vec<DetectionOutcome>,
}

/// Counts of a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub detections: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub manual: usize,
    pub errors: usize,
    /// Tests whose search ran.
    pub tests_run: usize,
    /// Replays done, and tests that reused one.
    pub replays: usize,
    pub replays_shared: usize,
    pub jobs: usize,
    pub seconds: f64,
}

impl TestRun {
    /// The exit status: 0 all passed, 1 a test failed, 2 an error (unreadable detection,
    /// data that could not be replayed).
    pub fn exit_code(&self) -> u8 {
        if self.summary.errors > 0 {
            2
        } else if self.summary.failed > 0 {
            1
        } else {
            0
        }
    }
}

/// A planned test: what to replay and what to expect.
#[derive(Debug, Clone)]
struct Planned {
    detection: usize,
    name: String,
    expect: Expect,
    from: &'static str,
    required: bool,
    datasets: Vec<DatasetUse>,
}

/// A detection and the tests planned for it.
struct PlannedDetection {
    outcome: DetectionOutcome,
    detection: Option<Detection>,
}

/// Where a test's dataset is: an attack_data URL maps into the attack_data checkout by its
/// `datasets/...` path; an absolute path is used as is; a relative path is looked for under
/// each of `bases` in order.
pub fn locate(data: &str, bases: &[&Path], attack_data: Option<&Path>) -> (PathBuf, bool) {
    let data = data.trim();
    let mut candidates: Vec<PathBuf> = Vec::new();
    if data.contains("://") {
        if let (Some(root), Some(i)) = (attack_data, data.find("/datasets/")) {
            candidates.push(root.join(&data[i + 1..]));
        }
    } else if Path::new(data).is_absolute() {
        candidates.push(PathBuf::from(data));
    } else {
        candidates.extend(bases.iter().map(|b| b.join(data)));
        if let Some(root) = attack_data {
            candidates.push(root.join(data));
        }
    }
    match candidates.iter().find(|c| c.is_file()) {
        Some(c) => (c.clone(), true),
        None => (
            candidates
                .into_iter()
                .next()
                .unwrap_or_else(|| PathBuf::from(data)),
            false,
        ),
    }
}

fn dataset_use(a: &AttackData, bases: &[&Path], attack_data: Option<&Path>) -> DatasetUse {
    let (path, on_disk) = locate(&a.data, bases, attack_data);
    let nonempty = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
    DatasetUse {
        data: a.data.clone(),
        path,
        source: nonempty(&a.source),
        sourcetype: nonempty(&a.sourcetype),
        host: a.host.clone().filter(|s| !s.is_empty()),
        index: a.custom_index.clone().filter(|s| !s.is_empty()),
        on_disk,
    }
}

/// The display path of a detection: relative to the content checkout when inside it.
pub fn display_path(path: &Path, content: Option<&Path>) -> String {
    if let Some(root) = content {
        if let Ok(rel) = path.strip_prefix(root) {
            return rel.display().to_string();
        }
    }
    path.display().to_string()
}

fn plan_detection(
    index: usize,
    path: &Path,
    setup: &Setup,
) -> (PlannedDetection, Vec<Planned>, Option<String>) {
    let display = display_path(path, setup.content.as_deref());
    let mut outcome = DetectionOutcome {
        path: path.to_path_buf(),
        display,
        name: String::new(),
        status: Status::Skip,
        reason: None,
        seconds: 0.0,
        tests: Vec::new(),
    };
    let d = match Detection::load(path) {
        Ok(d) => d,
        Err(e) => {
            outcome.status = Status::Error;
            outcome.reason = Some(e.message);
            return (
                PlannedDetection {
                    outcome,
                    detection: None,
                },
                Vec::new(),
                None,
            );
        }
    };
    outcome.name = d.name.clone();
    let attack_data = setup.attack_data.as_deref();
    let content_base: Vec<&Path> = setup.content.as_deref().into_iter().collect();
    let mut planned = Vec::new();
    let manual = d.tags.manual_test.is_some();
    for t in &d.tests {
        planned.push(Planned {
            detection: index,
            name: if t.name.is_empty() {
                "test".into()
            } else {
                t.name.clone()
            },
            expect: Expect::Results,
            from: "detection",
            required: !manual,
            datasets: t
                .attack_data
                .iter()
                .map(|a| dataset_use(a, &content_base, attack_data))
                .collect(),
        });
    }
    let mut sidecar_error = None;
    let sc = crate::detection::sidecar_of(path);
    if sc.is_file() {
        match sidecar::Sidecar::load(&sc) {
            Ok(s) => {
                let dir = sc.parent().unwrap_or(Path::new("."));
                let mut bases = vec![dir];
                bases.extend(content_base.iter().copied());
                for t in s.tests {
                    planned.push(Planned {
                        detection: index,
                        name: t.name,
                        expect: t.expect,
                        from: "sidecar",
                        required: true,
                        datasets: t
                            .attack_data
                            .iter()
                            .map(|a| dataset_use(a, &bases, attack_data))
                            .collect(),
                    });
                }
            }
            Err(e) => sidecar_error = Some(e.message),
        }
    }
    // contentctl skips every test of a non-production or Correlation detection.
    let skip_all = if !d.status.is_empty() && !d.status.eq_ignore_ascii_case("production") {
        Some(format!("non-production detection: status {}", d.status))
    } else if d.kind.eq_ignore_ascii_case("correlation") {
        Some("Correlation detection: not unit-tested (as in contentctl)".to_string())
    } else if planned.is_empty() {
        Some(if manual {
            "manual_test, and no tests: entry".to_string()
        } else {
            "no tests: entry".to_string()
        })
    } else {
        None
    };
    let mut runnable = Vec::new();
    for p in planned {
        let skip = skip_all.clone().or_else(|| {
            let missing: Vec<String> = p
                .datasets
                .iter()
                .filter(|d| !d.on_disk)
                .map(|d| d.path.display().to_string())
                .collect();
            if p.datasets.is_empty() {
                Some("the test names no dataset".into())
            } else if missing.is_empty() {
                None
            } else if attack_data.is_none() && p.datasets.iter().any(|d| d.data.contains("://")) {
                Some(format!(
                    "dataset not on disk (no --attack-data given): {}",
                    p.datasets
                        .iter()
                        .filter(|d| !d.on_disk)
                        .map(|d| d.data.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            } else {
                Some(format!("dataset not on disk: {}", missing.join(", ")))
            }
        });
        match skip {
            Some(reason) => outcome.tests.push(TestOutcome {
                name: p.name.clone(),
                expect: p.expect,
                from: p.from,
                status: Status::Skip,
                reason: Some(reason),
                results: None,
                message_nulls: Vec::new(),
                datasets: p.datasets.clone(),
                replay_seconds: 0.0,
                replay_shared: false,
                search_seconds: 0.0,
            }),
            None => runnable.push(p),
        }
    }
    if skip_all.is_some() && outcome.tests.is_empty() {
        outcome.reason = skip_all;
    }
    (
        PlannedDetection {
            outcome,
            detection: Some(d),
        },
        runnable,
        sidecar_error,
    )
}

/// The identity of a replay: each dataset's content hash with the fields given to it.
type ReplayKey = Vec<(
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
)>;

/// A replayed store with the tables already read from it.
struct Replayed {
    store: Store,
    cache: SourceCache,
}

type Slot = Arc<OnceLock<Result<Arc<Replayed>, String>>>;

/// Replays shared by tests, by content; each dropped after its last user.
struct ReplayCache {
    slots: Mutex<HashMap<ReplayKey, (Slot, usize)>>,
}

impl ReplayCache {
    fn new(uses: HashMap<ReplayKey, usize>) -> ReplayCache {
        ReplayCache {
            slots: Mutex::new(
                uses.into_iter()
                    .map(|(k, n)| (k, (Arc::new(OnceLock::new()), n)))
                    .collect(),
            ),
        }
    }

    fn slot(&self, key: &ReplayKey) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots
            .entry(key.clone())
            .or_insert_with(|| (Arc::new(OnceLock::new()), 1))
            .0
            .clone()
    }

    fn release(&self, key: &ReplayKey) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, n)) = slots.get_mut(key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                slots.remove(key);
            }
        }
    }
}

fn replay(datasets: &[DatasetUse]) -> Result<Replayed, String> {
    let inputs: Vec<Input> = datasets
        .iter()
        .map(|d| Input {
            path: d.path.clone(),
            source: d.source.clone(),
            sourcetype: d.sourcetype.clone(),
            host: d.host.clone(),
            index: d.index.clone(),
        })
        .collect();
    let mut store = Store::in_memory();
    let sum = store
        .replay(&inputs, &ReplayOptions::default())
        .map_err(|e| format!("replay failed: {e}"))?;
    if sum.events_stored == 0 && sum.events_rejected > 0 {
        return Err(format!(
            "replay stored no event: all {} events were rejected",
            sum.events_rejected
        ));
    }
    Ok(Replayed {
        store,
        cache: SourceCache::default(),
    })
}

/// Whether a cell counts as set (contentctl: `result.get(field, "null") != "null"`).
fn is_set(c: &Column, row: usize) -> bool {
    match c.get(row) {
        Ok(AnyValue::Null) | Err(_) => false,
        Ok(AnyValue::List(s)) => !s.is_empty() && s.null_count() < s.len(),
        Ok(v) => crate::frame::any_to_string(&v).is_some_and(|s| s != "null"),
    }
}

fn set_at(df: &DataFrame, field: &str, row: usize) -> bool {
    df.column(field).map(|c| is_set(c, row)).unwrap_or(false)
}

/// contentctl's verdict over results (see the module documentation): None when it passes, the
/// reason when it fails.
pub fn judge(df: &DataFrame, risk: &[String], threat: &[String]) -> Option<String> {
    if df.height() == 0 {
        return Some("no results".into());
    }
    let mut present_threats: Vec<&String> = Vec::new();
    for row in 0..df.height() {
        if let Some(f) = risk.iter().find(|f| df.column(f).is_err()) {
            return Some(format!(
                "the risk object field `{f}` is missing from the results"
            ));
        }
        if let Some(f) = risk.iter().find(|f| !set_at(df, f, row)) {
            return Some(format!(
                "the risk object field `{f}` is null in result {}",
                row + 1
            ));
        }
        let mut all = true;
        for f in threat {
            if set_at(df, f, row) {
                if !present_threats.contains(&f) {
                    present_threats.push(f);
                }
            } else {
                all = false;
            }
        }
        if all {
            return None;
        }
    }
    let missing: Vec<&str> = threat
        .iter()
        .filter(|f| !present_threats.contains(f))
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        None
    } else {
        Some(format!(
            "the threat object field(s) {} are null in every result",
            missing
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

/// Message fields null in every result.
fn message_nulls(df: &DataFrame, fields: &[String]) -> Vec<String> {
    fields
        .iter()
        .filter(|f| !(0..df.height()).any(|r| set_at(df, f, r)))
        .cloned()
        .collect()
}

fn replay_key(datasets: &[DatasetUse], hashes: &Mutex<HashMap<PathBuf, String>>) -> ReplayKey {
    datasets
        .iter()
        .map(|d| {
            let h = {
                let cached = hashes
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(&d.path)
                    .cloned();
                match cached {
                    Some(h) => h,
                    None => {
                        let h = crate::store::content_id(&d.path)
                            .unwrap_or_else(|| format!("path:{}", d.path.display()));
                        hashes
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(d.path.clone(), h.clone());
                        h
                    }
                }
            };
            (
                h,
                d.source.clone(),
                d.sourcetype.clone(),
                d.host.clone(),
                d.index.clone(),
            )
        })
        .collect()
}

/// Run `f(i)` for i in 0..n on `jobs` threads with large stacks.
fn parallel<T: Send>(n: usize, jobs: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let out: Mutex<Vec<Option<T>>> = Mutex::new((0..n).map(|_| None).collect());
    let work = || loop {
        let i = next.fetch_add(1, Ordering::SeqCst);
        if i >= n {
            break;
        }
        let v = f(i);
        out.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(v);
    };
    std::thread::scope(|s| {
        let mut handles = Vec::new();
        for _ in 0..jobs.clamp(1, n.max(1)) {
            let spawned = std::thread::Builder::new()
                .stack_size(crate::conformance::STACK_SIZE)
                .spawn_scoped(s, work);
            match spawned {
                Ok(h) => handles.push(h),
                Err(_) => break,
            }
        }
        if handles.is_empty() {
            work();
        }
        for h in handles {
            if let Err(p) = h.join() {
                std::panic::resume_unwind(p);
            }
        }
    });
    out.into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        // Every index is taken by exactly one worker (or run here when no thread started), and a
        // worker's panic is re-raised above: each slot is filled.
        .map(|v| v.expect("every index was run"))
        .collect()
}

/// Run the tests of these detection files.
pub fn run(
    detections: &[PathBuf],
    macros: &MacroLibrary,
    lookups: &LookupLibrary,
    setup: &Setup,
) -> TestRun {
    let started = Instant::now();
    let jobs = setup.jobs.max(1);
    // Plan (read every detection) in parallel.
    let plans = parallel(detections.len(), jobs, |i| {
        plan_detection(i, &detections[i], setup)
    });
    let mut planned_dets = Vec::with_capacity(plans.len());
    let mut work: Vec<Planned> = Vec::new();
    for (pd, tests, sidecar_error) in plans {
        let mut pd = pd;
        if let Some(e) = sidecar_error {
            pd.outcome.status = Status::Error;
            pd.outcome.reason = Some(e);
        }
        planned_dets.push(pd);
        work.extend(tests);
    }
    // Hash the datasets once; count the users of each replay.
    let hashes = Mutex::new(HashMap::new());
    let keys: Vec<ReplayKey> = work
        .iter()
        .map(|p| replay_key(&p.datasets, &hashes))
        .collect();
    let mut uses: HashMap<ReplayKey, usize> = HashMap::new();
    for k in &keys {
        *uses.entry(k.clone()).or_default() += 1;
    }
    let replays = uses.len();
    // Tests of the same data run one after another, so that a replay is freed early.
    let mut order: Vec<usize> = (0..work.len()).collect();
    order.sort_by(|&a, &b| keys[a].cmp(&keys[b]).then(a.cmp(&b)));
    let cache = ReplayCache::new(uses);
    let outcomes = parallel(order.len(), jobs, |o| {
        let i = order[o];
        let p = &work[i];
        let key = &keys[i];
        let d = planned_dets[p.detection].detection.as_ref();
        // A defect inside one test (a panic) is that test's error, not the end of the run.
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run_one(p, d, key, &cache, macros, lookups)
        }))
        .unwrap_or_else(|_| TestOutcome {
            name: p.name.clone(),
            expect: p.expect,
            from: p.from,
            status: Status::Error,
            reason: Some("internal error: the test panicked (please report it)".into()),
            results: None,
            message_nulls: Vec::new(),
            datasets: p.datasets.clone(),
            replay_seconds: 0.0,
            replay_shared: false,
            search_seconds: 0.0,
        });
        cache.release(key);
        (i, out)
    });
    let mut by_test: Vec<Option<TestOutcome>> = (0..work.len()).map(|_| None).collect();
    for (i, o) in outcomes {
        by_test[i] = Some(o);
    }
    for (p, o) in work.iter().zip(by_test) {
        if let Some(o) = o {
            planned_dets[p.detection].outcome.tests.push(o);
        }
    }
    let mut summary = Summary {
        jobs,
        replays,
        ..Summary::default()
    };
    let mut detections_out = Vec::with_capacity(planned_dets.len());
    for pd in planned_dets {
        let mut o = pd.outcome;
        o.seconds = o.tests.iter().fold(0.0, |a, t| a + t.seconds());
        if o.status != Status::Error {
            o.status = overall(&o.tests);
        }
        summary.detections += 1;
        summary.tests_run += o.tests.iter().filter(|t| t.results.is_some()).count();
        summary.replays_shared += o.tests.iter().filter(|t| t.replay_shared).count();
        match o.status {
            Status::Pass => summary.passed += 1,
            Status::Fail => summary.failed += 1,
            Status::Skip => summary.skipped += 1,
            Status::Manual => summary.manual += 1,
            Status::Error => summary.errors += 1,
        }
        detections_out.push(o);
    }
    summary.seconds = started.elapsed().as_secs_f64();
    TestRun {
        summary,
        detections: detections_out,
    }
}

/// A detection's status from its tests: an error or a failed required test wins; then a pass;
/// then manual; else skipped (contentctl: a detection passes when one test passed and the
/// others passed or were skipped).
fn overall(tests: &[TestOutcome]) -> Status {
    let has = |s: Status| tests.iter().any(|t| t.status == s);
    if has(Status::Error) {
        Status::Error
    } else if has(Status::Fail) {
        Status::Fail
    } else if has(Status::Pass) {
        Status::Pass
    } else if has(Status::Manual) {
        Status::Manual
    } else {
        Status::Skip
    }
}

fn run_one(
    p: &Planned,
    d: Option<&Detection>,
    key: &ReplayKey,
    cache: &ReplayCache,
    macros: &MacroLibrary,
    lookups: &LookupLibrary,
) -> TestOutcome {
    let mut out = TestOutcome {
        name: p.name.clone(),
        expect: p.expect,
        from: p.from,
        status: Status::Error,
        reason: None,
        results: None,
        message_nulls: Vec::new(),
        datasets: p.datasets.clone(),
        replay_seconds: 0.0,
        replay_shared: true,
        search_seconds: 0.0,
    };
    let Some(d) = d else {
        out.reason = Some("the detection could not be read".into());
        return out;
    };
    let slot = cache.slot(key);
    let t = Instant::now();
    let replayed = slot.get_or_init(|| {
        out.replay_shared = false;
        replay(&p.datasets).map(Arc::new)
    });
    if !out.replay_shared {
        out.replay_seconds = t.elapsed().as_secs_f64();
    }
    let replayed = match replayed {
        Ok(r) => r.clone(),
        Err(e) => {
            out.reason = Some(e.clone());
            return out;
        }
    };
    let t = Instant::now();
    let result = engine::run_search(
        &d.search,
        macros,
        lookups,
        &replayed.store,
        Some(&replayed.cache),
    );
    out.search_seconds = t.elapsed().as_secs_f64();
    let verdict = match result {
        Err(e) => Err(format!(
            "the search did not run: {}",
            e.message.lines().next().unwrap_or("")
        )),
        Ok(df) => {
            out.results = Some(df.height());
            match p.expect {
                Expect::NoResults if df.height() == 0 => Ok(()),
                Expect::NoResults => Err(format!(
                    "expected no results on this data, got {}",
                    df.height()
                )),
                Expect::Results => {
                    let a = d.annotations();
                    out.message_nulls = if df.height() > 0 {
                        message_nulls(&df, &a.message_fields)
                    } else {
                        Vec::new()
                    };
                    match judge(&df, &a.risk_objects, &a.threat_objects) {
                        None => Ok(()),
                        Some(r) => Err(r),
                    }
                }
            }
        }
    };
    match (verdict, p.required) {
        (Ok(()), true) => out.status = Status::Pass,
        (Err(r), true) => {
            out.status = Status::Fail;
            out.reason = Some(r);
        }
        (v, false) => {
            out.status = Status::Manual;
            let tag = d.tags.manual_test.clone().unwrap_or_default();
            out.reason = Some(match v {
                Ok(()) => format!("manual_test ({tag}); would pass"),
                Err(r) => format!("manual_test ({tag}); would fail: {r}"),
            });
        }
    }
    out
}

/// Available cores, the default number of jobs.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// Error for a setup problem (exit status 2).
pub fn usage_error(message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(cols: Vec<Column>) -> DataFrame {
        let h = cols.first().map(|c| c.len()).unwrap_or(0);
        DataFrame::new(h, cols).unwrap()
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn contentctl_rule_risk_objects_in_every_result_threat_objects_in_one() {
        let df = frame(vec![
            Column::new("dest".into(), &[Some("h1"), Some("h2")]),
            Column::new("process_name".into(), &[None, Some("cmd.exe")]),
        ]);
        assert_eq!(judge(&df, &s(&["dest"]), &s(&["process_name"])), None);
        let r = judge(&df, &s(&["user"]), &[]).unwrap();
        assert!(r.contains("`user` is missing"), "{r}");
        let df2 = frame(vec![
            Column::new("dest".into(), &[Some("h1"), None]),
            Column::new("process_name".into(), &[None, None::<&str>]),
        ]);
        // The first result has the risk object but no threat object; the second lacks the risk
        // object: contentctl fails on it.
        let r = judge(&df2, &s(&["dest"]), &s(&["process_name"])).unwrap();
        assert!(r.contains("null in result 2"), "{r}");
        let df3 = frame(vec![
            Column::new("dest".into(), &[Some("h1")]),
            Column::new("process_name".into(), &[Some("null")]),
        ]);
        let r = judge(&df3, &s(&["dest"]), &s(&["process_name"])).unwrap();
        assert!(r.contains("null in every result"), "{r}");
        let empty = frame(vec![Column::new("dest".into(), Vec::<String>::new())]);
        assert_eq!(judge(&empty, &[], &[]).as_deref(), Some("no results"));
    }

    #[test]
    fn datasets_are_located_by_url_then_relative_bases() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (p, ok) = locate(
            "https://media.githubusercontent.com/media/splunk/attack_data/master/datasets/sample/windows-events.log",
            &[],
            Some(root),
        );
        assert!(ok, "{}", p.display());
        let (p, ok) = locate("datasets/none/x.log", &[root], None);
        assert!(!ok);
        assert_eq!(p, root.join("datasets/none/x.log"));
    }
}

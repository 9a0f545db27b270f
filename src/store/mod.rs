//! The columnar store: replayed events per index, and one table per data model dataset
//! (materialised at replay time, as Splunk's accelerated data model summaries are), kept as
//! polars DataFrames — Parquet files on disk, or in memory for one-shot runs.
//!
//! On-disk layout (the default location is `.spelunk/store` in the current directory; the CLI's
//! `--store DIR` chooses another):
//!
//! ```text
//! DIR/manifest.json                              files replayed (BLAKE3) and table chunks
//! DIR/events/<index>/<sha16>-<n>.parquet         events, in chunks of up to `chunk_rows`
//! DIR/datamodels/<Model.Dataset>/<sha16>-<n>.parquet
//! ```
//!
//! A file is identified by the BLAKE3 hash of its content: replaying the same content again (under
//! any name) adds nothing. Each input file's chunks are written, then the manifest is replaced
//! atomically, so an interrupted replay leaves the store as it was before that file.

mod builder;
mod catalog;
mod compact;
mod parquet;

pub use compact::CompactSummary;

use builder::TableBuilder;

use crate::ingest::{self, Input, ReaderOptions, Record, Rejection, Repairs};
use crate::knowledge::{Applier, IndexedEvent, Knowledge};
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Default on-disk store location, relative to the current directory.
pub const DEFAULT_STORE_DIR: &str = ".spelunk/store";

/// Errors of the store itself (not of the data replayed, which become rejections).
#[derive(Debug)]
pub enum StoreError {
    /// Reading or writing the store's files failed.
    Io(String),
    /// The manifest is unreadable.
    Manifest(String),
    /// polars failed to build, write or scan a table.
    Polars(String),
    /// The knowledge files (event types, mappings, data models) could not be loaded.
    Knowledge(String),
    /// An index name that cannot be stored (letters, digits, `_` and `-` only).
    BadIndex(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Io(e) => write!(f, "store I/O: {e}"),
            StoreError::Manifest(e) => write!(f, "store manifest: {e}"),
            StoreError::Polars(e) => write!(f, "store table: {e}"),
            StoreError::Knowledge(e) => write!(f, "knowledge: {e}"),
            StoreError::BadIndex(i) => {
                write!(f, "bad index name {i:?}: use letters, digits, _ and -")
            }
        }
    }
}

impl std::error::Error for StoreError {}

impl From<PolarsError> for StoreError {
    fn from(e: PolarsError) -> Self {
        StoreError::Polars(e.to_string())
    }
}

fn io_err(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Io(format!("{}: {e}", path.display()))
}

/// Options of a replay.
#[derive(Debug, Clone)]
pub struct ReplayOptions {
    /// Index for inputs that do not name one (Splunk's default: `main`).
    pub index: String,
    /// Show a progress bar on stderr (only drawn when stderr is a terminal).
    pub progress: bool,
    /// Our knowledge folder; None uses the definitions compiled into spelunk.
    pub knowledge_dir: Option<PathBuf>,
    /// CIM app folders whose data models replace ours (e.g. `Splunk_SA_CIM_5.0.1`).
    pub cim_apps: Vec<PathBuf>,
    /// Add-on folders whose `eventtypes.conf`/`tags.conf` are loaded on top of ours.
    pub addons: Vec<PathBuf>,
    /// Reader settings (JSON time fields, largest event).
    pub reader: ReaderOptions,
    /// Rows per stored chunk (bounds memory: one chunk per table is built at a time).
    pub chunk_rows: usize,
    /// Examples kept per rejection reason in the summary.
    pub examples_per_reason: usize,
    /// Merge small chunks at the end of the replay (see `compact.rs`).
    pub compact: bool,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        ReplayOptions {
            index: "main".into(),
            progress: false,
            knowledge_dir: None,
            cim_apps: Vec::new(),
            addons: Vec::new(),
            reader: ReaderOptions::default(),
            chunk_rows: 10_000,
            examples_per_reason: 3,
            compact: true,
        }
    }
}

impl ReplayOptions {
    /// Loads the knowledge these options name: ours (or `knowledge_dir`), then CIM apps, then
    /// add-ons.
    pub fn load_knowledge(&self) -> Result<Knowledge, StoreError> {
        let mut k = match &self.knowledge_dir {
            Some(d) => Knowledge::load_dir(d),
            None => Knowledge::bundled(),
        }
        .map_err(StoreError::Knowledge)?;
        for c in &self.cim_apps {
            k.add_cim_app(c).map_err(StoreError::Knowledge)?;
        }
        for a in &self.addons {
            k.add_addon(a).map_err(StoreError::Knowledge)?;
        }
        Ok(k)
    }
}

/// What a replay did. `events_read = events_stored + events_rejected`; files skipped as
/// duplicates (same content already in the store) are not read at all.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReplaySummary {
    /// Input files found (after expanding directories and dataset YAML).
    pub files: usize,
    /// Files read.
    pub files_read: usize,
    /// Files skipped because the store already holds their content.
    pub files_duplicate: usize,
    /// Files that could not be read at all (missing, empty, unknown format, ...).
    pub files_rejected: usize,
    /// Bytes of the files read.
    pub bytes_read: u64,
    /// Events (and stretches of input that should have been events) read.
    pub events_read: u64,
    /// Events stored.
    pub events_stored: u64,
    /// Events rejected.
    pub events_rejected: u64,
    /// Stored events that needed a repair (counted once each, whatever was repaired).
    pub events_repaired: u64,
    /// Repaired events by what was repaired (`no readable time`, `invalid UTF-8 replaced`).
    pub repairs: BTreeMap<String, u64>,
    /// First examples of each repair, with file and byte offset.
    pub repair_examples: Vec<Rejection>,
    /// Rejection counts by reason (events and files).
    pub reasons: BTreeMap<String, u64>,
    /// First examples of each reason, with file and byte offset.
    pub examples: Vec<Rejection>,
    /// Events stored per index.
    pub indexes: BTreeMap<String, u64>,
    /// Rows stored per data model dataset.
    pub datamodels: BTreeMap<String, u64>,
    /// Files skipped as duplicates.
    pub duplicates: Vec<String>,
    /// Knowledge that was loaded but not fully understood.
    pub warnings: Vec<String>,
    /// Wall time, seconds.
    pub seconds: f64,
}

impl ReplaySummary {
    /// Whether anything was rejected (the CLI exits with status 2).
    pub fn has_rejections(&self) -> bool {
        self.events_rejected > 0 || self.files_rejected > 0
    }

    /// Counts a stored event's repairs.
    fn repaired(&mut self, what: Repairs, file: &str, offset: u64, per_reason: usize) {
        if !(what.time || what.bytes) {
            return;
        }
        self.events_repaired += 1;
        for (on, kind, detail) in [
            (
                what.time,
                "no readable time",
                "_time is the previous event's (or the file's modification time)",
            ),
            (
                what.bytes,
                "invalid UTF-8 replaced",
                "invalid bytes kept as U+FFFD",
            ),
        ] {
            if !on {
                continue;
            }
            let n = self.repairs.entry(kind.to_string()).or_insert(0);
            *n += 1;
            if (*n as usize) <= per_reason {
                self.repair_examples.push(Rejection {
                    kind: kind.to_string(),
                    detail: detail.to_string(),
                    file: file.to_string(),
                    offset,
                });
            }
        }
    }

    fn reject(&mut self, r: Rejection, file_level: bool, per_reason: usize) {
        if file_level {
            self.files_rejected += 1;
        } else {
            self.events_rejected += 1;
            self.events_read += 1;
        }
        let n = self.reasons.entry(r.kind.clone()).or_insert(0);
        *n += 1;
        if (*n as usize) <= per_reason {
            self.examples.push(r);
        }
    }
}

impl fmt::Display for ReplaySummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "files: {} ({} read, {} duplicate, {} rejected), {:.1} MB in {:.2}s",
            self.files,
            self.files_read,
            self.files_duplicate,
            self.files_rejected,
            self.bytes_read as f64 / 1e6,
            self.seconds
        )?;
        writeln!(
            f,
            "events: {} read, {} stored, {} rejected",
            self.events_read, self.events_stored, self.events_rejected
        )?;
        for (i, n) in &self.indexes {
            writeln!(f, "  index={i}: {n} events")?;
        }
        for (d, n) in &self.datamodels {
            writeln!(f, "  datamodel={d}: {n} rows")?;
        }
        if self.events_repaired > 0 {
            writeln!(
                f,
                "repaired (stored, as Splunk keeps them): {} events",
                self.events_repaired
            )?;
            for (k, n) in &self.repairs {
                writeln!(f, "  {k}: {n}")?;
            }
            for e in &self.repair_examples {
                writeln!(f, "  e.g. {e}")?;
            }
        }
        if !self.reasons.is_empty() {
            writeln!(f, "rejected, by reason:")?;
            for (k, n) in &self.reasons {
                writeln!(f, "  {k}: {n}")?;
            }
            writeln!(f, "examples:")?;
            for e in &self.examples {
                writeln!(f, "  {e}")?;
            }
        }
        for d in &self.duplicates {
            writeln!(f, "duplicate (already stored): {d}")?;
        }
        for w in &self.warnings {
            writeln!(f, "warning: {w}")?;
        }
        Ok(())
    }
}

/// Rejection reasons that concern a whole file rather than one event.
const FILE_LEVEL: &[&str] = &[
    "missing file",
    "empty file",
    "unreadable file",
    "unknown format",
    "not an EVTX file",
    "bad zip file",
    "bad dataset YAML",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum ColType {
    Str,
    List,
}

impl ColType {
    fn dtype(self) -> DataType {
        match self {
            ColType::Str => DataType::String,
            ColType::List => DataType::List(Box::new(DataType::String)),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ChunkMeta {
    /// `events` or `datamodel`.
    kind: String,
    /// Index name or dataset name.
    table: String,
    /// Path relative to the store (or `mem:<n>`).
    file: String,
    rows: usize,
    /// Columns after the fixed ones, with their types.
    columns: Vec<(String, ColType)>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct FileMeta {
    /// BLAKE3 of the file's content, hex: what identifies a file replayed before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    blake3: Option<String>,
    /// SHA-256, hex: how stores written before manifest version 2 identified files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sha256: Option<String>,
    path: String,
    events: u64,
}

/// A table's one schema: the union of its chunks' columns (after the fixed ones), in
/// first-seen order, multivalue when any chunk has the column multivalue. A chunk lacking a
/// column reads it as nulls.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct TableMeta {
    /// `events` or `datamodel`.
    kind: String,
    /// Index name or dataset name.
    table: String,
    columns: Vec<(String, ColType)>,
}

impl TableMeta {
    /// Adds a chunk's columns to the table's schema.
    fn merge(&mut self, columns: &[(String, ColType)]) {
        for (name, t) in columns {
            match self.columns.iter_mut().find(|(n, _)| n == name) {
                Some(have) => {
                    if *t == ColType::List {
                        have.1 = ColType::List;
                    }
                }
                None => self.columns.push((name.clone(), *t)),
            }
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Manifest {
    version: u32,
    files: Vec<FileMeta>,
    chunks: Vec<ChunkMeta>,
    /// Each table's schema (manifest version 3; derived from the chunks for older stores).
    #[serde(default)]
    tables: Vec<TableMeta>,
}

impl Manifest {
    /// The table schemas, derived from the chunks (stores written before version 3, which did
    /// not record them, and after chunks are replaced).
    fn derive_tables(&mut self) {
        let mut tables: Vec<TableMeta> = Vec::new();
        for c in &self.chunks {
            let t = match tables
                .iter_mut()
                .position(|t| t.kind == c.kind && t.table == c.table)
            {
                Some(i) => &mut tables[i],
                None => {
                    tables.push(TableMeta {
                        kind: c.kind.clone(),
                        table: c.table.clone(),
                        columns: Vec::new(),
                    });
                    let n = tables.len() - 1;
                    &mut tables[n]
                }
            };
            t.merge(&c.columns);
        }
        self.tables = tables;
    }

    /// Records a new chunk and widens its table's schema.
    fn add_chunk(&mut self, chunk: ChunkMeta) {
        match self
            .tables
            .iter_mut()
            .find(|t| t.kind == chunk.kind && t.table == chunk.table)
        {
            Some(t) => t.merge(&chunk.columns),
            None => self.tables.push(TableMeta {
                kind: chunk.kind.clone(),
                table: chunk.table.clone(),
                columns: chunk.columns.clone(),
            }),
        }
        self.chunks.push(chunk);
    }

    /// The schema of the tables matching `kind` and `table` (all tables of the kind when None):
    /// their columns merged, in table order.
    fn schema(&self, kind: &str, table: Option<&str>) -> Vec<(String, ColType)> {
        let mut out = TableMeta {
            kind: kind.into(),
            table: String::new(),
            columns: Vec::new(),
        };
        for t in &self.tables {
            if t.kind == kind && table.is_none_or(|n| t.table == n) {
                out.merge(&t.columns);
            }
        }
        out.columns
    }
}

/// The manifest format this version writes. 2: files are identified by BLAKE3 (1: SHA-256,
/// still recognised). 3: each table's schema is recorded (`tables`), and small chunks are
/// compacted (older stores are read as they are; `spelunk compact` rewrites them).
const MANIFEST_VERSION: u32 = 3;

/// The columnar store. See the module documentation for the layout.
pub struct Store {
    dir: Option<PathBuf>,
    manifest: Manifest,
    mem: Vec<DataFrame>,
}

/// The events table's columns that are not extracted fields, in table order: Splunk's default
/// fields, `_time` first.
const EVENT_FIXED: &[&str] = &crate::knowledge::DEFAULT_FIELDS;
const DM_FIXED: &[&str] = &["_time", "host", "source", "sourcetype", "index"];

impl Store {
    /// Open (creating if missing) an on-disk store at `dir`.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
        let mpath = dir.join("manifest.json");
        let mut manifest: Manifest = match std::fs::read_to_string(&mpath) {
            Ok(t) => serde_json::from_str(&t)
                .map_err(|e| StoreError::Manifest(format!("{}: {e}", mpath.display())))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Manifest {
                version: MANIFEST_VERSION,
                ..Manifest::default()
            },
            Err(e) => return Err(io_err(&mpath, e)),
        };
        if manifest.version > MANIFEST_VERSION {
            return Err(StoreError::Manifest(format!(
                "{}: version {} was written by a newer spelunk (this one reads up to {MANIFEST_VERSION})",
                mpath.display(),
                manifest.version
            )));
        }
        if manifest.tables.is_empty() && !manifest.chunks.is_empty() {
            manifest.derive_tables();
        }
        Ok(Store {
            dir: Some(dir.to_path_buf()),
            manifest,
            mem: Vec::new(),
        })
    }

    /// The store's folder; None for a store in memory.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// A store that lives only in memory (one-shot runs).
    pub fn in_memory() -> Store {
        Store {
            dir: None,
            manifest: Manifest {
                version: MANIFEST_VERSION,
                ..Manifest::default()
            },
            mem: Vec::new(),
        }
    }

    /// Replay inputs into the store; returns the summary (events read/stored/rejected, reasons,
    /// examples). Malformed data is counted in the summary; only failures of the store itself
    /// are errors.
    pub fn replay(
        &mut self,
        inputs: &[Input],
        opts: &ReplayOptions,
    ) -> Result<ReplaySummary, StoreError> {
        let started = Instant::now();
        let knowledge = opts.load_knowledge()?;
        // The sourcetypes' timestamp settings come from the knowledge loaded.
        let reader = ReaderOptions {
            timestamps: knowledge.time_rules(),
            ..opts.reader.clone()
        };
        let mut sum = ReplaySummary {
            warnings: knowledge.warnings.clone(),
            ..ReplaySummary::default()
        };
        if !valid_index(&opts.index) {
            return Err(StoreError::BadIndex(opts.index.clone()));
        }
        let (files, problems) = ingest::dataset::resolve(inputs);
        for p in problems {
            sum.reject(p, true, opts.examples_per_reason);
        }
        sum.files = files.len();
        let total_bytes: u64 = files
            .iter()
            .filter_map(|f| std::fs::metadata(&f.path).ok())
            .map(|m| m.len())
            .sum();
        let bar = progress_bar(opts.progress, total_bytes);
        let mut seen: HashSet<String> = self
            .manifest
            .files
            .iter()
            .filter_map(|f| f.blake3.clone())
            .collect();
        // Files an older store recorded by SHA-256 only: new files are checked against those too.
        let legacy: HashSet<String> = self
            .manifest
            .files
            .iter()
            .filter(|f| f.blake3.is_none())
            .filter_map(|f| f.sha256.clone())
            .collect();
        let mut done_bytes = 0u64;
        for input in &files {
            let index = input.index.clone().unwrap_or_else(|| opts.index.clone());
            if !valid_index(&index) {
                return Err(StoreError::BadIndex(index));
            }
            let size = std::fs::metadata(&input.path).map(|m| m.len()).unwrap_or(0);
            let sha = content_id(&input.path);
            let replayed_before = sha.as_ref().is_some_and(|h| seen.contains(h))
                || (!legacy.is_empty()
                    && hash_file(&input.path).is_some_and(|h| legacy.contains(&h)));
            if replayed_before {
                sum.files_duplicate += 1;
                sum.duplicates.push(input.path.display().to_string());
                done_bytes += size;
                bar.set_position(done_bytes);
                continue;
            }
            let stored = self.replay_file(
                input,
                &index,
                sha.as_deref(),
                &knowledge,
                opts,
                &reader,
                &mut sum,
                &bar,
                done_bytes,
            )?;
            done_bytes += size;
            bar.set_position(done_bytes);
            if let (Some(h), Some(events)) = (sha, stored) {
                seen.insert(h.clone());
                self.manifest.files.push(FileMeta {
                    blake3: Some(h),
                    sha256: None,
                    path: input.path.display().to_string(),
                    events,
                });
                self.save_manifest()?;
            }
        }
        bar.finish_and_clear();
        // Few files per table, whatever the number of files replayed.
        if opts.compact {
            self.compact_small(opts.chunk_rows)?;
        }
        sum.seconds = started.elapsed().as_secs_f64();
        Ok(sum)
    }

    /// Replays one file; returns the events stored, or None when the file could not be read.
    #[allow(clippy::too_many_arguments)]
    fn replay_file(
        &mut self,
        input: &Input,
        index: &str,
        sha: Option<&str>,
        knowledge: &Knowledge,
        opts: &ReplayOptions,
        reader: &ReaderOptions,
        sum: &mut ReplaySummary,
        bar: &indicatif::ProgressBar,
        bar_base: u64,
    ) -> Result<Option<u64>, StoreError> {
        let stem = sha
            .map(|s| s[..16].to_string())
            .unwrap_or_else(|| format!("nohash{}", self.manifest.chunks.len()));
        let mut events = TableBuilder::new();
        let mut dms: Vec<TableBuilder> = knowledge
            .datasets
            .iter()
            .map(|_| TableBuilder::new())
            .collect();
        // Column names per dataset (`Processes.process_name`), and rows added per dataset.
        let ds_cols: Vec<Vec<String>> = knowledge
            .datasets
            .iter()
            .map(|ds| dm_columns(&ds.prefix, &ds.fields))
            .collect();
        let mut ds_rows = vec![0u64; knowledge.datasets.len()];
        let mut applier = Applier::new(knowledge);
        let mut n_chunks = 0usize;
        let mut stored = 0u64;
        let mut file_failed = false;
        let file_name = input.path.display().to_string();
        for rec in ingest::open(input, reader) {
            match rec {
                Record::Rejected(r) => {
                    // After a file-level problem the file is not recorded as replayed.
                    let file_level = FILE_LEVEL.contains(&r.kind.as_str());
                    file_failed |= file_level;
                    sum.reject(r, file_level, opts.examples_per_reason);
                }
                Record::Event(ev) => {
                    sum.events_read += 1;
                    let offset = ev.offset;
                    sum.repaired(ev.repaired, &file_name, offset, opts.examples_per_reason);
                    let mut ie = IndexedEvent {
                        time: ev.time,
                        host: input
                            .host
                            .clone()
                            .or(ev.host)
                            .unwrap_or_else(|| input.path.display().to_string()),
                        source: input
                            .source
                            .clone()
                            .or(ev.source)
                            .unwrap_or_else(|| input.path.display().to_string()),
                        sourcetype: input
                            .sourcetype
                            .clone()
                            .or(ev.sourcetype)
                            .unwrap_or_else(|| "_json".to_string()),
                        index: index.to_string(),
                        raw: ev.raw,
                        fields: ev.fields,
                        eventtype: Vec::new(),
                        tag: Vec::new(),
                    };
                    let decision = applier.apply(&mut ie);
                    for &i in &decision.datasets {
                        if let (Some(ds), Some(b)) = (knowledge.datasets.get(i), dms.get_mut(i)) {
                            let row = ds.row(&ie);
                            b.push_dm(&ie, &ds_cols[i], row);
                            ds_rows[i] += 1;
                        }
                    }
                    events.push_event(ie);
                    stored += 1;
                    if events.rows >= opts.chunk_rows {
                        self.flush(&mut events, "events", index, &stem, &mut n_chunks, &[])?;
                    }
                    for (i, (ds, b)) in knowledge.datasets.iter().zip(dms.iter_mut()).enumerate() {
                        if b.rows >= opts.chunk_rows {
                            self.flush(
                                b,
                                "datamodel",
                                &ds.name,
                                &stem,
                                &mut n_chunks,
                                &ds_cols[i],
                            )?;
                        }
                    }
                    if stored % 4096 == 0 {
                        // XmlWinEventLog and JSON offsets are bytes; EVTX ones record numbers.
                        bar.set_position(bar_base + offset);
                    }
                }
            }
        }
        self.flush(&mut events, "events", index, &stem, &mut n_chunks, &[])?;
        for (i, (ds, b)) in knowledge.datasets.iter().zip(dms.iter_mut()).enumerate() {
            self.flush(b, "datamodel", &ds.name, &stem, &mut n_chunks, &ds_cols[i])?;
            if ds_rows[i] > 0 {
                *sum.datamodels.entry(ds.name.clone()).or_insert(0) += ds_rows[i];
            }
        }
        sum.events_stored += stored;
        if stored > 0 {
            *sum.indexes.entry(index.to_string()).or_insert(0) += stored;
        }
        if file_failed {
            return Ok(None);
        }
        sum.files_read += 1;
        sum.bytes_read += std::fs::metadata(&input.path).map(|m| m.len()).unwrap_or(0);
        Ok(Some(stored))
    }

    fn flush(
        &mut self,
        b: &mut TableBuilder,
        kind: &str,
        table: &str,
        stem: &str,
        n_chunks: &mut usize,
        all_columns: &[String],
    ) -> Result<(), StoreError> {
        if b.rows == 0 {
            return Ok(());
        }
        if kind == "datamodel" {
            // Every dataset field is a column, even when null in this chunk.
            for c in all_columns {
                b.col_index(c);
            }
        }
        let chunk = b.finish(if kind == "events" {
            EVENT_FIXED
        } else {
            DM_FIXED
        })?;
        let rows = chunk.rows;
        let columns = chunk.order.clone();
        let file = match &self.dir {
            Some(dir) => {
                let sub = if kind == "events" {
                    "events"
                } else {
                    "datamodels"
                };
                let rel = format!("{sub}/{table}/{stem}-{n}.parquet", n = *n_chunks);
                let path = dir.join(&rel);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| io_err(parent, e))?;
                }
                let f = std::fs::File::create(&path).map_err(|e| io_err(&path, e))?;
                parquet::write(std::io::BufWriter::new(f), &chunk)?;
                rel
            }
            None => {
                self.mem.push(chunk.into_frame()?);
                format!("mem:{}", self.mem.len() - 1)
            }
        };
        *n_chunks += 1;
        self.manifest.add_chunk(ChunkMeta {
            kind: kind.into(),
            table: table.into(),
            file,
            rows,
            columns,
        });
        Ok(())
    }

    fn save_manifest(&self) -> Result<(), StoreError> {
        let Some(dir) = &self.dir else { return Ok(()) };
        let tmp = dir.join("manifest.json.tmp");
        let manifest = Manifest {
            version: MANIFEST_VERSION,
            ..self.manifest.clone()
        };
        let text =
            serde_json::to_string(&manifest).map_err(|e| StoreError::Manifest(e.to_string()))?;
        std::fs::write(&tmp, text).map_err(|e| io_err(&tmp, e))?;
        let dst = dir.join("manifest.json");
        std::fs::rename(&tmp, &dst).map_err(|e| io_err(&dst, e))
    }

    /// Names of the indexes holding events.
    pub fn indexes(&self) -> Vec<String> {
        self.tables("events")
    }

    /// All data model dataset names with tables in the store.
    pub fn datamodels(&self) -> Vec<String> {
        self.tables("datamodel")
    }

    fn tables(&self, kind: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .manifest
            .chunks
            .iter()
            .filter(|c| c.kind == kind)
            .map(|c| c.table.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// Events of one index, or of all indexes when None. Columns: `_time` Float64 epoch seconds
    /// (UTC, sub-second allowed), `_raw`, `host`, `source`, `sourcetype`, `index` (String),
    /// `eventtype`, `tag` (List(String), multivalue), then every extracted field as a String
    /// column (List(String) only if the field is multivalue in some event), null where an event
    /// lacks it. Field names are case-sensitive, as Splunk extracts them.
    pub fn events(&self, index: Option<&str>) -> Result<LazyFrame, StoreError> {
        let chunks: Vec<&ChunkMeta> = self
            .manifest
            .chunks
            .iter()
            .filter(|c| c.kind == "events" && index.is_none_or(|i| c.table == i))
            .collect();
        let schema = self.manifest.schema("events", index);
        self.read_table(&chunks, EVENT_FIXED, &schema)
    }

    /// A data model dataset table, e.g. `Endpoint.Processes`. Columns: `_time` (Float64), `host`,
    /// `source`, `sourcetype`, `index`, and `<Dataset>.<field>` String columns (e.g.
    /// `Processes.process_name`) for every field of the dataset (List(String) only for a
    /// multivalue field such as `tag`). Ok(None) when the store has no such table.
    ///
    /// A model name alone (`Change`, as in `tstats ... from datamodel=Change`) means the model's
    /// root dataset (`Change.All_Changes`): the one table of the model whose columns carry its
    /// own dataset name as prefix (child datasets carry their root's). A model with several root
    /// datasets (`Endpoint`) has no such table.
    pub fn datamodel(&self, name: &str) -> Result<Option<LazyFrame>, StoreError> {
        let name = match name.contains('.') {
            true => name.to_string(),
            false => match self.root_dataset(name) {
                Some(n) => n,
                None => return Ok(None),
            },
        };
        let name = name.as_str();
        let chunks: Vec<&ChunkMeta> = self
            .manifest
            .chunks
            .iter()
            .filter(|c| c.kind == "datamodel" && c.table == name)
            .collect();
        if chunks.is_empty() {
            return Ok(None);
        }
        let schema = self.manifest.schema("datamodel", Some(name));
        self.read_table(&chunks, DM_FIXED, &schema).map(Some)
    }

    /// Bytes on disk of the parquet files behind [`Store::events`] (`datamodel` None) or a data
    /// model table ([`Store::datamodel`]); 0 for a store in memory. `spelunk check` keeps a
    /// table in memory for its whole list only when this is small (see `exec::SourceCache`).
    pub fn disk_bytes(&self, datamodel: Option<&str>) -> u64 {
        let Some(dir) = &self.dir else {
            return 0;
        };
        let (kind, table) = match datamodel {
            None => ("events", None),
            Some(n) if n.contains('.') => ("datamodel", Some(n.to_string())),
            Some(n) => ("datamodel", self.root_dataset(n)),
        };
        self.manifest
            .chunks
            .iter()
            .filter(|c| c.kind == kind && table.as_deref().is_none_or(|t| c.table == t))
            .filter(|c| !c.file.starts_with("mem:"))
            .map(|c| std::fs::metadata(dir.join(&c.file)).map_or(0, |m| m.len()))
            .sum()
    }

    /// The table of a model's only root dataset (see [`Store::datamodel`]).
    fn root_dataset(&self, model: &str) -> Option<String> {
        let prefix = format!("{model}.");
        let mut roots: Vec<&str> = self
            .manifest
            .chunks
            .iter()
            .filter(|c| c.kind == "datamodel")
            .filter_map(|c| {
                let ds = c.table.strip_prefix(&prefix)?;
                let own = format!("{ds}.");
                let is_root =
                    !c.columns.is_empty() && c.columns.iter().all(|(n, _)| n.starts_with(&own));
                is_root.then_some(c.table.as_str())
            })
            .collect();
        roots.sort_unstable();
        roots.dedup();
        match roots.as_slice() {
            [one] => Some(one.to_string()),
            _ => None,
        }
    }

    /// Reads a table's chunks as one frame of the table's schema (`fixed` columns, then
    /// `columns`). Consecutive on-disk chunks whose column types agree with the schema are one
    /// parquet scan over their files (a column a file lacks reads as nulls), so the plan polars
    /// builds, and its cost, do not grow with the number of files; projections and filters
    /// reach the parquet reader. Other chunks (in memory, or from a store written before their
    /// column became multivalue) are aligned one by one.
    fn read_table(
        &self,
        chunks: &[&ChunkMeta],
        fixed: &[&str],
        columns: &[(String, ColType)],
    ) -> Result<LazyFrame, StoreError> {
        let all: Vec<(String, DataType)> = fixed
            .iter()
            .map(|n| (n.to_string(), fixed_dtype(n)))
            .chain(columns.iter().map(|(n, t)| (n.clone(), t.dtype())))
            .collect();
        if chunks.is_empty() {
            let cols: Vec<Column> = all
                .iter()
                .map(|(n, t)| Column::new_empty(n.as_str().into(), t))
                .collect();
            return Ok(DataFrame::new(0, cols)?.lazy());
        }
        let types: HashMap<&str, ColType> = columns.iter().map(|(n, t)| (n.as_str(), *t)).collect();
        let schema: SchemaRef = Arc::new(
            all.iter()
                .map(|(n, t)| Field::new(n.as_str().into(), t.clone()))
                .collect(),
        );
        let mut parts: Vec<LazyFrame> = Vec::new();
        let mut run: Vec<PlRefPath> = Vec::new();
        for c in chunks {
            let uniform = c
                .columns
                .iter()
                .all(|(n, t)| types.get(n.as_str()) == Some(t));
            match self.chunk_path(c) {
                Some(path) if uniform => run.push(path?),
                _ => {
                    if !run.is_empty() {
                        parts.push(scan_files(std::mem::take(&mut run), &schema)?);
                    }
                    parts.push(self.aligned(c, &all)?);
                }
            }
        }
        if !run.is_empty() {
            parts.push(scan_files(run, &schema)?);
        }
        if parts.len() == 1 {
            if let Some(lf) = parts.pop() {
                return Ok(lf);
            }
        }
        Ok(concat(parts, UnionArgs::default())?)
    }

    /// One chunk aligned on a table's columns (`all`): missing ones as nulls, single values
    /// as one-value lists where the table's column is multivalue.
    fn aligned(&self, c: &ChunkMeta, all: &[(String, DataType)]) -> Result<LazyFrame, StoreError> {
        let have: HashMap<&str, ColType> =
            c.columns.iter().map(|(n, t)| (n.as_str(), *t)).collect();
        let lf = self.scan(c)?;
        let exprs: Vec<Expr> = all
            .iter()
            .map(|(name, dt)| -> PolarsResult<Expr> {
                // Every chunk holds the fixed columns (see TableBuilder::finish).
                if EVENT_FIXED.contains(&name.as_str()) || DM_FIXED.contains(&name.as_str()) {
                    return Ok(col(name.as_str()));
                }
                Ok(match have.get(name.as_str()) {
                    None => lit(NULL).cast(dt.clone()).alias(name.as_str()),
                    // Single values become one-value lists; built with `as_list`, as
                    // polars deprecates (and warns on stderr about) casting text to a list.
                    Some(ColType::Str) if matches!(dt, DataType::List(_)) => {
                        when(col(name.as_str()).is_null())
                            .then(lit(NULL).cast(dt.clone()))
                            .otherwise(as_list([col(name.as_str())])?)
                            .alias(name.as_str())
                    }
                    Some(_) => col(name.as_str()),
                })
            })
            .collect::<PolarsResult<_>>()?;
        Ok(lf.select(exprs))
    }

    /// The path of an on-disk chunk; None for an in-memory one.
    fn chunk_path(&self, c: &ChunkMeta) -> Option<Result<PlRefPath, StoreError>> {
        if c.file.starts_with("mem:") {
            return None;
        }
        Some(match &self.dir {
            Some(dir) => Ok(PlRefPath::new(dir.join(&c.file).to_string_lossy().as_ref())),
            None => Err(StoreError::Manifest(format!(
                "chunk {} outside a store folder",
                c.file
            ))),
        })
    }

    fn scan(&self, c: &ChunkMeta) -> Result<LazyFrame, StoreError> {
        if let Some(n) = c.file.strip_prefix("mem:") {
            let i: usize = n
                .parse()
                .map_err(|_| StoreError::Manifest(format!("bad chunk {}", c.file)))?;
            let df = self
                .mem
                .get(i)
                .ok_or_else(|| StoreError::Manifest(format!("missing chunk {}", c.file)))?;
            return Ok(df.clone().lazy());
        }
        let Some(dir) = &self.dir else {
            return Err(StoreError::Manifest(format!(
                "chunk {} outside a store folder",
                c.file
            )));
        };
        let path = dir.join(&c.file);
        let p = path.to_string_lossy().to_string();
        Ok(LazyFrame::scan_parquet(
            PlRefPath::new(p.as_str()),
            ScanArgsParquet::default(),
        )?)
    }
}

/// One parquet scan over files of one table: the table's schema is given (no footer is read
/// to plan), a column a file lacks reads as nulls.
fn scan_files(paths: Vec<PlRefPath>, schema: &SchemaRef) -> Result<LazyFrame, StoreError> {
    let args = ScanArgsParquet {
        schema: Some(schema.clone()),
        allow_missing_columns: true,
        ..ScanArgsParquet::default()
    };
    Ok(LazyFrame::scan_parquet_sources(
        ScanSources::Paths(paths.into_iter().collect()),
        args,
    )?)
}

fn fixed_dtype(name: &str) -> DataType {
    match name {
        "_time" => DataType::Float64,
        "eventtype" | "tag" => DataType::List(Box::new(DataType::String)),
        _ => DataType::String,
    }
}

fn dm_columns(prefix: &str, fields: &[String]) -> Vec<String> {
    fields.iter().map(|f| format!("{prefix}.{f}")).collect()
}

fn valid_index(i: &str) -> bool {
    !i.is_empty()
        && i.len() <= 80
        && i.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// BLAKE3 of a file's content, hex: how the store recognises a file replayed before (as
/// strong as SHA-256, and several times faster: hashing was 5% of a replay); None when the file
/// cannot be read.
pub fn content_id(path: &Path) -> Option<String> {
    let mut h = blake3::Hasher::new();
    read_through(path, |b| {
        h.update(b);
    })?;
    Some(h.finalize().to_hex().to_string())
}

/// Reads a file through `f`, a block at a time; None when it cannot be read.
fn read_through(path: &Path, mut f: impl FnMut(&[u8])) -> Option<()> {
    let mut file = std::fs::File::open(path).ok()?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).ok()?;
        if n == 0 {
            return Some(());
        }
        f(&buf[..n]);
    }
}

/// SHA-256 of a file's content, hex (as attack_data's INDEX.tsv lists them); None when it
/// cannot be read.
pub fn hash_file(path: &Path) -> Option<String> {
    let mut h = Sha256::new();
    read_through(path, |b| h.update(b))?;
    Some(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

fn progress_bar(enabled: bool, total: u64) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !enabled || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ingest/good.log")
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("spelunk-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn the_fixed_event_columns_start_with_time_and_are_default_fields() {
        assert_eq!(EVENT_FIXED[0], "_time");
        for n in EVENT_FIXED {
            assert!(crate::knowledge::is_default_field(n), "{n}");
        }
        assert!(!crate::knowledge::is_default_field("Image"));
    }

    #[test]
    fn a_file_replayed_twice_is_stored_once_and_recorded_by_blake3() {
        let dir = scratch("twice");
        let mut st = Store::open(&dir).unwrap();
        let first = st
            .replay(&[Input::new(fixture())], &ReplayOptions::default())
            .unwrap();
        assert!(first.events_stored > 0);
        let again = st
            .replay(&[Input::new(fixture())], &ReplayOptions::default())
            .unwrap();
        assert_eq!((again.events_stored, again.files_duplicate), (0, 1));
        let text = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
        let m: Manifest = serde_json::from_str(&text).unwrap();
        assert_eq!(m.version, MANIFEST_VERSION);
        assert_eq!(m.files[0].blake3, content_id(&fixture()));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_store_that_recorded_files_by_sha256_still_recognises_them() {
        let dir = scratch("legacy");
        std::fs::create_dir_all(&dir).unwrap();
        let v1 = serde_json::json!({
            "version": 1,
            "files": [{"sha256": hash_file(&fixture()).unwrap(), "path": "good.log", "events": 3}],
            "chunks": []
        });
        std::fs::write(dir.join("manifest.json"), v1.to_string()).unwrap();
        let mut st = Store::open(&dir).unwrap();
        let sum = st
            .replay(&[Input::new(fixture())], &ReplayOptions::default())
            .unwrap();
        assert_eq!((sum.events_stored, sum.files_duplicate), (0, 1));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_store_from_a_newer_spelunk_is_refused_with_its_version() {
        let dir = scratch("newer");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("manifest.json"),
            r#"{"version": 99, "files": [], "chunks": []}"#,
        )
        .unwrap();
        let e = Store::open(&dir).err().unwrap().to_string();
        assert!(e.contains("version 99"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

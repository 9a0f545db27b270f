//! Lookup definitions and tables: what `lookup` and `inputlookup` read.
//!
//! A lookup is defined the way security_content ships them, one YAML file per lookup in a
//! `lookups/` folder (the equivalent of a `transforms.conf` stanza):
//!
//! ```yaml
//! name: remote_access_software
//! filename: remote_access_software20240726.csv     # a CSV file beside the YAML
//! match_type: WILDCARD(remote_utility),WILDCARD(remote_domain)
//! case_sensitive_match: 'false'   # Splunk's default is true
//! default_match: 'false'          # the value given when fewer than min_matches rows match
//! min_matches: 1                  # default 0
//! max_matches: 1                  # default 100
//! ```
//!
//! or a KV store collection (`collection:` and `fields_list:`), which spelunk reads as an empty
//! table with those fields (a fresh Splunk instance, as in detection CI, has empty collections).
//!
//! A lookup can also be named by its file name (`inputlookup previously_seen.csv`), whether or not
//! a definition refers to that file. Defaults follow the Knowledge Manager Manual, "Add field
//! matching rules to your lookup configuration".
//!
//! Tables are read lazily, the first time a search uses them, and cached for the life of the
//! library (clones share the cache). A definition whose file is missing, is a Git LFS pointer or
//! is not a readable CSV only errors when a search uses it, naming the lookup and the file.
//!
//! Besides definitions, a library carries the tables `outputlookup` writes ([`written`]), read
//! back before the definitions' own files, and the GeoIP database `iplocation` reads
//! ([`geoip`]): all the reference data a search can use, shared by the searches of one run.

pub mod geoip;
pub mod written;

use crate::diagnostic::Diagnostic;
use polars::prelude::{Column, DataFrame};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Splunk's default `max_matches` for a lookup without `time_field`.
pub const DEFAULT_MAX_MATCHES: usize = 100;

/// Where a lookup's rows come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupSource {
    /// A CSV file (`filename:`).
    Csv(PathBuf),
    /// A KV store collection (`collection:`), read as an empty table with `fields_list` fields.
    KvStore {
        collection: String,
        fields: Vec<String>,
    },
    /// A file spelunk cannot read as a table (an MLTK `.mlmodel`, ...), with the reason.
    Unsupported { file: PathBuf, reason: String },
    /// An external (scripted) lookup (`external_cmd:`) that computes its outputs from its
    /// inputs; spelunk implements the ones [`ExternalLookup`] names.
    External {
        function: ExternalLookup,
        /// `fields_list`: inputs first, then outputs.
        fields: Vec<String>,
    },
}

/// The scripted lookups spelunk computes itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExternalLookup {
    /// URL Toolbox's `ut_shannon.py`: the Shannon entropy, in bits per character, of `word`,
    /// output as `ut_shannon`.
    Shannon,
}

impl ExternalLookup {
    /// The lookup for an `external_cmd` (its script name, arguments ignored).
    pub fn for_command(cmd: &str) -> Option<ExternalLookup> {
        match cmd.split_whitespace().next()? {
            "ut_shannon.py" => Some(ExternalLookup::Shannon),
            _ => None,
        }
    }

    /// The output value for one input value.
    pub fn compute(self, input: &str) -> Option<String> {
        match self {
            ExternalLookup::Shannon => Some(shannon_entropy(input).to_string()),
        }
    }
}

/// Shannon entropy of a string's characters in bits, as URL Toolbox computes it:
/// `-sum(p * log2 p)` over the frequency `p` of each distinct character.
pub fn shannon_entropy(word: &str) -> f64 {
    let n = word.chars().count();
    if n == 0 {
        return 0.0;
    }
    let mut counts: std::collections::HashMap<char, usize> = std::collections::HashMap::new();
    for ch in word.chars() {
        *counts.entry(ch).or_insert(0) += 1;
    }
    let h = counts
        .values()
        .map(|&k| {
            let p = k as f64 / n as f64;
            -p * p.log2()
        })
        .sum::<f64>();
    // URL Toolbox prints the float; trim representation noise such as 2.0000000000000004.
    (h * 1e12).round() / 1e12
}

/// One lookup definition (a `transforms.conf` stanza), with its table once read.
#[derive(Debug)]
pub struct LookupDef {
    /// The lookup's name (`name:`; the file name for a bare CSV).
    pub name: String,
    /// The YAML file defining it (`None` for a CSV named directly).
    pub definition: Option<PathBuf>,
    /// Where the rows come from.
    pub source: LookupSource,
    /// Fields whose table values may contain `*` wildcards (`match_type: WILDCARD(field)`).
    pub wildcard_fields: Vec<String>,
    /// `case_sensitive_match` (Splunk's default: true).
    pub case_sensitive: bool,
    /// `default_match`: given when fewer than `min_matches` rows match (default: nothing).
    pub default_match: Option<String>,
    /// `min_matches` (default 0).
    pub min_matches: usize,
    /// `max_matches` (default 100): at most this many matching rows, in file order.
    pub max_matches: usize,
    table: OnceLock<Result<Arc<LookupTable>, String>>,
}

/// The rows of a lookup: a header and string cells (an empty cell is an empty string).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LookupTable {
    /// Column names, in file order.
    pub columns: Vec<String>,
    /// Rows, each with exactly one cell per column.
    pub rows: Vec<Vec<String>>,
}

/// A YAML file of a lookups folder that was not loaded, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub file: PathBuf,
    pub reason: String,
}

/// The lookups a search can use, by name and by file name.
///
/// Cheap to clone: definitions (and their cached tables) are shared.
#[derive(Debug, Clone, Default)]
pub struct LookupLibrary {
    by_name: BTreeMap<String, Arc<LookupDef>>,
    by_file: BTreeMap<String, Arc<LookupDef>>,
    /// Definitions that could not be loaded, with reasons.
    pub rejected: Vec<Rejection>,
    /// Tables written by `outputlookup` (in memory, or a store's `lookups/` folder).
    pub written: written::WrittenLookups,
    /// The GeoIP database `iplocation` reads, when one is given.
    pub geoip: Option<Arc<geoip::GeoIp>>,
    /// The programs that score DSDL models for `apply` (`--dsdl-model`, `dsdl:` settings).
    pub dsdl: crate::mltk::dsdl::Scorers,
}

impl LookupDef {
    fn new(name: String, definition: Option<PathBuf>, source: LookupSource) -> LookupDef {
        LookupDef {
            name,
            definition,
            source,
            wildcard_fields: Vec::new(),
            case_sensitive: true,
            default_match: None,
            min_matches: 0,
            max_matches: DEFAULT_MAX_MATCHES,
            table: OnceLock::new(),
        }
    }

    /// The file the rows come from, if any.
    pub fn file(&self) -> Option<&Path> {
        match &self.source {
            LookupSource::Csv(p) => Some(p),
            LookupSource::Unsupported { file, .. } => Some(file),
            LookupSource::KvStore { .. } | LookupSource::External { .. } => None,
        }
    }

    /// Whether values of this table field may be `*` patterns.
    pub fn is_wildcard(&self, field: &str) -> bool {
        self.wildcard_fields
            .iter()
            .any(|f| f.eq_ignore_ascii_case(field))
    }

    /// The table, read on first use and cached. The error names the lookup and its file.
    pub fn table(&self) -> Result<Arc<LookupTable>, String> {
        self.table.get_or_init(|| self.read()).clone()
    }

    fn read(&self) -> Result<Arc<LookupTable>, String> {
        match &self.source {
            LookupSource::KvStore { fields, .. } => Ok(Arc::new(LookupTable {
                columns: fields.clone(),
                rows: Vec::new(),
            })),
            LookupSource::External { .. } => Err(format!(
                "lookup `{}` is computed by a script, not a table that can be listed",
                self.name
            )),
            LookupSource::Unsupported { file, reason } => Err(format!(
                "lookup `{}` cannot be read from {}: {reason}",
                self.name,
                file.display()
            )),
            LookupSource::Csv(path) => read_csv(path).map(Arc::new).map_err(|e| {
                format!(
                    "lookup `{}` cannot be read from {}: {e}",
                    self.name,
                    path.display()
                )
            }),
        }
    }
}

impl LookupTable {
    /// The position of a column.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The table as results: one String column per table column, empty cells null.
    pub fn to_frame(&self) -> Result<DataFrame, String> {
        let mut seen = std::collections::HashSet::new();
        let mut cols = Vec::new();
        for (j, name) in self.columns.iter().enumerate() {
            if !seen.insert(name.as_str()) {
                continue;
            }
            let values: Vec<Option<&str>> = self
                .rows
                .iter()
                .map(|r| r.get(j).map(String::as_str).filter(|s| !s.is_empty()))
                .collect();
            cols.push(Column::new(name.as_str().into(), values));
        }
        if cols.is_empty() {
            return Ok(crate::frame::no_results());
        }
        DataFrame::new_infer_height(cols).map_err(|e| e.to_string())
    }
}

/// Read a CSV lookup file: a header row, then rows (short rows are padded, long rows cut).
pub fn read_csv(path: &Path) -> Result<LookupTable, String> {
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "the file does not exist".to_string(),
        _ => e.to_string(),
    })?;
    parse_csv(&bytes)
}

/// Parse the bytes of a CSV lookup file (invalid UTF-8 is replaced, a BOM is dropped).
pub fn parse_csv(bytes: &[u8]) -> Result<LookupTable, String> {
    if bytes.starts_with(b"version https://git-lfs") {
        return Err("the file is a Git LFS pointer, not the table (run `git lfs pull`)".into());
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.byte_records();
    let header = match records.next() {
        None => return Err("the file is empty (no header row)".into()),
        Some(r) => r.map_err(|e| format!("bad CSV header: {e}"))?,
    };
    let columns: Vec<String> = header
        .iter()
        .map(|f| String::from_utf8_lossy(f).trim().to_string())
        .collect();
    if columns.iter().all(|c| c.is_empty()) {
        return Err("the header row names no field".into());
    }
    let mut rows = Vec::new();
    for (i, rec) in records.enumerate() {
        let rec = rec.map_err(|e| format!("bad CSV at row {}: {e}", i + 2))?;
        if rec.len() == 1 && rec.get(0).is_some_and(|f| f.is_empty()) {
            continue; // a blank line
        }
        let mut row: Vec<String> = rec
            .iter()
            .take(columns.len())
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        row.resize(columns.len(), String::new());
        rows.push(row);
    }
    Ok(LookupTable { columns, rows })
}

/// The text of a YAML scalar (string, number or Boolean).
fn scalar(v: &serde_norway::Value) -> Option<String> {
    use serde_norway::Value;
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Parse `WILDCARD(a),WILDCARD(b), CIDR(c)` into the fields of each match type.
fn parse_match_type(text: &str) -> Result<Vec<String>, String> {
    let mut wildcard = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (kind, rest) = part
            .split_once('(')
            .ok_or_else(|| format!("bad match_type `{part}` (expected WILDCARD(field))"))?;
        let field = rest
            .strip_suffix(')')
            .ok_or_else(|| format!("bad match_type `{part}` (missing `)`)"))?
            .trim();
        match kind.trim().to_ascii_uppercase().as_str() {
            "WILDCARD" => wildcard.push(field.to_string()),
            // CIDR and EXACT: values are compared exactly (CIDR matching is not implemented;
            // no security_content lookup uses it).
            "CIDR" | "EXACT" => {}
            other => return Err(format!("unknown match_type `{other}`")),
        }
    }
    Ok(wildcard)
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "t" | "1" | "yes" => Some(true),
        "false" | "f" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// Parse one lookup definition YAML. `dir` is the folder its `filename` is relative to.
pub fn parse_definition(text: &str, file: &Path, dir: &Path) -> Result<LookupDef, String> {
    let doc: serde_norway::Value = serde_norway::from_str(text).map_err(|e| e.to_string())?;
    let map = doc
        .as_mapping()
        .ok_or_else(|| "not a mapping of keys to values".to_string())?;
    let get = |k: &str| map.get(k).and_then(scalar).filter(|s| !s.is_empty());
    let name = get("name").ok_or_else(|| "no `name`".to_string())?;
    // `fields_list` (KV store collections and scripted lookups): comma-separated names.
    let fields_list = || -> Vec<String> {
        get("fields_list")
            .map(|l| {
                l.split(',')
                    .map(|f| f.trim().to_string())
                    .filter(|f| !f.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    let source = if let Some(f) = get("filename") {
        if Path::new(&f).components().count() != 1 {
            return Err(format!("`filename` {f} must be a file name in the folder"));
        }
        let path = dir.join(&f);
        let lower = f.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            LookupSource::Csv(path)
        } else {
            LookupSource::Unsupported {
                file: path,
                reason: "only CSV lookup files are supported".into(),
            }
        }
    } else if let Some(cmd) = get("external_cmd") {
        let fields = fields_list();
        match ExternalLookup::for_command(&cmd) {
            Some(function) => LookupSource::External { function, fields },
            None => LookupSource::Unsupported {
                file: file.to_path_buf(),
                reason: format!("scripted lookup `{cmd}` is not implemented by spelunk"),
            },
        }
    } else if let Some(c) = get("collection") {
        let fields = fields_list();
        LookupSource::KvStore {
            collection: c,
            fields,
        }
    } else {
        return Err("none of `filename`, `collection`, `external_cmd`".into());
    };
    let mut def = LookupDef::new(name, Some(file.to_path_buf()), source);
    if let Some(m) = get("match_type") {
        def.wildcard_fields = parse_match_type(&m)?;
    }
    if let Some(c) = get("case_sensitive_match") {
        def.case_sensitive =
            parse_bool(&c).ok_or_else(|| format!("bad case_sensitive_match `{c}`"))?;
    }
    def.default_match = get("default_match");
    let count = |k: &str| -> Result<Option<usize>, String> {
        get(k)
            .map(|v| v.parse::<usize>().map_err(|_| format!("bad {k} `{v}`")))
            .transpose()
    };
    if let Some(n) = count("min_matches")? {
        def.min_matches = n;
    }
    if let Some(n) = count("max_matches")? {
        def.max_matches = n.max(1);
    }
    Ok(def)
}

/// Built-in lookup definitions (this project's `lookups/` folder, compiled in): Enterprise
/// Security's asset and identity collections, empty as in a fresh ES install, and the other
/// lookups security_content uses from apps it does not ship (each file says where its columns
/// come from).
const BUILTIN: &[(&str, &str)] = &[
    (
        "identity_lookup_expanded.yml",
        include_str!("../lookups/identity_lookup_expanded.yml"),
    ),
    (
        "asset_lookup_by_str.yml",
        include_str!("../lookups/asset_lookup_by_str.yml"),
    ),
    (
        "asset_lookup_by_cidr.yml",
        include_str!("../lookups/asset_lookup_by_cidr.yml"),
    ),
    (
        "ut_shannon_lookup.yml",
        include_str!("../lookups/ut_shannon_lookup.yml"),
    ),
    (
        "cim_corporate_web_domain_lookup.yml",
        include_str!("../lookups/cim_corporate_web_domain_lookup.yml"),
    ),
    (
        "cim_corporate_email_domain_lookup.yml",
        include_str!("../lookups/cim_corporate_email_domain_lookup.yml"),
    ),
    (
        "alexa_lookup_by_str.yml",
        include_str!("../lookups/alexa_lookup_by_str.yml"),
    ),
    (
        "interesting_ports_lookup.yml",
        include_str!("../lookups/interesting_ports_lookup.yml"),
    ),
    (
        "admon_groups_def.yml",
        include_str!("../lookups/admon_groups_def.yml"),
    ),
    (
        "previously_seen_users_console_logins_cloudtrail.yml",
        include_str!("../lookups/previously_seen_users_console_logins_cloudtrail.yml"),
    ),
];

impl LookupLibrary {
    /// An empty library.
    pub fn new() -> LookupLibrary {
        LookupLibrary::default()
    }

    /// The built-in definitions only.
    pub fn builtin() -> LookupLibrary {
        let mut lib = LookupLibrary::new();
        for (file, text) in BUILTIN {
            // The built-ins are tested (`builtins_load`); a broken one is a build defect.
            if let Ok(def) = parse_definition(text, Path::new(file), Path::new("built-in")) {
                lib.insert(def);
            }
        }
        lib
    }

    /// The built-ins, then the definitions of several folders, later folders overriding earlier
    /// ones.
    pub fn with_dirs(dirs: &[PathBuf]) -> Result<LookupLibrary, Diagnostic> {
        let mut lib = LookupLibrary::builtin();
        for d in dirs {
            lib.load_dir(d)?;
        }
        Ok(lib)
    }

    /// Load every `*.yml` definition of a folder (a security_content checkout's root loads its
    /// `lookups/`), and make every CSV file of the folder usable by its file name. Returns how
    /// many definitions were loaded; definitions that cannot be parsed are recorded in
    /// [`LookupLibrary::rejected`]. Errors only when the folder cannot be read.
    pub fn load_dir(&mut self, dir: &Path) -> Result<usize, Diagnostic> {
        let dir = if dir.join("lookups").is_dir() {
            dir.join("lookups")
        } else {
            dir.to_path_buf()
        };
        let entries = std::fs::read_dir(&dir).map_err(|e| {
            Diagnostic::new(format!("cannot read lookup folder {}: {e}", dir.display()))
        })?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        // Bare CSV files first, so that definitions naming the same file take their place.
        for path in files.iter().filter(|p| has_ext(p, "csv")) {
            let Some(fname) = path.file_name().and_then(|f| f.to_str()) else {
                continue;
            };
            let def = LookupDef::new(fname.to_string(), None, LookupSource::Csv(path.clone()));
            self.by_file.insert(fname.to_string(), Arc::new(def));
        }
        let mut n = 0;
        for path in files
            .iter()
            .filter(|p| has_ext(p, "yml") || has_ext(p, "yaml"))
        {
            let parsed = std::fs::read(path)
                .map_err(|e| e.to_string())
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .and_then(|text| parse_definition(&text, path, &dir));
            match parsed {
                Ok(def) => {
                    self.insert(def);
                    n += 1;
                }
                Err(reason) => self.rejected.push(Rejection {
                    file: path.clone(),
                    reason,
                }),
            }
        }
        Ok(n)
    }

    /// Add or replace a definition (also reachable by its file name).
    pub fn insert(&mut self, def: LookupDef) {
        let def = Arc::new(def);
        if let Some(fname) = def
            .file()
            .and_then(|f| f.file_name())
            .and_then(|f| f.to_str())
        {
            self.by_file.insert(fname.to_string(), def.clone());
        }
        self.by_name.insert(def.name.clone(), def);
    }

    /// Number of definitions (not counting bare CSV files).
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    /// No definition and no CSV file.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty() && self.by_file.is_empty()
    }

    /// The definitions, by name.
    pub fn definitions(&self) -> impl Iterator<Item = &Arc<LookupDef>> {
        self.by_name.values()
    }

    /// The lookup a search names: a definition's name, else a lookup file's name.
    pub fn get(&self, name: &str) -> Option<&Arc<LookupDef>> {
        self.by_name.get(name).or_else(|| self.by_file.get(name))
    }

    /// The lookup a search names with its table: a table `outputlookup` wrote under that name
    /// (or under the file or collection of the definition of that name) first, else the
    /// definition's own table. Errors name the lookup (unknown, unreadable).
    pub fn open(&self, name: &str) -> Result<(Arc<LookupDef>, Arc<LookupTable>), Diagnostic> {
        let def = self.get(name).cloned();
        if let Some(file) = self.written_name(name, def.as_deref()) {
            if let Some(table) = self.written.get(&file).map_err(Diagnostic::new)? {
                let def = def.unwrap_or_else(|| {
                    let path = match self.written.dir() {
                        Some(d) => d.join(&file),
                        None => PathBuf::from(&file),
                    };
                    Arc::new(LookupDef::new(
                        name.to_string(),
                        None,
                        LookupSource::Csv(path),
                    ))
                });
                return Ok((def, table));
            }
        }
        let def = self.resolve(name)?.clone();
        let table = def.table().map_err(Diagnostic::new)?;
        Ok((def, table))
    }

    /// The file name in the writable folder that holds the table of `name`: a definition's file
    /// (or `COLLECTION.csv` for a KV store collection), else `name` itself when it is a
    /// `.csv`/`.csv.gz` file name. `None` for scripted and unreadable definitions and for other
    /// names.
    pub fn written_name(&self, name: &str, def: Option<&LookupDef>) -> Option<String> {
        match def.map(|d| &d.source) {
            Some(LookupSource::Csv(path)) => path
                .file_name()
                .and_then(|f| f.to_str())
                .map(str::to_string),
            Some(LookupSource::KvStore { collection, .. }) => Some(format!("{collection}.csv")),
            Some(_) => None,
            None => {
                let lower = name.to_ascii_lowercase();
                (lower.ends_with(".csv") || lower.ends_with(".csv.gz")).then(|| name.to_string())
            }
        }
    }

    /// Use this GeoIP database for `iplocation`.
    pub fn set_geoip(&mut self, db: geoip::GeoIp) {
        self.geoip = Some(Arc::new(db));
    }

    /// Like [`LookupLibrary::get`], with an error naming the closest known lookups.
    pub fn resolve(&self, name: &str) -> Result<&Arc<LookupDef>, Diagnostic> {
        if let Some(d) = self.get(name) {
            return Ok(d);
        }
        let mut d = Diagnostic::new(format!("unknown lookup `{name}`"));
        if self.is_empty() {
            d = d.note(
                "no lookups are loaded (use --lookups DIR, e.g. security_content's lookups/)",
            );
        } else {
            let close = self.closest(name);
            if !close.is_empty() {
                d = d.note(format!("did you mean: {}?", close.join(", ")));
            }
        }
        Err(d)
    }

    /// Up to three known names closest to `name`.
    pub fn closest(&self, name: &str) -> Vec<String> {
        let mut scored: Vec<(f64, &str)> = self
            .by_name
            .keys()
            .chain(self.by_file.keys())
            .map(|k| (strsim::jaro_winkler(name, k), k.as_str()))
            .filter(|(s, _)| *s > 0.8)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        scored.dedup_by(|a, b| a.1 == b.1);
        scored
            .into_iter()
            .take(3)
            .map(|(_, k)| format!("`{k}`"))
            .collect()
    }
}

fn has_ext(p: &Path, ext: &str) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// `*` glob match (the only wildcard of lookup values); both sides already case-folded.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

/// One input field's value in a table row, ready to compare.
#[derive(Debug)]
enum Cell {
    Exact(String),
    Glob(String),
}

/// A lookup table indexed on some of its fields, built once per `lookup` command.
///
/// Rows whose input values are all literal go in a hash map; rows with a `*` in a WILDCARD
/// field are scanned. Matches come back in file order, at most `max_matches`.
#[derive(Debug)]
pub struct LookupIndex {
    case_sensitive: bool,
    max_matches: usize,
    exact: HashMap<Vec<String>, Vec<usize>>,
    patterns: Vec<(usize, Vec<Cell>)>,
}

impl LookupIndex {
    /// Index `table` on the given fields (columns of the table) following `def`'s match rules.
    /// Errors name a field the table does not have.
    pub fn build(def: &LookupDef, table: &LookupTable, fields: &[String]) -> Result<Self, String> {
        let mut cols = Vec::new();
        for f in fields {
            let j = table.column(f).ok_or_else(|| {
                format!(
                    "lookup `{}` has no field `{f}` (its fields: {})",
                    def.name,
                    table.columns.join(", ")
                )
            })?;
            cols.push((j, def.is_wildcard(f)));
        }
        let fold = |s: &str| fold(s, def.case_sensitive);
        let mut exact: HashMap<Vec<String>, Vec<usize>> = HashMap::new();
        let mut patterns = Vec::new();
        for (i, row) in table.rows.iter().enumerate() {
            let cells: Vec<Cell> = cols
                .iter()
                .map(|&(j, wild)| {
                    let v = fold(row.get(j).map(String::as_str).unwrap_or(""));
                    if wild && v.contains('*') {
                        Cell::Glob(v)
                    } else {
                        Cell::Exact(v)
                    }
                })
                .collect();
            if cells.iter().all(|c| matches!(c, Cell::Exact(_))) {
                let key = cells
                    .into_iter()
                    .map(|c| match c {
                        Cell::Exact(s) | Cell::Glob(s) => s,
                    })
                    .collect();
                exact.entry(key).or_default().push(i);
            } else {
                patterns.push((i, cells));
            }
        }
        Ok(LookupIndex {
            case_sensitive: def.case_sensitive,
            max_matches: def.max_matches.max(1),
            exact,
            patterns,
        })
    }

    /// The rows matching these values (one per indexed field, in order), in file order.
    pub fn matches(&self, values: &[&str]) -> Vec<usize> {
        let key: Vec<String> = values
            .iter()
            .map(|v| fold(v, self.case_sensitive))
            .collect();
        let mut out: Vec<usize> = self.exact.get(&key).cloned().unwrap_or_default();
        let from_patterns = self.patterns.iter().filter(|(_, cells)| {
            cells.iter().zip(&key).all(|(c, v)| match c {
                Cell::Exact(s) => s == v,
                Cell::Glob(p) => glob_match(p, v),
            })
        });
        let had_patterns = !self.patterns.is_empty();
        out.extend(from_patterns.map(|(i, _)| *i));
        if had_patterns {
            out.sort_unstable();
        }
        out.truncate(self.max_matches);
        out
    }
}

fn fold(s: &str, case_sensitive: bool) -> String {
    if case_sensitive {
        s.to_string()
    } else {
        s.to_lowercase()
    }
}

#[cfg(test)]
mod builtin_tests {
    #[test]
    fn builtins_load() {
        let lib = super::LookupLibrary::builtin();
        assert_eq!(lib.len(), super::BUILTIN.len());
        let t = lib
            .get("identity_lookup_expanded")
            .expect("identity")
            .table()
            .expect("table");
        assert!(t.column("identity_tag").is_some());
        // Lookups of apps security_content does not ship: empty, with their documented columns.
        for (name, cols) in [
            ("alexa_lookup_by_str", &["rank", "domain"][..]),
            (
                "interesting_ports_lookup",
                &["dest_port", "is_prohibited", "note", "transport", "app"],
            ),
            ("admon_groups_def", &["objectSid", "cn", "category"]),
            (
                "previously_seen_users_console_logins_cloudtrail",
                &["user", "firstTime", "lastTime"],
            ),
        ] {
            let t = lib.get(name).expect(name).table().expect("table");
            assert!(t.rows.is_empty(), "{name}");
            for c in cols {
                assert!(t.column(c).is_some(), "{name} has no {c}");
            }
        }
    }

    #[test]
    fn written_tables_come_before_definitions() {
        let lib = super::LookupLibrary::builtin();
        let table = |v: &str| super::LookupTable {
            columns: vec!["domain".into(), "rank".into()],
            rows: vec![vec![v.into(), "1".into()]],
        };
        // A KV store definition's table is written as COLLECTION.csv; its match rules stay.
        lib.written
            .put("alexa_lookup_by_str.csv", table("splunk.com"))
            .unwrap();
        let (def, t) = lib.open("alexa_lookup_by_str").unwrap();
        assert_eq!(def.name, "alexa_lookup_by_str");
        assert_eq!(t.rows[0][0], "splunk.com");
        // A bare file name, written only.
        assert!(lib.open("new.csv").is_err());
        lib.written.put("new.csv", table("x.org")).unwrap();
        let (def, t) = lib.clone().open("new.csv").unwrap();
        assert_eq!(
            (def.name.as_str(), t.rows[0][0].as_str()),
            ("new.csv", "x.org")
        );
        // Not a file name: never written, never read from the folder.
        assert_eq!(
            lib.written_name("../x.csv", None).as_deref(),
            Some("../x.csv")
        );
        assert!(lib.open("../x.csv").is_err());
        assert_eq!(lib.written_name("plain", None), None);
    }

    #[test]
    fn shannon_entropy_in_bits_per_character() {
        assert_eq!(super::shannon_entropy(""), 0.0);
        assert_eq!(super::shannon_entropy("aaaa"), 0.0);
        assert_eq!(super::shannon_entropy("ab"), 1.0);
        assert_eq!(super::shannon_entropy("abcd"), 2.0);
        let h = super::shannon_entropy("aab");
        assert!((h - 0.918295834054).abs() < 1e-9, "{h}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob() {
        assert!(glob_match("*anydesk*", "c:\\x\\anydesk.exe"));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(!glob_match("a*b*c", "axxbyy"));
        assert!(glob_match("*", ""));
        assert!(glob_match("abc", "abc"));
        assert!(!glob_match("abc", "abcd"));
        assert!(glob_match("*.exe", "é.exe"));
    }

    #[test]
    fn csv_edge_cases() {
        assert!(
            parse_csv(b"version https://git-lfs.github.com/spec/v1\noid sha256:x\n")
                .unwrap_err()
                .contains("LFS")
        );
        assert!(parse_csv(b"").is_err());
        let t = parse_csv(b"\xEF\xBB\xBFa,b\n1\n2,3,4\n\n\"x,y\",\xff\n").unwrap();
        assert_eq!(t.columns, vec!["a", "b"]);
        assert_eq!(t.rows[0], vec!["1", ""]);
        assert_eq!(t.rows[1], vec!["2", "3"]);
        assert_eq!(t.rows[2][0], "x,y");
        assert_eq!(t.rows.len(), 3);
    }

    #[test]
    fn definitions() {
        let d = parse_definition(
            "name: x\nfilename: x.csv\nmatch_type: WILDCARD(a), WILDCARD(b)\ncase_sensitive_match: 'false'\ndefault_match: 'false'\nmin_matches: 1\nmax_matches: 1\n",
            Path::new("x.yml"),
            Path::new("/l"),
        )
        .unwrap();
        assert_eq!(d.wildcard_fields, vec!["a", "b"]);
        assert!(!d.case_sensitive);
        assert_eq!(d.default_match.as_deref(), Some("false"));
        assert_eq!((d.min_matches, d.max_matches), (1, 1));
        assert_eq!(d.source, LookupSource::Csv(PathBuf::from("/l/x.csv")));
        let kv = parse_definition(
            "name: k\ncollection: k\nfields_list: _key, a,b",
            Path::new("k.yml"),
            Path::new("/l"),
        )
        .unwrap();
        assert!(kv.case_sensitive);
        assert_eq!(kv.table().unwrap().columns, vec!["_key", "a", "b"]);
        for bad in [
            "- a",
            "name: x",
            "filename: x.csv",
            "name: x\nfilename: x.csv\nmin_matches: many",
            "name: x\nfilename: x.csv\nmatch_type: FUZZY(a)",
            "name: x\nfilename: ../x.csv",
            ":\n  - [",
        ] {
            assert!(
                parse_definition(bad, Path::new("b.yml"), Path::new("/l")).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn fixture_folder_loads_with_rejections_and_later_folders_override() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lookups");
        let lib = LookupLibrary::with_dirs(std::slice::from_ref(&fixtures)).unwrap();
        assert_eq!(lib.rejected.len(), 1, "{:?}", lib.rejected);
        assert!(lib.rejected[0].file.ends_with("broken.yml"));
        // By name, by a definition's file name, by a bare CSV's name.
        assert!(lib.get("files_cs").is_some());
        assert!(lib.get("domains.csv").is_some());
        assert!(lib.get("legit_domains.csv").is_some());
        assert!(lib.get("nope").is_none());
        let e = lib.resolve("file_cs").unwrap_err();
        assert!(e.notes.iter().any(|n| n.contains("`files_cs`")), "{e}");
        // Tables are read once and shared by clones.
        let a = lib.get("domains").unwrap().table().unwrap();
        let b = lib.clone().get("domains").unwrap().table().unwrap();
        assert!(Arc::ptr_eq(&a, &b));

        let tmp = std::env::temp_dir().join(format!("spelunk-lookups-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).unwrap();
        std::fs::write(
            tmp.join("domains.yml"),
            "name: domains\nfilename: other.csv\ncase_sensitive_match: 'false'\n",
        )
        .unwrap();
        std::fs::write(tmp.join("other.csv"), "domain\nother.org\n").unwrap();
        let lib = LookupLibrary::with_dirs(&[fixtures, tmp.clone()]).unwrap();
        let d = lib.get("domains").unwrap();
        assert!(!d.case_sensitive);
        assert_eq!(d.table().unwrap().rows, vec![vec!["other.org".to_string()]]);
        let _ = std::fs::remove_dir_all(&tmp);
    }

    #[test]
    fn index_exact_wildcard_and_order() {
        let def = parse_definition(
            "name: t\nfilename: t.csv\nmatch_type: WILDCARD(k)\ncase_sensitive_match: 'false'",
            Path::new("t.yml"),
            Path::new("/l"),
        )
        .unwrap();
        let table = LookupTable {
            columns: vec!["k".into(), "v".into()],
            rows: vec![
                vec!["*.EXE".into(), "any".into()],
                vec!["cmd.exe".into(), "cmd".into()],
                vec!["zzz".into(), "z".into()],
            ],
        };
        let idx = LookupIndex::build(&def, &table, &["k".into()]).unwrap();
        assert_eq!(idx.matches(&["CMD.EXE"]), vec![0, 1]);
        assert_eq!(idx.matches(&["ZZZ"]), vec![2]);
        assert!(idx.matches(&["nope"]).is_empty());
        assert!(LookupIndex::build(&def, &table, &["missing".into()]).is_err());
    }
}

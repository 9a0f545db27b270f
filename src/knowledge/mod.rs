//! Knowledge layer: what Splunk's add-ons and the CIM app add to events at search time, kept as
//! data files rather than code (the project's top-level `knowledge/` folder):
//!
//! - `mappings/*.yml`: per-sourcetype field mappings to CIM names (Splunk's `FIELDALIAS`/`EVAL`
//!   in `props.conf`), each rule applying where a search expression matches;
//! - `datamodels/*.yml`: data model datasets (constraints, fields, calculated fields);
//! - `eventtypes.conf` and `tags.conf`, in Splunk's own format;
//! - `segmenters.conf`: the breakers that split event text into the terms bare search terms match.
//!
//! A user's CIM app folder ([`Knowledge::add_cim_app`]) replaces our data models of the same
//! name; a user's add-on folder ([`Knowledge::add_addon`]) adds event types and tags on top of
//! ours (a stanza of the same name replaces ours). Our files are compiled into the binary
//! ([`Knowledge::bundled`]); `--knowledge DIR` reads a folder of the same layout instead.

pub mod conf;
pub mod datamodel;
pub mod eventtype_search;
pub mod segmenters;

use crate::ingest::TimeRule;
use datamodel::{DataModel, Dataset};
use eventtype_search::{Expr, FieldSource};
use serde::Deserialize;
use std::path::Path;

/// An event with its default fields filled, as the knowledge layer and the store see it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IndexedEvent {
    /// `_time`, epoch seconds.
    pub time: f64,
    /// `_raw`.
    pub raw: String,
    /// `host`.
    pub host: String,
    /// `source`.
    pub source: String,
    /// `sourcetype`.
    pub sourcetype: String,
    /// `index`.
    pub index: String,
    /// Extracted and calculated fields; repeated names are multivalue.
    pub fields: Vec<(String, String)>,
    /// `eventtype` (multivalue).
    pub eventtype: Vec<String>,
    /// `tag` (multivalue).
    pub tag: Vec<String>,
}

impl FieldSource for IndexedEvent {
    fn any_value(&self, name: &str, f: &mut dyn FnMut(&str) -> bool) -> bool {
        match name {
            "_raw" => f(&self.raw),
            "host" => f(&self.host),
            "source" => f(&self.source),
            "sourcetype" => f(&self.sourcetype),
            "index" => f(&self.index),
            "eventtype" => self.eventtype.iter().any(|v| f(v)),
            "tag" => self.tag.iter().any(|v| f(v)),
            "_time" => f(&self.time.to_string()),
            _ => self
                .fields
                .iter()
                .filter(|(k, _)| k == name)
                .any(|(_, v)| f(v)),
        }
    }
}

impl IndexedEvent {
    /// An event of index `main` (host `h`, source `s`, sourcetype `st`, time 0, no `_raw`) with
    /// these extracted fields, for tests.
    #[cfg(test)]
    pub(crate) fn with_fields(fields: &[(&str, &str)]) -> IndexedEvent {
        IndexedEvent {
            time: 0.0,
            raw: String::new(),
            host: "h".into(),
            source: "s".into(),
            sourcetype: "st".into(),
            index: "main".into(),
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            eventtype: Vec::new(),
            tag: Vec::new(),
        }
    }

    /// First value of a field (default fields included).
    pub fn first(&self, name: &str) -> Option<String> {
        let mut out = None;
        self.any_value(name, &mut |v| {
            out = Some(v.to_string());
            true
        });
        out
    }

    /// Replaces field `name` by `values` (empty values are dropped); `idx` is kept in step.
    fn set(&mut self, idx: &mut FieldIndex, name: &str, values: Vec<String>) {
        // Most targets are new names: check before rebuilding the list.
        if idx.first(self, name).is_some() {
            self.fields.retain(|(k, _)| k != name);
            idx.rebuild(&self.fields);
        }
        for v in values {
            if !v.is_empty() {
                self.fields.push((name.to_string(), v));
                idx.add(&self.fields, self.fields.len() - 1);
            }
        }
    }
}

/// An event's extracted fields by name: the mappings look fields up by name dozens of times
/// per event, and a scan of the event's 40 to 70 fields for each was a tenth of replay time.
struct FieldIndex {
    /// Position of the first field of each name.
    table: hashbrown::HashTable<u32>,
    /// Some name occurs twice (a multivalue field): lookups scan the fields instead.
    dups: bool,
}

impl FieldIndex {
    fn hash(name: &str) -> u64 {
        use std::hash::BuildHasher;
        rustc_hash::FxBuildHasher.hash_one(name)
    }

    fn new(fields: &[(String, String)]) -> FieldIndex {
        let mut idx = FieldIndex {
            table: hashbrown::HashTable::with_capacity(fields.len() + 32),
            dups: false,
        };
        idx.rebuild(fields);
        idx
    }

    /// Indexes `fields` afresh, keeping the table's memory.
    fn rebuild(&mut self, fields: &[(String, String)]) {
        self.table.clear();
        self.dups = false;
        for i in 0..fields.len() {
            self.add(fields, i);
        }
    }

    /// Notes field `i` of `fields` (just added to the event).
    fn add(&mut self, fields: &[(String, String)], i: usize) {
        let Some((name, _)) = fields.get(i) else {
            return;
        };
        let h = Self::hash(name);
        let same = |&j: &u32| fields.get(j as usize).is_some_and(|(k, _)| k == name);
        if self.table.find(h, same).is_some() {
            self.dups = true;
        } else {
            self.table.insert_unique(h, i as u32, |&j| {
                Self::hash(fields.get(j as usize).map_or("", |(k, _)| k.as_str()))
            });
        }
    }

    /// Position of the first extracted field `name`.
    fn first(&self, ev: &IndexedEvent, name: &str) -> Option<usize> {
        let same = |&j: &u32| ev.fields.get(j as usize).is_some_and(|(k, _)| k == name);
        self.table.find(Self::hash(name), same).map(|&j| j as usize)
    }

    /// Every value of field `name` (default fields included), as [`all_values`].
    fn values(&self, ev: &IndexedEvent, name: &str) -> Vec<String> {
        if self.dups || is_default_field(name) {
            return all_values(ev, name);
        }
        self.first(ev, name)
            .and_then(|i| ev.fields.get(i))
            .map(|(_, v)| vec![v.clone()])
            .unwrap_or_default()
    }
}

/// Fields an event holds outside its extracted fields (Splunk's default fields that every
/// event has): [`IndexedEvent::any_value`] answers them from the event's own members. In this
/// order, they are the first columns of the store's events table.
pub const DEFAULT_FIELDS: [&str; 8] = [
    "_time",
    "_raw",
    "host",
    "source",
    "sourcetype",
    "index",
    "eventtype",
    "tag",
];

/// Whether `name` is one of [`DEFAULT_FIELDS`] (a match: it runs for every field of every
/// replayed event).
pub fn is_default_field(name: &str) -> bool {
    matches!(
        name,
        "_raw" | "host" | "source" | "sourcetype" | "index" | "eventtype" | "tag" | "_time"
    )
}

/// How a mapped field gets its value.
#[derive(Debug, Clone)]
pub enum MapOp {
    /// Copy of another field (`FIELDALIAS`).
    Copy(String),
    /// The file name part of a Windows or Unix path.
    Basename(String),
    /// A constant.
    Value(String),
    /// Lower-cased copy.
    Lower(String),
    /// First non-empty of several fields, else the default (when given).
    Coalesce(Vec<String>, Option<String>),
    /// Regex replacement on a field (`replace(field, regex, with)`).
    Replace {
        /// Source field.
        field: String,
        /// Pattern.
        regex: regex::Regex,
        /// Replacement (`$1` refers to groups).
        with: String,
    },
    /// Regex extraction from a field (a `REPORT` transform with `SOURCE_KEY`): the first
    /// capture group (the whole match when the pattern has none); no value when it does not match.
    Extract {
        /// Source field (`SOURCE_KEY`).
        field: String,
        /// Pattern.
        regex: regex::Regex,
    },
    /// The value of a Name/Value list named `name` (`{field: List{}.Value, at: List{}.Name,
    /// name: N}`): the values of `field` at the positions where `at` equals `name`, as add-ons
    /// turn `[{"Name": N, "Value": V}]` arrays into a field `N`.
    Pick {
        /// The values (`List{}.Value`).
        field: String,
        /// The names, in step with the values (`List{}.Name`).
        at: String,
        /// The name wanted.
        name: String,
    },
    /// Automatic lookup (`LOOKUP-x = table key OUTPUTNEW output`): the `output` column of the
    /// row of a `lookups/<table>.csv` file whose first column equals the field `key`.
    Lookup {
        /// Lookup table name (file name without `.csv`).
        table: String,
        /// Field whose value is looked up in the table's first column.
        key: String,
        /// Column returned.
        output: String,
    },
}

/// A mapping rule: where `when` matches, set each field.
#[derive(Debug, Clone)]
pub struct MappingRule {
    /// Rule name, for messages.
    pub name: String,
    /// Which events (search expression).
    pub when: Expr,
    /// Fields set, in order (later ones see earlier ones).
    pub set: Vec<(String, MapOp)>,
}

/// Mapping rules of one sourcetype (lower case; `*` for every sourcetype).
#[derive(Debug, Clone)]
pub struct MappingSet {
    /// Sourcetype, lower case; a trailing `*` matches any rest (`gws:reports:*`).
    pub sourcetype: String,
    /// Timestamp settings of the sourcetype (`timestamp:`), if any.
    pub timestamp: Option<TimeRule>,
    /// Rules in order.
    pub rules: Vec<MappingRule>,
}

impl MappingSet {
    /// Whether the set applies to sourcetype `st` (lower case).
    pub fn applies(&self, st: &str) -> bool {
        match self.sourcetype.strip_suffix('*') {
            Some(p) => st.starts_with(p),
            None => self.sourcetype == st,
        }
    }
}

#[derive(Deserialize)]
struct YamlMapping {
    sourcetype: String,
    #[serde(default)]
    timestamp: Option<YamlTimestamp>,
    #[serde(default)]
    rules: Vec<YamlRule>,
}

/// `timestamp:` of a mapping file: the fields holding the event time (Splunk's
/// `TIMESTAMP_FIELDS`) and/or the pattern the time follows in `_raw` (`TIME_PREFIX`).
#[derive(Deserialize)]
struct YamlTimestamp {
    #[serde(default)]
    fields: Vec<String>,
    #[serde(default)]
    prefix: Option<String>,
}

#[derive(Deserialize)]
struct YamlRule {
    name: String,
    #[serde(default)]
    when: String,
    fields: serde_norway::Mapping,
}

fn parse_mapping(text: &str) -> Result<MappingSet, String> {
    let m: YamlMapping = serde_norway::from_str(text).map_err(|e| e.to_string())?;
    let mut rules = Vec::new();
    for r in m.rules {
        let when = eventtype_search::parse(&r.when).map_err(|e| format!("rule {}: {e}", r.name))?;
        let mut set = Vec::new();
        for (k, v) in &r.fields {
            let Some(k) = k.as_str() else { continue };
            let s = |key: &str| v.get(key).and_then(|x| x.as_str()).map(str::to_string);
            let op = if let Some(src) = v.as_str() {
                MapOp::Copy(src.to_string())
            } else if let Some(src) = s("basename") {
                MapOp::Basename(src)
            } else if let Some(c) = s("value") {
                MapOp::Value(c)
            } else if let Some(src) = s("lower") {
                MapOp::Lower(src)
            } else if let Some(list) = v.get("coalesce").and_then(|x| x.as_sequence()) {
                MapOp::Coalesce(
                    list.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect(),
                    s("default"),
                )
            } else if let (Some(field), Some(at), Some(name)) = (s("field"), s("at"), s("name")) {
                MapOp::Pick { field, at, name }
            } else if let (Some(field), Some(re)) = (s("field"), s("extract")) {
                let regex =
                    regex::Regex::new(&re).map_err(|e| format!("rule {}: {k}: {e}", r.name))?;
                MapOp::Extract { field, regex }
            } else if let (Some(table), Some(key)) = (s("lookup"), s("key")) {
                let output = s("output")
                    .ok_or_else(|| format!("rule {}: field {k}: lookup without output", r.name))?;
                MapOp::Lookup { table, key, output }
            } else if let (Some(field), Some(re)) = (s("field"), s("regex")) {
                let regex =
                    regex::Regex::new(&re).map_err(|e| format!("rule {}: {k}: {e}", r.name))?;
                MapOp::Replace {
                    field,
                    regex,
                    with: s("with").unwrap_or_default(),
                }
            } else {
                return Err(format!("rule {}: field {k}: unknown operation", r.name));
            };
            set.push((k.to_string(), op));
        }
        rules.push(MappingRule {
            name: r.name,
            when,
            set,
        });
    }
    let sourcetype = m.sourcetype.to_ascii_lowercase();
    let timestamp = match m.timestamp {
        Some(t) => Some(TimeRule {
            sourcetype: sourcetype.clone(),
            fields: t.fields,
            prefix: t
                .prefix
                .map(|p| regex::Regex::new(&p).map_err(|e| format!("timestamp prefix: {e}")))
                .transpose()?,
        }),
        None => None,
    };
    Ok(MappingSet {
        sourcetype,
        timestamp,
        rules,
    })
}

fn basename(p: &str) -> &str {
    p.rsplit(['\\', '/']).next().unwrap_or(p)
}

/// A lookup table (`lookups/<name>.csv`): a header row, then rows keyed by their first column.
#[derive(Debug, Clone, Default)]
pub struct LookupTable {
    /// Table name (file name without `.csv`).
    pub name: String,
    /// Column names, from the header row.
    pub columns: Vec<String>,
    /// Rows by the value of their first column (the first row of a repeated key wins).
    pub rows: std::collections::HashMap<String, Vec<String>>,
}

impl LookupTable {
    /// Parses CSV text (comma-separated, `"` quoting with `""` for a quote, header row first).
    pub fn from_csv(name: &str, text: &str) -> Result<LookupTable, String> {
        let mut records = parse_csv(text).into_iter();
        let columns = records
            .next()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| "no header row".to_string())?;
        let mut rows = std::collections::HashMap::new();
        for r in records {
            if let Some(key) = r.first() {
                rows.entry(key.clone()).or_insert(r);
            }
        }
        Ok(LookupTable {
            name: name.to_string(),
            columns,
            rows,
        })
    }

    /// The `output` column of the row whose first column is `key`.
    pub fn get(&self, key: &str, output: &str) -> Option<&str> {
        let i = self.columns.iter().position(|c| c == output)?;
        self.rows
            .get(key)
            .and_then(|r| r.get(i))
            .map(String::as_str)
    }
}

/// Splits CSV text into records; blank lines are skipped.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rec: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut in_q = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (in_q, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            (true, '"') => in_q = false,
            (true, c) => cur.push(c),
            (false, '"') => in_q = true,
            (false, ',') => rec.push(std::mem::take(&mut cur)),
            (false, '\r') => {}
            (false, '\n') => {
                rec.push(std::mem::take(&mut cur));
                if !(rec.len() == 1 && rec[0].is_empty()) {
                    out.push(std::mem::take(&mut rec));
                }
                rec.clear();
            }
            (false, c) => cur.push(c),
        }
    }
    if !cur.is_empty() || !rec.is_empty() {
        rec.push(cur);
        out.push(rec);
    }
    out
}

/// One `tags.conf` stanza: `(field, value)` and its tags with enabled/disabled.
pub type TagStanza = ((String, String), Vec<(String, bool)>);

/// Event types, tags, field mappings and data models.
#[derive(Debug, Clone, Default)]
pub struct Knowledge {
    /// Event types: name, search text, parsed search.
    pub eventtypes: Vec<(String, String, Expr)>,
    /// `tags.conf`: (field, value) → tags with enabled/disabled, later settings win.
    pub tags: Vec<TagStanza>,
    /// Field mappings per sourcetype.
    pub mappings: Vec<MappingSet>,
    /// Lookup tables used by automatic lookups in the mappings.
    pub lookups: Vec<LookupTable>,
    /// Data models.
    pub models: Vec<DataModel>,
    /// Datasets of every model, inheritance applied.
    pub datasets: Vec<Dataset>,
    /// Things loaded but not fully understood (unsupported calculations, bad stanzas).
    pub warnings: Vec<String>,
}

/// The project's `knowledge/` folder, compiled in.
const BUNDLED: &[(&str, &str)] = &[
    (
        "eventtypes.conf",
        include_str!("../../knowledge/eventtypes.conf"),
    ),
    ("tags.conf", include_str!("../../knowledge/tags.conf")),
    (
        "mappings/xmlwineventlog.yml",
        include_str!("../../knowledge/mappings/xmlwineventlog.yml"),
    ),
    (
        "mappings/aws_cloudtrail.yml",
        include_str!("../../knowledge/mappings/aws_cloudtrail.yml"),
    ),
    (
        "mappings/kubernetes_audit.yml",
        include_str!("../../knowledge/mappings/kubernetes_audit.yml"),
    ),
    (
        "mappings/linux_audit.yml",
        include_str!("../../knowledge/mappings/linux_audit.yml"),
    ),
    (
        "mappings/o365_management_activity.yml",
        include_str!("../../knowledge/mappings/o365_management_activity.yml"),
    ),
    (
        "mappings/azure_monitor_aad.yml",
        include_str!("../../knowledge/mappings/azure_monitor_aad.yml"),
    ),
    (
        "mappings/oktaim2_log.yml",
        include_str!("../../knowledge/mappings/oktaim2_log.yml"),
    ),
    (
        "mappings/gws_reports.yml",
        include_str!("../../knowledge/mappings/gws_reports.yml"),
    ),
    (
        "mappings/github.yml",
        include_str!("../../knowledge/mappings/github.yml"),
    ),
    (
        "eventtypes/aws_cloudtrail.conf",
        include_str!("../../knowledge/eventtypes/aws_cloudtrail.conf"),
    ),
    (
        "tags/aws_cloudtrail.conf",
        include_str!("../../knowledge/tags/aws_cloudtrail.conf"),
    ),
    (
        "eventtypes/saas_identity.conf",
        include_str!("../../knowledge/eventtypes/saas_identity.conf"),
    ),
    (
        "tags/saas_identity.conf",
        include_str!("../../knowledge/tags/saas_identity.conf"),
    ),
    (
        "eventtypes/linux_audit.conf",
        include_str!("../../knowledge/eventtypes/linux_audit.conf"),
    ),
    (
        "tags/linux_audit.conf",
        include_str!("../../knowledge/tags/linux_audit.conf"),
    ),
    (
        "datamodels/Authentication.yml",
        include_str!("../../knowledge/datamodels/Authentication.yml"),
    ),
    (
        "lookups/windows_signatures.csv",
        include_str!("../../knowledge/lookups/windows_signatures.csv"),
    ),
    (
        "datamodels/Change.yml",
        include_str!("../../knowledge/datamodels/Change.yml"),
    ),
    (
        "datamodels/Endpoint.yml",
        include_str!("../../knowledge/datamodels/Endpoint.yml"),
    ),
    (
        "datamodels/Network_Traffic.yml",
        include_str!("../../knowledge/datamodels/Network_Traffic.yml"),
    ),
    (
        "datamodels/Network_Resolution.yml",
        include_str!("../../knowledge/datamodels/Network_Resolution.yml"),
    ),
];

/// The timestamp settings of spelunk's own knowledge (parsed once).
pub fn bundled_time_rules() -> &'static [TimeRule] {
    static RULES: std::sync::OnceLock<Vec<TimeRule>> = std::sync::OnceLock::new();
    RULES.get_or_init(|| {
        BUNDLED
            .iter()
            .filter(|(name, _)| name.starts_with("mappings/"))
            .filter_map(|(_, text)| parse_mapping(text).ok()?.timestamp)
            .collect()
    })
}

impl Knowledge {
    /// The timestamp settings of the loaded mappings, one per sourcetype that has them.
    pub fn time_rules(&self) -> Vec<TimeRule> {
        self.mappings
            .iter()
            .filter_map(|m| m.timestamp.clone())
            .collect()
    }

    /// The project's own definitions (the `knowledge/` folder, compiled into the binary).
    pub fn bundled() -> Result<Knowledge, String> {
        let mut k = Knowledge::default();
        for (name, text) in BUNDLED {
            k.add_file(name, text)
                .map_err(|e| format!("knowledge/{name}: {e}"))?;
        }
        k.resolve()?;
        Ok(k)
    }

    /// Reads a folder with our layout (`eventtypes.conf`, `tags.conf`, `mappings/*.yml`,
    /// `datamodels/*.yml`).
    pub fn load_dir(dir: &Path) -> Result<Knowledge, String> {
        if !dir.is_dir() {
            return Err(format!("{}: not a folder", dir.display()));
        }
        let mut k = Knowledge::default();
        for entry in walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
        {
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            let rel = rel.to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(entry.path()).map_err(|e| format!("{rel}: {e}"))?;
            k.add_file(&rel, &text)
                .map_err(|e| format!("{}: {e}", entry.path().display()))?;
        }
        k.resolve()?;
        Ok(k)
    }

    fn add_file(&mut self, rel: &str, text: &str) -> Result<(), String> {
        let is_yaml = rel.ends_with(".yml") || rel.ends_with(".yaml");
        let in_dir = |d: &str| rel.starts_with(d) && rel.ends_with(".conf");
        if rel.ends_with("eventtypes.conf") || in_dir("eventtypes/") {
            self.add_eventtypes(text);
        } else if rel.ends_with("tags.conf") || in_dir("tags/") {
            self.add_tags(text);
        } else if rel.starts_with("mappings/") && is_yaml {
            let m = parse_mapping(text)?;
            self.mappings.push(m);
        } else if rel.starts_with("lookups/") && rel.ends_with(".csv") {
            let name = rel
                .trim_start_matches("lookups/")
                .trim_end_matches(".csv")
                .to_string();
            let t = LookupTable::from_csv(&name, text)?;
            self.lookups.retain(|x| x.name != name);
            self.lookups.push(t);
        } else if rel.starts_with("datamodels/") && is_yaml {
            let m = datamodel::from_yaml(text)?;
            self.models.retain(|x| x.name != m.name);
            self.models.push(m);
        }
        Ok(())
    }

    fn add_eventtypes(&mut self, text: &str) {
        for st in conf::parse(text) {
            let Some(search) = st.get("search") else {
                continue;
            };
            if st
                .get("disabled")
                .is_some_and(|d| d == "1" || d.eq_ignore_ascii_case("true"))
            {
                self.eventtypes.retain(|(n, _, _)| n != &st.name);
                continue;
            }
            match eventtype_search::parse(search) {
                Ok(e) => {
                    self.eventtypes.retain(|(n, _, _)| n != &st.name);
                    self.eventtypes
                        .push((st.name.clone(), search.to_string(), e));
                }
                Err(e) => self.warnings.push(format!("eventtype {}: {e}", st.name)),
            }
        }
    }

    fn add_tags(&mut self, text: &str) {
        for st in conf::parse(text) {
            let Some((f, v)) = st.name.split_once('=') else {
                continue;
            };
            let key = (f.trim().to_string(), v.trim().trim_matches('"').to_string());
            let pos = match self.tags.iter().position(|(k, _)| k == &key) {
                Some(p) => p,
                None => {
                    self.tags.push((key, Vec::new()));
                    self.tags.len() - 1
                }
            };
            for (tag, state) in &st.settings {
                let enabled = state.eq_ignore_ascii_case("enabled");
                let list = &mut self.tags[pos].1;
                list.retain(|(t, _)| t != tag);
                list.push((tag.clone(), enabled));
            }
        }
    }

    fn resolve(&mut self) -> Result<(), String> {
        for set in &self.mappings {
            for rule in &set.rules {
                for (target, op) in &rule.set {
                    if let MapOp::Lookup { table, .. } = op {
                        if !self.lookups.iter().any(|t| &t.name == table) {
                            let w = format!(
                                "mapping {}: {target}: no lookup table {table} (lookups/{table}.csv)",
                                rule.name
                            );
                            if !self.warnings.contains(&w) {
                                self.warnings.push(w);
                            }
                        }
                    }
                }
            }
        }
        let mut all = Vec::new();
        for m in &self.models {
            all.extend(datamodel::resolve(m)?);
        }
        self.datasets = all;
        Ok(())
    }

    /// Loads a Splunk CIM app folder (e.g. `Splunk_SA_CIM_5.0.1`): its models replace ours of the
    /// same name. Calculations that cannot be computed are added to [`Knowledge::warnings`].
    pub fn add_cim_app(&mut self, dir: &Path) -> Result<(), String> {
        let (models, warnings) = datamodel::load_cim_app(dir)?;
        for m in models {
            self.models.retain(|x| x.name != m.name);
            self.models.push(m);
        }
        self.warnings.extend(warnings);
        self.resolve()
    }

    /// Loads a Splunk add-on folder's `eventtypes.conf` and `tags.conf` (from the folder, its
    /// `default/` and then its `local/`) on top of what is loaded.
    pub fn add_addon(&mut self, dir: &Path) -> Result<(), String> {
        if !dir.is_dir() {
            return Err(format!("{}: not a folder", dir.display()));
        }
        let mut found = false;
        for sub in [dir.to_path_buf(), dir.join("default"), dir.join("local")] {
            for (file, is_et) in [("eventtypes.conf", true), ("tags.conf", false)] {
                let p = sub.join(file);
                if let Ok(text) = std::fs::read_to_string(&p) {
                    found = true;
                    if is_et {
                        self.add_eventtypes(&text);
                    } else {
                        self.add_tags(&text);
                    }
                }
            }
        }
        if !found {
            return Err(format!(
                "{}: no eventtypes.conf or tags.conf",
                dir.display()
            ));
        }
        Ok(())
    }

    /// Adds search-time fields (mappings for the event's sourcetype), then `eventtype` and `tag`.
    pub fn apply(&self, ev: &mut IndexedEvent) {
        self.apply_recording(ev, None);
    }

    /// [`Knowledge::apply`], noting the (mapping set, rule) pairs that matched.
    fn apply_recording(&self, ev: &mut IndexedEvent, mut record: Option<&mut Vec<(usize, usize)>>) {
        let st = ev.sourcetype.to_ascii_lowercase();
        let mut idx = FieldIndex::new(&ev.fields);
        for (si, set) in self.mappings.iter().enumerate() {
            if !set.applies(&st) {
                continue;
            }
            for (ri, rule) in set.rules.iter().enumerate() {
                if !rule.when.matches(ev) {
                    continue;
                }
                if let Some(r) = record.as_deref_mut() {
                    r.push((si, ri));
                }
                self.apply_rule(ev, &mut idx, rule);
            }
        }
        let (eventtype, tag) = self.eventtypes_and_tags(ev);
        ev.eventtype = eventtype;
        ev.tag = tag;
    }

    /// Sets the fields of one mapping rule (its `when` already matched).
    fn apply_rule(&self, ev: &mut IndexedEvent, idx: &mut FieldIndex, rule: &MappingRule) {
        for (target, op) in &rule.set {
            let all_values = |ev: &IndexedEvent, name: &str| idx.values(ev, name);
            let values: Vec<String> = match op {
                MapOp::Copy(src) => all_values(ev, src),
                MapOp::Basename(src) => all_values(ev, src)
                    .iter()
                    .map(|v| basename(v).to_string())
                    .collect(),
                MapOp::Value(c) => vec![c.clone()],
                MapOp::Lower(src) => all_values(ev, src)
                    .iter()
                    .map(|v| v.to_lowercase())
                    .collect(),
                MapOp::Coalesce(list, default) => list
                    .iter()
                    .map(|f| all_values(ev, f))
                    .find(|v| v.iter().any(|x| !x.is_empty()))
                    .or_else(|| default.as_ref().map(|d| vec![d.clone()]))
                    .unwrap_or_default(),
                MapOp::Replace { field, regex, with } => all_values(ev, field)
                    .iter()
                    .map(|v| regex.replace_all(v, with.as_str()).into_owned())
                    .collect(),
                MapOp::Extract { field, regex } => all_values(ev, field)
                    .iter()
                    .filter_map(|v| {
                        let c = regex.captures(v)?;
                        c.get(1)
                            .or_else(|| c.get(0))
                            .map(|m| m.as_str().to_string())
                    })
                    .collect(),
                MapOp::Pick { field, at, name } => {
                    let names = all_values(ev, at);
                    all_values(ev, field)
                        .into_iter()
                        .zip(names)
                        .filter(|(_, n)| n == name)
                        .map(|(v, _)| v)
                        .collect()
                }
                MapOp::Lookup { table, key, output } => {
                    match self.lookups.iter().find(|t| &t.name == table) {
                        Some(t) => all_values(ev, key)
                            .iter()
                            .filter_map(|v| t.get(v, output).map(str::to_string))
                            .collect(),
                        None => Vec::new(),
                    }
                }
            };
            if !values.is_empty() {
                ev.set(idx, target, values);
            }
        }
    }

    /// The event types an event matches and the tags they (and its fields) give, sorted.
    fn eventtypes_and_tags(&self, ev: &IndexedEvent) -> (Vec<String>, Vec<String>) {
        let mut ets: Vec<String> = self
            .eventtypes
            .iter()
            .filter(|(_, _, e)| e.matches(ev))
            .map(|(n, _, _)| n.clone())
            .collect();
        ets.sort();
        ets.dedup();
        let mut tags: Vec<String> = Vec::new();
        for ((f, v), list) in &self.tags {
            let hit = if f == "eventtype" {
                ets.iter().any(|e| e == v)
            } else {
                ev.any_value(f, &mut |x| eventtype_search::wildcard_match(v, x))
            };
            if hit {
                tags.extend(list.iter().filter(|(_, on)| *on).map(|(t, _)| t.clone()));
            }
        }
        tags.sort();
        tags.dedup();
        (ets, tags)
    }

    /// The fields whose values decide everything the searches of this knowledge decide for an
    /// event (which mapping rules apply, event types, tags, data model datasets): the fields the
    /// searches read, and, through the mappings that set them, the fields those are computed
    /// from. None when a search reads `_raw` or `_time` (every event is then its own case).
    fn deciding_fields(&self) -> Option<Vec<String>> {
        let mut keys: Vec<String> = vec!["sourcetype".into()];
        for set in &self.mappings {
            for rule in &set.rules {
                rule.when.fields_read(&mut keys);
            }
        }
        for (_, _, e) in &self.eventtypes {
            e.fields_read(&mut keys);
        }
        for ((f, _), _) in &self.tags {
            if !keys.contains(f) {
                keys.push(f.clone());
            }
        }
        for ds in &self.datasets {
            for c in &ds.constraints {
                c.fields_read(&mut keys);
            }
        }
        loop {
            let before = keys.len();
            for set in &self.mappings {
                for rule in &set.rules {
                    for (target, op) in &rule.set {
                        if !keys.contains(target) {
                            continue;
                        }
                        for src in op.sources() {
                            if !keys.iter().any(|k| k == src) {
                                keys.push(src.to_string());
                            }
                        }
                    }
                }
            }
            if keys.len() == before {
                break;
            }
        }
        // Event types and tags are what is decided, not what decides.
        keys.retain(|k| k != "eventtype" && k != "tag");
        if keys.iter().any(|k| k == "_raw" || k == "_time") {
            return None;
        }
        Some(keys)
    }
}

impl MapOp {
    /// The fields the operation reads.
    pub fn sources(&self) -> Vec<&str> {
        match self {
            MapOp::Copy(s) | MapOp::Basename(s) | MapOp::Lower(s) => vec![s.as_str()],
            MapOp::Value(_) => Vec::new(),
            MapOp::Coalesce(list, _) => list.iter().map(String::as_str).collect(),
            MapOp::Replace { field, .. } | MapOp::Extract { field, .. } => vec![field.as_str()],
            MapOp::Lookup { key, .. } => vec![key.as_str()],
            MapOp::Pick { field, at, .. } => vec![field.as_str(), at.as_str()],
        }
    }
}

/// What the knowledge layer decided for one kind of event.
#[derive(Debug, Clone, Default)]
pub struct Decision {
    /// Mapping rules that apply, as (mapping set, rule) indexes, in order.
    pub rules: Vec<(usize, usize)>,
    /// `eventtype` values.
    pub eventtype: Vec<String>,
    /// `tag` values.
    pub tag: Vec<String>,
    /// Indexes into [`Knowledge::datasets`] of the datasets whose constraints the event meets.
    pub datasets: Vec<usize>,
}

/// Most kinds of events remembered by an [`Applier`] (beyond it, new kinds are evaluated each time).
const MAX_DECISIONS: usize = 1 << 16;

/// Applies [`Knowledge`] to a stream of events as [`Knowledge::apply`] does, remembering each
/// decision by the values of the deciding fields (`Channel`, `EventCode`, ...), so events of a
/// kind already seen skip the evaluation of rule conditions, event types, tags and data model
/// constraints. The results are the same as [`Knowledge::apply`] and
/// [`datamodel::Dataset::selects`] give.
pub struct Applier<'k> {
    k: &'k Knowledge,
    keys: Option<Vec<String>>,
    cache: std::collections::HashMap<String, usize>,
    decisions: Vec<Decision>,
    buf: String,
    scratch: Decision,
    /// The current event's fields by name (its memory is kept from event to event).
    index: FieldIndex,
}

impl<'k> Applier<'k> {
    /// An applier for this knowledge.
    pub fn new(k: &'k Knowledge) -> Applier<'k> {
        Applier {
            k,
            keys: k.deciding_fields(),
            cache: std::collections::HashMap::new(),
            decisions: Vec::new(),
            buf: String::new(),
            scratch: Decision::default(),
            index: FieldIndex::new(&[]),
        }
    }

    /// Applies the knowledge to the event; returns the decision (with the selected datasets).
    pub fn apply(&mut self, ev: &mut IndexedEvent) -> &Decision {
        let Some(keys) = &self.keys else {
            self.scratch = Self::decide(self.k, ev);
            return &self.scratch;
        };
        self.buf.clear();
        for k in keys {
            let buf = &mut self.buf;
            ev.any_value(k, &mut |v| {
                buf.push_str(v);
                buf.push('\x1f');
                false
            });
            self.buf.push('\x1e');
        }
        let idx = match self.cache.get(self.buf.as_str()) {
            Some(&i) => {
                if let Some(d) = self.decisions.get(i) {
                    let idx = &mut self.index;
                    idx.rebuild(&ev.fields);
                    for &(si, ri) in &d.rules {
                        if let Some(rule) = self.k.mappings.get(si).and_then(|s| s.rules.get(ri)) {
                            self.k.apply_rule(ev, idx, rule);
                        }
                    }
                    ev.eventtype.clone_from(&d.eventtype);
                    ev.tag.clone_from(&d.tag);
                }
                Some(i)
            }
            None => {
                let d = Self::decide(self.k, ev);
                if self.decisions.len() < MAX_DECISIONS {
                    self.cache.insert(self.buf.clone(), self.decisions.len());
                    self.decisions.push(d);
                    Some(self.decisions.len() - 1)
                } else {
                    self.scratch = d;
                    None
                }
            }
        };
        match idx.and_then(|i| self.decisions.get(i)) {
            Some(d) => d,
            None => &self.scratch,
        }
    }

    fn decide(k: &Knowledge, ev: &mut IndexedEvent) -> Decision {
        let mut rules = Vec::new();
        k.apply_recording(ev, Some(&mut rules));
        let datasets = k
            .datasets
            .iter()
            .enumerate()
            .filter(|(_, ds)| ds.selects(ev))
            .map(|(i, _)| i)
            .collect();
        Decision {
            rules,
            eventtype: ev.eventtype.clone(),
            tag: ev.tag.clone(),
            datasets,
        }
    }
}

fn all_values(ev: &IndexedEvent, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    ev.any_value(name, &mut |v| {
        out.push(v.to_string());
        false
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn knowledge(mapping: &str) -> Knowledge {
        let mut k = Knowledge::default();
        k.add_file("mappings/test.yml", mapping).unwrap();
        k.resolve().unwrap();
        k
    }

    fn event(fields: &[(&str, &str)]) -> IndexedEvent {
        IndexedEvent::with_fields(fields)
    }

    fn values(ev: &IndexedEvent, name: &str) -> Vec<String> {
        all_values(ev, name)
    }

    const MAPPING: &str = r#"
sourcetype: st
rules:
  - name: r1
    when: 'EventCode=1'
    fields:
      user: User
      ip: Addr
      dest: host
      image: {basename: Image}
      Image: {lower: Image}
  - name: r2
    when: 'EventCode=1'
    fields:
      image_again: image
"#;

    #[test]
    fn mappings_copy_multivalue_fields_replace_existing_ones_and_see_earlier_results() {
        let k = knowledge(MAPPING);
        for applier in [false, true] {
            let mut ev = event(&[
                ("EventCode", "1"),
                ("User", "bob"),
                ("Addr", "10.0.0.1"),
                ("Addr", "10.0.0.2"),
                ("Image", "C:\\Windows\\CMD.exe"),
                ("user", "old"),
            ]);
            if applier {
                let mut a = Applier::new(&k);
                // The second event of a kind takes the cached decision's path.
                let mut first = ev.clone();
                a.apply(&mut first);
                a.apply(&mut ev);
            } else {
                k.apply(&mut ev);
            }
            assert_eq!(values(&ev, "user"), ["bob"], "applier={applier}");
            assert_eq!(values(&ev, "ip"), ["10.0.0.1", "10.0.0.2"]);
            assert_eq!(values(&ev, "dest"), ["h"]);
            assert_eq!(values(&ev, "image"), ["CMD.exe"]);
            assert_eq!(values(&ev, "Image"), ["c:\\windows\\cmd.exe"]);
            assert_eq!(values(&ev, "image_again"), ["CMD.exe"]);
        }
    }

    #[test]
    fn a_field_index_finds_first_fields_and_notes_repeated_names() {
        let ev = event(&[("a", "1"), ("b", "2"), ("a", "3")]);
        let idx = FieldIndex::new(&ev.fields);
        assert!(idx.dups);
        assert_eq!(idx.first(&ev, "a"), Some(0));
        assert_eq!(idx.first(&ev, "b"), Some(1));
        assert_eq!(idx.first(&ev, "c"), None);
        assert_eq!(idx.values(&ev, "a"), ["1", "3"]);
        let ev = event(&[("a", "1"), ("b", "2")]);
        let idx = FieldIndex::new(&ev.fields);
        assert!(!idx.dups);
        assert_eq!(idx.values(&ev, "b"), ["2"]);
        assert_eq!(idx.values(&ev, "host"), ["h"]);
    }
}

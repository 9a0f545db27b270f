//! Knowledge layer: what Splunk's add-ons and the CIM app add to events at search time, kept as
//! data files rather than code (the project's top-level `knowledge/` folder):
//!
//! - `mappings/*.yml`: per-sourcetype field mappings to CIM names (Splunk's `FIELDALIAS`/`EVAL`
//!   in `props.conf`), each rule applying where a search expression matches;
//! - `datamodels/*.yml`: data model datasets (constraints, fields, calculated fields);
//! - `eventtypes.conf` and `tags.conf`, in Splunk's own format.
//!
//! A user's CIM app folder ([`Knowledge::add_cim_app`]) replaces our data models of the same
//! name; a user's add-on folder ([`Knowledge::add_addon`]) adds event types and tags on top of
//! ours (a stanza of the same name replaces ours). Our files are compiled into the binary
//! ([`Knowledge::bundled`]); `--knowledge DIR` reads a folder of the same layout instead.

pub mod conf;
pub mod datamodel;
pub mod eventtype_search;

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
    /// First value of a field (default fields included).
    pub fn first(&self, name: &str) -> Option<String> {
        let mut out = None;
        self.any_value(name, &mut |v| {
            out = Some(v.to_string());
            true
        });
        out
    }

    fn set(&mut self, name: &str, values: Vec<String>) {
        self.fields.retain(|(k, _)| k != name);
        for v in values {
            if !v.is_empty() {
                self.fields.push((name.to_string(), v));
            }
        }
    }
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
    /// First non-empty of several fields.
    Coalesce(Vec<String>),
    /// Regex replacement on a field (`replace(field, regex, with)`).
    Replace {
        /// Source field.
        field: String,
        /// Pattern.
        regex: regex::Regex,
        /// Replacement (`$1` refers to groups).
        with: String,
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
    /// Sourcetype, lower case.
    pub sourcetype: String,
    /// Rules in order.
    pub rules: Vec<MappingRule>,
}

#[derive(Deserialize)]
struct YamlMapping {
    sourcetype: String,
    rules: Vec<YamlRule>,
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
                )
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
    Ok(MappingSet {
        sourcetype: m.sourcetype.to_ascii_lowercase(),
        rules,
    })
}

fn basename(p: &str) -> &str {
    p.rsplit(['\\', '/']).next().unwrap_or(p)
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

impl Knowledge {
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
        if rel.ends_with("eventtypes.conf") {
            self.add_eventtypes(text);
        } else if rel.ends_with("tags.conf") {
            self.add_tags(text);
        } else if rel.starts_with("mappings/") && is_yaml {
            let m = parse_mapping(text)?;
            self.mappings.push(m);
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
        let st = ev.sourcetype.to_ascii_lowercase();
        for set in self
            .mappings
            .iter()
            .filter(|m| m.sourcetype == st || m.sourcetype == "*")
        {
            for rule in &set.rules {
                if !rule.when.matches(ev) {
                    continue;
                }
                for (target, op) in &rule.set {
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
                        MapOp::Coalesce(list) => list
                            .iter()
                            .map(|f| all_values(ev, f))
                            .find(|v| v.iter().any(|x| !x.is_empty()))
                            .unwrap_or_default(),
                        MapOp::Replace { field, regex, with } => all_values(ev, field)
                            .iter()
                            .map(|v| regex.replace_all(v, with.as_str()).into_owned())
                            .collect(),
                    };
                    if !values.is_empty() {
                        ev.set(target, values);
                    }
                }
            }
        }
        let mut ets: Vec<String> = self
            .eventtypes
            .iter()
            .filter(|(_, _, e)| e.matches(ev))
            .map(|(n, _, _)| n.clone())
            .collect();
        ets.sort();
        ets.dedup();
        ev.eventtype = ets;
        let mut tags: Vec<String> = Vec::new();
        for ((f, v), list) in &self.tags {
            let hit = if f == "eventtype" {
                ev.eventtype.iter().any(|e| e == v)
            } else {
                ev.any_value(f, &mut |x| eventtype_search::wildcard_match(v, x))
            };
            if hit {
                tags.extend(list.iter().filter(|(_, on)| *on).map(|(t, _)| t.clone()));
            }
        }
        tags.sort();
        tags.dedup();
        ev.tag = tags;
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

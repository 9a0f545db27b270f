//! security_content detection files: the YAML around a search.

use crate::diagnostic::Diagnostic;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The parts of a security_content detection YAML that spelunk uses.
#[derive(Debug, Clone, Deserialize)]
pub struct Detection {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub status: String,
    /// `type:` TTP, Anomaly, Hunting, Correlation, ...
    #[serde(default, rename = "type")]
    pub kind: String,
    /// The SPL, with macros unexpanded.
    #[serde(default)]
    pub search: String,
    #[serde(default)]
    pub tests: Vec<DetectionTest>,
    #[serde(default)]
    pub tags: DetectionTags,
    /// contentctl's newer risk annotations (`rba: {message, risk_objects, threat_objects}`),
    /// read leniently (see [`Detection::annotations`]).
    #[serde(default)]
    pub rba: Option<serde_norway::Value>,
    /// The file it was read from.
    #[serde(skip)]
    pub path: PathBuf,
}

/// The `tags:` a spelunk run cares about.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DetectionTags {
    /// `manual_test`: why the detection must be tested by hand. Splunk's detection CI
    /// (contentctl) skips such detections instead of requiring results.
    #[serde(default)]
    pub manual_test: Option<String>,
    /// The older annotations: `observable: [{name, type, role: [Victim|Attacker|...]}]`.
    #[serde(default)]
    pub observable: Option<serde_norway::Value>,
    /// The older risk message (`$field$` tokens name result fields).
    #[serde(default)]
    pub message: Option<serde_norway::Value>,
}

/// The result fields a detection's risk annotations name: what contentctl checks in the
/// results of a unit test (see `src/testing/mod.rs` for the rule).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Annotations {
    /// Risk objects: `rba.risk_objects[].field`, or observables with the role `Victim`.
    pub risk_objects: Vec<String>,
    /// Threat objects: `rba.threat_objects[].field`, or observables with the role `Attacker`.
    pub threat_objects: Vec<String>,
    /// The `$field$` tokens of the risk message (`rba.message` or `tags.message`).
    pub message_fields: Vec<String>,
}

/// A `tests:` entry: attack datasets the detection must fire on.
#[derive(Debug, Clone, Deserialize)]
pub struct DetectionTest {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub attack_data: Vec<AttackData>,
}

/// One dataset of a detection test.
#[derive(Debug, Clone, Deserialize)]
pub struct AttackData {
    #[serde(default)]
    pub data: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub sourcetype: String,
    /// contentctl's optional index and host for the replayed events.
    #[serde(default)]
    pub custom_index: Option<String>,
    #[serde(default)]
    pub host: Option<String>,
}

impl Detection {
    /// Read a detection YAML file.
    pub fn load(path: &Path) -> Result<Detection, Diagnostic> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Diagnostic::new(format!("cannot read {}: {e}", path.display())))?;
        let mut d: Detection = serde_norway::from_str(&text).map_err(|e| {
            Diagnostic::new(format!("invalid detection YAML {}: {e}", path.display()))
        })?;
        d.path = path.to_path_buf();
        Ok(d)
    }

    /// The fields named by the risk annotations and the message. The newer `rba:` block wins
    /// when present (as in contentctl); otherwise the older `tags.observable` roles.
    pub fn annotations(&self) -> Annotations {
        use serde_norway::Value;
        let mut a = Annotations::default();
        let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let message: Option<String>;
        if let Some(rba) = self.rba.as_ref().filter(|r| r.is_mapping()) {
            for (key, out) in [
                ("risk_objects", &mut a.risk_objects),
                ("threat_objects", &mut a.threat_objects),
            ] {
                for o in rba
                    .get(key)
                    .and_then(Value::as_sequence)
                    .into_iter()
                    .flatten()
                {
                    if let Some(f) = s(o, "field") {
                        push_unique(out, f);
                    }
                }
            }
            message = s(rba, "message");
        } else {
            let observables = self.tags.observable.as_ref().and_then(Value::as_sequence);
            for o in observables.into_iter().flatten() {
                let Some(name) = s(o, "name") else { continue };
                let roles: Vec<String> = match o.get("role") {
                    Some(Value::Sequence(l)) => l
                        .iter()
                        .filter_map(|r| r.as_str().map(str::to_string))
                        .collect(),
                    Some(Value::String(r)) => vec![r.clone()],
                    _ => Vec::new(),
                };
                if roles.iter().any(|r| r == "Victim") {
                    push_unique(&mut a.risk_objects, name.clone());
                }
                if roles.iter().any(|r| r == "Attacker") {
                    push_unique(&mut a.threat_objects, name);
                }
            }
            message = self
                .tags
                .message
                .as_ref()
                .and_then(Value::as_str)
                .map(str::to_string);
        }
        if let Some(m) = message {
            for f in message_tokens(&m) {
                push_unique(&mut a.message_fields, f);
            }
        }
        a
    }

    /// The file name without extension: the stem of its `<stem>_filter` macro.
    pub fn stem(&self) -> String {
        self.path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}

/// The `$field$` tokens of a risk message, in order (contentctl's `\$([^\s.]*)\$`).
pub fn message_tokens(message: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = message;
    while let Some(i) = rest.find('$') {
        let after = &rest[i + 1..];
        let Some(j) = after.find('$') else { break };
        let token = &after[..j];
        if !token.is_empty() && !token.contains(|c: char| c.is_whitespace() || c == '.') {
            out.push(token.to_string());
            rest = &after[j + 1..];
        } else {
            rest = after;
        }
    }
    out
}

/// The spelunk sidecar of a detection file: `<stem>.spelunk.yaml` beside it. contentctl reads
/// only `*.yml` under `detections/`, so the sidecar never reaches its schema.
pub const SIDECAR_SUFFIX: &str = ".spelunk.yaml";

/// Whether a path is a spelunk sidecar (not a detection).
pub fn is_sidecar(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(SIDECAR_SUFFIX))
}

/// The sidecar path of a detection file.
pub fn sidecar_of(detection: &Path) -> PathBuf {
    let stem = detection
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    detection.with_file_name(format!("{stem}{SIDECAR_SUFFIX}"))
}

/// The detection file a sidecar belongs to (`x.spelunk.yaml` -> `x.yml`, or `x.yaml`).
pub fn detection_of_sidecar(sidecar: &Path) -> Option<PathBuf> {
    let name = sidecar.file_name()?.to_str()?;
    let stem = name.strip_suffix(SIDECAR_SUFFIX)?;
    let yml = sidecar.with_file_name(format!("{stem}.yml"));
    if yml.is_file() {
        return Some(yml);
    }
    let yaml = sidecar.with_file_name(format!("{stem}.yaml"));
    Some(if yaml.is_file() { yaml } else { yml })
}

/// Every detection YAML under `dir` (recursively), sorted by path. A security_content checkout's
/// root is accepted too: its `detections/` folder is used.
pub fn find_detections(dir: &Path) -> Vec<PathBuf> {
    let root = if dir.join("detections").is_dir() {
        dir.join("detections")
    } else {
        dir.to_path_buf()
    };
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yml") | Some("yaml")
            ) && !is_sidecar(p)
        })
        .collect();
    files.sort();
    files
}

/// Read a search from a file: a detection YAML (its `search:`) or plain SPL text.
pub fn read_search_file(path: &Path) -> Result<String, Diagnostic> {
    if matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yml") | Some("yaml")
    ) {
        let d = Detection::load(path)?;
        if d.search.trim().is_empty() {
            return Err(Diagnostic::new(format!(
                "{} has no `search:`",
                path.display()
            )));
        }
        Ok(d.search)
    } else {
        std::fs::read_to_string(path)
            .map_err(|e| Diagnostic::new(format!("cannot read {}: {e}", path.display())))
    }
}

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
    /// The SPL, with macros unexpanded.
    #[serde(default)]
    pub search: String,
    #[serde(default)]
    pub tests: Vec<DetectionTest>,
    #[serde(default)]
    pub tags: DetectionTags,
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

    /// The file name without extension: the stem of its `<stem>_filter` macro.
    pub fn stem(&self) -> String {
        self.path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
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
            )
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

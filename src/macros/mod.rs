//! Search macros, expanded textually before parsing (splunk-semantics.md §1–2).
//!
//! Splunk keys a macro by name and arity: `` `drop_dm_object_name(Processes)` `` calls the macro
//! `drop_dm_object_name(1)`. security_content stores each macro as a YAML file with `name` (without
//! the arity), `definition` and an optional `arguments:` list; the arity is the list's length.
//! Folders load in order and later definitions replace earlier ones, so a user's checkout overrides
//! the built-ins shipped in this project's `macros/` folder.

mod expand;

pub use expand::{expand, expand_with, ExpandOptions};

use crate::diagnostic::Diagnostic;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One macro definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroDef {
    /// The name without arity, e.g. `drop_dm_object_name`.
    pub name: String,
    /// Argument names, substituted as `$name$` in the definition.
    pub args: Vec<String>,
    /// The SPL text the call is replaced by.
    pub definition: String,
    /// Where it came from (a file path, or `built-in`).
    pub origin: String,
}

impl MacroDef {
    /// Splunk's key: `name` for no arguments, `name(N)` otherwise.
    pub fn key(&self) -> String {
        macro_key(&self.name, self.args.len())
    }
}

/// Splunk's macro key for a name and an argument count.
pub fn macro_key(name: &str, arity: usize) -> String {
    if arity == 0 {
        name.to_string()
    } else {
        format!("{name}({arity})")
    }
}

#[derive(Debug, Deserialize)]
struct MacroYaml {
    name: String,
    #[serde(default)]
    definition: Option<String>,
    #[serde(default)]
    arguments: Option<Vec<String>>,
}

/// The built-in macros, shipped in `macros/` and compiled into the binary so that a user without a
/// security_content checkout has them.
const BUILTIN: &[(&str, &str)] = &[
    (
        "drop_dm_object_name.yml",
        include_str!("../../macros/drop_dm_object_name.yml"),
    ),
    (
        "security_content_summariesonly.yml",
        include_str!("../../macros/security_content_summariesonly.yml"),
    ),
    (
        "summariesonly_config.yml",
        include_str!("../../macros/summariesonly_config.yml"),
    ),
    (
        "oldsummaries_config.yml",
        include_str!("../../macros/oldsummaries_config.yml"),
    ),
    (
        "fillnull_config.yml",
        include_str!("../../macros/fillnull_config.yml"),
    ),
    (
        "security_content_ctime.yml",
        include_str!("../../macros/security_content_ctime.yml"),
    ),
    ("get_asset.yml", include_str!("../../macros/get_asset.yml")),
    (
        "cim_corporate_web_domain_search.yml",
        include_str!("../../macros/cim_corporate_web_domain_search.yml"),
    ),
];

/// A set of macro definitions, keyed by name and arity.
#[derive(Debug, Clone, Default)]
pub struct MacroLibrary {
    defs: BTreeMap<String, MacroDef>,
}

impl MacroLibrary {
    /// An empty library (no built-ins).
    pub fn empty() -> MacroLibrary {
        MacroLibrary::default()
    }

    /// The built-ins only.
    pub fn builtin() -> MacroLibrary {
        let mut lib = MacroLibrary::empty();
        for (file, text) in BUILTIN {
            // The built-ins are tested (`builtins_load`); a broken one is a build defect.
            if let Ok(def) = parse_macro_yaml(text, &format!("built-in macros/{file}")) {
                lib.insert(def);
            }
        }
        lib
    }

    /// The built-ins, then each folder in order (later folders override earlier ones).
    pub fn with_dirs(dirs: &[PathBuf]) -> Result<MacroLibrary, Diagnostic> {
        let mut lib = MacroLibrary::builtin();
        for dir in dirs {
            lib.load_dir(dir)?;
        }
        Ok(lib)
    }

    /// Add or replace a definition.
    pub fn insert(&mut self, def: MacroDef) {
        self.defs.insert(def.key(), def);
    }

    /// Load every `*.yml`/`*.yaml` file of a folder (not recursive); returns how many were loaded.
    /// A folder that is a security_content checkout (it has a `macros/` subfolder) loads that subfolder.
    pub fn load_dir(&mut self, dir: &Path) -> Result<usize, Diagnostic> {
        let dir = if dir.join("macros").is_dir() {
            dir.join("macros")
        } else {
            dir.to_path_buf()
        };
        let entries = std::fs::read_dir(&dir).map_err(|e| {
            Diagnostic::new(format!("cannot read macro folder {}: {e}", dir.display()))
        })?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| is_yaml(p))
            .collect();
        files.sort();
        let mut n = 0;
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                Diagnostic::new(format!("cannot read macro file {}: {e}", path.display()))
            })?;
            let def = parse_macro_yaml(&text, &path.display().to_string())?;
            self.insert(def);
            n += 1;
        }
        Ok(n)
    }

    /// The definition for `name` called with `arity` arguments.
    pub fn get(&self, name: &str, arity: usize) -> Option<&MacroDef> {
        self.defs.get(&macro_key(name, arity))
    }

    /// Every key (`name` or `name(N)`), sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.defs.keys().map(|k| k.as_str())
    }

    /// The arities defined for a name.
    pub fn arities(&self, name: &str) -> Vec<usize> {
        self.defs
            .values()
            .filter(|d| d.name == name)
            .map(|d| d.args.len())
            .collect()
    }

    pub fn len(&self) -> usize {
        self.defs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }
}

fn is_yaml(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("yml") | Some("yaml")
    )
}

/// Parse one security_content macro YAML document.
pub fn parse_macro_yaml(text: &str, origin: &str) -> Result<MacroDef, Diagnostic> {
    let y: MacroYaml = serde_norway::from_str(text)
        .map_err(|e| Diagnostic::new(format!("invalid macro file {origin}: {e}")))?;
    let (name, declared_arity) = split_arity(y.name.trim());
    let args = y.arguments.unwrap_or_default();
    if let Some(n) = declared_arity {
        if n != args.len() {
            return Err(Diagnostic::new(format!(
                "invalid macro file {origin}: name says {n} arguments but `arguments` lists {}",
                args.len()
            )));
        }
    }
    Ok(MacroDef {
        name: name.to_string(),
        args,
        definition: y.definition.unwrap_or_default(),
        origin: origin.to_string(),
    })
}

/// `name(2)` → (`name`, Some(2)); `name` → (`name`, None).
fn split_arity(name: &str) -> (&str, Option<usize>) {
    if let Some(open) = name.find('(') {
        if let Some(inner) = name[open + 1..].strip_suffix(')') {
            if let Ok(n) = inner.trim().parse() {
                return (&name[..open], Some(n));
            }
        }
    }
    (name, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_load() {
        let lib = MacroLibrary::builtin();
        assert_eq!(lib.len(), BUILTIN.len());
        assert!(lib.get("drop_dm_object_name", 1).is_some());
        assert!(lib.get("security_content_ctime", 1).is_some());
        assert!(lib.get("security_content_summariesonly", 0).is_some());
        assert!(lib.get("get_asset", 1).is_some());
        assert!(lib.get("cim_corporate_web_domain_search", 1).is_some());
    }

    #[test]
    fn arity_is_part_of_the_key() {
        let def = parse_macro_yaml(
            "name: m\narguments: [a, b]\ndefinition: eval x=$a$+$b$\n",
            "t",
        )
        .unwrap();
        assert_eq!(def.key(), "m(2)");
        let def = parse_macro_yaml("name: m(1)\narguments: [a]\ndefinition: x\n", "t").unwrap();
        assert_eq!(def.key(), "m(1)");
        assert!(parse_macro_yaml("name: m(2)\narguments: [a]\ndefinition: x\n", "t").is_err());
    }
}

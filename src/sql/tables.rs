//! The store's tables as SQL sees them: each table's parquet chunks and the union of their
//! columns, read from the store's `manifest.json` (the same union `Store::events` and
//! `Store::datamodel` build for polars: fixed columns first, then every chunk's columns in
//! first-seen order, multivalue when any chunk has them multivalue).

use super::{Col, Kind};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
struct Manifest {
    #[serde(default)]
    chunks: Vec<ChunkMeta>,
}

#[derive(Debug, Deserialize)]
struct ChunkMeta {
    kind: String,
    table: String,
    file: String,
    columns: Vec<(String, String)>,
}

/// One parquet file of a table.
#[derive(Debug, Clone)]
pub struct Chunk {
    /// Where the engine reads it (the store folder joined with the chunk's file).
    pub path: String,
    /// Its own columns after the fixed ones: (name, multivalue).
    pub columns: Vec<(String, bool)>,
}

/// A table: its chunks and the union of their columns.
#[derive(Debug, Clone)]
pub struct Table {
    pub chunks: Vec<Chunk>,
    pub columns: Vec<Col>,
    /// The fixed columns every chunk holds.
    pub fixed: Vec<String>,
}

/// The tables of a store.
#[derive(Debug, Default)]
pub struct Tables {
    chunks: Vec<(String, String, Chunk)>,
}

const DM_FIXED: &[&str] = &["_time", "host", "source", "sourcetype", "index"];

fn fixed_kind(name: &str) -> Kind {
    match name {
        "_time" => Kind::Float,
        "eventtype" | "tag" => Kind::Multi,
        _ => Kind::Str,
    }
}

impl Tables {
    /// Read a store folder's manifest. `root` is how the engine names the folder (a local
    /// path, or `s3a://...` for a cluster); None uses `dir` itself.
    pub fn open(dir: &Path, root: Option<&str>) -> Result<Tables, String> {
        let mpath = dir.join("manifest.json");
        let text = match std::fs::read_to_string(&mpath) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Tables::default()),
            Err(e) => return Err(format!("{}: {e}", mpath.display())),
        };
        let base = match root {
            Some(r) => r.trim_end_matches('/').to_string(),
            None => {
                let abs: PathBuf = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
                abs.to_string_lossy().to_string()
            }
        };
        Tables::parse(&text, &base).map_err(|e| format!("{}: {e}", mpath.display()))
    }

    /// A store's tables from a local copy of its `manifest.json`, the store itself being where
    /// the engine reads it (`root`: `s3a://bucket/store`, `hdfs://...`).
    pub fn from_manifest(manifest: &Path, root: &str) -> Result<Tables, String> {
        let text = std::fs::read_to_string(manifest)
            .map_err(|e| format!("{}: {e}", manifest.display()))?;
        Tables::parse(&text, root.trim_end_matches('/'))
            .map_err(|e| format!("{}: {e}", manifest.display()))
    }

    fn parse(text: &str, base: &str) -> Result<Tables, String> {
        let m: Manifest = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let chunks = m
            .chunks
            .into_iter()
            .map(|c| {
                (
                    c.kind,
                    c.table,
                    Chunk {
                        path: format!("{base}/{}", c.file),
                        columns: c
                            .columns
                            .into_iter()
                            .map(|(n, t)| (n, t == "List"))
                            .collect(),
                    },
                )
            })
            .collect();
        Ok(Tables { chunks })
    }

    fn table(&self, kind: &str, name: Option<&str>, fixed: &[&str]) -> Table {
        let chunks: Vec<Chunk> = self
            .chunks
            .iter()
            .filter(|(k, t, _)| k == kind && name.is_none_or(|n| n == t))
            .map(|(_, _, c)| c.clone())
            .collect();
        let mut columns: Vec<Col> = fixed
            .iter()
            .map(|n| Col {
                name: n.to_string(),
                kind: fixed_kind(n),
            })
            .collect();
        let nfixed = columns.len();
        for c in &chunks {
            for (n, list) in &c.columns {
                match columns[nfixed..].iter_mut().find(|x| &x.name == n) {
                    Some(x) => {
                        if *list {
                            x.kind = Kind::Multi;
                        }
                    }
                    None => columns.push(Col {
                        name: n.clone(),
                        kind: if *list { Kind::Multi } else { Kind::Str },
                    }),
                }
            }
        }
        Table {
            chunks,
            columns,
            fixed: fixed.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// The events of every index (None when the store has none).
    pub fn events(&self) -> Option<Table> {
        if !self.chunks.iter().any(|(k, _, _)| k == "events") {
            return None;
        }
        Some(self.table("events", None, &crate::knowledge::DEFAULT_FIELDS))
    }

    /// A data model dataset (a model name alone means its only root dataset).
    pub fn datamodel(&self, name: &str) -> Option<Table> {
        let name = if name.contains('.') {
            name.to_string()
        } else {
            self.root_dataset(name)?
        };
        if !self
            .chunks
            .iter()
            .any(|(k, t, _)| k == "datamodel" && *t == name)
        {
            return None;
        }
        Some(self.table("datamodel", Some(&name), DM_FIXED))
    }

    fn root_dataset(&self, model: &str) -> Option<String> {
        let prefix = format!("{model}.");
        let mut roots: Vec<&str> = self
            .chunks
            .iter()
            .filter(|(k, _, _)| k == "datamodel")
            .filter_map(|(_, t, c)| {
                let ds = t.strip_prefix(&prefix)?;
                let own = format!("{ds}.");
                let is_root =
                    !c.columns.is_empty() && c.columns.iter().all(|(n, _)| n.starts_with(&own));
                is_root.then_some(t.as_str())
            })
            .collect();
        roots.sort_unstable();
        roots.dedup();
        match roots.as_slice() {
            [one] => Some(one.to_string()),
            _ => None,
        }
    }
}

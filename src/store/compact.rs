//! Compaction: a table's small chunks (each replayed file ends with one, and a file of a few
//! events is nothing else) are merged, in order, into chunks of up to the replay's chunk size,
//! so that the number of files a search opens does not grow with the number of files replayed.
//! A chunk whose column types disagree with its table's schema (a column that became
//! multivalue in a later replay) is rewritten with the table's types. Runs at the end of every
//! replay, and by `spelunk compact` for stores written before.
//!
//! Crash safety: the new files are written first, then the manifest is replaced atomically,
//! then the old files are removed; an interruption leaves either store readable (at worst with
//! unreferenced files).

use super::{io_err, ChunkMeta, ColType, ReplayOptions, Store, StoreError, DM_FIXED, EVENT_FIXED};
use polars::prelude::*;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::time::Instant;

/// What `spelunk compact` did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CompactSummary {
    /// Chunks (files) before.
    pub chunks_before: usize,
    /// Chunks (files) after.
    pub chunks_after: usize,
    /// Chunks written (each replacing one or more).
    pub chunks_written: usize,
    /// Manifest version before (3 after).
    pub version_before: u32,
    /// Wall time, seconds.
    pub seconds: f64,
}

impl std::fmt::Display for CompactSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "chunks: {} -> {} ({} written) in {:.2}s",
            self.chunks_before, self.chunks_after, self.chunks_written, self.seconds
        )
    }
}

impl Store {
    /// Merges small chunks and rewrites chunks whose types disagree with their table's schema
    /// (`spelunk compact`); also records the table schemas of a store written before manifest
    /// version 3.
    pub fn compact(&mut self) -> Result<CompactSummary, StoreError> {
        let started = Instant::now();
        let before = self.manifest.chunks.len();
        let version_before = self.manifest.version;
        let written = self.compact_small(ReplayOptions::default().chunk_rows)?;
        if written == 0 {
            // Nothing to merge: still write the manifest in the current version.
            self.save_manifest()?;
        }
        self.manifest.version = super::MANIFEST_VERSION;
        Ok(CompactSummary {
            chunks_before: before,
            chunks_after: self.manifest.chunks.len(),
            chunks_written: written,
            version_before,
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// Number of chunks in the store (parquet files, or frames of an in-memory store).
    pub fn chunk_count(&self) -> usize {
        self.manifest.chunks.len()
    }

    /// Merges each table's consecutive small chunks (under half of `target` rows) into chunks
    /// of up to `target` rows, and rewrites chunks whose types disagree with the table's
    /// schema; returns the number of chunks written.
    pub(super) fn compact_small(&mut self, target: usize) -> Result<usize, StoreError> {
        let groups = self.groups(target.max(2));
        if groups.is_empty() {
            return Ok(0);
        }
        let mut replaced: HashMap<usize, ChunkMeta> = HashMap::new();
        let mut removed: HashSet<usize> = HashSet::new();
        for g in &groups {
            let chunk = self.merge(g)?;
            replaced.insert(g[0], chunk);
            removed.extend(g.iter().copied());
        }
        let old = std::mem::take(&mut self.manifest.chunks);
        let mut gone: Vec<String> = Vec::new();
        for (i, c) in old.into_iter().enumerate() {
            if let Some(new) = replaced.remove(&i) {
                self.manifest.chunks.push(new);
            }
            if removed.contains(&i) {
                gone.push(c.file);
            } else {
                self.manifest.chunks.push(c);
            }
        }
        self.save_manifest()?;
        for f in gone {
            match f.strip_prefix("mem:").and_then(|n| n.parse::<usize>().ok()) {
                Some(i) => {
                    if let Some(df) = self.mem.get_mut(i) {
                        *df = DataFrame::empty();
                    }
                }
                None => {
                    if let Some(dir) = &self.dir {
                        // An unreferenced file left behind is harmless.
                        let _ = std::fs::remove_file(dir.join(&f));
                    }
                }
            }
        }
        Ok(groups.len())
    }

    /// The runs of chunks to merge: indexes into the manifest's chunks, in order, each run of
    /// one table.
    fn groups(&self, target: usize) -> Vec<Vec<usize>> {
        let small = target / 2;
        let mut groups = Vec::new();
        for t in &self.manifest.tables {
            let types: HashMap<&str, ColType> =
                t.columns.iter().map(|(n, c)| (n.as_str(), *c)).collect();
            let mut cur: Vec<usize> = Vec::new();
            let mut cur_rows = 0usize;
            let mut cur_misaligned = false;
            let mut close = |cur: &mut Vec<usize>, rows: &mut usize, mis: &mut bool| {
                if cur.len() >= 2 || (cur.len() == 1 && *mis) {
                    groups.push(std::mem::take(cur));
                }
                cur.clear();
                *rows = 0;
                *mis = false;
            };
            for (i, c) in self.manifest.chunks.iter().enumerate() {
                if c.kind != t.kind || c.table != t.table {
                    continue;
                }
                let misaligned = c
                    .columns
                    .iter()
                    .any(|(n, ct)| types.get(n.as_str()) != Some(ct));
                if c.rows >= small && !misaligned {
                    close(&mut cur, &mut cur_rows, &mut cur_misaligned);
                    continue;
                }
                if !cur.is_empty() && cur_rows + c.rows > target {
                    close(&mut cur, &mut cur_rows, &mut cur_misaligned);
                }
                cur.push(i);
                cur_rows += c.rows;
                cur_misaligned |= misaligned;
            }
            close(&mut cur, &mut cur_rows, &mut cur_misaligned);
        }
        groups
    }

    /// Reads a run of chunks as one frame of their table's types and writes it as one chunk.
    fn merge(&mut self, group: &[usize]) -> Result<ChunkMeta, StoreError> {
        let first = &self.manifest.chunks[group[0]];
        let (kind, table) = (first.kind.clone(), first.table.clone());
        let present: HashSet<&str> = group
            .iter()
            .flat_map(|&i| self.manifest.chunks[i].columns.iter())
            .map(|(n, _)| n.as_str())
            .collect();
        let columns: Vec<(String, ColType)> = self
            .manifest
            .schema(&kind, Some(&table))
            .into_iter()
            .filter(|(n, _)| present.contains(n.as_str()))
            .collect();
        let fixed = if kind == "events" {
            EVENT_FIXED
        } else {
            DM_FIXED
        };
        let chunks: Vec<&ChunkMeta> = group.iter().map(|&i| &self.manifest.chunks[i]).collect();
        let mut df = self.read_table(&chunks, fixed, &columns)?.collect()?;
        let rows = df.height();
        let file = match &self.dir {
            Some(dir) => {
                let mut h = blake3::Hasher::new();
                for c in &chunks {
                    h.update(c.file.as_bytes());
                    h.update(b"\n");
                }
                let id = h.finalize().to_hex();
                let sub = if kind == "events" {
                    "events"
                } else {
                    "datamodels"
                };
                let rel = format!("{sub}/{table}/c-{}.parquet", &id.as_str()[..16]);
                let path = dir.join(&rel);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| io_err(parent, e))?;
                }
                let f = std::fs::File::create(&path).map_err(|e| io_err(&path, e))?;
                ParquetWriter::new(std::io::BufWriter::new(f))
                    .with_compression(ParquetCompression::Lz4Raw)
                    .with_row_group_size(Some(super::parquet::ROW_GROUP_ROWS))
                    .finish(&mut df)?;
                rel
            }
            None => {
                self.mem.push(df);
                format!("mem:{}", self.mem.len() - 1)
            }
        };
        Ok(ChunkMeta {
            kind,
            table,
            file,
            rows,
            columns,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("spelunk-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        std::fs::create_dir_all(dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn frame(st: &Store) -> DataFrame {
        st.events(None)
            .unwrap()
            .sort(["_raw"], SortMultipleOptions::default())
            .collect()
            .unwrap()
    }

    #[test]
    fn files_replayed_one_by_one_end_in_one_chunk_per_table_with_every_column() {
        let data = scratch("compact-data");
        let a = write(
            &data,
            "a.json",
            "{\"a\": \"1\", \"_time\": \"2024-01-01T00:00:00Z\"}\n",
        );
        let b = write(
            &data,
            "b.json",
            "{\"b\": \"2\", \"_time\": \"2024-01-01T00:00:01Z\"}\n{\"b\": [\"3\", \"4\"], \"_time\": \"2024-01-01T00:00:02Z\"}\n",
        );
        let c = write(
            &data,
            "c.json",
            "{\"a\": \"5\", \"_time\": \"2024-01-01T00:00:03Z\"}\n",
        );
        let dir = scratch("compact-store");
        let mut st = Store::open(&dir).unwrap();
        for f in [&a, &b, &c] {
            st.replay(&[Input::new(f)], &ReplayOptions::default())
                .unwrap();
        }
        let events: Vec<_> = st
            .manifest
            .chunks
            .iter()
            .filter(|c| c.kind == "events")
            .collect();
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].rows, 4);
        let files: Vec<_> = std::fs::read_dir(dir.join("events/main"))
            .unwrap()
            .collect();
        assert_eq!(files.len(), 1, "old chunk files are removed");
        // Reopened: the one schema, missing values as nulls, `b` multivalue everywhere.
        let st = Store::open(&dir).unwrap();
        let df = frame(&st);
        assert_eq!(df.height(), 4);
        let a_col = df.column("a").unwrap().str().unwrap();
        assert_eq!(
            a_col.iter().collect::<Vec<_>>(),
            [Some("1"), Some("5"), None, None]
        );
        assert!(matches!(
            df.column("b{}").unwrap().dtype(),
            DataType::List(_)
        ));
        let m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap())
                .unwrap();
        assert_eq!(m["version"], 3);
        assert!(m["tables"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["table"] == "main" && t["columns"].as_array().unwrap().len() >= 2));
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_dir_all(&data);
    }

    #[test]
    fn a_store_of_an_earlier_version_reads_the_same_before_and_after_compact() {
        let data = scratch("compact-old-data");
        let a = write(
            &data,
            "a.json",
            "{\"a\": [\"1\"], \"_time\": \"2024-01-01T00:00:00Z\"}\n",
        );
        let b = write(
            &data,
            "b.json",
            "{\"a\": [\"2\", \"3\"], \"b\": \"x\", \"_time\": \"2024-01-01T00:00:01Z\"}\n{\"a\": [\"4\"], \"_time\": \"2024-01-01T00:00:02Z\"}\n",
        );
        let dir = scratch("compact-old-store");
        let mut st = Store::open(&dir).unwrap();
        // Replayed without compaction, and the manifest written as version 2 wrote it.
        for f in [&a, &b] {
            st.replay(
                &[Input::new(f)],
                &ReplayOptions {
                    compact: false,
                    ..ReplayOptions::default()
                },
            )
            .unwrap();
        }
        let mut m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap())
                .unwrap();
        m["version"] = 2.into();
        m.as_object_mut().unwrap().remove("tables");
        std::fs::write(dir.join("manifest.json"), m.to_string()).unwrap();
        let old = Store::open(&dir).unwrap();
        let before = frame(&old);
        assert!(matches!(
            before.column("a{}").unwrap().dtype(),
            DataType::List(_)
        ));
        let mut st = Store::open(&dir).unwrap();
        let sum = st.compact().unwrap();
        assert_eq!(sum.version_before, 2);
        assert!(sum.chunks_after < sum.chunks_before, "{sum:?}");
        let after = frame(&Store::open(&dir).unwrap());
        assert!(before.equals_missing(&after), "{before}\n{after}");
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_dir_all(&data);
    }
}

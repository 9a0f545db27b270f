//! Lookup tables written by `outputlookup`: the writable lookup folder.
//!
//! With a store (`--store DIR`), tables are CSV files in `DIR/lookups/` and outlive the process;
//! without one (the bundled sample, `--data` files), they live in memory for the process, shared
//! by every search of one run (`check`, `test`, `repl`): a [`WrittenLookups`] is cheap to clone
//! and its clones share their tables. A written table is read back by `inputlookup` and
//! `lookup`, by its file name or by the name of a definition whose file (or KV store
//! collection) it is.
//!
//! Names are file names inside the folder, never paths: a name with a path separator, `..`,
//! or a drive or root is refused, so that no search writes outside the folder.

use super::{parse_csv, LookupTable};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The writable lookup folder (in memory, or `<store>/lookups/`).
#[derive(Debug, Clone, Default)]
pub struct WrittenLookups {
    dir: Option<PathBuf>,
    tables: Arc<Mutex<BTreeMap<String, Arc<LookupTable>>>>,
}

/// Check that `name` is a plain file name (no folder, no `..`, not absolute); the error says why.
pub fn check_file_name(name: &str) -> Result<(), String> {
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.contains(['/', '\\', '\0'])
        || name.contains(':')
        || Path::new(name).components().count() != 1
        || Path::new(name).is_absolute();
    if bad {
        return Err(format!(
            "lookup name `{name}` must be a file name inside the lookup folder (no folders, `..` or absolute paths)"
        ));
    }
    Ok(())
}

impl WrittenLookups {
    /// Tables kept in memory for the life of the process.
    pub fn in_memory() -> WrittenLookups {
        WrittenLookups::default()
    }

    /// Tables kept as CSV files in `dir` (a store's `lookups/` folder), created on first write.
    pub fn in_dir(dir: PathBuf) -> WrittenLookups {
        WrittenLookups {
            dir: Some(dir),
            tables: Arc::default(),
        }
    }

    /// The folder tables are written to, if any.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The table written under `file`, if any: this process's, else the folder's file.
    pub fn get(&self, file: &str) -> Result<Option<Arc<LookupTable>>, String> {
        if check_file_name(file).is_err() {
            return Ok(None);
        }
        if let Some(t) = self.tables.lock().ok().and_then(|m| m.get(file).cloned()) {
            return Ok(Some(t));
        }
        let Some(dir) = &self.dir else {
            return Ok(None);
        };
        let path = dir.join(file);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        // A zero-length file is a lookup emptied by `outputlookup` (no results).
        let table = if bytes.is_empty() {
            LookupTable::default()
        } else {
            parse_csv(&bytes).map_err(|e| format!("cannot read {}: {e}", path.display()))?
        };
        let table = Arc::new(table);
        if let Ok(mut m) = self.tables.lock() {
            m.insert(file.to_string(), table.clone());
        }
        Ok(Some(table))
    }

    /// Write (replace) the table `file`; with a folder, as a CSV file there too.
    pub fn put(&self, file: &str, table: LookupTable) -> Result<(), String> {
        check_file_name(file)?;
        if let Some(dir) = &self.dir {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            let path = dir.join(file);
            let bytes = to_csv(&table)?;
            // Write beside, then rename: a reader never sees half a table.
            let tmp = dir.join(format!(".{file}.tmp"));
            std::fs::write(&tmp, bytes)
                .and_then(|_| std::fs::rename(&tmp, &path))
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        if let Ok(mut m) = self.tables.lock() {
            m.insert(file.to_string(), Arc::new(table));
        }
        Ok(())
    }
}

/// A table as CSV: its header then its rows; a table without columns is a zero-length file.
pub fn to_csv(table: &LookupTable) -> Result<Vec<u8>, String> {
    if table.columns.is_empty() {
        return Ok(Vec::new());
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let err = |e: csv::Error| e.to_string();
    w.write_record(&table.columns).map_err(err)?;
    for r in &table.rows {
        w.write_record(r).map_err(err)?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(cols: &[&str], rows: &[&[&str]]) -> LookupTable {
        LookupTable {
            columns: cols.iter().map(|c| c.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect(),
        }
    }

    #[test]
    fn names_must_stay_inside_the_folder() {
        for bad in [
            "../x.csv",
            "a/b.csv",
            "/etc/passwd",
            "..",
            "",
            "c:\\x.csv",
            "a\\..\\b.csv",
        ] {
            assert!(check_file_name(bad).is_err(), "{bad}");
        }
        for good in ["x.csv", "previously_seen_x", "a.b.csv.gz", "..x.csv"] {
            assert!(check_file_name(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn memory_tables_are_shared_by_clones() {
        let w = WrittenLookups::in_memory();
        let c = w.clone();
        w.put("x.csv", table(&["a"], &[&["1"]])).unwrap();
        assert_eq!(c.get("x.csv").unwrap().unwrap().rows, vec![vec!["1"]]);
        assert!(c.get("y.csv").unwrap().is_none());
        assert!(w.put("../y.csv", table(&["a"], &[])).is_err());
        // Another folder does not see them.
        assert!(WrittenLookups::in_memory().get("x.csv").unwrap().is_none());
    }

    #[test]
    fn folder_tables_outlive_the_process_and_round_trip() {
        let dir = std::env::temp_dir().join(format!("spelunk-written-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let w = WrittenLookups::in_dir(dir.join("lookups"));
        let t = table(&["a", "b"], &[&["x,y", "line\nbreak"], &["", "\"q\""]]);
        w.put("t.csv", t.clone()).unwrap();
        assert!(dir.join("lookups/t.csv").is_file());
        // A new process (a new handle) reads the file.
        let again = WrittenLookups::in_dir(dir.join("lookups"));
        assert_eq!(*again.get("t.csv").unwrap().unwrap(), t);
        // Emptied: a zero-length file, read as a table without fields.
        w.put("t.csv", LookupTable::default()).unwrap();
        assert_eq!(
            std::fs::metadata(dir.join("lookups/t.csv")).unwrap().len(),
            0
        );
        let again = WrittenLookups::in_dir(dir.join("lookups"));
        assert!(again.get("t.csv").unwrap().unwrap().columns.is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

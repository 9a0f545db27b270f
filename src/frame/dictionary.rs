//! Dictionaries of the text columns of tables kept in memory for many searches.
//!
//! `spelunk check` runs hundreds of detections over the same tables ([`crate::exec::SourceCache`]),
//! and most of their time goes to matching the same values against patterns: `process_name`,
//! `user`, `dest` or `parent_process_name` hold a few hundred distinct values over hundreds of
//! thousands of rows. For a column of a kept table, the distinct values and each row's code are
//! computed once, on first use; a search's pattern set is then matched once per distinct value,
//! and each row looks its answer up by code.
//!
//! The registry knows a column by the address of its (immutable, shared) string views: a column
//! a search receives is the kept one, or a slice of it (polars evaluates a filter in parts on
//! its threads), exactly when its views lie inside the kept column's, so filtered or computed
//! columns never use another column's dictionary. The cache registers its columns
//! when it reads a table and removes them when it is dropped, before the memory can be reused.

use polars::prelude::*;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

/// The distinct values of a column and each row's value as a code into them.
pub struct Dictionary {
    /// One per row: an index into `values`, or [`Dictionary::NULL`].
    pub codes: Vec<u32>,
    pub values: Vec<String>,
}

impl Dictionary {
    /// The code of a null row.
    pub const NULL: u32 = u32::MAX;

    /// A boolean per row of `rows` (a slice of the column): `f` of the row's value, computed
    /// once per distinct value; null rows stay null.
    pub fn map_bool(
        &self,
        name: PlSmallStr,
        rows: std::ops::Range<usize>,
        f: impl Fn(&str) -> bool,
    ) -> BooleanChunked {
        let answers: Vec<bool> = self.values.iter().map(|v| f(v)).collect();
        let out: BooleanChunked = self.codes[rows]
            .iter()
            .map(|&c| answers.get(c as usize).copied())
            .collect();
        out.with_name(name)
    }
}

struct Entry {
    len: usize,
    /// The whole kept column (a search may hold only a slice), to build the dictionary from.
    column: Option<Column>,
    dict: OnceLock<Option<Arc<Dictionary>>>,
}

/// By the address of a kept column's first view.
static REGISTRY: LazyLock<Mutex<BTreeMap<usize, Arc<Entry>>>> = LazyLock::new(Default::default);

/// Bytes of one string view.
const VIEW: usize = std::mem::size_of::<polars_arrow::array::View>();

/// The address of a one-chunk text column's views, and its length.
fn key(c: &Column) -> Option<(usize, usize)> {
    let ca = c.str().ok()?;
    if ca.chunks().len() != 1 {
        return None;
    }
    let arr = ca.downcast_iter().next()?;
    Some((arr.views().as_ptr() as usize, ca.len()))
}

/// Register a kept table's text columns (the frame must be in one chunk per column); the keys,
/// for [`unregister`].
pub fn register(df: &DataFrame) -> Vec<usize> {
    let mut keys = Vec::new();
    let Ok(mut reg) = REGISTRY.lock() else {
        return keys;
    };
    for c in df.columns() {
        if let Some((k, len)) = key(c) {
            reg.insert(
                k,
                Arc::new(Entry {
                    len,
                    column: Some(c.clone()),
                    dict: OnceLock::new(),
                }),
            );
            keys.push(k);
        }
    }
    keys
}

/// Forget columns registered by [`register`].
pub fn unregister(keys: &[usize]) {
    if let Ok(mut reg) = REGISTRY.lock() {
        for k in keys {
            reg.remove(k);
        }
    }
}

/// The dictionary of a kept column and the rows of it `c` holds, the dictionary built on first
/// use; None for any other column, or when the column has too many distinct values for a
/// dictionary to pay (more than half its rows).
pub fn lookup(c: &Column) -> Option<(Arc<Dictionary>, std::ops::Range<usize>)> {
    let (ptr, len) = key(c)?;
    let (base, entry) = {
        let reg = REGISTRY.lock().ok()?;
        let (base, entry) = reg.range(..=ptr).next_back()?;
        (*base, entry.clone())
    };
    let offset = (ptr - base) / VIEW;
    if (ptr - base) % VIEW != 0 || offset + len > entry.len {
        return None;
    }
    let dict = entry
        .dict
        .get_or_init(|| build(entry.column.as_ref()?.str().ok()?))
        .clone()?;
    Some((dict, offset..offset + len))
}

fn build(ca: &StringChunked) -> Option<Arc<Dictionary>> {
    let limit = ca.len() / 2 + 16;
    let mut index: FxHashMap<&str, u32> = FxHashMap::default();
    let mut values: Vec<String> = Vec::new();
    let mut codes = Vec::with_capacity(ca.len());
    for v in ca.iter() {
        let code = match v {
            None => Dictionary::NULL,
            Some(v) => match index.get(v) {
                Some(&c) => c,
                None => {
                    if values.len() >= limit {
                        return None;
                    }
                    let c = values.len() as u32;
                    index.insert(v, c);
                    values.push(v.to_string());
                    c
                }
            },
        };
        codes.push(code);
    }
    Some(Arc::new(Dictionary { codes, values }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_registered_column_itself_has_a_dictionary() {
        let df = df!("a" => [Some("x"), None, Some("y"), Some("x")]).unwrap();
        let df = df.select(["a"]).unwrap();
        let keys = register(&df);
        assert_eq!(keys.len(), 1);
        let c = df.column("a").unwrap();
        let (d, rows) = lookup(c).expect("a dictionary");
        assert_eq!(rows, 0..4);
        assert_eq!(d.values, ["x", "y"]);
        assert_eq!(d.codes, [0, Dictionary::NULL, 1, 0]);
        let m = d.map_bool("a".into(), rows, |v| v == "x");
        assert_eq!(
            m.iter().collect::<Vec<_>>(),
            [Some(true), None, Some(false), Some(true)]
        );
        // A slice of the kept column (polars' parts of a filter) is the same rows of it.
        let part = c.slice(2, 2);
        let (_, rows) = lookup(&part).expect("the slice's dictionary");
        assert_eq!(rows, 2..4);
        // A clone of the frame shares the column; a filtered column is another one.
        assert!(lookup(df.clone().column("a").unwrap()).is_some());
        let filtered = df
            .filter(&BooleanChunked::from_slice(
                "m".into(),
                &[true, false, true, true],
            ))
            .unwrap();
        assert!(lookup(filtered.column("a").unwrap()).is_none());
        unregister(&keys);
        assert!(lookup(c).is_none());
    }

    #[test]
    fn mostly_distinct_columns_get_none() {
        let vals: Vec<String> = (0..1000).map(|i| format!("v{i}")).collect();
        let df = DataFrame::new(1000, vec![Column::new("a".into(), vals)]).unwrap();
        let keys = register(&df);
        assert!(lookup(df.column("a").unwrap()).is_none());
        unregister(&keys);
    }
}

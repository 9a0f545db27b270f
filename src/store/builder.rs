//! Builds one table chunk (events, or one data model dataset) row by row, column by column.
//!
//! Most columns of Windows events repeat a few values (`EventCode`, `Channel`, `Computer`,
//! `Image`, ...). A column starts as a dictionary: each distinct value is stored once and a row
//! holds its key, which is what the Parquet file stores too, so writing it needs no second pass
//! (polars' writer would estimate every column's cardinality by hashing every value, then
//! group the values). When a column turns out to hold mostly distinct values (`_raw`, GUIDs,
//! times) it switches to a plain string array, and starts plain in the table's next chunk.

use super::ColType;
use crate::knowledge::IndexedEvent;
use polars::prelude::*;
use polars_arrow::array::{
    new_null_array, Array, DictionaryArray, MutableBinaryViewArray, PrimitiveArray, Utf8ViewArray,
};
use polars_arrow::bitmap::Bitmap;
use polars_arrow::datatypes::{ArrowDataType, IntegerType};
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::BuildHasher;

/// Column names are short and trusted, and the replay looks one up for every field of every
/// event, where SipHash costs more than the rest of the lookup.
type FxMap<K, V> = rustc_hash::FxHashMap<K, V>;
type FxSet<K> = rustc_hash::FxHashSet<K>;

/// The key of a null row in a dictionary column.
const NULL_KEY: u32 = u32::MAX;
/// A dictionary column with this many distinct values is checked for being worth it...
const DICT_CHECK_FROM: usize = 1024;
/// ... and kept only while distinct values are at most 3/4 of its values (polars' own rule).
fn dict_worth_it(distinct: usize, values: usize) -> bool {
    distinct < DICT_CHECK_FROM || distinct * 4 <= values * 3
}
/// Past this many bytes of distinct text a column goes plain (keys are u32 offsets).
const DICT_MAX_TEXT: usize = 256 << 20;

/// Distinct values, each stored once, found again by hash.
#[derive(Default)]
struct Dict {
    table: hashbrown::HashTable<u32>,
    text: String,
    /// End of value k in `text` (it starts where value k-1 ends).
    ends: Vec<u32>,
    hasher: rustc_hash::FxBuildHasher,
}

fn dict_value<'a>(text: &'a str, ends: &[u32], k: u32) -> &'a str {
    let k = k as usize;
    let start = if k == 0 { 0 } else { ends[k - 1] as usize };
    &text[start..ends[k] as usize]
}

impl Dict {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn value(&self, k: u32) -> &str {
        dict_value(&self.text, &self.ends, k)
    }

    /// The key of `v`, adding it if new; the bool says whether it was new.
    fn key(&mut self, v: &str) -> (u32, bool) {
        let h = self.hasher.hash_one(v);
        let Dict {
            table,
            text,
            ends,
            hasher,
        } = self;
        if let Some(&k) = table.find(h, |&k| dict_value(text, ends, k) == v) {
            return (k, false);
        }
        let k = ends.len() as u32;
        text.push_str(v);
        ends.push(text.len() as u32);
        table.insert_unique(h, k, |&k| hasher.hash_one(dict_value(text, ends, k)));
        (k, true)
    }

    fn values_array(&self) -> Utf8ViewArray {
        let mut a = MutableBinaryViewArray::<str>::with_capacity(self.len());
        for k in 0..self.len() as u32 {
            a.push_value(self.value(k));
        }
        a.freeze()
    }
}

enum Values {
    /// Keys into the dictionary, [`NULL_KEY`] for a null.
    Dict {
        dict: Dict,
        keys: Vec<u32>,
        non_null: usize,
        /// The key pushed last.
        last: u32,
    },
    /// polars' string array: each value copied once, into buffers that grow by blocks.
    Plain(MutableBinaryViewArray<str>),
}

/// One column being built, with the rare multivalue rows on the side.
struct ColBuilder {
    name: String,
    /// The rows' single values (a multivalue row holds its first value here).
    values: Values,
    /// Rows pushed so far.
    rows: usize,
    /// Multivalue rows: (row, all values); the row's single value is then ignored.
    multi: Vec<(usize, Vec<String>)>,
    /// `eventtype` and `tag` are always multivalue (list) columns.
    force_list: bool,
}

impl ColBuilder {
    /// `capacity`: rows to reserve (what the table's previous chunk held; 0 for a first chunk:
    /// reserving a full chunk for each column of a file of a few events cost 10 s of kernel
    /// time over 277 EVTX files). `plain`: start as a plain array (the column was mostly
    /// distinct values in the previous chunk).
    fn new(name: &str, capacity: usize, plain: bool) -> ColBuilder {
        let values = if plain {
            Values::Plain(MutableBinaryViewArray::with_capacity(capacity))
        } else {
            Values::Dict {
                dict: Dict::default(),
                keys: Vec::with_capacity(capacity),
                non_null: 0,
                last: NULL_KEY,
            }
        };
        ColBuilder {
            name: name.to_string(),
            values,
            rows: 0,
            multi: Vec::new(),
            force_list: name == "eventtype" || name == "tag",
        }
    }

    fn is_plain(&self) -> bool {
        matches!(self.values, Values::Plain(_))
    }

    /// Fills the rows before `row` that have no value with nulls. Done when a value comes (or
    /// at the end), not on every row: a chunk mixing event types has many columns, few of
    /// which an event fills.
    fn pad_to(&mut self, row: usize) {
        if self.rows >= row {
            return;
        }
        let n = row - self.rows;
        match &mut self.values {
            Values::Dict { keys, .. } => keys.resize(keys.len() + n, NULL_KEY),
            Values::Plain(a) => {
                for _ in 0..n {
                    a.push_null();
                }
            }
        }
        self.rows = row;
    }

    fn push(&mut self, v: &str) {
        self.rows += 1;
        let switch = match &mut self.values {
            Values::Plain(a) => {
                a.push_value(v);
                return;
            }
            Values::Dict {
                dict,
                keys,
                non_null,
                last,
            } => {
                // Runs of one value are common (an event type's constant fields): the last key
                // is checked before hashing.
                if *last != NULL_KEY && dict.value(*last) == v {
                    keys.push(*last);
                    *non_null += 1;
                    return;
                }
                let (k, new) = dict.key(v);
                keys.push(k);
                *last = k;
                *non_null += 1;
                new && (!dict_worth_it(dict.len(), *non_null) || dict.text.len() > DICT_MAX_TEXT)
            }
        };
        if switch {
            self.make_plain();
        }
    }

    /// Turns a dictionary column into a plain one (its values are mostly distinct).
    fn make_plain(&mut self) {
        let Values::Dict { dict, keys, .. } = &self.values else {
            return;
        };
        let mut a = MutableBinaryViewArray::<str>::with_capacity(keys.capacity());
        for &k in keys {
            if k == NULL_KEY {
                a.push_null();
            } else {
                a.push_value(dict.value(k));
            }
        }
        self.values = Values::Plain(a);
    }

    /// The Arrow array (a dictionary array for a dictionary column), and whether it is a list
    /// (multivalue) column.
    fn finish(mut self, rows: usize) -> Result<(ArrayRef, bool), PolarsError> {
        self.pad_to(rows);
        if !self.force_list && self.multi.is_empty() {
            return Ok((self.single_array()?, false));
        }
        let multi_rows = std::mem::take(&mut self.multi);
        let (name, rows) = (self.name.clone(), self.rows);
        let single = self.single_array()?;
        let single = decode(single.as_ref());
        let single = single
            .as_any()
            .downcast_ref::<Utf8ViewArray>()
            .ok_or_else(|| PolarsError::ComputeError("not a string column".into()))?;
        let mut b = ListStringChunkedBuilder::new(name.as_str().into(), rows, rows);
        let mut multi = multi_rows.iter().peekable();
        for (r, v) in single.iter().enumerate() {
            if multi.peek().is_some_and(|(mr, _)| *mr == r) {
                if let Some((_, vals)) = multi.next() {
                    b.append_values_iter(vals.iter().map(String::as_str));
                }
            } else if let Some(v) = v {
                b.append_values_iter(std::iter::once(v));
            } else {
                b.append_null();
            }
        }
        let s = b.finish().into_series().rechunk();
        Ok((s.to_arrow(0, CompatLevel::newest()), true))
    }

    fn single_array(self) -> Result<ArrayRef, PolarsError> {
        match self.values {
            Values::Plain(a) => Ok(a.freeze().boxed()),
            Values::Dict { dict, keys, .. } => {
                if dict.len() == 0 {
                    return Ok(new_null_array(ArrowDataType::Utf8View, keys.len()));
                }
                let validity = keys
                    .contains(&NULL_KEY)
                    .then(|| keys.iter().map(|&k| k != NULL_KEY).collect::<Bitmap>());
                // A null row's key must still index the dictionary.
                let keys: Vec<u32> = keys
                    .into_iter()
                    .map(|k| if k == NULL_KEY { 0 } else { k })
                    .collect();
                let keys = PrimitiveArray::new(ArrowDataType::UInt32, keys.into(), validity);
                let dtype = ArrowDataType::Dictionary(
                    IntegerType::UInt32,
                    Box::new(ArrowDataType::Utf8View),
                    false,
                );
                Ok(DictionaryArray::try_new(dtype, keys, dict.values_array().boxed())?.boxed())
            }
        }
    }
}

/// A dictionary-encoded string array as a plain one (for polars, which reads such arrays as
/// categoricals); any other array as it is.
pub(super) fn decode(a: &dyn Array) -> ArrayRef {
    let Some(d) = a.as_any().downcast_ref::<DictionaryArray<u32>>() else {
        return a.to_boxed();
    };
    let Some(values) = d.values().as_any().downcast_ref::<Utf8ViewArray>() else {
        return a.to_boxed();
    };
    let mut out = MutableBinaryViewArray::<str>::with_capacity(d.len());
    for k in d.keys().iter() {
        match k {
            Some(&k) => out.push_value(values.value(k as usize)),
            None => out.push_null(),
        }
    }
    out.freeze().boxed()
}

/// A finished table chunk: Arrow arrays in column order (fixed columns first), for the
/// Parquet writer or, decoded, for an in-memory DataFrame.
pub(super) struct Chunk {
    pub rows: usize,
    pub columns: Vec<(String, ArrayRef)>,
    /// The columns after the fixed ones, with their types (for the manifest).
    pub order: Vec<(String, ColType)>,
}

impl Chunk {
    /// The chunk as a polars DataFrame of string, list and `_time` columns.
    pub fn into_frame(self) -> Result<DataFrame, PolarsError> {
        let columns = self
            .columns
            .into_iter()
            .map(|(name, a)| Series::from_arrow(name.into(), decode(a.as_ref())).map(Column::from))
            .collect::<Result<Vec<_>, _>>()?;
        DataFrame::new(self.rows, columns)
    }
}

/// Builds one table chunk row by row.
pub(super) struct TableBuilder {
    time: Vec<f64>,
    cols: Vec<ColBuilder>,
    pos: FxMap<String, usize>,
    pub rows: usize,
    /// Rows of the chunk flushed last: the next chunk's columns reserve that many.
    last_rows: usize,
    /// Columns that were plain (mostly distinct values) in an earlier chunk.
    plain: FxSet<String>,
    /// Per number of extracted fields, the column of each field of the last event that had
    /// that many, in order: events of one type list the same fields in the same order, so a
    /// name is compared, not hashed.
    shapes: Vec<Vec<usize>>,
}

/// Events with more fields than this are not given a shape.
const MAX_SHAPE: usize = 512;

impl TableBuilder {
    pub fn new() -> Self {
        let mut plain = FxSet::default();
        plain.insert("_raw".to_string());
        TableBuilder {
            time: Vec::new(),
            cols: Vec::new(),
            pos: FxMap::default(),
            rows: 0,
            last_rows: 0,
            plain,
            shapes: Vec::new(),
        }
    }

    pub fn col_index(&mut self, name: &str) -> usize {
        if let Some(&i) = self.pos.get(name) {
            return i;
        }
        let plain = self.plain.contains(name);
        self.cols.push(ColBuilder::new(name, self.last_rows, plain));
        self.pos.insert(name.to_string(), self.cols.len() - 1);
        self.cols.len() - 1
    }

    /// Adds a value to column `i` (from [`TableBuilder::col_index`]) of the current row.
    /// `first` gives the row's first value of this column when this is its second one (the
    /// builder does not read back what it holds); it is only called on that rare path.
    fn add_at(&mut self, i: usize, value: &str, first: impl FnOnce() -> String) {
        let row = self.rows;
        let Some(c) = self.cols.get_mut(i) else {
            return;
        };
        c.pad_to(row);
        if c.rows == row {
            c.push(value);
        } else if let Some(last) = c.multi.last_mut().filter(|(r, _)| *r == row) {
            last.1.push(value.to_string());
        } else {
            c.multi.push((row, vec![first(), value.to_string()]));
        }
    }

    fn end_row(&mut self, time: f64) {
        self.time.push(time);
        self.rows += 1;
    }

    /// Adds an event as a row of the events table. Its default fields are the columns at
    /// positions 0..7 of every chunk (`_raw`, `host`, ..., `tag`: [`super::EVENT_FIXED`] after
    /// `_time`, which is kept apart); extracted fields with those names are ignored.
    pub fn push_event(&mut self, ev: IndexedEvent) {
        if self.cols.is_empty() {
            for name in &super::EVENT_FIXED[1..] {
                self.col_index(name);
            }
        }
        let none = String::new;
        self.add_at(0, &ev.raw, none);
        self.add_at(1, &ev.host, none);
        self.add_at(2, &ev.source, none);
        self.add_at(3, &ev.sourcetype, none);
        self.add_at(4, &ev.index, none);
        for (i, vals) in [(5, &ev.eventtype), (6, &ev.tag)] {
            let first = || vals.first().cloned().unwrap_or_default();
            for v in vals {
                self.add_at(i, v, first);
            }
        }
        let n = ev.fields.len();
        let mut shape = if n <= MAX_SHAPE {
            std::mem::take(self.shapes.get_mut(n).unwrap_or(&mut Vec::new()))
        } else {
            Vec::new()
        };
        shape.resize(n, usize::MAX);
        for (j, (k, v)) in ev.fields.iter().enumerate() {
            if crate::knowledge::is_default_field(k) {
                continue;
            }
            let first = || {
                ev.fields
                    .iter()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            };
            let i = match shape.get(j) {
                Some(&i) if self.cols.get(i).is_some_and(|c| c.name == *k) => i,
                _ => {
                    let i = self.col_index(k);
                    if let Some(s) = shape.get_mut(j) {
                        *s = i;
                    }
                    i
                }
            };
            self.add_at(i, v, first);
        }
        if n <= MAX_SHAPE {
            if self.shapes.len() <= n {
                self.shapes.resize_with(n + 1, Vec::new);
            }
            self.shapes[n] = shape;
        }
        self.end_row(ev.time);
    }

    /// Adds a dataset row; `columns` are the prefixed names (`Processes.process_name`).
    pub fn push_dm(&mut self, ev: &IndexedEvent, columns: &[String], row: Vec<Vec<Cow<str>>>) {
        // Columns are made in the same order for every chunk: the fixed ones, then the
        // dataset's fields, at positions 0..4 and 4.. .
        if self.cols.is_empty() {
            for name in ["host", "source", "sourcetype", "index"]
                .into_iter()
                .chain(columns.iter().map(String::as_str))
            {
                self.col_index(name);
            }
        }
        self.add_at(0, &ev.host, String::new);
        self.add_at(1, &ev.source, String::new);
        self.add_at(2, &ev.sourcetype, String::new);
        self.add_at(3, &ev.index, String::new);
        for (j, vals) in row.iter().enumerate().take(columns.len()) {
            let first = || vals.first().map(|v| v.to_string()).unwrap_or_default();
            for v in vals {
                self.add_at(4 + j, v, first);
            }
        }
        self.end_row(ev.time);
    }

    /// Builds the chunk (fixed columns first, in `fixed` order, `_time` first of all) and
    /// resets the builder.
    pub fn finish(&mut self, fixed: &[&str]) -> Result<Chunk, PolarsError> {
        let rows = self.rows;
        let mut columns: Vec<(String, ArrayRef)> = Vec::with_capacity(self.cols.len() + 1);
        let time = std::mem::replace(&mut self.time, Vec::with_capacity(rows));
        columns.push(("_time".to_string(), PrimitiveArray::from_vec(time).boxed()));
        let cols = std::mem::take(&mut self.cols);
        self.pos.clear();
        self.shapes.clear();
        self.rows = 0;
        self.last_rows = rows;
        let mut by_name: HashMap<String, ArrayRef> = HashMap::new();
        let mut order: Vec<(String, ColType)> = Vec::new();
        for c in cols {
            let name = c.name.clone();
            if c.is_plain() {
                self.plain.insert(name.clone());
            }
            let (array, is_list) = c.finish(rows)?;
            if !fixed.contains(&name.as_str()) {
                order.push((
                    name.clone(),
                    if is_list { ColType::List } else { ColType::Str },
                ));
            }
            by_name.insert(name, array);
        }
        for f in fixed.iter().skip(1) {
            let array = match by_name.remove(*f) {
                Some(a) => a,
                None => Series::full_null((*f).into(), rows, &super::fixed_dtype(f))
                    .rechunk()
                    .to_arrow(0, CompatLevel::newest()),
            };
            columns.push((f.to_string(), array));
        }
        for (n, _) in &order {
            if let Some(a) = by_name.remove(n) {
                columns.push((n.clone(), a));
            }
        }
        Ok(Chunk {
            rows,
            columns,
            order,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::EVENT_FIXED;
    use super::*;

    fn event(fields: &[(&str, &str)]) -> IndexedEvent {
        IndexedEvent {
            time: 1.0,
            raw: "raw".into(),
            tag: vec!["process".into(), "report".into()],
            ..IndexedEvent::with_fields(fields)
        }
    }

    fn strings(df: &DataFrame, col: &str) -> Vec<Option<String>> {
        df.column(col)
            .unwrap()
            .as_materialized_series()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect()
    }

    fn lists(df: &DataFrame, col: &str) -> Vec<Option<Vec<String>>> {
        let s = df.column(col).unwrap().as_materialized_series().clone();
        s.list()
            .unwrap()
            .amortized_iter()
            .map(|v| {
                v.map(|s| {
                    s.as_ref()
                        .str()
                        .unwrap()
                        .iter()
                        .map(|x| x.unwrap_or_default().to_string())
                        .collect()
                })
            })
            .collect()
    }

    fn finish(b: &mut TableBuilder) -> (DataFrame, Vec<(String, ColType)>) {
        let chunk = b.finish(EVENT_FIXED).unwrap();
        let order = chunk.order.clone();
        (chunk.into_frame().unwrap(), order)
    }

    #[test]
    fn columns_that_start_late_or_skip_rows_are_null_there() {
        let mut b = TableBuilder::new();
        b.push_event(event(&[("a", "1")]));
        b.push_event(event(&[("b", "2")]));
        b.push_event(event(&[("a", "3")]));
        let (df, order) = finish(&mut b);
        assert_eq!(df.height(), 3);
        assert_eq!(
            strings(&df, "a"),
            [Some("1".into()), None, Some("3".into())]
        );
        assert_eq!(strings(&df, "b"), [None, Some("2".into()), None]);
        let names: Vec<&str> = order.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        // The builder starts over empty.
        assert_eq!(b.rows, 0);
        assert!(b.cols.is_empty());
    }

    #[test]
    fn a_repeated_field_makes_a_multivalue_column_keeping_every_value_in_order() {
        let mut b = TableBuilder::new();
        b.push_event(event(&[("a", "x")]));
        b.push_event(event(&[("a", "y"), ("c", "k"), ("a", "z"), ("a", "w")]));
        b.push_event(event(&[("c", "m")]));
        let (df, order) = finish(&mut b);
        assert_eq!(
            lists(&df, "a"),
            [
                Some(vec!["x".into()]),
                Some(vec!["y".into(), "z".into(), "w".into()]),
                None
            ]
        );
        assert!(order.contains(&("a".into(), ColType::List)));
        assert!(order.contains(&("c".into(), ColType::Str)));
        assert_eq!(
            strings(&df, "c"),
            [None, Some("k".into()), Some("m".into())]
        );
        assert_eq!(
            lists(&df, "tag")[0],
            Some(vec!["process".to_string(), "report".to_string()])
        );
        assert_eq!(strings(&df, "sourcetype"), vec![Some("st".to_string()); 3]);
    }

    #[test]
    fn a_column_of_mostly_distinct_values_turns_plain_and_starts_plain_next_chunk() {
        let mut b = TableBuilder::new();
        let n = 3000;
        for i in 0..n {
            let id = i.to_string();
            let code = (i % 3).to_string();
            b.push_event(event(&[("id", &id), ("code", &code)]));
        }
        assert!(b.cols[b.pos["id"]].is_plain());
        assert!(!b.cols[b.pos["code"]].is_plain());
        let chunk = b.finish(EVENT_FIXED).unwrap();
        let col = |name: &str| {
            chunk
                .columns
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, a)| a.dtype().clone())
                .unwrap()
        };
        assert!(matches!(col("code"), ArrowDataType::Dictionary(..)));
        assert_eq!(col("id"), ArrowDataType::Utf8View);
        let df = chunk.into_frame().unwrap();
        let ids = strings(&df, "id");
        assert_eq!(ids[0].as_deref(), Some("0"));
        assert_eq!(ids[n - 1].as_deref(), Some("2999"));
        assert_eq!(strings(&df, "code")[4].as_deref(), Some("1"));
        b.push_event(event(&[("id", "x")]));
        assert!(b.cols[b.pos["id"]].is_plain());
    }

    #[test]
    fn a_dictionary_column_keeps_nulls_and_values_in_row_order() {
        let mut b = TableBuilder::new();
        for v in ["a", "", "b", "a"] {
            if v.is_empty() {
                b.push_event(event(&[]));
            } else {
                b.push_event(event(&[("f", v)]));
            }
        }
        let (df, _) = finish(&mut b);
        assert_eq!(
            strings(&df, "f"),
            [Some("a".into()), None, Some("b".into()), Some("a".into())]
        );
    }
}

//! Rendering results: a table for people, CSV and JSON for scripts, and (in [`view`]) the
//! terminal's event list and fitted tables.
//!
//! The output contract, the same in every format: columns appear in result order; a field with
//! one value is a scalar, and only a field with two or more values is a multivalue (an array in
//! JSON, one value per line in a table cell or a quoted CSV field, as Splunk writes it). A field
//! without a value is omitted from JSON objects and empty elsewhere. `_time` is rendered as a
//! time in the search's time zone.

pub mod view;

use crate::expr::time;
use crate::frame::{any_to_string, values_at};
use polars::prelude::*;

/// Output formats of `spelunk run` (and the REPL's `.format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// An aligned table (every column, full cells).
    Table,
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON array of row objects (null fields omitted; multivalue fields as arrays).
    Json,
    /// One JSON object per line.
    Jsonl,
    /// Each result's `_raw` on its own line (results without `_raw`: their fields as k=v pairs).
    Raw,
}

impl OutputFormat {
    /// The format a file name's extension names (`.csv`, `.json`, `.jsonl`/`.ndjson`,
    /// `.txt`/`.table`, `.raw`/`.log`).
    pub fn from_extension(path: &std::path::Path) -> Option<OutputFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" => OutputFormat::Csv,
            "json" => OutputFormat::Json,
            "jsonl" | "ndjson" => OutputFormat::Jsonl,
            "txt" | "table" => OutputFormat::Table,
            "raw" | "log" => OutputFormat::Raw,
            _ => return None,
        })
    }

    /// The format's name as `--format` spells it.
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Table => "table",
            OutputFormat::Csv => "csv",
            OutputFormat::Json => "json",
            OutputFormat::Jsonl => "jsonl",
            OutputFormat::Raw => "raw",
        }
    }

    /// The format named `name`.
    pub fn parse(name: &str) -> Option<OutputFormat> {
        <OutputFormat as clap::ValueEnum>::from_str(name, true).ok()
    }
}

/// The values of a column at a row, as text (none for null, two or more for a multivalue).
pub(crate) fn cell(c: &Column, i: usize, tz: &chrono_tz::Tz) -> Vec<String> {
    if c.name().as_str() == "_time" {
        if let Ok(AnyValue::Float64(t)) = c.get(i) {
            return time::format_items("%Y-%m-%dT%H:%M:%S.%3N%:z")
                .and_then(|items| time::strftime(t, &items, tz))
                .into_iter()
                .collect();
        }
    }
    values_at(c, i)
}

pub(crate) fn tz_of(name: &str) -> chrono_tz::Tz {
    time::parse_tz(name).unwrap_or(chrono_tz::UTC)
}

/// Render as an aligned text table (or a note when there are no results).
pub fn table(df: &DataFrame, tz: &str) -> String {
    if df.height() == 0 {
        return "no results\n".into();
    }
    let tz = tz_of(tz);
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    t.set_header(df.get_column_names().iter().map(|n| n.to_string()));
    for i in 0..df.height() {
        t.add_row(df.columns().iter().map(|c| cell(c, i, &tz).join("\n")));
    }
    let mut out = t.to_string();
    out.push('\n');
    out.push_str(&format!(
        "{} result{}\n",
        df.height(),
        if df.height() == 1 { "" } else { "s" }
    ));
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Render as CSV (RFC 4180 quoting).
pub fn csv(df: &DataFrame, tz: &str) -> String {
    let tz = tz_of(tz);
    let mut out = String::new();
    let names: Vec<String> = df.get_column_names().iter().map(|n| csv_field(n)).collect();
    out.push_str(&names.join(","));
    out.push('\n');
    for i in 0..df.height() {
        let row: Vec<String> = df
            .columns()
            .iter()
            .map(|c| csv_field(&cell(c, i, &tz).join("\n")))
            .collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// One result as a JSON object: null fields omitted, one value as a scalar, two or more as an
/// array of strings.
fn json_row(df: &DataFrame, i: usize, tz: &chrono_tz::Tz) -> serde_json::Value {
    let mut obj = serde_json::Map::new();
    for c in df.columns() {
        let name = c.name().to_string();
        let value = match c.get(i) {
            Ok(AnyValue::Null) | Err(_) => continue,
            Ok(AnyValue::List(_)) => {
                let mut values = values_at(c, i);
                match values.len() {
                    0 => continue,
                    1 => serde_json::Value::String(values.remove(0)),
                    _ => serde_json::Value::Array(
                        values.into_iter().map(serde_json::Value::String).collect(),
                    ),
                }
            }
            Ok(_) if name == "_time" => match cell(c, i, tz).pop() {
                Some(s) => serde_json::Value::String(s),
                None => continue,
            },
            Ok(
                v @ (AnyValue::Float64(_)
                | AnyValue::Int64(_)
                | AnyValue::Int32(_)
                | AnyValue::UInt32(_)
                | AnyValue::UInt64(_)),
            ) => match any_to_string(&v)
                .and_then(|s| serde_json::from_str::<serde_json::Number>(&s).ok())
            {
                Some(n) => serde_json::Value::Number(n),
                None => continue,
            },
            Ok(AnyValue::Boolean(b)) => serde_json::Value::Bool(b),
            Ok(v) => match any_to_string(&v) {
                Some(s) => serde_json::Value::String(s),
                None => continue,
            },
        };
        obj.insert(name, value);
    }
    serde_json::Value::Object(obj)
}

/// Render as one JSON array of objects.
pub fn json(df: &DataFrame, tz: &str) -> String {
    let tz = tz_of(tz);
    let rows: Vec<serde_json::Value> = (0..df.height()).map(|i| json_row(df, i, &tz)).collect();
    serde_json::to_string_pretty(&serde_json::Value::Array(rows)).unwrap_or_else(|_| "[]".into())
        + "\n"
}

/// Render as JSON Lines: one object per result.
pub fn jsonl(df: &DataFrame, tz: &str) -> String {
    let tz = tz_of(tz);
    let mut out = String::new();
    for i in 0..df.height() {
        out.push_str(&json_row(df, i, &tz).to_string());
        out.push('\n');
    }
    out
}

/// Render each result's `_raw` on a line; a result without `_raw` as its fields' `k=v` pairs
/// (values with spaces or quotes quoted).
pub fn raw(df: &DataFrame, tz: &str) -> String {
    let tz = tz_of(tz);
    let raw = df.column("_raw").ok();
    let mut out = String::new();
    for i in 0..df.height() {
        if let Some(r) = raw {
            out.push_str(&values_at(r, i).join("\n"));
        } else {
            let pairs: Vec<String> = df
                .columns()
                .iter()
                .filter_map(|c| {
                    let v = cell(c, i, &tz);
                    (!v.is_empty()).then(|| {
                        let v = v.join("\n");
                        if v.contains([' ', '"', '=', '\n', ',']) || v.is_empty() {
                            format!("{}=\"{}\"", c.name(), v.replace('"', "\\\""))
                        } else {
                            format!("{}={v}", c.name())
                        }
                    })
                })
                .collect();
            out.push_str(&pairs.join(" "));
        }
        out.push('\n');
    }
    out
}

/// Render in a format.
pub fn render(df: &DataFrame, format: OutputFormat, tz: &str) -> String {
    match format {
        OutputFormat::Table => table(df, tz),
        OutputFormat::Csv => csv(df, tz),
        OutputFormat::Json => json(df, tz),
        OutputFormat::Jsonl => jsonl(df, tz),
        OutputFormat::Raw => raw(df, tz),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> DataFrame {
        let mv: ListChunked = [Some(Series::new("".into(), ["a", "b"])), None]
            .into_iter()
            .collect();
        let one: ListChunked = [
            Some(Series::new("".into(), ["x"])),
            Some(Series::new("".into(), ["y", "z"])),
        ]
        .into_iter()
        .collect();
        DataFrame::new_infer_height(vec![
            Column::new("dest".into(), [Some("h1"), Some("h,2")]),
            Column::new("count".into(), [1.0f64, 2.5]),
            mv.with_name("v".into()).into_column(),
            one.with_name("w".into()).into_column(),
        ])
        .unwrap()
    }

    #[test]
    fn json_keeps_column_order_arrays_and_omits_nulls() {
        let v: serde_json::Value = serde_json::from_str(&json(&frame(), "UTC")).unwrap();
        assert_eq!(v[0]["dest"], "h1");
        assert_eq!(v[0]["count"], 1);
        assert_eq!(v[0]["v"], serde_json::json!(["a", "b"]));
        assert!(v[1].get("v").is_none());
        let keys: Vec<&String> = v[0].as_object().unwrap().keys().collect();
        assert_eq!(keys, vec!["dest", "count", "v", "w"]);
    }

    #[test]
    fn one_value_of_a_multivalue_column_is_a_scalar() {
        let v: serde_json::Value = serde_json::from_str(&json(&frame(), "UTC")).unwrap();
        assert_eq!(v[0]["w"], "x");
        assert_eq!(v[1]["w"], serde_json::json!(["y", "z"]));
        let lines: Vec<serde_json::Value> = jsonl(&frame(), "UTC")
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["w"], "x");
        assert_eq!(lines[1]["w"], serde_json::json!(["y", "z"]));
    }

    #[test]
    fn raw_prints_raw_or_pairs() {
        assert_eq!(
            raw(&frame(), "UTC"),
            "dest=h1 count=1 v=\"a\nb\" w=x\ndest=\"h,2\" count=2.5 w=\"y\nz\"\n"
        );
    }

    #[test]
    fn csv_quotes_and_joins_multivalues() {
        assert_eq!(
            csv(&frame(), "UTC"),
            "dest,count,v,w\nh1,1,\"a\nb\",x\n\"h,2\",2.5,,\"y\nz\"\n"
        );
    }

    #[test]
    fn table_lists_rows() {
        let t = table(&frame(), "UTC");
        assert!(
            t.contains("dest") && t.contains("h,2") && t.ends_with("2 results\n"),
            "{t}"
        );
        assert_eq!(table(&DataFrame::empty(), "UTC"), "no results\n");
    }
}

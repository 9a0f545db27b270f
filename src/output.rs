//! Rendering results: a table for people, CSV and JSON for scripts.
//!
//! Columns appear in result order. Multivalue fields are one value per line in a table cell or a
//! CSV field, and arrays in JSON. `_time` is rendered as a time in the search's time zone.

use crate::expr::time;
use crate::frame::{any_to_string, values_at};
use polars::prelude::*;

/// Output formats of `spelunk run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// An aligned table.
    Table,
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON array of row objects (null fields omitted; multivalue fields as arrays).
    Json,
}

/// The cells of a column at a row, as text.
fn cell(c: &Column, i: usize, tz: &chrono_tz::Tz) -> Vec<String> {
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

fn tz_of(name: &str) -> chrono_tz::Tz {
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

/// Render as one JSON array of objects.
pub fn json(df: &DataFrame, tz: &str) -> String {
    let tz = tz_of(tz);
    let mut rows = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let mut obj = serde_json::Map::new();
        for c in df.columns() {
            let name = c.name().to_string();
            let value = match c.get(i) {
                Ok(AnyValue::Null) | Err(_) => continue,
                Ok(AnyValue::List(_)) => serde_json::Value::Array(
                    values_at(c, i)
                        .into_iter()
                        .map(serde_json::Value::String)
                        .collect(),
                ),
                Ok(_) if name == "_time" => match cell(c, i, &tz).pop() {
                    Some(s) => serde_json::Value::String(s),
                    None => continue,
                },
                Ok(
                    v @ (AnyValue::Float64(_)
                    | AnyValue::Int64(_)
                    | AnyValue::Int32(_)
                    | AnyValue::UInt32(_)
                    | AnyValue::UInt64(_)),
                ) => {
                    match any_to_string(&v)
                        .and_then(|s| serde_json::from_str::<serde_json::Number>(&s).ok())
                    {
                        Some(n) => serde_json::Value::Number(n),
                        None => continue,
                    }
                }
                Ok(AnyValue::Boolean(b)) => serde_json::Value::Bool(b),
                Ok(v) => match any_to_string(&v) {
                    Some(s) => serde_json::Value::String(s),
                    None => continue,
                },
            };
            obj.insert(name, value);
        }
        rows.push(serde_json::Value::Object(obj));
    }
    serde_json::to_string_pretty(&serde_json::Value::Array(rows)).unwrap_or_else(|_| "[]".into())
        + "\n"
}

/// Render in a format.
pub fn render(df: &DataFrame, format: OutputFormat, tz: &str) -> String {
    match format {
        OutputFormat::Table => table(df, tz),
        OutputFormat::Csv => csv(df, tz),
        OutputFormat::Json => json(df, tz),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> DataFrame {
        let mv: ListChunked = [Some(Series::new("".into(), ["a", "b"])), None]
            .into_iter()
            .collect();
        DataFrame::new_infer_height(vec![
            Column::new("dest".into(), [Some("h1"), Some("h,2")]),
            Column::new("count".into(), [1.0f64, 2.5]),
            mv.with_name("v".into()).into_column(),
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
        assert_eq!(keys, vec!["dest", "count", "v"]);
    }

    #[test]
    fn csv_quotes_and_joins_multivalues() {
        assert_eq!(
            csv(&frame(), "UTC"),
            "dest,count,v\nh1,1,\"a\nb\"\n\"h,2\",2.5,\n"
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

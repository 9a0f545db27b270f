//! Results for a person at a terminal (the REPL, and `spelunk run` when stdout is a terminal).
//!
//! - Results with `_raw` read as Splunk's event view: a numbered list of events, each with its
//!   time, the raw event wrapped to the window, and the selected fields (host, source,
//!   sourcetype) beneath.
//! - Other results are a table that fits the window: long cells are cut with `…`; when the
//!   columns still do not fit, the ones that do not are shown in further blocks beneath; a single
//!   result that does not fit is shown vertically (one field per line).

use super::{cell, tz_of};
use crate::frame::values_at;
use polars::prelude::*;
use std::time::Duration;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The fields shown beneath each event (Splunk's default selected fields).
pub const SELECTED_FIELDS: &[&str] = &["host", "source", "sourcetype"];

/// The most lines of one raw event shown before `… N more lines`.
pub const MAX_RAW_LINES: usize = 8;

/// The most values of one multivalue cell shown before `… +N more`.
const MAX_CELL_VALUES: usize = 5;

/// A column is never cut narrower than this to fit (further columns move to another block).
const MIN_COLUMN: usize = 16;

/// The width of the terminal on stdout (or `COLUMNS`, or 100 when neither is known).
pub fn terminal_width() -> usize {
    if let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size() {
        if w > 0 {
            return w as usize;
        }
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&w: &usize| w > 0)
        .unwrap_or(100)
}

/// The height of the terminal on stdout (or `LINES`, or 24).
pub fn terminal_height() -> usize {
    if let Some((_, terminal_size::Height(h))) = terminal_size::terminal_size() {
        if h > 0 {
            return h as usize;
        }
    }
    std::env::var("LINES")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&h: &usize| h > 0)
        .unwrap_or(24)
}

/// `N results (x ms)`, printed after each search.
pub fn footer(n: usize, elapsed: Duration) -> String {
    let ms = elapsed.as_secs_f64() * 1000.0;
    let time = if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    };
    format!("{n} result{} ({time})\n", if n == 1 { "" } else { "s" })
}

/// Results rendered for a terminal `width` columns wide (without the footer).
pub fn render(df: &DataFrame, tz: &str, width: usize) -> String {
    let width = width.max(20);
    if df.height() == 0 {
        return "no results\n".into();
    }
    if df.column("_raw").is_ok() {
        events(df, tz, width)
    } else {
        fitted_table(df, tz, width)
    }
}

/// The display width of a string.
pub fn display_width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` cut to at most `max` display columns, ending in `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if display_width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for ch in s.chars() {
        let cw = ch.width().unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        out.push(ch);
        w += cw;
    }
    out.push('…');
    out
}

/// `line` broken into pieces of at most `width` display columns, preferring a break after a
/// space in the last third of a piece.
pub fn wrap(line: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut rest: Vec<char> = line.chars().filter(|c| *c != '\r').collect();
    let expand = |c: char| if c == '\t' { ' ' } else { c };
    loop {
        let mut w = 0;
        let mut end = 0;
        while end < rest.len() {
            let cw = expand(rest[end]).width().unwrap_or(0);
            if w + cw > width {
                break;
            }
            w += cw;
            end += 1;
        }
        if end == rest.len() {
            out.push(rest.iter().copied().map(expand).collect());
            return out;
        }
        let end = end.max(1);
        let brk = (end * 2 / 3..end)
            .rev()
            .find(|&i| rest[i] == ' ')
            .map(|i| i + 1)
            .unwrap_or(end);
        out.push(rest[..brk].iter().copied().map(expand).collect());
        rest.drain(..brk);
    }
}

fn time_text(df: &DataFrame, i: usize, tz: &chrono_tz::Tz) -> Option<String> {
    let c = df.column("_time").ok()?;
    cell(c, i, tz).pop().map(|t| t.replacen('T', " ", 1))
}

/// The event list.
fn events(df: &DataFrame, tz: &str, width: usize) -> String {
    let tz = tz_of(tz);
    let Ok(raw) = df.column("_raw") else {
        return String::new();
    };
    let num_w = df.height().to_string().len();
    let indent = " ".repeat(num_w + 2);
    let body = width.saturating_sub(num_w + 2).max(10);
    let mut out = String::new();
    for i in 0..df.height() {
        let time = time_text(df, i, &tz).unwrap_or_default();
        out.push_str(&format!("{:>num_w$}  {time}\n", i + 1));
        let text = values_at(raw, i).join("\n");
        let lines: Vec<String> = text.lines().flat_map(|l| wrap(l, body)).collect();
        for l in lines.iter().take(MAX_RAW_LINES) {
            out.push_str(&indent);
            out.push_str(l);
            out.push('\n');
        }
        if lines.len() > MAX_RAW_LINES {
            let more = lines.len() - MAX_RAW_LINES;
            out.push_str(&format!(
                "{indent}… {more} more line{}\n",
                if more == 1 { "" } else { "s" }
            ));
        }
        let fields: Vec<String> = SELECTED_FIELDS
            .iter()
            .filter_map(|f| {
                let c = df.column(f).ok()?;
                let v = cell(c, i, &tz);
                (!v.is_empty()).then(|| format!("{f} = {}", v.join(", ")))
            })
            .collect();
        // Fields side by side while they fit, a field never split across lines unless alone.
        let mut line = String::new();
        for f in fields {
            if !line.is_empty() && display_width(&line) + 3 + display_width(&f) > body {
                out.push_str(&indent);
                out.push_str(&line);
                out.push('\n');
                line.clear();
            }
            if !line.is_empty() {
                line.push_str("   ");
            }
            line.push_str(&f);
        }
        if !line.is_empty() {
            for l in wrap(&line, body) {
                out.push_str(&indent);
                out.push_str(&l);
                out.push('\n');
            }
        }
        out.push('\n');
    }
    out
}

/// A column's header and its cells (one line per value, at most [`MAX_CELL_VALUES`]).
struct Col {
    name: String,
    cells: Vec<Vec<String>>,
}

impl Col {
    fn width(&self) -> usize {
        self.cells
            .iter()
            .flatten()
            .map(|s| display_width(s))
            .chain(std::iter::once(display_width(&self.name)))
            .max()
            .unwrap_or(0)
    }
}

fn columns(df: &DataFrame, tz: &str) -> Vec<Col> {
    let tz = tz_of(tz);
    df.columns()
        .iter()
        .map(|c| Col {
            name: c.name().to_string(),
            cells: (0..df.height())
                .map(|i| {
                    let mut v: Vec<String> = cell(c, i, &tz)
                        .iter()
                        .flat_map(|s| s.lines().map(str::to_string).collect::<Vec<_>>())
                        .collect();
                    if v.len() > MAX_CELL_VALUES {
                        let more = v.len() - (MAX_CELL_VALUES - 1);
                        v.truncate(MAX_CELL_VALUES - 1);
                        v.push(format!("… +{more} more"));
                    }
                    v
                })
                .collect(),
        })
        .collect()
}

/// The widest a column may be so that columns of these widths fit in `avail`: the largest `L`
/// with `Σ min(wᵢ, L) ≤ avail`.
fn level(widths: &[usize], avail: usize) -> usize {
    if widths.iter().sum::<usize>() <= avail {
        return widths.iter().copied().max().unwrap_or(0);
    }
    let (mut lo, mut hi) = (0usize, widths.iter().copied().max().unwrap_or(0));
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if widths.iter().map(|&w| w.min(mid)).sum::<usize>() <= avail {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo
}

/// A table's width for columns of these content widths (borders and one space of padding).
fn table_width(widths: &[usize]) -> usize {
    widths.iter().map(|w| w + 3).sum::<usize>() + 1
}

fn draw(cols: &[&Col], limit: usize, rows: usize) -> String {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    t.set_header(cols.iter().map(|c| truncate(&c.name, limit)));
    for i in 0..rows {
        t.add_row(cols.iter().map(|c| {
            c.cells[i]
                .iter()
                .map(|s| truncate(s, limit))
                .collect::<Vec<_>>()
                .join("\n")
        }));
    }
    let mut s = t.to_string();
    s.push('\n');
    s
}

/// A table fitted to `width`.
fn fitted_table(df: &DataFrame, tz: &str, width: usize) -> String {
    let cols = columns(df, tz);
    let widths: Vec<usize> = cols.iter().map(Col::width).collect();
    let avail = |n: usize| width.saturating_sub(3 * n + 1);
    let l = level(&widths, avail(cols.len()));
    if l >= MIN_COLUMN.min(widths.iter().copied().max().unwrap_or(0)) {
        let refs: Vec<&Col> = cols.iter().collect();
        return draw(&refs, l, df.height());
    }
    if df.height() == 1 {
        return vertical(&cols, width);
    }
    // Blocks of the columns that fit side by side, each column cut to MIN_COLUMN at most.
    let mut blocks: Vec<Vec<usize>> = vec![Vec::new()];
    for (i, w) in widths.iter().enumerate() {
        let mut trial: Vec<usize> = blocks.last().unwrap().iter().map(|&j| widths[j]).collect();
        trial.push(*w);
        let capped: Vec<usize> = trial.iter().map(|&w| w.min(MIN_COLUMN)).collect();
        if table_width(&capped) > width && !blocks.last().unwrap().is_empty() {
            blocks.push(Vec::new());
        }
        blocks.last_mut().unwrap().push(i);
    }
    let mut out = String::new();
    for (b, block) in blocks.iter().enumerate() {
        if b > 0 {
            out.push_str(&format!(
                "(columns {}–{} of {})\n",
                block[0] + 1,
                block[block.len() - 1] + 1,
                cols.len()
            ));
        }
        let bw: Vec<usize> = block.iter().map(|&j| widths[j]).collect();
        let l = level(&bw, avail(block.len())).max(1);
        let refs: Vec<&Col> = block.iter().map(|&j| &cols[j]).collect();
        out.push_str(&draw(&refs, l, df.height()));
    }
    out
}

/// One result, one field per row.
fn vertical(cols: &[Col], width: usize) -> String {
    let name_w = cols
        .iter()
        .map(|c| display_width(&c.name))
        .max()
        .unwrap_or(0)
        .min(width / 3);
    let value_w = width.saturating_sub(name_w + 7).max(4);
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    t.set_header(["field", "value"]);
    for c in cols {
        let value: Vec<String> = c.cells[0].iter().map(|s| truncate(s, value_w)).collect();
        t.add_row([truncate(&c.name, name_w), value.join("\n")]);
    }
    let mut s = t.to_string();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn widest(s: &str) -> usize {
        s.lines().map(display_width).max().unwrap_or(0)
    }

    #[test]
    fn wrap_and_truncate_respect_widths() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        let w = wrap("aaaa bbbb cccc dddd", 10);
        assert!(w.iter().all(|l| display_width(l) <= 10), "{w:?}");
        assert_eq!(w.concat(), "aaaa bbbb cccc dddd");
    }

    #[test]
    fn wide_tables_fit_in_blocks_or_vertically() {
        let cols: Vec<Column> = (0..12)
            .map(|i| {
                Column::new(
                    format!("field_number_{i}").into(),
                    [
                        format!("a fairly long value {i} {}", "x".repeat(40)),
                        "b".into(),
                    ],
                )
            })
            .collect();
        let df = DataFrame::new_infer_height(cols).unwrap();
        let t = render(&df, "UTC", 80);
        assert!(widest(&t) <= 80, "{t}");
        assert!(
            t.contains("field_number_11") || t.contains("field_numbe…"),
            "{t}"
        );
        assert!(t.contains("(columns"), "{t}");
        let one = df.head(Some(1));
        let v = render(&one, "UTC", 80);
        assert!(widest(&v) <= 80, "{v}");
        assert!(v.contains("field_number_11"), "{v}");
        assert!(v.contains('…'), "{v}");
    }

    #[test]
    fn raw_results_are_an_event_list() {
        let df = DataFrame::new_infer_height(vec![
            Column::new("_time".into(), [1_700_000_000.5f64]),
            Column::new(
                "_raw".into(),
                ["<Event>".to_string() + &"y".repeat(300) + "</Event>"],
            ),
            Column::new("host".into(), ["wks-1"]),
            Column::new("sourcetype".into(), ["XmlWinEventLog"]),
            Column::new("EventCode".into(), ["1"]),
        ])
        .unwrap();
        let t = render(&df, "UTC", 60);
        assert!(widest(&t) <= 60, "{t}");
        assert!(t.starts_with("1  2023-11-14 22:13:20.500"), "{t}");
        assert!(
            t.contains("host = wks-1   sourcetype = XmlWinEventLog"),
            "{t}"
        );
        assert!(!t.contains("EventCode"), "{t}");
        assert_eq!(footer(3, Duration::from_millis(42)), "3 results (42 ms)\n");
    }
}

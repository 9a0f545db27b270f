//! Ingest: readers that turn raw data into Splunk events, as Splunk's parsing pipeline would.
//!
//! A reader streams one input file and yields [`Record`]s: either an [`Event`] with its extracted
//! fields, or a [`Rejection`] saying why a stretch of the file could not become an event (with the
//! byte offset, so a user can find it). Readers hold at most one event (plus a read buffer) in
//! memory, so any file size can be replayed.
//!
//! Formats: XmlWinEventLog ([`xml`]), Windows EVTX ([`evtx`]), JSON lines, plain or zipped
//! ([`json`]). [`dataset`] resolves what the user named (files, directories, attack_data dataset
//! YAML) into [`Input`]s.

pub mod dataset;
pub mod evtx;
pub mod generate;
pub mod json;
pub mod xml;

use std::fmt;
use std::path::{Path, PathBuf};

/// One event as Splunk would index it: the default fields plus the fields extracted from `_raw`.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// `_time`: epoch seconds, UTC, sub-second allowed.
    pub time: f64,
    /// `_raw`: the event text, verbatim.
    pub raw: String,
    /// `host`, when the reader knows it (XmlWinEventLog: `Computer`). The replay fills the rest.
    pub host: Option<String>,
    /// `source`, when the reader knows it (XmlWinEventLog: `XmlWinEventLog:<Channel>`).
    pub source: Option<String>,
    /// `sourcetype`, when the reader knows it.
    pub sourcetype: Option<String>,
    /// Extracted fields in extraction order. A name given more than once is a multivalue field.
    pub fields: Vec<(String, String)>,
    /// Byte offset of the event in its file (EVTX: the record number).
    pub offset: u64,
}

impl Event {
    /// First value of an extracted field.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why an event (or a whole file) was not stored. The `kind` is a short, stable reason used to
/// count rejections; `detail` says more about this one.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Rejection {
    /// Short reason, e.g. `truncated event`, `bad XML entity`, `invalid UTF-8`, `missing file`.
    pub kind: String,
    /// Details for this occurrence.
    pub detail: String,
    /// The file, as the user named it.
    pub file: String,
    /// Byte offset in the file (EVTX: record number; 0 for whole-file problems).
    pub offset: u64,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} ({} at byte {})",
            self.kind, self.detail, self.file, self.offset
        )
    }
}

/// What a reader yields.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// A good event.
    Event(Event),
    /// A stretch of input that could not become an event.
    Rejected(Rejection),
}

/// The input formats spelunk reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Format {
    /// Windows event XML, one `<Event>` after another (attack_data's `XmlWinEventLog` files).
    XmlWinEventLog,
    /// Binary Windows event log files (`.evtx`).
    Evtx,
    /// One JSON object per line, plain or inside a `.zip`.
    JsonLines,
}

/// One file to replay, with the default fields a user (or a dataset YAML) gave for it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Input {
    /// The file (or, before resolution, a directory or dataset YAML).
    pub path: PathBuf,
    /// `source` for every event of the file; when absent, derived per event.
    pub source: Option<String>,
    /// `sourcetype`; chooses the reader (case-insensitively) and is stored as given.
    pub sourcetype: Option<String>,
    /// `host`; when absent, from the event (XmlWinEventLog: `Computer`).
    pub host: Option<String>,
    /// Index to store the events in; when absent, the replay's default index.
    pub index: Option<String>,
}

impl Input {
    /// An input for `path` with no overrides.
    pub fn new(path: impl Into<PathBuf>) -> Input {
        Input {
            path: path.into(),
            ..Input::default()
        }
    }
}

/// Options of the readers that are not per-file.
#[derive(Debug, Clone)]
pub struct ReaderOptions {
    /// JSON: field names tried, in order, for `_time`.
    pub json_time_fields: Vec<String>,
    /// Largest event accepted, in bytes; a longer one is rejected (keeps memory bounded).
    pub max_event_bytes: usize,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        ReaderOptions {
            json_time_fields: [
                "_time",
                "@timestamp",
                "timestamp",
                "TimeCreated",
                "EventTime",
                "UtcTime",
                "time",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            max_event_bytes: 16 << 20,
        }
    }
}

/// A stream of records from one file.
pub type RecordIter = Box<dyn Iterator<Item = Record> + Send>;

/// Chooses the format of `path`: the sourcetype first (case-insensitively), then the content
/// (EVTX and zip magic numbers, a leading `<` or `{`), then the file extension.
pub fn detect_format(path: &Path, sourcetype: Option<&str>) -> Option<Format> {
    if let Some(st) = sourcetype {
        let st = st.to_ascii_lowercase();
        if st.contains("xmlwineventlog") {
            return Some(Format::XmlWinEventLog);
        }
        if st == "_json" || st.ends_with("json") {
            return Some(Format::JsonLines);
        }
    }
    let mut head = [0u8; 512];
    let n = std::fs::File::open(path)
        .and_then(|mut f| {
            use std::io::Read;
            f.read(&mut head)
        })
        .unwrap_or(0);
    let head = &head[..n];
    if head.starts_with(b"ElfFile\0") {
        return Some(Format::Evtx);
    }
    if head.starts_with(b"PK\x03\x04") {
        return Some(Format::JsonLines);
    }
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    match text.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'<') => return Some(Format::XmlWinEventLog),
        Some(b'{') => return Some(Format::JsonLines),
        _ => {}
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "evtx" => Some(Format::Evtx),
        "json" | "jsonl" | "ndjson" | "zip" => Some(Format::JsonLines),
        "log" | "txt" | "xml" => Some(Format::XmlWinEventLog),
        _ => None,
    }
}

/// Opens a reader for one input file. Whole-file problems (missing, empty, unreadable, unknown
/// format) come back as a single [`Rejection`] in the stream, so callers have one path for errors.
pub fn open(input: &Input, opts: &ReaderOptions) -> RecordIter {
    let file = input.path.display().to_string();
    let whole = |kind: &str, detail: String| -> RecordIter {
        Box::new(std::iter::once(Record::Rejected(Rejection {
            kind: kind.to_string(),
            detail,
            file: file.clone(),
            offset: 0,
        })))
    };
    let meta = match std::fs::metadata(&input.path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return whole("missing file", "no such file".into())
        }
        Err(e) => return whole("unreadable file", e.to_string()),
    };
    if meta.is_dir() {
        return whole("unreadable file", "is a directory".into());
    }
    if meta.len() == 0 {
        return whole("empty file", "the file has no data".into());
    }
    match detect_format(&input.path, input.sourcetype.as_deref()) {
        Some(Format::XmlWinEventLog) => match xml::XmlReader::open(&input.path, opts) {
            Ok(r) => Box::new(r),
            Err(e) => whole("unreadable file", e.to_string()),
        },
        Some(Format::Evtx) => evtx::read(&input.path),
        Some(Format::JsonLines) => json::read(&input.path, opts),
        None => whole(
            "unknown format",
            "not XmlWinEventLog, EVTX or JSON lines (give --sourcetype)".into(),
        ),
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// Parses `YYYY-MM-DD[T ]HH:MM:SS[.fraction][Z|±HH:MM]` into epoch seconds (UTC when no zone).
/// This covers Windows `SystemTime`, Sysmon `UtcTime`, OTRF `TimeCreated` and ISO 8601 stamps.
pub fn parse_timestamp(s: &str) -> Option<f64> {
    let b = s.trim().as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(r)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b' ') {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut i = 19;
    let mut frac = 0.0;
    if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let digits = std::str::from_utf8(&b[start..i]).ok()?;
        if !digits.is_empty() {
            frac = format!("0.{digits}").parse::<f64>().ok()?;
        }
    }
    let mut offset = 0i64;
    match b.get(i) {
        None | Some(b'Z') | Some(b'z') => {}
        Some(&c) if c == b'+' || c == b'-' => {
            let oh = num(i + 1..i + 3)? as i64;
            let om = if b.get(i + 3) == Some(&b':') {
                num(i + 4..i + 6)?
            } else {
                num(i + 3..i + 5).unwrap_or(0)
            } as i64;
            offset = (oh * 3600 + om * 60) * if c == b'+' { 1 } else { -1 };
        }
        Some(_) => return None,
    }
    let days = days_from_civil(y as i64, mo, d);
    let secs = days * 86400 + h as i64 * 3600 + mi as i64 * 60 + se as i64 - offset;
    Some(secs as f64 + frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Some(0.0));
        let t = parse_timestamp("2025-11-03T09:52:42.958354700Z").unwrap_or_default();
        assert!((t - 1762163562.9583547).abs() < 1e-6, "{t}");
        assert_eq!(
            parse_timestamp("2020-10-19 03:30:41.104").map(|t| t.floor()),
            Some(1603078241.0)
        );
        assert_eq!(
            parse_timestamp("2020-10-19T05:30:41+02:00"),
            Some(1603078241.0)
        );
        assert_eq!(parse_timestamp("garbage"), None);
    }
}

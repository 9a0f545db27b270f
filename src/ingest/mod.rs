//! Ingest: readers that turn raw data into Splunk events, as Splunk's parsing pipeline would.
//!
//! A reader streams one input file and yields [`Record`]s: either an [`Event`] with its extracted
//! fields, or a [`Rejection`] saying why a stretch of the file could not become an event (with the
//! byte offset, so a user can find it). Readers hold at most one event (plus a read buffer) in
//! memory, so any file size can be replayed.
//!
//! Formats: XmlWinEventLog ([`xml`]), Windows EVTX ([`evtx`]), JSON: lines, arrays, CloudTrail
//! `{"Records":[...]}` files and pretty-printed documents ([`json`]), Linux audit text
//! ([`audit`]); each plain, gzip-compressed or in the entries of a zip archive. [`dataset`]
//! resolves what the user named (files, directories, attack_data dataset YAML) into [`Input`]s.
//!
//! As Splunk never drops an event for its time or its bytes, neither does a reader: invalid UTF-8
//! is replaced by U+FFFD and an event whose time cannot be read takes the previous event's time
//! (the file's modification time for the first); both are marked in [`Event::repaired`] and
//! counted in the replay summary.

pub mod audit;
pub mod dataset;
pub mod evtx;
pub mod generate;
pub mod json;
pub mod xml;

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// One event as Splunk would index it: the default fields plus the fields extracted from `_raw`.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// `_time`: epoch seconds, UTC, sub-second allowed. A reader leaves it NaN when the event
    /// holds no time it can read; [`open`] then applies the sourcetype's timestamp settings and
    /// Splunk's fallbacks.
    pub time: f64,
    /// `_raw`: the event text, verbatim (invalid UTF-8 replaced by U+FFFD).
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
    /// What had to be repaired for the event to be stored.
    pub repaired: Repairs,
}

/// What was repaired in an event (Splunk keeps such events; the replay summary counts them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Repairs {
    /// No readable time: `_time` is the previous event's (or the file's modification time).
    pub time: bool,
    /// Invalid UTF-8 replaced by U+FFFD.
    pub bytes: bool,
}

impl Event {
    /// An event with no time yet (NaN), no default fields and nothing repaired.
    pub fn new(raw: String, fields: Vec<(String, String)>, offset: u64) -> Event {
        Event {
            time: f64::NAN,
            raw,
            host: None,
            source: None,
            sourcetype: None,
            fields,
            offset,
            repaired: Repairs::default(),
        }
    }

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
    /// Short reason, e.g. `truncated event`, `bad XML entity`, `bad JSON`, `missing file`.
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
    /// JSON: one object per line, an array of objects, CloudTrail `{"Records":[...]}` files, or
    /// pretty-printed objects one after another.
    JsonLines,
    /// Linux audit text (`type=... msg=audit(EPOCH:SERIAL): key=value ...`), one record a line.
    LinuxAudit,
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

/// A sourcetype's timestamp settings (Splunk's `TIMESTAMP_FIELDS` for structured data and
/// `TIME_PREFIX` for text), from the `timestamp:` section of a `knowledge/mappings/*.yml` file.
#[derive(Debug, Clone)]
pub struct TimeRule {
    /// Sourcetype, lower case; a trailing `*` matches any rest (`gws:reports:*`).
    pub sourcetype: String,
    /// Extracted fields holding the time, tried in order (JSON: flattened names such as `id.time`).
    pub fields: Vec<String>,
    /// `TIME_PREFIX`: the time follows the first match of this pattern in `_raw`.
    pub prefix: Option<regex::Regex>,
}

impl TimeRule {
    /// Whether the rule is for sourcetype `st` (lower case).
    pub fn applies(&self, st: &str) -> bool {
        match self.sourcetype.strip_suffix('*') {
            Some(p) => st.starts_with(p),
            None => self.sourcetype == st,
        }
    }

    /// The event's time by this rule.
    pub fn time_of(&self, ev: &Event) -> Option<f64> {
        for f in &self.fields {
            if let Some(t) = ev
                .fields
                .iter()
                .filter(|(k, _)| k == f)
                .find_map(|(_, v)| parse_time_value(v))
            {
                return Some(t);
            }
        }
        let re = self.prefix.as_ref()?;
        let m = re.find(&ev.raw)?;
        parse_time_prefix(&ev.raw[m.end()..])
    }
}

/// Options of the readers that are not per-file.
#[derive(Debug, Clone)]
pub struct ReaderOptions {
    /// JSON: field names tried, in order, for `_time` when the sourcetype has no timestamp
    /// settings (Splunk's own recognition then looks at the first timestamp-shaped value).
    pub json_time_fields: Vec<String>,
    /// A field named by the user (`--time-field`): tried before anything else.
    pub time_field: Option<String>,
    /// Timestamp settings per sourcetype (by default, those of spelunk's `knowledge/`).
    pub timestamps: Vec<TimeRule>,
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
            time_field: None,
            timestamps: crate::knowledge::bundled_time_rules().to_vec(),
            max_event_bytes: 16 << 20,
        }
    }
}

/// A stream of records from one file.
pub type RecordIter = Box<dyn Iterator<Item = Record> + Send>;

/// The format the first bytes of a stream show: EVTX, zip and gzip magic numbers, a leading `<`
/// or `{`/`[`, or `type=` (Linux audit).
fn sniff(head: &[u8]) -> Option<Format> {
    if head.starts_with(b"ElfFile\0") {
        return Some(Format::Evtx);
    }
    if head.starts_with(b"PK\x03\x04") {
        return Some(Format::JsonLines);
    }
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
    match text[start] {
        b'<' => Some(Format::XmlWinEventLog),
        b'{' | b'[' => Some(Format::JsonLines),
        _ if audit::looks_like_audit(&text[start..]) => Some(Format::LinuxAudit),
        _ => None,
    }
}

fn format_of_sourcetype(st: &str) -> Option<Format> {
    let st = st.to_ascii_lowercase();
    if st.contains("xmlwineventlog") {
        return Some(Format::XmlWinEventLog);
    }
    if st == "linux:audit" || st == "auditd" {
        return Some(Format::LinuxAudit);
    }
    if st == "_json" || st.ends_with("json") {
        return Some(Format::JsonLines);
    }
    None
}

fn format_of_extension(path: &Path) -> Option<Format> {
    let name = path
        .file_name()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext {
        "evtx" => Some(Format::Evtx),
        "json" | "jsonl" | "ndjson" | "zip" => Some(Format::JsonLines),
        "log" | "txt" | "xml" => Some(Format::XmlWinEventLog),
        _ => None,
    }
}

/// Chooses the format of `path`: the sourcetype first (case-insensitively), then the content
/// (looking inside gzip), then the file extension.
pub fn detect_format(path: &Path, sourcetype: Option<&str>) -> Option<Format> {
    if let Some(f) = sourcetype.and_then(format_of_sourcetype) {
        return Some(f);
    }
    let mut head = Vec::with_capacity(512);
    if let Ok(f) = std::fs::File::open(path) {
        let _ = f.take(512).read_to_end(&mut head);
    }
    if head.starts_with(&[0x1f, 0x8b]) {
        let mut inner = Vec::with_capacity(512);
        if let Ok(f) = std::fs::File::open(path) {
            let _ = flate2::read::MultiGzDecoder::new(f)
                .take(512)
                .read_to_end(&mut inner);
        }
        head = inner;
    }
    sniff(&head).or_else(|| format_of_extension(path))
}

/// Opens a reader for one input file. Whole-file problems (missing, empty, unreadable, unknown
/// format) come back as a single [`Rejection`] in the stream, so callers have one path for errors.
/// Events come out with their time settled (see [`Event::time`]).
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
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let gz = std::fs::File::open(&input.path)
        .and_then(|mut f| {
            let mut m = [0u8; 2];
            f.read_exact(&mut m).map(|_| m == [0x1f, 0x8b])
        })
        .unwrap_or(false);
    let st = input.sourcetype.as_deref();
    let inner: RecordIter = if gz {
        match std::fs::File::open(&input.path) {
            Ok(f) => open_stream(
                Box::new(flate2::read::MultiGzDecoder::new(f)),
                file.clone(),
                st,
                Some(&input.path),
                opts,
            ),
            Err(e) => return whole("unreadable file", e.to_string()),
        }
    } else {
        match detect_format(&input.path, st) {
            Some(Format::XmlWinEventLog) => match xml::XmlReader::open(&input.path, opts) {
                Ok(r) => Box::new(r),
                Err(e) => whole("unreadable file", e.to_string()),
            },
            Some(Format::Evtx) => evtx::read(&input.path),
            Some(Format::JsonLines) => json::read(&input.path, opts),
            Some(Format::LinuxAudit) => match std::fs::File::open(&input.path) {
                Ok(f) => Box::new(audit::AuditReader::new(
                    Box::new(std::io::BufReader::new(f)),
                    file.clone(),
                    opts,
                )),
                Err(e) => whole("unreadable file", e.to_string()),
            },
            None => whole(
                "unknown format",
                "not XmlWinEventLog, EVTX, JSON or Linux audit text (give --sourcetype)".into(),
            ),
        }
    };
    Box::new(Timestamps::new(inner, opts, st, mtime))
}

/// Reads a decompressed stream (a `.gz` file or a zip entry) whose format is told by its
/// sourcetype, its first bytes, or else the file name's extension (without `.gz`).
pub(crate) fn open_stream(
    src: Box<dyn Read + Send>,
    name: String,
    sourcetype: Option<&str>,
    path: Option<&Path>,
    opts: &ReaderOptions,
) -> RecordIter {
    let mut src = std::io::BufReader::with_capacity(1 << 16, src);
    let head = match std::io::BufRead::fill_buf(&mut src) {
        Ok(h) => h.to_vec(),
        Err(e) => {
            return Box::new(std::iter::once(Record::Rejected(Rejection {
                kind: "unreadable file".into(),
                detail: e.to_string(),
                file: name,
                offset: 0,
            })))
        }
    };
    let format = sourcetype
        .and_then(format_of_sourcetype)
        .or_else(|| sniff(&head))
        .or_else(|| path.and_then(format_of_extension));
    match format {
        Some(Format::XmlWinEventLog) => {
            Box::new(xml::XmlReader::from_reader(Box::new(src), &name, opts))
        }
        Some(Format::Evtx) => {
            let mut buf = Vec::new();
            match src.read_to_end(&mut buf) {
                Ok(_) => evtx::read_buffer(buf, name),
                Err(e) => Box::new(std::iter::once(Record::Rejected(Rejection {
                    kind: "unreadable file".into(),
                    detail: e.to_string(),
                    file: name,
                    offset: 0,
                }))),
            }
        }
        Some(Format::JsonLines) if head.starts_with(b"PK\x03\x04") => {
            Box::new(std::iter::once(Record::Rejected(Rejection {
                kind: "unknown format".into(),
                detail: "a zip archive inside a compressed stream".into(),
                file: name,
                offset: 0,
            })))
        }
        Some(Format::JsonLines) => {
            Box::new(json::JsonLines::new(Box::new(src), name, opts.clone()))
        }
        Some(Format::LinuxAudit) => Box::new(audit::AuditReader::new(Box::new(src), name, opts)),
        None => Box::new(std::iter::once(Record::Rejected(Rejection {
            kind: "unknown format".into(),
            detail: "not XmlWinEventLog, EVTX, JSON or Linux audit text (give --sourcetype)".into(),
            file: name,
            offset: 0,
        }))),
    }
}

/// Settles each event's `_time` as Splunk's timestamp processing does: a field the user named,
/// then the sourcetype's settings ([`TimeRule`]), then what the reader recognised, then the
/// previous event's time, then the file's modification time. An event never fails for its time.
struct Timestamps {
    inner: RecordIter,
    user_field: Option<String>,
    rules: Vec<TimeRule>,
    /// The sourcetype the user gave (wins over the reader's).
    given: Option<String>,
    /// The last sourcetype seen and the index of its rule.
    cached: Option<(String, Option<usize>)>,
    previous: Option<f64>,
    mtime: f64,
}

impl Timestamps {
    fn new(inner: RecordIter, opts: &ReaderOptions, given: Option<&str>, mtime: f64) -> Self {
        Timestamps {
            inner,
            user_field: opts.time_field.clone(),
            rules: opts.timestamps.clone(),
            given: given.map(str::to_ascii_lowercase),
            cached: None,
            previous: None,
            mtime,
        }
    }

    fn rule_for(&mut self, ev: &Event) -> Option<&TimeRule> {
        let st = match (&self.given, &ev.sourcetype) {
            (Some(g), _) => g.as_str(),
            (None, Some(s)) => s.as_str(),
            (None, None) => "_json",
        };
        // Most files hold one sourcetype: the last answer is kept (no allocation per event).
        let idx = match &self.cached {
            Some((s, i)) if s.eq_ignore_ascii_case(st) => *i,
            _ => {
                let lower = st.to_ascii_lowercase();
                let i = self.rules.iter().position(|r| r.applies(&lower));
                self.cached = Some((lower, i));
                i
            }
        };
        idx.and_then(|i| self.rules.get(i))
    }
}

impl Iterator for Timestamps {
    type Item = Record;
    fn next(&mut self) -> Option<Record> {
        let rec = self.inner.next()?;
        let Record::Event(mut ev) = rec else {
            return Some(rec);
        };
        let mut t = None;
        if let Some(f) = &self.user_field {
            t = ev.field(f).and_then(parse_time_value);
        }
        if t.is_none() && !self.rules.is_empty() {
            t = self.rule_for(&ev).and_then(|r| r.time_of(&ev));
        }
        let t = t.or_else(|| (!ev.time.is_nan()).then_some(ev.time));
        match t {
            Some(t) => {
                ev.time = t;
                self.previous = Some(t);
            }
            None => {
                ev.time = self.previous.unwrap_or(self.mtime);
                ev.repaired.time = true;
            }
        }
        Some(Record::Event(ev))
    }
}

/// A field value read as a time: an ISO 8601 stamp, a number of epoch seconds (milliseconds
/// when it is too large for seconds), or the other shapes of [`parse_time_prefix`].
pub fn parse_time_value(v: &str) -> Option<f64> {
    let v = v.trim();
    if let Ok(n) = v.parse::<f64>() {
        if n.is_finite() && n > 0.0 {
            return Some(if n > 1e11 { n / 1000.0 } else { n });
        }
        return None;
    }
    parse_timestamp(v).or_else(|| parse_time_prefix(v))
}

/// A time at the start of `s` (what follows a `TIME_PREFIX`): epoch seconds with an optional
/// fraction (`1604994496.155`), or an ISO 8601 stamp, or the other common shapes Splunk
/// recognises on its own (`Mar 2, 2021 9:18:24 PM`, `10/Oct/2000:13:55:36 -0700`).
pub fn parse_time_prefix(s: &str) -> Option<f64> {
    let s = s.trim_start();
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if (9..=10).contains(&digits) && s.as_bytes().get(digits) != Some(&b'-') {
        let mut end = digits;
        if s.as_bytes().get(end) == Some(&b'.') {
            end += 1 + s[end + 1..].bytes().take_while(u8::is_ascii_digit).count();
        }
        return s[..end].trim_end_matches('.').parse::<f64>().ok();
    }
    let b = s.as_bytes();
    let mut end = 0;
    while end < b.len() {
        let c = b[end];
        let ok = c.is_ascii_digit()
            || matches!(c, b'-' | b':' | b'T' | b'.' | b',' | b'+' | b'Z' | b'z')
            || (c == b' ' && end == 10);
        if !ok {
            break;
        }
        end += 1;
    }
    if end >= 19 {
        if let Some(t) = parse_timestamp(s[..end].trim_end_matches(',')) {
            return Some(t);
        }
    }
    parse_month_name_time(s)
}

/// `Mar 2, 2021 9:18:24 PM` (Java's default date format, in CloudTrail `createDate`) and
/// `10/Oct/2000:13:55:36 -0700` (Apache), UTC when no zone.
fn parse_month_name_time(s: &str) -> Option<f64> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let month = |w: &str| {
        let w = w.to_ascii_lowercase();
        MONTHS
            .iter()
            .position(|m| w.starts_with(m))
            .map(|i| i as u32 + 1)
    };
    let hms = |t: &str| -> Option<i64> {
        let mut it = t.split(':');
        let h: i64 = it.next()?.parse().ok()?;
        let m: i64 = it.next()?.parse().ok()?;
        let sec: f64 = it.next().unwrap_or("0").parse().ok()?;
        (h < 24 && m < 60).then_some(h * 3600 + m * 60 + sec as i64)
    };
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .take(5)
        .collect();
    if let [mon, day, year, time, rest @ ..] = words.as_slice() {
        let mo = month(mon)?;
        let d: u32 = day.parse().ok()?;
        let y: i64 = year.parse().ok()?;
        let mut secs = hms(time)?;
        match rest.first().map(|w| w.to_ascii_uppercase()) {
            Some(p) if p == "PM" && secs < 12 * 3600 => secs += 12 * 3600,
            Some(p) if p == "AM" && secs >= 12 * 3600 => secs -= 12 * 3600,
            _ => {}
        }
        return Some((days_from_civil(y, mo, d) * 86400 + secs) as f64);
    }
    // 10/Oct/2000:13:55:36 -0700
    let (date, rest) = s.split_once(':')?;
    let mut parts = date.split('/');
    let d: u32 = parts.next()?.parse().ok()?;
    let mo = month(parts.next()?)?;
    let y: i64 = parts.next()?.parse().ok()?;
    let time = rest.split_whitespace().next()?;
    let secs = hms(time)?;
    Some((days_from_civil(y, mo, d) * 86400 + secs) as f64)
}

/// Splunk's default key cleaning (`CLEAN_KEYS = true`, transforms.conf): every character other
/// than `a-z`, `A-Z`, `0-9` becomes `_`, then leading underscores and digits are removed. A name
/// that would become empty is kept as it was.
pub fn clean_key(name: &str) -> std::borrow::Cow<'_, str> {
    let clean = name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.starts_with(|c: char| c == '_' || c.is_ascii_digit());
    if clean {
        return std::borrow::Cow::Borrowed(name);
    }
    let replaced: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let trimmed = replaced.trim_start_matches(|c: char| c == '_' || c.is_ascii_digit());
    if trimmed.is_empty() {
        std::borrow::Cow::Borrowed(name)
    } else {
        std::borrow::Cow::Owned(trimmed.to_string())
    }
}

/// Text from bytes as Splunk indexes it: invalid UTF-8 sequences become U+FFFD. The flag says
/// whether anything was replaced.
pub fn lossy_utf8(bytes: &[u8]) -> (std::borrow::Cow<'_, str>, bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (std::borrow::Cow::Borrowed(s), false),
        Err(_) => (String::from_utf8_lossy(bytes), true),
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

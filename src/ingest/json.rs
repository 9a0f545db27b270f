//! JSON reader: one JSON object per line (NDJSON), a file holding an array of objects, a
//! CloudTrail delivery file (`{"Records":[...]}`), or pretty-printed objects one after another;
//! in a plain file, a `.gz`, or the entries of a `.zip` (the OTRF Security-Datasets format).
//! Arrays and `Records` files give one event per element, as the AWS add-on indexes each
//! CloudTrail record; `_raw` is then the element's JSON text.
//!
//! Fields are the object's keys as given; nested objects give dotted names (`a.b`), arrays
//! give multivalue fields named `a{}`, and `null` is the text `null`, as Splunk's JSON
//! extraction does. `_time` comes from the
//! sourcetype's timestamp settings (applied by [`super::open`]); without them, from the first of
//! [`ReaderOptions::json_time_fields`] present, else the first value shaped like a timestamp.
//!
//! A reader that knows the content names it when the user gave no sourcetype: CloudTrail records
//! are `aws:cloudtrail`, Kubernetes audit events are `source=kubernetes` (sourcetype `_json`, as
//! security_content's `kube_audit` macro and data source expect).

use super::{lossy_utf8, parse_timestamp, Event, ReaderOptions, Record, RecordIter, Rejection};
use serde_json::Value;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Streams the events of a JSON file, or of every entry of a zip archive of them.
pub fn read(path: &Path, opts: &ReaderOptions) -> RecordIter {
    let name = path.display().to_string();
    let is_zip = File::open(path)
        .and_then(|mut f| {
            let mut m = [0u8; 4];
            f.read_exact(&mut m).map(|_| m)
        })
        .map(|m| &m == b"PK\x03\x04")
        .unwrap_or(false);
    if is_zip {
        return read_zip(path, name, opts.clone());
    }
    match File::open(path) {
        Ok(f) => Box::new(JsonLines::new(
            Box::new(BufReader::new(f)),
            name,
            opts.clone(),
        )),
        Err(e) => Box::new(std::iter::once(Record::Rejected(Rejection {
            kind: "unreadable file".into(),
            detail: e.to_string(),
            file: name,
            offset: 0,
        }))),
    }
}

/// Zip entries are read on a helper thread that hands records over a bounded channel
/// (an entry borrows its archive, so it cannot live in an iterator of its own).
fn read_zip(path: &Path, name: String, opts: ReaderOptions) -> RecordIter {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Record>(1024);
    let path = path.to_path_buf();
    let name_for_err = name.clone();
    let spawned = std::thread::Builder::new()
        .name("spelunk-zip".into())
        .spawn(move || {
            let reject = |kind: &str, detail: String| {
                Record::Rejected(Rejection {
                    kind: kind.into(),
                    detail,
                    file: name.clone(),
                    offset: 0,
                })
            };
            let archive = File::open(&path)
                .map_err(|e| e.to_string())
                .and_then(|f| zip::ZipArchive::new(f).map_err(|e| e.to_string()));
            let mut archive = match archive {
                Ok(a) => a,
                Err(e) => {
                    let _ = tx.send(reject("bad zip file", e));
                    return;
                }
            };
            for i in 0..archive.len() {
                let entry = match archive.by_index(i) {
                    Ok(e) => e,
                    Err(e) => {
                        if tx.send(reject("bad zip file", e.to_string())).is_err() {
                            return;
                        }
                        continue;
                    }
                };
                if entry.is_dir() {
                    continue;
                }
                let entry_name = format!("{}:{}", name, entry.name());
                let mut src = BufReader::with_capacity(1 << 16, entry);
                let head = src.fill_buf().map(|h| h.to_vec()).unwrap_or_default();
                let records: Box<dyn Iterator<Item = Record> + Send + '_> =
                    if super::audit::looks_like_audit(&head) {
                        Box::new(super::audit::AuditReader::new(
                            Box::new(src),
                            entry_name,
                            &opts,
                        ))
                    } else if head.starts_with(b"ElfFile\0") || head.starts_with(&[0x1f, 0x8b]) {
                        // EVTX needs the whole entry; gzip is unpacked first.
                        let mut buf = Vec::new();
                        if let Err(e) = src.read_to_end(&mut buf) {
                            let _ = tx.send(reject("bad zip file", e.to_string()));
                            continue;
                        }
                        let inner: Box<dyn Read + Send> = if buf.starts_with(&[0x1f, 0x8b]) {
                            Box::new(flate2::read::MultiGzDecoder::new(std::io::Cursor::new(buf)))
                        } else {
                            Box::new(std::io::Cursor::new(buf))
                        };
                        super::open_stream(inner, entry_name, None, None, &opts)
                    } else {
                        Box::new(JsonLines::new(Box::new(src), entry_name, opts.clone()))
                    };
                for rec in records {
                    if tx.send(rec).is_err() {
                        return;
                    }
                }
            }
        });
    match spawned {
        Ok(_) => Box::new(rx.into_iter()),
        Err(e) => Box::new(std::iter::once(Record::Rejected(Rejection {
            kind: "unreadable file".into(),
            detail: e.to_string(),
            file: name_for_err,
            offset: 0,
        }))),
    }
}

/// Streams JSON events: one object per line, or (when the first line is not a whole JSON
/// value, or the data starts with `[`) the documents of the whole stream.
pub struct JsonLines<'a> {
    src: Box<dyn BufRead + Send + 'a>,
    name: String,
    opts: ReaderOptions,
    offset: u64,
    line: Vec<u8>,
    done: bool,
    /// Events split from one line or document, not yet returned.
    pending: std::collections::VecDeque<Record>,
    /// Whether the first non-empty line was seen (and the mode chosen).
    started: bool,
}

impl<'a> JsonLines<'a> {
    /// Reads JSON from `src`; `name` is reported as the file.
    pub fn new(src: Box<dyn BufRead + Send + 'a>, name: String, opts: ReaderOptions) -> Self {
        JsonLines {
            src,
            name,
            opts,
            offset: 0,
            line: Vec::new(),
            done: false,
            pending: std::collections::VecDeque::new(),
            started: false,
        }
    }

    fn reject(&self, kind: &str, detail: String, offset: u64) -> Record {
        Record::Rejected(Rejection {
            kind: kind.into(),
            detail,
            file: self.name.clone(),
            offset,
        })
    }

    /// Queues the events of one parsed value (an object, an array, a `Records` file).
    fn queue(&mut self, v: Value, offset: u64, repaired: bool) {
        for rec in split_records(v) {
            let r = match event_from_value(rec, &self.opts, offset, None) {
                Ok(mut ev) => {
                    ev.repaired.bytes = repaired && ev.raw.contains('\u{FFFD}');
                    Record::Event(ev)
                }
                Err((kind, detail)) => self.reject(kind, detail, offset),
            };
            self.pending.push_back(r);
        }
    }

    /// Reads the rest of the stream (after `first`, already read) as JSON documents.
    fn read_documents(&mut self, first: Vec<u8>, offset: u64) {
        let mut all = first;
        let limit = self.opts.max_event_bytes.saturating_mul(64);
        if let Err(e) = (&mut self.src).take(limit as u64).read_to_end(&mut all) {
            self.pending
                .push_back(self.reject("unreadable file", e.to_string(), offset));
            return;
        }
        let (text, repaired) = lossy_utf8(&all);
        let mut text = text.into_owned();
        // Line breaks and tabs written raw inside strings (not valid JSON, but common in
        // hand-made or folded files) are read as their escapes, as Splunk's extraction does.
        if serde_json::Deserializer::from_str(&text)
            .into_iter::<serde::de::IgnoredAny>()
            .any(|r| r.is_err_and(|e| e.to_string().contains("control character")))
        {
            text = escape_controls_in_strings(&text);
        }
        let mut stream = serde_json::Deserializer::from_str(&text).into_iter::<Value>();
        let mut at = 0usize;
        loop {
            match stream.next() {
                None => break,
                Some(Ok(v)) => {
                    let start = text[at..]
                        .find(|c: char| !c.is_whitespace())
                        .map_or(at, |i| at + i);
                    self.queue(v, offset + start as u64, repaired);
                    at = stream.byte_offset();
                }
                Some(Err(e)) => {
                    let r = self.reject("bad JSON", e.to_string(), offset + at as u64);
                    self.pending.push_back(r);
                    break;
                }
            }
        }
    }
}

impl Iterator for JsonLines<'_> {
    type Item = Record;
    fn next(&mut self) -> Option<Record> {
        loop {
            if let Some(r) = self.pending.pop_front() {
                return Some(r);
            }
            if self.done {
                return None;
            }
            self.line.clear();
            let offset = self.offset;
            let n = match self.src.read_until(b'\n', &mut self.line) {
                Ok(0) => return None,
                Ok(n) => n,
                Err(e) => {
                    // A read error (e.g. a corrupt zip entry) ends this stream.
                    self.done = true;
                    return Some(self.reject("unreadable file", e.to_string(), offset));
                }
            };
            self.offset += n as u64;
            if self.line.len() > self.opts.max_event_bytes {
                return Some(self.reject(
                    "event too large",
                    format!("{} bytes", self.line.len()),
                    offset,
                ));
            }
            let (text, repaired) = lossy_utf8(&self.line);
            let text = text.trim().trim_start_matches('\u{FEFF}');
            if text.is_empty() {
                continue;
            }
            if !self.started {
                self.started = true;
                // A document that is not one object per line: read the stream as documents.
                let whole_line = text.starts_with('{')
                    && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
                if !whole_line {
                    let first = std::mem::take(&mut self.line);
                    self.done = true;
                    self.read_documents(first, offset);
                    continue;
                }
            }
            match serde_json::from_str::<Value>(text) {
                Ok(v @ Value::Object(_)) if !is_records_file(&v) => {
                    // One object: `_raw` is the line as written.
                    return Some(match event_from_value(v, &self.opts, offset, Some(text)) {
                        Ok(mut ev) => {
                            ev.repaired.bytes = repaired;
                            Record::Event(ev)
                        }
                        Err((kind, detail)) => self.reject(kind, detail, offset),
                    });
                }
                Ok(v) => self.queue(v, offset, repaired),
                Err(e) => return Some(self.reject("bad JSON", e.to_string(), offset)),
            }
        }
    }
}

/// `text` with control characters inside JSON strings written as escapes (`\n`, `\u0001`).
fn escape_controls_in_strings(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let (mut in_str, mut esc) = (false, false);
    for c in text.chars() {
        if in_str {
            if esc {
                esc = false;
            } else if c == '\\' {
                esc = true;
            } else if c == '"' {
                in_str = false;
            } else if (c as u32) < 0x20 {
                match c {
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    _ => out.push_str(&format!("\\u{:04x}", c as u32)),
                }
                continue;
            }
        } else if c == '"' {
            in_str = true;
        }
        out.push(c);
    }
    out
}

/// The events of one JSON value: the elements of an array, the records of a CloudTrail
/// delivery file (`{"Records":[...]}`), or the value itself.
fn split_records(v: Value) -> Vec<Value> {
    match v {
        Value::Array(items) => items,
        Value::Object(mut m) if is_records_map(&m) => match m.remove("Records") {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        },
        v => vec![v],
    }
}

fn is_records_map(m: &serde_json::Map<String, Value>) -> bool {
    m.len() == 1 && m.get("Records").is_some_and(Value::is_array)
}

fn is_records_file(v: &Value) -> bool {
    matches!(v, Value::Object(m) if is_records_map(m))
}

/// Turns one JSON line into an event.
pub fn parse_line(
    text: &str,
    opts: &ReaderOptions,
    offset: u64,
) -> Result<Event, (&'static str, String)> {
    let v: Value = serde_json::from_str(text).map_err(|e| ("bad JSON", e.to_string()))?;
    event_from_value(v, opts, offset, Some(text))
}

/// Turns one JSON object into an event (its time NaN when none is recognised). `_raw` is `raw`
/// when given (the line as written), else the object's JSON text.
fn event_from_value(
    v: Value,
    opts: &ReaderOptions,
    offset: u64,
    raw: Option<&str>,
) -> Result<Event, (&'static str, String)> {
    let Value::Object(map) = &v else {
        return Err(("bad JSON", "not a JSON object".into()));
    };
    let mut fields = Vec::with_capacity(map.len());
    for (k, v) in map {
        flatten(k, v, &mut fields);
    }
    let mut time = None;
    for tf in &opts.json_time_fields {
        if let Some(v) = map.get(tf) {
            time = match v {
                Value::Number(n) => n.as_f64().map(|t| if t > 1e11 { t / 1000.0 } else { t }),
                Value::String(s) => parse_timestamp(s).or_else(|| s.parse::<f64>().ok()),
                _ => None,
            };
            if time.is_some() {
                break;
            }
        }
    }
    // Splunk's own recognition: the first value shaped like a timestamp.
    let time = time.or_else(|| fields.iter().find_map(|(_, v)| parse_timestamp(v)));
    let host = ["host", "Hostname", "hostname", "Computer"]
        .iter()
        .find_map(|h| map.get(*h).and_then(|v| v.as_str()).map(str::to_string));
    let s = |k: &str| map.get(k).and_then(Value::as_str);
    let (source, sourcetype) = if map.contains_key("eventVersion")
        && s("eventSource").is_some()
        && s("eventName").is_some()
    {
        (None, Some("aws:cloudtrail".to_string()))
    } else if s("kind") == Some("Event")
        && (s("apiVersion").is_some_and(|a| a.starts_with("audit.k8s.io"))
            || (s("auditID").is_some() && s("stage").is_some()))
    {
        (Some("kubernetes".to_string()), None)
    } else {
        (None, None)
    };
    let raw = match raw {
        Some(r) => r.to_string(),
        None => serde_json::to_string(&v).map_err(|e| ("bad JSON", e.to_string()))?,
    };
    let mut ev = Event::new(raw, fields, offset);
    ev.time = time.unwrap_or(f64::NAN);
    ev.host = host;
    ev.source = source;
    ev.sourcetype = sourcetype;
    Ok(ev)
}

fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        // Splunk's JSON extraction keeps a null as the text `null` (CloudTrail's
        // `"responseElements": null` is the field responseElements=null in every
        // security_content data source that lists it).
        Value::Null => out.push((prefix.to_string(), "null".to_string())),
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
        Value::Bool(b) => out.push((prefix.to_string(), b.to_string())),
        Value::Number(n) => out.push((prefix.to_string(), n.to_string())),
        Value::Object(m) => {
            for (k, v) in m {
                flatten(&format!("{prefix}.{k}"), v, out);
            }
        }
        Value::Array(a) => {
            let name = format!("{prefix}{{}}");
            for v in a {
                flatten(&name, v, out);
            }
        }
    }
}

//! JSON lines reader: one JSON object per line, in a plain file or in the entries of a `.zip`
//! (the OTRF Security-Datasets format). Fields are the object's keys as given; nested objects
//! give dotted names (`a.b`) and arrays give multivalue fields named `a{}`, as Splunk's JSON
//! extraction does. `_time` comes from the first of [`ReaderOptions::json_time_fields`] present.

use super::{parse_timestamp, Event, ReaderOptions, Record, RecordIter, Rejection};
use serde_json::Value;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Streams the events of a JSON lines file, or of every entry of a zip archive of them.
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
                let lines =
                    JsonLines::new(Box::new(BufReader::new(entry)), entry_name, opts.clone());
                for rec in lines {
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

/// Streams JSON objects, one per line.
pub struct JsonLines<'a> {
    src: Box<dyn BufRead + Send + 'a>,
    name: String,
    opts: ReaderOptions,
    offset: u64,
    line: Vec<u8>,
    done: bool,
}

impl<'a> JsonLines<'a> {
    /// Reads JSON lines from `src`; `name` is reported as the file.
    pub fn new(src: Box<dyn BufRead + Send + 'a>, name: String, opts: ReaderOptions) -> Self {
        JsonLines {
            src,
            name,
            opts,
            offset: 0,
            line: Vec::new(),
            done: false,
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
}

impl Iterator for JsonLines<'_> {
    type Item = Record;
    fn next(&mut self) -> Option<Record> {
        loop {
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
            let text = match std::str::from_utf8(&self.line) {
                Ok(t) => t.trim(),
                Err(e) => {
                    return Some(self.reject(
                        "invalid UTF-8",
                        format!("invalid UTF-8 at byte {}", offset + e.valid_up_to() as u64),
                        offset,
                    ))
                }
            };
            if text.is_empty() {
                continue;
            }
            return Some(match parse_line(text, &self.opts, offset) {
                Ok(ev) => Record::Event(ev),
                Err((kind, detail)) => self.reject(kind, detail, offset),
            });
        }
    }
}

/// Turns one JSON line into an event.
pub fn parse_line(
    text: &str,
    opts: &ReaderOptions,
    offset: u64,
) -> Result<Event, (&'static str, String)> {
    let v: Value = serde_json::from_str(text).map_err(|e| ("bad JSON", e.to_string()))?;
    let Value::Object(map) = v else {
        return Err(("bad JSON", "not a JSON object".into()));
    };
    let mut fields = Vec::with_capacity(map.len());
    for (k, v) in &map {
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
    let Some(time) = time else {
        return Err((
            "no timestamp",
            format!("none of {:?} holds a time", opts.json_time_fields),
        ));
    };
    let host = ["host", "Hostname", "hostname", "Computer"]
        .iter()
        .find_map(|h| map.get(*h).and_then(|v| v.as_str()).map(str::to_string));
    Ok(Event {
        time,
        raw: text.to_string(),
        host,
        source: None,
        sourcetype: None,
        fields,
        offset,
    })
}

fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Null => {}
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

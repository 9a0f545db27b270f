//! XmlWinEventLog reader: Windows event XML as Splunk's Windows inputs render it, one
//! `<Event xmlns='…'>…</Event>` after another (attack_data's `.log` files).
//!
//! Events are found by their `<Event` start and `</Event>` end, never by lines: a command line may
//! hold newlines, several events may share a line, and files may use CRLF. `_raw` is the event
//! text verbatim. Fields follow splunk-semantics.md §7: every `<System>` element and attribute
//! Splunk extracts (`EventCode`/`EventID`, `Computer`, `Channel`, `EventRecordID`, `Keywords`,
//! `Level`, `Task`, `Opcode`, `Version`, `ProcessID`/`ThreadID`, `UserID`/`SecurityID`,
//! `Guid`/`Name`, `SystemTime`), every `<Data Name='X'>` as `X` (XML entities decoded; the name
//! cleaned as Splunk's `CLEAN_KEYS` does: `Process Name` is `Process_Name`), leaf
//! elements of `<UserData>`, and Sysmon's `Hashes` split into `MD5`, `SHA256`, `IMPHASH`, ...
//! Empty values give no field (as with Splunk's `<Data Name='(.*?)'>(.*?)</Data>` extraction
//! followed by the CIM's "null or empty" tests, an empty value and a missing one are the same).
//!
//! The scanner is hand-written over bytes (no DOM): the reader keeps one read buffer and one
//! event, so memory does not grow with the file.

use super::{clean_key, lossy_utf8, parse_timestamp, Event, ReaderOptions, Record, Rejection};
use memchr::memmem;
use std::borrow::Cow;
use std::fs::File;
use std::io::Read;
use std::path::Path;

const READ_BLOCK: usize = 1 << 20;
/// Bytes kept at the end of the buffer while looking for an event start across reads.
const KEEP_TAIL: usize = 64;

/// Streams the events of one XmlWinEventLog file.
pub struct XmlReader {
    src: Box<dyn Read + Send>,
    name: String,
    buf: Vec<u8>,
    /// Next unread position in `buf`.
    pos: usize,
    /// File offset of `buf[0]`.
    base: u64,
    eof: bool,
    max_event: usize,
    /// Start (file offset) of data outside any event, not yet reported.
    junk_at: Option<u64>,
    /// After an oversized event: ignore bytes until the next event start.
    skipping: bool,
    start_finder: memmem::Finder<'static>,
    end_finder: memmem::Finder<'static>,
    first: bool,
}

/// An event's fields as extracted from its XML, before the replay adds default fields.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedXml {
    /// Fields in document order; repeated names are multivalue.
    pub fields: Vec<(String, String)>,
    /// `_time` from `<TimeCreated SystemTime='…'/>`.
    pub time: Option<f64>,
}

/// Why one event's XML was rejected.
#[derive(Debug, Clone, PartialEq)]
pub struct XmlError {
    /// Short reason (`malformed XML`, `bad XML entity`, ...).
    pub kind: &'static str,
    /// Details.
    pub detail: String,
    /// Byte offset of the problem within the event.
    pub at: usize,
}

impl XmlReader {
    /// Opens `path` for streaming.
    pub fn open(path: &Path, opts: &ReaderOptions) -> std::io::Result<XmlReader> {
        let f = File::open(path)?;
        Ok(Self::from_reader(
            Box::new(f),
            &path.display().to_string(),
            opts,
        ))
    }

    /// Streams events from any reader (tests, in-memory data); `name` is reported as the file.
    pub fn from_reader(src: Box<dyn Read + Send>, name: &str, opts: &ReaderOptions) -> XmlReader {
        XmlReader {
            src,
            name: name.to_string(),
            buf: Vec::with_capacity(READ_BLOCK + KEEP_TAIL),
            pos: 0,
            base: 0,
            eof: false,
            max_event: opts.max_event_bytes.max(1024),
            junk_at: None,
            skipping: false,
            start_finder: memmem::Finder::new(b"<Event").into_owned(),
            end_finder: memmem::Finder::new(b"</Event>").into_owned(),
            first: true,
        }
    }

    /// Reads more data, dropping what has been consumed. Returns false at end of file.
    fn fill(&mut self) -> bool {
        if self.eof {
            return false;
        }
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.base += self.pos as u64;
            self.pos = 0;
        }
        let old = self.buf.len();
        self.buf.resize(old + READ_BLOCK, 0);
        loop {
            match self.src.read(&mut self.buf[old..]) {
                Ok(0) => {
                    self.buf.truncate(old);
                    self.eof = true;
                    return false;
                }
                Ok(n) => {
                    self.buf.truncate(old + n);
                    return true;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => {
                    // A read error ends the file; what was read so far is still used.
                    self.buf.truncate(old);
                    self.eof = true;
                    return false;
                }
            }
        }
    }

    fn reject(&self, kind: &str, detail: String, offset: u64) -> Record {
        Record::Rejected(Rejection {
            kind: kind.to_string(),
            detail,
            file: self.name.clone(),
            offset,
        })
    }

    /// Position of the next `<Event` start tag at or after `from`, if one is in the buffer.
    /// `Err(())` means the buffer ends inside a possible start: read more first.
    fn find_start(&self, from: usize) -> Result<Option<usize>, ()> {
        let mut at = from;
        while let Some(rel) = self.start_finder.find(&self.buf[at..]) {
            let p = at + rel;
            match self.buf.get(p + 6) {
                Some(b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/') => return Ok(Some(p)),
                Some(_) => at = p + 6,
                None if self.eof => return Ok(None),
                None => return Err(()),
            }
        }
        Ok(None)
    }

    /// Notes bytes outside events (`[from, to)` of the buffer) that are not just whitespace.
    fn note_junk(&mut self, from: usize, to: usize) {
        if self.skipping || from >= to {
            return;
        }
        let seg = &self.buf[from..to];
        if let Some(k) = first_significant(seg, self.first && from == 0 && self.base == 0) {
            if self.junk_at.is_none() {
                self.junk_at = Some(self.base + (from + k) as u64);
            }
        }
    }

    fn take_junk(&mut self, end: u64) -> Option<Record> {
        let at = self.junk_at.take()?;
        Some(self.reject(
            "not an event",
            format!("{} bytes outside <Event>…</Event>", end.saturating_sub(at)),
            at,
        ))
    }
}

/// Index of the first byte of `seg` that is neither whitespace nor an XML declaration, a BOM
/// or an `<Events>` wrapper (as `wevtutil qe /f:xml` writes), if any.
fn first_significant(seg: &[u8], may_have_bom: bool) -> Option<usize> {
    let mut i = 0;
    if may_have_bom && seg.starts_with(b"\xEF\xBB\xBF") {
        i = 3;
    }
    loop {
        while i < seg.len() && seg[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= seg.len() {
            return None;
        }
        let rest = &seg[i..];
        let skip = if rest.starts_with(b"<?") {
            memmem::find(rest, b"?>").map(|e| e + 2)
        } else if rest.starts_with(b"<Events>") || rest.starts_with(b"</Events>") {
            memchr::memchr(b'>', rest).map(|e| e + 1)
        } else if rest.starts_with(b"<Events ") {
            memchr::memchr(b'>', rest).map(|e| e + 1)
        } else {
            None
        };
        match skip {
            Some(n) => i += n,
            None => return Some(i),
        }
    }
}

impl Iterator for XmlReader {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        loop {
            if self.buf.len() - self.pos < KEEP_TAIL && !self.eof {
                self.fill();
                continue;
            }
            let start = match self.find_start(self.pos) {
                Err(()) => {
                    self.fill();
                    continue;
                }
                Ok(s) => s,
            };
            let Some(p) = start else {
                if self.eof {
                    let len = self.buf.len();
                    self.note_junk(self.pos, len);
                    self.pos = len;
                    self.first = false;
                    return self.take_junk(self.base + len as u64);
                }
                // Keep a tail in case an `<Event` start straddles the read boundary.
                let keep_from = self.buf.len().saturating_sub(KEEP_TAIL).max(self.pos);
                self.note_junk(self.pos, keep_from);
                self.pos = keep_from;
                self.first = false;
                self.fill();
                continue;
            };
            self.note_junk(self.pos, p);
            self.first = false;
            self.skipping = false;
            if let Some(j) = self.take_junk(self.base + p as u64) {
                self.pos = p;
                return Some(j);
            }
            // Find the end of this event; another start before it means this one is truncated.
            let end = self.end_finder.find(&self.buf[p + 6..]).map(|e| p + 6 + e);
            let next_start = self.find_start(p + 6).unwrap_or_default();
            match (end, next_start) {
                (Some(e), ns) if ns.is_none_or(|n| e < n) => {
                    let raw_end = e + 8;
                    let offset = self.base + p as u64;
                    self.pos = raw_end;
                    let (raw, repaired) = lossy_utf8(&self.buf[p..raw_end]);
                    let rec = match parse_event(&raw) {
                        Ok(parsed) => {
                            let mut ev = event_from_parsed(raw.into_owned(), parsed, offset);
                            ev.repaired.bytes = repaired;
                            Record::Event(ev)
                        }
                        Err(e) => self.reject(e.kind, e.detail, offset + e.at as u64),
                    };
                    return Some(rec);
                }
                (_, Some(n)) => {
                    let offset = self.base + p as u64;
                    self.pos = n;
                    return Some(self.reject(
                        "truncated event",
                        "no </Event> before the next <Event".into(),
                        offset,
                    ));
                }
                (_, None) => {
                    let offset = self.base + p as u64;
                    if self.eof {
                        self.pos = self.buf.len();
                        return Some(self.reject(
                            "truncated event",
                            "file ends before </Event>".into(),
                            offset,
                        ));
                    }
                    if self.buf.len() - p > self.max_event {
                        self.pos = p + 6;
                        self.skipping = true;
                        return Some(self.reject(
                            "event too large",
                            format!("no </Event> within {} bytes", self.max_event),
                            offset,
                        ));
                    }
                    self.pos = p;
                    self.fill();
                }
            }
        }
    }
}

/// Builds an [`Event`] from an event's XML and its parsed fields: `host` from `Computer`,
/// `source` `XmlWinEventLog:<Channel>`, sourcetype `XmlWinEventLog`.
pub fn event_from_parsed(raw: String, parsed: ParsedXml, offset: u64) -> Event {
    let get = |n: &str| {
        parsed
            .fields
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
    };
    let host = get("Computer");
    let source = get("Channel").map(|c| format!("XmlWinEventLog:{c}"));
    let mut ev = Event::new(raw, parsed.fields, offset);
    // No readable SystemTime: NaN, settled by the replay's fallbacks.
    ev.time = parsed.time.unwrap_or(f64::NAN);
    ev.host = host;
    ev.source = source;
    ev.sourcetype = Some("XmlWinEventLog".to_string());
    ev
}

fn err(kind: &'static str, detail: impl Into<String>, at: usize) -> XmlError {
    XmlError {
        kind,
        detail: detail.into(),
        at,
    }
}

fn unescape_at(s: &str, at: usize) -> Result<Cow<'_, str>, XmlError> {
    if find_byte(s.as_bytes(), b'&').is_none() {
        return Ok(Cow::Borrowed(s));
    }
    quick_xml::escape::unescape(s).map_err(|e| err("bad XML entity", e.to_string(), at))
}

struct Open<'a> {
    name: &'a str,
    /// `Name` attribute of a `<Data>` element.
    data_name: Option<Cow<'a, str>>,
    text: Cow<'a, str>,
    has_child: bool,
}

/// Extracts the fields of one event's XML (`<Event …>…</Event>`), as splunk-semantics.md §7
/// describes. The XML must be well formed; entities are decoded.
pub fn parse_event(raw: &str) -> Result<ParsedXml, XmlError> {
    let s = raw.as_bytes();
    let mut out = ParsedXml {
        fields: Vec::with_capacity(48),
        time: None,
    };
    let mut stack: Vec<Open<'_>> = Vec::with_capacity(8);
    let mut i = 0;
    let mut seen_root = false;
    while i < s.len() {
        let Some(rel) = find_byte(&s[i..], b'<') else {
            if raw[i..].trim().is_empty() {
                break;
            }
            return Err(err("malformed XML", "text after the root element", i));
        };
        let lt = i + rel;
        if lt > i {
            let piece = &raw[i..lt];
            match stack.last_mut() {
                Some(top) => {
                    let t = unescape_at(piece, i)?;
                    if top.text.is_empty() {
                        top.text = t;
                    } else {
                        top.text.to_mut().push_str(&t);
                    }
                }
                None if piece.trim().is_empty() => {}
                None => return Err(err("malformed XML", "text outside the root element", i)),
            }
        }
        let rest = &s[lt..];
        if rest.starts_with(b"<!--") {
            let e = memmem::find(&rest[4..], b"-->")
                .ok_or_else(|| err("malformed XML", "unterminated comment", lt))?;
            i = lt + 4 + e + 3;
            continue;
        }
        if rest.starts_with(b"<![CDATA[") {
            let e = memmem::find(&rest[9..], b"]]>")
                .ok_or_else(|| err("malformed XML", "unterminated CDATA", lt))?;
            let piece = &raw[lt + 9..lt + 9 + e];
            if let Some(top) = stack.last_mut() {
                top.text.to_mut().push_str(piece);
            }
            i = lt + 9 + e + 3;
            continue;
        }
        if rest.starts_with(b"<?") || rest.starts_with(b"<!") {
            let e = memchr::memchr(b'>', rest)
                .ok_or_else(|| err("malformed XML", "unterminated declaration", lt))?;
            i = lt + e + 1;
            continue;
        }
        let gt =
            lt + find_tag_end(rest).ok_or_else(|| err("malformed XML", "unterminated tag", lt))?;
        if rest.get(1) == Some(&b'/') {
            let name = trim(&raw[lt + 2..gt]);
            let Some(open) = stack.pop() else {
                return Err(err("malformed XML", format!("unexpected </{name}>"), lt));
            };
            if open.name != name {
                return Err(err(
                    "malformed XML",
                    format!("</{name}> closes <{}>", open.name),
                    lt,
                ));
            }
            close_element(&stack, open, &mut out);
            i = gt + 1;
            if stack.is_empty() {
                if !raw[i..].trim().is_empty() {
                    return Err(err("malformed XML", "data after </Event>", i));
                }
                break;
            }
            continue;
        }
        // Start tag or empty-element tag.
        let self_closing = s[gt - 1] == b'/';
        let inner = &raw[lt + 1..if self_closing { gt - 1 } else { gt }];
        let name_end = inner
            .bytes()
            .position(|b| b.is_ascii_whitespace())
            .unwrap_or(inner.len());
        let name = &inner[..name_end];
        if name.is_empty()
            || name
                .bytes()
                .any(|b| matches!(b, b'<' | b'&' | b'\'' | b'"' | b'='))
        {
            return Err(err("malformed XML", "bad tag name", lt));
        }
        if stack.is_empty() {
            if seen_root || name != "Event" {
                return Err(err("malformed XML", format!("root element <{name}>"), lt));
            }
            seen_root = true;
        }
        if let Some(top) = stack.last_mut() {
            top.has_child = true;
        }
        let mut open = Open {
            name,
            data_name: None,
            text: Cow::Borrowed(""),
            has_child: false,
        };
        let section = stack.get(1).map(|o| o.name);
        let depth = stack.len();
        let mut attrs = Attrs {
            s: &inner[name_end..],
            base: lt + 1 + name_end,
        };
        while let Some((k, v)) = attrs.next_attr()? {
            match (section, depth) {
                (Some("System"), 2) => {
                    let field = match (name, k) {
                        ("Provider", "Name") => "Name",
                        ("Provider", "Guid") => "Guid",
                        ("Provider", "EventSourceName") => "EventSourceName",
                        ("TimeCreated", "SystemTime") => {
                            out.time = parse_timestamp(&v);
                            "SystemTime"
                        }
                        ("Execution", "ProcessID") => "ProcessID",
                        ("Execution", "ThreadID") => "ThreadID",
                        ("Security", "UserID") => {
                            push(&mut out, "UserID", &v);
                            "SecurityID"
                        }
                        ("Correlation", "ActivityID") => "ActivityID",
                        ("Correlation", "RelatedActivityID") => "RelatedActivityID",
                        _ => continue,
                    };
                    push(&mut out, field, &v);
                }
                (Some("EventData"), 2) if name == "Data" && k == "Name" => open.data_name = Some(v),
                _ => {}
            }
        }
        if self_closing {
            close_element(&stack, open, &mut out);
            if stack.is_empty() {
                break;
            }
        } else {
            stack.push(open);
        }
        i = gt + 1;
    }
    if let Some(open) = stack.last() {
        return Err(err(
            "malformed XML",
            format!("<{}> is not closed", open.name),
            s.len(),
        ));
    }
    if !seen_root {
        return Err(err("malformed XML", "no <Event> element", 0));
    }
    split_hashes(&mut out.fields);
    Ok(out)
}

fn push(out: &mut ParsedXml, name: &str, value: &str) {
    if !value.is_empty() {
        out.fields.push((name.to_string(), value.to_string()));
    }
}

/// Windows renders some values on their own indented line (`SidHistory` is
/// `\n\t\t%{S-1-5-…}`). Leading and trailing whitespace that holds a line break or a tab is
/// that rendering, not data, and is removed; plain spaces are kept (a command line may end in
/// one). Choice: detections such as `windows_ad_same_domain_sid_history_addition` only match the
/// trimmed value, so Splunk's extraction must see it trimmed.
fn trim_rendering(v: &str) -> &str {
    // Fast path: no leading or trailing whitespace.
    let b = v.as_bytes();
    if !b.first().is_some_and(maybe_space) && !b.last().is_some_and(maybe_space) {
        return v;
    }
    let layout = |w: &str| w.contains(['\n', '\r', '\t']);
    let start = v.len() - v.trim_start().len();
    let v = if layout(&v[..start]) { &v[start..] } else { v };
    let end = v.trim_end().len();
    if layout(&v[end..]) {
        &v[..end]
    } else {
        v
    }
}

/// Records the field an element gives, when it is closed. `stack` holds its ancestors.
fn close_element(stack: &[Open<'_>], open: Open<'_>, out: &mut ParsedXml) {
    if open.has_child {
        return;
    }
    let section = stack.get(1).map(|o| o.name);
    match (section, stack.len()) {
        (None, 1) if open.name == "System" || open.name == "EventData" => {}
        (Some("System"), 2) => {
            let v = trim(&open.text);
            if open.name == "EventID" {
                push(out, "EventCode", v);
                push(out, "EventID", v);
            } else {
                push(out, open.name, v);
            }
        }
        (Some("EventData"), 2) => {
            let name = match (&open.data_name, open.name) {
                (Some(n), "Data") => clean_key(n),
                (None, n) => Cow::Borrowed(n),
                (Some(_), n) => Cow::Borrowed(n),
            };
            push(out, &name, trim_rendering(&open.text));
        }
        (Some("UserData"), d) if d >= 2 => push(out, open.name, trim_rendering(&open.text)),
        (Some("RenderingInfo"), 2) if open.name == "Message" => push(out, "Message", &open.text),
        _ => {}
    }
}

/// Sysmon's `Hashes` (`MD5=…,SHA256=…,IMPHASH=…`) also gives one field per algorithm.
fn split_hashes(fields: &mut Vec<(String, String)>) {
    let Some(h) = fields
        .iter()
        .find(|(k, _)| k == "Hashes")
        .map(|(_, v)| v.clone())
    else {
        return;
    };
    for part in h.split(',') {
        if let Some((k, v)) = part.split_once('=') {
            let k = k.trim();
            if !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric()) && !v.is_empty() {
                fields.push((k.to_string(), v.trim().to_string()));
            }
        }
    }
}

/// Index of the `>` ending the tag at the start of `rest`, skipping quoted attribute values;
/// None when the tag is not closed (or a `<` comes first, outside quotes). Tags are short: a
/// plain loop beats memchr's setup.
fn find_tag_end(rest: &[u8]) -> Option<usize> {
    let mut k = 1;
    while k < rest.len() {
        match rest[k] {
            b'>' => return Some(k),
            b'<' => return None,
            q @ (b'\'' | b'"') => k += 1 + rest.get(k + 1..)?.iter().position(|&c| c == q)?,
            _ => {}
        }
        k += 1;
    }
    None
}

/// Position of byte `b` in `s`. The runs between XML tags are mostly short, where memchr's
/// setup costs more than the search: the first bytes are looked at one by one.
#[inline]
fn find_byte(s: &[u8], b: u8) -> Option<usize> {
    let head = s.len().min(16);
    match s[..head].iter().position(|&c| c == b) {
        Some(p) => Some(p),
        None if head == s.len() => None,
        None => memchr::memchr(b, &s[head..]).map(|p| p + head),
    }
}

/// Whether `c` may start or end whitespace (a byte >= 0x80 may belong to Unicode space).
#[inline]
fn maybe_space(c: &u8) -> bool {
    c.is_ascii_whitespace() || *c == 0x0b || *c >= 0x80
}

/// `str::trim`, with a fast path for the usual text without surrounding whitespace.
#[inline]
fn trim(v: &str) -> &str {
    let b = v.as_bytes();
    if !b.first().is_some_and(maybe_space) && !b.last().is_some_and(maybe_space) {
        return v;
    }
    v.trim()
}

/// `str::trim_start`, with the same fast path.
#[inline]
fn trim_start(v: &str) -> &str {
    if !v.as_bytes().first().is_some_and(maybe_space) {
        return v;
    }
    v.trim_start()
}

struct Attrs<'a> {
    s: &'a str,
    base: usize,
}

impl<'a> Attrs<'a> {
    fn next_attr(&mut self) -> Result<Option<(&'a str, Cow<'a, str>)>, XmlError> {
        let t = trim_start(self.s);
        self.base += self.s.len() - t.len();
        self.s = t;
        if t.is_empty() {
            return Ok(None);
        }
        let Some(eq) = find_byte(t.as_bytes(), b'=') else {
            return Err(err("malformed XML", "attribute without value", self.base));
        };
        let key = trim(&t[..eq]);
        let after = trim_start(&t[eq + 1..]);
        let vstart = self.base + (t.len() - after.len());
        let q = after.as_bytes().first().copied().unwrap_or(0);
        if q != b'\'' && q != b'"' {
            return Err(err("malformed XML", "unquoted attribute value", vstart));
        }
        let Some(close) = find_byte(&after.as_bytes()[1..], q) else {
            return Err(err("malformed XML", "unterminated attribute value", vstart));
        };
        let raw_v = &after[1..1 + close];
        let v = unescape_at(raw_v, vstart)?;
        let consumed = 1 + close + 1;
        self.base = vstart + consumed;
        self.s = &after[consumed..];
        Ok(Some((key, v)))
    }
}

/// Rewrites XML rendered with indentation (the `evtx` crate's output) into the compact form
/// Windows renders for Splunk: no XML declaration, no whitespace between elements, attribute
/// values in single quotes. Text inside leaf elements is kept as it is.
pub fn compact_xml(xml: &str) -> String {
    let s = xml.as_bytes();
    let mut out = String::with_capacity(xml.len());
    let mut i = 0;
    // Whether the last tag written was a start tag (so whitespace after it may be leaf text).
    let mut last_was_start = false;
    while i < s.len() {
        let Some(rel) = memchr::memchr(b'<', &s[i..]) else {
            let t = &xml[i..];
            if !t.trim().is_empty() {
                out.push_str(t);
            }
            break;
        };
        let lt = i + rel;
        let text = &xml[i..lt];
        let rest = &s[lt..];
        let closing = rest.get(1) == Some(&b'/');
        if !text.trim().is_empty() || (last_was_start && closing) {
            out.push_str(text);
        }
        if rest.starts_with(b"<?") {
            i = memmem::find(rest, b"?>").map_or(s.len(), |e| lt + e + 2);
            continue;
        }
        if rest.starts_with(b"<!--") || rest.starts_with(b"<![CDATA[") {
            let (pat, _) = if rest.starts_with(b"<!--") {
                (&b"-->"[..], 3)
            } else {
                (&b"]]>"[..], 3)
            };
            let e = memmem::find(rest, pat).map_or(s.len(), |e| lt + e + 3);
            out.push_str(&xml[lt..e]);
            i = e;
            continue;
        }
        let Some(gt) = find_tag_end(rest).map(|e| lt + e) else {
            out.push_str(&xml[lt..]);
            break;
        };
        let tag = &xml[lt..=gt];
        if closing || !tag.contains('"') {
            out.push_str(tag);
        } else {
            // Requote "value" as 'value' when the value has no single quote.
            let mut quote = 0u8;
            let mut seg_start = 0;
            let tb = tag.as_bytes();
            let mut buf = String::with_capacity(tag.len());
            for (k, &b) in tb.iter().enumerate() {
                match (quote, b) {
                    (0, b'"') => {
                        let close = tag[k + 1..].find('"').map(|c| k + 1 + c);
                        if let Some(c) = close {
                            if !tag[k + 1..c].contains('\'') {
                                buf.push_str(&tag[seg_start..k]);
                                buf.push('\'');
                                buf.push_str(&tag[k + 1..c]);
                                buf.push('\'');
                                seg_start = c + 1;
                            }
                        }
                        quote = b'"';
                    }
                    (0, b'\'') => quote = b'\'',
                    (q, c) if q == c => quote = 0,
                    _ => {}
                }
            }
            buf.push_str(&tag[seg_start..]);
            out.push_str(&buf);
        }
        last_was_start = !closing && s[gt - 1] != b'/';
        i = gt + 1;
    }
    out
}

#[cfg(test)]
mod trim_tests {
    #[test]
    fn rendering_whitespace_is_trimmed_plain_spaces_kept() {
        assert_eq!(super::trim_rendering("\n\t\t%{S-1-5-21}"), "%{S-1-5-21}");
        assert_eq!(super::trim_rendering("cmd.exe /c x "), "cmd.exe /c x ");
        assert_eq!(super::trim_rendering("a\r\nb"), "a\r\nb");
        assert_eq!(super::trim_rendering("  x\n"), "  x");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_tag_ends_at_the_first_unquoted_gt() {
        use super::find_tag_end;
        assert_eq!(find_tag_end(b"<Data Name='a>b'>x"), Some(16));
        assert_eq!(find_tag_end(b"<Data Name=\"it's\">"), Some(17));
        assert_eq!(find_tag_end(b"<a/>"), Some(3));
        assert_eq!(find_tag_end(b"<Data Name='x'"), None);
        assert_eq!(find_tag_end(b"<Data Name='x"), None);
        assert_eq!(find_tag_end(b"<Data <b>"), None);
        assert_eq!(find_tag_end(b"<Data Name='<'>"), Some(14));
        assert_eq!(find_tag_end(b"<"), None);
    }

    use super::*;

    const EV: &str = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385f-c22a-43e0-bf4c-06f5698ffbd9}'/><EventID>1</EventID><Version>5</Version><Level>4</Level><Task>1</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime='2025-11-03T09:52:42.958354700Z'/><EventRecordID>1814</EventRecordID><Correlation/><Execution ProcessID='2712' ThreadID='3468'/><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>ar-win-1</Computer><Security UserID='S-1-5-18'/></System><EventData><Data Name='CommandLine'>a &amp; b\r\nc</Data><Data Name='Hashes'>MD5=AB,SHA256=CD</Data><Data Name='Empty'></Data></EventData></Event>";

    fn get<'a>(p: &'a ParsedXml, k: &str) -> Option<&'a str> {
        p.fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn fields() {
        let p = parse_event(EV).map_err(|e| e.detail).unwrap_or_default();
        assert_eq!(get(&p, "EventCode"), Some("1"));
        assert_eq!(get(&p, "EventID"), Some("1"));
        assert_eq!(get(&p, "Name"), Some("Microsoft-Windows-Sysmon"));
        assert_eq!(get(&p, "ProcessID"), Some("2712"));
        assert_eq!(get(&p, "SecurityID"), Some("S-1-5-18"));
        assert_eq!(get(&p, "CommandLine"), Some("a & b\r\nc"));
        assert_eq!(get(&p, "SHA256"), Some("CD"));
        assert_eq!(get(&p, "Empty"), None);
        assert!(p.time.is_some());
    }

    #[test]
    fn compact_roundtrip() {
        let pretty = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Event xmlns=\"http://x\">\n  <System>\n    <EventID>1</EventID>\n    <TimeCreated SystemTime=\"2020-01-01T00:00:00Z\">\n    </TimeCreated>\n  </System>\n  <EventData>\n    <Data Name=\"A\"> x </Data>\n  </EventData>\n</Event>";
        let c = compact_xml(pretty);
        assert!(
            c.starts_with("<Event xmlns='http://x'><System><EventID>1</EventID>"),
            "{c}"
        );
        let p = parse_event(&c).map_err(|e| e.detail).unwrap_or_default();
        assert_eq!(get(&p, "A"), Some(" x "));
    }

    #[test]
    fn splits_events_not_lines() {
        let data = format!("{EV}{EV}\r\n{}\r\n{EV}", EV.replace("\r\n", "\n"));
        let r = XmlReader::from_reader(
            Box::new(std::io::Cursor::new(data.into_bytes())),
            "t",
            &ReaderOptions::default(),
        );
        let recs: Vec<_> = r.collect();
        assert_eq!(recs.len(), 4);
        assert!(recs.iter().all(|r| matches!(r, Record::Event(_))));
    }
}

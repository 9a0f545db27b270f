//! Linux audit text reader (`/var/log/audit/audit.log`, sourcetype `linux:audit`): one event per
//! record, that is per line (`type=SYSCALL msg=audit(1604994496.155:92733): arch=c000003e ...`).
//!
//! The records of one serial (`SYSCALL`, `EXECVE`, `CWD`, `PATH`, `PROCTITLE` of one system call)
//! are kept as separate events, not grouped: the Splunk Add-on for Unix and Linux indexes each
//! line of `audit.log` as an event of sourcetype `linux:audit`, and security_content's data
//! sources for it (`linux_auditd_syscall`, `_execve`, `_path`, `_proctitle`, ...) each show one
//! record as the example event, searched by its `type`.
//!
//! Fields are the record's `key=value` pairs, as Splunk's automatic key-value extraction gives
//! them: double-quoted values are unquoted, and the pairs inside a user-space message
//! (`msg='op=adding user id=1004 exe="/usr/sbin/useradd" ... res=success'`) are extracted too.
//! When a key occurs twice, both values are kept (a multivalue field). `_time` is the epoch of
//! `msg=audit(EPOCH:SERIAL)`; `host` is `node=` when the record has one.

use super::{lossy_utf8, parse_time_prefix, Event, ReaderOptions, Record, Rejection};
use std::io::BufRead;

/// Whether text starts like an audit record (`type=` or `node=`, with `msg=audit(` on the line).
pub fn looks_like_audit(text: &[u8]) -> bool {
    let line = text.split(|&b| b == b'\n').next().unwrap_or(text);
    (line.starts_with(b"type=") || line.starts_with(b"node="))
        && memchr::memmem::find(line, b"msg=audit(").is_some()
}

/// Streams audit records, one per line.
pub struct AuditReader<'a> {
    src: Box<dyn BufRead + Send + 'a>,
    name: String,
    max: usize,
    offset: u64,
    line: Vec<u8>,
    done: bool,
}

impl<'a> AuditReader<'a> {
    /// Reads records from `src`; `name` is reported as the file.
    pub fn new(src: Box<dyn BufRead + Send + 'a>, name: String, opts: &ReaderOptions) -> Self {
        AuditReader {
            src,
            name,
            max: opts.max_event_bytes,
            offset: 0,
            line: Vec::new(),
            done: false,
        }
    }
}

impl Iterator for AuditReader<'_> {
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
                    self.done = true;
                    return Some(Record::Rejected(Rejection {
                        kind: "unreadable file".into(),
                        detail: e.to_string(),
                        file: self.name.clone(),
                        offset,
                    }));
                }
            };
            self.offset += n as u64;
            if self.line.len() > self.max {
                return Some(Record::Rejected(Rejection {
                    kind: "event too large".into(),
                    detail: format!("{} bytes", self.line.len()),
                    file: self.name.clone(),
                    offset,
                }));
            }
            let (text, repaired) = lossy_utf8(&self.line);
            let text = text.trim_end_matches(['\r', '\n']);
            if text.trim().is_empty() {
                continue;
            }
            let mut ev = parse_record(text, offset);
            ev.repaired.bytes = repaired;
            return Some(Record::Event(ev));
        }
    }
}

/// One audit record (a line) as an event.
pub fn parse_record(text: &str, offset: u64) -> Event {
    let mut fields = Vec::new();
    extract_pairs(text, &mut fields, true);
    let mut ev = Event::new(text.to_string(), fields, offset);
    if let Some(i) = text.find("msg=audit(") {
        if let Some(t) = parse_time_prefix(&text[i + 10..]) {
            ev.time = t;
        }
    }
    ev.host = ev.field("node").map(str::to_string);
    ev.sourcetype = Some("linux:audit".to_string());
    ev
}

/// `key=value` pairs of `s`: a key is a run of letters, digits, `_` or `-` starting a word; a
/// value runs to the next space, or is quoted with `"` (unquoted) or `'` (its inner pairs are
/// extracted too, when `nested`).
fn extract_pairs(s: &str, out: &mut Vec<(String, String)>, nested: bool) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // start of a word
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t' || b[i] == 0x1d) {
            i += 1;
        }
        let ks = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'-') {
            i += 1;
        }
        if i == ks || i >= b.len() || b[i] != b'=' {
            // not a pair: skip the word
            while i < b.len() && !(b[i] == b' ' || b[i] == b'\t' || b[i] == 0x1d) {
                i += 1;
            }
            continue;
        }
        let key = &s[ks..i];
        i += 1;
        let value = match b.get(i) {
            Some(b'"') => {
                let end = s[i + 1..].find('"').map_or(b.len(), |e| i + 1 + e);
                let v = &s[(i + 1).min(end)..end];
                i = (end + 1).min(b.len());
                v
            }
            Some(b'\'') => {
                let end = s[i + 1..].find('\'').map_or(b.len(), |e| i + 1 + e);
                let v = &s[(i + 1).min(end)..end];
                i = (end + 1).min(b.len());
                if nested {
                    out.push((key.to_string(), v.to_string()));
                    extract_pairs(v, out, false);
                    continue;
                }
                v
            }
            _ => {
                let vs = i;
                while i < b.len() && !(b[i] == b' ' || b[i] == b'\t' || b[i] == 0x1d) {
                    i += 1;
                }
                &s[vs..i]
            }
        };
        if !value.is_empty() {
            out.push((key.to_string(), value.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_gives_its_pairs_time_and_nested_message_pairs() {
        let ev = parse_record(
            "type=ADD_USER msg=audit(1610903553.730:591): pid=2945 uid=0 auid=1000 ses=14 msg='op=adding user id=1004 exe=\"/usr/sbin/useradd\" hostname=ubuntu-bionic res=success'",
            0,
        );
        assert_eq!(ev.time, 1610903553.730);
        assert_eq!(ev.field("type"), Some("ADD_USER"));
        assert_eq!(ev.field("msg"), Some("audit(1610903553.730:591):"));
        assert_eq!(ev.field("exe"), Some("/usr/sbin/useradd"));
        assert_eq!(ev.field("res"), Some("success"));
        assert_eq!(ev.field("op"), Some("adding"));
        assert_eq!(ev.sourcetype.as_deref(), Some("linux:audit"));
        let ev = parse_record(
            "node=web1 type=EXECVE msg=audit(1669615313.901:5538): argc=3 a0=\"sh\" a1=\"-c\"",
            0,
        );
        assert_eq!(ev.host.as_deref(), Some("web1"));
        assert_eq!(ev.field("a1"), Some("-c"));
        assert!(looks_like_audit(b"type=X msg=audit(1.2:3): a=b\n"));
        assert!(!looks_like_audit(b"hello"));
    }
}

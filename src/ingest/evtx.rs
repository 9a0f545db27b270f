//! EVTX reader, with the `evtx` crate. Each record is rendered to XML, rewritten into the compact
//! form Windows gives Splunk (see [`super::xml::compact_xml`]) and then goes through the same
//! field extraction as XmlWinEventLog, so an event has the same fields, names and values whichever
//! way it arrives. Records the crate cannot decode are reported with the crate's reason.

use super::xml::{compact_xml, event_from_parsed, parse_event};
use super::{Record, RecordIter, Rejection};
use evtx::{EvtxChunkData, EvtxParser, ParserSettings};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::Arc;

/// Streams the records of one `.evtx` file.
pub fn read(path: &Path) -> RecordIter {
    let file = path.display().to_string();
    match catch_unwind(|| EvtxParser::from_path(path)) {
        Ok(Ok(p)) => records(p, file),
        Ok(Err(e)) => not_evtx(e.to_string(), file),
        Err(_) => not_evtx("the evtx parser failed".into(), file),
    }
}

/// Streams the records of an `.evtx` file held in memory (from a `.gz` or a zip entry); `name`
/// is reported as the file.
pub fn read_buffer(buf: Vec<u8>, name: String) -> RecordIter {
    match catch_unwind(move || EvtxParser::from_buffer(buf)) {
        Ok(Ok(p)) => records(p, name),
        Ok(Err(e)) => not_evtx(e.to_string(), name),
        Err(_) => not_evtx("the evtx parser failed".into(), name),
    }
}

fn not_evtx(detail: String, file: String) -> RecordIter {
    Box::new(std::iter::once(Record::Rejected(Rejection {
        kind: "not an EVTX file".to_string(),
        detail,
        file,
        offset: 0,
    })))
}

fn records<T: std::io::Read + std::io::Seek + Send + 'static>(
    parser: EvtxParser<T>,
    file: String,
) -> RecordIter {
    let settings = ParserSettings::new().num_threads(1).indent(false);
    let settings = Arc::new(settings);
    let parser = parser.with_configuration((*settings).clone());
    Box::new(EvtxRecords {
        chunks: Box::new(parser.into_chunks()),
        settings,
        file,
        chunk_no: 0,
        pending: Vec::new().into_iter(),
        failed: false,
    })
}

/// Streams records chunk by chunk (an EVTX chunk is 64 KiB), so memory stays bounded.
struct EvtxRecords {
    chunks: Box<dyn Iterator<Item = evtx::err::Result<EvtxChunkData>> + Send>,
    settings: Arc<ParserSettings>,
    file: String,
    chunk_no: u64,
    pending: std::vec::IntoIter<Record>,
    failed: bool,
}

impl EvtxRecords {
    fn reject(&self, detail: String) -> Record {
        Record::Rejected(Rejection {
            kind: "EVTX record not decoded".into(),
            detail,
            file: self.file.clone(),
            offset: self.chunk_no,
        })
    }

    /// Renders the records of the next chunk; None when the file is done.
    fn next_chunk(&mut self) -> Option<Vec<Record>> {
        if self.failed {
            return None;
        }
        let file = self.file.clone();
        let settings = Arc::clone(&self.settings);
        let chunks = &mut self.chunks;
        let chunk_no = self.chunk_no;
        let result = catch_unwind(AssertUnwindSafe(|| -> Option<Vec<Record>> {
            let data = chunks.next()?;
            let mut data = match data {
                Ok(d) => d,
                Err(e) => {
                    return Some(vec![not_decoded(
                        &file,
                        chunk_no,
                        format!("chunk {chunk_no}: {e}"),
                    )])
                }
            };
            let mut chunk = match data.parse(settings) {
                Ok(c) => c,
                Err(e) => {
                    return Some(vec![not_decoded(
                        &file,
                        chunk_no,
                        format!("chunk {chunk_no}: {e}"),
                    )])
                }
            };
            let mut out = Vec::new();
            for rec in chunk.iter() {
                out.push(match rec.and_then(|r| r.into_xml()) {
                    Ok(r) => convert(&r.data, r.event_record_id, &file),
                    Err(e) => not_decoded(&file, chunk_no, format!("chunk {chunk_no}: {e}")),
                });
            }
            Some(out)
        }));
        self.chunk_no += 1;
        match result {
            Ok(v) => v,
            Err(_) => {
                self.failed = true;
                Some(vec![self.reject(
                    "the evtx parser failed part way through the file".into(),
                )])
            }
        }
    }
}

fn not_decoded(file: &str, chunk: u64, detail: String) -> Record {
    Record::Rejected(Rejection {
        kind: "EVTX record not decoded".into(),
        detail,
        file: file.to_string(),
        offset: chunk,
    })
}

impl Iterator for EvtxRecords {
    type Item = Record;
    fn next(&mut self) -> Option<Record> {
        loop {
            if let Some(r) = self.pending.next() {
                return Some(r);
            }
            self.pending = self.next_chunk()?.into_iter();
        }
    }
}

/// Turns one record's XML (as the crate renders it) into an event.
pub fn convert(xml: &str, record_id: u64, file: &str) -> Record {
    let raw = compact_xml(xml);
    match parse_event(&raw) {
        Ok(parsed) => Record::Event(event_from_parsed(raw, parsed, record_id)),
        Err(e) => Record::Rejected(Rejection {
            kind: e.kind.to_string(),
            detail: e.detail,
            file: file.to_string(),
            offset: record_id,
        }),
    }
}

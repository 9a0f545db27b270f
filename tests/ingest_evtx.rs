//! EVTX ingest: the same event from EVTX and from XML gives identical fields; every EVTX sample
//! replays without a crash and every record the evtx crate decodes is stored.
mod common;

use evtx::EvtxParser;
use spelunk::ingest::{self, xml::XmlReader, Input, ReaderOptions, Record};
use spelunk::store::{ReplayOptions, Store};

fn sysmon_sample(shared: &std::path::Path) -> std::path::PathBuf {
    shared.join(
        "corpus/evtx-attack-samples/AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.evtx",
    )
}

#[test]
fn same_sysmon_event_from_xml_and_evtx_has_identical_fields() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let path = sysmon_sample(&shared);
    // The evtx crate's own XML rendering of the first Sysmon EventCode 1 record.
    let mut parser = EvtxParser::from_path(&path).expect("evtx");
    let crate_xml = parser
        .records()
        .filter_map(Result::ok)
        .map(|r| r.data)
        .find(|x| x.contains("<EventID>1</EventID>") && x.contains("Microsoft-Windows-Sysmon"))
        .expect("a Sysmon EventCode 1 record");
    // The EVTX path.
    let from_evtx = ingest::open(&Input::new(&path), &ReaderOptions::default())
        .find_map(|r| match r {
            Record::Event(e) if e.field("EventCode") == Some("1") => Some(e),
            _ => None,
        })
        .expect("EVTX event");
    // The XML path, on the crate's indented XML and on the compact `_raw` the EVTX path stored.
    for text in [crate_xml.clone(), from_evtx.raw.clone()] {
        let from_xml = XmlReader::from_reader(
            Box::new(std::io::Cursor::new(text.into_bytes())),
            "mem",
            &ReaderOptions::default(),
        )
        .map(|r| match r {
            Record::Event(e) => e,
            Record::Rejected(r) => panic!("rejected {r}"),
        })
        .next()
        .expect("XML event");
        assert_eq!(from_xml.fields, from_evtx.fields);
        assert_eq!(from_xml.time, from_evtx.time);
        assert_eq!(from_xml.host, from_evtx.host);
        assert_eq!(from_xml.source, from_evtx.source);
    }
    for f in [
        "EventCode",
        "Image",
        "CommandLine",
        "ParentImage",
        "Hashes",
        "SHA256",
        "Computer",
        "Channel",
        "UserID",
    ] {
        assert!(from_evtx.field(f).is_some(), "{f}");
    }
    // `_raw` is the compact single-quoted rendering Splunk gets from Windows.
    assert!(from_evtx.raw.starts_with("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon'"));
    assert!(!from_evtx.raw.contains('\n'));
}

#[test]
fn every_evtx_sample_replays_and_decoded_records_are_stored() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let dir = shared.join("corpus/evtx-attack-samples");
    let files: Vec<_> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "evtx"))
        .map(|e| e.path().to_path_buf())
        .collect();
    assert_eq!(files.len(), 277);
    assert!(files.iter().any(|f| f.to_string_lossy().contains(' ')));
    assert!(
        dir.join("EVTX_ATT&CK_Metadata").is_dir(),
        "a folder name with &"
    );
    let mut store = Store::in_memory();
    let s = store
        .replay(&[Input::new(&dir)], &ReplayOptions::default())
        .expect("replay");
    assert_eq!(s.files, 277);
    assert_eq!(
        s.files_read + s.files_duplicate + s.files_rejected,
        277,
        "{s}"
    );
    assert_eq!(s.events_read, s.events_stored + s.events_rejected);
    // Count what the evtx crate itself decodes (duplicate files counted once).
    let mut decoded = 0u64;
    let mut seen = std::collections::HashSet::new();
    for f in &files {
        if !seen.insert(spelunk::store::hash_file(f)) {
            continue;
        }
        if let Ok(mut p) = EvtxParser::from_path(f) {
            decoded += p.records().filter(Result::is_ok).count() as u64;
        }
    }
    assert_eq!(s.events_stored, decoded, "{s}");
    let not_decoded = s
        .reasons
        .get("EVTX record not decoded")
        .copied()
        .unwrap_or(0);
    eprintln!(
        "EVTX: {} files, {} records stored, {} not decoded, reasons {:?}",
        s.files, s.events_stored, not_decoded, s.reasons
    );
}

//! Readers and timestamps on crafted data (written by the tests): gzip for every format, JSON
//! arrays and CloudTrail `{"Records":[...]}` files, pretty-printed JSON, Linux audit text, the
//! timestamp settings per sourcetype and Splunk's fallbacks, invalid bytes kept, and Splunk's key
//! cleaning of `<Data Name='...'>`. Each test fails under the reading it replaces.
mod common;

use spelunk::ingest::{self, Event, Input, ReaderOptions, Record};
use spelunk::store::{ReplayOptions, Store};
use std::io::Write;
use std::path::{Path, PathBuf};

fn events(input: &Input) -> Vec<Event> {
    ingest::open(input, &ReaderOptions::default())
        .map(|r| match r {
            Record::Event(e) => e,
            Record::Rejected(r) => panic!("rejected: {r}"),
        })
        .collect()
}

fn write(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, data).expect("write");
    p
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

fn epoch(iso: &str) -> f64 {
    ingest::parse_timestamp(iso).expect("time")
}

/// A CloudTrail record whose session creationDate (earlier in the text) is not its time.
fn cloudtrail_record(name: &str, time: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice","sessionContext":{{"attributes":{{"creationDate":"2020-01-01T00:00:00Z","mfaAuthenticated":"false"}}}}}},"eventTime":"{time}","eventSource":"iam.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.10","userAgent":"aws-cli/2.0","requestParameters":{{"userName":"bob"}},"responseElements":null,"recipientAccountId":"111122223333"}}"#
    )
}

#[test]
fn a_cloudtrail_records_file_gives_one_event_per_record_timed_by_event_time() {
    let dir = common::temp_dir("fmt-records");
    let doc = format!(
        "{{\n  \"Records\": [\n    {},\n    {}\n  ]\n}}\n",
        cloudtrail_record("CreateUser", "2023-07-10T11:45:00Z"),
        cloudtrail_record("DeleteUser", "2023-07-10T11:46:30Z")
    );
    let plain = write(&dir, "delivery.json", doc.as_bytes());
    let gz = write(&dir, "delivery.json.gz", &gzip(doc.as_bytes()));
    for path in [plain, gz] {
        let evs = events(&Input::new(&path));
        assert_eq!(evs.len(), 2, "{}", path.display());
        assert_eq!(evs[0].field("eventName"), Some("CreateUser"));
        assert_eq!(evs[1].field("eventName"), Some("DeleteUser"));
        // eventTime, not the earlier creationDate the generic recognition would find first.
        assert_eq!(evs[0].time, epoch("2023-07-10T11:45:00Z"));
        assert_eq!(evs[1].time, epoch("2023-07-10T11:46:30Z"));
        assert_eq!(evs[0].sourcetype.as_deref(), Some("aws:cloudtrail"));
        // _raw is the record, not the delivery file.
        assert!(evs[0].raw.starts_with("{\"eventVersion\""));
        assert!(!evs[0].raw.contains("Records"));
        assert!(!evs[0].repaired.time);
    }
    // Through the store: CloudTrail knowledge applies (errorCode defaults to success).
    let mut store = Store::in_memory();
    let s = store
        .replay(
            &[Input::new(dir.join("delivery.json.gz"))],
            &ReplayOptions::default(),
        )
        .expect("replay");
    assert_eq!(
        (s.events_stored, s.events_rejected, s.events_repaired),
        (2, 0, 0),
        "{s}"
    );
    let df = store.events(None).expect("events").collect().expect("df");
    let col = |n: &str| {
        let c = df.column(n).unwrap_or_else(|_| panic!("{n}"));
        let c = c.str().expect("str");
        (0..c.len())
            .map(|i| c.get(i).unwrap_or("").to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(col("errorCode"), ["success", "success"]);
    assert_eq!(col("user"), ["alice", "alice"]);
    assert_eq!(col("aws_account_id"), ["111122223333", "111122223333"]);
    assert_eq!(col("action"), ["created", "deleted"]);
    assert_eq!(col("status"), ["success", "success"]);
    assert_eq!(
        s.datamodels.get("Change.All_Changes").copied(),
        Some(2),
        "{s}"
    );
}

#[test]
fn json_arrays_ndjson_and_pretty_printed_objects_are_split_into_events() {
    let dir = common::temp_dir("fmt-json");
    let array = r#"[{"time":"2024-01-01T00:00:01Z","a":1},{"time":"2024-01-01T00:00:02Z","a":2},{"time":"2024-01-01T00:00:03Z","a":3}]"#;
    let pretty = "{\n  \"time\": \"2024-01-01T00:00:01Z\",\n  \"a\": 1\n}\n{\n  \"time\": \"2024-01-01T00:00:02Z\",\n  \"a\": 2\n}\n";
    let ndjson = "{\"time\":\"2024-01-01T00:00:01Z\",\"a\":1}\n{\"time\":\"2024-01-01T00:00:02Z\",\"a\":2}\n";
    for (name, text, n) in [
        ("array.json", array, 3),
        ("pretty.json", pretty, 2),
        ("lines.ndjson", ndjson, 2),
    ] {
        for (file, data) in [
            (name.to_string(), text.as_bytes().to_vec()),
            (format!("{name}.gz"), gzip(text.as_bytes())),
        ] {
            let evs = events(&Input::new(write(&dir, &file, &data)));
            assert_eq!(evs.len(), n, "{file}");
            assert_eq!(evs[1].field("a"), Some("2"), "{file}");
            assert_eq!(evs[1].time, epoch("2024-01-01T00:00:02Z"), "{file}");
        }
    }
}

#[test]
fn linux_audit_text_is_one_event_per_record_timed_by_msg_audit() {
    let dir = common::temp_dir("fmt-audit");
    let text = "type=SYSCALL msg=audit(1604994496.155:92733): arch=c000003e syscall=59 success=yes exit=0 ppid=29002 pid=1631 auid=1000 uid=1000 comm=\"arp\" exe=\"/usr/sbin/arp\" key=(null)\n\
type=EXECVE msg=audit(1604994496.155:92733): argc=2 a0=\"arp\" a1=\"-a\"\n\
type=CWD msg=audit(1604994496.155:92733): cwd=\"/home/wardog\"\n";
    for (file, data) in [
        ("audit.log", text.as_bytes().to_vec()),
        ("audit.log.gz", gzip(text.as_bytes())),
    ] {
        let evs = events(&Input::new(write(&dir, file, &data)));
        // The records of serial 92733 stay three events (not grouped).
        assert_eq!(evs.len(), 3, "{file}");
        assert_eq!(evs[0].field("type"), Some("SYSCALL"));
        assert_eq!(evs[0].field("exe"), Some("/usr/sbin/arp"));
        assert_eq!(evs[1].field("a1"), Some("-a"));
        assert!(evs.iter().all(|e| (e.time - 1604994496.155).abs() < 1e-6));
        assert!(evs
            .iter()
            .all(|e| e.sourcetype.as_deref() == Some("linux:audit")));
    }
}

#[test]
fn each_sourcetype_reads_its_own_time_field() {
    let dir = common::temp_dir("fmt-times");
    // Each event also holds an earlier timestamp-shaped value before its real time field.
    let cases = [
        (
            "o365:management:activity",
            r#"{"Id":"x","StartDate":"2001-01-01T00:00:00","CreationTime":"2023-12-04T20:42:05","Operation":"UserLoggedIn"}"#,
            "2023-12-04T20:42:05Z",
        ),
        (
            "azure:monitor:aad",
            r#"{"properties":{"createdDateTime":"2023-10-24T20:01:11Z"},"time":"2023-10-24T20:13:31.4449614Z"}"#,
            "2023-10-24T20:13:31.4449614Z",
        ),
        (
            "OktaIM2:log",
            r#"{"actor":{"alternateId":"a@example.com"},"client":{"seen":"2001-01-01T00:00:00Z"},"published":"2024-02-03T04:05:06.789Z"}"#,
            "2024-02-03T04:05:06.789Z",
        ),
        (
            "gws:reports:login",
            r#"{"etag":"2001-01-01T00:00:00Z","id":{"time":"2022-10-12T01:05:35.119Z","applicationName":"login"}}"#,
            "2022-10-12T01:05:35.119Z",
        ),
        (
            "_json",
            r#"{"kind":"Event","metadata":{"creationTimestamp":"2001-01-01T00:00:00Z"},"auditID":"1","stage":"ResponseComplete","requestReceivedTimestamp":"2023-12-07T14:44:53.358394Z","stageTimestamp":"2023-12-07T14:44:53.375985Z"}"#,
            "2023-12-07T14:44:53.358394Z",
        ),
    ];
    for (i, (st, line, want)) in cases.iter().enumerate() {
        let p = write(&dir, &format!("t{i}.json"), format!("{line}\n").as_bytes());
        let input = Input {
            sourcetype: Some(st.to_string()),
            ..Input::new(p)
        };
        let evs = events(&input);
        assert!(
            (evs[0].time - epoch(want)).abs() < 1e-6,
            "{st}: {}",
            evs[0].time
        );
    }
}

#[test]
fn events_without_a_readable_time_are_kept_with_the_previous_time_and_counted() {
    let dir = common::temp_dir("fmt-fallback");
    let text =
        "{\"no_time\":\"first\"}\n{\"time\":\"2024-05-01T12:00:00Z\"}\n{\"no_time\":\"third\"}\n";
    let p = write(&dir, "times.json", text.as_bytes());
    let mtime = std::fs::metadata(&p)
        .and_then(|m| m.modified())
        .expect("mtime")
        .duration_since(std::time::UNIX_EPOCH)
        .expect("epoch")
        .as_secs_f64();
    let evs = events(&Input::new(&p));
    assert_eq!(evs.len(), 3);
    // First: no previous event, so the file's modification time.
    assert!((evs[0].time - mtime).abs() < 1.0);
    assert!(evs[0].repaired.time);
    assert_eq!(evs[1].time, epoch("2024-05-01T12:00:00Z"));
    assert!(!evs[1].repaired.time);
    // Third: the previous event's time.
    assert_eq!(evs[2].time, evs[1].time);
    assert!(evs[2].repaired.time);
    // An XmlWinEventLog event without SystemTime is kept too.
    let xml = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><EventID>1</EventID><TimeCreated SystemTime='2024-05-01T12:00:00Z'/><Channel>Security</Channel><Computer>h</Computer></System><EventData><Data Name='A'>1</Data></EventData></Event>\r\n<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><EventID>2</EventID><TimeCreated SystemTime='garbage'/><Channel>Security</Channel><Computer>h</Computer></System><EventData><Data Name='A'>2</Data></EventData></Event>\r\n";
    let px = write(&dir, "times.log", xml.as_bytes());
    let mut store = Store::in_memory();
    let s = store
        .replay(
            &[Input::new(&p), Input::new(&px)],
            &ReplayOptions::default(),
        )
        .expect("replay");
    assert_eq!(s.events_read, 5);
    assert_eq!(s.events_stored, 5, "{s}");
    assert_eq!(s.events_rejected, 0, "{s}");
    assert_eq!(s.events_repaired, 3, "{s}");
    assert_eq!(s.repairs.get("no readable time").copied(), Some(3));
    assert!(s.to_string().contains("no readable time: 3"), "{s}");
}

#[test]
fn invalid_bytes_are_kept_as_replacement_characters_and_counted() {
    let dir = common::temp_dir("fmt-bytes");
    let mut json = b"{\"time\":\"2024-05-01T12:00:00Z\",\"msg\":\"caf".to_vec();
    json.extend_from_slice(&[0xE9, 0xFF]);
    json.extend_from_slice(b" ok\"}\n{\"time\":\"2024-05-01T12:00:01Z\",\"msg\":\"fine\"}\n");
    let pj = write(&dir, "bytes.json", &json);
    let mut xml = b"<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><EventID>1</EventID><TimeCreated SystemTime='2024-05-01T12:00:00Z'/><Channel>Security</Channel><Computer>h</Computer></System><EventData><Data Name='CommandLine'>cmd ".to_vec();
    xml.push(0xC3);
    xml.extend_from_slice(b"</Data></EventData></Event>\r\n");
    let px = write(&dir, "bytes.log", &xml);
    let mut audit = b"type=EXECVE msg=audit(1604994496.155:1): argc=1 a0=\"".to_vec();
    audit.push(0xFE);
    audit.extend_from_slice(b"\"\n");
    let pa = write(&dir, "bytes_audit.log", &audit);
    let evs = events(&Input::new(&pj));
    assert_eq!(evs.len(), 2);
    assert_eq!(evs[0].field("msg"), Some("caf\u{FFFD}\u{FFFD} ok"));
    assert!(evs[0].repaired.bytes && !evs[1].repaired.bytes);
    let evs = events(&Input::new(&px));
    assert_eq!(evs[0].field("CommandLine"), Some("cmd \u{FFFD}"));
    assert!(evs[0].repaired.bytes);
    let evs = events(&Input::new(&pa));
    assert_eq!(evs[0].field("a0"), Some("\u{FFFD}"));
    let mut store = Store::in_memory();
    let s = store
        .replay(
            &[Input::new(&pj), Input::new(&px), Input::new(&pa)],
            &ReplayOptions::default(),
        )
        .expect("replay");
    assert_eq!((s.events_stored, s.events_rejected), (4, 0), "{s}");
    assert_eq!(
        s.repairs.get("invalid UTF-8 replaced").copied(),
        Some(3),
        "{s}"
    );
    assert_eq!(s.events_read, s.events_stored + s.events_rejected);
}

#[test]
fn data_names_are_cleaned_as_splunk_clean_keys_does() {
    let dir = common::temp_dir("fmt-keys");
    let xml = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><EventID>1116</EventID><TimeCreated SystemTime='2024-05-01T12:00:00Z'/><Channel>Microsoft-Windows-Windows Defender/Operational</Channel><Computer>h</Computer></System><EventData><Data Name='Process Name'>C:\\x.exe</Data><Data Name='Threat Name'>EICAR</Data><Data Name='Target Commandline'>x.exe /y</Data><Data Name='2nd-Value'>v</Data><Data Name='_private'>p</Data></EventData></Event>\r\n";
    let evs = events(&Input::new(write(&dir, "defender.log", xml.as_bytes())));
    let e = &evs[0];
    assert_eq!(e.field("Process_Name"), Some("C:\\x.exe"));
    assert_eq!(e.field("Threat_Name"), Some("EICAR"));
    assert_eq!(e.field("Target_Commandline"), Some("x.exe /y"));
    // Leading digits and underscores are removed.
    assert_eq!(e.field("nd_Value"), Some("v"));
    assert_eq!(e.field("private"), Some("p"));
    assert_eq!(e.field("Process Name"), None);
    assert_eq!(ingest::clean_key("a.b-c d"), "a_b_c_d");
    assert_eq!(ingest::clean_key("Already_Clean1"), "Already_Clean1");
}

#[test]
fn gzip_and_zip_work_for_xml_evtx_and_audit_text_too() {
    let dir = common::temp_dir("fmt-gz-all");
    // XmlWinEventLog, gzipped: the same events as the plain file.
    let good = std::fs::read(common::fixture("good.log")).expect("fixture");
    let plain = events(&Input::new(common::fixture("good.log")));
    let gz = events(&Input::new(write(&dir, "good.log.gz", &gzip(&good))));
    assert_eq!(gz.len(), plain.len());
    assert_eq!(gz[0].fields, plain[0].fields);
    assert_eq!(gz[0].time, plain[0].time);
    // Linux audit text inside a zip (the OTRF datasets are zipped logs).
    let audit = "type=CWD msg=audit(1604994496.155:92733): cwd=\"/home/wardog\"\n";
    let zpath = dir.join("audit.zip");
    {
        let f = std::fs::File::create(&zpath).expect("zip");
        let mut z = zip::ZipWriter::new(f);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file("audit.log", opts).expect("entry");
        z.write_all(audit.as_bytes()).expect("write");
        z.finish().expect("finish");
    }
    let evs = events(&Input::new(&zpath));
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0].field("cwd"), Some("/home/wardog"));
    assert!((evs[0].time - 1604994496.155).abs() < 1e-6);
    // EVTX, gzipped (needs a real .evtx from ../shared).
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let evtx = walkdir::WalkDir::new(shared.join("corpus/evtx-attack-samples"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.path().to_path_buf())
        .find(|p| p.extension().is_some_and(|e| e == "evtx"))
        .expect("an evtx sample");
    let plain = events(&Input::new(&evtx));
    let bytes = std::fs::read(&evtx).expect("read");
    let gz = events(&Input::new(write(&dir, "sample.evtx.gz", &gzip(&bytes))));
    assert_eq!(gz.len(), plain.len());
    assert_eq!(gz[0].fields, plain[0].fields);
}

#[test]
fn cli_summary_reports_repairs_and_time_field_wins() {
    let dir = common::temp_dir("fmt-cli");
    let p = write(
        &dir,
        "t.json",
        b"{\"eventVersion\":\"1.08\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\",\"eventTime\":\"2023-07-10T11:45:00Z\",\"seen\":\"2001-02-03T04:05:06Z\"}\n{\"nothing\":\"here\"}\n",
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(["replay", "--in-memory", "--format", "json", "--no-progress"])
        .arg(&p)
        .output()
        .expect("run spelunk");
    // Nothing rejected: exit 0, one event repaired (no time), read = stored + rejected.
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["events_read"], 2);
    assert_eq!(v["events_stored"], 2);
    assert_eq!(v["events_repaired"], 1);
    assert_eq!(v["repairs"]["no readable time"], 1);
    // --time-field wins over the sourcetype's eventTime.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(["run", "--data"])
        .arg(&p)
        .args([
            "--format",
            "csv",
            "eventName=GetObject | eval t=strftime(_time, \"%Y\") | table t",
        ])
        .output()
        .expect("run spelunk");
    assert!(String::from_utf8_lossy(&out.stdout).contains("2023"));
    let text = std::process::Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args([
            "replay",
            "--in-memory",
            "--no-progress",
            "--time-field",
            "seen",
        ])
        .arg(&p)
        .output()
        .expect("run spelunk");
    let text = String::from_utf8_lossy(&text.stdout).to_string();
    assert!(
        text.contains("repaired (stored, as Splunk keeps them): 1 events"),
        "{text}"
    );
    let mut store = Store::in_memory();
    let opts = ReplayOptions {
        reader: ReaderOptions {
            time_field: Some("seen".into()),
            ..ReaderOptions::default()
        },
        ..ReplayOptions::default()
    };
    store.replay(&[Input::new(&p)], &opts).expect("replay");
    let df = store.events(None).expect("events").collect().expect("df");
    let t = df
        .column("_time")
        .expect("_time")
        .cast(&polars::prelude::DataType::Float64)
        .expect("f64");
    let first = t.f64().expect("f64").get(0).expect("row");
    assert_eq!(first, epoch("2001-02-03T04:05:06Z"));
}

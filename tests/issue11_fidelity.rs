//! Issue 11 (fidelity): the remaining documented behaviours, each on crafted data written here
//! and each failing under the common wrong reading.
mod common;

use serde_json::{Map, Value};
use std::path::PathBuf;
use std::process::Command;

/// Write JSON events (one object per line) to a fresh folder.
fn data(tag: &str, lines: &[String]) -> PathBuf {
    let dir = common::temp_dir(tag);
    let p = dir.join("events.json");
    std::fs::write(&p, lines.join("\n") + "\n").expect("write");
    p
}

fn spelunk(tag: &str, lines: &[String], spl: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(["run", "--format", "json", "--sourcetype", "_json", "--data"])
        .arg(data(tag, lines))
        .arg(spl)
        .output()
        .expect("run spelunk")
}

fn run(tag: &str, lines: &[String], spl: &str) -> Vec<Map<String, Value>> {
    let out = spelunk(tag, lines, spl);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{spl}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    v.as_array()
        .expect("array")
        .iter()
        .map(|r| r.as_object().expect("row").clone())
        .collect()
}

/// The error text of a search that must fail.
fn fails(tag: &str, lines: &[String], spl: &str) -> String {
    let out = spelunk(tag, lines, spl);
    assert_ne!(out.status.code(), Some(0), "{spl} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn col(rows: &[Map<String, Value>], c: &str) -> Vec<String> {
    rows.iter()
        .map(|r| match r.get(c) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(v) => v.to_string(),
        })
        .collect()
}

fn ev(minute: u32, rest: &str) -> String {
    format!("{{\"time\":\"2024-03-01T10:{minute:02}:00Z\",{rest}}}")
}

// ---- URL-encoded breakers (segmenters.conf [default] MAJOR: `%20`, `%2C`, ..., `--`) ----

fn url_events() -> Vec<String> {
    vec![
        ev(1, r#""id":"a","url":"/q?s=hello%20world""#),
        ev(2, r#""id":"b","url":"/q?s=list%2Citems""#),
        ev(3, r#""id":"c","url":"/q?s=helloworld""#),
        ev(4, r#""id":"d","url":"/q?s=%2021""#),
    ]
}

#[test]
fn url_encoded_sequences_are_major_breakers() {
    let ev = url_events();
    // `%20` is one major breaker: `20world` is not a term (the single-character reading, `%`
    // a minor breaker, would make it one), `world` is.
    assert!(run("u1", &ev, "20world | table id").is_empty());
    assert_eq!(col(&run("u2", &ev, "world | table id"), "id"), ["a"]);
    assert!(run("u3", &ev, "2Citems | table id").is_empty());
    assert_eq!(col(&run("u4", &ev, "items | table id"), "id"), ["b"]);
    // TERM() is bounded by it as by a space.
    assert_eq!(col(&run("u5", &ev, "TERM(world) | table id"), "id"), ["a"]);
    // A wildcard does not cross a major breaker.
    assert!(run("u6", &ev, "hello*world id=a | table id").is_empty());
    assert_eq!(col(&run("u7", &ev, "hello*world | table id"), "id"), ["c"]);
    // A term does not start inside `%20`: `2021` is not a term of `%2021` (`%20`, then `21`).
    assert!(run("u8", &ev, "2021 | table id").is_empty());
    assert_eq!(col(&run("u9", &ev, "21 | table id"), "id"), ["d"]);
}

// ---- CIDR values in event types and data model constraints ----

fn event(fields: &[(&str, &str)]) -> spelunk::knowledge::IndexedEvent {
    spelunk::knowledge::IndexedEvent {
        time: 0.0,
        raw: String::new(),
        host: "h".into(),
        source: "s".into(),
        sourcetype: "fw".into(),
        index: "main".into(),
        fields: fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        eventtype: Vec::new(),
        tag: Vec::new(),
    }
}

#[test]
fn cidr_values_in_event_types_and_data_model_constraints() {
    // Search Reference, `search`: a CIDR value matches the addresses in the range, as in a
    // search; event types and constraints are searches too. Under the text reading nothing
    // matches (no field holds the text `10.0.0.0/8`).
    let dir = common::temp_dir("cidr-knowledge");
    std::fs::write(
        dir.join("eventtypes.conf"),
        "[internal_src]\nsearch = src_ip=10.0.0.0/8\n\n\
         [not_internal]\nsearch = src_ip!=10.0.0.0/8\n\n\
         [lab_src]\nsearch = src_ip IN (192.168.1.0/24, 172.16.0.0/12)\n",
    )
    .expect("write");
    std::fs::create_dir_all(dir.join("datamodels")).expect("mkdir");
    std::fs::write(
        dir.join("datamodels/Lab.yml"),
        "model: Lab\ndatasets:\n  - name: Internal\n    constraint: 'dest_ip=\"10.1.0.0/16\"'\n    fields: [dest_ip]\n",
    )
    .expect("write");
    let k = spelunk::knowledge::Knowledge::load_dir(&dir).expect("knowledge");
    let types = |fields: &[(&str, &str)]| {
        let mut ev = event(fields);
        k.apply(&mut ev);
        ev.eventtype
    };
    assert_eq!(types(&[("src_ip", "10.20.30.40")]), ["internal_src"]);
    assert_eq!(types(&[("src_ip", "11.0.0.1")]), ["not_internal"]);
    assert_eq!(
        types(&[("src_ip", "172.20.1.1")]),
        ["lab_src", "not_internal"]
    );
    assert_eq!(
        types(&[("src_ip", "192.168.1.7")]),
        ["lab_src", "not_internal"]
    );
    // A multivalue field matches when any value is in the range.
    assert!(types(&[("src_ip", "8.8.8.8"), ("src_ip", "10.0.0.1")])
        .contains(&"internal_src".to_string()));
    let internal = k
        .datasets
        .iter()
        .find(|d| d.name == "Lab.Internal")
        .expect("dataset");
    assert!(internal.selects(&event(&[("dest_ip", "10.1.200.3")])));
    assert!(!internal.selects(&event(&[("dest_ip", "10.2.0.1")])));
    assert!(!internal.selects(&event(&[("dest_ip", "10.1.0.0/16")])));
}

// ---- eval(...) over aggregations in chart and timechart; timechart/chart WHERE ----

fn web_events() -> Vec<String> {
    vec![
        ev(0, r#""host":"a","size":10,"delay":2"#),
        ev(10, r#""host":"a","size":30,"delay":4"#),
        ev(20, r#""host":"b","size":100,"delay":10"#),
        ev(21, r#""host":"b","size":1,"delay":1"#),
        ev(22, r#""host":"b","size":1,"delay":1"#),
        ev(40, r#""host":"c","size":5,"delay":5"#),
    ]
}

#[test]
fn chart_eval_expression_over_aggregations() {
    // Search Reference, `chart`: `chart eval(avg(size)/max(delay)) AS ratio BY host user`: the
    // expression is over each group's aggregations (a: 20/4), not an aggregation of a
    // per-event ratio (a: avg(10/2, 30/4) = 6.25).
    let rows = run(
        "ce1",
        &web_events(),
        "host=* | chart eval(avg(size)/max(delay)) AS ratio by host",
    );
    assert_eq!(col(&rows, "host"), ["a", "b", "c"]);
    assert_eq!(col(&rows, "ratio"), ["5", "3.4", "1"]);
    // Over a column split: one column per host.
    let rows = run(
        "ce2",
        &web_events(),
        "host=* | eval k=\"all\" | chart eval(sum(size)/count()) AS per over k by host",
    );
    assert_eq!(col(&rows, "a"), ["20"]);
    assert_eq!(col(&rows, "b"), ["34"]);
    // Without a split-by clause the expression must be renamed.
    let err = fails("ce3", &web_events(), "host=* | chart eval(avg(size))");
    assert!(err.contains("must be renamed"), "{err}");
    // stats does not document it.
    let err = fails("ce4", &web_events(), "host=* | stats eval(avg(size)) AS x");
    assert!(err.contains("chart"), "{err}");
}

#[test]
fn timechart_eval_expression_needs_a_split() {
    // Search Reference, `timechart`: `timechart span=1m eval(avg(CPU) * avg(MEM)) BY host`.
    let rows = run(
        "te1",
        &web_events(),
        "host=* | timechart span=1h eval(avg(size)/max(delay)) BY host",
    );
    assert_eq!(col(&rows, "a"), ["5"]);
    assert_eq!(col(&rows, "b"), ["3.4"]);
    let rows = run(
        "te2",
        &web_events(),
        "host=* | timechart span=30m eval(round(avg(size)/max(delay), 1)) BY host",
    );
    assert_eq!(col(&rows, "b"), ["3.4", ""]);
    // "If you use an eval expression, the split-by clause is required."
    let err = fails(
        "te3",
        &web_events(),
        "host=* | timechart eval(avg(size)) AS x",
    );
    assert!(err.contains("BY clause"), "{err}");
}

#[test]
fn timechart_where_clause_selects_series() {
    let ev = web_events();
    let names = |rows: &[Map<String, Value>]| -> Vec<String> {
        rows.first()
            .map(|r| r.keys().filter(|k| *k != "_time").cloned().collect())
            .unwrap_or_default()
    };
    // `WHERE count > 1`: the total per series (a 2, b 3, c 1); c goes to OTHER.
    let rows = run(
        "tw1",
        &ev,
        "host=* | timechart span=1h count by host WHERE count > 1",
    );
    assert_eq!(names(&rows), ["a", "b", "OTHER"]);
    assert_eq!(col(&rows, "OTHER"), ["1"]);
    // `WHERE max in top1`: the highest spike (b: 3 in one hour), not the first series.
    let rows = run(
        "tw2",
        &ev,
        "host=* | timechart span=1h count by host WHERE max in top1",
    );
    assert_eq!(names(&rows), ["b", "OTHER"]);
    // `WHERE sum in bottom2` with useother=f: a and c, no OTHER.
    let rows = run(
        "tw3",
        &ev,
        "host=* | timechart span=1h count by host useother=f WHERE sum in bottom2",
    );
    assert_eq!(names(&rows), ["a", "c"]);
    // `notin`, and the threshold without a space, as documented.
    let rows = run(
        "tw4",
        &ev,
        "host=* | timechart span=1h count by host WHERE sum notin top1",
    );
    assert_eq!(names(&rows), ["a", "c", "OTHER"]);
    let rows = run(
        "tw5",
        &ev,
        "host=* | timechart span=1h count by host usenull=f WHERE count>2",
    );
    assert_eq!(names(&rows), ["b", "OTHER"]);
    // The where clause overrides limit= (limit=1 alone would keep b only).
    let rows = run(
        "tw6",
        &ev,
        "host=* | timechart span=1h limit=1 count by host WHERE count < 3",
    );
    assert_eq!(names(&rows), ["a", "c", "OTHER"]);
    // chart's column split has the same clause.
    let rows = run(
        "tw7",
        &ev,
        "host=* | eval k=\"all\" | chart count over k by host WHERE count in top2",
    );
    assert_eq!(names(&rows), ["k", "a", "b", "OTHER"]);
}

// ---- tstats over events: PREFIX(), indexed fields; FROM <namespace> ----

fn metrics_events() -> Vec<String> {
    vec![
        ev(0, r#""host":"web1","msg":"group=thruput kbps=10 name=a""#),
        ev(
            1,
            r#""host":"web1","msg":"group=thruput kbps=333.5 name=b""#,
        ),
        ev(2, r#""host":"web2","msg":"group=queue Kbps=7 name=c""#),
        ev(3, r#""host":"web2","msg":"group=queue size=1 xkbps=99""#),
    ]
}

#[test]
fn tstats_prefix_reads_raw_terms() {
    let ev = metrics_events();
    // Search Reference, tstats: "PREFIX(kbps=) ... will return 10 and 333"; the values follow
    // the prefix in the indexed terms (lower case: `Kbps=7` matches), and `xkbps=99` is not a
    // term starting with `kbps=`.
    let rows = run("tp1", &ev, "| tstats count by PREFIX(kbps=)");
    assert_eq!(col(&rows, "kbps="), ["10", "333.5", "7"]);
    assert_eq!(col(&rows, "count"), ["1", "1", "1"]);
    // "If you run PREFIX(kbps), the search returns =10 and =333."
    let rows = run("tp2", &ev, "| tstats count by PREFIX(kbps)");
    assert_eq!(col(&rows, "kbps"), ["=10", "=333.5", "=7"]);
    // An aggregation over PREFIX(), split by an indexed field and another PREFIX().
    let rows = run(
        "tp3",
        &ev,
        "| tstats count avg(PREFIX(kbps=)) AS avg_kbps where index=* by host PREFIX(group=)",
    );
    assert_eq!(col(&rows, "host"), ["web1", "web2"]);
    assert_eq!(col(&rows, "group="), ["thruput", "queue"]);
    assert_eq!(col(&rows, "count"), ["2", "2"]);
    assert_eq!(col(&rows, "avg_kbps"), ["171.75", "7"]);
    // The prefix must be written in lower case ("the tstats search processor will fail").
    let err = fails("tp4", &ev, "| tstats count by PREFIX(Kbps=)");
    assert!(err.contains("lower case"), "{err}");
    // PREFIX() is a tstats directive.
    let err = fails("tp5", &ev, "host=* | stats avg(PREFIX(kbps=))");
    assert!(err.contains("tstats"), "{err}");
}

#[test]
fn tstats_over_events_reads_indexed_fields_only() {
    let ev = metrics_events();
    let rows = run("ti1", &ev, "| tstats count where thruput by host");
    assert_eq!(col(&rows, "host"), ["web1"]);
    assert_eq!(col(&rows, "count"), ["2"]);
    // A search-time field is not in the tsidx files: an error naming it, not a count.
    let err = fails("ti2", &ev, "| tstats count where msg=x by host");
    assert!(err.contains("`msg` is a search-time field"), "{err}");
    let err = fails("ti3", &ev, "| tstats count by msg");
    assert!(err.contains("`msg`"), "{err}");
}

#[test]
fn tstats_from_a_namespace_is_an_error_naming_it() {
    // Search Reference 8.x, tstats: `FROM ( <namespace> | sid=<tscollect-job-id> |
    // datamodel=<data_model-name> )`. spelunk keeps no tscollect namespaces.
    let ev = metrics_events();
    let err = fails(
        "tn1",
        &ev,
        "| tstats avg(foo) FROM mydata WHERE bar=value2 baz>5",
    );
    assert!(
        err.contains("FROM mydata") && err.contains("tscollect"),
        "{err}"
    );
    let err = fails("tn2", &ev, "| tstats count FROM sid=1234.5");
    assert!(err.contains("sid=1234.5"), "{err}");
}

// ---- timechart: usenull, nullstr, useother, otherstr, aligntime ----

fn series_names(rows: &[Map<String, Value>]) -> Vec<String> {
    rows.first()
        .map(|r| r.keys().filter(|k| *k != "_time").cloned().collect())
        .unwrap_or_default()
}

/// a at 10:00 and 10:01, b at 10:07, c at 10:08, and two events without `user` (10:02, 10:06).
fn user_events() -> Vec<String> {
    vec![
        ev(0, r#""user":"a""#),
        ev(1, r#""user":"a""#),
        ev(2, r#""other":"x""#),
        ev(6, r#""other":"y""#),
        ev(7, r#""user":"b""#),
        ev(8, r#""user":"c""#),
    ]
}

#[test]
fn timechart_usenull_gives_the_null_series() {
    let ev = user_events();
    // Search Reference, timechart, usenull: "Controls whether or not a series is created for
    // events that do not contain the split-by field"; default true, labelled by nullstr (NULL).
    let rows = run("tn1", &ev, "* | timechart span=5m count by user");
    assert_eq!(series_names(&rows), ["a", "b", "c", "NULL"]);
    assert_eq!(col(&rows, "NULL"), ["1", "1"]);
    assert_eq!(col(&rows, "a"), ["2", "0"]);
    // usenull=f: no NULL series, and the events without the field count nowhere.
    let rows = run("tn2", &ev, "* | timechart span=5m usenull=f count by user");
    assert_eq!(series_names(&rows), ["a", "b", "c"]);
    // nullstr= names it.
    let rows = run(
        "tn3",
        &ev,
        "* | timechart span=5m nullstr=\"no user\" count by user",
    );
    assert_eq!(series_names(&rows), ["a", "b", "c", "no user"]);
    // A split field no event has: everything is NULL.
    let rows = run("tn4", &ev, "* | timechart span=5m count by nosuchfield");
    assert_eq!(series_names(&rows), ["NULL"]);
    assert_eq!(col(&rows, "NULL"), ["3", "3"]);
    // Without a split, usenull changes nothing.
    let rows = run("tn5", &ev, "* | timechart span=5m usenull=f count");
    assert_eq!(col(&rows, "count"), ["3", "3"]);
}

#[test]
fn timechart_useother_and_otherstr() {
    let ev = user_events();
    // limit=2 keeps the two largest series (a: 2, then b: 1 before c: 1), the rest summed into
    // OTHER, named by otherstr=; useother=f leaves the rest out.
    let rows = run(
        "to1",
        &ev,
        "* | timechart span=5m limit=2 usenull=f otherstr=rest count by user",
    );
    assert_eq!(series_names(&rows), ["a", "b", "rest"]);
    assert_eq!(col(&rows, "rest"), ["0", "1"]);
    let rows = run(
        "to2",
        &ev,
        "* | timechart span=5m limit=2 usenull=f useother=f count by user",
    );
    assert_eq!(series_names(&rows), ["a", "b"]);
}

/// Events at 10:01, 10:04 and 10:06.
fn align_events() -> Vec<String> {
    vec![
        ev(1, r#""k":"x""#),
        ev(4, r#""k":"x""#),
        ev(6, r#""k":"x""#),
    ]
}

fn times(rows: &[Map<String, Value>]) -> Vec<String> {
    col(rows, "_time")
        .into_iter()
        .map(|t| t.get(11..19).unwrap_or(&t).to_string())
        .collect()
}

#[test]
fn timechart_aligntime_moves_the_bins() {
    let ev = align_events();
    // Without aligntime, bins start on multiples of the span from epoch 0.
    let rows = run("ta1", &ev, "* | timechart span=5m count");
    assert_eq!(times(&rows), ["10:00:00", "10:05:00"]);
    assert_eq!(col(&rows, "count"), ["2", "1"]);
    // Search Reference, bin options, aligntime: "Align the bin times to something other than
    // base UTC time (epoch 0)"; a time specifier such as @d+3h. Here bins start at 2 minutes past
    // midnight plus multiples of 5m: 09:57 (10:01), 10:02 (10:04, 10:06).
    let rows = run("ta2", &ev, "* | timechart span=5m aligntime=@d+2m count");
    assert_eq!(times(&rows), ["09:57:00", "10:02:00"]);
    assert_eq!(col(&rows, "count"), ["1", "2"]);
    // An epoch time: 2024-03-01T10:03:00Z.
    let rows = run(
        "ta3",
        &ev,
        "* | timechart span=5m aligntime=1709287380 count",
    );
    assert_eq!(times(&rows), ["09:58:00", "10:03:00"]);
    assert_eq!(col(&rows, "count"), ["1", "2"]);
    // earliest: the search's earliest time, which over a replay is the first event's (10:01).
    let rows = run("ta4", &ev, "* | timechart span=5m aligntime=earliest count");
    assert_eq!(times(&rows), ["10:01:00", "10:06:00"]);
    assert_eq!(col(&rows, "count"), ["2", "1"]);
    // latest: bins end at the search's (exclusive) latest time, 10:06:01.
    let rows = run(
        "ta5",
        &ev,
        "* | timechart span=5m aligntime=latest count by k",
    );
    assert_eq!(times(&rows), ["09:56:01", "10:01:01"]);
    assert_eq!(col(&rows, "x"), ["1", "2"]);
    // "Ignored if span is in days, months, or years."
    let rows = run("ta6", &ev, "* | timechart span=1d aligntime=@d+2m count");
    assert_eq!(times(&rows), ["00:00:00"]);
    // bin has the same option (the bin options are timechart's).
    let rows = run(
        "ta8",
        &ev,
        "* | bin _time span=5m aligntime=@d+2m | stats count by _time",
    );
    assert_eq!(times(&rows), ["09:57:00", "10:02:00"]);
    assert_eq!(col(&rows, "count"), ["1", "2"]);
    let rows = run(
        "ta9",
        &ev,
        "* | bin _time span=5m aligntime=earliest | stats count by _time",
    );
    assert_eq!(times(&rows), ["10:01:00", "10:06:00"]);
    // A value that is none of these is an error naming it.
    let e = fails("ta7", &ev, "* | timechart span=5m aligntime=sometime count");
    assert!(e.contains("aligntime=sometime"), "{e}");
}

// ---- Search Reference forms that now run ----

/// `spelunk run` over the bundled sample dataset, CSV out.
fn on_sample(spl: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "--format", "csv", "--data", "datasets/sample"])
        .arg(spl)
        .output()
        .expect("run spelunk");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{spl}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn datamodel_command_search_and_flat_modes() {
    // Search Reference, datamodel: `| datamodel <model> <dataset> search` runs the dataset's
    // search (field names keep the dataset prefix); `flat` drops the prefix.
    let from =
        on_sample("| from datamodel:Endpoint.Processes | stats count by Processes.process_name");
    let search =
        on_sample("| datamodel Endpoint Processes search | stats count by Processes.process_name");
    assert_eq!(search, from);
    assert!(from.lines().count() > 2, "{from}");
    let flat = on_sample("| datamodel Endpoint Processes flat | stats count by process_name");
    assert_eq!(
        flat.lines().skip(1).collect::<Vec<_>>(),
        from.lines().skip(1).collect::<Vec<_>>()
    );
    // Without a search mode it would be the model's JSON: an error that says so.
    let e = fails("dm1", &user_events(), "| datamodel Endpoint");
    assert!(e.contains("JSON description"), "{e}");
}

#[test]
fn map_of_a_saved_search_is_an_error_naming_it() {
    let e = fails(
        "ms1",
        &user_events(),
        "* | head 1 | map mytimebased_savedsearch",
    );
    assert!(
        e.contains("no saved search named `mytimebased_savedsearch`"),
        "{e}"
    );
    assert!(e.contains("1:"), "{e}");
}

//! Reports of a test run: a summary for people, JSON, and JUnit XML for CI.
//!
//! JUnit: the shape GitLab and Jenkins read (Jenkins' `junit-10.xsd`, whose attribute lists are
//! closed): `<testsuites>` (name, tests, failures, errors, time — that schema has no `skipped`
//! there) with one `<testsuite>` per detection (name, tests, failures, errors, skipped, time,
//! timestamp, hostname, id, package), one `<testcase>` per test (name, classname = the
//! detection's path, time), a `<failure>`, `<error>` or `<skipped>` child when it did not pass. A manual test is
//! `<skipped>` with what happened in its message; a detection without a runnable test is one
//! skipped test case saying why.

use super::{DetectionOutcome, Status, TestOutcome, TestRun};
use std::collections::BTreeMap;
use std::fmt::Write;

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What a skip reason is grouped under (the part before `: `).
fn reason_group(r: &str) -> String {
    r.split(": ").next().unwrap_or(r).trim().to_string()
}

fn test_line(t: &TestOutcome) -> String {
    let what = match (t.status, t.results) {
        (_, Some(n)) if t.reason.is_none() => plural(n, "result", "results"),
        _ => t.reason.clone().unwrap_or_default(),
    };
    let neg = if t.expect == super::Expect::NoResults {
        " [negative]"
    } else {
        ""
    };
    let mut s = format!("{}{neg}: {what}", t.name);
    if !t.message_nulls.is_empty() {
        let _ = write!(
            s,
            " (note: message field(s) {} null in every result)",
            t.message_nulls.join(", ")
        );
    }
    s
}

/// The readable summary: one line per detection that ran (with each test's outcome and time),
/// skipped detections grouped by reason, the slowest detections, and the counts.
pub fn text(run: &TestRun, list_skipped: bool) -> String {
    let mut out = String::new();
    for d in &run.detections {
        let ran = d.tests.iter().any(|t| t.results.is_some());
        let show = ran || d.status == Status::Error || d.status == Status::Fail || list_skipped;
        if !show {
            continue;
        }
        let _ = writeln!(
            out,
            "{:<6} {:>7.2}s  {}",
            d.status.label(),
            d.seconds,
            d.display
        );
        if let Some(r) = &d.reason {
            let _ = writeln!(out, "                  {r}");
        }
        for t in &d.tests {
            let shared = if t.replay_shared && t.results.is_some() {
                ", replay shared"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "         {:<6}  {} ({:.2}s{shared})",
                t.status.label().to_lowercase(),
                test_line(t),
                t.seconds()
            );
        }
    }
    // Skipped detections, by reason.
    let mut groups: BTreeMap<String, Vec<&DetectionOutcome>> = BTreeMap::new();
    for d in run.detections.iter().filter(|d| d.status == Status::Skip) {
        let r = d
            .reason
            .clone()
            .or_else(|| d.tests.iter().find_map(|t| t.reason.clone()))
            .unwrap_or_else(|| "skipped".into());
        groups.entry(reason_group(&r)).or_default().push(d);
    }
    if !groups.is_empty() && !list_skipped {
        let _ = writeln!(out, "\nskipped, by reason (--list-skipped lists each):");
        let mut gs: Vec<_> = groups.into_iter().collect();
        gs.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
        for (reason, dets) in gs {
            let _ = writeln!(out, "{:>6}  {reason}", dets.len());
            if let Some(d) = dets.first() {
                let detail = d
                    .reason
                    .clone()
                    .or_else(|| d.tests.iter().find_map(|t| t.reason.clone()))
                    .unwrap_or_default();
                let _ = writeln!(out, "          e.g. {}: {detail}", d.display);
            }
        }
    }
    let mut slow: Vec<&DetectionOutcome> =
        run.detections.iter().filter(|d| d.seconds > 0.0).collect();
    slow.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
    if !slow.is_empty() {
        let _ = writeln!(out, "\nslowest:");
        for d in slow.iter().take(5) {
            let _ = writeln!(out, "{:>8.2}s  {}", d.seconds, d.display);
        }
    }
    let s = &run.summary;
    let _ = writeln!(
        out,
        "\n{}: {} passed, {} failed, {} skipped, {} manual{}",
        plural(s.detections, "detection", "detections"),
        s.passed,
        s.failed,
        s.skipped,
        s.manual,
        if s.errors > 0 {
            format!(", {}", plural(s.errors, "error", "errors"))
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        out,
        "{} run over {} ({} reused); {:.2} s wall time on {}",
        plural(s.tests_run, "test", "tests"),
        plural(s.replays, "replay", "replays"),
        s.replays_shared,
        s.seconds,
        plural(s.jobs, "job", "jobs")
    );
    out
}

/// The run as JSON.
pub fn json(run: &TestRun) -> String {
    serde_json::to_string_pretty(run).unwrap_or_else(|_| "{}".into()) + "\n"
}

/// Escape text for an XML attribute or text node.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The run as JUnit XML.
pub fn junit(run: &TestRun, timestamp: &str, hostname: &str) -> String {
    let s = &run.summary;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let count = |st: Status| -> usize {
        run.detections
            .iter()
            .map(|d| cases(d).iter().filter(|c| c.0 == st).count())
            .sum()
    };
    let total: usize = run.detections.iter().map(|d| cases(d).len()).sum();
    let _ = writeln!(
        out,
        "<testsuites name=\"spelunk test\" tests=\"{total}\" failures=\"{}\" errors=\"{}\" time=\"{:.3}\">",
        count(Status::Fail),
        count(Status::Error),
        s.seconds
    );
    for (id, d) in run.detections.iter().enumerate() {
        let cs = cases(d);
        let n = |st: Status| cs.iter().filter(|c| c.0 == st).count();
        let package = d
            .display
            .rsplit_once('/')
            .map(|(dir, _)| dir.replace('/', "."))
            .unwrap_or_default();
        let name = if d.name.is_empty() {
            d.display.clone()
        } else {
            d.name.clone()
        };
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3}\" timestamp=\"{}\" hostname=\"{}\" id=\"{id}\" package=\"{}\">",
            esc(&name),
            cs.len(),
            n(Status::Fail),
            n(Status::Error),
            n(Status::Skip) + n(Status::Manual),
            d.seconds,
            esc(timestamp),
            esc(hostname),
            esc(&package),
        );
        for (status, case_name, time, message) in cs {
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{time:.3}\"",
                esc(&case_name),
                esc(&d.display)
            );
            let m = esc(&message);
            match status {
                Status::Pass => out.push_str("/>\n"),
                Status::Fail => {
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{m}\" type=\"DetectionTestFailure\">{m}</failure>\n    </testcase>"
                    );
                }
                Status::Error => {
                    let _ = writeln!(
                        out,
                        ">\n      <error message=\"{m}\" type=\"DetectionTestError\">{m}</error>\n    </testcase>"
                    );
                }
                Status::Skip | Status::Manual => {
                    let _ = writeln!(out, ">\n      <skipped message=\"{m}\"/>\n    </testcase>");
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// A detection's JUnit test cases: (status, name, seconds, message).
fn cases(d: &DetectionOutcome) -> Vec<(Status, String, f64, String)> {
    let mut v: Vec<(Status, String, f64, String)> = d
        .tests
        .iter()
        .map(|t| {
            let neg = if t.expect == super::Expect::NoResults {
                " [negative]"
            } else {
                ""
            };
            (
                t.status,
                format!("{}{neg}", t.name),
                t.seconds(),
                t.reason.clone().unwrap_or_default(),
            )
        })
        .collect();
    if v.is_empty()
        || d.status == Status::Error && d.tests.iter().all(|t| t.status != Status::Error)
    {
        let status = if d.status == Status::Error {
            Status::Error
        } else {
            Status::Skip
        };
        v.push((
            status,
            "detection".into(),
            0.0,
            d.reason.clone().unwrap_or_else(|| "no test".into()),
        ));
    }
    v
}

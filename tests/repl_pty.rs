//! `spelunk repl` driven in a pseudo-terminal (issue 14 item 6): Tab completes, a search may span
//! lines, Ctrl-C drops the search being typed, an error keeps the prompt alive, and results (an
//! event list, a fitted table) stay within the window's width.
#![cfg(unix)]

mod common;

use rexpect::reader::Options;
use rexpect::session::{spawn_with_options, PtySession};
use std::process::Command;

const WIDTH: usize = 80;

/// The REPL over the bundled sample in an 80×40 terminal, without colour or a history file.
fn repl(tag: &str) -> PtySession {
    let home = common::temp_dir(&format!("repl-pty-{tag}"));
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("stty cols {WIDTH} rows 40; exec \"$0\" repl"))
        .arg(env!("CARGO_BIN_EXE_spelunk"))
        .env("HOME", &home)
        .env("NO_COLOR", "1")
        .env("PAGER", "cat")
        .env("TERM", "xterm");
    let mut p = spawn_with_options(
        cmd,
        Options::new()
            .timeout_ms(Some(60_000))
            .strip_ansi_escape_codes(true),
    )
    .expect("spawn spelunk repl");
    p.exp_string("Type a search").expect("banner");
    p.exp_string("spelunk> ").expect("prompt");
    p
}

fn quit(mut p: PtySession) {
    p.send_line(".quit").unwrap();
    p.exp_eof().expect("the REPL ends on .quit");
}

#[test]
fn tab_completes_a_partial_command() {
    let mut p = repl("tab");
    p.send("| makeresults | eval n=3 | tab").unwrap();
    p.send("\t").unwrap();
    p.flush().unwrap();
    // `tab` completes to `table `, so this is a valid search.
    p.send_line("n").unwrap();
    p.exp_regex(r"1 result \(")
        .expect("the completed search ran");
    quit(p);
}

#[test]
fn a_multi_line_search_runs() {
    let mut p = repl("multi");
    p.send_line("| makeresults \\").unwrap();
    p.exp_string("...").expect("continuation prompt");
    p.send_line("| eval answer=42 | table answer").unwrap();
    p.exp_string("42").unwrap();
    p.exp_regex(r"1 result \(").unwrap();
    quit(p);
}

#[test]
fn ctrl_c_drops_the_search_being_typed_and_an_error_keeps_the_repl_alive() {
    let mut p = repl("ctrlc");
    p.send_line("| makeresults | eval dropped=\"never closed")
        .unwrap();
    p.exp_string("...").expect("continuation prompt");
    p.send_control('c').unwrap();
    p.exp_string("spelunk> ")
        .expect("a fresh prompt after Ctrl-C");
    p.send_line("| stats count by").unwrap();
    p.exp_string("error").expect("a syntax error is reported");
    p.exp_string("spelunk> ").expect("the prompt again");
    p.send_line("| makeresults | eval kept=7 | table kept")
        .unwrap();
    let (before, _) = p.exp_regex(r"1 result \(").expect("the REPL is alive");
    assert!(before.contains('7'), "{before}");
    assert!(!before.contains("dropped"), "{before}");
    quit(p);
}

#[test]
fn ctrl_c_drops_a_running_search() {
    let mut p = repl("ctrlc-running");
    p.send_line("| makeresults count=10000 | streamstats count as n | eval h=md5(tostring(n)) | stats dc(h)")
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    p.send_control('c').unwrap();
    p.exp_string("search dropped")
        .expect("Ctrl-C drops the running search");
    p.exp_string("spelunk> ").expect("the prompt comes back");
    p.send_line("| makeresults | eval after=1 | table after")
        .unwrap();
    p.exp_regex(r"1 result \(").expect("the next search runs");
    quit(p);
}

fn assert_within(text: &str, width: usize) {
    for line in text.lines() {
        let w = unicode_width(line.trim_end_matches('\r'));
        assert!(w <= width, "line of {w} columns:\n{line}\nin:\n{text}");
    }
}

fn unicode_width(s: &str) -> usize {
    s.chars().count()
}

/// rexpect reads the terminal byte by byte, one char per byte: the text as UTF-8 again.
fn utf8(s: &str) -> String {
    let bytes: Vec<u8> = s.chars().map(|c| c as u32 as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn an_event_list_and_a_fitted_table_fit_the_window() {
    let mut p = repl("width");
    p.send_line("index=* | head 2").unwrap();
    // The echoed input line comes first; results start on the next line.
    p.exp_string("index=* | head 2").unwrap();
    let (events, _) = p.exp_regex(r"2 results \(").unwrap();
    let events = utf8(&events);
    assert!(events.contains("<Event"), "{events}");
    assert!(events.contains("host = "), "{events}");
    assert!(events.contains("\n1  20"), "{events}");
    assert_within(&events, WIDTH);
    p.send_line("index=* | head 3 | table _time host source sourcetype Image CommandLine ParentCommandLine User").unwrap();
    p.exp_string("ParentCommandLine User").unwrap();
    let (table, _) = p.exp_regex(r"3 results \(").unwrap();
    let table = utf8(&table);
    assert!(table.contains('┌'), "{table}");
    assert!(table.contains('…'), "{table}");
    assert_within(&table, WIDTH);
    quit(p);
}

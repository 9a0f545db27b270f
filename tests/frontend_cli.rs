//! The `spelunk parse` / `spelunk expand` command-line contract: outputs, exit statuses (0 ok,
//! 1 user error, never a panic) and errors with line:column and a caret.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn spelunk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run spelunk")
}

/// Runs spelunk with `input` on its standard input.
fn spelunk_with_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write");
    child.wait_with_output().expect("wait")
}

fn fixture_macros() -> String {
    common::project_dir()
        .join("tests/fixtures/security_content/macros")
        .display()
        .to_string()
}

#[test]
fn expand_prints_the_expanded_search() {
    let out = spelunk(&[
        "expand",
        "| tstats `security_content_summariesonly` count | `drop_dm_object_name(Processes)` | `x_filter`",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "| tstats summariesonly=false allow_old_summaries=true fillnull_value=null count | rename Processes.* AS * | search *"
    );
}

#[test]
fn expand_reads_standard_input() {
    let out = spelunk_with_stdin(&["expand"], b"index=main | `security_content_ctime(t)`");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "index=main | convert timeformat=\"%Y-%m-%dT%H:%M:%S\" ctime(t)"
    );
}

#[test]
fn unknown_macro_is_exit_1_with_position_caret_and_suggestion() {
    let out = spelunk(&["expand", "| tstats `security_content_sumariesonly` count"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("undefined macro `security_content_sumariesonly`"),
        "{err}"
    );
    assert!(err.contains("search:1:10"), "{err}");
    assert!(err.contains("^^^^"), "{err}");
    assert!(err.contains("did you mean"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn syntax_error_is_exit_1_with_line_column_and_caret() {
    let out = spelunk(&["parse", "index=main\n| stats count(eval(x==)) by y"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error: syntax error"), "{err}");
    assert!(err.contains("search:2:23"), "{err}");
    assert!(err.contains("2 | | stats count(eval(x==)) by y"), "{err}");
    assert!(err.contains(&format!("  | {}^\n", " ".repeat(22))), "{err}");
}

#[test]
fn parse_prints_json_and_text() {
    let out = spelunk(&[
        "parse",
        "--format",
        "json",
        "index=main | stats count by host",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["commands"][0]["name"], "search");
    assert_eq!(v["commands"][1]["stats"]["by"][0], "host");
    let out = spelunk(&["parse", "index=main | stats count by host"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("name: \"stats\""), "{text}");
}

#[test]
fn parse_reads_spl_files_and_macro_folders() {
    let file = common::project_dir().join("tests/fixtures/spl/01_tstats_seed_shape.spl");
    let file = file.display().to_string();
    // Without the folder that defines `process_cmd` the macro is undefined...
    let out = spelunk(&["parse", "-f", &file]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("undefined macro `process_cmd`"));
    // ...with it the search parses.
    let out = spelunk(&[
        "parse",
        "-f",
        &file,
        "--macros",
        &fixture_macros(),
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        v["commands"][0]["tstats"]["datamodel"],
        "Endpoint.Processes"
    );
}

#[test]
fn missing_file_is_exit_1() {
    let out = spelunk(&["parse", "-f", "/nonexistent/x.spl"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /nonexistent/x.spl"));
}

#[test]
fn unknown_command_still_parses_as_generic() {
    let out = spelunk(&[
        "parse",
        "--format",
        "json",
        "index=main | frobnicate a=1 | stats count",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["commands"][1]["generic"]["name"], "frobnicate");
}

#[test]
fn detection_yaml_loads_its_checkouts_macros() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let det = shared.join("corpus/security_content/detections/endpoint/credential_dumping_via_symlink_to_shadow_copy.yml");
    let out = spelunk(&["expand", "-f", &det.display().to_string()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("where (Processes.process_name=cmd.exe OR Processes.original_file_name=Cmd.Exe) Processes.process=*mklink*"), "{s}");
    assert!(s.contains("| rename Processes.* AS * |"), "{s}");
    assert!(s.trim_end().ends_with("| search *"), "{s}");
}

#[test]
fn check_tests_runs_the_fixture_detection_over_its_test_dataset() {
    let out = spelunk(&[
        "check",
        "--corpus",
        "tests/fixtures/security_content",
        "--tests",
        "tests/fixtures/security_content/detections",
        "--data-root",
        ".",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("tested pairs with results: 1 of 1"), "{text}");
    // Nothing with a test dataset: an error, not an empty success.
    let out = spelunk(&[
        "check",
        "--corpus",
        "tests/fixtures/security_content",
        "--tests",
        "tests/fixtures/security_content/macros",
        "--data-root",
        ".",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no detection with a test dataset"));
}

#[test]
fn repl_reads_searches_from_a_pipe_continues_lines_and_survives_errors() {
    let out = spelunk_with_stdin(
        &["repl", "--macros", &fixture_macros()],
        b"| tstats count from datamodel=Endpoint.Processes \\\n  where Processes.process_name=cmd.exe by Processes.process_name\n\
              | stats count by\n\
              .format csv\n\
              | makeresults | eval x=\"two\nlines\" | table x\n\
              .quit\n\
              | makeresults | eval never=1\n",
    );
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The first search spans two lines and runs over the bundled sample.
    assert!(stdout.contains("cmd.exe"), "{stdout}");
    assert!(stdout.contains("1 result"), "{stdout}");
    // The bad search is reported with its caret; the session goes on.
    assert!(
        stderr.contains("search:1:17") && stderr.contains('^'),
        "{stderr}"
    );
    // `.format csv` applies to the next search; a quote left open continues the line.
    assert!(stdout.contains("x\n\"two\nlines\""), "{stdout}");
    // Nothing runs after `.quit`.
    assert!(!stdout.contains("never"), "{stdout}");
}

//! `spelunk repl`: an interactive SPL prompt over replayed data.
//!
//! The data (the bundled sample, `--data` files replayed in memory, or a `--store`) is loaded
//! once (`.load` adds more); each search then runs as `spelunk run` would run it, and its results
//! are shown as the terminal view renders them ([`crate::output::view`]): an event list for raw
//! events, tables fitted to the window, then `N results (x ms)`. A search may span lines: a line
//! ending in `\`, or with a quote, bracket, parenthesis or backtick still open, continues on the
//! next. Lines starting with `.` are the prompt's own commands (`.help` lists them). Tab
//! completes (see [`helper`]); history is kept in `~/.spelunk_history` (Ctrl-R searches it).

pub mod helper;

use super::input::{report, SearchInput};
use super::run::{lookup_library, prepare_store, DataArgs};
use crate::diagnostic::Diagnostic;
use crate::exec::{self, Context};
use crate::lookups::LookupLibrary;
use crate::macros::MacroLibrary;
use crate::output::{render, view, OutputFormat};
use crate::store::{ReplayOptions, Store};
use clap::Args;
use polars::prelude::DataFrame;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// Arguments of `spelunk repl`.
#[derive(Debug, Args)]
#[command(
    after_help = "Data: as for `spelunk run`: --data files are replayed in memory once, at start (.load adds\nmore); --store reads a store; with neither, the bundled sample dataset is used.\n\nAt the prompt, type a search and press Enter (end a line with \\ to continue it); Tab completes\ncommands, options, functions, macros, fields and lookups; Ctrl-R searches the history. Type .help\nfor the prompt's commands (.fields, .load, .macros, .explain, .save, .format, .pager, ...).\n\nExamples:\n  spelunk repl\n  spelunk repl --macros ../security_content --data attack_data/.../windows-sysmon.log\n  echo '| tstats count from datamodel=Endpoint.Processes by Processes.process_name' | spelunk repl\n\nExit status: 0 when the session ends normally, 1 when the data or macros cannot be loaded."
)]
pub struct ReplArgs {
    /// A folder of macro definitions in security_content's YAML format (repeatable), or a
    /// security_content checkout's root.
    #[arg(long = "macros", value_name = "DIR")]
    pub macros: Vec<PathBuf>,

    #[command(flatten)]
    pub data: DataArgs,
}

/// What one input (a search or a prompt command) gave.
#[derive(Debug)]
pub enum Reply {
    /// Text to print.
    Text(String),
    /// An error to report (with its position, for a search).
    Error(Diagnostic),
    /// The session ends.
    Quit,
}

/// A session: the data and macros loaded once, and the prompt's settings.
pub struct Session {
    store: Store,
    macros: MacroLibrary,
    lookups: LookupLibrary,
    tz: String,
    /// `None`: the terminal view.
    format: Option<OutputFormat>,
    limit: Option<usize>,
    /// Page long results.
    pub pager: bool,
    /// The window's width for the terminal view (`None`: ask the terminal each time).
    pub width: Option<usize>,
    /// The last search's results (for `.save` and `.fields`).
    last: Option<DataFrame>,
    /// Set when `.load` changed the data (the completer's vocabulary is then rebuilt).
    pub data_changed: bool,
}

fn help() -> String {
    let mut out = String::from(
        "Type a search and press Enter; end a line with \\ to continue it on the next.\nTab completes; Ctrl-R searches the history; Ctrl-C drops the search being typed or running.\nCommands:\n",
    );
    for (name, doc) in helper::DOT_COMMANDS {
        let (args, doc) = match doc.split_once(": ") {
            Some((a, d)) if !a.contains(' ') || a.contains('|') || a.starts_with('[') => (a, d),
            _ => ("", *doc),
        };
        out.push_str(&format!(
            "  {:<24}{doc}\n",
            format!("{name} {args}").trim_end()
        ));
    }
    out
}

fn on_off(rest: &str, what: &str) -> Result<bool, Diagnostic> {
    match rest {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(Diagnostic::new(format!(
            "use `.{what} on` or `.{what} off`"
        ))),
    }
}

impl Session {
    /// A session over `store` with these macros and lookups.
    pub fn new(store: Store, macros: MacroLibrary, lookups: LookupLibrary) -> Session {
        Session {
            store,
            macros,
            lookups,
            tz: "UTC".into(),
            format: None,
            limit: None,
            pager: true,
            width: None,
            last: None,
            data_changed: false,
        }
    }

    /// The completer's vocabulary for this session.
    pub fn vocabulary(&self) -> helper::Vocabulary {
        helper::Vocabulary::new(&self.store, &self.macros, &self.lookups)
    }

    /// Handles one complete input: a search, or a command starting with `.`.
    pub fn handle(&mut self, input: &str) -> Reply {
        let text = join_continued(input);
        let text = text.trim();
        if text.is_empty() {
            return Reply::Text(String::new());
        }
        match text.strip_prefix('.') {
            Some(cmd) => self.command(cmd),
            None => self.search(text),
        }
    }

    fn command(&mut self, cmd: &str) -> Reply {
        let (name, rest) = cmd.split_once(char::is_whitespace).unwrap_or((cmd, ""));
        let rest = rest.trim();
        let r: Result<String, Diagnostic> = match name {
            "help" | "h" | "?" => Ok(help()),
            "quit" | "exit" | "q" => return Reply::Quit,
            "format" => match rest {
                "auto" => {
                    self.format = None;
                    Ok(String::new())
                }
                f => match OutputFormat::parse(f) {
                    Some(f) => {
                        self.format = Some(f);
                        Ok(String::new())
                    }
                    None => Err(Diagnostic::new(format!(
                        "unknown format `{rest}`: use auto, table, csv, json, jsonl or raw"
                    ))),
                },
            },
            "limit" => match rest {
                "off" | "none" => {
                    self.limit = None;
                    Ok("limit: off\n".into())
                }
                n => match n.parse::<usize>() {
                    Ok(n) => {
                        self.limit = Some(n);
                        Ok(format!("limit: {n}\n"))
                    }
                    Err(_) => Err(Diagnostic::new("use `.limit N` or `.limit off`")),
                },
            },
            "tz" if crate::expr::time::parse_tz(rest).is_some() => {
                self.tz = rest.to_string();
                Ok(format!("time zone: {rest}\n"))
            }
            "tz" => Err(Diagnostic::new(format!(
                "unknown time zone `{rest}` (use an IANA name such as UTC or Europe/Paris)"
            ))),
            // Every search prints its time; kept so that older habits do not fail.
            "timing" => on_off(rest, "timing").map(|_| String::new()),
            "pager" => on_off(rest, "pager").map(|on| {
                self.pager = on;
                format!("pager: {}\n", if on { "on" } else { "off" })
            }),
            "expand" => {
                crate::macros::expand(rest, &self.macros).map(|s| format!("{}\n", s.trim()))
            }
            "explain" => crate::plan_search(rest, &self.macros)
                .map(|(_, plan)| crate::plan::explain::text(&plan)),
            "tables" => Ok(self.tables()),
            "macros" => Ok(self.list_macros(rest)),
            "fields" => self.fields(),
            "load" => self.load(rest),
            "save" => self.save(rest),
            _ => Err(Diagnostic::new(format!(
                "unknown command `.{name}` (type .help for the list)"
            ))),
        };
        match r {
            Ok(t) => Reply::Text(t),
            Err(e) => Reply::Error(e),
        }
    }

    fn tables(&self) -> String {
        let mut out = String::new();
        let indexes = self.store.indexes();
        out.push_str(&format!("indexes: {}\n", list(&indexes)));
        let models = self.store.datamodels();
        out.push_str(&format!("data model datasets: {}\n", list(&models)));
        out
    }

    fn list_macros(&self, pattern: &str) -> String {
        let re = (!pattern.is_empty())
            .then(|| {
                let p = if pattern.contains('*') {
                    pattern.to_string()
                } else {
                    format!("*{pattern}*")
                };
                crate::frame::wildcard_regex(&p)
            })
            .flatten();
        let mut out = String::new();
        let mut n = 0;
        for key in self.macros.keys() {
            let (name, arity) = match key.strip_suffix(')').and_then(|k| k.split_once('(')) {
                Some((name, a)) => (name, a.parse().unwrap_or(0)),
                None => (key, 0),
            };
            if re.as_ref().is_some_and(|r| !r.is_match(name)) {
                continue;
            }
            let Some(def) = self.macros.get(name, arity) else {
                continue;
            };
            let args = if def.args.is_empty() {
                String::new()
            } else {
                format!("({})", def.args.join(", "))
            };
            let body = def
                .definition
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            out.push_str(&format!("`{name}{args}`  {}\n", view::truncate(&body, 100)));
            n += 1;
        }
        out.push_str(&format!("{n} macro{}\n", if n == 1 { "" } else { "s" }));
        out
    }

    /// Every field of the last results (or of all events, before any search): how many
    /// distinct values it has, and its top values, as Splunk's field sidebar shows them.
    fn fields(&self) -> Result<String, Diagnostic> {
        let df = match &self.last {
            Some(df) => df.clone(),
            None => self
                .store
                .events(None)
                .and_then(|lf| lf.collect().map_err(Into::into))
                .map_err(|e| Diagnostic::new(format!("store: {e}")))?,
        };
        let mut rows = Vec::new();
        for c in df.columns() {
            let name = c.name().to_string();
            if name == "_raw" {
                continue;
            }
            let mut counts: std::collections::HashMap<String, usize> = Default::default();
            let mut present = 0;
            for i in 0..df.height() {
                let v = crate::frame::values_at(c, i);
                if !v.is_empty() {
                    present += 1;
                }
                for x in v {
                    *counts.entry(x).or_default() += 1;
                }
            }
            if present == 0 {
                continue;
            }
            let mut top: Vec<(String, usize)> =
                counts.iter().map(|(k, v)| (k.clone(), *v)).collect();
            top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let top: Vec<String> = top
                .iter()
                .take(3)
                .map(|(v, n)| format!("{} ({n})", view::truncate(v, 40)))
                .collect();
            rows.push((name, present, counts.len(), top.join(", ")));
        }
        let mut t = comfy_table::Table::new();
        t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
        t.set_header(["field", "events", "distinct", "top values"]);
        let width = self.width.unwrap_or_else(view::terminal_width);
        let name_w = rows.iter().map(|r| r.0.len()).max().unwrap_or(5).min(40);
        let top_w = width.saturating_sub(name_w + 30).max(20);
        for (name, present, distinct, top) in &rows {
            t.add_row([
                view::truncate(name, 40),
                present.to_string(),
                distinct.to_string(),
                view::truncate(top, top_w),
            ]);
        }
        Ok(format!(
            "{t}\n{} fields over {} result{}\n",
            rows.len(),
            df.height(),
            if df.height() == 1 { "" } else { "s" }
        ))
    }

    /// Replays a file or folder into the session's store.
    fn load(&mut self, path: &str) -> Result<String, Diagnostic> {
        if path.is_empty() {
            return Err(Diagnostic::new("use `.load FILE` or `.load DIR`"));
        }
        let path = PathBuf::from(path);
        if !path.exists() {
            return Err(Diagnostic::new(format!(
                "{}: no such file or folder",
                path.display()
            )));
        }
        let input = crate::ingest::Input::new(path.clone());
        let summary = self
            .store
            .replay(&[input], &ReplayOptions::default())
            .map_err(|e| Diagnostic::new(format!("store: {e}")))?;
        self.data_changed = true;
        let mut out = format!(
            "loaded {}: {} events",
            path.display(),
            summary.events_read - summary.events_rejected
        );
        if summary.events_rejected > 0 {
            out.push_str(&format!(" ({} rejected)", summary.events_rejected));
        }
        out.push('\n');
        Ok(out)
    }

    /// Writes the last results to a file, in the format its extension names.
    fn save(&self, file: &str) -> Result<String, Diagnostic> {
        if file.is_empty() {
            return Err(Diagnostic::new(
                "use `.save FILE` (.csv, .json, .jsonl, .txt or .raw)",
            ));
        }
        let path = PathBuf::from(file);
        let Some(format) = OutputFormat::from_extension(&path) else {
            return Err(Diagnostic::new(format!(
                "{file}: name the format by extension: .csv, .json, .jsonl, .txt or .raw"
            )));
        };
        let Some(df) = &self.last else {
            return Err(Diagnostic::new(
                "no results to save yet: run a search first",
            ));
        };
        std::fs::write(&path, render(df, format, &self.tz))
            .map_err(|e| Diagnostic::new(format!("cannot write {file}: {e}")))?;
        Ok(format!(
            "saved {} result{} to {file} ({})\n",
            df.height(),
            if df.height() == 1 { "" } else { "s" },
            format.name()
        ))
    }

    fn search(&mut self, spl: &str) -> Reply {
        let started = Instant::now();
        let (expanded, plan) = match crate::plan_search(spl, &self.macros) {
            Ok(p) => p,
            Err(e) => return Reply::Error(e),
        };
        let mut ctx = Context::new(&self.store, expanded, self.macros.clone());
        ctx.tz = self.tz.clone();
        ctx.lookups = self.lookups.clone();
        match exec::run(&plan, &ctx) {
            Ok(mut df) => {
                let elapsed = started.elapsed();
                let total = df.height();
                if let Some(n) = self.limit {
                    df = df.head(Some(n));
                }
                let text = match self.format {
                    None => {
                        let width = self.width.unwrap_or_else(view::terminal_width);
                        let mut t = view::render(&df, &self.tz, width);
                        if total > df.height() {
                            t.push_str(&format!("(first {} shown)\n", df.height()));
                        }
                        t + &view::footer(total, elapsed)
                    }
                    Some(f) => render(&df, f, &self.tz),
                };
                self.last = Some(df);
                Reply::Text(text)
            }
            Err(e) => Reply::Error(e),
        }
    }
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "(none)".into()
    } else {
        names.join(", ")
    }
}

/// Whether `text` is an unfinished search: its last line ends in `\`, or a quote, backtick,
/// bracket or parenthesis is still open.
pub fn needs_more(text: &str) -> bool {
    if text.trim_end().ends_with('\\') {
        return true;
    }
    let mut depth = 0i64;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' && q == '"' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '`' => quote = Some(c),
            '[' | '(' => depth += 1,
            ']' | ')' => depth -= 1,
            _ => {}
        }
    }
    quote.is_some() || depth > 0
}

/// The lines of an input as one search: a line's trailing `\` joins it to the next with a
/// space; otherwise the line break is kept (SPL treats it as a space).
fn join_continued(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for (i, line) in input.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        match line.trim_end().strip_suffix('\\') {
            Some(l) => out.push_str(l),
            None => out.push_str(line),
        }
    }
    out
}

/// Run `spelunk repl`.
pub fn run(args: ReplArgs) -> ExitCode {
    let data = &args.data;
    if crate::expr::time::parse_tz(&data.tz).is_none() {
        report(&Diagnostic::new(format!(
            "unknown time zone `{}` (use an IANA name such as UTC or Europe/Paris)",
            data.tz
        )));
        return ExitCode::from(1);
    }
    let input = SearchInput {
        spl: None,
        file: None,
        macros: args.macros.clone(),
    };
    let loaded = input.library().and_then(|macros| {
        let lookups = lookup_library(None, data)?;
        let store = prepare_store(data)?;
        Ok((macros, lookups, store))
    });
    let (macros, lookups, store) = match loaded {
        Ok(x) => x,
        Err(e) => {
            report(&e);
            return ExitCode::from(1);
        }
    };
    let mut session = Session::new(store, macros, lookups);
    session.tz = data.tz.clone();
    session.limit = data.limit;
    // Without --format: the terminal view on a terminal, a plain table into a pipe.
    session.format = match data.format {
        None if !std::io::IsTerminal::is_terminal(&std::io::stdout()) => Some(OutputFormat::Table),
        f => f,
    };
    let interactive = std::io::IsTerminal::is_terminal(&std::io::stdin());
    if interactive {
        interactive_loop(session)
    } else {
        piped_loop(&mut session)
    }
}

/// Prints a reply; returns false when the session ends.
fn show(reply: Reply) -> bool {
    show_paged(reply, false)
}

/// Prints a reply, through the pager when `page` and it is taller than the window.
fn show_paged(reply: Reply, page: bool) -> bool {
    match reply {
        Reply::Text(t) => {
            if !(page && t.lines().count() + 1 > view::terminal_height() && pager(&t)) {
                print!("{t}");
            }
            true
        }
        Reply::Error(e) => {
            report(&e);
            true
        }
        Reply::Quit => false,
    }
}

/// Shows `text` through `$PAGER` (default `less -FRX`); false when no pager could run.
fn pager(text: &str) -> bool {
    use std::io::Write;
    let cmd = std::env::var("PAGER")
        .ok()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| "less -FRX".into());
    let mut words = cmd.split_whitespace();
    let Some(program) = words.next() else {
        return false;
    };
    let child = std::process::Command::new(program)
        .args(words)
        .stdin(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        return false;
    };
    if let Some(mut stdin) = child.stdin.take() {
        // A pager quit early closes its input: not an error.
        let _ = stdin.write_all(text.as_bytes());
    }
    let _ = child.wait();
    true
}

fn history_file() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".spelunk_history"))
}

/// Set by Ctrl-C (SIGINT) while a search runs; rustyline handles Ctrl-C itself while a line is
/// being typed and restores this handler afterwards.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

#[cfg(unix)]
extern "C" fn on_sigint(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Ctrl-C during a search drops the search instead of ending the session.
fn catch_ctrl_c() {
    #[cfg(unix)]
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(
            libc::SIGINT,
            on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t,
        );
    }
}

/// Runs one input on a worker thread; `None` when Ctrl-C dropped it. A dropped search runs to
/// its end in the background (polars cannot be stopped mid-query) and its results are thrown
/// away; the next input waits for it.
fn handle_interruptible(session: &Arc<Mutex<Session>>, input: String) -> Option<Reply> {
    INTERRUPTED.store(false, Ordering::SeqCst);
    let (tx, rx) = mpsc::channel();
    let worker = Arc::clone(session);
    std::thread::spawn(move || {
        let _ = tx.send(lock(&worker).handle(&input));
    });
    loop {
        match rx.recv_timeout(Duration::from_millis(40)) {
            Ok(reply) => return Some(reply),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if INTERRUPTED.swap(false, Ordering::SeqCst) {
                    return None;
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Some(Reply::Error(Diagnostic::new(
                    "the search stopped without a result (an internal error)",
                )))
            }
        }
    }
}

/// The session, even when a search panicked while holding it.
fn lock(s: &Mutex<Session>) -> std::sync::MutexGuard<'_, Session> {
    s.lock().unwrap_or_else(|e| e.into_inner())
}

fn interactive_loop(session: Session) -> ExitCode {
    let session = Arc::new(Mutex::new(session));
    catch_ctrl_c();
    let config = rustyline::Config::builder()
        .auto_add_history(false)
        .completion_type(rustyline::CompletionType::List)
        .build();
    let mut editor: rustyline::Editor<helper::ReplHelper, rustyline::history::DefaultHistory> =
        match rustyline::Editor::with_config(config) {
            Ok(e) => e,
            Err(e) => {
                report(&Diagnostic::new(format!(
                    "cannot start the line editor: {e}"
                )));
                return ExitCode::from(1);
            }
        };
    editor.set_helper(Some(helper::ReplHelper::new(
        lock(&session).vocabulary(),
        helper::color_wanted(),
    )));
    let history = history_file();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    let stores = {
        let s = lock(&session);
        s.store.indexes().len() + s.store.datamodels().len()
    };
    println!(
        "spelunk {}: {} tables loaded. Type a search, or .help.",
        env!("CARGO_PKG_VERSION"),
        stores
    );
    let mut pending = String::new();
    loop {
        let prompt = if pending.is_empty() {
            "spelunk> "
        } else {
            "     ... "
        };
        match editor.readline(prompt) {
            Ok(line) => {
                if !pending.is_empty() {
                    pending.push('\n');
                }
                pending.push_str(&line);
                let more = needs_more(&pending);
                if let Some(h) = editor.helper_mut() {
                    h.pending = if more { pending.clone() } else { String::new() };
                }
                if more {
                    continue;
                }
                let input = std::mem::take(&mut pending);
                if !input.trim().is_empty() {
                    let _ = editor.add_history_entry(input.as_str());
                }
                let Some(reply) = handle_interruptible(&session, input) else {
                    println!("search dropped (Ctrl-C)");
                    continue;
                };
                let pager = lock(&session).pager;
                if !show_paged(reply, pager) {
                    break;
                }
                let mut s = lock(&session);
                if s.data_changed {
                    s.data_changed = false;
                    let vocabulary = s.vocabulary();
                    if let Some(h) = editor.helper_mut() {
                        h.vocabulary = vocabulary;
                    }
                }
            }
            // Ctrl-C drops the search being typed.
            Err(rustyline::error::ReadlineError::Interrupted) => {
                pending.clear();
                if let Some(h) = editor.helper_mut() {
                    h.pending.clear();
                }
            }
            Err(rustyline::error::ReadlineError::Eof) => break,
            Err(e) => {
                report(&Diagnostic::new(format!("cannot read input: {e}")));
                break;
            }
        }
    }
    if let Some(h) = &history {
        let _ = editor.save_history(h);
    }
    ExitCode::SUCCESS
}

/// Standard input that is not a terminal: the same, without prompts or history.
fn piped_loop(session: &mut Session) -> ExitCode {
    let mut pending = String::new();
    let mut line = String::new();
    let stdin = std::io::stdin();
    loop {
        line.clear();
        match std::io::BufRead::read_line(&mut stdin.lock(), &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                report(&Diagnostic::new(format!("cannot read input: {e}")));
                break;
            }
        }
        if !pending.is_empty() {
            pending.push('\n');
        }
        pending.push_str(line.trim_end_matches(['\n', '\r']));
        if needs_more(&pending) {
            continue;
        }
        if !show(session.handle(&std::mem::take(&mut pending))) {
            return ExitCode::SUCCESS;
        }
    }
    if !pending.trim().is_empty() {
        show(session.handle(&pending));
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_store() -> Store {
        let mut store = Store::in_memory();
        let sample = PathBuf::from(super::super::run::SAMPLE_DATASET);
        store
            .replay(
                &[crate::ingest::Input::new(sample)],
                &crate::store::ReplayOptions::default(),
            )
            .unwrap();
        store
    }

    fn text(r: Reply) -> String {
        match r {
            Reply::Text(t) => t,
            other => panic!("expected text, got {other:?}"),
        }
    }

    #[test]
    fn unfinished_searches_continue_on_the_next_line() {
        assert!(needs_more("index=main \\"));
        assert!(needs_more("| eval x=\"a"));
        assert!(needs_more("| search [ | inputlookup x"));
        assert!(needs_more("| eval x=if(a=1,"));
        assert!(needs_more("`sysmon"));
        assert!(!needs_more("| eval x=\"a \\\" b\" | stats count"));
        assert!(!needs_more("| search [ | inputlookup x ] | head 1"));
        assert_eq!(
            join_continued("index=main \\\n| head 1"),
            "index=main \n| head 1"
        );
    }

    #[test]
    fn a_search_prints_its_results_and_commands_change_the_session() {
        let store = sample_store();
        let mut s = Session::new(store, MacroLibrary::builtin(), LookupLibrary::builtin());
        let t = text(s.handle(
            "| tstats count from datamodel=Endpoint.Processes \\\n where Processes.process_name=cmd.exe",
        ));
        assert!(t.contains("count"), "{t}");
        assert!(t.contains("1 result"), "{t}");
        assert_eq!(text(s.handle(".format json")), "");
        let t = text(s.handle("| makeresults | eval x=1 | table x"));
        assert!(t.trim_start().starts_with('['), "{t}");
        assert!(text(s.handle(".tables")).contains("Endpoint.Processes"));
        assert!(text(s.handle(".expand `drop_dm_object_name(Processes)`")).contains("rename"));
        assert!(matches!(s.handle(".quit"), Reply::Quit));
    }

    #[test]
    fn errors_are_reported_and_the_session_goes_on() {
        let store = sample_store();
        let mut s = Session::new(store, MacroLibrary::builtin(), LookupLibrary::builtin());
        match s.handle("| stats count by") {
            Reply::Error(e) => assert!(e.to_string().contains('^'), "{e}"),
            other => panic!("{other:?}"),
        }
        match s.handle(".format xml") {
            Reply::Error(e) => assert!(e.to_string().contains("xml")),
            other => panic!("{other:?}"),
        }
        match s.handle(".nope") {
            Reply::Error(e) => assert!(e.to_string().contains(".help")),
            other => panic!("{other:?}"),
        }
        assert!(text(s.handle("| makeresults | eval x=2 | table x")).contains('2'));
    }

    #[test]
    fn dot_commands_list_fields_macros_plans_and_save_results() {
        let mut s = Session::new(
            sample_store(),
            MacroLibrary::builtin(),
            LookupLibrary::builtin(),
        );
        s.width = Some(100);
        let f = text(s.handle(".fields"));
        assert!(f.contains("sourcetype") && f.contains("distinct"), "{f}");
        let m = text(s.handle(".macros drop_dm"));
        assert!(m.contains("`drop_dm_object_name(object)`"), "{m}");
        assert!(m.ends_with("1 macro\n"), "{m}");
        let e = text(s.handle(".explain | makeresults | eval x=1"));
        assert!(e.contains("makeresults"), "{e}");
        match s.handle(".save /tmp/x.csv") {
            Reply::Error(e) => assert!(e.to_string().contains("no results"), "{e}"),
            other => panic!("{other:?}"),
        }
        let t = text(s.handle("index=* | head 2"));
        assert!(t.contains("host = ") && t.contains("2 results ("), "{t}");
        let dir = std::env::temp_dir().join(format!("spelunk-repl-save-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("last.jsonl");
        let saved = text(s.handle(&format!(".save {}", file.display())));
        assert!(saved.contains("saved 2 results"), "{saved}");
        assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 2);
        let f = text(s.handle(".fields"));
        assert!(f.contains("over 2 results"), "{f}");
        assert!(text(s.handle(".limit 1")).contains("limit: 1"));
        let t = text(s.handle("index=* | head 2"));
        assert!(
            t.contains("(first 1 shown)") && t.contains("2 results ("),
            "{t}"
        );
        match s.handle(".load /nonexistent/file.log") {
            Reply::Error(e) => assert!(e.to_string().contains("no such file"), "{e}"),
            other => panic!("{other:?}"),
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

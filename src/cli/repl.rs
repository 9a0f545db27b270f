//! `spelunk repl`: an interactive SPL prompt over replayed data.
//!
//! The data (the bundled sample, `--data` files replayed in memory, or a `--store`) is loaded
//! once; each search then runs as `spelunk run` would run it. A search may span lines: a line
//! ending in `\`, or with a quote, bracket, parenthesis or backtick still open, continues on the
//! next. Lines starting with `.` are the prompt's own commands (`.help` lists them). History is
//! kept in `~/.spelunk_history`.

use super::input::{report, SearchInput};
use super::run::{lookup_library, prepare_store, DataArgs};
use crate::diagnostic::Diagnostic;
use crate::exec::{self, Context};
use crate::lookups::LookupLibrary;
use crate::macros::MacroLibrary;
use crate::output::{render, OutputFormat};
use crate::store::Store;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Arguments of `spelunk repl`.
#[derive(Debug, Args)]
#[command(
    after_help = "Data: as for `spelunk run`: --data files are replayed in memory once, at start; --store reads a\nstore; with neither, the bundled sample dataset is used.\n\nAt the prompt, type a search and press Enter (end a line with \\ to continue it). Commands:\n  .help                  this list\n  .format table|csv|json how results are printed\n  .tz ZONE               time zone for printing times\n  .expand SPL            the search with its macros expanded\n  .tables                the store's indexes and data model datasets\n  .timing on|off         print each search's run time\n  .quit                  leave (Ctrl-D also does)\n\nExamples:\n  spelunk repl\n  spelunk repl --macros ../security_content --data attack_data/.../windows-sysmon.log\n  echo '| tstats count from datamodel=Endpoint.Processes by Processes.process_name' | spelunk repl\n\nExit status: 0 when the session ends normally, 1 when the data or macros cannot be loaded."
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
pub struct Session<'s> {
    store: &'s Store,
    macros: MacroLibrary,
    lookups: LookupLibrary,
    tz: String,
    format: OutputFormat,
    timing: bool,
}

const HELP: &str = "Type a search and press Enter; end a line with \\ to continue it on the next.
Commands:
  .help                  this list
  .format table|csv|json how results are printed
  .tz ZONE               time zone for printing times (IANA name)
  .expand SPL            the search with its macros expanded
  .tables                the store's indexes and data model datasets
  .timing on|off         print each search's run time
  .quit                  leave (Ctrl-D also does)
";

impl<'s> Session<'s> {
    /// A session over `store` with these macros and lookups.
    pub fn new(store: &'s Store, macros: MacroLibrary, lookups: LookupLibrary) -> Session<'s> {
        Session {
            store,
            macros,
            lookups,
            tz: "UTC".into(),
            format: OutputFormat::Table,
            timing: false,
        }
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
        match name {
            "help" | "h" | "?" => Reply::Text(HELP.into()),
            "quit" | "exit" | "q" => Reply::Quit,
            "format" => match rest {
                "table" => self.set_format(OutputFormat::Table),
                "csv" => self.set_format(OutputFormat::Csv),
                "json" => self.set_format(OutputFormat::Json),
                _ => Reply::Error(Diagnostic::new(format!(
                    "unknown format `{rest}`: use table, csv or json"
                ))),
            },
            "tz" if crate::expr::time::parse_tz(rest).is_some() => {
                self.tz = rest.to_string();
                Reply::Text(format!("time zone: {rest}\n"))
            }
            "tz" => Reply::Error(Diagnostic::new(format!(
                "unknown time zone `{rest}` (use an IANA name such as UTC or Europe/Paris)"
            ))),
            "timing" => match rest {
                "on" => {
                    self.timing = true;
                    Reply::Text("timing: on\n".into())
                }
                "off" => {
                    self.timing = false;
                    Reply::Text("timing: off\n".into())
                }
                _ => Reply::Error(Diagnostic::new("use `.timing on` or `.timing off`")),
            },
            "expand" => match crate::macros::expand(rest, &self.macros) {
                Ok(s) => Reply::Text(format!("{}\n", s.trim())),
                Err(e) => Reply::Error(e),
            },
            "tables" => Reply::Text(self.tables()),
            _ => Reply::Error(Diagnostic::new(format!(
                "unknown command `.{name}` (type .help for the list)"
            ))),
        }
    }

    fn set_format(&mut self, f: OutputFormat) -> Reply {
        self.format = f;
        Reply::Text(String::new())
    }

    fn tables(&self) -> String {
        let mut out = String::new();
        let indexes = self.store.indexes();
        out.push_str(&format!("indexes: {}\n", list(&indexes)));
        let models = self.store.datamodels();
        out.push_str(&format!("data model datasets: {}\n", list(&models)));
        out
    }

    fn search(&mut self, spl: &str) -> Reply {
        let started = Instant::now();
        let (expanded, plan) = match crate::plan_search(spl, &self.macros) {
            Ok(p) => p,
            Err(e) => return Reply::Error(e),
        };
        let mut ctx = Context::new(self.store, expanded, self.macros.clone());
        ctx.tz = self.tz.clone();
        ctx.lookups = self.lookups.clone();
        match exec::run(&plan, &ctx) {
            Ok(df) => {
                let mut text = render(&df, self.format, &self.tz);
                if self.timing {
                    text.push_str(&format!("({:.3} s)\n", started.elapsed().as_secs_f64()));
                }
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
    let mut session = Session::new(&store, macros, lookups);
    session.tz = data.tz.clone();
    session.format = data.format;
    let interactive = std::io::IsTerminal::is_terminal(&std::io::stdin());
    if interactive {
        interactive_loop(&mut session)
    } else {
        piped_loop(&mut session)
    }
}

/// Prints a reply; returns false when the session ends.
fn show(reply: Reply) -> bool {
    match reply {
        Reply::Text(t) => {
            print!("{t}");
            true
        }
        Reply::Error(e) => {
            report(&e);
            true
        }
        Reply::Quit => false,
    }
}

fn history_file() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".spelunk_history"))
}

fn interactive_loop(session: &mut Session) -> ExitCode {
    let mut editor = match rustyline::DefaultEditor::new() {
        Ok(e) => e,
        Err(e) => {
            report(&Diagnostic::new(format!(
                "cannot start the line editor: {e}"
            )));
            return ExitCode::from(1);
        }
    };
    let history = history_file();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    let stores = session.store.indexes().len() + session.store.datamodels().len();
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
                if needs_more(&pending) {
                    continue;
                }
                let input = std::mem::take(&mut pending);
                if !input.trim().is_empty() {
                    let _ = editor.add_history_entry(input.as_str());
                }
                if !show(session.handle(&input)) {
                    break;
                }
            }
            // Ctrl-C drops the input being typed.
            Err(rustyline::error::ReadlineError::Interrupted) => pending.clear(),
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
        let mut s = Session::new(&store, MacroLibrary::builtin(), LookupLibrary::builtin());
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
        let mut s = Session::new(&store, MacroLibrary::builtin(), LookupLibrary::builtin());
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
}

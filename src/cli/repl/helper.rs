//! The prompt's line-editor helper: completion, highlighting and history hints.
//!
//! Completion offers, by where the cursor is:
//! - after `|`: command names (from [`crate::commands::COMMANDS`]); later in a command, its
//!   options (`name=`), then field names;
//! - after a backtick: macro names, with their argument counts;
//! - in `eval`, `where`, `fieldformat`: eval functions; in `stats` and friends: stats functions
//!   (from [`crate::plan::functions::FUNCTIONS`]);
//! - after `datamodel=`: the data model datasets in the store; with a dataset named earlier in
//!   the search, that dataset's fields (`Processes.*`);
//! - after `lookup`/`inputlookup`/`outputlookup`: lookup names;
//! - at the start of a line: dot-commands; after `.load`: file paths.

use crate::commands::COMMANDS;
use crate::lookups::LookupLibrary;
use crate::macros::MacroLibrary;
use crate::plan::functions::{FunctionClass, FUNCTIONS};
use crate::store::Store;
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::validate::Validator;
use std::borrow::Cow;

/// The prompt's own commands, with a one-line description each.
pub const DOT_COMMANDS: &[(&str, &str)] = &[
    (".help", "this list"),
    (
        ".fields",
        "every field of the loaded events: distinct values and the top values",
    ),
    (".load", "FILE|DIR: replay more data into the session"),
    (
        ".macros",
        "[PATTERN]: macros (name, argument count, definition)",
    ),
    (".explain", "SPL: the planned search"),
    (".expand", "SPL: the search with its macros expanded"),
    (
        ".save",
        "FILE: the last results, format by extension (.csv .json .jsonl .txt .raw)",
    ),
    (
        ".format",
        "auto|table|csv|json|jsonl|raw: how results are printed",
    ),
    (".limit", "N|off: print at most N results"),
    (
        ".pager",
        "on|off: page long results through $PAGER (default less)",
    ),
    (".tables", "the store's indexes and data model datasets"),
    (".tz", "ZONE: time zone for printing times (IANA name)"),
    (
        ".timing",
        "on|off: print the time of each search (always shown with results)",
    ),
    (".quit", "leave (Ctrl-D also does)"),
];

/// Commands whose arguments are eval expressions.
const EVAL_COMMANDS: &[&str] = &["eval", "where", "fieldformat"];
/// Commands whose arguments are stats calls.
const STATS_COMMANDS: &[&str] = &[
    "stats",
    "tstats",
    "eventstats",
    "streamstats",
    "chart",
    "timechart",
    "mstats",
    "top",
    "rare",
];
/// Commands whose first argument is a lookup name.
const LOOKUP_COMMANDS: &[&str] = &["lookup", "inputlookup", "outputlookup"];

/// What there is to complete: read from the session's data, macros and lookups.
#[derive(Debug, Default, Clone)]
pub struct Vocabulary {
    /// (name, argument count), sorted.
    pub macros: Vec<(String, usize)>,
    pub lookups: Vec<String>,
    /// Fields of the events, sorted.
    pub event_fields: Vec<String>,
    /// Data model datasets (`Endpoint.Processes`) and their fields (`Processes.process`).
    pub datasets: Vec<(String, Vec<String>)>,
}

impl Vocabulary {
    /// The vocabulary of a session.
    pub fn new(store: &Store, macros: &MacroLibrary, lookups: &LookupLibrary) -> Vocabulary {
        let mut m: Vec<(String, usize)> = macros
            .keys()
            .map(
                |k| match k.strip_suffix(')').and_then(|k| k.split_once('(')) {
                    Some((name, n)) => (name.to_string(), n.parse().unwrap_or(0)),
                    None => (k.to_string(), 0),
                },
            )
            .collect();
        m.sort();
        let mut l: Vec<String> = lookups.definitions().map(|d| d.name.clone()).collect();
        l.sort();
        l.dedup();
        let names = |mut lf: polars::prelude::LazyFrame| -> Vec<String> {
            let mut v: Vec<String> = lf
                .collect_schema()
                .map(|s| s.iter_names().map(|n| n.to_string()).collect())
                .unwrap_or_default();
            v.sort();
            v
        };
        let event_fields = store.events(None).map(names).unwrap_or_default();
        let datasets = store
            .datamodels()
            .into_iter()
            .map(|d| {
                let f = store
                    .datamodel(&d)
                    .ok()
                    .flatten()
                    .map(names)
                    .unwrap_or_default();
                (d, f)
            })
            .collect();
        Vocabulary {
            macros: m,
            lookups: l,
            event_fields,
            datasets,
        }
    }
}

/// The rustyline helper of the prompt.
pub struct ReplHelper {
    pub vocabulary: Vocabulary,
    /// Colour the input and hints.
    pub color: bool,
    /// The lines of a search typed so far (a `datamodel=` there scopes field completion).
    pub pending: String,
    files: FilenameCompleter,
    hinter: HistoryHinter,
}

impl ReplHelper {
    pub fn new(vocabulary: Vocabulary, color: bool) -> ReplHelper {
        ReplHelper {
            vocabulary,
            color,
            pending: String::new(),
            files: FilenameCompleter::new(),
            hinter: HistoryHinter::new(),
        }
    }
}

/// Whether colour is wanted: stdout is a terminal and `NO_COLOR` is not set.
pub fn color_wanted() -> bool {
    std::io::IsTerminal::is_terminal(&std::io::stdout())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | ':' | '*' | '@' | '$')
}

fn pairs<I: IntoIterator<Item = (String, String)>>(it: I) -> Vec<Pair> {
    it.into_iter()
        .map(|(display, replacement)| Pair {
            display,
            replacement,
        })
        .collect()
}

/// Completions of `line` at byte `pos`: where the replaced word starts, and the candidates.
/// `before` holds earlier lines of the same search.
pub fn complete(vocab: &Vocabulary, before: &str, line: &str, pos: usize) -> (usize, Vec<Pair>) {
    let head = &line[..pos];
    let start = head
        .char_indices()
        .rev()
        .find(|(_, c)| !is_word(*c))
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(0);
    let word = &head[start..];
    let prev = head[..start].chars().last();

    // Dot-commands.
    if before.is_empty() && line.trim_start().starts_with('.') && !head.contains(' ') {
        let s = head.len() - head.trim_start().len();
        let w = head.trim_start();
        return (
            s,
            pairs(
                DOT_COMMANDS
                    .iter()
                    .filter(|(n, _)| n.starts_with(w))
                    .map(|(n, _)| (n.to_string(), n.to_string())),
            ),
        );
    }
    // After a backtick: macros.
    if prev == Some('`') {
        return (
            start,
            pairs(
                vocab
                    .macros
                    .iter()
                    .filter(|(n, _)| n.starts_with(word))
                    .map(|(n, a)| match a {
                        0 => (n.clone(), format!("{n}`")),
                        a => (format!("{n}({a})"), format!("{n}(")),
                    }),
            ),
        );
    }
    // The command of the segment the cursor is in.
    let text = format!("{before}\n{}", &head[..start]);
    let segment = text.rsplit('|').next().unwrap_or("");
    let after_pipe = text.contains('|');
    let words: Vec<&str> = segment.split_whitespace().collect();
    if after_pipe && words.is_empty() {
        return (
            start,
            pairs(
                COMMANDS
                    .iter()
                    .filter(|c| c.name.starts_with(&word.to_ascii_lowercase()))
                    .map(|c| (c.name.to_string(), format!("{} ", c.name))),
            ),
        );
    }
    let command = if after_pipe {
        words.first().map(|w| w.to_ascii_lowercase())
    } else {
        Some("search".to_string())
    };
    let command = command.unwrap_or_default();
    // After datamodel=: datasets.
    if segment.ends_with("datamodel=") || segment.ends_with("datamodel = ") {
        return (
            start,
            pairs(
                vocab
                    .datasets
                    .iter()
                    .filter(|(d, _)| d.starts_with(word))
                    .map(|(d, _)| (d.clone(), d.clone())),
            ),
        );
    }
    // A lookup name.
    if LOOKUP_COMMANDS.contains(&command.as_str())
        && !words.is_empty()
        && words[1..].iter().all(|w| w.contains('='))
    {
        return (
            start,
            pairs(
                vocab
                    .lookups
                    .iter()
                    .filter(|l| l.starts_with(word))
                    .map(|l| (l.clone(), format!("{l} "))),
            ),
        );
    }
    let mut out: Vec<(String, String)> = Vec::new();
    // Options of the command.
    if let Some(info) = COMMANDS.iter().find(|c| c.name == command) {
        for o in info.options.unwrap_or(&[]) {
            if o.starts_with(word) && !word.is_empty() {
                out.push((format!("{o}="), format!("{o}=")));
            }
        }
    }
    // Functions.
    let class = if EVAL_COMMANDS.contains(&command.as_str()) {
        Some(FunctionClass::Eval)
    } else if STATS_COMMANDS.contains(&command.as_str()) {
        Some(FunctionClass::Stats)
    } else {
        None
    };
    if let (Some(class), false) = (class, word.is_empty()) {
        let w = word.to_ascii_lowercase();
        for f in FUNCTIONS.iter().filter(|f| f.class == class) {
            for n in std::iter::once(&f.name).chain(f.aliases.iter()) {
                if n.starts_with(&w) {
                    out.push((f.syntax.to_string(), format!("{n}(")));
                }
            }
        }
    }
    // Fields: of the data model dataset named in the search, else of the events.
    let full = format!("{before}\n{head}");
    let dataset = full.split("datamodel=").nth(1).and_then(|rest| {
        let name: String = rest
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
            .collect();
        vocab.datasets.iter().find(|(d, _)| *d == name)
    });
    let fields: Vec<&String> = match dataset {
        Some((_, f)) => f.iter().collect(),
        None => vocab.event_fields.iter().collect(),
    };
    if !word.is_empty() {
        for f in fields {
            if f.starts_with(word) {
                out.push((f.clone(), f.clone()));
            }
        }
    }
    out.dedup();
    (start, pairs(out))
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        if self.pending.is_empty() && line.trim_start().starts_with(".load ") {
            return self.files.complete_path(line, pos);
        }
        Ok(complete(&self.vocabulary, &self.pending, line, pos))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, ctx: &rustyline::Context<'_>) -> Option<String> {
        self.hinter.hint(line, pos, ctx)
    }
}

impl Validator for ReplHelper {}

const RESET: &str = "\x1b[0m";
const COMMAND: &str = "\x1b[1;36m";
const STRING: &str = "\x1b[32m";
const MACRO: &str = "\x1b[35m";
const COMMENT: &str = "\x1b[90m";
const DOT: &str = "\x1b[1;33m";

/// `line` with ANSI colours: command names, quoted strings, macro calls, comments (```...```).
/// The text is unchanged apart from the escape codes.
pub fn highlight(line: &str) -> String {
    if line.trim_start().starts_with('.') {
        let s = line.len() - line.trim_start().len();
        let end = line[s..].find(' ').map(|i| s + i).unwrap_or(line.len());
        return format!(
            "{}{DOT}{}{RESET}{}",
            &line[..s],
            &line[s..end],
            &line[end..]
        );
    }
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut out = String::with_capacity(line.len() + 32);
    let mut i = 0;
    let mut expect_command = false;
    let at = |k: usize| chars.get(k).map(|c| c.0).unwrap_or(line.len());
    while i < chars.len() {
        let (b, c) = chars[i];
        if line[b..].starts_with("```") {
            let end = line[b + 3..]
                .find("```")
                .map(|e| b + 3 + e + 3)
                .unwrap_or(line.len());
            out.push_str(COMMENT);
            out.push_str(&line[b..end]);
            out.push_str(RESET);
            while i < chars.len() && chars[i].0 < end {
                i += 1;
            }
            continue;
        }
        match c {
            '"' | '`' => {
                let mut j = i + 1;
                while j < chars.len() && chars[j].1 != c {
                    if c == '"' && chars[j].1 == '\\' {
                        j += 1;
                    }
                    j += 1;
                }
                let end = at((j + 1).min(chars.len()));
                out.push_str(if c == '"' { STRING } else { MACRO });
                out.push_str(&line[b..end]);
                out.push_str(RESET);
                i = (j + 1).min(chars.len());
                expect_command = false;
            }
            '|' => {
                out.push(c);
                expect_command = true;
                i += 1;
            }
            c if expect_command && c.is_alphabetic() => {
                let mut j = i;
                while j < chars.len() && (chars[j].1.is_alphanumeric() || chars[j].1 == '_') {
                    j += 1;
                }
                let end = at(j);
                out.push_str(COMMAND);
                out.push_str(&line[b..end]);
                out.push_str(RESET);
                i = j;
                expect_command = false;
            }
            c => {
                out.push(c);
                if !c.is_whitespace() {
                    expect_command = false;
                }
                i += 1;
            }
        }
    }
    out
}

impl Highlighter for ReplHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if self.color {
            Cow::Owned(highlight(line))
        } else {
            Cow::Borrowed(line)
        }
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("{COMMENT}{hint}{RESET}"))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.color
    }
}

impl rustyline::Helper for ReplHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        Vocabulary {
            macros: vec![("sysmon".into(), 0), ("drop_dm_object_name".into(), 1)],
            lookups: vec!["lolbas_file_path".into()],
            event_fields: vec!["CommandLine".into(), "Image".into(), "host".into()],
            datasets: vec![(
                "Endpoint.Processes".into(),
                vec!["Processes.process".into(), "Processes.process_name".into()],
            )],
        }
    }

    fn names(line: &str) -> Vec<String> {
        complete(&vocab(), "", line, line.len())
            .1
            .into_iter()
            .map(|p| p.replacement)
            .collect()
    }

    #[test]
    fn completes_by_position() {
        assert!(names("index=main | sta").contains(&"stats ".to_string()));
        assert!(names("index=main | stats dc").contains(&"dc(".to_string()));
        assert!(names("| eval x=low").contains(&"lower(".to_string()));
        assert_eq!(names("`sys"), vec!["sysmon`"]);
        assert_eq!(names("`drop"), vec!["drop_dm_object_name("]);
        assert_eq!(names("| inputlookup lol"), vec!["lolbas_file_path "]);
        assert_eq!(
            names("| tstats count from datamodel=End"),
            vec!["Endpoint.Processes"]
        );
        assert!(
            names("| tstats count from datamodel=Endpoint.Processes by Processes.proc")
                .contains(&"Processes.process_name".to_string())
        );
        assert_eq!(names("index=* | table Ima"), vec!["Image"]);
        assert_eq!(names(".ma"), vec![".macros"]);
        assert!(names("| head lim").contains(&"limit=".to_string()));
    }

    #[test]
    fn highlighting_only_adds_escapes() {
        let line = "`sysmon` EventCode=1 | stats count by \"a b\" ```note```";
        let h = highlight(line);
        let plain = regex::Regex::new("\x1b\\[[0-9;]*m")
            .unwrap()
            .replace_all(&h, "");
        assert_eq!(plain, line);
        assert!(h.contains(&format!("{COMMAND}stats{RESET}")), "{h:?}");
        assert!(h.contains(&format!("{MACRO}`sysmon`{RESET}")), "{h:?}");
        assert!(h.contains(&format!("{COMMENT}```note```{RESET}")), "{h:?}");
    }
}

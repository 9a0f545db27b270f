//! SPL commands, one file per command: its syntax node, how it is built from the grammar, how it
//! lowers to the plan (`src/plan/`), its options and its examples. Find a command by its file
//! name; `where` and `return` are `where_cmd.rs` and `return_cmd.rs` because those names are Rust
//! keywords.
//!
//! **Adding a command**: a grammar rule `cmd_<name>` in `grammar/spl.pest` (and its keyword in
//! `command`), a file `src/commands/<name>.rs` implementing [`SplCommand`] (copy a neighbour), and
//! one line in the [`registry!`] list below.

pub mod generic;
pub mod lower;
mod parts;

pub use lower::{lower_pipeline, Lower};

use crate::diagnostic::Diagnostic;
use crate::plan::Node;
use crate::syntax::ast::{Command, Opt};
use crate::syntax::build::{span, unexpected, BuildResult};
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// An example of a command that runs as a test: `search` over `input` (CSV, first line the
/// header; empty for none) gives `output` (CSV as `spelunk run --format csv` prints it).
#[derive(Debug, Clone, Copy)]
pub struct Example {
    /// What the example shows.
    pub description: &'static str,
    pub search: &'static str,
    pub input: &'static str,
    pub output: &'static str,
}

/// What every SPL command provides besides its syntax node's `build` (from its grammar rule).
pub trait SplCommand {
    /// What the command does, in Splunk's terms (one line; `spelunk commands`, completion).
    const DOC: &'static str;

    /// The `key=value` options the command implements. Any other option is an error naming it:
    /// an option silently ignored would be a silently wrong result. `None`: the command checks
    /// its options itself, or has none.
    const OPTIONS: Option<&'static [&'static str]> = None;

    /// Examples with expected results; `tests::examples_run` runs every one.
    const EXAMPLES: &'static [Example] = &[];

    /// The options given.
    fn options(&self) -> &[Opt] {
        &[]
    }

    /// Lower the command onto `input` (the plan so far; [`Node::empty`] for a first command).
    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic>;
}

/// A registered command, for listings, completion and tests.
#[derive(Debug, Clone, Copy)]
pub struct CommandInfo {
    pub name: &'static str,
    pub doc: &'static str,
    pub options: Option<&'static [&'static str]>,
    pub examples: &'static [Example],
}

/// A command that transforms results itself: it lowers to an opaque node whose operator is the
/// command's own `execute(input, &self, at, ctx)` function in its file.
macro_rules! opaque_command {
    ($ty:ident, $doc:literal, options: $opts:expr $(, field: $field:ident)?) => {
        impl crate::commands::SplCommand for $ty {
            const DOC: &'static str = $doc;
            const OPTIONS: Option<&'static [&'static str]> = $opts;
            $(fn options(&self) -> &[crate::syntax::ast::Opt] {
                &self.$field
            })?
            fn lower(
                &self,
                c: &crate::syntax::ast::Command,
                input: crate::plan::Node,
                cx: &mut crate::commands::Lower,
            ) -> Result<crate::plan::Node, crate::diagnostic::Diagnostic> {
                Ok(cx.opaque(self.clone(), c, input))
            }
        }
        runs_execute!($ty);
    };
}

/// Implements [`crate::plan::operator::Operator`] for a type run by its file's
/// `execute(input, &self, at, ctx)`; `columns: |input| expr` gives its output columns from its
/// input's (by default: the input's, and more that depend on the data).
macro_rules! runs_execute {
    ($ty:ident $(, columns: |$input:ident| $cols:expr)?) => {
        impl crate::plan::operator::Operator for $ty {
            fn describe(&self) -> String {
                crate::commands::describe(self)
            }
            $(fn columns(&self, $input: &crate::plan::Columns) -> crate::plan::Columns {
                $cols
            })?
            fn run(
                &self,
                input: polars::prelude::LazyFrame,
                at: &crate::plan::operator::At,
                ctx: &crate::runtime::Context,
            ) -> Result<polars::prelude::LazyFrame, crate::diagnostic::Diagnostic> {
                execute(input, self, at, ctx)
            }
        }
    };
}

/// A command spelunk parses but does not run: lowering it is an error naming it.
macro_rules! unsupported_command {
    ($ty:ident, $doc:literal) => {
        unsupported_command!($ty, $doc, why: "");
    };
    ($ty:ident, $doc:literal, why: $why:literal) => {
        impl crate::commands::SplCommand for $ty {
            const DOC: &'static str = $doc;
            fn lower(
                &self,
                c: &crate::syntax::ast::Command,
                _input: crate::plan::Node,
                cx: &mut crate::commands::Lower,
            ) -> Result<crate::plan::Node, crate::diagnostic::Diagnostic> {
                Err(cx.unsupported(c, $why))
            }
        }
    };
}

/// A command node as one line of JSON (the default `explain` detail of an operator).
pub(crate) fn describe<T: Serialize>(x: &T) -> String {
    serde_json::to_string(x).unwrap_or_default()
}

/// The command registry: `module::Type = grammar_rule, "name";`, one line per command. It
/// generates the module declarations, [`CommandKind`], the builder dispatch, option checks,
/// lowering dispatch and [`COMMANDS`].
macro_rules! registry {
    ($($module:ident :: $ty:ident = $rule:ident, $name:literal;)*) => {
        $(pub mod $module;)*

        /// Every command's typed node.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(rename_all = "lowercase")]
        pub enum CommandKind {
            $($ty($module::$ty),)*
            /// A command the grammar does not know (name and raw arguments).
            Generic(generic::Generic),
        }

        /// The registered commands, in registry order.
        pub static COMMANDS: &[CommandInfo] = &[$(CommandInfo {
            name: $name,
            doc: <$module::$ty as SplCommand>::DOC,
            options: <$module::$ty as SplCommand>::OPTIONS,
            examples: <$module::$ty as SplCommand>::EXAMPLES,
        },)*];

        /// Build a command node from its `cmd_*` pair.
        pub(crate) fn build_command(p: &Pair<'_, Rule>) -> BuildResult<Command> {
            let (name, kind) = match p.as_rule() {
                $(Rule::$rule => ($name.to_string(), CommandKind::$ty($module::$ty::build(p)?)),)*
                Rule::cmd_generic => {
                    let g = generic::Generic::build(p)?;
                    (g.name.to_ascii_lowercase(), CommandKind::Generic(g))
                }
                _ => return Err(unexpected(p)),
            };
            Ok(Command { name, span: span(p), kind })
        }

        impl CommandKind {
            /// Lower this command onto `input`, after checking its options.
            pub fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
                match self {
                    $(CommandKind::$ty(x) => {
                        check_options(c, x.options(), <$module::$ty as SplCommand>::OPTIONS, cx)?;
                        x.lower(c, input, cx)
                    })*
                    CommandKind::Generic(_) => Err(cx.unsupported(c, "")),
                }
            }
        }
    };
}

registry! {
    search::Search = cmd_search, "search";
    where_cmd::Where = cmd_where, "where";
    eval::Eval = cmd_eval, "eval";
    fieldformat::Fieldformat = cmd_fieldformat, "fieldformat";
    stats::Stats = cmd_stats, "stats";
    eventstats::Eventstats = cmd_eventstats, "eventstats";
    streamstats::Streamstats = cmd_streamstats, "streamstats";
    tstats::Tstats = cmd_tstats, "tstats";
    mstats::Mstats = cmd_mstats, "mstats";
    from::From = cmd_from, "from";
    datamodel::Datamodel = cmd_datamodel, "datamodel";
    table::Table = cmd_table, "table";
    fields::Fields = cmd_fields, "fields";
    rename::Rename = cmd_rename, "rename";
    rex::Rex = cmd_rex, "rex";
    regex::Regex = cmd_regex, "regex";
    lookup::Lookup = cmd_lookup, "lookup";
    inputlookup::Inputlookup = cmd_inputlookup, "inputlookup";
    outputlookup::Outputlookup = cmd_outputlookup, "outputlookup";
    fillnull::Fillnull = cmd_fillnull, "fillnull";
    convert::Convert = cmd_convert, "convert";
    bin::Bin = cmd_bin, "bin";
    dedup::Dedup = cmd_dedup, "dedup";
    sort::Sort = cmd_sort, "sort";
    head::Head = cmd_head, "head";
    tail::Tail = cmd_tail, "tail";
    reverse::Reverse = cmd_reverse, "reverse";
    join::Join = cmd_join, "join";
    append::Append = cmd_append, "append";
    appendpipe::Appendpipe = cmd_appendpipe, "appendpipe";
    mvexpand::Mvexpand = cmd_mvexpand, "mvexpand";
    makemv::Makemv = cmd_makemv, "makemv";
    mvcombine::Mvcombine = cmd_mvcombine, "mvcombine";
    nomv::Nomv = cmd_nomv, "nomv";
    spath::Spath = cmd_spath, "spath";
    iplocation::Iplocation = cmd_iplocation, "iplocation";
    foreach::Foreach = cmd_foreach, "foreach";
    transaction::Transaction = cmd_transaction, "transaction";
    xmlkv::Xmlkv = cmd_xmlkv, "xmlkv";
    top::Top = cmd_top, "top";
    rare::Rare = cmd_rare, "rare";
    timechart::Timechart = cmd_timechart, "timechart";
    chart::Chart = cmd_chart, "chart";
    map::Map = cmd_map, "map";
    makeresults::Makeresults = cmd_makeresults, "makeresults";
    collect::Collect = cmd_collect, "collect";
    return_cmd::Return = cmd_return, "return";
    format::Format = cmd_format, "format";
    replace::Replace = cmd_replace, "replace";
    apply::Apply = cmd_apply, "apply";
    fit::Fit = cmd_fit, "fit";
    summary::Summary = cmd_summary, "summary";
    fromjson::Fromjson = cmd_fromjson, "fromjson";
    addtotals::Addtotals = cmd_addtotals, "addtotals";
    anomalydetection::Anomalydetection = cmd_anomalydetection, "anomalydetection";
    multikv::Multikv = cmd_multikv, "multikv";
    extract::Extract = cmd_extract, "extract";
    outlier::Outlier = cmd_outlier, "outlier";
    cyberchef::Cyberchef = cmd_cyberchef, "cyberchef";
    uniq::Uniq = cmd_uniq, "uniq";
}

/// The names of the commands with a typed node (`bucket` parses as `bin`, `kv` as `extract`).
pub fn typed_command_names() -> impl Iterator<Item = &'static str> {
    COMMANDS.iter().map(|c| c.name)
}

/// The registry entry of a command.
pub fn command_info(name: &str) -> Option<&'static CommandInfo> {
    COMMANDS.iter().find(|c| c.name == name)
}

impl CommandKind {
    /// True for a command the grammar does not know.
    pub fn is_generic(&self) -> bool {
        matches!(self, CommandKind::Generic(_))
    }
}

fn check_options(
    c: &Command,
    given: &[Opt],
    allowed: Option<&[&str]>,
    cx: &Lower,
) -> Result<(), Diagnostic> {
    let Some(allowed) = allowed else {
        return Ok(());
    };
    match given
        .iter()
        .find(|o| !allowed.iter().any(|a| a.eq_ignore_ascii_case(&o.key)))
    {
        None => Ok(()),
        Some(o) => Err(cx.error(
            format!(
                "`{} {}=` is not supported yet{}",
                c.name,
                o.key,
                if allowed.is_empty() {
                    String::new()
                } else {
                    format!(" (supported options: {})", allowed.join(", "))
                }
            ),
            c.span,
        )),
    }
}

/// Splunk's boolean option values: `t`, `true`, `1` (any case) are true.
pub(crate) fn is_true(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "t" | "true" | "1")
}

#[cfg(test)]
pub(crate) mod testing {
    use crate::syntax::ast::{Command, Pipeline};

    /// Parse SPL (no macros) into a pipeline, panicking with the diagnostic on error.
    pub fn parse_pipeline(spl: &str) -> Pipeline {
        match crate::syntax::parse(spl) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    /// The last command of a parsed search.
    pub fn parse_command(spl: &str) -> Command {
        let mut p = parse_pipeline(spl);
        match p.commands.pop() {
            Some(c) => c,
            None => panic!("no command in {spl}"),
        }
    }
}

#[cfg(test)]
mod registry_tests {
    use super::*;
    use polars::prelude::*;

    /// A CSV text as a frame of text columns (empty cells null).
    fn frame(csv_text: &str) -> DataFrame {
        let mut r = csv::ReaderBuilder::new().from_reader(csv_text.as_bytes());
        let header: Vec<String> = r
            .headers()
            .map(|h| h.iter().map(str::to_string).collect())
            .unwrap_or_default();
        let rows: Vec<Vec<String>> = r
            .records()
            .map(|rec| {
                rec.map(|x| x.iter().map(str::to_string).collect())
                    .unwrap_or_default()
            })
            .collect();
        let cols: Vec<Column> = header
            .iter()
            .enumerate()
            .map(|(j, h)| {
                let v: Vec<Option<&str>> = rows
                    .iter()
                    .map(|r| r.get(j).map(String::as_str).filter(|s| !s.is_empty()))
                    .collect();
                Column::new(h.as_str().into(), v)
            })
            .collect();
        DataFrame::new_infer_height(cols).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Every registered command's examples run and give their documented output.
    #[test]
    fn examples_run() {
        let mut ran = 0;
        for c in COMMANDS {
            for ex in c.examples {
                let input = if ex.input.is_empty() {
                    crate::frame::no_results()
                } else {
                    frame(ex.input)
                };
                let out = crate::testkit::try_run_on(input, ex.search)
                    .unwrap_or_else(|e| panic!("{} example `{}`: {e}", c.name, ex.search));
                let got = crate::output::render(&out, crate::output::OutputFormat::Csv, "UTC");
                assert_eq!(
                    got, ex.output,
                    "{} example ({}): `{}`",
                    c.name, ex.description, ex.search
                );
                ran += 1;
            }
        }
        assert!(ran >= 3, "only {ran} examples");
    }

    #[test]
    fn every_command_has_a_doc_and_a_unique_name() {
        let mut names: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
        for c in COMMANDS {
            assert!(!c.doc.is_empty(), "{} has no doc", c.name);
        }
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n, "duplicate command names");
    }
}

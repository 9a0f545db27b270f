//! SPL commands, one module per command: its syntax node, how it is built from the grammar, and
//! (as the engine grows) its semantics and tests. Find a command by its file name; `where` and
//! `return` are `where_cmd.rs` and `return_cmd.rs` because those names are Rust keywords.

pub mod addtotals;
pub mod anomalydetection;
pub mod append;
pub mod appendpipe;
pub mod apply;
pub mod bin;
pub mod chart;
pub mod collect;
pub mod convert;
pub mod cyberchef;
pub mod datamodel;
pub mod dedup;
pub mod eval;
pub mod eventstats;
pub mod extract;
pub mod fieldformat;
pub mod fields;
pub mod fillnull;
pub mod fit;
pub mod foreach;
pub mod format;
pub mod from;
pub mod fromjson;
pub mod generic;
pub mod head;
pub mod inputlookup;
pub mod iplocation;
pub mod join;
pub mod lookup;
pub mod makemv;
pub mod makeresults;
pub mod map;
pub mod mstats;
pub mod multikv;
pub mod mvcombine;
pub mod mvexpand;
pub mod nomv;
pub mod outlier;
pub mod outputlookup;
mod parts;
pub mod rare;
pub mod regex;
pub mod rename;
pub mod replace;
pub mod return_cmd;
pub mod reverse;
pub mod rex;
pub mod search;
pub mod sort;
pub mod spath;
pub mod stats;
pub mod streamstats;
pub mod summary;
pub mod table;
pub mod tail;
pub mod timechart;
pub mod top;
pub mod transaction;
pub mod tstats;
pub mod uniq;
pub mod where_cmd;
pub mod xmlkv;

use crate::syntax::ast::Command;
use crate::syntax::build::{span, unexpected, BuildResult};
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Every command's typed node.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommandKind {
    Search(search::Search),
    Where(where_cmd::Where),
    Eval(eval::Eval),
    Fieldformat(fieldformat::Fieldformat),
    Stats(stats::Stats),
    Eventstats(eventstats::Eventstats),
    Streamstats(streamstats::Streamstats),
    Tstats(tstats::Tstats),
    Mstats(mstats::Mstats),
    From(from::From),
    Datamodel(datamodel::Datamodel),
    Table(table::Table),
    Fields(fields::Fields),
    Rename(rename::Rename),
    Rex(rex::Rex),
    Regex(regex::Regex),
    Lookup(lookup::Lookup),
    Inputlookup(inputlookup::Inputlookup),
    Outputlookup(outputlookup::Outputlookup),
    Fillnull(fillnull::Fillnull),
    Convert(convert::Convert),
    Bin(bin::Bin),
    Dedup(dedup::Dedup),
    Sort(sort::Sort),
    Head(head::Head),
    Tail(tail::Tail),
    Reverse(reverse::Reverse),
    Join(join::Join),
    Append(append::Append),
    Appendpipe(appendpipe::Appendpipe),
    Mvexpand(mvexpand::Mvexpand),
    Makemv(makemv::Makemv),
    Mvcombine(mvcombine::Mvcombine),
    Nomv(nomv::Nomv),
    Spath(spath::Spath),
    Iplocation(iplocation::Iplocation),
    Foreach(foreach::Foreach),
    Transaction(transaction::Transaction),
    Xmlkv(xmlkv::Xmlkv),
    Top(top::Top),
    Rare(rare::Rare),
    Timechart(timechart::Timechart),
    Chart(chart::Chart),
    Map(map::Map),
    Makeresults(makeresults::Makeresults),
    Collect(collect::Collect),
    Return(return_cmd::Return),
    Format(format::Format),
    Replace(replace::Replace),
    Apply(apply::Apply),
    Fit(fit::Fit),
    Summary(summary::Summary),
    Fromjson(fromjson::Fromjson),
    Addtotals(addtotals::Addtotals),
    Anomalydetection(anomalydetection::Anomalydetection),
    Multikv(multikv::Multikv),
    Extract(extract::Extract),
    Outlier(outlier::Outlier),
    Cyberchef(cyberchef::Cyberchef),
    Uniq(uniq::Uniq),
    /// A command the grammar does not know (name and raw arguments).
    Generic(generic::Generic),
}

/// The names of the commands with a typed node (`bucket` parses as `bin`, `kv` as `extract`).
pub const TYPED_COMMANDS: &[&str] = &[
    "search",
    "where",
    "eval",
    "fieldformat",
    "stats",
    "eventstats",
    "streamstats",
    "tstats",
    "mstats",
    "from",
    "datamodel",
    "table",
    "fields",
    "rename",
    "rex",
    "regex",
    "lookup",
    "inputlookup",
    "outputlookup",
    "fillnull",
    "convert",
    "bin",
    "dedup",
    "sort",
    "head",
    "tail",
    "reverse",
    "join",
    "append",
    "appendpipe",
    "mvexpand",
    "makemv",
    "mvcombine",
    "nomv",
    "spath",
    "iplocation",
    "foreach",
    "transaction",
    "xmlkv",
    "top",
    "rare",
    "timechart",
    "chart",
    "map",
    "makeresults",
    "collect",
    "return",
    "format",
    "replace",
    "apply",
    "fit",
    "summary",
    "fromjson",
    "addtotals",
    "anomalydetection",
    "multikv",
    "extract",
    "outlier",
    "cyberchef",
    "uniq",
];

impl CommandKind {
    /// True for a command the grammar does not know.
    pub fn is_generic(&self) -> bool {
        matches!(self, CommandKind::Generic(_))
    }
}

/// Build a command node from its `cmd_*` pair.
pub(crate) fn build_command(p: &Pair<'_, Rule>) -> BuildResult<Command> {
    let (name, kind) = match p.as_rule() {
        Rule::cmd_search => (
            "search".to_string(),
            CommandKind::Search(search::Search::build(p)?),
        ),
        Rule::cmd_where => (
            "where".to_string(),
            CommandKind::Where(where_cmd::Where::build(p)?),
        ),
        Rule::cmd_eval => ("eval".to_string(), CommandKind::Eval(eval::Eval::build(p)?)),
        Rule::cmd_fieldformat => (
            "fieldformat".to_string(),
            CommandKind::Fieldformat(fieldformat::Fieldformat::build(p)?),
        ),
        Rule::cmd_stats => (
            "stats".to_string(),
            CommandKind::Stats(stats::Stats::build(p)?),
        ),
        Rule::cmd_eventstats => (
            "eventstats".to_string(),
            CommandKind::Eventstats(eventstats::Eventstats::build(p)?),
        ),
        Rule::cmd_streamstats => (
            "streamstats".to_string(),
            CommandKind::Streamstats(streamstats::Streamstats::build(p)?),
        ),
        Rule::cmd_tstats => (
            "tstats".to_string(),
            CommandKind::Tstats(tstats::Tstats::build(p)?),
        ),
        Rule::cmd_mstats => (
            "mstats".to_string(),
            CommandKind::Mstats(mstats::Mstats::build(p)?),
        ),
        Rule::cmd_from => ("from".to_string(), CommandKind::From(from::From::build(p)?)),
        Rule::cmd_datamodel => (
            "datamodel".to_string(),
            CommandKind::Datamodel(datamodel::Datamodel::build(p)?),
        ),
        Rule::cmd_table => (
            "table".to_string(),
            CommandKind::Table(table::Table::build(p)?),
        ),
        Rule::cmd_fields => (
            "fields".to_string(),
            CommandKind::Fields(fields::Fields::build(p)?),
        ),
        Rule::cmd_rename => (
            "rename".to_string(),
            CommandKind::Rename(rename::Rename::build(p)?),
        ),
        Rule::cmd_rex => ("rex".to_string(), CommandKind::Rex(rex::Rex::build(p)?)),
        Rule::cmd_regex => (
            "regex".to_string(),
            CommandKind::Regex(regex::Regex::build(p)?),
        ),
        Rule::cmd_lookup => (
            "lookup".to_string(),
            CommandKind::Lookup(lookup::Lookup::build(p)?),
        ),
        Rule::cmd_inputlookup => (
            "inputlookup".to_string(),
            CommandKind::Inputlookup(inputlookup::Inputlookup::build(p)?),
        ),
        Rule::cmd_outputlookup => (
            "outputlookup".to_string(),
            CommandKind::Outputlookup(outputlookup::Outputlookup::build(p)?),
        ),
        Rule::cmd_fillnull => (
            "fillnull".to_string(),
            CommandKind::Fillnull(fillnull::Fillnull::build(p)?),
        ),
        Rule::cmd_convert => (
            "convert".to_string(),
            CommandKind::Convert(convert::Convert::build(p)?),
        ),
        Rule::cmd_bin => ("bin".to_string(), CommandKind::Bin(bin::Bin::build(p)?)),
        Rule::cmd_dedup => (
            "dedup".to_string(),
            CommandKind::Dedup(dedup::Dedup::build(p)?),
        ),
        Rule::cmd_sort => ("sort".to_string(), CommandKind::Sort(sort::Sort::build(p)?)),
        Rule::cmd_head => ("head".to_string(), CommandKind::Head(head::Head::build(p)?)),
        Rule::cmd_tail => ("tail".to_string(), CommandKind::Tail(tail::Tail::build(p)?)),
        Rule::cmd_reverse => (
            "reverse".to_string(),
            CommandKind::Reverse(reverse::Reverse::build(p)?),
        ),
        Rule::cmd_join => ("join".to_string(), CommandKind::Join(join::Join::build(p)?)),
        Rule::cmd_append => (
            "append".to_string(),
            CommandKind::Append(append::Append::build(p)?),
        ),
        Rule::cmd_appendpipe => (
            "appendpipe".to_string(),
            CommandKind::Appendpipe(appendpipe::Appendpipe::build(p)?),
        ),
        Rule::cmd_mvexpand => (
            "mvexpand".to_string(),
            CommandKind::Mvexpand(mvexpand::Mvexpand::build(p)?),
        ),
        Rule::cmd_makemv => (
            "makemv".to_string(),
            CommandKind::Makemv(makemv::Makemv::build(p)?),
        ),
        Rule::cmd_mvcombine => (
            "mvcombine".to_string(),
            CommandKind::Mvcombine(mvcombine::Mvcombine::build(p)?),
        ),
        Rule::cmd_nomv => ("nomv".to_string(), CommandKind::Nomv(nomv::Nomv::build(p)?)),
        Rule::cmd_spath => (
            "spath".to_string(),
            CommandKind::Spath(spath::Spath::build(p)?),
        ),
        Rule::cmd_iplocation => (
            "iplocation".to_string(),
            CommandKind::Iplocation(iplocation::Iplocation::build(p)?),
        ),
        Rule::cmd_foreach => (
            "foreach".to_string(),
            CommandKind::Foreach(foreach::Foreach::build(p)?),
        ),
        Rule::cmd_transaction => (
            "transaction".to_string(),
            CommandKind::Transaction(transaction::Transaction::build(p)?),
        ),
        Rule::cmd_xmlkv => (
            "xmlkv".to_string(),
            CommandKind::Xmlkv(xmlkv::Xmlkv::build(p)?),
        ),
        Rule::cmd_top => ("top".to_string(), CommandKind::Top(top::Top::build(p)?)),
        Rule::cmd_rare => ("rare".to_string(), CommandKind::Rare(rare::Rare::build(p)?)),
        Rule::cmd_timechart => (
            "timechart".to_string(),
            CommandKind::Timechart(timechart::Timechart::build(p)?),
        ),
        Rule::cmd_chart => (
            "chart".to_string(),
            CommandKind::Chart(chart::Chart::build(p)?),
        ),
        Rule::cmd_map => ("map".to_string(), CommandKind::Map(map::Map::build(p)?)),
        Rule::cmd_makeresults => (
            "makeresults".to_string(),
            CommandKind::Makeresults(makeresults::Makeresults::build(p)?),
        ),
        Rule::cmd_collect => (
            "collect".to_string(),
            CommandKind::Collect(collect::Collect::build(p)?),
        ),
        Rule::cmd_return => (
            "return".to_string(),
            CommandKind::Return(return_cmd::Return::build(p)?),
        ),
        Rule::cmd_format => (
            "format".to_string(),
            CommandKind::Format(format::Format::build(p)?),
        ),
        Rule::cmd_replace => (
            "replace".to_string(),
            CommandKind::Replace(replace::Replace::build(p)?),
        ),
        Rule::cmd_apply => (
            "apply".to_string(),
            CommandKind::Apply(apply::Apply::build(p)?),
        ),
        Rule::cmd_fit => ("fit".to_string(), CommandKind::Fit(fit::Fit::build(p)?)),
        Rule::cmd_summary => (
            "summary".to_string(),
            CommandKind::Summary(summary::Summary::build(p)?),
        ),
        Rule::cmd_fromjson => (
            "fromjson".to_string(),
            CommandKind::Fromjson(fromjson::Fromjson::build(p)?),
        ),
        Rule::cmd_addtotals => (
            "addtotals".to_string(),
            CommandKind::Addtotals(addtotals::Addtotals::build(p)?),
        ),
        Rule::cmd_anomalydetection => (
            "anomalydetection".to_string(),
            CommandKind::Anomalydetection(anomalydetection::Anomalydetection::build(p)?),
        ),
        Rule::cmd_multikv => (
            "multikv".to_string(),
            CommandKind::Multikv(multikv::Multikv::build(p)?),
        ),
        Rule::cmd_extract => (
            "extract".to_string(),
            CommandKind::Extract(extract::Extract::build(p)?),
        ),
        Rule::cmd_outlier => (
            "outlier".to_string(),
            CommandKind::Outlier(outlier::Outlier::build(p)?),
        ),
        Rule::cmd_cyberchef => (
            "cyberchef".to_string(),
            CommandKind::Cyberchef(cyberchef::Cyberchef::build(p)?),
        ),
        Rule::cmd_uniq => ("uniq".to_string(), CommandKind::Uniq(uniq::Uniq::build(p)?)),
        Rule::cmd_generic => {
            let g = generic::Generic::build(p)?;
            (g.name.to_ascii_lowercase(), CommandKind::Generic(g))
        }
        _ => return Err(unexpected(p)),
    };
    Ok(Command {
        name,
        span: span(p),
        kind,
    })
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

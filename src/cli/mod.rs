//! Command-line interface: argument definitions (clap) and dispatch.
//!
//! Exit statuses are a contract: 0 success, 1 user error (bad SPL, missing file, unknown macro),
//! 2 partial success where a subcommand documents it (e.g. `replay` rejected some events).
//! `test` and `lint` follow CI conventions instead: 0 pass, 1 a test failed (or an error-level
//! lint finding), 2 a usage or data error.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

pub mod check;
pub mod compact;
pub mod config;
pub mod expand;
pub mod explain;
pub mod input;
pub mod lint;
pub mod parse;
pub mod repl;
pub mod replay;
pub mod run;
pub mod sql;
pub mod test;

/// spelunk — run Splunk SPL detections verbatim, locally.
#[derive(Debug, Parser)]
#[command(name = "spelunk", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Expand macros and parse SPL; print the syntax tree (or check a whole corpus with --corpus).
    Parse(parse::ParseArgs),
    /// Expand macros in SPL and print the expanded search.
    Expand(expand::ExpandArgs),
    /// Show how a search runs: its plan, each node's output columns and backends.
    Explain(explain::ExplainArgs),
    /// Run a search or a detection over replayed data and print the results.
    Run(run::RunArgs),
    /// Run many detections (a list over one dataset, or detection/dataset pairs) and report by reason.
    Check(check::CheckArgs),
    /// Replay datasets (XmlWinEventLog, EVTX, JSON) into a columnar store, as Splunk would index them.
    Replay(replay::ReplayArgs),
    /// Merge a store's small chunks into few files (stores written by earlier versions).
    Compact(compact::CompactArgs),
    /// An interactive SPL prompt over replayed data (the sample, --data files, or a --store).
    Repl(repl::ReplArgs),
    /// Test detections over the datasets their tests name, as Splunk's CI (contentctl) does.
    Test(test::TestArgs),
    /// Find the mistakes that make a detection silently never fire.
    Lint(lint::LintArgs),
    /// Compile a search to SQL (DuckDB or Spark) over a store; with --corpus, report what compiles.
    Sql(sql::SqlArgs),
}

/// Parse the command line and run the chosen subcommand.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse(a) => parse::run(a),
        Command::Expand(a) => expand::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Replay(a) => replay::run(a),
        Command::Run(a) => run::run(a),
        Command::Check(a) => check::run(a),
        Command::Compact(a) => compact::run(a),
        Command::Repl(a) => repl::run(a),
        Command::Test(a) => test::run(a),
        Command::Lint(a) => lint::run(a),
        Command::Sql(a) => sql::run(a),
    }
}

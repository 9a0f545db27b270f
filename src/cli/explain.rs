//! `spelunk explain`: how spelunk will run a search — the expanded search, then the plan as a
//! tree of relational nodes with each node's output columns and the backends that can run it.

use super::input::{report, SearchInput};
use crate::diagnostic::Diagnostic;
use crate::store::Store;
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Output of `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    /// The expanded search and an indented tree.
    Text,
    /// `{"search": ..., "plan": {op, command, details, columns, exact, backends, inputs}}`.
    Json,
}

/// Arguments of `spelunk explain`.
#[derive(Debug, Args)]
#[command(
    after_help = "The plan is printed last command first, each node above its inputs. `columns` are the node's\noutput fields as known before reading data (`+ fields from the data` when events or a command\nsuch as spath add more); with --store, event and data model columns come from the store.\n`backend` says which engines can run the node: every relational node runs on polars and is\nmeant for SQL; an opaque command (rex, spath, transaction, ...) runs on polars only.\n\nExamples:\n  spelunk explain 'index=main EventCode=1 | stats count by host'\n  spelunk explain -f detections/endpoint/credential_dumping_via_symlink_to_shadow_copy.yml\n  spelunk explain --store .spelunk/store --format json '| tstats count from datamodel=Endpoint.Processes by Processes.dest'\n\nExit status: 0 when the search plans, 1 on an error (bad SPL, unknown macro or function)."
)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub input: SearchInput,

    /// A store written by `spelunk replay`: resolve event and data model columns against it.
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
}

/// Run `spelunk explain`.
pub fn run(args: ExplainArgs) -> ExitCode {
    match explain(&args) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            report(&e);
            ExitCode::from(1)
        }
    }
}

fn explain(args: &ExplainArgs) -> Result<String, Diagnostic> {
    let (spl, origin) = args.input.read()?;
    let lib = args.input.library()?;
    let (expanded, mut plan) = crate::plan_search(&spl, &lib).map_err(|e| {
        if e.origin == "search" {
            e.origin(origin)
        } else {
            e
        }
    })?;
    if let Some(dir) = &args.store {
        let store = Store::open(dir).map_err(|e| Diagnostic::new(format!("store: {e}")))?;
        crate::plan::resolve::resolve_with(&mut plan, &store);
    }
    Ok(match args.format {
        ExplainFormat::Text => render(&expanded, &plan),
        ExplainFormat::Json => {
            let v = serde_json::json!({
                "search": expanded,
                "plan": crate::plan::explain::json(&plan),
            });
            format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
        }
    })
}

/// The expanded search, then the plan tree.
pub fn render(expanded: &str, plan: &crate::plan::Plan) -> String {
    format!(
        "search: {}\n\nplan:\n{}",
        expanded.trim(),
        crate::plan::explain::text(plan)
    )
}

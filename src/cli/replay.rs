//! `spelunk replay`: replay datasets (XmlWinEventLog, EVTX, JSON, Linux audit text, plain,
//! gzip or zip; attack_data dataset YAML, directories of them) into a columnar store, as Splunk
//! would index them. The summary says what was read, stored, rejected and repaired.
//!
//! Exit status: 0 when every event was stored, 2 when some events or files were rejected,
//! 1 on failure (the store or the knowledge files could not be used, or no input could be read).

use crate::ingest::Input;
use crate::store::{ReplayOptions, Store, DEFAULT_STORE_DIR};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Output format of the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object (`events_read`, `events_stored`, `events_rejected`, `reasons`, ...).
    Json,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Files, dataset YAML files or directories to replay.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Store folder (created if missing). Default: .spelunk/store in the current directory.
    #[arg(long, conflicts_with = "in_memory")]
    pub store: Option<PathBuf>,
    /// Keep the store in memory only (nothing is written; for one-shot runs and checks).
    #[arg(long)]
    pub in_memory: bool,
    /// Index for the events (Splunk's default: main).
    #[arg(long, default_value = "main")]
    pub index: String,
    #[command(flatten)]
    pub overrides: super::input::InputOverrides,
    /// Knowledge and reader settings.
    #[command(flatten)]
    pub knowledge: Box<KnowledgeArgs>,
    /// Summary format.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
    pub format: SummaryFormat,
    /// Do not show a progress bar.
    #[arg(long)]
    pub no_progress: bool,
}

/// Where knowledge comes from, and reader settings (boxed to keep the command enum small).
#[derive(Debug, Args)]
pub struct KnowledgeArgs {
    /// Knowledge folder replacing spelunk's own (layout of the project's knowledge/ folder).
    #[arg(long)]
    pub knowledge: Option<PathBuf>,
    /// CIM app folder whose data models replace ours (e.g. Splunk_SA_CIM_5.0.1). Repeatable.
    #[arg(long)]
    pub cim: Vec<PathBuf>,
    /// Add-on folder whose eventtypes.conf/tags.conf are loaded on top of ours. Repeatable.
    #[arg(long)]
    pub addon: Vec<PathBuf>,
    /// Field holding the event time, tried before the sourcetype's timestamp settings
    /// (knowledge/mappings/*.yml `timestamp:`) and Splunk's own recognition.
    #[arg(long)]
    pub time_field: Option<String>,
}

pub fn run(args: ReplayArgs) -> ExitCode {
    let inputs: Vec<Input> = args
        .inputs
        .iter()
        .map(|p| args.overrides.input(p))
        .collect();
    let mut opts = ReplayOptions {
        index: args.index.clone(),
        progress: !args.no_progress,
        knowledge_dir: args.knowledge.knowledge.clone(),
        cim_apps: args.knowledge.cim.clone(),
        addons: args.knowledge.addon.clone(),
        ..ReplayOptions::default()
    };
    if let Some(tf) = &args.knowledge.time_field {
        opts.reader.time_field = Some(tf.clone());
    }
    let mut store = if args.in_memory {
        Store::in_memory()
    } else {
        let dir = args
            .store
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_STORE_DIR));
        match Store::open(&dir) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("spelunk replay: {e}");
                return ExitCode::from(1);
            }
        }
    };
    let summary = match store.replay(&inputs, &opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("spelunk replay: {e}");
            return ExitCode::from(1);
        }
    };
    match args.format {
        SummaryFormat::Text => print!("{summary}"),
        SummaryFormat::Json => match serde_json::to_string_pretty(&summary) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("spelunk replay: {e}");
                return ExitCode::from(1);
            }
        },
    }
    if summary.files_read == 0 && summary.files_duplicate == 0 {
        ExitCode::from(1)
    } else if summary.has_rejections() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

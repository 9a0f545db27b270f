//! `spelunk replay`: placeholder until the ingest path lands.

use clap::Args;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Files, dataset YAML files or directories to replay.
    pub inputs: Vec<std::path::PathBuf>,
}

pub fn run(_args: ReplayArgs) -> ExitCode {
    eprintln!("spelunk replay: not implemented yet");
    ExitCode::from(1)
}

//! `spelunk expand` (in progress).

use clap::Args;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ExpandArgs {
    /// The SPL search text.
    pub spl: Option<String>,
}

pub fn run(_args: ExpandArgs) -> ExitCode {
    ExitCode::from(1)
}

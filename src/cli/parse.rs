//! `spelunk parse` (in progress).

use clap::Args;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// The SPL search text.
    pub spl: Option<String>,
}

pub fn run(_args: ParseArgs) -> ExitCode {
    ExitCode::from(1)
}

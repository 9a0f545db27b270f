//! `spelunk expand`: print a search with its macros expanded and comments removed.

use super::input::{report, SearchInput};
use clap::Args;
use std::process::ExitCode;

/// Arguments of `spelunk expand`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  spelunk expand '| tstats `security_content_summariesonly` count from datamodel=Endpoint.Processes'\n  spelunk expand -f detections/endpoint/some_detection.yml\n\nExit status: 0 on success, 1 on an error (undefined macro, wrong argument count, cycle, unterminated backtick)."
)]
pub struct ExpandArgs {
    #[command(flatten)]
    pub input: SearchInput,
}

/// Run `spelunk expand`.
pub fn run(args: ExpandArgs) -> ExitCode {
    let result = args.input.read().and_then(|(spl, origin)| {
        let lib = args.input.library()?;
        crate::macros::expand(&spl, &lib).map_err(|e| {
            if e.origin == "search" {
                e.origin(origin)
            } else {
                e
            }
        })
    });
    match result {
        Ok(s) => {
            println!("{}", s.trim());
            ExitCode::SUCCESS
        }
        Err(e) => {
            report(&e);
            ExitCode::from(1)
        }
    }
}

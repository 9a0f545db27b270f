//! `spelunk compact`: merge a store's small chunks into few files, each table with one schema
//! recorded in the manifest (stores written before these were compacted at the end of every
//! replay; searches over them then open one file per replayed file).
//!
//! Exit status: 0 on success, 1 when the store cannot be read or written.

use crate::store::{Store, DEFAULT_STORE_DIR};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct CompactArgs {
    /// Store folder. Default: .spelunk/store in the current directory.
    #[arg(long)]
    pub store: Option<PathBuf>,
}

/// Run `spelunk compact`.
pub fn run(args: CompactArgs) -> ExitCode {
    let dir = args
        .store
        .unwrap_or_else(|| PathBuf::from(DEFAULT_STORE_DIR));
    if !dir.join("manifest.json").is_file() {
        eprintln!(
            "spelunk compact: {}: not a store (no manifest.json)",
            dir.display()
        );
        return ExitCode::from(1);
    }
    let result = Store::open(&dir).and_then(|mut s| s.compact());
    match result {
        Ok(sum) => {
            print!("{sum}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("spelunk compact: {e}");
            ExitCode::from(1)
        }
    }
}

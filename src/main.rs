//! The `spelunk` command-line tool. Each subcommand lives in `src/cli/<name>.rs`.

use std::process::ExitCode;

fn main() -> ExitCode {
    spelunk::cli::main()
}

//! How subcommands get a search: an argument, `-f FILE` (a `.spl` file or a detection YAML), or
//! standard input; and which macro folders they load.

use crate::detection::read_search_file;
use crate::diagnostic::Diagnostic;
use crate::macros::MacroLibrary;
use clap::Args;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

/// The search to work on and its macros.
#[derive(Debug, Args, Clone)]
pub struct SearchInput {
    /// The SPL search text. Omit it to use -f, or to read the search from standard input.
    #[arg(value_name = "SPL")]
    pub spl: Option<String>,

    /// Read the search from FILE: plain SPL text, or a security_content detection YAML (its
    /// `search:`). For a detection inside a security_content checkout, that checkout's `macros/`
    /// folder is loaded automatically.
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILE",
        conflicts_with = "spl"
    )]
    pub file: Option<PathBuf>,

    /// A folder of macro definitions in security_content's YAML format (repeatable; later folders
    /// override earlier ones, and all override the built-ins). A security_content checkout's root
    /// works too: its `macros/` folder is used.
    #[arg(long = "macros", value_name = "DIR")]
    pub macros: Vec<PathBuf>,
}

impl SearchInput {
    /// The search text and a name for where it came from.
    pub fn read(&self) -> Result<(String, String), Diagnostic> {
        if let Some(s) = &self.spl {
            return Ok((s.clone(), "search".into()));
        }
        if let Some(f) = &self.file {
            return Ok((read_search_file(f)?, f.display().to_string()));
        }
        let stdin = std::io::stdin();
        if stdin.is_terminal() {
            return Err(Diagnostic::new(
                "no search given: pass it as an argument, with -f FILE, or on standard input",
            ));
        }
        let mut s = String::new();
        stdin
            .lock()
            .read_to_string(&mut s)
            .map_err(|e| Diagnostic::new(format!("cannot read standard input: {e}")))?;
        Ok((s, "stdin".into()))
    }

    /// The built-ins, the checkout's macros when `-f` names a detection inside one, then `--macros`.
    pub fn library(&self) -> Result<MacroLibrary, Diagnostic> {
        let mut dirs = Vec::new();
        if let Some(root) = self.file.as_deref().and_then(checkout_root) {
            dirs.push(root.join("macros"));
        }
        dirs.extend(self.macros.iter().cloned());
        MacroLibrary::with_dirs(&dirs)
    }
}

/// The security_content checkout holding a detection file: the ancestor with `detections/` and
/// `macros/` folders.
pub fn checkout_root(file: &Path) -> Option<PathBuf> {
    let file = std::fs::canonicalize(file).ok()?;
    file.ancestors()
        .skip(1)
        .find(|d| d.join("detections").is_dir() && d.join("macros").is_dir())
        .map(Path::to_path_buf)
}

/// Print a diagnostic to standard error.
pub fn report(e: &Diagnostic) {
    eprint!("{e}");
}

/// `source`, `sourcetype` and `host` given on the command line for the files a subcommand replays.
#[derive(Debug, Args, Clone, Default)]
pub struct InputOverrides {
    /// `source` of the replayed events (default: from each event, e.g. XmlWinEventLog:<Channel>).
    #[arg(long)]
    pub source: Option<String>,

    /// `sourcetype` of the replayed events; also chooses the reader (case-insensitive).
    #[arg(long)]
    pub sourcetype: Option<String>,

    /// `host` of the replayed events (default: from each event, e.g. the Computer element).
    #[arg(long)]
    pub host: Option<String>,
}

impl InputOverrides {
    /// The replay input for a path with these overrides.
    pub fn input(&self, path: &Path) -> crate::ingest::Input {
        crate::ingest::Input {
            path: path.to_path_buf(),
            source: self.source.clone(),
            sourcetype: self.sourcetype.clone(),
            host: self.host.clone(),
            index: None,
        }
    }
}

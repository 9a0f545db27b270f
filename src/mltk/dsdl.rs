//! Models of the Splunk App for Data Science and Deep Learning (DSDL) as external scorers.
//!
//! DSDL does not run its models inside Splunk: `apply NAME` sends the search results to a
//! container, the model's notebook code scores them, and the container sends them back with
//! prediction fields added (security_content's DSDL detections read `pred_dga_proba`,
//! `pred_is_dns_data_exfiltration_proba`, `predicted_is_unknown`, `predicted_label`,
//! `predicted(unusual_cmdline_logits)`). spelunk has no such container and no weights; it does
//! the same exchange with a program the user names, the *scorer*:
//!
//! - spelunk writes the results to the scorer's standard input as CSV: a header naming every
//!   field, in result order, then one row per result (a multivalue field's values one per line,
//!   as `outputlookup` writes them; null is an empty cell);
//! - the scorer writes CSV to its standard output: a header, then exactly one row per input row,
//!   in the same order;
//! - each returned column is added to the results, or replaces the field of that name (a scorer
//!   may echo the input fields back or return only its predictions). Values are text, an empty
//!   cell is null.
//!
//! A scorer is configured per model name: `--dsdl-model NAME=COMMAND` (run/check/test), a
//! `dsdl:` map in the settings file (`src/cli/config.rs`), or an executable file
//! `<store>/models/dsdl/NAME`. A COMMAND runs through `sh -c`, with `SPELUNK_DSDL_MODEL=NAME`
//! in its environment.

use polars::prelude::*;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

/// How one DSDL model is scored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scorer {
    /// What runs.
    pub program: Program,
    /// Where this scorer was configured, for messages (`--dsdl-model`, `dsdl:` in FILE, ...).
    pub origin: String,
}

/// The program of a scorer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Program {
    /// A shell command line (`sh -c`), run in `dir` when set (the settings file's folder).
    Shell {
        command: String,
        dir: Option<PathBuf>,
    },
    /// An executable file, run directly.
    Executable(PathBuf),
}

impl std::fmt::Display for Program {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Program::Shell { command, .. } => write!(f, "`{command}`"),
            Program::Executable(p) => write!(f, "{}", p.display()),
        }
    }
}

/// The configured scorers, by model name (shared by the searches of one run).
#[derive(Debug, Clone, Default)]
pub struct Scorers(Arc<BTreeMap<String, Scorer>>);

impl Scorers {
    /// Scorers from a map of names to scorers.
    pub fn new(map: BTreeMap<String, Scorer>) -> Scorers {
        Scorers(Arc::new(map))
    }

    /// The scorer configured for `name` (`app:NAME` is NAME).
    pub fn get(&self, name: &str) -> Option<&Scorer> {
        let n = name.strip_prefix("app:").unwrap_or(name);
        self.0.get(n)
    }

    /// Whether no scorer is configured.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Parse a `--dsdl-model NAME=COMMAND` value.
pub fn parse_flag(value: &str) -> Result<(String, String), String> {
    let (name, command) = value
        .split_once('=')
        .ok_or_else(|| format!("--dsdl-model `{value}`: expected NAME=COMMAND"))?;
    let name = super::model_name(name.trim())
        .map_err(|e| format!("--dsdl-model `{value}`: {e}"))?
        .to_string();
    if command.trim().is_empty() {
        return Err(format!("--dsdl-model `{value}`: the command is empty"));
    }
    Ok((name, command.to_string()))
}

/// The executable `<models>/dsdl/NAME` of a store's models folder, when there is one.
pub fn store_scorer(models_dir: &Path, name: &str) -> Option<Scorer> {
    let n = super::model_name(name).ok()?;
    let path = models_dir.join("dsdl").join(n);
    is_executable(&path).then(|| Scorer {
        origin: format!("the store's {}", path.display()),
        program: Program::Executable(path),
    })
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file()
}

/// The results as the CSV a scorer reads: every field, in order; a multivalue field's values
/// one per line; null as an empty cell.
pub fn to_csv(df: &DataFrame) -> Result<Vec<u8>, String> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let err = |e: csv::Error| e.to_string();
    let cols = df.columns();
    w.write_record(cols.iter().map(|c| c.name().as_str()))
        .map_err(err)?;
    for i in 0..df.height() {
        let row: Vec<String> = cols
            .iter()
            .map(|c| crate::frame::values_at(c, i).join("\n"))
            .collect();
        w.write_record(&row).map_err(err)?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

/// Parse a scorer's output: a header and exactly `rows` rows of as many cells.
fn parse_output(bytes: &[u8], rows: usize) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes);
    let mut records = r.records();
    let header: Vec<String> = match records.next() {
        None if rows == 0 => return Ok((Vec::new(), Vec::new())),
        None => {
            return Err(format!(
                "it wrote no CSV (expected a header and {rows} rows)"
            ))
        }
        Some(h) => h
            .map_err(|e| format!("bad CSV header: {e}"))?
            .iter()
            .map(|s| s.trim().to_string())
            .collect(),
    };
    if let Some(bad) = header.iter().find(|h| h.is_empty()) {
        return Err(format!("bad CSV header: an empty field name `{bad}`"));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = header.iter().find(|h| !seen.insert(h.as_str())) {
        return Err(format!("bad CSV header: the field `{dup}` appears twice"));
    }
    let mut out = Vec::with_capacity(rows);
    for (i, rec) in records.enumerate() {
        let rec = rec.map_err(|e| format!("bad CSV at output line {}: {e}", i + 2))?;
        out.push(rec.iter().map(str::to_string).collect());
    }
    if out.len() != rows {
        return Err(format!(
            "it returned {} rows for {rows} input rows (a scorer returns one row per input row, in order)",
            out.len()
        ));
    }
    Ok((header, out))
}

/// Score the results with a scorer: run it, give it the results as CSV, and add or replace the
/// columns it returns. The error says what went wrong, with the scorer's standard error.
pub fn score(df: DataFrame, model: &str, scorer: &Scorer) -> Result<DataFrame, String> {
    let input = to_csv(&df)?;
    let mut cmd = match &scorer.program {
        Program::Shell { command, dir } => {
            let mut c = Command::new("sh");
            c.arg("-c").arg(command);
            if let Some(d) = dir {
                c.current_dir(d);
            }
            c
        }
        Program::Executable(p) => Command::new(p),
    };
    let name = model.strip_prefix("app:").unwrap_or(model);
    cmd.env("SPELUNK_DSDL_MODEL", name)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let what = format!(
        "the DSDL scorer {} (from {})",
        scorer.program, scorer.origin
    );
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {what}: {e}"))?;
    // Feed standard input from a thread: a scorer that writes as it reads must not block on a
    // full pipe while spelunk is still writing.
    let mut stdin = child.stdin.take().expect("piped stdin");
    let feeder = std::thread::spawn(move || {
        // A scorer that exits without reading everything closes the pipe: its exit status and
        // output say what happened, so a write error here is not reported on its own.
        let _ = stdin.write_all(&input);
    });
    let out = child
        .wait_with_output()
        .map_err(|e| format!("{what} failed: {e}"))?;
    let _ = feeder.join();
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
    let with_stderr = |msg: String| {
        if stderr.is_empty() {
            msg
        } else {
            format!("{msg}; its standard error:\n{stderr}")
        }
    };
    if !out.status.success() {
        return Err(with_stderr(format!("{what} exited with {}", out.status)));
    }
    let (header, rows) =
        parse_output(&out.stdout, df.height()).map_err(|e| with_stderr(format!("{what}: {e}")))?;
    let mut df = df;
    for (j, name) in header.iter().enumerate() {
        let values: Vec<Option<&str>> = rows
            .iter()
            .map(|r| r.get(j).map(String::as_str).filter(|s| !s.is_empty()))
            .collect();
        let col = Column::new(name.as_str().into(), values);
        if df.width() == 0 {
            df = DataFrame::new_infer_height(vec![col]).map_err(|e| e.to_string())?;
        } else {
            df.with_column(col).map_err(|e| e.to_string())?;
        }
    }
    Ok(df)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shell(cmd: &str) -> Scorer {
        Scorer {
            program: Program::Shell {
                command: cmd.into(),
                dir: None,
            },
            origin: "a test".into(),
        }
    }

    #[test]
    fn the_flag_is_name_equals_command() {
        assert_eq!(
            parse_flag("m1=python3 s.py --x=1").unwrap(),
            ("m1".to_string(), "python3 s.py --x=1".to_string())
        );
        assert_eq!(parse_flag("app:m1=cat").unwrap().0, "m1");
        assert!(parse_flag("m1").unwrap_err().contains("NAME=COMMAND"));
        assert!(parse_flag("m1=  ").is_err());
        assert!(parse_flag("../m=cat").is_err());
    }

    #[test]
    fn returned_columns_are_added_or_replace_fields_in_order() {
        let df = df!("a" => ["x", "y"], "b" => [Some(1i64), None]).unwrap();
        // Echo the input and add a column computed per row (the row number).
        let s = shell("awk 'NR==1{print $0\",score\"} NR>1{print \"X,\"$2\",\"NR-1}' FS=,");
        let out = score(df, "m", &s).unwrap();
        assert_eq!(
            out.get_column_names()
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>(),
            vec!["a", "b", "score"],
            "{out}"
        );
        let a: Vec<_> = out.column("a").unwrap().str().unwrap().iter().collect();
        assert_eq!(a, vec![Some("X"), Some("X")]);
        let b: Vec<_> = out.column("b").unwrap().str().unwrap().iter().collect();
        assert_eq!(b, vec![Some("1"), None]);
        let sc: Vec<_> = out.column("score").unwrap().str().unwrap().iter().collect();
        assert_eq!(sc, vec![Some("1"), Some("2")]);
    }

    #[test]
    fn the_scorer_reads_csv_with_the_model_name_in_its_environment() {
        let df = df!("q" => ["a,b", "c\"d"]).unwrap();
        let s = shell(
            "cat > /dev/null; printf 'model\\n%s\\n%s\\n' $SPELUNK_DSDL_MODEL $SPELUNK_DSDL_MODEL",
        );
        let out = score(df.clone(), "app:dga", &s).unwrap();
        let m: Vec<_> = out.column("model").unwrap().str().unwrap().iter().collect();
        assert_eq!(m, vec![Some("dga"), Some("dga")]);
        assert_eq!(
            String::from_utf8(to_csv(&df).unwrap()).unwrap(),
            "q\n\"a,b\"\n\"c\"\"d\"\n"
        );
    }

    #[test]
    fn a_multivalue_field_is_one_cell_with_a_value_per_line() {
        let mv: ListChunked = [Some(Series::new("".into(), ["a", "b"])), None]
            .into_iter()
            .collect();
        let df = DataFrame::new_infer_height(vec![mv.with_name("m".into()).into_series().into()])
            .unwrap();
        assert_eq!(
            String::from_utf8(to_csv(&df).unwrap()).unwrap(),
            "m\n\"a\nb\"\n\"\"\n"
        );
    }

    #[test]
    fn failures_say_what_and_show_the_scorers_stderr() {
        let df = df!("q" => ["a", "b"]).unwrap();
        let e = score(df.clone(), "m", &shell("echo boom >&2; exit 3")).unwrap_err();
        assert!(e.contains("exited with") && e.contains("boom"), "{e}");
        assert!(e.contains("from a test"), "{e}");
        let e = score(df.clone(), "m", &shell("cat >/dev/null; printf 'p\\n1\\n'")).unwrap_err();
        assert!(e.contains("returned 1 rows for 2 input rows"), "{e}");
        let e = score(
            df.clone(),
            "m",
            &shell("cat >/dev/null; printf 'p\\n1,2\\n3\\n'"),
        )
        .unwrap_err();
        assert!(e.contains("bad CSV"), "{e}");
        let e = score(df.clone(), "m", &shell("cat >/dev/null")).unwrap_err();
        assert!(e.contains("wrote no CSV"), "{e}");
        let e = score(
            df,
            "m",
            &Scorer {
                program: Program::Executable("/nonexistent/scorer".into()),
                origin: "x".into(),
            },
        )
        .unwrap_err();
        assert!(e.contains("cannot start"), "{e}");
    }

    #[test]
    fn no_rows_need_no_output() {
        let df = df!("q" => Vec::<String>::new()).unwrap();
        let out = score(df, "m", &shell("cat >/dev/null")).unwrap();
        assert_eq!(out.height(), 0);
    }
}

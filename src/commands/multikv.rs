//! `multikv`: extract fields from table-formatted events (the output of `top`, `ps`,
//! `netstat`...): one result per table row.

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Extract fields from table-formatted events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Multikv {
    pub options: Vec<Opt>,
    /// `fields a b c`: only these fields are extracted.
    pub fields: Vec<String>,
    /// `filter t1 t2`: only rows holding one of these terms are kept.
    pub filter: Vec<String>,
}

impl Multikv {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Multikv> {
        let parts = Parts::of(p)?;
        let (mut fields, mut filter) = (Vec::new(), Vec::new());
        let mut into: Option<bool> = None; // Some(true): fields, Some(false): filter
        for w in parts.fields {
            if w.eq_ignore_ascii_case("fields") {
                into = Some(true);
            } else if w.eq_ignore_ascii_case("filter") {
                into = Some(false);
            } else {
                match into {
                    Some(true) => fields.push(w),
                    Some(false) => filter.push(w),
                    None => return Err(unexpected(p)),
                }
            }
        }
        Ok(Multikv {
            options: parts.options,
            fields,
            filter,
        })
    }
}

// ---------- semantics ----------

use crate::diagnostic::Diagnostic;
use crate::frame::structured::{self, Flat};
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::*;

/// What a `multikv` run needs, from its options.
struct Setup {
    copyattrs: bool,
    forceheader: Option<usize>,
    multitable: bool,
    noheader: bool,
    rmorig: bool,
}

fn setup(m: &Multikv) -> Result<Setup, String> {
    let flag = |k: &str, default: bool| -> bool {
        m.options
            .get_opt(k)
            .map(crate::commands::is_true)
            .unwrap_or(default)
    };
    let forceheader = match m.options.get_opt("forceheader") {
        None => None,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n >= 1 => Some(n),
            _ => return Err(format!("`multikv forceheader={v}`: a line number from 1")),
        },
    };
    Ok(Setup {
        copyattrs: flag("copyattrs", true),
        forceheader,
        multitable: flag("multitable", true),
        noheader: flag("noheader", false),
        rmorig: flag("rmorig", true),
    })
}

/// A header name as a field name: characters other than letters, digits and `_` become `_`,
/// leading underscores are dropped (Splunk's key cleaning).
fn clean_key(k: &str) -> String {
    let s: String = k
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let t = s.trim_start_matches('_');
    if t.is_empty() {
        s
    } else {
        t.to_string()
    }
}

/// The whitespace-separated values of a line, with the rest of the line (from the `n`-th
/// value on) as the last one: the last column of `ps` or `top` output holds spaces.
fn split_row(line: &str, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line.trim();
    while !rest.is_empty() {
        if n > 0 && out.len() + 1 == n {
            out.push(rest.to_string());
            break;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        out.push(rest[..end].to_string());
        rest = rest[end..].trim_start();
    }
    out
}

/// The tables of one event: its rows, each as the row's text and its fields.
fn rows_of(raw: &str, m: &Multikv, s: &Setup) -> Vec<(String, Flat)> {
    let lines: Vec<&str> = raw.lines().map(|l| l.trim_end_matches('\r')).collect();
    let mut out = Vec::new();
    let mut header: Option<Vec<String>> = None;
    let mut start = 0;
    if let Some(h) = s.forceheader {
        if let Some(line) = lines.get(h - 1) {
            header = Some(split_row(line, 0).iter().map(|k| clean_key(k)).collect());
        }
        start = h;
    }
    let keep = |line: &str| {
        m.filter.is_empty() || {
            let l = line.to_lowercase();
            m.filter.iter().any(|t| l.contains(&t.to_lowercase()))
        }
    };
    for line in lines.iter().skip(start) {
        if line.trim().is_empty() {
            if s.multitable && !s.noheader && s.forceheader.is_none() {
                header = None;
            }
            continue;
        }
        let names: Vec<String> = if s.noheader {
            let n = split_row(line, 0).len();
            (1..=n).map(|i| format!("Column_{i}")).collect()
        } else {
            match &header {
                None => {
                    header = Some(split_row(line, 0).iter().map(|k| clean_key(k)).collect());
                    continue;
                }
                Some(h) => h.clone(),
            }
        };
        if !keep(line) {
            continue;
        }
        let values = split_row(line, if s.noheader { 0 } else { names.len() });
        let mut f = Flat::new();
        for (k, v) in names.iter().zip(values) {
            if m.fields.is_empty() || m.fields.iter().any(|x| x == k) {
                f.entry(k.clone()).or_default().push(v);
            }
        }
        out.push((line.to_string(), f));
    }
    out
}

/// The fields `copyattrs=false` keeps: internal ones and where an event came from.
fn is_metadata(name: &str) -> bool {
    name.starts_with('_')
        || matches!(
            name,
            "host" | "source" | "sourcetype" | "index" | "splunk_server" | "linecount"
        )
}

/// Run `multikv` (Search Reference): each event's `_raw` holds one or more tables; the first
/// line of a table (or line `forceheader=N`) is its header, whose whitespace-separated names
/// (cleaned into field names) name the columns; each following line is one result, with
/// `_raw` the line, the fields of its columns (values split on whitespace, the last column
/// taking the rest of the line), and the original event's fields (`copyattrs=true`, the
/// default; `false` keeps only `_time`, `host`, `source`, ...). `noheader=true`: no header, the
/// columns are `Column_1`, `Column_2`, ...; `multitable=true` (default): a blank line ends a
/// table and the next line is a new header. `fields a b`: only these fields; `filter t1 t2`:
/// only rows holding one of the terms (case-insensitive). `rmorig=false` keeps each original
/// event before its rows.
fn execute(lf: LazyFrame, m: &Multikv, at: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    let s = setup(m).map_err(|e| ctx.error(e, at.span))?;
    let df = lf
        .collect()
        .map_err(|e| ctx.polars_error("multikv", at.span, e))?;
    let raws = super::spath::texts(&df, "_raw");
    let mut take: Vec<IdxSize> = Vec::new();
    let mut raw_out: Vec<Option<String>> = Vec::new();
    let mut flats: Vec<Flat> = Vec::new();
    for (i, raw) in raws.iter().enumerate() {
        if !s.rmorig {
            take.push(i as IdxSize);
            raw_out.push(raw.clone());
            flats.push(Flat::new());
        }
        if let Some(raw) = raw {
            for (line, f) in rows_of(raw, m, &s) {
                take.push(i as IdxSize);
                raw_out.push(Some(line));
                flats.push(f);
            }
        }
    }
    let idx = IdxCa::from_vec("idx".into(), take);
    let mut out = df
        .take(&idx)
        .map_err(|e| ctx.polars_error("multikv", at.span, e))?;
    if !s.copyattrs {
        let drop: Vec<String> = out
            .get_column_names()
            .iter()
            .filter(|n| !is_metadata(n))
            .map(|n| n.to_string())
            .collect();
        out = out.drop_many(drop);
    }
    out.with_column(Column::new("_raw".into(), raw_out))
        .map_err(|e| ctx.polars_error("multikv", at.span, e))?;
    let out =
        structured::add_fields(out, &flats).map_err(|e| ctx.polars_error("multikv", at.span, e))?;
    Ok(out.lazy())
}

runs_execute!(Multikv);

impl crate::commands::SplCommand for Multikv {
    const DOC: &'static str =
        "Extract fields from table-formatted events: one result per table row.";
    const OPTIONS: Option<&'static [&'static str]> = Some(&[
        "copyattrs",
        "forceheader",
        "multitable",
        "noheader",
        "rmorig",
    ]);
    const EXAMPLES: &'static [crate::commands::Example] = &[
        crate::commands::Example {
            description: "a `ps`-like table: the header names the fields, each row is a result, the last column keeps its spaces",
            search: "| multikv | table host PID USER COMMAND",
            input: "host,_raw\nweb1,\"PID USER COMMAND\n1 root /sbin/init splash\n42 www nginx: worker\"\n",
            output: "host,PID,USER,COMMAND\nweb1,1,root,/sbin/init splash\nweb1,42,www,nginx: worker\n",
        },
        crate::commands::Example {
            description: "noheader: columns are Column_1, Column_2...; filter keeps rows holding a term; fields limits what is extracted",
            search: "| multikv noheader=t fields Column_2 filter nginx | table _raw Column_1 Column_2",
            input: "_raw\n\"1 root /sbin/init\n42 www nginx\"\n",
            output: "_raw,Column_2\n42 www nginx,www\n",
        },
    ];

    fn options(&self) -> &[Opt] {
        &self.options
    }

    fn lower(
        &self,
        c: &Command,
        input: crate::plan::Node,
        cx: &mut crate::commands::Lower,
    ) -> Result<crate::plan::Node, Diagnostic> {
        setup(self).map_err(|e| cx.error(e, c.span))?;
        Ok(cx.opaque(self.clone(), c, input))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| multikv noheader=t fields a b filter x");
        let CommandKind::Multikv(x) = c.kind else {
            panic!("not multikv: {c:?}")
        };
        assert_eq!(x.options.get_opt("noheader"), Some("t"));
        assert_eq!(x.fields, vec!["a", "b"]);
        assert_eq!(x.filter, vec!["x"]);
    }

    #[test]
    fn header_names_are_cleaned_and_tables_split_on_blank_lines() {
        let df = df!(
            "_raw" => ["\"sc_status\" \"cs_object\"\n200 bucket1\n\nA-B C\n1 2"],
            "user" => ["u"]
        )
        .unwrap();
        let out = crate::testkit::run_on(df.clone(), "| multikv");
        assert_eq!(out.height(), 2);
        let s = out.column("sc_status_").unwrap().str().unwrap().get(0);
        assert_eq!(s, Some("200"));
        assert_eq!(out.column("A_B").unwrap().str().unwrap().get(1), Some("1"));
        assert_eq!(out.column("user").unwrap().str().unwrap().get(1), Some("u"));
        let out = crate::testkit::run_on(df.clone(), "| multikv rmorig=f copyattrs=f");
        assert_eq!(out.height(), 3, "the original event, then its two rows");
        assert!(out.column("user").is_err());
        let out = crate::testkit::run_on(df, "| multikv forceheader=2");
        // Line 2 is the header; line 3 is blank (no new header with forceheader), then 2 rows.
        assert_eq!(out.height(), 2);
        assert_eq!(out.column("200").unwrap().str().unwrap().get(1), Some("1"));
    }
}

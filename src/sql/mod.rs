//! The SQL backend: a plan ([`crate::plan`]) as one SQL query for DuckDB or Spark SQL, over the
//! store's parquet files, returning the rows the polars engine (`src/exec/`) returns.
//!
//! Splunk's semantics are written out, never SQL's: search values match case-insensitively with
//! `*` wildcards (`lower(x) LIKE p` with `%`, `_` and `\` escaped), `NOT f=v` keeps rows lacking
//! `f` while `f!=v` drops them, `where` compares case-sensitively with Splunk's number/string
//! typing, multivalue fields are arrays (a search matches any value), stats BY drops null
//! groups and orders by the BY fields.
//!
//! Every relation the query builds has a hidden ordering column (`__o`): the store's row order at
//! the scan (chunk, then row in the file), the BY order after an aggregate, the sort keys after a
//! sort. The final `ORDER BY __o` gives the polars engine's row order.
//!
//! Columns are tracked exactly, from the store's manifest (the union of its chunks' columns):
//! wildcards (`rename Processes.* AS *`, `table *`) resolve against them, and a field no row has
//! reads as null, as in the polars engine. Anything that cannot be expressed is an error naming
//! the command or function and where it is ([`SqlError`]), never a different answer.

pub mod dialect;
pub mod external;
mod lookup;
pub mod scalar;
pub mod tables;

pub use dialect::Dialect;
pub use tables::Tables;

use crate::diagnostic::{Diagnostic, Span};
use crate::plan::resolve::wildcard_match;
use crate::plan::{AggCall, AggInput, NullGroups, Op, Plan, ProjectMode, Scan, SortKey};
use scalar::{Ctx, Sx};

/// The kind of a column's values (as the polars engine types them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Null,
    Int,
    Float,
    Str,
    Bool,
    Multi,
}

impl Kind {
    pub fn is_num(self) -> bool {
        matches!(self, Kind::Int | Kind::Float)
    }
}

/// One column of a relation.
#[derive(Debug, Clone, PartialEq)]
pub struct Col {
    pub name: String,
    pub kind: Kind,
}

/// A search that cannot be compiled: the message names the command or function; the position
/// is in the expanded search.
#[derive(Debug, Clone)]
pub struct SqlError(pub Diagnostic);

impl SqlError {
    pub fn at(msg: impl Into<String>, text: &str, span: Span) -> SqlError {
        SqlError(
            Diagnostic::new(msg)
                .at(text, span)
                .origin("expanded search"),
        )
    }

    /// The message without position (for grouping by reason).
    pub fn reason(&self) -> String {
        self.0.message.clone()
    }
}

impl std::fmt::Display for SqlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Options of a compilation.
pub struct Options {
    pub dialect: Dialect,
    /// `now()`, epoch seconds (the polars engine's context time, for identical answers).
    pub now: f64,
    /// The lookup definitions `lookup` reads (their tables are written into the SQL); None:
    /// `lookup` is not compiled.
    pub lookups: Option<crate::lookups::LookupLibrary>,
}

/// A compiled query: the SQL and its output columns.
#[derive(Debug, Clone)]
pub struct Query {
    pub sql: String,
    pub columns: Vec<Col>,
}

impl Query {
    /// Apply the output's data-dependent columns to an engine's result (columns and rows of
    /// text cells): a query whose `lookup` adds fields that reach the output ends with a
    /// sentinel row holding each field's presence flag; the field is kept when its flag is 1 (as
    /// the polars engine adds it), then the sentinel row and the flag columns are dropped.
    pub fn settle(columns: &mut Vec<String>, rows: &mut Vec<Vec<Vec<String>>>) {
        let Some(s) = columns.iter().position(|c| c == lookup::SENTINEL) else {
            return;
        };
        let is_sentinel =
            |r: &Vec<Vec<String>>| r.get(s).is_some_and(|v| v.iter().any(|x| x == "1"));
        let sentinel = rows
            .iter()
            .find(|r| is_sentinel(r))
            .cloned()
            .unwrap_or_default();
        rows.retain(|r| !is_sentinel(r));
        let mut drop: Vec<usize> = vec![s];
        for (j, c) in columns.iter().enumerate() {
            let Some(field) = c.strip_prefix(lookup::PRESENT_PREFIX) else {
                continue;
            };
            drop.push(j);
            let present = sentinel.get(j).is_some_and(|v| v.iter().any(|x| x == "1"));
            if !present {
                if let Some(k) = columns.iter().position(|x| x == field) {
                    drop.push(k);
                }
            }
        }
        drop.sort_unstable();
        drop.dedup();
        for j in drop.into_iter().rev() {
            columns.remove(j);
            for r in rows.iter_mut() {
                if j < r.len() {
                    r.remove(j);
                }
            }
        }
    }
}

/// Compile a plan to one SQL query over the store's tables. `text` is the expanded search
/// (errors point into it).
pub fn compile(
    plan: &Plan,
    text: &str,
    tables: &Tables,
    opts: &Options,
) -> Result<Query, SqlError> {
    let mut b = Builder {
        d: opts.dialect,
        text,
        tables,
        now: opts.now,
        ctes: Vec::new(),
        lookups: opts.lookups.as_ref(),
        settled: lookup::settled_lookups(&plan.root),
        presence: Vec::new(),
        given: None,
    };
    let rel = b.node(&plan.root)?;
    let d = b.d;
    let select: Vec<String> = rel
        .cols
        .iter()
        .map(|c| format!("{} AS {}", d.ident(&c.name), d.raw_ident(&c.name)))
        .collect();
    let mut sql = String::new();
    if !b.ctes.is_empty() {
        sql.push_str("WITH\n");
        let n = b.ctes.len();
        for (i, (name, body)) in b.ctes.iter().enumerate() {
            sql.push_str(&format!(
                "{name} AS (\n  {}\n){}\n",
                body.replace('\n', "\n  "),
                if i + 1 < n { "," } else { "" }
            ));
        }
    }
    // Presence flags of lookup-added fields still in the output, in a sentinel row after the
    // rows (Query::settle reads and removes it).
    let flags: Vec<&(String, String)> = b
        .presence
        .iter()
        .filter(|(f, _)| rel.cols.iter().any(|c| &c.name == f))
        .collect();
    if flags.is_empty() {
        sql.push_str(&format!(
            "SELECT {} FROM {} ORDER BY __o",
            if select.is_empty() {
                "NULL AS __empty".to_string()
            } else {
                select.join(", ")
            },
            rel.name
        ));
    } else {
        let mut rows = Vec::new();
        let mut sentinel = Vec::new();
        for c in &rel.cols {
            rows.push(format!("{} AS {}", d.ident(&c.name), d.raw_ident(&c.name)));
            sentinel.push(format!("{} AS {}", b.null_of(c.kind), d.raw_ident(&c.name)));
        }
        for (f, cte) in &flags {
            let flag = d.raw_ident(&format!("{}{f}", lookup::PRESENT_PREFIX));
            rows.push(format!("CAST(NULL AS BIGINT) AS {flag}"));
            sentinel.push(format!(
                "(SELECT CASE WHEN max(CASE WHEN {} IS NOT NULL THEN 1 ELSE 0 END) = 1 THEN 1 ELSE 0 END FROM {cte}) AS {flag}",
                d.ident(f)
            ));
        }
        let sent = d.raw_ident(lookup::SENTINEL);
        rows.push(format!("0 AS {sent}, __o"));
        sentinel.push(format!("1 AS {sent}, CAST(NULL AS BIGINT) AS __o"));
        let outer: Vec<String> = rel
            .cols
            .iter()
            .map(|c| d.raw_ident(&c.name))
            .chain(
                flags
                    .iter()
                    .map(|(f, _)| d.raw_ident(&format!("{}{f}", lookup::PRESENT_PREFIX))),
            )
            .chain(std::iter::once(sent.clone()))
            .collect();
        sql.push_str(&format!(
            "SELECT {} FROM (SELECT {} FROM {} UNION ALL SELECT {}) u ORDER BY u.{sent}, u.__o",
            outer.join(", "),
            rows.join(", "),
            rel.name,
            sentinel.join(", ")
        ));
    }
    Ok(Query {
        sql,
        columns: rel.cols,
    })
}

/// A relation built so far: a CTE name and its columns (plus the hidden `__o`).
#[derive(Debug, Clone)]
struct Rel {
    name: String,
    cols: Vec<Col>,
}

struct Builder<'a> {
    d: Dialect,
    text: &'a str,
    tables: &'a Tables,
    now: f64,
    ctes: Vec<(String, String)>,
    lookups: Option<&'a crate::lookups::LookupLibrary>,
    /// How each `lookup` node's added fields settle ([`lookup::settled_lookups`]).
    settled: std::collections::HashMap<usize, lookup::Settle>,
    /// Fields added by a `lookup` that reach the output, with the relation the lookup wrote.
    presence: Vec<(String, String)>,
    /// The relation a sub-plan's empty input stands for (`appendpipe`, `foreach`), as the
    /// polars engine's `run_plan_on`.
    given: Option<Rel>,
}

impl<'a> Builder<'a> {
    fn err(&self, msg: impl Into<String>, span: Span) -> SqlError {
        SqlError::at(msg, self.text, span)
    }

    fn cte(&mut self, body: String, cols: Vec<Col>) -> Rel {
        let name = format!("t{}", self.ctes.len());
        self.ctes.push((name.clone(), body));
        Rel { name, cols }
    }

    fn ctx<'c>(&'c self, cols: &'c [Col]) -> Ctx<'c> {
        Ctx {
            d: self.d,
            cols,
            text: self.text,
            now: self.now,
        }
    }

    fn id(&self, n: &str) -> String {
        self.d.ident(n)
    }

    /// `a, b, c` of a relation's columns (optionally replacing some by expressions).
    fn select_list(&self, cols: &[Col]) -> Vec<String> {
        cols.iter().map(|c| self.id(&c.name)).collect()
    }

    fn null_of(&self, kind: Kind) -> String {
        match kind {
            Kind::Multi => format!("CAST(NULL AS {})", self.d.list_type()),
            Kind::Int => "CAST(NULL AS BIGINT)".into(),
            Kind::Float => "CAST(NULL AS DOUBLE)".into(),
            Kind::Bool => "CAST(NULL AS BOOLEAN)".into(),
            _ => format!("CAST(NULL AS {})", self.d.text_type()),
        }
    }

    fn empty(&mut self) -> Rel {
        self.cte(
            "SELECT CAST(NULL AS BIGINT) AS __o WHERE 1 = 0".into(),
            Vec::new(),
        )
    }

    fn node(&mut self, n: &crate::plan::Node) -> Result<Rel, SqlError> {
        let span = n.span;
        let cmd = n.command.as_str();
        match &n.op {
            Op::Empty => match self.given.take() {
                Some(r) => Ok(r),
                None => Ok(self.empty()),
            },
            Op::Scan(Scan::Events) => self.scan(self.tables.events(), span),
            Op::Scan(Scan::Datamodel { dataset }) => match self.tables.datamodel(dataset) {
                Some(t) => self.scan(Some(t), span),
                None => Ok(self.empty()),
            },
            Op::Scan(Scan::Generator(g)) if cmd == "inputlookup" => {
                self.inputlookup(None, g.as_ref(), span)
            }
            Op::Scan(Scan::Generator(g)) if cmd == "makeresults" => {
                // `makeresults {options}`: count= results, each with _time = now (floored).
                let desc = g.describe();
                let opts: serde_json::Value = desc
                    .strip_prefix("makeresults ")
                    .and_then(|j| serde_json::from_str(j).ok())
                    .unwrap_or_default();
                let mut n: u64 = 1;
                for o in opts.as_array().into_iter().flatten() {
                    let key = o.get("key").and_then(|k| k.as_str()).unwrap_or("");
                    let value = o.get("value").and_then(|k| k.as_str()).unwrap_or("");
                    match key {
                        "count" => {
                            n = value
                                .parse()
                                .map_err(|_| self.err(format!("invalid count `{value}`"), span))?
                        }
                        _ => {
                            return Err(self.err(
                                format!("`makeresults {key}=` is not expressed in SQL"),
                                span,
                            ))
                        }
                    }
                }
                let from = match self.d {
                    Dialect::Duckdb => format!("range({n}) AS r(id)"),
                    Dialect::Spark => format!("range({n})"),
                };
                let body = format!(
                    "SELECT CAST({:e} AS DOUBLE) AS {}, CAST(id AS BIGINT) AS __o FROM {from}",
                    self.now.floor(),
                    self.id("_time")
                );
                Ok(self.cte(
                    body,
                    vec![Col {
                        name: "_time".into(),
                        kind: Kind::Float,
                    }],
                ))
            }
            Op::Scan(Scan::Generator(_)) => Err(self.err(
                format!("`{cmd}` (a generating command) is not expressed in SQL"),
                span,
            )),
            Op::Filter { input, predicate } => {
                let r = self.node(input)?;
                let w = self.ctx(&r.cols).search(predicate, span)?;
                let body = format!(
                    "SELECT {}__o FROM {} WHERE {w}",
                    prefix(&self.select_list(&r.cols)),
                    r.name
                );
                Ok(self.cte(body, r.cols))
            }
            Op::Compute { input, assignments } => {
                let mut r = self.node(input)?;
                for (field, e) in assignments {
                    let sx = self.ctx(&r.cols).expr(e, span)?;
                    r = self.assign(r, field, sx);
                }
                Ok(r)
            }
            Op::Project {
                input,
                patterns,
                mode,
            } => {
                let r = self.node(input)?;
                let chosen = select_patterns(&r.cols, patterns);
                let keep: Vec<Col> = match mode {
                    ProjectMode::Table => chosen
                        .iter()
                        .filter_map(|n| r.cols.iter().find(|c| &c.name == n).cloned())
                        .collect(),
                    ProjectMode::Remove => r
                        .cols
                        .iter()
                        .filter(|c| !chosen.contains(&c.name))
                        .cloned()
                        .collect(),
                    ProjectMode::Keep => {
                        let mut k = chosen.clone();
                        for i in ["_time", "_raw"] {
                            if r.cols.iter().any(|c| c.name == i) && !k.iter().any(|x| x == i) {
                                k.push(i.into());
                            }
                        }
                        k.iter()
                            .filter_map(|n| r.cols.iter().find(|c| &c.name == n).cloned())
                            .collect()
                    }
                };
                let body = format!(
                    "SELECT {}__o FROM {}",
                    prefix(&self.select_list(&keep)),
                    r.name
                );
                Ok(self.cte(body, keep))
            }
            Op::Rename { input, pairs } => {
                let mut r = self.node(input)?;
                for (from, to) in pairs {
                    r = self.rename(r, from, to);
                }
                Ok(r)
            }
            Op::Aggregate {
                input,
                aggregates,
                by,
                nulls,
                span: bin,
            } => {
                let r = self.node(input)?;
                self.aggregate(r, aggregates, by, nulls, bin.as_deref(), span)
            }
            Op::Window {
                input,
                aggregates,
                by,
                frame,
            } => {
                if !matches!(frame, crate::plan::WindowFrame::All) {
                    return Err(self.err(
                        format!("`{cmd}` (a running window) is not expressed in SQL yet"),
                        span,
                    ));
                }
                let r = self.node(input)?;
                self.eventstats(r, aggregates, by, span)
            }
            Op::Sort {
                input,
                keys,
                reverse,
                limit,
            } => {
                let r = self.node(input)?;
                let r = self.sort(r, keys, *reverse);
                Ok(match limit {
                    Some(k) => self.head(r, *k),
                    None => r,
                })
            }
            Op::Limit {
                input,
                count,
                from_end,
            } => {
                let r = self.node(input)?;
                if *from_end {
                    let cols = r.cols.clone();
                    let body = format!(
                        "SELECT {}__o FROM (SELECT {}row_number() OVER (ORDER BY __o DESC) AS __o FROM {}) WHERE __o <= {count}",
                        prefix(&self.select_list(&cols)),
                        prefix(&self.select_list(&cols)),
                        r.name
                    );
                    Ok(self.cte(body, cols))
                } else {
                    Ok(self.head(r, *count))
                }
            }
            Op::Reverse { input } => {
                let r = self.node(input)?;
                let body = format!(
                    "SELECT {}(0 - __o) AS __o FROM {}",
                    prefix(&self.select_list(&r.cols)),
                    r.name
                );
                Ok(self.cte(body, r.cols))
            }
            Op::Dedup {
                input,
                fields,
                count,
                keepempty,
                consecutive,
                sortby,
            } => {
                if *consecutive {
                    return Err(self.err("`dedup consecutive=true` is not expressed in SQL", span));
                }
                let r = self.node(input)?;
                self.dedup(r, fields, *count, *keepempty, sortby)
            }
            Op::Union { inputs } => {
                let mut rels = Vec::new();
                for i in inputs {
                    rels.push(self.node(i)?);
                }
                Ok(self.union(rels))
            }
            Op::Explode {
                input,
                field,
                limit,
            } => {
                let r = self.node(input)?;
                self.explode(r, field, *limit)
            }
            Op::Join {
                left,
                right,
                fields,
                kind,
                max,
            } => {
                let l = self.node(left)?;
                let r = self.node(right)?;
                self.join(l, r, fields, *kind, *max)
            }
            Op::Lookup { input, spec } => {
                let r = self.node(input)?;
                let settle = self
                    .settled
                    .get(&(n as *const crate::plan::Node as usize))
                    .copied()
                    .unwrap_or(lookup::Settle::Tainted);
                self.lookup(r, spec, settle, cmd, span)
            }
            Op::TakeWhile { .. } => Err(self.err(
                format!("`{cmd} <condition>` is not expressed in SQL yet"),
                span,
            )),
            Op::Opaque { input, operator } => {
                let r = self.node(input)?;
                match cmd {
                    "appendpipe" => {
                        // The sub-pipeline over the current results, its rows after them.
                        let Some(sub) = operator.subplans().first().copied() else {
                            return Err(self.err("`appendpipe` without a sub-pipeline", span));
                        };
                        let out = self.over(&r, sub, span)?;
                        Ok(self.union(vec![r, out]))
                    }
                    "foreach" => self.foreach(r, &operator.describe(), span),
                    "inputlookup" => self.inputlookup(Some(r), operator.as_ref(), span),
                    _ => self.opaque(r, cmd, &operator.describe(), span),
                }
            }
        }
    }

    fn scan(&mut self, t: Option<tables::Table>, _span: Span) -> Result<Rel, SqlError> {
        let Some(t) = t else {
            return Ok(self.empty());
        };
        if t.chunks.is_empty() {
            return Ok(self.empty());
        }
        if self.d == Dialect::Spark {
            if let Some(rel) = self.spark_grouped_scan(&t) {
                return Ok(rel);
            }
        }
        let mut parts = Vec::new();
        for (ci, ch) in t.chunks.iter().enumerate() {
            let (from, idx) = self.d.parquet(&ch.path, "__r");
            let sel = self.chunk_select(&t, &ch.columns);
            parts.push(format!(
                "SELECT {}, CAST({ci} AS BIGINT) * 4294967296 + __r AS __o FROM (SELECT *, {idx} FROM {from})",
                sel.join(", ")
            ));
        }
        let body = parts.join("\nUNION ALL\n");
        Ok(self.cte(body, t.columns.clone()))
    }

    /// The table's columns read from a chunk with these columns: a column the chunk lacks is
    /// null, a single-valued column of a table where it is multivalue becomes a one-value list.
    fn chunk_select(&self, t: &tables::Table, columns: &[(String, bool)]) -> Vec<String> {
        let physical = physical_names(self.d, &t.fixed, columns);
        t.columns
            .iter()
            .map(|c| {
                let have = columns.iter().find(|(n, _)| n == &c.name);
                let src = physical
                    .iter()
                    .find(|(n, _)| n == &c.name)
                    .map(|(_, p)| self.d.raw_ident(p))
                    .unwrap_or_default();
                match have {
                    _ if t.fixed.contains(&c.name) => format!("{src} AS {}", self.id(&c.name)),
                    None => format!("{} AS {}", self.null_of(c.kind), self.id(&c.name)),
                    Some((_, false)) if c.kind == Kind::Multi => {
                        format!("{} AS {}", self.d.one_list(&src), self.id(&c.name))
                    }
                    Some(_) => format!("{src} AS {}", self.id(&c.name)),
                }
            })
            .collect()
    }

    /// On Spark, a table of many chunks as one scan per group of chunks with the same columns
    /// (a glob `dir/{a,b,...}` over their files) instead of one scan per chunk: Spark plans a
    /// union of hundreds of scans for minutes. The order column is the same: the chunk's index
    /// in the manifest (from the file's name), then the row in the file. None when the chunks'
    /// files are not in one folder or their names cannot be written in a glob.
    fn spark_grouped_scan(&mut self, t: &tables::Table) -> Option<Rel> {
        if t.chunks.len() < 2 {
            return None;
        }
        let split = |p: &str| -> Option<(String, String)> {
            let i = p.rfind('/')?;
            Some((p[..i].to_string(), p[i + 1..].to_string()))
        };
        let dir = split(&t.chunks[0].path)?.0;
        // (the chunks' columns, their (index in the manifest, file name)s)
        type Group<'c> = (&'c [(String, bool)], Vec<(usize, String)>);
        let mut groups: Vec<Group> = Vec::new();
        for (ci, ch) in t.chunks.iter().enumerate() {
            let (d, name) = split(&ch.path)?;
            if d != dir || name.contains([',', '{', '}', '*', '?', '[', ']', '\\', '\'', '`']) {
                return None;
            }
            match groups.iter_mut().find(|(c, _)| *c == ch.columns.as_slice()) {
                Some((_, files)) => files.push((ci, name)),
                None => groups.push((ch.columns.as_slice(), vec![(ci, name)])),
            }
        }
        let mut parts = Vec::new();
        for (columns, files) in &groups {
            let sel = self.chunk_select(t, columns);
            let names: Vec<&str> = files.iter().map(|(_, n)| n.as_str()).collect();
            let glob = if names.len() == 1 {
                format!("{dir}/{}", names[0])
            } else {
                format!("{dir}/{{{}}}", names.join(","))
            };
            let index: Vec<String> = files
                .iter()
                .map(|(ci, n)| format!("{}, CAST({ci} AS BIGINT)", self.d.str_lit(n)))
                .collect();
            parts.push(format!(
                "SELECT {}, element_at(map({}), __f) * 4294967296 + __r AS __o FROM (SELECT *, _metadata.row_index AS __r, _metadata.file_name AS __f FROM parquet.`{}`)",
                sel.join(", "),
                index.join(", "),
                glob.replace('`', "``")
            ));
        }
        let body = parts.join("\nUNION ALL\n");
        Some(self.cte(body, t.columns.clone()))
    }

    /// `field = expr`: replaces a column in place, or adds it at the end.
    fn assign(&mut self, r: Rel, field: &str, sx: Sx) -> Rel {
        let kind = if sx.kind == Kind::Null {
            Kind::Str
        } else {
            sx.kind
        };
        let val = if sx.kind == Kind::Null {
            self.null_of(Kind::Str)
        } else {
            sx.sql
        };
        let mut cols = r.cols.clone();
        let mut sel = Vec::new();
        let mut found = false;
        for c in cols.iter_mut() {
            if c.name == field {
                sel.push(format!("{val} AS {}", self.id(field)));
                c.kind = kind;
                found = true;
            } else {
                sel.push(self.id(&c.name));
            }
        }
        if !found {
            sel.push(format!("{val} AS {}", self.id(field)));
            cols.push(Col {
                name: field.into(),
                kind,
            });
        }
        let body = format!("SELECT {}, __o FROM {}", sel.join(", "), r.name);
        self.cte(body, cols)
    }

    fn rename(&mut self, r: Rel, from: &str, to: &str) -> Rel {
        // (old, new) pairs, as the polars engine's rename mapping.
        let mut map: Vec<(String, String)> = Vec::new();
        if !from.contains('*') {
            if r.cols.iter().any(|c| c.name == from) {
                map.push((from.into(), to.into()));
            }
        } else {
            for c in &r.cols {
                if let Some(caps) = wildcard_match(from, &c.name) {
                    let mut new = String::new();
                    let mut g = caps.iter();
                    for (i, part) in to.split('*').enumerate() {
                        if i > 0 {
                            new.push_str(g.next().map(|s| s.as_str()).unwrap_or(""));
                        }
                        new.push_str(part);
                    }
                    map.push((c.name.clone(), new));
                }
            }
        }
        if map.is_empty() {
            return r;
        }
        let mut winner: std::collections::HashMap<&str, &str> = Default::default();
        for (old, new) in &map {
            winner.insert(new.as_str(), old.as_str());
        }
        let mut cols = Vec::new();
        let mut sel = Vec::new();
        for c in &r.cols {
            let renamed = map.iter().find(|(o, _)| *o == c.name).map(|(_, n)| n);
            match renamed {
                Some(new) if winner.get(new.as_str()) == Some(&c.name.as_str()) => {
                    sel.push(format!("{} AS {}", self.id(&c.name), self.id(new)));
                    cols.push(Col {
                        name: new.clone(),
                        kind: c.kind,
                    });
                }
                Some(_) => {}
                None if winner.contains_key(c.name.as_str()) => {}
                None => {
                    sel.push(self.id(&c.name));
                    cols.push(c.clone());
                }
            }
        }
        let body = format!("SELECT {}__o FROM {}", prefix(&sel), r.name);
        self.cte(body, cols)
    }

    fn head(&mut self, r: Rel, n: u64) -> Rel {
        let cols = r.cols.clone();
        let body = format!(
            "SELECT {}__o FROM (SELECT *, row_number() OVER (ORDER BY __o) AS __k FROM {}) WHERE __k <= {n}",
            prefix(&self.select_list(&cols)),
            r.name
        );
        self.cte(body, cols)
    }

    /// Sort keys as the polars engine's `key_exprs`: numbers before strings.
    fn sort_keys(&self, cols: &[Col], keys: &[SortKey], reverse: bool) -> Vec<String> {
        let mut out = Vec::new();
        for k in keys {
            let Some(c) = cols.iter().find(|c| c.name == k.field) else {
                continue;
            };
            let f = self.id(&c.name);
            let func = k.func.as_deref().unwrap_or("auto");
            let dir = |desc: bool| if desc != reverse { "DESC" } else { "ASC" };
            let ctx = self.ctx(cols);
            let as_text = ctx.to_str(&Sx {
                sql: f.clone(),
                kind: c.kind,
                lit: None,
            });
            if c.kind.is_num() || func == "num" {
                let n = if c.kind.is_num() {
                    format!("CAST({f} AS DOUBLE)")
                } else {
                    format!("TRY_CAST({as_text} AS DOUBLE)")
                };
                out.push(format!("{n} {} NULLS LAST", dir(k.descending)));
            } else if func == "str" {
                out.push(format!("{as_text} {} NULLS LAST", dir(k.descending)));
            } else {
                let n = format!("TRY_CAST({as_text} AS DOUBLE)");
                out.push(format!("({n} IS NULL) {} NULLS LAST", dir(false)));
                out.push(format!("{n} {} NULLS LAST", dir(k.descending)));
                out.push(format!("{as_text} {} NULLS LAST", dir(k.descending)));
            }
        }
        out
    }

    fn sort(&mut self, r: Rel, keys: &[SortKey], reverse: bool) -> Rel {
        let mut order = self.sort_keys(&r.cols, keys, reverse);
        if order.is_empty() {
            return r;
        }
        order.push("__o".into());
        let cols = r.cols.clone();
        let body = format!(
            "SELECT {}row_number() OVER (ORDER BY {}) AS __o FROM {}",
            prefix(&self.select_list(&cols)),
            order.join(", "),
            r.name
        );
        self.cte(body, cols)
    }

    fn dedup(
        &mut self,
        r: Rel,
        fields: &[String],
        count: u64,
        keepempty: bool,
        sortby: &[SortKey],
    ) -> Result<Rel, SqlError> {
        let keys = select_patterns(&r.cols, fields);
        let cols = r.cols.clone();
        if keys.len() < fields.len() && !keepempty {
            let body = format!(
                "SELECT {}__o FROM {} WHERE 1 = 0",
                prefix(&self.select_list(&cols)),
                r.name
            );
            return Ok(self.cte(body, cols));
        }
        let mut out = r;
        if !keys.is_empty() {
            let any_null = if keys.len() < fields.len() {
                "TRUE".to_string()
            } else {
                keys.iter()
                    .map(|k| format!("{} IS NULL", self.id(k)))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            };
            let part: Vec<String> = keys.iter().map(|k| self.id(k)).collect();
            let keep = if keepempty {
                format!("(__k <= {} OR __n)", count.max(1))
            } else {
                format!("(__k <= {} AND NOT __n)", count.max(1))
            };
            let body = format!(
                "SELECT {}__o FROM (SELECT *, ({any_null}) AS __n, row_number() OVER (PARTITION BY {} ORDER BY __o) AS __k FROM {}) WHERE {keep}",
                prefix(&self.select_list(&cols)),
                part.join(", "),
                out.name
            );
            out = self.cte(body, cols);
        }
        if !sortby.is_empty() {
            out = self.sort(out, sortby, false);
        }
        Ok(out)
    }

    fn union(&mut self, rels: Vec<Rel>) -> Rel {
        // Skip inputs with no columns and no rows the way append_frames does: an empty
        // relation adds nothing but its columns.
        let mut names: Vec<String> = Vec::new();
        for r in &rels {
            for c in &r.cols {
                if !names.contains(&c.name) {
                    names.push(c.name.clone());
                }
            }
        }
        let mut cols = Vec::new();
        for n in &names {
            let kinds: Vec<Kind> = rels
                .iter()
                .filter_map(|r| r.cols.iter().find(|c| &c.name == n).map(|c| c.kind))
                .collect();
            let kind = if kinds.iter().all(|k| *k == kinds[0]) {
                kinds[0]
            } else if kinds.contains(&Kind::Multi) {
                Kind::Multi
            } else {
                Kind::Str
            };
            cols.push(Col {
                name: n.clone(),
                kind,
            });
        }
        let mut parts = Vec::new();
        for (i, r) in rels.iter().enumerate() {
            let ctx = self.ctx(&r.cols);
            let sel: Vec<String> = cols
                .iter()
                .map(|c| match r.cols.iter().find(|x| x.name == c.name) {
                    None => format!("{} AS {}", self.null_of(c.kind), self.id(&c.name)),
                    Some(x) => {
                        let sx = Sx {
                            sql: self.id(&x.name),
                            kind: x.kind,
                            lit: None,
                        };
                        format!("{} AS {}", ctx.convert(&sx, c.kind), self.id(&c.name))
                    }
                })
                .collect();
            parts.push(format!(
                "SELECT {}CAST({i} AS BIGINT) AS __b, __o FROM {}",
                prefix(&sel),
                r.name
            ));
        }
        let inner = parts.join("\nUNION ALL\n");
        let body = format!(
            "SELECT {}row_number() OVER (ORDER BY __b, __o) AS __o FROM (\n{inner}\n)",
            prefix(&self.select_list(&cols))
        );
        self.cte(body, cols)
    }

    fn explode(&mut self, r: Rel, field: &str, limit: Option<u64>) -> Result<Rel, SqlError> {
        let Some(c) = r.cols.iter().find(|c| c.name == field) else {
            return Ok(r);
        };
        if c.kind != Kind::Multi {
            return Ok(r);
        }
        let f = self.id(field);
        let list = match limit {
            Some(n) => match self.d {
                Dialect::Duckdb => format!("list_slice({f}, 1, {n})"),
                Dialect::Spark => format!("slice({f}, 1, {n})"),
            },
            None => f.clone(),
        };
        let cols: Vec<Col> = r
            .cols
            .iter()
            .map(|c| {
                if c.name == field {
                    Col {
                        name: c.name.clone(),
                        kind: Kind::Str,
                    }
                } else {
                    c.clone()
                }
            })
            .collect();
        let others: Vec<String> = r
            .cols
            .iter()
            .map(|c| {
                if c.name == field {
                    format!("__v AS {f}")
                } else {
                    self.id(&c.name)
                }
            })
            .collect();
        // Null and empty lists give one row with a null value (the polars engine's explode).
        let body = match self.d {
            Dialect::Duckdb => format!(
                "SELECT {}row_number() OVER (ORDER BY __o, __i) AS __o FROM (SELECT *, unnest(CASE WHEN {f} IS NULL OR len({f}) = 0 THEN [NULL] ELSE {list} END) AS __v, generate_subscripts(CASE WHEN {f} IS NULL OR len({f}) = 0 THEN [NULL] ELSE {list} END, 1) AS __i FROM {})",
                prefix(&others),
                r.name
            ),
            Dialect::Spark => format!(
                "SELECT {}row_number() OVER (ORDER BY __o, __i) AS __o FROM {} LATERAL VIEW OUTER posexplode({list}) __x AS __i, __v",
                prefix(&others),
                r.name
            ),
        };
        Ok(self.cte(body, cols))
    }

    /// `join`: as the polars engine's (keys compared as text, the subsearch's value wins for
    /// overlapping fields, left order then right order).
    fn join(
        &mut self,
        l: Rel,
        r: Rel,
        fields: &[String],
        kind: crate::plan::JoinKind,
        max: u64,
    ) -> Result<Rel, SqlError> {
        let has = |rel: &Rel, n: &str| rel.cols.iter().any(|c| c.name == n);
        let keys: Vec<String> = if fields.is_empty() {
            l.cols
                .iter()
                .filter(|c| has(&r, &c.name))
                .map(|c| c.name.clone())
                .collect()
        } else {
            fields.to_vec()
        };
        let inner = kind == crate::plan::JoinKind::Inner;
        if keys.is_empty() || keys.iter().any(|k| !has(&l, k) || !has(&r, k)) {
            if !inner {
                return Ok(l);
            }
            let body = format!(
                "SELECT {}__o FROM {} WHERE 1 = 0",
                prefix(&self.select_list(&l.cols)),
                l.name
            );
            return Ok(self.cte(body, l.cols));
        }
        // Keys as text on both sides.
        let text_keys = |b: &mut Self, rel: Rel| -> Rel {
            let mut rel = rel;
            for k in &keys {
                let c = rel.cols.iter().find(|c| &c.name == k).cloned();
                let Some(c) = c else { continue };
                if c.kind == Kind::Str {
                    continue;
                }
                let e = match c.kind {
                    Kind::Multi => match b.d {
                        Dialect::Duckdb => {
                            format!("array_to_string({}, chr(10))", b.id(k))
                        }
                        Dialect::Spark => format!("array_join({}, char(10))", b.id(k)),
                    },
                    _ => b.ctx(&rel.cols).to_str(&Sx::new_pub(b.id(k), c.kind)),
                };
                rel = b.assign(rel, k, Sx::new_pub(e, Kind::Str));
            }
            rel
        };
        let l = text_keys(self, l);
        let mut r = text_keys(self, r);
        if max >= 1 {
            let part: Vec<String> = keys.iter().map(|k| self.id(k)).collect();
            let body = format!(
                "SELECT {}__o FROM (SELECT *, row_number() OVER (PARTITION BY {} ORDER BY __o) AS __k FROM {}) WHERE __k <= {max}",
                prefix(&self.select_list(&r.cols)),
                part.join(", "),
                r.name
            );
            r = self.cte(body, r.cols.clone());
        }
        let mut cols = Vec::new();
        let mut sel = Vec::new();
        for c in &l.cols {
            let id = self.id(&c.name);
            if keys.contains(&c.name) {
                sel.push(format!("a.{id} AS {id}"));
                cols.push(c.clone());
            } else if let Some(rc) = r.cols.iter().find(|x| x.name == c.name) {
                let k = if rc.kind == c.kind { c.kind } else { Kind::Str };
                let ctx_l = self.ctx(&l.cols);
                let ctx_r = self.ctx(&r.cols);
                let lv = ctx_l.convert(&Sx::new_pub(format!("a.{id}"), c.kind), k);
                let rv = ctx_r.convert(&Sx::new_pub(format!("b.{id}"), rc.kind), k);
                sel.push(format!(
                    "(CASE WHEN b.{id} IS NOT NULL THEN {rv} ELSE {lv} END) AS {id}"
                ));
                cols.push(Col {
                    name: c.name.clone(),
                    kind: k,
                });
            } else {
                sel.push(format!("a.{id} AS {id}"));
                cols.push(c.clone());
            }
        }
        for c in &r.cols {
            if has(&l, &c.name) {
                continue;
            }
            let id = self.id(&c.name);
            sel.push(format!("b.{id} AS {id}"));
            cols.push(c.clone());
        }
        let on: Vec<String> = keys
            .iter()
            .map(|k| {
                let id = self.id(k);
                format!("a.{id} = b.{id}")
            })
            .collect();
        let body = format!(
            "SELECT {}row_number() OVER (ORDER BY a.__o, b.__o NULLS FIRST) AS __o FROM {} a {} JOIN {} b ON {}",
            prefix(&sel),
            l.name,
            if inner { "INNER" } else { "LEFT" },
            r.name,
            on.join(" AND ")
        );
        Ok(self.cte(body, cols))
    }

    /// A command lowered to an opaque operator: the few whose parameters can be read from
    /// their description (`convert ctime`, `fillnull`, `bin span=` of `_time`).
    /// `inputlookup`: the table's rows in file order (every field text, empty cells null), after
    /// `start=`/`max=` and the `where` clause; with `append=true` after the current results
    /// (`r`), with the union of their fields, as the polars engine reads it.
    fn inputlookup(
        &mut self,
        r: Option<Rel>,
        op: &dyn crate::plan::operator::Operator,
        span: Span,
    ) -> Result<Rel, SqlError> {
        use crate::commands::inputlookup::InputlookupOp;
        use crate::syntax::ast::Options as _;
        let Some(il) = op.as_any().and_then(|a| a.downcast_ref::<InputlookupOp>()) else {
            return Err(self.err("`inputlookup` is not readable here", span));
        };
        let Some(lib) = self.lookups else {
            return Err(self.err(
                "`inputlookup` is not expressed in SQL without the lookup definitions",
                span,
            ));
        };
        let name = il.x.name.clone();
        if lib.get(&name).is_none() && lib.written_name(&name, None).is_some() {
            return Err(self.err(
                format!("`inputlookup` of `{name}`, a table `outputlookup` writes, is not expressed in SQL"),
                span,
            ));
        }
        let (_, table) = lib.open(&name).map_err(|d| self.err(d.message, span))?;
        let count = |k: &str| -> Result<Option<usize>, SqlError> {
            il.x.options
                .get_opt(k)
                .map(|v| {
                    v.parse::<usize>()
                        .map_err(|_| self.err(format!("invalid {k} `{v}`"), span))
                })
                .transpose()
        };
        let start = count("start")?.unwrap_or(0);
        let max = count("max")?.unwrap_or(usize::MAX);
        if table.rows.len() > 5000 {
            return Err(self.err(
                format!(
                    "`inputlookup` of `{name}` ({} rows) is not expressed in SQL: tables of more than 5000 rows are not inlined",
                    table.rows.len()
                ),
                span,
            ));
        }
        let mut cols: Vec<(usize, Col)> = Vec::new();
        for (j, c) in table.columns.iter().enumerate() {
            if !cols.iter().any(|(_, x)| &x.name == c) {
                cols.push((
                    j,
                    Col {
                        name: c.clone(),
                        kind: Kind::Str,
                    },
                ));
            }
        }
        let d = self.d;
        let t = if cols.is_empty() {
            self.empty()
        } else {
            let null = format!("CAST(NULL AS {})", d.text_type());
            let rows: Vec<String> = table
                .rows
                .iter()
                .skip(start)
                .take(max)
                .enumerate()
                .map(|(n, row)| {
                    let mut cells: Vec<String> = cols
                        .iter()
                        .map(|(j, _)| match row.get(*j).filter(|v| !v.is_empty()) {
                            Some(v) => d.str_lit(v),
                            None => null.clone(),
                        })
                        .collect();
                    cells.push(format!("CAST({n} AS BIGINT)"));
                    format!("({})", cells.join(", "))
                })
                .collect();
            let names: Vec<String> = cols
                .iter()
                .map(|(_, c)| self.id(&c.name))
                .chain(std::iter::once("__o".to_string()))
                .collect();
            let body = if rows.is_empty() {
                let sel: Vec<String> = cols
                    .iter()
                    .map(|(_, c)| format!("{null} AS {}", self.id(&c.name)))
                    .collect();
                format!(
                    "SELECT {}, CAST(NULL AS BIGINT) AS __o WHERE 1 = 0",
                    sel.join(", ")
                )
            } else {
                let values = rows.join(",\n  ");
                match d {
                    Dialect::Duckdb => format!(
                        "SELECT * FROM (VALUES\n  {values}) AS il({})",
                        names.join(", ")
                    ),
                    Dialect::Spark => format!(
                        "SELECT * FROM VALUES\n  {values} AS il({})",
                        names.join(", ")
                    ),
                }
            };
            let rel = self.cte(body, cols.into_iter().map(|(_, c)| c).collect());
            match &il.predicate {
                None => rel,
                Some(p) => {
                    let w = self.ctx(&rel.cols).search(p, span)?;
                    let body = format!(
                        "SELECT {}__o FROM {} WHERE {w}",
                        prefix(&self.select_list(&rel.cols)),
                        rel.name
                    );
                    self.cte(body, rel.cols)
                }
            }
        };
        Ok(match r {
            None => t,
            Some(r) => self.union(vec![r, t]),
        })
    }

    /// A sub-plan compiled over `r` (its empty input reads `r`); errors point at `span`.
    fn over(&mut self, r: &Rel, sub: &Plan, span: Span) -> Result<Rel, SqlError> {
        let outer = self.given.replace(r.clone());
        let out = self.node(&sub.root);
        self.given = outer;
        out.map_err(|e| self.err(e.reason(), span))
    }

    /// `foreach`: the template once per field matching the patterns, in column order (the
    /// columns as they are before the first run, as the polars engine reads its schema once);
    /// `<<FIELD>>`/`<<ITEM>>` is the name, `<<MATCHSTR>>` what the first wildcard matched.
    fn foreach(&mut self, r: Rel, desc: &str, span: Span) -> Result<Rel, SqlError> {
        let v: serde_json::Value = serde_json::from_str(desc).unwrap_or_default();
        if v.get("options")
            .and_then(|o| o.as_array())
            .is_some_and(|o| !o.is_empty())
        {
            return Err(self.err(
                "`foreach` with options (mode=...) is not expressed in SQL yet",
                span,
            ));
        }
        let patterns: Vec<String> = str_list(&v, "fields");
        let Some(body) = v.get("body_text").and_then(|b| b.as_str()) else {
            return Err(self.err("`foreach`: its template is not readable here", span));
        };
        let names: Vec<String> = r.cols.iter().map(|c| c.name.clone()).collect();
        let mut done: Vec<String> = Vec::new();
        let mut r = r;
        for pattern in &patterns {
            for name in &names {
                let Some(caps) = wildcard_match(pattern, name) else {
                    continue;
                };
                if done.contains(name) {
                    continue;
                }
                done.push(name.clone());
                let matchstr = if pattern.contains('*') {
                    caps.first().cloned().unwrap_or_else(|| name.clone())
                } else {
                    name.clone()
                };
                let spl = format!(
                    "| {}",
                    body.replace("<<FIELD>>", name)
                        .replace("<<MATCHSTR>>", &matchstr)
                        .replace("<<ITEM>>", name)
                );
                let plan = crate::syntax::parse(&spl)
                    .map_err(|e| e.message)
                    .and_then(|p| crate::commands::lower_pipeline(&p, &spl).map_err(|e| e.message))
                    .map_err(|m| {
                        self.err(
                            format!("`foreach` template for field `{name}` does not plan: {m}"),
                            span,
                        )
                    })?;
                r = self.over(&r, &plan, span)?;
            }
        }
        Ok(r)
    }

    fn opaque(&mut self, r: Rel, cmd: &str, desc: &str, span: Span) -> Result<Rel, SqlError> {
        let v: serde_json::Value = serde_json::from_str(desc).unwrap_or_default();
        let opt = |k: &str| -> Option<String> {
            v.get("options")?.as_array()?.iter().find_map(|o| {
                (o.get("key")?.as_str()?.eq_ignore_ascii_case(k))
                    .then(|| o.get("value")?.as_str().map(str::to_string))
                    .flatten()
            })
        };
        match cmd {
            "makemv" => {
                // As the polars engine: a single-valued field split at `delim` (default a space;
                // empty values dropped unless `allowempty=true`, as the Search Reference
                // documents); a multivalue or missing field unchanged.
                if opt("tokenizer").is_some() {
                    return Err(self.err("`makemv tokenizer=` is not expressed in SQL yet", span));
                }
                let Some(field) = v.get("field").and_then(|f| f.as_str()).map(str::to_string)
                else {
                    return Err(self.err("`makemv`: its field is not readable here", span));
                };
                let Some(c) = r.cols.iter().find(|c| c.name == field).cloned() else {
                    return Ok(r);
                };
                let delim = opt("delim").unwrap_or_else(|| " ".into());
                let allowempty = opt("allowempty").is_some_and(|x| crate::commands::is_true(&x));
                let sx = Sx::new_pub(self.id(&field), c.kind);
                let e = match c.kind {
                    Kind::Multi => return Ok(r),
                    Kind::Bool => {
                        return Err(self.err(
                            "`makemv` of a boolean field is not expressed in SQL",
                            span,
                        ))
                    }
                    Kind::Null => format!("CAST(NULL AS {})", self.d.list_type()),
                    _ if delim.is_empty() => {
                        return Err(self.err(
                            "`makemv` with an empty delimiter is not expressed in SQL",
                            span,
                        ))
                    }
                    _ => {
                        let s = self.ctx(&r.cols).to_str(&sx);
                        let split = match self.d {
                            Dialect::Duckdb => {
                                format!("string_split({s}, {})", self.d.str_lit(&delim))
                            }
                            Dialect::Spark => format!(
                                "split({s}, {}, -1)",
                                self.d.str_lit(&regex::escape(&delim))
                            ),
                        };
                        let nonempty = self.d.lambda("x", "x <> ''");
                        match (allowempty, self.d) {
                            (true, _) => split,
                            (false, Dialect::Duckdb) => format!("list_filter({split}, {nonempty})"),
                            (false, Dialect::Spark) => format!("filter({split}, {nonempty})"),
                        }
                    }
                };
                Ok(self.assign(r, &field, Sx::new_pub(e, Kind::Multi)))
            }
            "addtotals" => {
                // As the polars engine: per result, the sum of the listed fields' numeric
                // values (text that is not a number skipped, multivalue fields skipped) into
                // `fieldname` (default `Total`); null when no value is a number.
                if opt("col").is_some_and(|x| crate::commands::is_true(&x)) {
                    return Err(self.err("`addtotals col=t` is not expressed in SQL yet", span));
                }
                if !opt("row").map(|x| crate::commands::is_true(&x)).unwrap_or(true) {
                    return Ok(r);
                }
                let out = opt("fieldname").unwrap_or_else(|| "Total".into());
                let listed: Vec<String> = str_list(&v, "fields");
                let names: Vec<String> = if listed.is_empty() {
                    r.cols
                        .iter()
                        .map(|c| c.name.clone())
                        .filter(|n| !n.starts_with('_') && *n != out)
                        .collect()
                } else {
                    select_patterns(&r.cols, &listed)
                };
                let mut nums = Vec::new();
                for n in &names {
                    let Some(c) = r.cols.iter().find(|c| &c.name == n) else {
                        continue;
                    };
                    match c.kind {
                        Kind::Multi | Kind::Null => {}
                        Kind::Bool => {
                            return Err(self.err(
                                format!("`addtotals` over the boolean field `{n}` is not expressed in SQL"),
                                span,
                            ))
                        }
                        Kind::Int | Kind::Float => {
                            nums.push(format!("CAST({} AS DOUBLE)", self.id(n)))
                        }
                        Kind::Str => nums.push(format!("TRY_CAST({} AS DOUBLE)", self.id(n))),
                    }
                }
                let e = if nums.is_empty() {
                    "CAST(NULL AS DOUBLE)".to_string()
                } else {
                    let sum = nums
                        .iter()
                        .fold("CAST(0 AS DOUBLE)".to_string(), |acc, x| {
                            format!("({acc} + COALESCE({x}, 0))")
                        });
                    let any: Vec<String> = nums.iter().map(|x| format!("{x} IS NOT NULL")).collect();
                    format!(
                        "(CASE WHEN {} THEN {sum} ELSE CAST(NULL AS DOUBLE) END)",
                        any.join(" OR ")
                    )
                };
                Ok(self.assign(r, &out, Sx::new_pub(e, Kind::Float)))
            }
            "convert" => {
                let fmt = opt("timeformat").unwrap_or_else(|| "%m/%d/%Y %H:%M:%S".into());
                let Some(convs) = v.get("conversions").and_then(|c| c.as_array()) else {
                    return Err(self.err("`convert`: its conversions are not readable here", span));
                };
                let mut r = r;
                for c in convs {
                    let func = c.get("func").and_then(|x| x.as_str()).unwrap_or("");
                    let Some(field) = c.get("field").and_then(|x| x.as_str()) else {
                        continue;
                    };
                    let alias = c.get("alias").and_then(|x| x.as_str());
                    if func != "ctime" {
                        return Err(self.err(
                            format!("`convert {func}()` is not expressed in SQL yet"),
                            span,
                        ));
                    }
                    let names = select_patterns(&r.cols, &[field.to_string()]);
                    for name in names {
                        let col = r.cols.iter().find(|c| c.name == name).cloned();
                        let Some(col) = col else { continue };
                        let ctx = self.ctx(&r.cols);
                        let sx = Sx {
                            sql: self.id(&name),
                            kind: col.kind,
                            lit: None,
                        };
                        if col.kind == Kind::Multi {
                            return Err(self.err(
                                "`convert ctime()` of a multivalue field is not expressed in SQL",
                                span,
                            ));
                        }
                        let text = ctx.to_str(&sx);
                        let num = format!("TRY_CAST(trim({text}) AS DOUBLE)");
                        let Some(fmtd) = self.d.strftime(&num, &fmt) else {
                            return Err(self.err(
                                format!("`convert`: timeformat {fmt:?} is not expressed in SQL"),
                                span,
                            ));
                        };
                        let e = format!("(CASE WHEN {num} IS NULL THEN {text} ELSE {fmtd} END)");
                        let out = alias.map(str::to_string).unwrap_or(name.clone());
                        r = self.assign(r, &out, Sx::new_pub(e, Kind::Str));
                    }
                }
                Ok(r)
            }
            "bin" | "bucket" => {
                let field = v.get("field").and_then(|x| x.as_str()).unwrap_or("");
                let Some(c) = r.cols.iter().find(|c| c.name == field).cloned() else {
                    return Ok(r);
                };
                let Some(span_opt) = opt("span") else {
                    return Err(self.err("`bin` without `span=` is not expressed in SQL", span));
                };
                let secs = crate::frame::aggregate::span_seconds(&span_opt)
                    .filter(|x| *x > 0.0)
                    .ok_or_else(|| self.err(format!("invalid span `{span_opt}`"), span))?;
                if c.kind == Kind::Multi {
                    return Err(self.err("`bin` of a multivalue field is not expressed in SQL", span));
                }
                let out = v
                    .get("alias")
                    .and_then(|x| x.as_str())
                    .unwrap_or(field)
                    .to_string();
                let x = if c.kind.is_num() {
                    format!("CAST({} AS DOUBLE)", self.id(field))
                } else if c.kind == Kind::Str {
                    format!("TRY_CAST({} AS DOUBLE)", self.id(field))
                } else {
                    "CAST(NULL AS DOUBLE)".to_string()
                };
                let e = format!("(floor({x} / {secs:e}) * {secs:e})");
                Ok(self.assign(r, &out, Sx::new_pub(e, Kind::Float)))
            }
            "rex" => self.rex(r, &v, opt("field"), opt("max_match"), opt("mode"), span),
            "fillnull" => {
                let value = opt("value").unwrap_or_else(|| "0".into());
                let number = value.parse::<f64>().ok();
                let listed: Vec<String> = str_list(&v, "fields");
                let fields: Vec<String> = if listed.is_empty() {
                    r.cols.iter().map(|c| c.name.clone()).collect()
                } else {
                    listed
                };
                let mut r = r;
                for name in fields {
                    let col = r.cols.iter().find(|c| c.name == name).cloned();
                    let (e, kind) = match (col, number) {
                        (None, _) => (self.d.str_lit(&value), Kind::Str),
                        (Some(c), _) if c.kind == Kind::Multi => continue,
                        (Some(c), Some(n)) if c.kind.is_num() => (
                            format!(
                                "COALESCE(CAST({} AS DOUBLE), CAST({n:e} AS DOUBLE))",
                                self.id(&name)
                            ),
                            Kind::Float,
                        ),
                        (Some(c), _) => {
                            let t = self
                                .ctx(&r.cols)
                                .to_str(&Sx::new_pub(self.id(&name), c.kind));
                            (
                                format!("COALESCE({t}, {})", self.d.str_lit(&value)),
                                Kind::Str,
                            )
                        }
                    };
                    r = self.assign(r, &name, Sx::new_pub(e, kind));
                }
                Ok(r)
            }
            "regex" => {
                let field = v
                    .get("field")
                    .and_then(|x| x.as_str())
                    .unwrap_or("_raw")
                    .to_string();
                let pattern = v
                    .get("regex")
                    .and_then(|x| x.as_str())
                    .unwrap_or("")
                    .to_string();
                let negate = v.get("negate").and_then(|x| x.as_bool()).unwrap_or(false);
                let pattern = crate::expr::pcre::to_rust(&pattern);
                let p = crate::plan::Predicate::Regex {
                    field,
                    pattern,
                    negate,
                };
                let w = self.ctx(&r.cols).search(&p, span)?;
                let body = format!(
                    "SELECT {}__o FROM {} WHERE {w}",
                    prefix(&self.select_list(&r.cols)),
                    r.name
                );
                Ok(self.cte(body, r.cols))
            }
            _ => Err(self.err(
                format!("`{cmd}` is not expressed in SQL yet (its output depends on the data or its parameters are opaque in the plan)"),
                span,
            )),
        }
    }

    /// `rex`: named groups become fields (the first match, or `max_match` matches as a
    /// multivalue); an existing single-valued field keeps its value where nothing matched.
    fn rex(
        &mut self,
        r: Rel,
        v: &serde_json::Value,
        field: Option<String>,
        max_match: Option<String>,
        mode: Option<String>,
        span: Span,
    ) -> Result<Rel, SqlError> {
        if mode.is_some_and(|m| m.eq_ignore_ascii_case("sed")) {
            return Err(self.err("`rex mode=sed` is not expressed in SQL yet", span));
        }
        let field = field.unwrap_or_else(|| "_raw".into());
        let Some(c) = r.cols.iter().find(|c| c.name == field).cloned() else {
            return Ok(r);
        };
        let raw = v.get("regex").and_then(|x| x.as_str()).unwrap_or("");
        let pat = crate::expr::pcre::to_rust(raw);
        self.ctx(&r.cols).regex_ok(&pat, "rex", span)?;
        let Ok(re) = regex::Regex::new(&pat) else {
            return Err(self.err("`rex`: invalid regular expression", span));
        };
        let max_match: usize = match max_match {
            Some(m) => m
                .parse()
                .map_err(|_| self.err(format!("invalid max_match `{m}`"), span))?,
            None => 1,
        };
        let input = match c.kind {
            Kind::Multi => match self.d {
                Dialect::Duckdb => format!("array_to_string({}, chr(10))", self.id(&field)),
                Dialect::Spark => format!("array_join({}, char(10))", self.id(&field)),
            },
            k => self.ctx(&r.cols).to_str(&Sx::new_pub(self.id(&field), k)),
        };
        let p = self.d.str_lit(&self.d.regex(&pat));
        let found = self.d.regex_find(&input, &pat);
        let mut r = r;
        for (idx, name) in re
            .capture_names()
            .enumerate()
            .filter_map(|(i, n)| n.map(|n| (i, n.to_string())))
        {
            if self.d == Dialect::Duckdb && idx > 9 {
                return Err(self.err(
                    format!(
                        "`rex`: group `{name}` is group {idx}; DuckDB extracts groups 0 to 9 only"
                    ),
                    span,
                ));
            }
            // A group that takes no part in the match is null for polars, '' for SQL.
            let multi = max_match != 1;
            let (e, kind) = if !multi {
                let x = format!(
                    "(CASE WHEN {found} THEN NULLIF(regexp_extract({input}, {p}, {idx}), '') ELSE NULL END)"
                );
                match r.cols.iter().find(|c| c.name == name) {
                    Some(old) if old.kind != Kind::Multi => {
                        let o = self
                            .ctx(&r.cols)
                            .to_str(&Sx::new_pub(self.id(&name), old.kind));
                        (format!("COALESCE({x}, {o})"), Kind::Str)
                    }
                    _ => (x, Kind::Str),
                }
            } else {
                let all = format!("regexp_extract_all({input}, {p}, {idx})");
                let all = if max_match == 0 {
                    all
                } else {
                    match self.d {
                        Dialect::Duckdb => format!("list_slice({all}, 1, {max_match})"),
                        Dialect::Spark => format!("slice({all}, 1, {max_match})"),
                    }
                };
                let l = self.d.list_len(&all);
                (
                    format!("(CASE WHEN {l} = 0 THEN NULL ELSE {all} END)"),
                    Kind::Multi,
                )
            };
            r = self.assign(r, &name, Sx::new_pub(e, kind));
        }
        Ok(r)
    }

    /// stats/tstats.
    fn aggregate(
        &mut self,
        r: Rel,
        aggs: &[AggCall],
        by: &[String],
        nulls: &NullGroups,
        bin: Option<&str>,
        span: Span,
    ) -> Result<Rel, SqlError> {
        let (mut r, aggs) = self.materialize_evals(r, aggs, span)?;
        // BY fields: fill or drop nulls, expand multivalues, bucket _time.
        let mut where_ = Vec::new();
        for f in by {
            match r.cols.iter().find(|c| &c.name == f).cloned() {
                None => {
                    let v = match nulls {
                        NullGroups::Fill(v) => self.d.str_lit(v),
                        NullGroups::Drop => {
                            where_.push("FALSE".to_string());
                            self.null_of(Kind::Str)
                        }
                    };
                    r = self.assign(r, f, Sx::new_pub(v, Kind::Str));
                }
                Some(c) => {
                    if c.kind == Kind::Multi {
                        r = self.explode(r, f, None)?;
                    }
                    let c = r.cols.iter().find(|x| &x.name == f).cloned().unwrap_or(c);
                    match nulls {
                        NullGroups::Fill(v) if !c.kind.is_num() => {
                            let ctx = self.ctx(&r.cols);
                            let t = ctx.to_str(&Sx::new_pub(self.id(f), c.kind));
                            let e = format!("COALESCE({t}, {})", self.d.str_lit(v));
                            r = self.assign(r, f, Sx::new_pub(e, Kind::Str));
                        }
                        _ => where_.push(format!("{} IS NOT NULL", self.id(f))),
                    }
                }
            }
            if f == "_time" {
                if let Some(s) = bin {
                    let secs = crate::frame::aggregate::span_seconds(s)
                        .filter(|x| *x > 0.0)
                        .ok_or_else(|| self.err(format!("invalid span `{s}`"), span))?;
                    let t = self.id("_time");
                    let e = format!("(floor(TRY_CAST({t} AS DOUBLE) / {secs:e}) * {secs:e})");
                    r = self.assign(r, "_time", Sx::new_pub(e, Kind::Float));
                }
            }
        }
        let aggs = expand_wildcards(&aggs, &r.cols, by);
        let mut sel = Vec::new();
        let mut cols = Vec::new();
        for f in by {
            let c = r
                .cols
                .iter()
                .find(|c| &c.name == f)
                .cloned()
                .unwrap_or(Col {
                    name: f.clone(),
                    kind: Kind::Str,
                });
            sel.push(self.id(f));
            cols.push(c);
        }
        for a in &aggs {
            let (e, kind) = self.agg_expr(a, &r.cols, span)?;
            let name = a.output_name();
            sel.push(format!("{e} AS {}", self.id(&name)));
            cols.retain(|c: &Col| c.name != name);
            cols.push(Col { name, kind });
        }
        // Columns in output order (a later aggregate of the same name replaces an earlier one;
        // keep the select list aligned with `cols`).
        let mut seen = std::collections::HashSet::new();
        let mut final_sel = Vec::new();
        for (s, name) in sel.iter().zip(
            by.iter()
                .cloned()
                .chain(aggs.iter().map(|a| a.output_name())),
        ) {
            if seen.insert(name.clone()) {
                final_sel.push(s.clone());
            }
        }
        let w = if where_.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", where_.join(" AND "))
        };
        let body = if by.is_empty() {
            format!(
                "SELECT {}CAST(0 AS BIGINT) AS __o FROM {}{w}",
                prefix(&final_sel),
                r.name
            )
        } else {
            let keys: Vec<String> = by.iter().map(|b| self.id(b)).collect();
            let order: Vec<String> = keys.iter().map(|k| format!("{k} ASC NULLS LAST")).collect();
            format!(
                "SELECT {}row_number() OVER (ORDER BY {}) AS __o FROM {}{w} GROUP BY {}",
                prefix(&final_sel),
                order.join(", "),
                r.name,
                keys.join(", ")
            )
        };
        let mut out_cols: Vec<Col> = Vec::new();
        for c in cols {
            if let Some(p) = out_cols.iter().position(|x| x.name == c.name) {
                out_cols[p] = c;
            } else {
                out_cols.push(c);
            }
        }
        Ok(self.cte(body, out_cols))
    }

    /// `f(eval(expr))`: the expression as a column first (a false condition counts as null).
    fn materialize_evals(
        &mut self,
        mut r: Rel,
        aggs: &[AggCall],
        span: Span,
    ) -> Result<(Rel, Vec<AggCall>), SqlError> {
        let mut out = Vec::new();
        for (k, a) in aggs.iter().enumerate() {
            let Some(AggInput::Eval(expr, _)) = &a.arg else {
                out.push(a.clone());
                continue;
            };
            let tmp = format!("__spelunk_agg_eval_{k}");
            let sx = self.ctx(&r.cols).expr(expr, span)?;
            let sx = if sx.kind == Kind::Bool {
                Sx::new_pub(
                    format!(
                        "(CASE WHEN COALESCE({}, FALSE) THEN TRUE ELSE NULL END)",
                        sx.sql
                    ),
                    Kind::Bool,
                )
            } else {
                sx
            };
            r = self.assign(r, &tmp, sx);
            out.push(AggCall {
                func: a.func.clone(),
                arg: Some(AggInput::Field(tmp)),
                alias: Some(a.output_name()),
                span: a.span,
            });
        }
        Ok((r, out))
    }

    /// One aggregate as SQL, with its kind.
    fn agg_expr(&self, a: &AggCall, cols: &[Col], span: Span) -> Result<(String, Kind), SqlError> {
        let at = if a.span == Span::new(0, 0) {
            span
        } else {
            a.span
        };
        let func = a.func.as_str();
        let field = match &a.arg {
            None => None,
            Some(AggInput::Field(f)) => Some(f.as_str()),
            Some(AggInput::Eval(..)) => None,
        };
        let unsupported = |why: &str| {
            self.err(
                format!(
                    "stats function `{}` is not expressed in SQL{why}",
                    a.output_name()
                ),
                at,
            )
        };
        let col = field.and_then(|f| cols.iter().find(|c| c.name == f));
        if field.is_some() && col.is_none_or(|c| c.kind == Kind::Null) {
            return Ok(match func {
                "count" | "c" | "dc" | "distinct_count" => ("CAST(0 AS BIGINT)".into(), Kind::Int),
                "values" | "list" => (self.null_of(Kind::Multi), Kind::Multi),
                _ => (self.null_of(Kind::Str), Kind::Str),
            });
        }
        let (f, kind) = match col {
            Some(c) => (self.id(&c.name), c.kind),
            None => (String::new(), Kind::Null),
        };
        let d = self.d;
        let ctx = self.ctx(cols);
        let text = |x: &str, k: Kind| ctx.to_str(&Sx::new_pub(x.to_string(), k));
        let is_list = kind == Kind::Multi;
        let num = || {
            if kind.is_num() {
                format!("CAST({f} AS DOUBLE)")
            } else {
                format!("TRY_CAST({f} AS DOUBLE)")
            }
        };
        let no_lists = |r: Result<(String, Kind), SqlError>| {
            if is_list {
                Err(unsupported(" over a multivalue field"))
            } else {
                r
            }
        };
        match (func, field) {
            ("count" | "c", None) => Ok(("CAST(count(*) AS BIGINT)".into(), Kind::Int)),
            ("count" | "c", Some(_)) => Ok(if is_list {
                (
                    format!("CAST(COALESCE(sum({}), 0) AS BIGINT)", d.list_len(&f)),
                    Kind::Int,
                )
            } else {
                (format!("CAST(count({f}) AS BIGINT)"), Kind::Int)
            }),
            ("dc" | "distinct_count", Some(_)) => Ok(if is_list {
                let all = d.flatten(&d.collect(&f, "__o"));
                (
                    format!(
                        "CAST(COALESCE({}, 0) AS BIGINT)",
                        d.list_len(&d.sorted_distinct(&all))
                    ),
                    Kind::Int,
                )
            } else {
                (format!("CAST(count(DISTINCT {f}) AS BIGINT)"), Kind::Int)
            }),
            ("values", Some(_)) => {
                let all = if is_list {
                    d.flatten(&d.collect(&f, "__o"))
                } else {
                    d.collect(&text(&f, kind), "__o")
                };
                Ok((d.sorted_distinct(&all), Kind::Multi))
            }
            ("list", Some(_)) => no_lists({
                let all = d.collect(&text(&f, kind), "__o");
                Ok((
                    match d {
                        Dialect::Duckdb => format!("list_slice({all}, 1, 100)"),
                        Dialect::Spark => format!("slice({all}, 1, 100)"),
                    },
                    Kind::Multi,
                ))
            }),
            ("min" | "max", Some(_)) => no_lists(if kind.is_num() {
                Ok((format!("{func}({f})"), kind))
            } else {
                let n = num();
                Ok((
                    format!(
                        "(CASE WHEN count({n}) = count({f}) THEN {} ELSE {func}({}) END)",
                        scalar::float_text(d, &format!("{func}({n})")),
                        text(&f, kind)
                    ),
                    Kind::Str,
                ))
            }),
            ("sum", Some(_)) => no_lists(Ok((
                format!("COALESCE(sum({}), CAST(0 AS DOUBLE))", num()),
                Kind::Float,
            ))),
            ("avg" | "mean", Some(_)) => no_lists(Ok((format!("avg({})", num()), Kind::Float))),
            ("stdev", Some(_)) => no_lists(Ok((format!("stddev_samp({})", num()), Kind::Float))),
            ("stdevp", Some(_)) => no_lists(Ok((format!("stddev_pop({})", num()), Kind::Float))),
            ("var", Some(_)) => no_lists(Ok((format!("var_samp({})", num()), Kind::Float))),
            ("varp", Some(_)) => no_lists(Ok((format!("var_pop({})", num()), Kind::Float))),
            ("range", Some(_)) => {
                no_lists(Ok((format!("(max({0}) - min({0}))", num()), Kind::Float)))
            }
            ("earliest" | "latest", Some("_time")) => Ok((
                format!("{}({f})", if func == "earliest" { "min" } else { "max" }),
                kind,
            )),
            ("earliest" | "latest", Some(_)) if cols.iter().any(|c| c.name == "_time") => {
                no_lists({
                    let t = self.id("_time");
                    let order = if func == "earliest" {
                        format!("{t} ASC, __o ASC")
                    } else {
                        format!("{t} DESC, __o ASC")
                    };
                    Ok((self.first_by(&f, &order), kind))
                })
            }
            ("first", Some(_)) => no_lists(Ok((self.first_by(&f, "__o ASC"), kind))),
            ("last", Some(_)) => no_lists(Ok((self.first_by(&f, "__o DESC"), kind))),
            ("median", Some(_)) => no_lists(Ok((
                match d {
                    Dialect::Duckdb => format!("quantile_cont({}, 0.5)", num()),
                    Dialect::Spark => format!("percentile({}, 0.5)", num()),
                },
                Kind::Float,
            ))),
            (f, Some(_)) if percentile(f).is_some() => {
                let q = percentile(f).unwrap_or(0.5);
                no_lists(Ok((
                    match d {
                        Dialect::Duckdb => format!("quantile_cont({}, {q})", num()),
                        Dialect::Spark => format!("percentile({}, {q})", num()),
                    },
                    Kind::Float,
                )))
            }
            _ => Err(unsupported("")),
        }
    }

    /// The first non-null value of `f` in an order.
    fn first_by(&self, f: &str, order: &str) -> String {
        match self.d {
            Dialect::Duckdb => {
                format!("first({f} ORDER BY {order}) FILTER (WHERE {f} IS NOT NULL)")
            }
            Dialect::Spark => {
                // An array of (order..., value) structs sorted; its first value.
                let keys: Vec<String> = order
                    .split(',')
                    .enumerate()
                    .map(|(i, k)| {
                        let k = k.trim();
                        let (e, desc) = match k.strip_suffix(" DESC") {
                            Some(e) => (e.to_string(), true),
                            None => (k.trim_end_matches(" ASC").to_string(), false),
                        };
                        if desc {
                            format!("'k{i}', 0 - {e}")
                        } else {
                            format!("'k{i}', {e}")
                        }
                    })
                    .collect();
                format!(
                    "try_element_at(transform(array_sort(collect_list(CASE WHEN {f} IS NOT NULL THEN named_struct({}, 'v', {f}) END)), s -> s.v), 1)",
                    keys.join(", ")
                )
            }
        }
    }

    /// eventstats: the aggregates per group, joined back to every row.
    fn eventstats(
        &mut self,
        r: Rel,
        aggs: &[AggCall],
        by: &[String],
        span: Span,
    ) -> Result<Rel, SqlError> {
        let (r, evaluated) = self.materialize_evals(r, aggs, span)?;
        let aggs_x = expand_wildcards(&evaluated, &r.cols, by);
        if aggs_x.is_empty() || by.iter().any(|b| !r.cols.iter().any(|c| &c.name == b)) {
            return Ok(r);
        }
        for b in by {
            if r.cols.iter().any(|c| &c.name == b && c.kind == Kind::Multi) {
                return Err(self.err(
                    format!(
                        "`eventstats ... by {b}` over a multivalue field is not expressed in SQL"
                    ),
                    span,
                ));
            }
        }
        let mut agg_sel = Vec::new();
        let mut new_cols = Vec::new();
        for a in &aggs_x {
            let (e, kind) = self.agg_expr(a, &r.cols, span)?;
            let name = a.output_name();
            agg_sel.push(format!("{e} AS {}", self.id(&name)));
            new_cols.push(Col { name, kind });
        }
        let keys: Vec<String> = by.iter().map(|b| self.id(b)).collect();
        if by.is_empty() {
            // Broadcast: replaced in place or appended (with_columns).
            let g = self.cte(
                format!("SELECT {} FROM {}", agg_sel.join(", "), r.name),
                new_cols.clone(),
            );
            let mut cols = r.cols.clone();
            let mut sel = Vec::new();
            for c in cols.iter_mut() {
                if let Some(nc) = new_cols.iter().find(|n| n.name == c.name) {
                    sel.push(format!("g.{}", self.id(&nc.name)));
                    c.kind = nc.kind;
                } else {
                    sel.push(format!("b.{}", self.id(&c.name)));
                }
            }
            for nc in &new_cols {
                if !r.cols.iter().any(|c| c.name == nc.name) {
                    sel.push(format!("g.{}", self.id(&nc.name)));
                    cols.push(nc.clone());
                }
            }
            let body = format!(
                "SELECT {}b.__o AS __o FROM {} b CROSS JOIN {} g",
                prefix(&sel),
                r.name,
                g.name
            );
            return Ok(self.cte(body, cols));
        }
        let nn: Vec<String> = keys.iter().map(|k| format!("{k} IS NOT NULL")).collect();
        let g = self.cte(
            format!(
                "SELECT {}, {} FROM {} WHERE {} GROUP BY {}",
                keys.join(", "),
                agg_sel.join(", "),
                r.name,
                nn.join(" AND "),
                keys.join(", ")
            ),
            new_cols.clone(),
        );
        // New values replace fields of the same name (dropped, then appended by the join).
        let names: Vec<String> = aggs
            .iter()
            .map(|a| a.output_name())
            .filter(|n| r.cols.iter().any(|c| &c.name == n) && !by.contains(n))
            .collect();
        let mut cols: Vec<Col> = r
            .cols
            .iter()
            .filter(|c| !names.contains(&c.name))
            .cloned()
            .collect();
        let mut sel: Vec<String> = cols
            .iter()
            .map(|c| format!("b.{}", self.id(&c.name)))
            .collect();
        for nc in &new_cols {
            if cols.iter().any(|c| c.name == nc.name) {
                continue;
            }
            sel.push(format!("g.{}", self.id(&nc.name)));
            cols.push(nc.clone());
        }
        let on: Vec<String> = keys.iter().map(|k| format!("b.{k} = g.{k}")).collect();
        let body = format!(
            "SELECT {}b.__o AS __o FROM {} b LEFT JOIN {} g ON {}",
            prefix(&sel),
            r.name,
            g.name,
            on.join(" AND ")
        );
        Ok(self.cte(body, cols))
    }
}

impl Sx {
    pub fn new_pub(sql: String, kind: Kind) -> Sx {
        Sx {
            sql,
            kind,
            lit: None,
        }
    }
}

/// The names under which the engine sees a chunk's columns (fixed ones first, as written):
/// DuckDB renames a column whose name equals an earlier one but for case to `name_1`, `name_2`.
fn physical_names(d: Dialect, fixed: &[String], cols: &[(String, bool)]) -> Vec<(String, String)> {
    let mut seen: std::collections::HashSet<String> = Default::default();
    let mut out = Vec::new();
    for n in fixed.iter().chain(cols.iter().map(|(n, _)| n)) {
        let mut p = n.clone();
        if d == Dialect::Duckdb {
            let mut k = 1;
            while seen.contains(&p.to_lowercase()) {
                p = format!("{n}_{k}");
                k += 1;
            }
        }
        seen.insert(p.to_lowercase());
        out.push((n.clone(), p));
    }
    out
}

/// A list of strings in a command's plan description (`"fields": [...]`); empty when absent.
fn str_list(v: &serde_json::Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(|f| f.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// `perc95`, `p95`, `exactperc95`, `upperperc95` → 0.95 (as the polars engine reads them).
fn percentile(func: &str) -> Option<f64> {
    let digits = func
        .strip_prefix("exactperc")
        .or_else(|| func.strip_prefix("upperperc"))
        .or_else(|| func.strip_prefix("perc"))
        .or_else(|| func.strip_prefix('p'))?;
    let n: f64 = digits.parse().ok()?;
    (0.0..=100.0).contains(&n).then_some(n / 100.0)
}

/// `a, b, ` (empty for none): a select list followed by more.
fn prefix(v: &[String]) -> String {
    if v.is_empty() {
        String::new()
    } else {
        format!("{}, ", v.join(", "))
    }
}

/// Columns chosen by field patterns, in pattern order, each once (the polars engine's
/// `select_patterns`).
fn select_patterns(cols: &[Col], patterns: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in patterns {
        for c in cols {
            let m = if p.contains('*') {
                wildcard_match(p, &c.name).is_some()
            } else {
                &c.name == p
            };
            if m && !out.contains(&c.name) {
                out.push(c.name.clone());
            }
        }
    }
    out
}

/// Aggregates over wildcard fields, one per matching column (the expansion every backend
/// shares: [`crate::plan::resolve::expand_aggregates`]).
fn expand_wildcards(aggs: &[AggCall], cols: &[Col], by: &[String]) -> Vec<AggCall> {
    let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
    crate::plan::resolve::expand_aggregates(aggs, &names, by)
}

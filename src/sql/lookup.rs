//! `lookup` in SQL: the lookup table inlined as a relation (`VALUES`), joined on the input
//! fields with the definition's match rules, as `src/exec/lookup.rs` runs it.
//!
//! - Matching: the distinct input values of the results are matched against the table
//!   (case-folded unless `case_sensitive_match` is true; `*` patterns in `WILDCARD(...)`
//!   columns as `LIKE`); at most `max_matches` rows, in file order; their non-empty cells become
//!   the output field's values (a multivalue).
//! - `OUTPUT` replaces the output fields of every looked-up result (with nothing when no row
//!   matched); `OUTPUTNEW` fills only fields a result lacks; a result missing an input field is
//!   left as it is.
//! - The polars engine adds an output field the results did not have only when some result
//!   matched; SQL's columns are fixed before any row is read. So a lookup adding fields compiles
//!   only when a later command fixes the columns (`table`/`fields` naming them, `stats`) before
//!   anything enumerates the columns present (wildcards, `fillnull` without fields). Otherwise,
//!   and for scripted lookups, multivalue input fields, `default_match` and tables of more than
//!   [`MAX_INLINE_ROWS`] rows, the compile error names the lookup.

use super::{Builder, Col, Kind, Rel, SqlError};
use crate::diagnostic::Span;
use crate::lookups::LookupSource;
use crate::plan::{AggInput, LookupSpec, Node, Op, ProjectMode};
use std::collections::{HashMap, HashSet};

/// Largest lookup table written into the SQL.
pub const MAX_INLINE_ROWS: usize = 5000;

/// Whether the fields a `lookup` adds can be expressed, from the commands after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle {
    /// A later `table`/`fields` naming fields, or `stats`, fixes the columns first.
    Settled,
    /// Nothing after it enumerates the columns present: the added fields reach the output,
    /// their presence flags in a sentinel row (see [`PRESENT_PREFIX`]) that
    /// [`super::Query::settle`] reads.
    Open,
    /// A later command enumerates the columns present (wildcards, `fillnull` without fields,
    /// `join` on the common fields): not expressed.
    Tainted,
}

/// The column prefix of a lookup-added field's presence flag, set in the query's sentinel row
/// (see [`SENTINEL`]): 1 when the polars engine has the field (some result got a value at the
/// lookup), else 0.
pub const PRESENT_PREFIX: &str = "__spelunk_present__";

/// The column marking the sentinel row (1) a query with presence flags adds after its rows.
pub const SENTINEL: &str = "__spelunk_sentinel__";

/// Each `lookup` node of a plan (by address) and how its added fields settle.
pub fn settled_lookups(root: &Node) -> HashMap<usize, Settle> {
    let mut out = HashMap::new();
    walk(root, Settle::Open, &mut out);
    out
}

fn has_wildcard(patterns: &[String]) -> bool {
    patterns.iter().any(|p| p.contains('*'))
}

fn walk(n: &Node, state: Settle, out: &mut HashMap<usize, Settle>) {
    let below = match &n.op {
        Op::Lookup { .. } => {
            out.insert(n as *const Node as usize, state);
            state
        }
        Op::Aggregate { aggregates, .. } | Op::Window { aggregates, .. } => {
            let wild = aggregates
                .iter()
                .any(|a| matches!(&a.arg, Some(AggInput::Field(f)) if f.contains('*')));
            match (&n.op, wild) {
                (_, true) => Settle::Tainted,
                (Op::Aggregate { .. }, false) => Settle::Settled,
                _ => state,
            }
        }
        Op::Project { patterns, mode, .. } => {
            if matches!(mode, ProjectMode::Table | ProjectMode::Keep) && !has_wildcard(patterns) {
                Settle::Settled
            } else if matches!(mode, ProjectMode::Remove) && !has_wildcard(patterns) {
                // `fields - a b` drops named fields, present or not: nothing is enumerated.
                state
            } else {
                Settle::Tainted
            }
        }
        Op::Rename { pairs, .. } => {
            if pairs
                .iter()
                .any(|(a, b)| a.contains('*') || b.contains('*'))
            {
                Settle::Tainted
            } else {
                state
            }
        }
        Op::Join { fields, .. } if fields.is_empty() => Settle::Tainted,
        // `convert f(x)` of named fields without `AS` changes values in place and creates no
        // field: the added fields' presence is unchanged.
        Op::Opaque { operator, .. }
            if n.command == "convert" && convert_in_place(&operator.describe()) =>
        {
            state
        }
        Op::Opaque { .. } => Settle::Tainted,
        _ => state,
    };
    for i in n.op.inputs() {
        walk(i, below, out);
    }
}

/// Whether a `convert` (its plan description) only converts named fields in place: no
/// wildcard, no `AS` alias.
fn convert_in_place(desc: &str) -> bool {
    let v: serde_json::Value = serde_json::from_str(desc).unwrap_or_default();
    let Some(convs) = v.get("conversions").and_then(|c| c.as_array()) else {
        return false;
    };
    convs.iter().all(|c| {
        c.get("alias").is_none_or(|a| a.is_null())
            && c.get("field")
                .and_then(|f| f.as_str())
                .is_some_and(|f| !f.contains('*'))
    })
}

impl Builder<'_> {
    /// Compile a `lookup` over `r` (see the module documentation).
    pub(super) fn lookup(
        &mut self,
        r: Rel,
        l: &LookupSpec,
        settle: Settle,
        cmd: &str,
        span: Span,
    ) -> Result<Rel, SqlError> {
        let Some(lib) = self.lookups else {
            return Err(self.err(
                format!("`{cmd}` is not expressed in SQL without the lookup definitions"),
                span,
            ));
        };
        let def = lib
            .resolve(&l.name)
            .map_err(|e| self.err(e.message, l.name_span))?;
        if !matches!(
            def.source,
            LookupSource::Csv(_) | LookupSource::KvStore { .. }
        ) {
            return Err(self.err(
                format!(
                    "`{cmd}` of `{}` (a scripted or unreadable lookup) is not expressed in SQL",
                    l.name
                ),
                span,
            ));
        }
        let table = def.table().map_err(|e| self.err(e, l.name_span))?;
        if table.rows.len() > MAX_INLINE_ROWS {
            return Err(self.err(
                format!(
                    "`{cmd}` of `{}` ({} rows) is not expressed in SQL: tables of more than {MAX_INLINE_ROWS} rows are not inlined",
                    l.name,
                    table.rows.len()
                ),
                span,
            ));
        }
        // `default_match`, given when fewer than `min_matches` rows match: expressed for
        // `min_matches` 1 (the value when no row matches).
        let default = def
            .default_match
            .as_ref()
            .filter(|d| !d.is_empty() && def.min_matches > 0);
        if default.is_some() && def.min_matches > 1 {
            return Err(self.err(
                format!(
                    "`{cmd}` of `{}` with `default_match` and `min_matches` {} is not expressed in SQL",
                    l.name, def.min_matches
                ),
                span,
            ));
        }
        let column = |name: &str| {
            table.column(name).ok_or_else(|| {
                self.err(
                    format!(
                        "lookup `{}` has no field `{name}` (its fields: {})",
                        def.name,
                        table.columns.join(", ")
                    ),
                    span,
                )
            })
        };
        // Inputs: (table column, the results' column).
        let mut inputs: Vec<(usize, Col)> = Vec::new();
        for (tcol, field) in &l.inputs {
            let j = column(tcol)?;
            let Some(c) = r.cols.iter().find(|c| &c.name == field) else {
                // No result has the field: none is looked up, nothing changes.
                return Ok(r);
            };
            if c.kind == Kind::Multi {
                return Err(self.err(
                    format!(
                        "`{cmd}` on the multivalue field `{field}` is not expressed in SQL yet"
                    ),
                    span,
                ));
            }
            inputs.push((j, c.clone()));
        }
        let input_names: Vec<&String> = l.inputs.iter().map(|(t, _)| t).collect();
        let outputs: Vec<(usize, String)> = if l.outputs.is_empty() {
            table
                .columns
                .iter()
                .enumerate()
                .filter(|(_, n)| !input_names.contains(n))
                .map(|(j, n)| (j, n.clone()))
                .collect()
        } else {
            let mut v = Vec::new();
            for (tcol, field) in &l.outputs {
                v.push((column(tcol)?, field.clone()));
            }
            v
        };
        let added: Vec<&String> = outputs
            .iter()
            .map(|(_, f)| f)
            .filter(|f| !r.cols.iter().any(|c| &c.name == *f))
            .collect();
        if !added.is_empty() && settle == Settle::Tainted {
            return Err(self.err(
                format!(
                    "`{cmd}` adds `{}` only to results that match, and a later command enumerates the fields present: not expressed in SQL",
                    added.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("`, `")
                ),
                span,
            ));
        }
        let flag_added = settle == Settle::Open;
        let d = self.d;
        // At most one row matches any input values when no input cell is a pattern and the
        // (folded) input cells of the rows are distinct: the outputs are then single values.
        let single = {
            let mut seen = HashSet::new();
            table.rows.iter().all(|row| {
                let key: Vec<String> = inputs
                    .iter()
                    .map(|(j, _)| {
                        let v = row.get(*j).map(String::as_str).unwrap_or("");
                        if def.case_sensitive {
                            v.to_string()
                        } else {
                            v.to_lowercase()
                        }
                    })
                    .collect();
                let wild = inputs
                    .iter()
                    .zip(&key)
                    .any(|((j, _), v)| def.is_wildcard(&table.columns[*j]) && v.contains('*'));
                !wild && seen.insert(key)
            })
        };
        let fold = |s: &str| {
            if def.case_sensitive {
                s.to_string()
            } else {
                s.to_lowercase()
            }
        };
        // The table: __lr (file order), k<i> (folded input cells), p<i> (LIKE pattern of a
        // wildcard cell, else NULL), v<k> (output cells).
        let mut names = vec!["__lr".to_string()];
        for i in 0..inputs.len() {
            names.push(format!("k{i}"));
            names.push(format!("p{i}"));
        }
        for k in 0..outputs.len() {
            names.push(format!("v{k}"));
        }
        let null = format!("CAST(NULL AS {})", d.text_type());
        let rows: Vec<String> = table
            .rows
            .iter()
            .enumerate()
            .map(|(n, row)| {
                let mut cells = vec![format!("CAST({n} AS BIGINT)")];
                for (i, (j, _)) in inputs.iter().enumerate() {
                    let v = fold(row.get(*j).map(String::as_str).unwrap_or(""));
                    let wild = def.is_wildcard(&table.columns[*j]) && v.contains('*');
                    let _ = i;
                    if wild {
                        cells.push(null.clone());
                        cells.push(d.str_lit(&glob_like(&v)));
                    } else {
                        cells.push(d.str_lit(&v));
                        cells.push(null.clone());
                    }
                }
                for (j, _) in &outputs {
                    let v = row.get(*j).map(String::as_str).unwrap_or("");
                    cells.push(d.str_lit(v));
                }
                format!("({})", cells.join(", "))
            })
            .collect();
        let lk = if rows.is_empty() {
            let cols: Vec<String> = names
                .iter()
                .map(|n| {
                    if n == "__lr" {
                        "CAST(NULL AS BIGINT) AS __lr".to_string()
                    } else {
                        format!("{null} AS {n}")
                    }
                })
                .collect();
            self.cte(
                format!("SELECT {} WHERE 1 = 0", cols.join(", ")),
                Vec::new(),
            )
        } else {
            let values = rows.join(",\n  ");
            let body = match d {
                super::Dialect::Duckdb => format!(
                    "SELECT * FROM (VALUES\n  {values}) AS lk({})",
                    names.join(", ")
                ),
                super::Dialect::Spark => format!(
                    "SELECT * FROM VALUES\n  {values} AS lk({})",
                    names.join(", ")
                ),
            };
            self.cte(body, Vec::new())
        };
        // The results' input values, as text, folded.
        let key = |b: &Self, c: &Col, alias: &str| -> String {
            let s = b.ctx(&r.cols).to_str(&super::Sx::new_pub(
                format!("{alias}.{}", b.id(&c.name)),
                c.kind,
            ));
            if def.case_sensitive {
                s
            } else {
                format!("lower({s})")
            }
        };
        let present: Vec<String> = inputs
            .iter()
            .map(|(_, c)| format!("a.{} IS NOT NULL", self.id(&c.name)))
            .collect();
        let keys: Vec<String> = inputs
            .iter()
            .enumerate()
            .map(|(i, (_, c))| format!("{} AS k{i}", key(self, c, "a")))
            .collect();
        let tk = self.cte(
            format!(
                "SELECT DISTINCT {} FROM {} a WHERE {}",
                keys.join(", "),
                r.name,
                present.join(" AND ")
            ),
            Vec::new(),
        );
        let on: Vec<String> = (0..inputs.len())
            .map(|i| {
                let like = match d {
                    super::Dialect::Duckdb => format!("k.k{i} LIKE lk.p{i} ESCAPE '\\'"),
                    super::Dialect::Spark => format!("k.k{i} LIKE lk.p{i}"),
                };
                format!(
                    "((lk.p{i} IS NULL AND lk.k{i} = k.k{i}) OR (lk.p{i} IS NOT NULL AND {like}))"
                )
            })
            .collect();
        let kcols: Vec<String> = (0..inputs.len()).map(|i| format!("k.k{i}")).collect();
        let vcols: Vec<String> = (0..outputs.len()).map(|k| format!("lk.v{k}")).collect();
        let max = def.max_matches.max(1);
        let tm = self.cte(
            format!(
                "SELECT * FROM (SELECT {}, lk.__lr, {}, row_number() OVER (PARTITION BY {} ORDER BY lk.__lr) AS __n FROM {} k JOIN {} lk ON {}) WHERE __n <= {max}",
                kcols.join(", "),
                vcols.join(", "),
                kcols.join(", "),
                tk.name,
                lk.name,
                on.join(" AND ")
            ),
            Vec::new(),
        );
        let knames: Vec<String> = (0..inputs.len()).map(|i| format!("k{i}")).collect();
        let aggs: Vec<String> = (0..outputs.len())
            .map(|k| {
                if single {
                    format!("max(CASE WHEN v{k} <> '' THEN v{k} END) AS o{k}")
                } else {
                    format!("{} AS o{k}", collect_nonempty(d, &format!("v{k}"), "__lr"))
                }
            })
            .collect();
        let tc = self.cte(
            format!(
                "SELECT {}, {} FROM {} GROUP BY {}",
                knames.join(", "),
                aggs.join(", "),
                tm.name,
                knames.join(", ")
            ),
            Vec::new(),
        );
        // Back onto the results.
        let looked = present.join(" AND ");
        let out_kind = if single { Kind::Str } else { Kind::Multi };
        // A result no row matched gets `default_match` (c.k0 is null: no row of tc joined).
        let value = |k: usize| match default {
            None => format!("c.o{k}"),
            Some(dv) => {
                let lit = if single {
                    d.str_lit(dv)
                } else {
                    d.one_list(&d.str_lit(dv))
                };
                format!("(CASE WHEN c.k0 IS NULL THEN {lit} ELSE c.o{k} END)")
            }
        };
        let mut cols = r.cols.clone();
        let mut sel: Vec<String> = Vec::new();
        let out_of = |name: &str| outputs.iter().position(|(_, f)| f == name);
        for c in cols.iter_mut() {
            let id = self.id(&c.name);
            match out_of(&c.name) {
                None => sel.push(format!("a.{id} AS {id}")),
                Some(k) => {
                    let kind = if out_kind == Kind::Str && c.kind == Kind::Str {
                        Kind::Str
                    } else {
                        Kind::Multi
                    };
                    let oldx = super::Sx::new_pub(format!("a.{id}"), c.kind);
                    let newx = super::Sx::new_pub(value(k), out_kind);
                    let cx = self.ctx(&r.cols);
                    let (old, new) = if kind == Kind::Str {
                        (cx.to_str(&oldx), newx.sql.clone())
                    } else {
                        (cx.to_multi(&oldx), cx.to_multi(&newx))
                    };
                    let e = if l.output_new {
                        format!("(CASE WHEN {looked} AND a.{id} IS NULL THEN {new} ELSE {old} END)")
                    } else {
                        format!("(CASE WHEN {looked} THEN {new} ELSE {old} END)")
                    };
                    sel.push(format!("{e} AS {id}"));
                    c.kind = kind;
                }
            }
        }
        for (k, (_, f)) in outputs.iter().enumerate() {
            if cols.iter().any(|c| &c.name == f) {
                continue;
            }
            let id = self.id(f);
            sel.push(format!(
                "(CASE WHEN {looked} THEN {} END) AS {id}",
                value(k)
            ));
            cols.push(Col {
                name: f.clone(),
                kind: out_kind,
            });
        }
        let join_on: Vec<String> = inputs
            .iter()
            .enumerate()
            .map(|(i, (_, c))| format!("{} = c.k{i}", key(self, c, "a")))
            .collect();
        let body = format!(
            "SELECT {}, a.__o AS __o FROM {} a LEFT JOIN {} c ON {}",
            sel.join(", "),
            r.name,
            tc.name,
            join_on.join(" AND ")
        );
        let out = self.cte(body, cols);
        if flag_added {
            for f in &added {
                self.presence.push(((*f).clone(), out.name.clone()));
            }
        }
        Ok(out)
    }
}

/// A lookup cell's `*` pattern as a LIKE pattern (escape `\`); the cell is already folded.
fn glob_like(v: &str) -> String {
    let mut out = String::new();
    for ch in v.chars() {
        match ch {
            '*' => out.push('%'),
            '%' | '_' | '\\' => {
                out.push('\\');
                out.push(ch);
            }
            _ => out.push(ch),
        }
    }
    out
}

/// The non-empty values of `x` in `order` as a list (NULL when there are none).
fn collect_nonempty(d: super::Dialect, x: &str, order: &str) -> String {
    match d {
        super::Dialect::Duckdb => {
            format!("list({x} ORDER BY {order}) FILTER (WHERE {x} IS NOT NULL AND {x} <> '')")
        }
        super::Dialect::Spark => {
            let l = format!(
                "filter(transform(array_sort(collect_list(named_struct('o', {order}, 'v', {x}))), s -> s.v), v -> v IS NOT NULL AND v <> '')"
            );
            format!("(CASE WHEN size({l}) = 0 THEN NULL ELSE {l} END)")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_cells_become_like_patterns() {
        assert_eq!(glob_like("*\\temp\\*.exe"), "%\\\\temp\\\\%.exe");
        assert_eq!(glob_like("a_b%"), "a\\_b\\%");
    }

    #[test]
    fn lookups_settle_under_table_and_stats_only() {
        let lib = crate::macros::MacroLibrary::default();
        let settle = |spl: &str| {
            let (_, plan) = crate::plan_search(spl, &lib).unwrap();
            settled_lookups(&plan.root).into_values().next().unwrap()
        };
        let s = "| makeresults | lookup l a";
        assert_eq!(settle(&format!("{s} | table a b")), Settle::Settled);
        assert_eq!(settle(&format!("{s} | stats count by b")), Settle::Settled);
        assert_eq!(settle(&format!("{s} | where b=1")), Settle::Open);
        assert_eq!(settle(&format!("{s} | table *")), Settle::Tainted);
        assert_eq!(
            settle(&format!("{s} | fillnull | table a b")),
            Settle::Tainted
        );
    }
}

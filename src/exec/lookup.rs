//! `lookup`: enrich results from a lookup table.

use crate::diagnostic::Diagnostic;
use crate::frame::values_at;
use crate::lookups::LookupIndex;
use crate::plan::operator::At;
use crate::plan::LookupSpec;
use crate::runtime::Context;
use polars::prelude::{Column, IntoColumn, IntoLazy, LazyFrame, ListChunked, NamedFrom, Series};
use std::collections::HashMap;

/// At most this many value combinations are looked up for one result (several multivalue
/// input fields multiply).
const MAX_COMBINATIONS: usize = 10_000;

/// A scripted lookup: each output computed from the (first) value of the single input field.
fn external(
    lf: LazyFrame,
    l: &LookupSpec,
    function: crate::lookups::ExternalLookup,
    fields: &[String],
    c: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let [input] = l.inputs.as_slice() else {
        return Err(ctx.error(
            format!("lookup `{}` takes exactly one input field", l.name),
            c.span,
        ));
    };
    // The script's outputs: the fields after its input in `fields_list`.
    let produced: Vec<&String> = fields.iter().filter(|f| **f != input.0).collect();
    let outputs: Vec<(String, String)> = if l.outputs.is_empty() {
        produced
            .iter()
            .map(|f| (f.to_string(), f.to_string()))
            .collect()
    } else {
        let mut v = Vec::new();
        for o in &l.outputs {
            if !produced.contains(&&o.0) {
                return Err(ctx.error(
                    format!(
                        "lookup `{}` has no output `{}` (it gives: {})",
                        l.name,
                        o.0,
                        produced
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    c.span,
                ));
            }
            v.push(o.clone());
        }
        v
    };
    let df = lf
        .collect()
        .map_err(|e| ctx.polars_error("lookup", c.span, e))?;
    let n = df.height();
    let src = df.column(&input.1).ok();
    let computed: Vec<Option<String>> = (0..n)
        .map(|i| {
            src.and_then(|col| values_at(col, i).into_iter().next())
                .and_then(|v| function.compute(&v))
        })
        .collect();
    let mut df = df;
    for (_, event_field) in outputs {
        let existing = df.column(&event_field).ok();
        let values: Vec<Option<String>> = (0..n)
            .map(|i| {
                let old = existing.and_then(|col| values_at(col, i).into_iter().next());
                if l.output_new && old.is_some() {
                    // OUTPUTNEW: only where the field has no value yet.
                    old
                } else {
                    computed[i].clone()
                }
            })
            .collect();
        let column = Column::new(event_field.as_str().into(), values);
        df.with_column(column)
            .map_err(|e| ctx.polars_error("lookup", c.span, e))?;
    }
    Ok(df.lazy())
}

/// Every combination of one value per input field, in order (the first field varies slowest).
fn combinations(values: &[Vec<String>]) -> Vec<Vec<&str>> {
    let mut out: Vec<Vec<&str>> = vec![Vec::new()];
    for vs in values {
        let mut next = Vec::new();
        'outer: for prefix in &out {
            for v in vs {
                if next.len() >= MAX_COMBINATIONS {
                    break 'outer;
                }
                let mut p = prefix.clone();
                p.push(v.as_str());
                next.push(p);
            }
        }
        out = next;
    }
    out
}

/// Values as a column: String when every result has at most one value, else List(String).
/// No value is null.
fn to_column(name: &str, vals: &[Vec<String>]) -> Column {
    if vals.iter().any(|v| v.len() > 1) {
        let ca: ListChunked = vals
            .iter()
            .map(|v| (!v.is_empty()).then(|| Series::new("".into(), v.as_slice())))
            .collect();
        crate::frame::text_list(ca)
            .with_name(name.into())
            .into_column()
    } else {
        let v: Vec<Option<&str>> = vals.iter().map(|v| v.first().map(String::as_str)).collect();
        Column::new(name.into(), v)
    }
}

/// Run `lookup`: for every result whose input fields all have a value, find the table rows
/// matching them and copy their output fields into the result.
///
/// - Matching: exact, or `*` patterns in the table's `WILDCARD(field)` columns; case-sensitive
///   unless the definition says `case_sensitive_match: false` (Splunk's default is true). All input
///   fields must match. A multivalue input is looked up value by value.
/// - Several matching rows (up to `max_matches`, default 100, in file order): the output fields
///   become multivalue, one value per matching row (empty cells skipped), in input-value order
///   then file order. Fewer than `min_matches` rows: `default_match` fills in.
/// - `OUTPUT` replaces the output fields of every looked-up result, including with nothing when
///   no row matches (the field is removed); `OUTPUTNEW` only fills fields the result lacks.
/// - A result missing an input field is left unchanged (no lookup is made).
/// - No `OUTPUT` clause: every table field that is not an input field is output.
pub(crate) fn lookup(
    lf: LazyFrame,
    l: &LookupSpec,
    c: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    if let Ok(def) = ctx.lookups.resolve(&l.name) {
        if let crate::lookups::LookupSource::External { function, fields } = &def.source {
            return external(lf, l, *function, fields, c, ctx);
        }
    }
    let span = l.name_span;
    let (def, table) = ctx.open_lookup(&l.name, span)?;
    let input_fields: Vec<String> = l.inputs.iter().map(|f| f.0.clone()).collect();
    let index = LookupIndex::build(&def, &table, &input_fields).map_err(|e| ctx.error(e, span))?;
    let outputs: Vec<(usize, String)> = if l.outputs.is_empty() {
        table
            .columns
            .iter()
            .enumerate()
            .filter(|(_, n)| !input_fields.contains(n))
            .map(|(j, n)| (j, n.clone()))
            .collect()
    } else {
        let mut v = Vec::new();
        for o in &l.outputs {
            let j = table.column(&o.0).ok_or_else(|| {
                ctx.error(
                    format!(
                        "lookup `{}` has no field `{}` (its fields: {})",
                        def.name,
                        o.0,
                        table.columns.join(", ")
                    ),
                    c.span,
                )
            })?;
            v.push((j, o.1.clone()));
        }
        v
    };
    let df = lf
        .collect()
        .map_err(|e| ctx.polars_error("lookup", c.span, e))?;
    let n = df.height();
    let input_cols: Vec<Option<&Column>> = l.inputs.iter().map(|f| df.column(&f.1).ok()).collect();
    let default = def.default_match.as_ref().filter(|d| !d.is_empty());
    let mut memo: HashMap<Vec<String>, Vec<usize>> = HashMap::new();
    // Per result: None when not looked up, else the new values of each output field.
    let mut found: Vec<Option<Vec<Vec<String>>>> = Vec::with_capacity(n);
    for i in 0..n {
        let values: Vec<Vec<String>> = input_cols
            .iter()
            .map(|c| c.map(|c| values_at(c, i)).unwrap_or_default())
            .collect();
        if values.iter().any(|v| v.is_empty()) {
            found.push(None);
            continue;
        }
        let mut out = vec![Vec::new(); outputs.len()];
        for combo in combinations(&values) {
            let key: Vec<String> = combo.iter().map(|s| s.to_string()).collect();
            let rows = memo.entry(key).or_insert_with(|| index.matches(&combo));
            for (k, (j, _)) in outputs.iter().enumerate() {
                for &r in rows.iter() {
                    if let Some(cell) = table.rows.get(r).and_then(|row| row.get(*j)) {
                        if !cell.is_empty() {
                            out[k].push(cell.clone());
                        }
                    }
                }
                if let Some(d) = default {
                    for _ in rows.len()..def.min_matches {
                        out[k].push(d.clone());
                    }
                }
            }
        }
        found.push(Some(out));
    }
    let mut columns = Vec::new();
    for (k, (_, name)) in outputs.iter().enumerate() {
        let existing = df.column(name).ok();
        let mut changed = false;
        let vals: Vec<Vec<String>> = (0..n)
            .map(|i| {
                let old = || existing.map(|c| values_at(c, i)).unwrap_or_default();
                match &found[i] {
                    None => old(),
                    Some(out) if !l.output_new => {
                        changed = true;
                        out[k].clone()
                    }
                    Some(out) => {
                        let o = old();
                        if o.is_empty() && !out[k].is_empty() {
                            changed = true;
                            out[k].clone()
                        } else {
                            o
                        }
                    }
                }
            })
            .collect();
        let all_empty = vals.iter().all(Vec::is_empty);
        if changed && !(existing.is_none() && all_empty) {
            columns.push(to_column(name, &vals));
        }
    }
    let mut df = df;
    for col in columns {
        df.with_column(col)
            .map_err(|e| ctx.polars_error("lookup", c.span, e))?;
    }
    Ok(df.lazy())
}

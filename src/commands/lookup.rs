//! `lookup`: enrich results from a lookup table: match on input fields, then `OUTPUT`
//! (overwrite) or `OUTPUTNEW` (fill only missing) output fields.

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// `field [AS local_field]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LookupField {
    /// The column in the lookup table.
    pub lookup_field: String,
    /// The field in the results (same as `lookup_field` when no `AS`).
    pub event_field: String,
}

/// `OUTPUT` or `OUTPUTNEW`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum OutputMode {
    Output,
    OutputNew,
}

/// A `lookup` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lookup {
    pub options: Vec<Opt>,
    pub name: String,
    pub inputs: Vec<LookupField>,
    pub mode: OutputMode,
    /// Empty: every column of the table that is not an input.
    pub outputs: Vec<LookupField>,
}

fn lookup_field(p: &Pair<'_, Rule>) -> LookupField {
    let names: Vec<String> = p
        .clone()
        .into_inner()
        .filter(|c| c.as_rule() == Rule::field)
        .map(|f| field(&f))
        .collect();
    let lookup_field = names.first().cloned().unwrap_or_default();
    let event_field = names
        .get(1)
        .cloned()
        .unwrap_or_else(|| lookup_field.clone());
    LookupField {
        lookup_field,
        event_field,
    }
}

impl Lookup {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Lookup> {
        let parts = Parts::of(p)?;
        let mut inputs = Vec::new();
        let mut outputs = Vec::new();
        let mut mode = OutputMode::Output;
        for c in &parts.rest {
            match c.as_rule() {
                Rule::lookup_field => inputs.push(lookup_field(c)),
                Rule::lookup_output => {
                    for o in c.clone().into_inner() {
                        match o.as_rule() {
                            Rule::kw_outputnew => mode = OutputMode::OutputNew,
                            Rule::kw_output => mode = OutputMode::Output,
                            _ => outputs.push(lookup_field(&o)),
                        }
                    }
                }
                _ => return Err(unexpected(c)),
            }
        }
        Ok(Lookup {
            name: parts.first_field(p)?,
            options: parts.options,
            inputs,
            mode,
            outputs,
        })
    }
}

use crate::diagnostic::{Diagnostic, Span};
use crate::exec::{values_at, Context};
use crate::lookups::{LookupDef, LookupIndex, LookupTable};
use polars::prelude::{Column, IntoColumn, IntoLazy, LazyFrame, ListChunked, NamedFrom, Series};
use std::collections::HashMap;
use std::sync::Arc;

/// At most this many value combinations are looked up for one result (several multivalue
/// input fields multiply).
const MAX_COMBINATIONS: usize = 10_000;

/// The span of a lookup's name inside its command (the command's span when not found).
pub(crate) fn name_span(name: &str, c: &Command, ctx: &Context) -> Span {
    let start = c.span.start + c.name.len();
    ctx.text
        .get(start..c.span.end.max(start))
        .and_then(|t| t.find(name))
        .map(|i| Span::new(start + i, start + i + name.len()))
        .unwrap_or(c.span)
}

/// Find a lookup by the name a search uses and read its table, with errors positioned at the
/// name.
pub(crate) fn open_table(
    name: &str,
    c: &Command,
    ctx: &Context,
) -> Result<(Arc<LookupDef>, Arc<LookupTable>), Diagnostic> {
    let span = name_span(name, c, ctx);
    let def = ctx.lookups.resolve(name).map_err(|d| {
        let mut e = ctx.error(d.message, span);
        e.notes = d.notes;
        e
    })?;
    let table = def.table().map_err(|e| ctx.error(e, span))?;
    Ok((def.clone(), table))
}

/// A scripted lookup: each output computed from the (first) value of the single input field.
fn external(
    lf: LazyFrame,
    l: &Lookup,
    function: crate::lookups::ExternalLookup,
    fields: &[String],
    c: &Command,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let [input] = l.inputs.as_slice() else {
        return Err(ctx.error(
            format!("lookup `{}` takes exactly one input field", l.name),
            c.span,
        ));
    };
    // The script's outputs: the fields after its input in `fields_list`.
    let produced: Vec<&String> = fields
        .iter()
        .filter(|f| **f != input.lookup_field)
        .collect();
    let outputs: Vec<(String, String)> = if l.outputs.is_empty() {
        produced
            .iter()
            .map(|f| (f.to_string(), f.to_string()))
            .collect()
    } else {
        let mut v = Vec::new();
        for o in &l.outputs {
            if !produced.contains(&&o.lookup_field) {
                return Err(ctx.error(
                    format!(
                        "lookup `{}` has no output `{}` (it gives: {})",
                        l.name,
                        o.lookup_field,
                        produced
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    c.span,
                ));
            }
            v.push((o.lookup_field.clone(), o.event_field.clone()));
        }
        v
    };
    let df = lf
        .collect()
        .map_err(|e| ctx.polars_error("lookup", c.span, e))?;
    let n = df.height();
    let src = df.column(&input.event_field).ok();
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
                match l.mode {
                    // OUTPUTNEW: only where the field has no value yet.
                    OutputMode::OutputNew if old.is_some() => old,
                    _ => computed[i].clone(),
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
        crate::exec::text_list(ca)
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
pub(crate) fn execute(
    lf: LazyFrame,
    l: &Lookup,
    c: &Command,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    if let Ok(def) = ctx.lookups.resolve(&l.name) {
        if let crate::lookups::LookupSource::External { function, fields } = &def.source {
            return external(lf, l, *function, fields, c, ctx);
        }
    }
    let (def, table) = open_table(&l.name, c, ctx)?;
    let span = name_span(&l.name, c, ctx);
    let input_fields: Vec<String> = l.inputs.iter().map(|f| f.lookup_field.clone()).collect();
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
            let j = table.column(&o.lookup_field).ok_or_else(|| {
                ctx.error(
                    format!(
                        "lookup `{}` has no field `{}` (its fields: {})",
                        def.name,
                        o.lookup_field,
                        table.columns.join(", ")
                    ),
                    c.span,
                )
            })?;
            v.push((j, o.event_field.clone()));
        }
        v
    };
    let df = lf
        .collect()
        .map_err(|e| ctx.polars_error("lookup", c.span, e))?;
    let n = df.height();
    let input_cols: Vec<Option<&Column>> = l
        .inputs
        .iter()
        .map(|f| df.column(&f.event_field).ok())
        .collect();
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
                    Some(out) => match l.mode {
                        OutputMode::Output => {
                            changed = true;
                            out[k].clone()
                        }
                        OutputMode::OutputNew => {
                            let o = old();
                            if o.is_empty() && !out[k].is_empty() {
                                changed = true;
                                out[k].clone()
                            } else {
                                o
                            }
                        }
                    },
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

#[cfg(test)]
mod exec_tests {
    use crate::exec::testing::{run_with_lookups, try_run_with_lookups};
    use polars::prelude::*;

    fn strs(df: &DataFrame, name: &str) -> Vec<Option<String>> {
        let c = df.column(name).unwrap();
        (0..df.height())
            .map(|i| {
                let v = crate::exec::values_at(c, i);
                (!v.is_empty()).then(|| v.join("|"))
            })
            .collect()
    }

    fn procs() -> DataFrame {
        df!("process_name" => [Some("cmd.exe"), Some("CMD.EXE"), Some("evil.exe"), None]).unwrap()
    }

    #[test]
    fn scripted_shannon_entropy_lookup() {
        let df = df!("w" => [Some("aabb"), Some("abcdefgh"), None], "e" => [Some("9"), None, None])
            .unwrap();
        let out = run_with_lookups(df.clone(), "| lookup ut_shannon_lookup word as w");
        assert_eq!(
            strs(&out, "ut_shannon"),
            [Some("1".into()), Some("3".into()), None]
        );
        // OUTPUTNEW keeps a value already there.
        let out = run_with_lookups(
            df,
            "| lookup ut_shannon_lookup word as w OUTPUTNEW ut_shannon as e",
        );
        assert_eq!(strs(&out, "e"), [Some("9".into()), Some("3".into()), None]);
    }

    #[test]
    fn exact_case_sensitive_and_insensitive() {
        // files_cs: case_sensitive_match true (the default); files_ci: false.
        let out = run_with_lookups(
            procs(),
            "| lookup files_cs file AS process_name OUTPUT kind",
        );
        assert_eq!(
            strs(&out, "kind"),
            vec![Some("system".into()), None, None, None]
        );
        let out = run_with_lookups(
            procs(),
            "| lookup files_ci file AS process_name OUTPUT kind",
        );
        assert_eq!(
            strs(&out, "kind"),
            vec![Some("system".into()), Some("system".into()), None, None]
        );
    }

    #[test]
    fn default_match_when_fewer_than_min_matches() {
        // files_default: min_matches 1, default_match false (security_content's convention).
        let out = run_with_lookups(
            procs(),
            "| lookup files_default file AS process_name OUTPUT kind",
        );
        assert_eq!(
            strs(&out, "kind"),
            vec![
                Some("system".into()),
                Some("system".into()),
                Some("false".into()),
                None // no input value: no lookup, so no default either
            ]
        );
    }

    #[test]
    fn wildcard_match_in_file_order_with_max_matches() {
        let df =
            df!("url" => ["https://AnyDesk.com/download", "tool.teamviewer.com", "example.org"])
                .unwrap();
        // remote: WILDCARD(domain), case-insensitive, max_matches 1.
        let out = run_with_lookups(df.clone(), "| lookup remote domain AS url OUTPUT tool");
        assert_eq!(
            strs(&out, "tool"),
            vec![
                Some("anydesk".into()),
                Some("teamviewer".into()),
                Some("generic".into())
            ]
        );
        // remote_all: same table, default max_matches: both matching rows, file order.
        let out = run_with_lookups(df, "| lookup remote_all domain AS url OUTPUT tool");
        assert_eq!(
            strs(&out, "tool"),
            vec![
                Some("anydesk|generic".into()),
                Some("teamviewer|generic".into()),
                Some("generic".into())
            ]
        );
    }

    #[test]
    fn output_overwrites_outputnew_fills() {
        let df = df!(
            "process_name" => ["cmd.exe", "evil.exe", "cmd.exe"],
            "kind" => [Some("old"), Some("old"), None]
        )
        .unwrap();
        // OUTPUT: every looked-up result gets the table's value, or loses the field on no match.
        let out = run_with_lookups(
            df.clone(),
            "| lookup files_cs file AS process_name OUTPUT kind",
        );
        assert_eq!(
            strs(&out, "kind"),
            vec![Some("system".into()), None, Some("system".into())]
        );
        // OUTPUTNEW: existing values stay; only the missing one is filled.
        let out = run_with_lookups(df, "| lookup files_cs file AS process_name OUTPUTNEW kind");
        assert_eq!(
            strs(&out, "kind"),
            vec![
                Some("old".into()),
                Some("old".into()),
                Some("system".into())
            ]
        );
    }

    #[test]
    fn as_renames_and_no_output_clause() {
        let df = df!("p" => ["cmd.exe"]).unwrap();
        let out = run_with_lookups(
            df.clone(),
            "| lookup update=true files_cs file AS p OUTPUT kind AS k, note AS n",
        );
        assert_eq!(strs(&out, "k"), vec![Some("system".into())]);
        assert_eq!(strs(&out, "n"), vec![Some("shell".into())]);
        assert!(out.column("kind").is_err());
        // No OUTPUT clause: every non-input column of the table, under its own name.
        let out = run_with_lookups(df, "| lookup files_cs file AS p");
        assert_eq!(strs(&out, "kind"), vec![Some("system".into())]);
        assert_eq!(strs(&out, "note"), vec![Some("shell".into())]);
        assert!(out.column("file").is_err());
    }

    #[test]
    fn multivalue_input_matches_each_value_in_order() {
        let mv: ListChunked = [
            Some(Series::new(
                "".into(),
                ["evil.exe", "powershell.exe", "cmd.exe"],
            )),
            Some(Series::new("".into(), ["nope.exe"])),
        ]
        .into_iter()
        .collect();
        let df = DataFrame::new_infer_height(vec![mv.with_name("p".into()).into_column()]).unwrap();
        let out = run_with_lookups(df, "| lookup files_cs file AS p OUTPUT kind");
        assert_eq!(strs(&out, "kind"), vec![Some("system|system".into()), None]);
        assert!(matches!(
            out.column("kind").unwrap().dtype(),
            DataType::List(_)
        ));
    }

    #[test]
    fn several_input_fields_must_all_match() {
        let df = df!("a" => ["x", "x"], "b" => ["1", "2"]).unwrap();
        let out = run_with_lookups(df, "| lookup pairs a, b OUTPUT v");
        assert_eq!(strs(&out, "v"), vec![Some("x1".into()), None]);
    }

    #[test]
    fn numbers_match_as_splunk_prints_them() {
        let df = df!("EventCode" => [8003.0f64, 1.5]).unwrap();
        let out = run_with_lookups(df, "| lookup codes code AS EventCode OUTPUT meaning");
        assert_eq!(strs(&out, "meaning"), vec![Some("blocked".into()), None]);
    }

    #[test]
    fn unknown_lookup_is_an_error_at_its_name() {
        let spl = "| lookup files_cx file AS process_name OUTPUT kind";
        let e = try_run_with_lookups(procs(), spl).unwrap_err();
        assert!(e.message.contains("unknown lookup `files_cx`"), "{e}");
        assert_eq!(e.span.map(|s| &spl[s.start..s.end]), Some("files_cx"));
        assert!(e.notes.iter().any(|n| n.contains("`files_cs`")), "{e}");
    }

    #[test]
    fn unreadable_file_and_missing_field_are_errors() {
        let e = try_run_with_lookups(procs(), "| lookup missing_file a OUTPUT b").unwrap_err();
        assert!(e.message.contains("missing_file"), "{e}");
        assert!(e.message.contains("does_not_exist.csv"), "{e}");
        let e = try_run_with_lookups(procs(), "| lookup lfs_pointer a OUTPUT b").unwrap_err();
        assert!(e.message.contains("Git LFS"), "{e}");
        let e = try_run_with_lookups(
            procs(),
            "| lookup files_cs nofield AS process_name OUTPUT kind",
        )
        .unwrap_err();
        assert!(e.message.contains("no field `nofield`"), "{e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn inputs_outputs_and_mode() {
        let c = parse_command("| lookup update=true remote_access_software remote_domain AS url_domain OUTPUTNEW isutility, description as signature");
        let CommandKind::Lookup(l) = c.kind else {
            panic!()
        };
        assert_eq!(l.name, "remote_access_software");
        assert_eq!(l.options.get_opt("update"), Some("true"));
        assert_eq!(
            l.inputs,
            vec![LookupField {
                lookup_field: "remote_domain".into(),
                event_field: "url_domain".into()
            }]
        );
        assert_eq!(l.mode, OutputMode::OutputNew);
        assert_eq!(
            l.outputs[1],
            LookupField {
                lookup_field: "description".into(),
                event_field: "signature".into()
            }
        );
    }

    #[test]
    fn no_output_clause() {
        let CommandKind::Lookup(l) =
            parse_command("| lookup ut_shannon_lookup word as Task_Name").kind
        else {
            panic!()
        };
        assert!(l.outputs.is_empty());
        assert_eq!(l.inputs[0].event_field, "Task_Name");
    }
}

//! `dedup`: keep the first result for each combination of field values (rows with a null key are
//! dropped unless `keepempty=true`).

#[allow(unused_imports)]
use super::parts::Parts;
use super::sort::{sort_key, SortKey};
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `dedup` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dedup {
    /// Keep this many results per key (default 1).
    pub count: Option<u64>,
    pub options: Vec<Opt>,
    pub fields: Vec<String>,
    pub sortby: Vec<SortKey>,
}

impl Dedup {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Dedup> {
        let parts = Parts::of(p)?;
        let mut sortby = Vec::new();
        for c in &parts.rest {
            match c.as_rule() {
                Rule::dedup_sortby => {
                    for k in c.clone().into_inner() {
                        sortby.push(sort_key(&k)?);
                    }
                }
                _ => return Err(unexpected(c)),
            }
        }
        Ok(Dedup {
            count: parts.count,
            options: parts.options,
            fields: parts.fields,
            sortby,
        })
    }
}

use super::table::select_patterns;
use crate::diagnostic::Diagnostic;
#[allow(unused_imports)]
use crate::exec::{schema_of, Context};
#[allow(unused_imports)]
use crate::syntax::ast::Command;
#[allow(unused_imports)]
use polars::prelude::{
    col, lit, DataType, LazyFrame, SortMultipleOptions, UniqueKeepStrategy, NULL,
};

/// Run `dedup`: the first result per combination of values; results with a null key field are
/// dropped unless `keepempty=true`.
pub(crate) fn execute(
    mut lf: LazyFrame,
    d: &Dedup,
    c: &Command,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    if d.count.unwrap_or(1) != 1 {
        return Err(ctx.error("`dedup N` with N > 1 is not supported yet", c.span));
    }
    if matches!(d.options.get_opt("consecutive"), Some("true" | "t" | "1")) {
        return Err(ctx.error("`dedup consecutive=true` is not supported yet", c.span));
    }
    let schema = schema_of(&mut lf, "dedup", c.span, ctx)?;
    let keys = select_patterns(&schema, &d.fields);
    if keys.len() < d.fields.len() {
        // A key field no result has: every result has a null key.
        return Ok(lf.filter(lit(false)));
    }
    let keepempty = matches!(d.options.get_opt("keepempty"), Some("true" | "t" | "1"));
    if !keepempty {
        for k in &keys {
            lf = lf.filter(col(k.as_str()).is_not_null());
        }
    }
    let sel = polars::prelude::cols(keys.iter().map(|s| s.as_str()).collect::<Vec<_>>());
    lf = lf.unique_stable(Some(sel), UniqueKeepStrategy::First);
    if !d.sortby.is_empty() {
        let schema = schema_of(&mut lf, "dedup", c.span, ctx)?;
        let mut exprs = Vec::new();
        let mut desc = Vec::new();
        for k in &d.sortby {
            if let Some(dt) = schema.get(&k.field) {
                for (e, dd) in super::sort::key_exprs(k, dt) {
                    exprs.push(e);
                    desc.push(dd);
                }
            }
        }
        if !exprs.is_empty() {
            let n = exprs.len();
            lf = lf.sort_by_exprs(
                exprs,
                SortMultipleOptions::default()
                    .with_order_descending_multi(desc)
                    .with_nulls_last_multi(vec![true; n])
                    .with_maintain_order(true),
            );
        }
    }
    Ok(lf)
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn keeps_first_and_drops_null_keys() {
        let df =
            df!("h" => [Some("a"), Some("b"), Some("a"), None], "n" => [1i64, 2, 3, 4]).unwrap();
        let out = crate::exec::testing::run_on(df.clone(), "| dedup h");
        assert_eq!(
            out.column("n")
                .unwrap()
                .i64()
                .unwrap()
                .into_no_null_iter()
                .collect::<Vec<_>>(),
            vec![1, 2]
        );
        let out = crate::exec::testing::run_on(df, "| dedup h keepempty=true");
        assert_eq!(out.height(), 3);
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn fields_options_sortby() {
        let CommandKind::Dedup(d) =
            parse_command("| dedup 2 host,process_name keepempty=true sortby -_time").kind
        else {
            panic!()
        };
        assert_eq!(d.count, Some(2));
        assert_eq!(d.fields, vec!["host", "process_name"]);
        assert_eq!(d.options[0].key, "keepempty");
        assert!(d.sortby[0].descending);
    }
}

//! `sort`: order results by fields (`-` descending); default limit 10,000, `sort 0` unlimited.

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// One sort key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SortKey {
    pub field: String,
    pub descending: bool,
    /// `auto`, `str`, `ip` or `num` when written as `num(field)`.
    pub func: Option<String>,
}

/// A `sort` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sort {
    pub limit: Option<u64>,
    pub options: Vec<Opt>,
    pub keys: Vec<SortKey>,
    /// A trailing `desc` reverses the whole order.
    pub reverse: bool,
}

/// Build a `sort_key` pair (also used by `dedup ... sortby`).
pub(crate) fn sort_key(p: &Pair<'_, Rule>) -> BuildResult<SortKey> {
    let mut key = SortKey {
        field: String::new(),
        descending: false,
        func: None,
    };
    for c in p.clone().into_inner() {
        match c.as_rule() {
            Rule::sort_dir => key.descending = c.as_str() == "-",
            Rule::sort_fn => {
                key.func = Some(child(&c, Rule::sort_fn_name)?.as_str().to_ascii_lowercase());
                key.field = field(&child(&c, Rule::field)?);
            }
            Rule::field => key.field = field(&c),
            _ => return Err(unexpected(&c)),
        }
    }
    Ok(key)
}

impl Sort {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Sort> {
        let parts = Parts::of(p)?;
        let mut keys = Vec::new();
        let mut reverse = false;
        for c in &parts.rest {
            match c.as_rule() {
                Rule::sort_key => keys.push(sort_key(c)?),
                Rule::sort_desc => reverse = true,
                _ => return Err(unexpected(c)),
            }
        }
        Ok(Sort {
            limit: parts.count,
            options: parts.options,
            keys,
            reverse,
        })
    }
}

use crate::diagnostic::Diagnostic;
#[allow(unused_imports)]
use crate::exec::{schema_of, Context};
#[allow(unused_imports)]
use crate::syntax::ast::Command;
#[allow(unused_imports)]
use polars::prelude::{
    col, lit, DataType, LazyFrame, SortMultipleOptions, UniqueKeepStrategy, NULL,
};

/// Sort expressions for one key: numbers first in numeric order, then strings lexicographically
/// (Splunk's automatic ordering).
pub(crate) fn key_exprs(key: &SortKey, dt: &DataType) -> Vec<(polars::prelude::Expr, bool)> {
    let c = col(key.field.as_str());
    let desc = key.descending;
    let func = key.func.as_deref().unwrap_or("auto");
    if dt.is_primitive_numeric() || func == "num" {
        return vec![(c.cast(DataType::Float64), desc)];
    }
    if func == "str" {
        return vec![(c.cast(DataType::String), desc)];
    }
    // Numbers (non-null after the cast) before strings; each group in its own order.
    let num = c.clone().cast(DataType::Float64);
    vec![
        (num.clone().is_null(), false),
        (num, desc),
        (c.cast(DataType::String), desc),
    ]
}

/// Run `sort`: default limit 10,000 results; `sort 0` keeps all.
pub(crate) fn execute(
    mut lf: LazyFrame,
    s: &Sort,
    c: &Command,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let schema = schema_of(&mut lf, "sort", c.span, ctx)?;
    let mut exprs = Vec::new();
    let mut desc = Vec::new();
    for k in &s.keys {
        if let Some(dt) = schema.get(&k.field) {
            for (e, d) in key_exprs(k, dt) {
                exprs.push(e);
                desc.push(d != s.reverse);
            }
        }
    }
    if !exprs.is_empty() {
        let n = exprs.len();
        let opts = SortMultipleOptions::default()
            .with_order_descending_multi(desc)
            .with_nulls_last_multi(vec![true; n])
            .with_maintain_order(true);
        lf = lf.sort_by_exprs(exprs, opts);
    }
    let limit = s
        .limit
        .or_else(|| s.options.get_opt("limit").and_then(|v| v.parse().ok()))
        .unwrap_or(10_000);
    Ok(if limit == 0 {
        lf
    } else {
        lf.limit(limit as polars::prelude::IdxSize)
    })
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn numbers_numerically_then_strings() {
        let df = df!("v" => ["10", "9", "b", "a", "100"]).unwrap();
        let out = crate::exec::testing::run_on(df.clone(), "| sort v");
        let got: Vec<&str> = out
            .column("v")
            .unwrap()
            .str()
            .unwrap()
            .no_null_iter()
            .collect();
        assert_eq!(got, vec!["9", "10", "100", "a", "b"]);
        let out = crate::exec::testing::run_on(df, "| sort - v");
        let got: Vec<&str> = out
            .column("v")
            .unwrap()
            .str()
            .unwrap()
            .no_null_iter()
            .collect();
        assert_eq!(got, vec!["100", "10", "9", "b", "a"]);
    }

    #[test]
    fn default_limit() {
        let df = df!("v" => (0..10_005i64).collect::<Vec<_>>()).unwrap();
        assert_eq!(
            crate::exec::testing::run_on(df.clone(), "| sort v").height(),
            10_000
        );
        assert_eq!(
            crate::exec::testing::run_on(df, "| sort 0 v").height(),
            10_005
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn directions_limits_and_functions() {
        let CommandKind::Sort(s) = parse_command("| sort 0 - count, +num(port) user").kind else {
            panic!()
        };
        assert_eq!(s.limit, Some(0));
        assert!(s.keys[0].descending);
        assert_eq!(s.keys[0].field, "count");
        assert_eq!(s.keys[1].func.as_deref(), Some("num"));
        assert!(!s.keys[1].descending);
        assert_eq!(s.keys[2].field, "user");
        let CommandKind::Sort(s) = parse_command("| sort -count").kind else {
            panic!()
        };
        assert!(s.keys[0].descending);
        assert_eq!(s.limit, None);
    }
}

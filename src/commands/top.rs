//! `top`: the most common values of fields, with `count` and `percent`.

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// The most common values of fields, with `count` and `percent`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Top {
    pub limit: Option<u64>,
    pub options: Vec<Opt>,
    pub fields: Vec<String>,
    pub by: Vec<String>,
}

impl Top {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Top> {
        let parts = Parts::of(p)?;
        Ok(Top {
            limit: parts.count,
            options: parts.options,
            fields: parts.fields,
            by: parts.by,
        })
    }
}

use crate::diagnostic::Diagnostic;
use crate::frame::schema_of;
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::{col, lit, DataType, LazyFrame, SortMultipleOptions, NULL};

/// `top`/`rare`: count each combination of the fields' values, with `count` and `percent`
/// (of the results, per `BY` group), most (or least) common first, `limit=` (default 10) rows
/// per group.
/// What `top` and `rare` count.
pub(crate) struct Frequent<'a> {
    pub limit: Option<u64>,
    pub options: &'a [Opt],
    pub fields: &'a [String],
    pub by: &'a [String],
    /// `top` (most common first) rather than `rare`.
    pub most: bool,
}

/// The options `top` and `rare` implement (they share their syntax).
pub(crate) const TOP_RARE_OPTIONS: &[&str] = &[
    "limit",
    "countfield",
    "percentfield",
    "showcount",
    "showperc",
];

pub(crate) fn frequent(
    mut lf: LazyFrame,
    f: Frequent<'_>,
    c: &crate::plan::operator::At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let Frequent {
        limit,
        options,
        fields,
        by,
        most,
    } = f;
    let schema = schema_of(&mut lf, &c.name, c.span, ctx)?;
    let limit = limit
        .or_else(|| options.get_opt("limit").and_then(|v| v.parse().ok()))
        .unwrap_or(10);
    let countfield = options.get_opt("countfield").unwrap_or("count").to_string();
    let percentfield = options
        .get_opt("percentfield")
        .unwrap_or("percent")
        .to_string();
    let mut keys: Vec<String> = by.to_vec();
    keys.extend(fields.iter().cloned());
    for k in &keys {
        if !schema.contains(k) {
            return Ok(lf.filter(lit(false)).select([lit(NULL).alias(k.as_str())]));
        }
        lf = lf.filter(col(k.as_str()).is_not_null());
    }
    let key_exprs: Vec<_> = keys.iter().map(|k| col(k.as_str())).collect();
    let counted = lf.group_by(key_exprs).agg([polars::prelude::len()
        .cast(DataType::Int64)
        .alias(countfield.as_str())]);
    let total = if by.is_empty() {
        col(countfield.as_str()).sum()
    } else {
        col(countfield.as_str())
            .sum()
            .over(by.iter().map(|b| col(b.as_str())).collect::<Vec<_>>())
            .map_err(|e| ctx.polars_error(&c.name, c.span, e))?
    };
    let with_pct = counted.with_column(
        // Splunk writes the percent with six decimals (`33.333333`, `50.000000`).
        (col(countfield.as_str()).cast(DataType::Float64) * lit(100.0)
            / total.cast(DataType::Float64))
        .map(
            |c: polars::prelude::Column| {
                let out: polars::prelude::StringChunked = c
                    .f64()?
                    .iter()
                    .map(|v| v.map(|v| format!("{v:.6}")))
                    .collect();
                Ok(polars::prelude::IntoColumn::into_column(
                    out.with_name(c.name().clone()),
                ))
            },
            |_, f| {
                Ok(polars::prelude::Field::new(
                    f.name().clone(),
                    DataType::String,
                ))
            },
        )
        .alias(percentfield.as_str()),
    );
    let mut sort_cols: Vec<&str> = by.iter().map(|s| s.as_str()).collect();
    sort_cols.push(countfield.as_str());
    let mut desc = vec![false; by.len()];
    desc.push(most);
    let sorted = with_pct.sort(
        sort_cols,
        SortMultipleOptions::default()
            .with_order_descending_multi(desc)
            .with_maintain_order(true),
    );
    let limited = if limit == 0 {
        sorted
    } else if by.is_empty() {
        sorted.limit(limit as polars::prelude::IdxSize)
    } else {
        sorted
            .group_by_stable(by.iter().map(|b| col(b.as_str())).collect::<Vec<_>>())
            .head(Some(limit as usize))
    };
    let shown = |k: &str| {
        !options
            .get_opt(k)
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "f" | "false" | "0"))
    };
    let mut out_cols: Vec<_> = keys.iter().map(|k| col(k.as_str())).collect();
    if shown("showcount") {
        out_cols.push(col(countfield.as_str()));
    }
    if shown("showperc") {
        out_cols.push(col(percentfield.as_str()));
    }
    Ok(limited.select(out_cols))
}

/// Run `top`.
fn execute(lf: LazyFrame, t: &Top, c: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    frequent(
        lf,
        Frequent {
            limit: t.limit,
            options: &t.options,
            fields: &t.fields,
            by: &t.by,
            most: true,
        },
        c,
        ctx,
    )
}

opaque_command!(Top, "The most common values of fields, with `count` and `percent`.", options: Some(super::top::TOP_RARE_OPTIONS), field: options);

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn most_common_with_percent() {
        let df = df!("u" => ["a", "b", "a", "a", "c", "b"]).unwrap();
        let out = crate::testkit::run_on(df.clone(), "| top limit=2 u");
        assert_eq!(out.height(), 2);
        assert_eq!(out.column("u").unwrap().str().unwrap().get(0), Some("a"));
        assert_eq!(out.column("count").unwrap().i64().unwrap().get(0), Some(3));
        // Six decimals, as Splunk writes it (not `50` or `50.0`).
        assert_eq!(
            out.column("percent").unwrap().str().unwrap().get(0),
            Some("50.000000")
        );
        assert_eq!(
            out.column("percent").unwrap().str().unwrap().get(1),
            Some("33.333333")
        );
        let out = crate::testkit::run_on(df.clone(), "| rare u");
        assert_eq!(out.column("u").unwrap().str().unwrap().get(0), Some("c"));
        let out = crate::testkit::run_on(df, "| top showperc=f showcount=false u");
        let names: Vec<&str> = out.get_column_names().iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["u"]);
    }
}

#[cfg(test)]
mod tests {

    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| top 5 sourceIPs{} user.username limit=3 by verb");
        let CommandKind::Top(x) = c.kind else {
            panic!("not top: {c:?}")
        };
        assert_eq!(x.limit, Some(5));
        assert_eq!(x.fields, vec!["sourceIPs{}", "user.username"]);
        assert_eq!(x.by, vec!["verb"]);
    }
}

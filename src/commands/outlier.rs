//! `outlier`: remove or transform outlying numeric values (`action=`).

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Remove or transform outlying numeric values (`action=`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outlier {
    pub options: Vec<Opt>,
    pub fields: Vec<String>,
}

impl Outlier {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Outlier> {
        let parts = Parts::of(p)?;
        Ok(Outlier {
            options: parts.options,
            fields: parts.fields,
        })
    }
}

// ---------- semantics ----------

use crate::diagnostic::Diagnostic;
use crate::frame::{matching_columns, schema_of};
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::{col, lit, when, DataType, Expr, LazyFrame, QuantileMethod};

/// Run `outlier` (Search Reference): for each field, values above `p75 + param * IQR` (and,
/// with `uselower=t`, below `p25 - param * IQR`; IQR = p75 - p25, `param` 2.5 by default) are
/// outliers. `action=remove` (`rm`) drops results holding one; `action=transform` (`tf`, the
/// default) truncates the value to the threshold, prefixed with `000` when `mark=t`. Values that
/// are not numbers are left alone. No field listed: every numeric field.
fn execute(mut lf: LazyFrame, o: &Outlier, c: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    let flag = |k: &str| {
        o.options
            .get_opt(k)
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "t" | "true" | "1"))
    };
    let remove = match o
        .options
        .get_opt("action")
        .map(|a| a.to_ascii_lowercase())
        .as_deref()
    {
        None | Some("transform") | Some("tf") => false,
        Some("remove") | Some("rm") => true,
        Some(other) => {
            return Err(ctx.error(
                format!("invalid action `{other}` (remove, rm, transform or tf)"),
                c.span,
            ))
        }
    };
    let param: f64 = match o.options.get_opt("param") {
        Some(v) => v
            .parse()
            .map_err(|_| ctx.error(format!("invalid param `{v}`"), c.span))?,
        None => 2.5,
    };
    let (uselower, mark) = (flag("uselower"), flag("mark"));
    let schema = schema_of(&mut lf, "outlier", c.span, ctx)?;
    let fields: Vec<String> = if o.fields.is_empty() {
        schema
            .iter()
            .filter(|(n, dt)| !n.starts_with('_') && dt.is_primitive_numeric())
            .map(|(n, _)| n.to_string())
            .collect()
    } else {
        o.fields
            .iter()
            .flat_map(|f| matching_columns(&schema, f))
            .filter(|f| !matches!(schema.get(f), Some(DataType::List(_))))
            .collect()
    };
    if fields.is_empty() {
        return Ok(lf);
    }
    let bounds = |f: &str| -> (Expr, Expr, Expr) {
        let v = col(f).cast(DataType::Float64);
        let p25 = v.clone().quantile(lit(0.25), QuantileMethod::Linear);
        let p75 = v.clone().quantile(lit(0.75), QuantileMethod::Linear);
        let iqr = p75.clone() - p25.clone();
        let hi = p75 + lit(param) * iqr.clone();
        let lo = p25 - lit(param) * iqr;
        (v, lo, hi)
    };
    if remove {
        let outlying = fields
            .iter()
            .map(|f| {
                let (v, lo, hi) = bounds(f);
                let above = v.clone().gt(hi).fill_null(lit(false));
                if uselower {
                    above.or(v.lt(lo).fill_null(lit(false)))
                } else {
                    above
                }
            })
            .reduce(|a, b| a.or(b))
            .unwrap_or(lit(false));
        return Ok(lf.filter(outlying.not()));
    }
    let exprs: Vec<Expr> = fields
        .iter()
        .map(|f| {
            let (v, lo, hi) = bounds(f);
            let shown = |e: Expr| {
                let t = e.cast(DataType::String);
                if mark {
                    lit("000") + t
                } else {
                    t
                }
            };
            let original = col(f.as_str()).cast(DataType::String);
            let e = when(v.clone().gt(hi.clone()))
                .then(shown(hi))
                .otherwise(original);
            let e = if uselower {
                when(v.lt(lo.clone())).then(shown(lo)).otherwise(e)
            } else {
                e
            };
            e.alias(f.as_str())
        })
        .collect();
    Ok(lf.with_columns(exprs))
}

opaque_command!(Outlier, "Remove or transform outlying numeric values (`action=`).", options: Some(&["action", "param", "uselower", "mark"]), field: options);

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    fn frame() -> DataFrame {
        df!("n" => [1i64, 2, 3, 4, 100], "k" => ["a", "b", "c", "d", "e"]).unwrap()
    }

    #[test]
    fn remove_drops_results_above_the_upper_threshold() {
        // p25 = 2, p75 = 4, IQR = 2: threshold 4 + 2.5 * 2 = 9.
        let out = crate::testkit::run_on(frame(), "| outlier action=RM n");
        assert_eq!(out.height(), 4);
        let out = crate::testkit::run_on(frame(), "| outlier action=rm param=100 n");
        assert_eq!(out.height(), 5);
    }

    #[test]
    fn transform_truncates_to_the_threshold_and_can_mark() {
        let out = crate::testkit::run_on(frame(), "| outlier n");
        let n = out.column("n").unwrap().cast(&DataType::String).unwrap();
        assert_eq!(n.str().unwrap().get(4), Some("9.0"));
        assert_eq!(n.str().unwrap().get(0), Some("1"));
        let out = crate::testkit::run_on(frame(), "| outlier mark=t n");
        let n = out.column("n").unwrap().cast(&DataType::String).unwrap();
        assert!(n.str().unwrap().get(4).unwrap().starts_with("0009"));
    }
}

#[cfg(test)]
mod tests {

    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| outlier action=RM count");
        let CommandKind::Outlier(x) = c.kind else {
            panic!("not outlier: {c:?}")
        };
        assert_eq!(x.fields, vec!["count"]);
    }
}

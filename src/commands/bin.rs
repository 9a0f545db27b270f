//! `bin`: `bin`/`bucket`: put numeric or time values into discrete sets (`span=`).

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// `bin`/`bucket`: put numeric or time values into discrete sets (`span=`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bin {
    pub options: Vec<Opt>,
    pub field: String,
    /// `AS newname`.
    pub alias: Option<String>,
}

impl Bin {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Bin> {
        let parts = Parts::of(p)?;
        let field = parts.first_field(p)?;
        let alias = if parts.has_as {
            parts.fields.get(1).cloned()
        } else {
            None
        };
        Ok(Bin {
            options: parts.options,
            field,
            alias,
        })
    }
}

opaque_command!(Bin, "Put numeric or time values into discrete sets (`span=`).", options: Some(&["span", "aligntime"]), field: options);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| bucket _time as bin_time span=10m");
        let CommandKind::Bin(x) = c.kind else {
            panic!("not bin: {c:?}")
        };
        assert_eq!(x.field, "_time");
        assert_eq!(x.alias.as_deref(), Some("bin_time"));
        assert_eq!(x.options.get_opt("span"), Some("10m"));
    }
}

use crate::diagnostic::Diagnostic;
use crate::frame::schema_of;
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::{col, lit, DataType, LazyFrame};

/// Run `bin`/`bucket`: with a time span (`5m`), the field (`_time` or a copy of it) becomes the
/// start of its span; with a numeric span (`span=100`), a field other than `_time` becomes its
/// bin's range (`200-300`).
fn execute(mut lf: LazyFrame, b: &Bin, c: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    let schema = schema_of(&mut lf, "bin", c.span, ctx)?;
    if !schema.contains(&b.field) {
        return Ok(lf);
    }
    let Some(span) = b.options.get_opt("span") else {
        return Err(ctx.error("`bin` without `span=` is not supported yet", c.span));
    };
    let secs = crate::frame::aggregate::span_seconds(span)
        .filter(|s| *s > 0.0)
        .ok_or_else(|| ctx.error(format!("invalid span `{span}`"), c.span))?;
    let out = b.alias.clone().unwrap_or_else(|| b.field.clone());
    let v = col(b.field.as_str()).cast(DataType::Float64);
    let start = v.clone().floor_div(lit(secs)) * lit(secs);
    // A time span (`1h`, `5m`: a number with a timescale) bins any field as time, to the start
    // of its span (security_content's `eval gtime=_time | bin span=1h gtime`).
    let time_span = span.trim().chars().any(|c| c.is_ascii_alphabetic());
    if b.field == "_time" || time_span {
        // `aligntime=`: bins start at the alignment plus multiples of the span.
        let align = match b.options.get_opt("aligntime") {
            Some(a) => super::timechart::aligntime(a, span).map_err(|m| ctx.error(m, c.span))?,
            None => None,
        };
        let start = match align {
            None => start,
            Some(a) => {
                use super::timechart::Align;
                let a = match a {
                    Align::Earliest => v.clone().min(),
                    Align::Latest => v.clone().max() + lit(1.0),
                    Align::Spec(s) => {
                        let tz = crate::expr::time::parse_tz(&ctx.tz).unwrap_or(chrono_tz::UTC);
                        let t = s
                            .parse::<f64>()
                            .ok()
                            .or_else(|| crate::expr::time::relative_time(ctx.now, &s, &tz));
                        lit(t.unwrap_or(0.0))
                    }
                };
                (v - a.clone()).floor_div(lit(secs)) * lit(secs) + a
            }
        };
        return Ok(lf.with_column(start.alias(out.as_str())));
    }
    // A numeric field's bin (a numeric span) is written as its range, `200-300` (Search Reference, bin: "bins
    // the values ... into ranges"; its example output lists `0-10000`, `10000-20000`, ...).
    let range = start.map(
        move |c: polars::prelude::Column| {
            let ca = c.f64()?;
            let out: polars::prelude::StringChunked = ca
                .iter()
                .map(|v| v.map(|v| format!("{}-{}", number_text(v), number_text(v + secs))))
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
    );
    Ok(lf.with_column(range.alias(out.as_str())))
}

/// A number as Splunk writes it: no `.0` on whole numbers.
fn number_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn time_spans() {
        let df = df!("_time" => [1_000_000_123.0f64, 1_000_000_299.0]).unwrap();
        let out = crate::testkit::run_on(df, "| bucket _time span=5m");
        let t = out.column("_time").unwrap().f64().unwrap();
        assert_eq!(t.get(0), Some(999_999_900.0));
        assert_eq!(t.get(1), Some(1_000_000_200.0));
    }

    #[test]
    fn a_numeric_field_is_binned_to_its_range() {
        // Not the bin's start (`200`): Splunk writes the range.
        let df = df!("size" => [250.0f64, 199.0, 300.0]).unwrap();
        let out = crate::testkit::run_on(df, "| bin size span=100");
        let s: Vec<Option<&str>> = out.column("size").unwrap().str().unwrap().iter().collect();
        assert_eq!(s, [Some("200-300"), Some("100-200"), Some("300-400")]);
    }

    #[test]
    fn a_time_span_bins_any_field_to_the_start_of_its_span() {
        // `eval gtime=_time | bin span=1h gtime` (security_content's port-scan detections):
        // a time span bins as time, not to a `start-end` range.
        let df = df!("gtime" => [3700.0f64, 7199.0]).unwrap();
        let out = crate::testkit::run_on(df, "| bin span=1h gtime");
        let s: Vec<Option<f64>> = out.column("gtime").unwrap().f64().unwrap().iter().collect();
        assert_eq!(s, [Some(3600.0), Some(3600.0)]);
    }
}

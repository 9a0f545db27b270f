//! `convert`: convert field values (`ctime(f)`: epoch seconds to text in `timeformat=`, default
//! `%m/%d/%Y %H:%M:%S`; also `mktime`, `dur2sec`, `num`, ...).

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// One `func(field) [AS name]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conversion {
    /// Lower case: `ctime`, `mktime`, `num`, ...
    pub func: String,
    /// The field (may be a wildcard); None for `func()`.
    pub field: Option<String>,
    pub alias: Option<String>,
}

/// A `convert` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Convert {
    pub options: Vec<Opt>,
    pub conversions: Vec<Conversion>,
}

impl Convert {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Convert> {
        let parts = Parts::of(p)?;
        let mut conversions = Vec::new();
        for c in &parts.rest {
            if c.as_rule() != Rule::conversion {
                return Err(unexpected(c));
            }
            let func = child(c, Rule::conv_func)?.as_str().to_ascii_lowercase();
            let names: Vec<String> = c
                .clone()
                .into_inner()
                .filter(|x| x.as_rule() == Rule::field)
                .map(|f| field(&f))
                .collect();
            let has_field = c
                .as_str()
                .split_once('(')
                .map(|(_, r)| !r.trim_start().starts_with(')'))
                .unwrap_or(false);
            let (field, alias) = if has_field {
                (names.first().cloned(), names.get(1).cloned())
            } else {
                (None, names.first().cloned())
            };
            conversions.push(Conversion { func, field, alias });
        }
        Ok(Convert {
            options: parts.options,
            conversions,
        })
    }
}

use crate::diagnostic::Diagnostic;
use crate::expr::time;
use crate::frame::matching_columns;
use crate::frame::schema_of;
use crate::plan::operator::At;
use crate::runtime::Context;
use chrono::format::Item;
use polars::prelude::{col, lit, DataType, LazyFrame};
use polars::prelude::{Column, Field, IntoColumn, PolarsResult, StringChunked};

/// Run `convert`. `ctime` renders epoch seconds with `timeformat` (default
/// `%m/%d/%Y %H:%M:%S`) in the search's time zone; values that are not numbers are left as they are.
fn execute(mut lf: LazyFrame, x: &Convert, c: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    let fmt_text = x
        .options
        .get_opt("timeformat")
        .unwrap_or("%m/%d/%Y %H:%M:%S");
    let Some(fmt) = time::format_items(fmt_text) else {
        return Err(ctx.error(format!("invalid timeformat `{fmt_text}`"), c.span));
    };
    let tz = time::parse_tz(&ctx.tz)
        .ok_or_else(|| ctx.error(format!("unknown time zone `{}`", ctx.tz), c.span))?;
    for conv in &x.conversions {
        let schema = schema_of(&mut lf, "convert", c.span, ctx)?;
        let Some(pattern) = &conv.field else { continue };
        for name in matching_columns(&schema, pattern) {
            let out = conv.alias.clone().unwrap_or_else(|| name.clone());
            let expr = match conv.func.as_str() {
                "ctime" => {
                    let fmt = fmt.clone();
                    col(name.as_str()).map(
                        move |c: Column| ctime(c, &fmt, &tz),
                        |_, f| Ok(Field::new(f.name().clone(), DataType::String)),
                    )
                }
                "mktime" => {
                    let fmt = fmt.clone();
                    col(name.as_str()).map(
                        move |c: Column| mktime(c, &fmt, &tz),
                        |_, f| Ok(Field::new(f.name().clone(), DataType::String)),
                    )
                }
                "num" | "auto" => col(name.as_str())
                    .cast(DataType::String)
                    .str()
                    .replace_all(lit(","), lit(""), true)
                    .cast(DataType::Float64),
                "rmcomma" => col(name.as_str()).cast(DataType::String).str().replace_all(
                    lit(","),
                    lit(""),
                    true,
                ),
                "none" => col(name.as_str()),
                // `[D+]HH:MM:SS` to seconds (Search Reference, convert: dur2sec).
                "dur2sec" => col(name.as_str()).cast(DataType::String).map(
                    |c: Column| {
                        let out: polars::prelude::Float64Chunked =
                            c.str()?.iter().map(|v| v.and_then(dur2sec)).collect();
                        Ok(out.with_name(c.name().clone()).into_column())
                    },
                    |_, f| Ok(Field::new(f.name().clone(), DataType::Float64)),
                ),
                other => {
                    return Err(ctx.error(format!("unsupported conversion `{other}()`"), c.span))
                }
            };
            lf = lf.with_column(expr.alias(out.as_str()));
        }
    }
    Ok(lf)
}

/// A duration `[D+]HH:MM:SS` (or `MM:SS`, `SS`) in seconds.
fn dur2sec(v: &str) -> Option<f64> {
    let v = v.trim();
    let (days, rest) = match v.split_once('+') {
        Some((d, r)) => (d.trim().parse::<f64>().ok()?, r),
        None => (0.0, v),
    };
    let mut secs = 0.0;
    for part in rest.split(':') {
        secs = secs * 60.0 + part.trim().parse::<f64>().ok()?;
    }
    Some(days * 86400.0 + secs)
}

fn cell_strings(c: &Column) -> PolarsResult<Vec<Option<String>>> {
    let s = c.cast(&DataType::String)?;
    Ok(s.str()?.iter().map(|v| v.map(str::to_string)).collect())
}

fn ctime(c: Column, fmt: &[Item<'static>], tz: &chrono_tz::Tz) -> PolarsResult<Column> {
    let out: StringChunked = cell_strings(&c)?
        .into_iter()
        .map(|v| {
            v.map(|s| match s.trim().parse::<f64>() {
                Ok(secs) => time::strftime(secs, fmt, tz).unwrap_or(s),
                Err(_) => s,
            })
        })
        .collect();
    Ok(out.with_name(c.name().clone()).into_column())
}

fn mktime(c: Column, fmt: &[Item<'static>], tz: &chrono_tz::Tz) -> PolarsResult<Column> {
    let out: StringChunked = cell_strings(&c)?
        .into_iter()
        .map(|v| {
            v.map(|s| {
                time::strptime(&s, fmt, tz)
                    .map(crate::frame::format_number)
                    .unwrap_or(s)
            })
        })
        .collect();
    Ok(out.with_name(c.name().clone()).into_column())
}

opaque_command!(Convert, "Convert field values (`ctime(f)`: epoch seconds to text in `timeformat=`, default", options: Some(&["timeformat"]), field: options);

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn dur2sec_reads_days_hours_minutes_seconds() {
        let df = df!("d" => ["01:02:03", "2+00:00:10", "nope"]).unwrap();
        let out = crate::testkit::run_on(df, "| convert dur2sec(d) AS s");
        let s: Vec<Option<f64>> = out.column("s").unwrap().f64().unwrap().iter().collect();
        assert_eq!(s, [Some(3723.0), Some(172810.0), None]);
    }

    #[test]
    fn ctime_with_the_security_content_format_and_the_default() {
        let df = df!("firstTime" => [1_600_000_000.0f64], "lastTime" => [1_600_000_060.5f64], "s" => ["abc"]).unwrap();
        let out = crate::testkit::run_on(
            df,
            r#"| convert timeformat="%Y-%m-%dT%H:%M:%S" ctime(firstTime) | convert ctime(lastTime) ctime(s)"#,
        );
        assert_eq!(
            out.column("firstTime").unwrap().str().unwrap().get(0),
            Some("2020-09-13T12:26:40")
        );
        assert_eq!(
            out.column("lastTime").unwrap().str().unwrap().get(0),
            Some("09/13/2020 12:27:40")
        );
        assert_eq!(out.column("s").unwrap().str().unwrap().get(0), Some("abc"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn timeformat_and_ctime() {
        let c = parse_command(
            r#"| convert timeformat="%Y-%m-%dT%H:%M:%S" ctime(firstTime) ctime(lastTime) AS last"#,
        );
        let CommandKind::Convert(x) = c.kind else {
            panic!()
        };
        assert_eq!(x.options.get_opt("timeformat"), Some("%Y-%m-%dT%H:%M:%S"));
        assert_eq!(
            x.conversions[0],
            Conversion {
                func: "ctime".into(),
                field: Some("firstTime".into()),
                alias: None
            }
        );
        assert_eq!(x.conversions[1].alias.as_deref(), Some("last"));
    }
}

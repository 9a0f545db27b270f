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

opaque_command!(Bin, "Put numeric or time values into discrete sets (`span=`).", options: Some(&["span"]), field: options);

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

/// Run `bin`/`bucket`: with `span=`, values become the start of their span (`_time` spans are
/// time spans such as `5m`; other fields numeric).
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
    Ok(lf.with_column((v.floor_div(lit(secs)) * lit(secs)).alias(out.as_str())))
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
}

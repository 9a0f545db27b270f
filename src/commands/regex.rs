//! `regex`: keep results whose field matches (`=`) or does not match (`!=`) a regex.

use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `regex` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Regex {
    /// The field tested (default `_raw`).
    pub field: Option<String>,
    /// True for `field!="..."`.
    pub negate: bool,
    pub regex: String,
}

impl Regex {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Regex> {
        let c = p.clone().into_inner().nth(1).ok_or_else(|| unexpected(p))?;
        match c.as_rule() {
            Rule::quoted => Ok(Regex {
                field: None,
                negate: false,
                regex: quoted(&c),
            }),
            Rule::regex_cmp => {
                let mut it = c.clone().into_inner();
                let f = it.next().ok_or_else(|| unexpected(&c))?;
                let op = it.next().ok_or_else(|| unexpected(&c))?;
                let q = it.next().ok_or_else(|| unexpected(&c))?;
                Ok(Regex {
                    field: Some(f.as_str().to_string()),
                    negate: op.as_str() == "!=",
                    regex: quoted(&q),
                })
            }
            _ => Err(unexpected(&c)),
        }
    }
}

opaque_command!(Regex, "Keep results whose field matches (`=`) or does not match (`!=`) a regex.", options: None);

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn field_and_negation() {
        let CommandKind::Regex(r) = parse_command(r#"| regex process = "(/d\s+2)""#).kind else {
            panic!()
        };
        assert_eq!(r.field.as_deref(), Some("process"));
        assert!(!r.negate);
        assert_eq!(r.regex, r"(/d\s+2)");
        let CommandKind::Regex(r) = parse_command(r#"| regex _raw!="^\\x""#).kind else {
            panic!()
        };
        assert!(r.negate);
        assert_eq!(r.regex, r"^\x");
    }
}

use crate::diagnostic::Diagnostic;
use crate::frame::schema_of;
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::{col, lit, DataType, LazyFrame};

/// Compile a Splunk (PCRE) regular expression with Rust's engine, or explain why not.
/// Compile with look-around and back-references allowed (`fancy-regex` when Rust's linear
/// engine cannot read the pattern).
pub(crate) fn check_pattern(
    re: &str,
    c: &crate::plan::operator::At,
    ctx: &Context,
) -> Result<crate::expr::pcre::Pattern, Diagnostic> {
    crate::expr::pcre::Pattern::new(re).map_err(|e| {
        let first = e.lines().last().unwrap_or("").trim().to_string();
        ctx.error(
            format!("unsupported regular expression `{re}`: {first}"),
            c.span,
        )
    })
}

/// Run `regex`: keep results whose field (default `_raw`) matches the expression (unanchored),
/// or, with `!=`, does not match. A result without the field does not match (so `!=` keeps it).
fn execute(mut lf: LazyFrame, r: &Regex, c: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    let field = r.field.as_deref().unwrap_or("_raw");
    let schema = schema_of(&mut lf, "regex", c.span, ctx)?;
    let pattern = crate::expr::pcre::Pattern::new(&r.regex).map_err(|e| {
        let first = e.lines().last().unwrap_or("").trim().to_string();
        ctx.error(
            format!("unsupported regular expression `{}`: {first}", r.regex),
            c.span,
        )
    })?;
    let matched = match (schema.get(field), pattern) {
        (None, _) => lit(false),
        (Some(dt), crate::expr::pcre::Pattern::Linear(re)) => {
            crate::expr::search::regex_match(col(field), dt, re.as_str().to_string())
                .fill_null(lit(false))
        }
        // Look-around or back-references: evaluated value by value.
        (Some(_), pattern) => col(field)
            .map(
                move |column: polars::prelude::Column| {
                    let out: polars::prelude::BooleanChunked = (0..column.len())
                        .map(|i| {
                            Some(
                                crate::frame::values_at(&column, i)
                                    .iter()
                                    .any(|v| pattern.is_match(v)),
                            )
                        })
                        .collect();
                    Ok(polars::prelude::IntoColumn::into_column(
                        out.with_name(column.name().clone()),
                    ))
                },
                |_, f| {
                    Ok(polars::prelude::Field::new(
                        f.name().clone(),
                        DataType::Boolean,
                    ))
                },
            )
            .fill_null(lit(false)),
    };
    Ok(lf.filter(if r.negate { matched.not() } else { matched }))
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn look_around_patterns_run() {
        let df =
            df!("TargetFilename" => ["C:\\x\\a.txt:evil.exe", "C:\\x\\a.txt", "/tmp/a:b"]).unwrap();
        let out = crate::testkit::run_on(
            df,
            r#"| regex TargetFilename="(?<!\/)\b\w+(\.\w+)?:\w+(\.\w+)?$""#,
        );
        assert_eq!(out.height(), 1);
    }

    #[test]
    fn match_and_negation() {
        let df =
            df!("process" => [Some("C:\\x\\SearchProtocolHost.exe"), Some("a.exe"), None]).unwrap();
        let out = crate::testkit::run_on(
            df.clone(),
            r#"| regex process="(?i)(searchprotocolhost\.exe.{0,4}$)""#,
        );
        assert_eq!(out.height(), 1);
        let out =
            crate::testkit::run_on(df.clone(), r#"| regex process!="(?i)searchprotocolhost""#);
        assert_eq!(out.height(), 2);
        // Case-sensitive unless the pattern says otherwise.
        let out = crate::testkit::run_on(df, r#"| regex process="searchprotocolhost""#);
        assert_eq!(out.height(), 0);
    }
}

//! `rex`: extract fields with a regular expression's named groups (`field=`, `max_match=`,
//! `mode=sed`).

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `rex` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rex {
    pub options: Vec<Opt>,
    /// The regular expression (or sed expression), quotes removed.
    pub regex: String,
}

impl Rex {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Rex> {
        let mut parts = Parts::of(p)?;
        let regex = parts.quoted.pop().ok_or_else(|| unexpected(p))?;
        Ok(Rex {
            options: parts.options,
            regex,
        })
    }
}

opaque_command!(Rex, "Extract fields with a regular expression's named groups (`field=`, `max_match=`,", options: Some(&["field", "max_match", "mode"]), field: options);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn options_and_regex() {
        let c = parse_command(
            r#"| rex field=old_value max_match=10000 "(?i)LDAP://(?P<old_dn>cn.*?);(?P<f>\d)\]""#,
        );
        let CommandKind::Rex(r) = c.kind else {
            panic!()
        };
        assert_eq!(r.options.get_opt("field"), Some("old_value"));
        assert_eq!(r.options.get_opt("max_match"), Some("10000"));
        assert_eq!(r.regex, r"(?i)LDAP://(?P<old_dn>cn.*?);(?P<f>\d)\]");
    }
}

use crate::diagnostic::Diagnostic;
use crate::frame::schema_of;
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::{col, lit, DataType, LazyFrame};
use polars::prelude::{
    when, Column, Field, IntoColumn, ListChunked, NamedFrom, PolarsResult, Series, StringChunked,
};

/// Splunk's `\1` back-references in a sed replacement as Rust's `${1}`.
pub(crate) fn sed_replacement(rep: &str) -> String {
    let mut out = String::new();
    let mut chars = rep.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => match chars.peek() {
                Some(d) if d.is_ascii_digit() => {
                    out.push_str(&format!("${{{d}}}"));
                    chars.next();
                }
                Some(&n) => {
                    out.push(n);
                    chars.next();
                }
                None => out.push('\\'),
            },
            '$' => out.push_str("$$"),
            c => out.push(c),
        }
    }
    out
}

/// Split `s/regex/replacement/flags` (any delimiter after `s`).
fn parse_sed(expr: &str) -> Option<(String, String, String)> {
    let mut chars = expr.chars();
    if chars.next()? != 's' {
        return None;
    }
    let delim = chars.next()?;
    let mut parts = vec![String::new()];
    let mut escaped = false;
    for ch in chars {
        if escaped {
            if ch != delim {
                parts.last_mut()?.push('\\');
            }
            parts.last_mut()?.push(ch);
            escaped = false;
        } else if ch == '\\' {
            escaped = true;
        } else if ch == delim {
            parts.push(String::new());
        } else {
            parts.last_mut()?.push(ch);
        }
    }
    if parts.len() < 3 {
        return None;
    }
    Some((
        parts[0].clone(),
        parts[1].clone(),
        parts.get(2).cloned().unwrap_or_default(),
    ))
}

fn strings(c: &Column) -> PolarsResult<Vec<Option<String>>> {
    let s = c.cast(&DataType::String)?;
    Ok(s.str()?.iter().map(|v| v.map(str::to_string)).collect())
}

/// Run `rex`: named groups of the expression become fields (`max_match=1` by default; 0 or N > 1
/// gives multivalue fields); a field the expression does not match keeps its value.
/// `mode=sed` rewrites the field with `s/regex/replacement/g`.
fn execute(mut lf: LazyFrame, r: &Rex, c: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    let field = r.options.get_opt("field").unwrap_or("_raw").to_string();
    let schema = schema_of(&mut lf, "rex", c.span, ctx)?;
    let Some(dt) = schema.get(&field).cloned() else {
        return Ok(lf);
    };
    let input = if matches!(dt, DataType::List(_)) {
        col(field.as_str()).list().join(lit("\n"), true)
    } else {
        crate::frame::text_expr(col(field.as_str()), &dt)
    };
    if r.options
        .get_opt("mode")
        .is_some_and(|m| m.eq_ignore_ascii_case("sed"))
    {
        let (pat, rep, flags) = parse_sed(&r.regex).ok_or_else(|| {
            ctx.error(format!("unsupported sed expression `{}`", r.regex), c.span)
        })?;
        let re = super::regex::check_pattern(&pat, c, ctx)?;
        let rep = sed_replacement(&rep);
        let global = flags.contains('g');
        let out = input.map(
            move |col: Column| {
                let out: StringChunked = strings(&col)?
                    .into_iter()
                    .map(|v| v.map(|s| re.replace(&s, rep.as_str(), global)))
                    .collect();
                Ok(out.with_name(col.name().clone()).into_column())
            },
            |_, f| Ok(Field::new(f.name().clone(), DataType::String)),
        );
        return Ok(lf.with_column(out.alias(field.as_str())));
    }
    let re = super::regex::check_pattern(&r.regex, c, ctx)?;
    let max_match: usize = match r.options.get_opt("max_match") {
        Some(v) => v
            .parse()
            .map_err(|_| ctx.error(format!("invalid max_match `{v}`"), c.span))?,
        None => 1,
    };
    let names: Vec<(usize, String)> = re
        .capture_names()
        .into_iter()
        .enumerate()
        .filter_map(|(i, n)| n.map(|n| (i, n)))
        .collect();
    let mut exprs = Vec::new();
    for (idx, name) in names {
        let re = re.clone();
        let multi = max_match != 1;
        let extracted = input.clone().map(
            move |col: Column| {
                let vals = strings(&col)?;
                if multi {
                    let out: ListChunked = vals
                        .iter()
                        .map(|v| {
                            let v = v.as_ref()?;
                            let limit = if max_match == 0 {
                                usize::MAX
                            } else {
                                max_match
                            };
                            let found = re.group_values(v, idx, limit);
                            (!found.is_empty()).then(|| Series::new("".into(), found))
                        })
                        .collect();
                    Ok(crate::frame::text_list(out)
                        .with_name(col.name().clone())
                        .into_column())
                } else {
                    let out: StringChunked = vals
                        .iter()
                        .map(|v| {
                            v.as_ref()
                                .and_then(|v| re.group_values(v, idx, 1).into_iter().next())
                        })
                        .collect();
                    Ok(out.with_name(col.name().clone()).into_column())
                }
            },
            move |_, f| {
                Ok(Field::new(
                    f.name().clone(),
                    if multi {
                        DataType::List(Box::new(DataType::String))
                    } else {
                        DataType::String
                    },
                ))
            },
        );
        let e = match schema.get(&name) {
            Some(old) if !multi && !matches!(old, DataType::List(_)) => {
                let old = crate::frame::text_expr(col(name.as_str()), old);
                when(extracted.clone().is_not_null())
                    .then(extracted)
                    .otherwise(old)
            }
            _ => extracted,
        };
        exprs.push(e.alias(name.as_str()));
    }
    if exprs.is_empty() {
        // polars' plan breaks on an empty `with_columns`.
        return Ok(lf);
    }
    Ok(lf.with_columns(exprs))
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn named_groups_become_fields() {
        let df = df!("process" => [Some("run a.exe then b.exe"), Some("nothing"), None], "exe" => [Some("old"), Some("keep"), None]).unwrap();
        let out = crate::testkit::run_on(df.clone(), r#"| rex field=process "(?<exe>\w+\.exe)""#);
        let exe = out.column("exe").unwrap().str().unwrap();
        assert_eq!(exe.get(0), Some("a.exe"));
        assert_eq!(exe.get(1), Some("keep"));
        let out = crate::testkit::run_on(
            df.clone(),
            r#"| rex field=process max_match=0 "(?P<all>\w+\.exe)""#,
        );
        let all = out
            .column("all")
            .unwrap()
            .list()
            .unwrap()
            .get_as_series(0)
            .unwrap();
        assert_eq!(all.len(), 2);
        let out = crate::testkit::run_on(
            df,
            r#"| rex field=process mode=sed "s/(\w+)\.exe/\1.EXE/g""#,
        );
        assert_eq!(
            out.column("process").unwrap().str().unwrap().get(0),
            Some("run a.EXE then b.EXE")
        );
    }

    #[test]
    fn multivalue_extraction_that_finds_nothing_is_still_text() {
        // Every row empty: polars would type the list's elements `Null`, and the `match` after
        // `mvexpand` would fail instead of returning no results.
        let df = df!("v" => [Some("nothing here"), None]).unwrap();
        let out = crate::testkit::run_on(
            df,
            r#"| rex field=v max_match=10 "(?P<g>\{.*?\})" | mvexpand g | where isnull(g) OR match(g, "^x")"#,
        );
        assert_eq!(out.height(), 2);
        assert_eq!(out.column("g").unwrap().dtype(), &DataType::String);
    }

    #[test]
    fn look_ahead_patterns_extract_and_substitute() {
        let df = df!("p" => ["a.dll b.exe c.dll"]).unwrap();
        let out = crate::testkit::run_on(
            df,
            r#"| rex field=p max_match=0 "(?<n>\w+)(?=\.dll)" | rex field=p mode=sed "s/(\w)(?=\.exe)/X/g""#,
        );
        let n = crate::frame::values_at(out.column("n").unwrap(), 0);
        assert_eq!(n, ["a", "c"]);
        assert_eq!(
            out.column("p").unwrap().str().unwrap().get(0),
            Some("a.dll X.exe c.dll")
        );
    }

    #[test]
    fn sed_back_references() {
        assert_eq!(super::sed_replacement(r"\1-\2$"), "${1}-${2}$$");
    }
}

//! `replace`: replace values (wildcards allowed) in fields: `replace "a*" WITH "b" IN f`.

use super::parts::Parts;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `replace` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Replace {
    /// (old, new) value pairs.
    pub pairs: Vec<(String, String)>,
    /// Empty: every field.
    pub fields: Vec<String>,
}

impl Replace {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Replace> {
        let parts = Parts::of(p)?;
        let mut pairs = Vec::new();
        for c in &parts.rest {
            match c.as_rule() {
                Rule::replace_pair => {
                    let v: Vec<String> = c
                        .clone()
                        .into_inner()
                        .filter(|x| x.as_rule() == Rule::replace_value)
                        .map(|x| field(&x))
                        .collect();
                    match v.as_slice() {
                        [a, b] => pairs.push((a.clone(), b.clone())),
                        _ => return Err(unexpected(c)),
                    }
                }
                Rule::kw_in_lower => {}
                _ => return Err(unexpected(c)),
            }
        }
        Ok(Replace {
            pairs,
            fields: parts.fields,
        })
    }
}

opaque_command!(Replace, "Replace values (wildcards allowed) in fields: `replace \"a*\" WITH \"b\" IN f`.", options: None);

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn pairs_and_fields() {
        let c = parse_command(
            r#"| replace "%%14674" with "Value Added", "%%14675" with "Value Deleted" in OperationType"#,
        );
        let CommandKind::Replace(r) = c.kind else {
            panic!()
        };
        assert_eq!(r.pairs[0], ("%%14674".into(), "Value Added".into()));
        assert_eq!(r.fields, vec!["OperationType"]);
        let CommandKind::Replace(r) = parse_command(r#"| replace "::ffff:*" with * in src"#).kind
        else {
            panic!()
        };
        assert_eq!(r.pairs[0].1, "*");
    }
}

use crate::diagnostic::Diagnostic;
use crate::frame::schema_of;
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::{col, DataType, LazyFrame};
use polars::prelude::{Column, Field, IntoColumn, ListChunked, NamedFrom, Series, StringChunked};

/// The first rule matching the whole value gives the new value; `*` takes the matched part.
fn replace_value(v: &str, rules: &[(regex::Regex, String)]) -> String {
    for (re, new) in rules {
        if let Some(cap) = re.captures(v) {
            let mut groups = cap
                .iter()
                .skip(1)
                .map(|m| m.map(|m| m.as_str()).unwrap_or(""));
            let mut out = String::new();
            for (i, part) in new.split('*').enumerate() {
                if i > 0 {
                    out.push_str(groups.next().unwrap_or(""));
                }
                out.push_str(part);
            }
            return out;
        }
    }
    v.to_string()
}

/// Run `replace`: a value equal to an old value (wildcards allowed, case-sensitive) becomes the
/// new value; a `*` in the new value takes what the old value's `*` matched.
fn execute(mut lf: LazyFrame, r: &Replace, c: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    let schema = schema_of(&mut lf, "replace", c.span, ctx)?;
    let fields: Vec<String> = if r.fields.is_empty() {
        schema.iter_names().map(|s| s.to_string()).collect()
    } else {
        r.fields
            .iter()
            .flat_map(|f| crate::frame::matching_columns(&schema, f))
            .collect()
    };
    let rules: Vec<(regex::Regex, String)> = r
        .pairs
        .iter()
        .filter_map(|(old, new)| crate::frame::wildcard_regex(old).map(|re| (re, new.clone())))
        .collect();
    let mut exprs = Vec::new();
    for f in fields {
        let Some(dt) = schema.get(&f) else { continue };
        let multivalue = matches!(dt, DataType::List(_));
        let rules = rules.clone();
        let input = if multivalue {
            col(f.as_str())
        } else {
            crate::frame::text_expr(col(f.as_str()), dt)
        };
        let out_type = if multivalue {
            DataType::List(Box::new(DataType::String))
        } else {
            DataType::String
        };
        let e = input.map(
            move |c: Column| {
                if multivalue {
                    // Each value of a multivalue field is replaced on its own.
                    let out: ListChunked = (0..c.len())
                        .map(|i| {
                            let vals = crate::frame::values_at(&c, i);
                            (!vals.is_empty()).then(|| {
                                let new: Vec<String> =
                                    vals.iter().map(|v| replace_value(v, &rules)).collect();
                                Series::new("".into(), new)
                            })
                        })
                        .collect();
                    return Ok(crate::frame::text_list(out)
                        .with_name(c.name().clone())
                        .into_column());
                }
                let s = c.cast(&DataType::String)?;
                let out: StringChunked = s
                    .str()?
                    .iter()
                    .map(|v| v.map(|v| replace_value(v, &rules)))
                    .collect();
                Ok(out.with_name(c.name().clone()).into_column())
            },
            move |_, f| Ok(Field::new(f.name().clone(), out_type.clone())),
        );
        exprs.push(e.alias(f.as_str()));
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
    fn a_field_that_does_not_exist_changes_nothing() {
        let df = df!("x" => ["a"]).unwrap();
        let out = crate::testkit::run_on(df, r#"| replace "a" with b in src | where x="a""#);
        assert_eq!(out.height(), 1);
    }

    #[test]
    fn exact_and_wildcard_values() {
        let df = df!("OperationType" => ["%%14674", "%%14675", "x"], "src" => ["::ffff:10.0.0.1", "10.0.0.2", "y"]).unwrap();
        let out = crate::testkit::run_on(
            df,
            r#"| replace "%%14674" with "Value Added", "%%14675" with "Value Deleted" in OperationType | replace "::ffff:*" with * in src"#,
        );
        let op: Vec<&str> = out
            .column("OperationType")
            .unwrap()
            .str()
            .unwrap()
            .no_null_iter()
            .collect();
        assert_eq!(op, vec!["Value Added", "Value Deleted", "x"]);
        assert_eq!(
            out.column("src").unwrap().str().unwrap().get(0),
            Some("10.0.0.1")
        );
    }
}

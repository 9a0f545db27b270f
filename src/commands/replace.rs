//! `replace`: replace values (wildcards allowed) in fields: `replace "a*" WITH "b" IN f`.

#[allow(unused_imports)]
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

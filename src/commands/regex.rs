//! `regex`: keep results whose field matches (`=`) or does not match (`!=`) a regex.

#[allow(unused_imports)]
use super::parts::Parts;
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

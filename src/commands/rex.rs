//! `rex`: extract fields with a regular expression's named groups (`field=`, `max_match=`,
//! `mode=sed`).

#[allow(unused_imports)]
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

//! `sort`: order results by fields (`-` descending); default limit 10,000, `sort 0` unlimited.

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// One sort key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SortKey {
    pub field: String,
    pub descending: bool,
    /// `auto`, `str`, `ip` or `num` when written as `num(field)`.
    pub func: Option<String>,
}

/// A `sort` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sort {
    pub limit: Option<u64>,
    pub options: Vec<Opt>,
    pub keys: Vec<SortKey>,
    /// A trailing `desc` reverses the whole order.
    pub reverse: bool,
}

/// Build a `sort_key` pair (also used by `dedup ... sortby`).
pub(crate) fn sort_key(p: &Pair<'_, Rule>) -> BuildResult<SortKey> {
    let mut key = SortKey {
        field: String::new(),
        descending: false,
        func: None,
    };
    for c in p.clone().into_inner() {
        match c.as_rule() {
            Rule::sort_dir => key.descending = c.as_str() == "-",
            Rule::sort_fn => {
                key.func = Some(child(&c, Rule::sort_fn_name)?.as_str().to_ascii_lowercase());
                key.field = field(&child(&c, Rule::field)?);
            }
            Rule::field => key.field = field(&c),
            _ => return Err(unexpected(&c)),
        }
    }
    Ok(key)
}

impl Sort {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Sort> {
        let parts = Parts::of(p)?;
        let mut keys = Vec::new();
        let mut reverse = false;
        for c in &parts.rest {
            match c.as_rule() {
                Rule::sort_key => keys.push(sort_key(c)?),
                Rule::sort_desc => reverse = true,
                _ => return Err(unexpected(c)),
            }
        }
        Ok(Sort {
            limit: parts.count,
            options: parts.options,
            keys,
            reverse,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn directions_limits_and_functions() {
        let CommandKind::Sort(s) = parse_command("| sort 0 - count, +num(port) user").kind else {
            panic!()
        };
        assert_eq!(s.limit, Some(0));
        assert!(s.keys[0].descending);
        assert_eq!(s.keys[0].field, "count");
        assert_eq!(s.keys[1].func.as_deref(), Some("num"));
        assert!(!s.keys[1].descending);
        assert_eq!(s.keys[2].field, "user");
        let CommandKind::Sort(s) = parse_command("| sort -count").kind else {
            panic!()
        };
        assert!(s.keys[0].descending);
        assert_eq!(s.limit, None);
    }
}

//! `return`: turn a subsearch's first results into `field=value` pairs (`$field` for values only).

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `return` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Return {
    pub count: Option<u64>,
    /// `field`, `alias=field` or `$field` as written.
    pub items: Vec<String>,
}

impl Return {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Return> {
        let parts = Parts::of(p)?;
        let items = parts.rest.iter().map(|c| c.as_str().to_string()).collect();
        Ok(Return {
            count: parts.count,
            items,
        })
    }
}

unsupported_command!(
    Return,
    "Turn a subsearch's first results into `field=value` pairs (`$field` for values only)."
);

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn items() {
        let CommandKind::Return(r) = parse_command("| return 5 user $dest ip=src").kind else {
            panic!()
        };
        assert_eq!(r.count, Some(5));
        assert_eq!(r.items, vec!["user", "$dest", "ip=src"]);
    }
}

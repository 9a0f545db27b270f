//! `top`: the most common values of fields, with `count` and `percent`.

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// The most common values of fields, with `count` and `percent`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Top {
    pub limit: Option<u64>,
    pub options: Vec<Opt>,
    pub fields: Vec<String>,
    pub by: Vec<String>,
}

impl Top {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Top> {
        let parts = Parts::of(p)?;
        Ok(Top {
            limit: parts.count,
            options: parts.options,
            fields: parts.fields,
            by: parts.by,
        })
    }
}

#[cfg(test)]
mod tests {
    #[allow(unused_imports)]
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| top 5 sourceIPs{} user.username limit=3 by verb");
        let CommandKind::Top(x) = c.kind else {
            panic!("not top: {c:?}")
        };
        assert_eq!(x.limit, Some(5));
        assert_eq!(x.fields, vec!["sourceIPs{}", "user.username"]);
        assert_eq!(x.by, vec!["verb"]);
    }
}

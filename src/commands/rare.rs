//! `rare`: the least common values of fields, with `count` and `percent`.

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// The least common values of fields, with `count` and `percent`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rare {
    pub limit: Option<u64>,
    pub options: Vec<Opt>,
    pub fields: Vec<String>,
    pub by: Vec<String>,
}

impl Rare {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Rare> {
        let parts = Parts::of(p)?;
        Ok(Rare {
            limit: parts.count,
            options: parts.options,
            fields: parts.fields,
            by: parts.by,
        })
    }
}

use crate::diagnostic::Diagnostic;
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::LazyFrame;

/// Run `rare`: like `top`, least common first.
fn execute(lf: LazyFrame, r: &Rare, c: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    super::top::frequent(
        lf,
        super::top::Frequent {
            limit: r.limit,
            options: &r.options,
            fields: &r.fields,
            by: &r.by,
            most: false,
        },
        c,
        ctx,
    )
}

opaque_command!(Rare, "The least common values of fields, with `count` and `percent`.", options: Some(super::top::TOP_RARE_OPTIONS), field: options);

#[cfg(test)]
mod tests {

    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| rare user.username annotations.authorization.k8s.io/reason");
        let CommandKind::Rare(x) = c.kind else {
            panic!("not rare: {c:?}")
        };
        assert_eq!(
            x.fields,
            vec!["user.username", "annotations.authorization.k8s.io/reason"]
        );
    }
}

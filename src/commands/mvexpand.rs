//! `mvexpand`: one result per value of a multivalue field.

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// One result per value of a multivalue field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mvexpand {
    pub options: Vec<Opt>,
    pub field: String,
}

impl Mvexpand {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Mvexpand> {
        let parts = Parts::of(p)?;
        Ok(Mvexpand {
            field: parts.first_field(p)?,
            options: parts.options,
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
        let c = parse_command("| mvexpand findings limit=5");
        let CommandKind::Mvexpand(x) = c.kind else {
            panic!("not mvexpand: {c:?}")
        };
        assert_eq!(x.field, "findings");
        assert_eq!(x.options.get_opt("limit"), Some("5"));
    }
}

//! `fromjson`: expand a JSON object held in a field into fields.

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Expand a JSON object held in a field into fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fromjson {
    pub options: Vec<Opt>,
    pub field: String,
}

impl Fromjson {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Fromjson> {
        let parts = Parts::of(p)?;
        Ok(Fromjson {
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
        let c = parse_command("| fromjson Data");
        let CommandKind::Fromjson(x) = c.kind else {
            panic!("not fromjson: {c:?}")
        };
        assert_eq!(x.field, "Data");
    }
}

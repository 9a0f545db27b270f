//! `mvcombine`: combine results that differ only in one field into one multivalue result.

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Combine results that differ only in one field into one multivalue result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mvcombine {
    pub options: Vec<Opt>,
    pub field: String,
}

impl Mvcombine {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Mvcombine> {
        let parts = Parts::of(p)?;
        Ok(Mvcombine {
            field: parts.first_field(p)?,
            options: parts.options,
        })
    }
}

unsupported_command!(
    Mvcombine,
    "Combine results that differ only in one field into one multivalue result."
);

#[cfg(test)]
mod tests {
    #[allow(unused_imports)]
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| mvcombine delim=\",\" host");
        let CommandKind::Mvcombine(x) = c.kind else {
            panic!("not mvcombine: {c:?}")
        };
        assert_eq!(x.field, "host");
    }
}

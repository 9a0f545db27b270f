//! `collect`: write results to a summary index.

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Write results to a summary index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Collect {
    pub options: Vec<Opt>,
    pub fields: Vec<String>,
}

impl Collect {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Collect> {
        let parts = Parts::of(p)?;
        Ok(Collect {
            options: parts.options,
            fields: parts.fields,
        })
    }
}

unsupported_command!(Collect, "Write results to a summary index.");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| collect index=summary");
        let CommandKind::Collect(x) = c.kind else {
            panic!("not collect: {c:?}")
        };
        assert_eq!(x.options.get_opt("index"), Some("summary"));
    }
}

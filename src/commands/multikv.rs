//! `multikv`: extract fields from table-formatted events.

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Extract fields from table-formatted events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Multikv {
    pub options: Vec<Opt>,
}

impl Multikv {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Multikv> {
        Ok(Multikv {
            options: Parts::of(p)?.options,
        })
    }
}

unsupported_command!(Multikv, "Extract fields from table-formatted events.");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| multikv noheader=t");
        let CommandKind::Multikv(x) = c.kind else {
            panic!("not multikv: {c:?}")
        };
        assert_eq!(x.options.get_opt("noheader"), Some("t"));
    }
}

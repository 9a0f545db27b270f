//! `appendpipe`: run a sub-pipeline over the current results and append its output.

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Run a sub-pipeline over the current results and append its output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Appendpipe {
    pub options: Vec<Opt>,
    pub subsearch: Pipeline,
}

impl Appendpipe {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Appendpipe> {
        let mut parts = Parts::of(p)?;
        let subsearch = parts.take_subsearch(p)?;
        Ok(Appendpipe {
            options: parts.options,
            subsearch,
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
        let c = parse_command("| appendpipe [| timechart limit=0 span=5m count | table _time]");
        let CommandKind::Appendpipe(x) = c.kind else {
            panic!("not appendpipe: {c:?}")
        };
        assert_eq!(x.subsearch.commands.len(), 2);
        assert_eq!(x.subsearch.commands[0].name, "timechart");
    }
}

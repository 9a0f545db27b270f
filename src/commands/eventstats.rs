//! `eventstats`: add aggregates of all results (or of each `BY` group) to every result.

#[allow(unused_imports)]
use super::parts::Parts;
use super::stats::StatsArgs;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// An `eventstats` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Eventstats {
    #[serde(flatten)]
    pub args: StatsArgs,
}

impl Eventstats {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Eventstats> {
        Ok(Eventstats {
            args: StatsArgs::build(p)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses() {
        let c = parse_command("| eventstats avg(x) as a, stdev(x) as s by dest");
        let CommandKind::Eventstats(s) = c.kind else {
            panic!()
        };
        assert_eq!(s.args.aggregates.len(), 2);
        assert_eq!(s.args.by, vec!["dest"]);
    }
}

//! `streamstats`: cumulative aggregates in result order (`window=`, `current=`, `reset_on_change=`).

#[allow(unused_imports)]
use super::parts::Parts;
use super::stats::StatsArgs;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// An `streamstats` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Streamstats {
    #[serde(flatten)]
    pub args: StatsArgs,
}

impl Streamstats {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Streamstats> {
        Ok(Streamstats {
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
        let c = parse_command("| streamstats window=2 current=1 range(_time) as d by dest");
        let CommandKind::Streamstats(s) = c.kind else {
            panic!()
        };
        assert_eq!(s.args.aggregates.len(), 1);
        assert_eq!(s.args.options.len(), 2);
        assert_eq!(s.args.by, vec!["dest"]);
    }
}

//! `eventstats`: add aggregates of all results (or of each `BY` group) to every result.

use super::stats::StatsArgs;
use crate::syntax::ast::Command;
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

use crate::commands::{Lower, SplCommand};
use crate::diagnostic::Diagnostic;
use crate::plan::{Node, Op};

impl SplCommand for Eventstats {
    const DOC: &'static str =
        "Add aggregates of all results (or of each BY group) to every result.";
    const OPTIONS: Option<&'static [&'static str]> = Some(&[]);

    fn options(&self) -> &[crate::syntax::ast::Opt] {
        &self.args.options
    }

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        Ok(cx.node(
            Op::Window {
                input: Box::new(input),
                aggregates: super::stats::agg_calls(&self.args.aggregates, cx)?,
                by: self.args.by.clone(),
                frame: crate::plan::WindowFrame::All,
            },
            c,
        ))
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

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn adds_group_aggregates_to_every_row() {
        let df =
            df!("dest" => [Some("a"), Some("a"), Some("b"), None], "n" => [1.0f64, 3.0, 10.0, 7.0])
                .unwrap();
        let out = crate::testkit::run_on(df.clone(), "| eventstats avg(n) as avg count by dest");
        assert_eq!(out.height(), 4);
        let avg = out.column("avg").unwrap().f64().unwrap();
        assert_eq!(avg.get(0), Some(2.0));
        assert_eq!(avg.get(2), Some(10.0));
        assert_eq!(avg.get(3), None);
        let out = crate::testkit::run_on(df, "| eventstats max(n) as m");
        assert_eq!(out.column("m").unwrap().f64().unwrap().get(3), Some(10.0));
    }
}

//! `streamstats`: cumulative aggregates in result order (`window=`, `current=`, `reset_on_change=`).

use super::stats::StatsArgs;
use crate::syntax::ast::Command;
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

use crate::commands::{Lower, SplCommand};
use crate::diagnostic::Diagnostic;
use crate::plan::{Node, Op};
use crate::syntax::ast::Options;

impl SplCommand for Streamstats {
    const DOC: &'static str =
        "Cumulative aggregates in result order (`window=`, `current=`), per BY group.";
    const OPTIONS: Option<&'static [&'static str]> = Some(&["window", "current"]);

    fn options(&self) -> &[crate::syntax::ast::Opt] {
        &self.args.options
    }

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        let o = &self.args.options;
        let window: usize = match o.get_opt("window") {
            Some(v) => v
                .parse()
                .map_err(|_| cx.error(format!("invalid window `{v}`"), c.span))?,
            None => 0,
        };
        let current = !matches!(o.get_opt("current"), Some("false" | "f" | "0"));
        Ok(cx.node(
            Op::Window {
                input: Box::new(input),
                aggregates: super::stats::agg_calls(&self.args.aggregates, cx)?,
                by: self.args.by.clone(),
                frame: crate::plan::WindowFrame::Running { window, current },
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
        let c = parse_command("| streamstats window=2 current=1 range(_time) as d by dest");
        let CommandKind::Streamstats(s) = c.kind else {
            panic!()
        };
        assert_eq!(s.args.aggregates.len(), 1);
        assert_eq!(s.args.options.len(), 2);
        assert_eq!(s.args.by, vec!["dest"]);
    }
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn running_counts_and_windows() {
        let df = df!("_time" => [1.0f64, 5.0, 6.0, 20.0], "s" => ["a", "a", "b", "a"]).unwrap();
        let out = crate::testkit::run_on(df.clone(), "| streamstats count as rank by s");
        let rank: Vec<&str> = out
            .column("rank")
            .unwrap()
            .str()
            .unwrap()
            .no_null_iter()
            .collect();
        assert_eq!(rank, vec!["1", "2", "1", "3"]);
        let out = crate::testkit::run_on(
            df,
            "| streamstats window=2 current=1 range(_time) as d by s",
        );
        let d: Vec<Option<&str>> = out.column("d").unwrap().str().unwrap().iter().collect();
        assert_eq!(d, vec![Some("0"), Some("4"), Some("0"), Some("15")]);
    }
}

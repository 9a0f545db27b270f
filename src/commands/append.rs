//! `append`: append a subsearch's results to the current results.

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Append a subsearch's results to the current results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Append {
    pub options: Vec<Opt>,
    pub subsearch: Pipeline,
}

impl Append {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Append> {
        let mut parts = Parts::of(p)?;
        let subsearch = parts.take_subsearch(p)?;
        Ok(Append {
            options: parts.options,
            subsearch,
        })
    }
}

use crate::commands::{Lower, SplCommand};
use crate::diagnostic::Diagnostic;
use crate::plan::{Node, Op};

impl SplCommand for Append {
    const DOC: &'static str =
        "Append a subsearch's results after the current results (fields united).";

    fn options(&self) -> &[Opt] {
        &self.options
    }

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        let sub = cx.subsearch(&self.subsearch)?;
        Ok(cx.node(
            Op::Union {
                inputs: vec![input, sub.root],
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
    fn parses_example() {
        let c = parse_command("| append [search sourcetype=stream:tcp bytes_out>65000]");
        let CommandKind::Append(x) = c.kind else {
            panic!("not append: {c:?}")
        };
        assert_eq!(x.subsearch.commands.len(), 1);
        assert_eq!(x.subsearch.commands[0].name, "search");
    }
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn unites_columns() {
        let df = df!("a" => ["x"]).unwrap();
        let out = crate::testkit::run_on(df, "| append [| makeresults count=2]");
        assert_eq!(out.height(), 3);
        assert_eq!(out.width(), 2);
    }
}

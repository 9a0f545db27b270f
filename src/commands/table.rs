//! `table`: keep the listed fields, in the order given (wildcards allowed).

use super::parts::Parts;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Keep the listed fields, in the order given (wildcards allowed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub fields: Vec<String>,
}

impl Table {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Table> {
        Ok(Table {
            fields: Parts::of(p)?.fields,
        })
    }
}

use crate::commands::{Lower, SplCommand};
use crate::diagnostic::Diagnostic;
use crate::plan::{Node, Op};
use crate::syntax::ast::Command;

impl SplCommand for Table {
    const DOC: &'static str =
        "Keep only the listed fields, in the order given (wildcards allowed).";

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        Ok(cx.node(
            Op::Project {
                input: Box::new(input),
                patterns: self.fields.clone(),
                mode: crate::plan::ProjectMode::Table,
            },
            c,
        ))
    }
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn order_and_wildcards() {
        let df = df!("a" => [1i64], "b1" => [2i64], "b2" => [3i64], "c" => [4i64]).unwrap();
        let out = crate::testkit::run_on(df, "| table c, b* nosuch a");
        let names: Vec<&str> = out.get_column_names().iter().map(|s| s.as_str()).collect();
        assert_eq!(names, vec!["c", "b1", "b2", "a"]);
    }
}

#[cfg(test)]
mod tests {

    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| table firstTime, \"Search Name\" dest* user");
        let CommandKind::Table(x) = c.kind else {
            panic!("not table: {c:?}")
        };
        assert_eq!(x.fields, vec!["firstTime", "Search Name", "dest*", "user"]);
    }
}

//! `rename`: rename fields; `rename Processes.* AS *` with the same number of wildcards.

use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `rename` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rename {
    /// (from, to) pairs, applied left to right.
    pub pairs: Vec<(String, String)>,
}

impl Rename {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Rename> {
        let mut pairs = Vec::new();
        for pair in p
            .clone()
            .into_inner()
            .filter(|c| c.as_rule() == Rule::rename_pair)
        {
            let names: Vec<String> = pair
                .clone()
                .into_inner()
                .filter(|c| c.as_rule() == Rule::field)
                .map(|f| field(&f))
                .collect();
            match names.as_slice() {
                [a, b] => pairs.push((a.clone(), b.clone())),
                _ => return Err(unexpected(&pair)),
            }
        }
        Ok(Rename { pairs })
    }
}

use crate::commands::{Lower, SplCommand};
use crate::diagnostic::Diagnostic;
use crate::plan::{Node, Op};
use crate::syntax::ast::Command;

impl SplCommand for Rename {
    const DOC: &'static str = "Rename fields, left to right; wildcards pair up (`Processes.* AS *`); a renamed field replaces one of the same name.";

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        Ok(cx.node(
            Op::Rename {
                input: Box::new(input),
                pairs: self.pairs.clone(),
            },
            c,
        ))
    }
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn wildcard_rename_strips_the_prefix_and_replaces_existing() {
        let df = df!("Processes.dest" => ["h"], "Processes.user" => ["u"], "dest" => ["old"], "count" => [1i64]).unwrap();
        let out = crate::testkit::run_on(df, "| rename Processes.* AS *");
        let names: Vec<&str> = out.get_column_names().iter().map(|s| s.as_str()).collect();
        assert_eq!(names, vec!["dest", "user", "count"]);
        assert_eq!(out.column("dest").unwrap().str().unwrap().get(0), Some("h"));
    }

    #[test]
    fn quoted_names_and_missing_fields() {
        let df = df!("lastTime" => ["t"]).unwrap();
        let out = crate::testkit::run_on(
            df,
            r#"| rename lastTime as "Last Update Time", nosuch as x"#,
        );
        assert_eq!(out.get_column_names()[0].as_str(), "Last Update Time");
        assert_eq!(out.width(), 1);
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn wildcards_quotes_and_glued_quotes() {
        let c = parse_command(
            r#"| rename Processes.* AS *, lastTime as "Last Update Time", "Web".* as *"#,
        );
        let CommandKind::Rename(r) = c.kind else {
            panic!()
        };
        assert_eq!(r.pairs[0], ("Processes.*".into(), "*".into()));
        assert_eq!(r.pairs[1], ("lastTime".into(), "Last Update Time".into()));
        assert_eq!(r.pairs[2], ("Web.*".into(), "*".into()));
    }
}

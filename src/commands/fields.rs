//! `fields`: keep (`+`, the default) or remove (`-`) fields; wildcards allowed.

use super::parts::Parts;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `fields` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fields {
    /// True for `fields - ...`.
    pub remove: bool,
    pub fields: Vec<String>,
}

impl Fields {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Fields> {
        let parts = Parts::of(p)?;
        let remove = parts
            .rest
            .iter()
            .any(|c| c.as_rule() == Rule::fields_mode && c.as_str() == "-");
        Ok(Fields {
            remove,
            fields: parts.fields,
        })
    }
}

use crate::commands::{Lower, SplCommand};
use crate::diagnostic::Diagnostic;
use crate::plan::{Node, Op};
use crate::syntax::ast::Command;

impl SplCommand for Fields {
    const DOC: &'static str = "Keep (`+`, the default; `_time` and `_raw` stay) or remove (`-`) fields; wildcards allowed.";

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        let mode = if self.remove {
            crate::plan::ProjectMode::Remove
        } else {
            crate::plan::ProjectMode::Keep
        };
        Ok(cx.node(
            Op::Project {
                input: Box::new(input),
                patterns: self.fields.clone(),
                mode,
            },
            c,
        ))
    }
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn keep_and_remove() {
        let df = df!("a" => [1i64], "req_x" => [2i64], "b" => [3i64]).unwrap();
        let out = crate::testkit::run_on(df.clone(), "| fields - req_*");
        assert_eq!(out.get_column_names().len(), 2);
        let out = crate::testkit::run_on(df, "| fields b a");
        let names: Vec<&str> = out.get_column_names().iter().map(|s| s.as_str()).collect();
        assert_eq!(names, vec!["b", "a"]);
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn keep_and_remove() {
        let CommandKind::Fields(f) = parse_command("| fields - req_* auth_*").kind else {
            panic!()
        };
        assert!(f.remove);
        assert_eq!(f.fields, vec!["req_*", "auth_*"]);
        let CommandKind::Fields(f) = parse_command("| fields + dest_mac").kind else {
            panic!()
        };
        assert!(!f.remove);
        let CommandKind::Fields(f) = parse_command("| fields a,b c").kind else {
            panic!()
        };
        assert_eq!(f.fields, vec!["a", "b", "c"]);
    }
}

//! `dedup`: keep the first result for each combination of field values (rows with a null key are
//! dropped unless `keepempty=true`).

use super::parts::Parts;
use super::sort::{sort_key, SortKey};
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `dedup` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dedup {
    /// Keep this many results per key (default 1).
    pub count: Option<u64>,
    pub options: Vec<Opt>,
    pub fields: Vec<String>,
    pub sortby: Vec<SortKey>,
}

impl Dedup {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Dedup> {
        let parts = Parts::of(p)?;
        let mut sortby = Vec::new();
        for c in &parts.rest {
            match c.as_rule() {
                Rule::dedup_sortby => {
                    for k in c.clone().into_inner() {
                        sortby.push(sort_key(&k)?);
                    }
                }
                _ => return Err(unexpected(c)),
            }
        }
        Ok(Dedup {
            count: parts.count,
            options: parts.options,
            fields: parts.fields,
            sortby,
        })
    }
}

use crate::commands::{Lower, SplCommand};
use crate::diagnostic::Diagnostic;
use crate::plan::{Node, Op};

impl SplCommand for Dedup {
    const DOC: &'static str = "Keep the first N results (default 1) of each combination of field values; results lacking a field are dropped unless `keepempty=true`.";
    const OPTIONS: Option<&'static [&'static str]> = Some(&["consecutive", "keepempty"]);
    const EXAMPLES: &'static [crate::commands::Example] = &[crate::commands::Example {
        description: "the first two results of each user, in result order",
        search: "| dedup 2 user",
        input: "user,n\na,1\nb,2\na,3\na,4\nb,5",
        output: "user,n\na,1\nb,2\na,3\nb,5\n",
    }];

    fn options(&self) -> &[Opt] {
        &self.options
    }

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        let flag = |k: &str| {
            self.options
                .get_opt(k)
                .is_some_and(crate::commands::is_true)
        };
        Ok(cx.node(
            Op::Dedup {
                input: Box::new(input),
                fields: self.fields.clone(),
                count: self.count.unwrap_or(1).max(1),
                keepempty: flag("keepempty"),
                consecutive: flag("consecutive"),
                sortby: super::sort::plan_keys(&self.sortby),
            },
            c,
        ))
    }
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn keeps_first_and_drops_null_keys() {
        let df =
            df!("h" => [Some("a"), Some("b"), Some("a"), None], "n" => [1i64, 2, 3, 4]).unwrap();
        let out = crate::testkit::run_on(df.clone(), "| dedup h");
        assert_eq!(
            out.column("n")
                .unwrap()
                .i64()
                .unwrap()
                .into_no_null_iter()
                .collect::<Vec<_>>(),
            vec![1, 2]
        );
        let out = crate::testkit::run_on(df, "| dedup h keepempty=true");
        assert_eq!(out.height(), 3);
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn fields_options_sortby() {
        let CommandKind::Dedup(d) =
            parse_command("| dedup 2 host,process_name keepempty=true sortby -_time").kind
        else {
            panic!()
        };
        assert_eq!(d.count, Some(2));
        assert_eq!(d.fields, vec!["host", "process_name"]);
        assert_eq!(d.options[0].key, "keepempty");
        assert!(d.sortby[0].descending);
    }
}

//! `sort`: order results by fields (`-` descending); default limit 10,000, `sort 0` unlimited.

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// One sort key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SortKey {
    pub field: String,
    pub descending: bool,
    /// `auto`, `str`, `ip` or `num` when written as `num(field)`.
    pub func: Option<String>,
}

/// A `sort` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sort {
    pub limit: Option<u64>,
    pub options: Vec<Opt>,
    pub keys: Vec<SortKey>,
    /// A trailing `desc` reverses the whole order.
    pub reverse: bool,
}

/// Build a `sort_key` pair (also used by `dedup ... sortby`).
pub(crate) fn sort_key(p: &Pair<'_, Rule>) -> BuildResult<SortKey> {
    let mut key = SortKey {
        field: String::new(),
        descending: false,
        func: None,
    };
    for c in p.clone().into_inner() {
        match c.as_rule() {
            Rule::sort_dir => key.descending = c.as_str() == "-",
            Rule::sort_fn => {
                key.func = Some(child(&c, Rule::sort_fn_name)?.as_str().to_ascii_lowercase());
                key.field = field(&child(&c, Rule::field)?);
            }
            Rule::field => key.field = field(&c),
            _ => return Err(unexpected(&c)),
        }
    }
    Ok(key)
}

impl Sort {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Sort> {
        let parts = Parts::of(p)?;
        let mut keys = Vec::new();
        let mut reverse = false;
        for c in &parts.rest {
            match c.as_rule() {
                Rule::sort_key => keys.push(sort_key(c)?),
                Rule::sort_desc => reverse = true,
                _ => return Err(unexpected(c)),
            }
        }
        Ok(Sort {
            limit: parts.count,
            options: parts.options,
            keys,
            reverse,
        })
    }
}

use crate::commands::{Lower, SplCommand};
use crate::diagnostic::Diagnostic;
use crate::plan::{Node, Op};

/// The plan's sort keys.
pub(crate) fn plan_keys(keys: &[SortKey]) -> Vec<crate::plan::SortKey> {
    keys.iter()
        .map(|k| crate::plan::SortKey {
            field: k.field.clone(),
            descending: k.descending,
            func: k.func.clone(),
        })
        .collect()
}

impl SplCommand for Sort {
    const DOC: &'static str = "Order results by fields (`-` descending; numbers before strings); the first 10,000 unless a count is given (`sort 0`: all).";
    const OPTIONS: Option<&'static [&'static str]> = Some(&["limit"]);

    fn options(&self) -> &[Opt] {
        &self.options
    }

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        let limit = self
            .limit
            .or_else(|| self.options.get_opt("limit").and_then(|v| v.parse().ok()))
            .unwrap_or(10_000);
        Ok(cx.node(
            Op::Sort {
                input: Box::new(input),
                keys: plan_keys(&self.keys),
                reverse: self.reverse,
                limit: (limit > 0).then_some(limit),
            },
            c,
        ))
    }
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn numbers_numerically_then_strings() {
        let df = df!("v" => ["10", "9", "b", "a", "100"]).unwrap();
        let out = crate::testkit::run_on(df.clone(), "| sort v");
        let got: Vec<&str> = out
            .column("v")
            .unwrap()
            .str()
            .unwrap()
            .no_null_iter()
            .collect();
        assert_eq!(got, vec!["9", "10", "100", "a", "b"]);
        let out = crate::testkit::run_on(df, "| sort - v");
        let got: Vec<&str> = out
            .column("v")
            .unwrap()
            .str()
            .unwrap()
            .no_null_iter()
            .collect();
        assert_eq!(got, vec!["100", "10", "9", "b", "a"]);
    }

    #[test]
    fn default_limit() {
        let df = df!("v" => (0..10_005i64).collect::<Vec<_>>()).unwrap();
        assert_eq!(
            crate::testkit::run_on(df.clone(), "| sort v").height(),
            10_000
        );
        assert_eq!(crate::testkit::run_on(df, "| sort 0 v").height(), 10_005);
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn directions_limits_and_functions() {
        let CommandKind::Sort(s) = parse_command("| sort 0 - count, +num(port) user").kind else {
            panic!()
        };
        assert_eq!(s.limit, Some(0));
        assert!(s.keys[0].descending);
        assert_eq!(s.keys[0].field, "count");
        assert_eq!(s.keys[1].func.as_deref(), Some("num"));
        assert!(!s.keys[1].descending);
        assert_eq!(s.keys[2].field, "user");
        let CommandKind::Sort(s) = parse_command("| sort -count").kind else {
            panic!()
        };
        assert!(s.keys[0].descending);
        assert_eq!(s.limit, None);
    }
}

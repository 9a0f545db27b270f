//! `return`: turn a subsearch's first results into `field=value` pairs (`$field` for values only).

use super::parts::Parts;
use crate::commands::Lower;
use crate::plan::Node;
use crate::syntax::ast::Command;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `return` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Return {
    pub count: Option<u64>,
    /// `field`, `alias=field` or `$field` as written.
    pub items: Vec<String>,
}

impl Return {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Return> {
        let parts = Parts::of(p)?;
        let items = parts.rest.iter().map(|c| c.as_str().to_string()).collect();
        Ok(Return {
            count: parts.count,
            items,
        })
    }
}

use crate::diagnostic::Diagnostic;
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::{Column, DataFrame, IntoLazy, LazyFrame};

/// What one item of `return` writes for a result.
enum Item<'a> {
    /// `field` or `alias=field`: `name=value`.
    Pair { name: &'a str, field: &'a str },
    /// `$field`: the value alone.
    Value(&'a str),
}

fn item(s: &str) -> Item<'_> {
    if let Some(f) = s.strip_prefix('$') {
        return Item::Value(f);
    }
    match s.split_once('=') {
        Some((alias, field)) => Item::Pair {
            name: alias,
            field: field.trim_matches('"'),
        },
        None => Item::Pair { name: s, field: s },
    }
}

/// A value as search text: bare when it is one plain word, else quoted with `"` and `\` escaped.
fn value_text(v: &str) -> String {
    let plain = !v.is_empty()
        && !v
            .chars()
            .any(|c| c.is_whitespace() || "\"'()[]|=!<>,\\".contains(c));
    if plain {
        v.to_string()
    } else {
        format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// Run `return`: the first `count` results (default 1) become one result whose only field,
/// `search`, is search text: per result its items separated by spaces (`field=value`,
/// `alias=value`, or the value alone for `$field`; a multivalue field gives each value), and
/// several results each in parentheses joined by `OR` (Search Reference, `return`: `return 2 user
/// ip` gives `(user=bob ip=10.1.11.2) OR (user=fred ip=10.2.12.3)`).
fn execute(lf: LazyFrame, r: &Return, c: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    let n = r.count.unwrap_or(1) as usize;
    let df = lf
        .limit(n as u32)
        .collect()
        .map_err(|e| ctx.polars_error("return", c.span, e))?;
    let items: Vec<Item> = r.items.iter().map(|s| item(s)).collect();
    let mut rows: Vec<String> = Vec::new();
    for i in 0..df.height() {
        let mut terms: Vec<String> = Vec::new();
        for it in &items {
            let (name, field) = match it {
                Item::Pair { name, field } => (Some(*name), *field),
                Item::Value(f) => (None, *f),
            };
            let Ok(col) = df.column(field) else { continue };
            for v in crate::frame::values_at(col, i) {
                terms.push(match name {
                    Some(name) => format!("{name}={}", value_text(&v)),
                    None => value_text(&v),
                });
            }
        }
        if !terms.is_empty() {
            rows.push(terms.join(" "));
        }
    }
    let text = if rows.len() > 1 {
        rows.iter()
            .map(|r| format!("({r})"))
            .collect::<Vec<_>>()
            .join(" OR ")
    } else {
        rows.pop().unwrap_or_default()
    };
    let out = DataFrame::new_infer_height(vec![Column::new("search".into(), [text])])
        .map_err(|e| ctx.polars_error("return", c.span, e))?;
    Ok(out.lazy())
}

impl crate::commands::SplCommand for Return {
    const DOC: &'static str = "Turn the first results (`count`, default 1) into one result whose `search` field is `field=value` pairs (`alias=field`, `$field` for the value alone) for the search around a subsearch.";
    const EXAMPLES: &'static [crate::commands::Example] = &[
        crate::commands::Example {
            description: "two results, each an OR clause of its pairs (the Search Reference's `return 2 user ip`)",
            search: "| return 2 user ip",
            input: "user,ip\nbob,10.1.11.2\nfred,10.2.12.3\nann,10.0.0.1",
            output: "search\n(user=bob ip=10.1.11.2) OR (user=fred ip=10.2.12.3)\n",
        },
        crate::commands::Example {
            description: "an alias names the field, `$field` gives the value alone; one result by default",
            search: "| return ip=srcip $user",
            input: "user,srcip\nbob,10.1.11.2\nfred,10.2.12.3",
            output: "search\nip=10.1.11.2 bob\n",
        },
    ];

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        Ok(cx.opaque(self.clone(), c, input))
    }
}

runs_execute!(Return, columns: |_input| crate::plan::Columns::Known(vec!["search".into()]));

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;
    use polars::prelude::*;

    #[test]
    fn items() {
        let CommandKind::Return(r) = parse_command("| return 5 user $dest ip=src").kind else {
            panic!()
        };
        assert_eq!(r.count, Some(5));
        assert_eq!(r.items, vec!["user", "$dest", "ip=src"]);
    }

    fn search(df: DataFrame, spl: &str) -> String {
        let out = crate::testkit::run_on(df, spl);
        assert_eq!(out.height(), 1);
        out.column("search")
            .unwrap()
            .str()
            .unwrap()
            .get(0)
            .unwrap()
            .to_string()
    }

    #[test]
    fn only_the_first_result_by_default() {
        let df = df!("user" => ["bob", "fred"], "ip" => ["1.1.1.1", "2.2.2.2"]).unwrap();
        // Not every result (that would be `format`), not every field.
        assert_eq!(search(df.clone(), "| return user"), "user=bob");
        assert_eq!(search(df.clone(), "| return $ip"), "1.1.1.1");
        assert_eq!(search(df.clone(), "| return src=ip"), "src=1.1.1.1");
        assert_eq!(search(df, "| return 5 $user"), "(bob) OR (fred)");
    }

    #[test]
    fn values_with_spaces_are_quoted() {
        let df = df!("p" => [r#"C:\a b.exe"#]).unwrap();
        assert_eq!(search(df, "| return p"), r#"p="C:\\a b.exe""#);
    }

    #[test]
    fn a_return_subsearch_filters_the_outer_search() {
        let df = df!("user" => ["bob", "fred", "ann"], "n" => ["1", "2", "3"]).unwrap();
        let out = crate::testkit::run_on(
            df,
            "| fields user n | search [| makeresults count=2 | streamstats count | eval user=if(count=1, \"fred\", \"ann\") | return 2 user]",
        );
        let users: Vec<&str> = out
            .column("user")
            .unwrap()
            .str()
            .unwrap()
            .no_null_iter()
            .collect();
        assert_eq!(users, ["fred", "ann"]);
    }
}

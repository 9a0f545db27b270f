//! `format`: turn results into one search string (`( ( a="1" AND b="2" ) OR ( ... ) )`).

use super::parts::Parts;
use crate::commands::Lower;
use crate::plan::Node;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Turn results into a search expression string (`( ( a="1" AND b="2" ) OR ( ... ) )`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Format {
    pub options: Vec<Opt>,
    /// Positional row/column prefixes, separators and suffixes.
    pub strings: Vec<String>,
}

impl Format {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Format> {
        let parts = Parts::of(p)?;
        Ok(Format {
            options: parts.options,
            strings: parts.quoted,
        })
    }
}

use crate::diagnostic::Diagnostic;
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::{Column, DataFrame, IntoLazy, LazyFrame};

/// The six strings of `format`, in the order written: row prefix (opens the whole), column
/// prefix (opens a result), column separator, column end, row separator, row end.
const DEFAULTS: [&str; 6] = ["(", "(", "AND", ")", "OR", ")"];

/// `field="value"`, `"` and `\` escaped: one value as Splunk's `format` writes it.
fn pair(field: &str, value: &str) -> String {
    format!(
        "{field}=\"{}\"",
        value.replace('\\', "\\\\").replace('"', "\\\"")
    )
}

/// Join the non-empty pieces with single spaces.
fn spaced<'a>(pieces: impl IntoIterator<Item = &'a str>) -> String {
    pieces
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// One result as search text: its fields (not the internal `_` ones) as `field="value"` joined by
/// the column separator, a multivalue field as `( f="a" OR f="b" )` (`mvsep`), a field named
/// `search` or `query` as its value itself; `None` when it has no value at all.
fn row_text(cols: &[&Column], i: usize, s: &[&str; 6], mvsep: &str) -> Option<String> {
    let mut terms: Vec<String> = Vec::new();
    for c in cols {
        let name = c.name().as_str();
        let values = crate::frame::values_at(c, i);
        let verbatim = name == "search" || name == "query";
        let one = |v: &String| {
            if verbatim {
                v.clone()
            } else {
                pair(name, v)
            }
        };
        match values.len() {
            0 => {}
            1 => terms.push(one(&values[0])),
            _ => {
                let inner: Vec<String> = values.iter().map(one).collect();
                terms.push(format!("( {} )", inner.join(&format!(" {mvsep} "))));
            }
        }
    }
    if terms.is_empty() {
        return None;
    }
    let mut pieces: Vec<&str> = vec![s[1]];
    for (k, t) in terms.iter().enumerate() {
        if k > 0 {
            pieces.push(s[2]);
        }
        pieces.push(t);
    }
    pieces.push(s[3]);
    Some(spaced(pieces))
}

/// The search string of a result set, as `format` builds it (also what a subsearch gives).
pub fn format_results(
    df: &DataFrame,
    strings: &[&str; 6],
    mvsep: &str,
    maxresults: usize,
    emptystr: &str,
) -> String {
    let cols: Vec<&Column> = df
        .columns()
        .iter()
        .filter(|c| !c.name().starts_with('_'))
        .collect();
    let n = if maxresults == 0 {
        df.height()
    } else {
        df.height().min(maxresults)
    };
    let rows: Vec<String> = (0..n)
        .filter_map(|i| row_text(&cols, i, strings, mvsep))
        .collect();
    if rows.is_empty() {
        return emptystr.to_string();
    }
    let mut pieces: Vec<&str> = vec![strings[0]];
    for (k, r) in rows.iter().enumerate() {
        if k > 0 {
            pieces.push(strings[4]);
        }
        pieces.push(r);
    }
    pieces.push(strings[5]);
    spaced(pieces)
}

/// Run `format`: the results become one result whose only field, `search`, holds them as search
/// text (Search Reference, `format`).
fn execute(lf: LazyFrame, f: &Format, c: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    let df = lf
        .collect()
        .map_err(|e| ctx.polars_error("format", c.span, e))?;
    let strings: [&str; 6] = if f.strings.len() == 6 {
        std::array::from_fn(|i| f.strings[i].as_str())
    } else {
        DEFAULTS
    };
    let max = match f.options.get_opt("maxresults") {
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| ctx.error(format!("invalid maxresults `{v}`"), c.span))?,
        None => 0,
    };
    let text = format_results(
        &df,
        &strings,
        f.options.get_opt("mvsep").unwrap_or("OR"),
        max,
        f.options.get_opt("emptystr").unwrap_or("NOT( )"),
    );
    let out = DataFrame::new_infer_height(vec![Column::new("search".into(), [text])])
        .map_err(|e| ctx.polars_error("format", c.span, e))?;
    Ok(out.lazy())
}

impl crate::commands::SplCommand for Format {
    const DOC: &'static str = "Turn the results into one result whose `search` field is them as search text: `( ( a=\"1\" AND b=\"2\" ) OR ( ... ) )`.";
    const OPTIONS: Option<&'static [&'static str]> = Some(&["maxresults", "mvsep", "emptystr"]);
    const EXAMPLES: &'static [crate::commands::Example] = &[
        crate::commands::Example {
            description: "each result a parenthesized AND of its fields, the results ORed",
            search: "| format",
            input: "source,sourcetype\nsyslog.log,syslog\nwin.log,wineventlog",
            output: "search\n\"( ( source=\"\"syslog.log\"\" AND sourcetype=\"\"syslog\"\" ) OR ( source=\"\"win.log\"\" AND sourcetype=\"\"wineventlog\"\" ) )\"\n",
        },
        crate::commands::Example {
            description: "the six strings replace the parentheses and AND/OR",
            search: "| format maxresults=1 \"[\" \"[\" \"&&\" \"]\" \"||\" \"]\"",
            input: "host,source\nmylaptop,syslog.log\nbobslaptop,bob.log",
            output: "search\n\"[ [ host=\"\"mylaptop\"\" && source=\"\"syslog.log\"\" ] ]\"\n",
        },
    ];

    fn options(&self) -> &[Opt] {
        &self.options
    }

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        if !self.strings.is_empty() && self.strings.len() != 6 {
            return Err(cx.error(
                format!(
                    "`format` takes all six row and column strings or none ({} given)",
                    self.strings.len()
                ),
                c.span,
            ));
        }
        Ok(cx.opaque(self.clone(), c, input))
    }
}

runs_execute!(Format, columns: |_input| crate::plan::Columns::Known(vec!["search".into()]));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;
    use polars::prelude::*;

    #[test]
    fn parses_example() {
        let c = parse_command("| format maxresults=10 \"(\" \"\" \"AND\" \"\" \"OR\" \")\"");
        let CommandKind::Format(x) = c.kind else {
            panic!("not format: {c:?}")
        };
        assert_eq!(x.strings.len(), 6);
        assert_eq!(x.options.get_opt("maxresults"), Some("10"));
        let c = parse_command("| format \"(\" \"\" \"AND\" \"\" \"OR\" \")\" emptystr=\"x\"");
        let CommandKind::Format(x) = c.kind else {
            panic!("not format: {c:?}")
        };
        assert_eq!(x.options.get_opt("emptystr"), Some("x"));
    }

    fn search(df: DataFrame, spl: &str) -> String {
        let out = crate::testkit::run_on(df, spl);
        assert_eq!(out.height(), 1);
        assert_eq!(out.width(), 1);
        out.column("search")
            .unwrap()
            .str()
            .unwrap()
            .get(0)
            .unwrap()
            .to_string()
    }

    #[test]
    fn default_output_has_spaced_parentheses_and_quoted_values() {
        let df = df!("a" => ["1", "3"], "b" => ["2", "4"], "_time" => [1.0f64, 2.0]).unwrap();
        // Internal fields are left out; values quoted even when numbers.
        assert_eq!(
            search(df, "| format"),
            r#"( ( a="1" AND b="2" ) OR ( a="3" AND b="4" ) )"#
        );
    }

    #[test]
    fn multivalue_uses_mvsep_and_quotes_are_escaped() {
        let mv: ListChunked = [Some(Series::new("".into(), ["x", "y"]))]
            .into_iter()
            .collect();
        let df = DataFrame::new_infer_height(vec![
            mv.with_name("t".into()).into_column(),
            Column::new("q".into(), [r#"say "hi""#]),
        ])
        .unwrap();
        assert_eq!(
            search(df.clone(), "| format"),
            r#"( ( ( t="x" OR t="y" ) AND q="say \"hi\"" ) )"#
        );
        assert_eq!(
            search(df, "| format mvsep=\"AND\""),
            r#"( ( ( t="x" AND t="y" ) AND q="say \"hi\"" ) )"#
        );
    }

    #[test]
    fn maxresults_and_emptystr() {
        let df = df!("a" => ["1", "2", "3"]).unwrap();
        assert_eq!(
            search(df.clone(), "| format maxresults=2"),
            r#"( ( a="1" ) OR ( a="2" ) )"#
        );
        let none = df!("a" => Vec::<&str>::new()).unwrap();
        assert_eq!(search(none.clone(), "| format"), "NOT( )");
        assert_eq!(search(none, "| format emptystr=\"nothing\""), "nothing");
    }

    #[test]
    fn a_search_field_is_written_as_it_is() {
        let df = df!("search" => ["user=bob OR user=alice"]).unwrap();
        assert_eq!(search(df, "| format"), "( ( user=bob OR user=alice ) )");
    }

    #[test]
    fn a_format_subsearch_is_used_as_search_text() {
        let df = df!("a" => ["1", "2", "3"], "b" => ["x", "y", "z"]).unwrap();
        let keep = |spl: &str| -> Vec<String> {
            let out = crate::testkit::run_on(df.clone(), spl);
            out.column("a")
                .unwrap()
                .str()
                .unwrap()
                .no_null_iter()
                .map(str::to_string)
                .collect()
        };
        assert_eq!(
            keep("| fields a b | search [| makeresults count=2 | streamstats count as a | eval b=if(a=1, \"X\", \"nope\") | format]"),
            ["1"]
        );
        // `NOT( )` for no results: nothing matches.
        assert!(keep("| fields a b | search [| makeresults | where false() | format]").is_empty());
        assert_eq!(
            keep("| fields a b | search NOT [| makeresults | eval a=\"2\" | format]"),
            ["1", "3"]
        );
    }

    #[test]
    fn all_six_strings_or_none() {
        let e = crate::testkit::try_run_on(df!("a" => ["1"]).unwrap(), "| format \"(\" \"(\"")
            .unwrap_err();
        assert!(e.to_string().contains("six"), "{e}");
    }
}

//! `from`: read a data model dataset (`from datamodel Web.Web`) or a lookup as results.

use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `from` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct From {
    /// `datamodel`, `inputlookup` or `lookup`.
    pub kind: String,
    /// The dataset, e.g. `Web.Web`.
    pub name: String,
}

impl From {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<From> {
        let src = child(p, Rule::from_source)?;
        let text = src.as_str();
        let kind = text
            .split(|c: char| c.is_whitespace() || c == ':')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        Ok(From {
            kind,
            name: field(&child(&src, Rule::dm_name)?),
        })
    }
}

use crate::commands::{Lower, SplCommand};
use crate::diagnostic::Diagnostic;
use crate::plan::{Node, Op, Scan};
use crate::syntax::ast::Command;

impl SplCommand for From {
    const DOC: &'static str = "Read a data model dataset (`from datamodel:Web.Web`) as results.";

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        if self.kind == "savedsearch" {
            return Err(cx.error(
                format!(
                    "`from savedsearch:{}`: there is no saved search named `{}` (spelunk has no saved searches; write the search itself, or a macro)",
                    self.name, self.name
                ),
                c.span,
            ));
        }
        if self.kind == "lookup" || self.kind == "inputlookup" {
            // Search Reference, from: `from lookup:geo_attr_countries` and `from
            // inputlookup:geo_attr_countries.csv` read the lookup, as `inputlookup` does.
            let il = super::inputlookup::Inputlookup {
                options: vec![],
                name: self.name.clone(),
                where_clause: None,
            };
            return super::SplCommand::lower(&il, c, input, cx);
        }
        if self.kind != "datamodel" {
            return Err(cx.unsupported(
                c,
                ": only `from datamodel`, `from lookup` and `from inputlookup` are supported",
            ));
        }
        if !input.is_empty_input() {
            return Err(cx.error(
                "`from` is a generating command: it must be the first command of a search",
                c.span,
            ));
        }
        // A data model dataset's events, as an event search returns them: newest first.
        let scan = cx.node(
            Op::Scan(Scan::Datamodel {
                dataset: self.name.clone(),
            }),
            c,
        );
        let at = cx.node(Op::Empty, c);
        Ok(crate::plan::order::events_newest_first(scan, &at))
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn from_lookup_reads_the_lookup_as_inputlookup_does() {
        use crate::testkit::run_with_lookups;
        use polars::prelude::DataFrame;
        let want = run_with_lookups(DataFrame::empty(), "| inputlookup domains");
        for spl in ["| from lookup:domains", "| from inputlookup:domains"] {
            let got = run_with_lookups(DataFrame::empty(), spl);
            assert_eq!(got, want, "{spl}");
        }
    }

    #[test]
    fn a_saved_search_it_cannot_resolve_is_an_error_naming_it() {
        for spl in ["| from savedsearch:mysearch", "| from savedsearch mysearch"] {
            let p = crate::syntax::parse(spl).unwrap();
            let e = crate::commands::lower_pipeline(&p, spl).unwrap_err();
            assert!(e.to_string().contains("`mysearch`"), "{e}");
        }
    }

    #[test]
    fn parses_both_spellings() {
        for spl in ["| from datamodel Web.Web", "| from datamodel:Web.Web"] {
            let CommandKind::From(f) = parse_command(spl).kind else {
                panic!()
            };
            assert_eq!(f.kind, "datamodel");
            assert_eq!(f.name, "Web.Web");
        }
    }
}

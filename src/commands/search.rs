//! `search`: keep the results that match a search-language expression (also the implied first
//! command of a search that does not start with `|`).

use crate::diagnostic::Diagnostic;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `search` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Search {
    /// None for `search` with no expression (matches everything).
    pub expr: Option<SearchExpr>,
    /// True for the implied search at the start of a pipeline.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub implied: bool,
}

impl Search {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Search> {
        let expr = match p
            .clone()
            .into_inner()
            .find(|c| c.as_rule() == Rule::search_expr)
        {
            Some(e) => Some(search_expr(&e)?),
            None => None,
        };
        Ok(Search {
            expr,
            implied: false,
        })
    }
}

use crate::commands::{Lower, SplCommand};
use crate::plan::{Node, Op};

impl SplCommand for Search {
    const DOC: &'static str = "Keep the results that match a search-language expression (the implied first command reads the events of the searched indexes).";

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        let first = input.is_empty_input();
        let input = if first {
            cx.node(Op::Scan(crate::plan::Scan::Events), c)
        } else {
            input
        };
        // The implied search returns events newest first (plan::order).
        let at = cx.node(Op::Empty, c);
        let predicate = match &self.expr {
            Some(e) => cx.predicate(e)?,
            None if first => return Ok(crate::plan::order::events_newest_first(input, &at)),
            None => crate::plan::Predicate::True,
        };
        let filter = cx.node(
            Op::Filter {
                input: Box::new(input),
                predicate,
            },
            c,
        );
        Ok(if first {
            crate::plan::order::events_newest_first(filter, &at)
        } else {
            filter
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::{parse_command, parse_pipeline};
    use crate::commands::CommandKind;

    fn expr(spl: &str) -> SearchExpr {
        match parse_command(spl).kind {
            CommandKind::Search(s) => s.expr.expect("expression"),
            k => panic!("not search: {k:?}"),
        }
    }

    fn cmp(f: &str, v: &str) -> SearchExpr {
        SearchExpr::Compare {
            field: f.into(),
            op: CmpOp::Eq,
            value: SearchValue {
                raw: v.into(),
                quoted: false,
            },
        }
    }

    #[test]
    fn or_binds_tighter_than_and() {
        // Search Manual: NOT, then OR, then AND. a=1 b=2 OR c=3 is a=1 AND (b=2 OR c=3).
        assert_eq!(
            expr("search a=1 b=2 OR c=3"),
            SearchExpr::And(vec![
                cmp("a", "1"),
                SearchExpr::Or(vec![cmp("b", "2"), cmp("c", "3")])
            ])
        );
        assert_eq!(
            expr("search a=1 AND b=2 OR c=3"),
            expr("search a=1 b=2 OR c=3")
        );
    }

    #[test]
    fn not_applies_to_one_term() {
        assert_eq!(
            expr("search NOT a=1 OR b=2"),
            SearchExpr::Or(vec![
                SearchExpr::Not(Box::new(cmp("a", "1"))),
                cmp("b", "2")
            ])
        );
    }

    #[test]
    fn lower_case_keywords_are_terms() {
        let e = expr("search a=1 or b=2");
        let SearchExpr::And(items) = e else {
            panic!("{e:?}")
        };
        assert_eq!(
            items[1],
            SearchExpr::Term(SearchValue {
                raw: "or".into(),
                quoted: false
            })
        );
    }

    #[test]
    fn implied_search_is_the_first_command() {
        let p = parse_pipeline("index=main EventCode=1 | stats count");
        assert_eq!(p.commands[0].name, "search");
        let CommandKind::Search(s) = &p.commands[0].kind else {
            panic!()
        };
        assert!(s.implied);
    }

    #[test]
    fn quoted_values_keep_escapes_for_the_matcher() {
        let e = expr(r#"search process="*\\Windows\\*" x=\"a\""#);
        let SearchExpr::And(items) = e else { panic!() };
        let SearchExpr::Compare { value, .. } = &items[0] else {
            panic!()
        };
        assert_eq!(value.raw, r"*\\Windows\\*");
        assert!(value.quoted);
        assert_eq!(value.text(), r"*\Windows\*");
        let SearchExpr::Compare { value, .. } = &items[1] else {
            panic!()
        };
        assert_eq!(value.text(), "\"a\"");
    }

    #[test]
    fn in_lists_terms_and_comparisons() {
        let e = expr(r#"search f IN ("a*", b) NOT g!=1 TERM(10.0.0.1) "two words" n>=5"#);
        let SearchExpr::And(items) = e else {
            panic!("{e:?}")
        };
        assert!(
            matches!(&items[0], SearchExpr::In { field, values } if field == "f" && values.len() == 2)
        );
        assert!(
            matches!(&items[1], SearchExpr::Not(b) if matches!(**b, SearchExpr::Compare { op: CmpOp::Ne, .. }))
        );
        assert!(
            matches!(&items[2], SearchExpr::TermFn { func: TermFn::Term, text } if text == "10.0.0.1")
        );
        assert!(matches!(&items[3], SearchExpr::Term(v) if v.raw == "two words" && v.quoted));
        assert!(matches!(
            &items[4],
            SearchExpr::Compare { op: CmpOp::Ge, .. }
        ));
    }

    #[test]
    fn subsearch_in_search() {
        let e = expr("search NOT [| inputlookup domains | fields domain]");
        let SearchExpr::Not(inner) = e else { panic!() };
        let SearchExpr::Subsearch(p) = *inner else {
            panic!()
        };
        assert_eq!(p.commands.len(), 2);
    }
}

//! Syntax: the pest grammar (`grammar/spl.pest`) and the typed AST built from it.
//!
//! [`parse`] takes an expanded search (macros already replaced, see [`crate::macros`]) and returns
//! a [`ast::Pipeline`] or a [`Diagnostic`] pointing at the offending text.

pub mod ast;
pub mod build;

use crate::diagnostic::{Diagnostic, Span};
use pest::Parser;
use pest_derive::Parser;

/// The pest parser generated from `grammar/spl.pest`.
#[derive(Parser)]
#[grammar = "../grammar/spl.pest"]
pub struct SplParser;

/// Parse an expanded search into its pipeline.
pub fn parse(spl: &str) -> Result<ast::Pipeline, Diagnostic> {
    let mut pairs = SplParser::parse(Rule::search_string, spl).map_err(|e| pest_error(spl, e))?;
    let top = pairs
        .next()
        .ok_or_else(|| Diagnostic::new("internal error: empty parse"))?;
    let pipeline = top
        .into_inner()
        .find(|p| p.as_rule() == Rule::pipeline)
        .ok_or_else(|| Diagnostic::new("internal error: no pipeline"))?;
    build::pipeline(&pipeline)
}

/// Turn pest's error into a diagnostic with a readable message.
fn pest_error(spl: &str, e: pest::error::Error<Rule>) -> Diagnostic {
    let (start, end) = match e.location {
        pest::error::InputLocation::Pos(p) => (p, p + 1),
        pest::error::InputLocation::Span((a, b)) => (a, b),
    };
    let end = end.min(spl.len()).max(start);
    let found = spl[start.min(spl.len())..]
        .split_whitespace()
        .next()
        .map(|t| {
            let t: String = t.chars().take(30).collect();
            format!("`{t}`")
        })
        .unwrap_or_else(|| "the end of the search".into());
    let message = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut expected: Vec<String> = Vec::new();
            for r in positives {
                let d = describe(*r);
                if !expected.contains(&d.to_string()) {
                    expected.push(d.to_string());
                }
            }
            expected.truncate(6);
            if expected.is_empty() {
                format!("syntax error: unexpected {found}")
            } else {
                format!("syntax error at {found}: expected {}", expected.join(", "))
            }
        }
        pest::error::ErrorVariant::CustomError { message } => message.clone(),
    };
    Diagnostic::new(message).at(spl, Span::new(start, end))
}

/// A readable name for what a grammar rule matches.
fn describe(r: Rule) -> &'static str {
    let name = format!("{r:?}");
    if name.starts_with("kw_") {
        return "a command name";
    }
    match r {
        Rule::EOI => "`|` or the end of the search",
        Rule::quoted | Rule::e_string => "a quoted string",
        Rule::field | Rule::field_word | Rule::sfield | Rule::e_field | Rule::eval_target => {
            "a field name"
        }
        Rule::option | Rule::opt_key | Rule::option_tx => "an option (key=value)",
        Rule::opt_value => "an option value",
        Rule::svalue | Rule::svalue_word | Rule::in_value => "a value",
        Rule::cmp_op | Rule::e_cmp_op => "a comparison (=, !=, <, >)",
        Rule::aggregate | Rule::agg_func | Rule::aggregates => {
            "an aggregation such as count or dc(field)"
        }
        Rule::agg_arg => "a field or eval(...)",
        Rule::search_expr
        | Rule::search_not
        | Rule::search_and
        | Rule::search_or
        | Rule::ts_expr
        | Rule::ts_not => "a search expression",
        Rule::s_and | Rule::s_or | Rule::s_not => "AND, OR or NOT",
        Rule::eval_expr | Rule::e_unary | Rule::e_not | Rule::e_neg | Rule::e_kw_not => {
            "an expression"
        }
        Rule::e_add_op
        | Rule::e_mul_op
        | Rule::e_dot
        | Rule::e_kw_and
        | Rule::e_kw_or
        | Rule::e_kw_xor
        | Rule::e_kw_like
        | Rule::e_kw_in => "an operator",
        Rule::subsearch | Rule::foreach_body => "a subsearch [...]",
        Rule::by_clause => "BY",
        Rule::tstats_from | Rule::dm_spec => "FROM datamodel=...",
        Rule::tstats_where => "WHERE",
        Rule::conversion => "a conversion such as ctime(field)",
        Rule::rename_pair => "`field AS newname`",
        Rule::lookup_field | Rule::lookup_output => "a lookup field or OUTPUT/OUTPUTNEW",
        Rule::count_arg | Rule::integer | Rule::number => "a number",
        Rule::e_call | Rule::e_fname => "a function call",
        Rule::generic_name => "a command name",
        _ => "more input",
    }
}

//! The argument pieces most commands share, collected from a command's pest pair.

use crate::syntax::ast::{Aggregate, Opt, Pipeline};
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;

/// Options, fields, aggregations, `BY` fields, a subsearch, a leading count and quoted strings,
/// in the order written; anything command-specific stays in `rest`.
#[derive(Default)]
pub struct Parts<'i> {
    pub options: Vec<Opt>,
    pub fields: Vec<String>,
    pub aggregates: Vec<Aggregate>,
    pub by: Vec<String>,
    pub subsearch: Option<Pipeline>,
    pub count: Option<u64>,
    pub quoted: Vec<String>,
    /// Whether an `AS` keyword appeared among the fields (`bin _time AS t`).
    pub has_as: bool,
    pub rest: Vec<Pair<'i, Rule>>,
}

impl<'i> Parts<'i> {
    /// Collect the parts of a command pair (its first child, the keyword, is skipped).
    pub fn of(p: &Pair<'i, Rule>) -> BuildResult<Parts<'i>> {
        let mut parts = Parts::default();
        for c in p.clone().into_inner().skip(1) {
            match c.as_rule() {
                Rule::option => parts.options.push(option(&c)?),
                Rule::field | Rule::lookup_name => parts.fields.push(field(&c)),
                Rule::field_list => parts.fields.extend(field_list(&c)),
                Rule::aggregates => {
                    let aggs = aggregates(&c, &mut parts.options)?;
                    parts.aggregates.extend(aggs)
                }
                Rule::by_clause => {
                    let by = by_clause(&c, &mut parts.options)?;
                    parts.by.extend(by)
                }
                Rule::subsearch => parts.subsearch = Some(subsearch(&c)?),
                Rule::count_arg | Rule::integer => {
                    parts.count = Some(c.as_str().parse().map_err(|_| {
                        crate::diagnostic::Diagnostic::new(format!(
                            "count `{}` is too large",
                            c.as_str()
                        ))
                        .at(c.get_input(), span(&c))
                    })?)
                }
                Rule::quoted => parts.quoted.push(quoted(&c)),
                Rule::kw_as => parts.has_as = true,
                _ => parts.rest.push(c),
            }
        }
        Ok(parts)
    }

    /// The subsearch, which the grammar requires for this command.
    pub fn take_subsearch(&mut self, p: &Pair<'_, Rule>) -> BuildResult<Pipeline> {
        self.subsearch.take().ok_or_else(|| unexpected(p))
    }

    /// The first field, which the grammar requires for this command.
    pub fn first_field(&self, p: &Pair<'_, Rule>) -> BuildResult<String> {
        self.fields.first().cloned().ok_or_else(|| unexpected(p))
    }
}

//! `inputlookup`: read a lookup table as results (`append=`, optional `where`).

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Read a lookup table as results (`append=`, optional `where`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inputlookup {
    pub options: Vec<Opt>,
    pub name: String,
    pub where_clause: Option<SearchExpr>,
}

impl Inputlookup {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Inputlookup> {
        let parts = Parts::of(p)?;
        let where_clause = match parts.rest.iter().find(|c| c.as_rule() == Rule::search_expr) {
            Some(e) => Some(search_expr(e)?),
            None => None,
        };
        Ok(Inputlookup {
            name: parts.first_field(p)?,
            options: parts.options,
            where_clause,
        })
    }
}

#[cfg(test)]
mod tests {
    #[allow(unused_imports)]
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command(
            "| inputlookup append=t previously_seen_ec2_launches_by_user.csv where user=bob",
        );
        let CommandKind::Inputlookup(x) = c.kind else {
            panic!("not inputlookup: {c:?}")
        };
        assert_eq!(x.name, "previously_seen_ec2_launches_by_user.csv");
        assert_eq!(x.options.get_opt("append"), Some("t"));
        assert!(x.where_clause.is_some());
    }
}

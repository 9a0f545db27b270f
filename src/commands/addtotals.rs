//! `addtotals`: add a field holding the sum of numeric fields (`fieldname=`).

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Add a field holding the sum of numeric fields (`fieldname=`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Addtotals {
    pub options: Vec<Opt>,
    pub fields: Vec<String>,
}

impl Addtotals {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Addtotals> {
        let parts = Parts::of(p)?;
        Ok(Addtotals {
            options: parts.options,
            fields: parts.fields,
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
        let c = parse_command("| addtotals fieldname=Score, jndi, env_var");
        let CommandKind::Addtotals(x) = c.kind else {
            panic!("not addtotals: {c:?}")
        };
        assert_eq!(x.options.get_opt("fieldname"), Some("Score"));
        assert_eq!(x.fields, vec!["jndi", "env_var"]);
    }
}

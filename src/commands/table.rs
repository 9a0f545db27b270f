//! `table`: keep the listed fields, in the order given (wildcards allowed).

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Keep the listed fields, in the order given (wildcards allowed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub fields: Vec<String>,
}

impl Table {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Table> {
        Ok(Table {
            fields: Parts::of(p)?.fields,
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
        let c = parse_command("| table firstTime, \"Search Name\" dest* user");
        let CommandKind::Table(x) = c.kind else {
            panic!("not table: {c:?}")
        };
        assert_eq!(x.fields, vec!["firstTime", "Search Name", "dest*", "user"]);
    }
}

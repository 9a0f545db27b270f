//! `join`: join the results with a subsearch's on the listed fields (`type=inner|outer|left`, `max=`).

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Join the results with a subsearch's on the listed fields (`type=inner|outer|left`, `max=`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Join {
    pub options: Vec<Opt>,
    pub fields: Vec<String>,
    pub subsearch: Pipeline,
}

impl Join {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Join> {
        let mut parts = Parts::of(p)?;
        let subsearch = parts.take_subsearch(p)?;
        Ok(Join {
            options: parts.options,
            fields: parts.fields,
            subsearch,
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
        let c = parse_command("| join max=0 dest process_guid type=outer [| tstats count from datamodel=Endpoint.Filesystem by Filesystem.dest]");
        let CommandKind::Join(x) = c.kind else {
            panic!("not join: {c:?}")
        };
        assert_eq!(x.fields, vec!["dest", "process_guid"]);
        assert_eq!(x.options.get_opt("type"), Some("outer"));
        assert_eq!(x.subsearch.commands[0].name, "tstats");
    }
}

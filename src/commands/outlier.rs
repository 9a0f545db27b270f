//! `outlier`: remove or transform outlying numeric values (`action=`).

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Remove or transform outlying numeric values (`action=`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outlier {
    pub options: Vec<Opt>,
    pub fields: Vec<String>,
}

impl Outlier {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Outlier> {
        let parts = Parts::of(p)?;
        Ok(Outlier {
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
        let c = parse_command("| outlier action=RM count");
        let CommandKind::Outlier(x) = c.kind else {
            panic!("not outlier: {c:?}")
        };
        assert_eq!(x.fields, vec!["count"]);
    }
}

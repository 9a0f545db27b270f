//! `makeresults`: generate results (`count=`), each with `_time`.

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Generate results (`count=`), each with `_time`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Makeresults {
    pub options: Vec<Opt>,
}

impl Makeresults {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Makeresults> {
        Ok(Makeresults {
            options: Parts::of(p)?.options,
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
        let c = parse_command("| makeresults count=3");
        let CommandKind::Makeresults(x) = c.kind else {
            panic!("not makeresults: {c:?}")
        };
        assert_eq!(x.options.get_opt("count"), Some("3"));
    }
}

//! `tail`: keep the last N results (default 10), in reverse order.

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Keep the last N results (default 10), in reverse order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tail {
    pub count: Option<u64>,
}

impl Tail {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Tail> {
        Ok(Tail {
            count: Parts::of(p)?.count,
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
        let c = parse_command("| tail 3");
        let CommandKind::Tail(x) = c.kind else {
            panic!("not tail: {c:?}")
        };
        assert_eq!(x.count, Some(3));
    }
}

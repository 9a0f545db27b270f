//! `extract`: `extract`/`kv`: extract key-value pairs from `_raw` (`pairdelim=`, `kvdelim=`).

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// `extract`/`kv`: extract key-value pairs from `_raw` (`pairdelim=`, `kvdelim=`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Extract {
    pub options: Vec<Opt>,
    pub fields: Vec<String>,
}

impl Extract {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Extract> {
        let parts = Parts::of(p)?;
        Ok(Extract {
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
        let c = parse_command("| extract pairdelim=\";\" kvdelim=\":\"");
        let CommandKind::Extract(x) = c.kind else {
            panic!("not extract: {c:?}")
        };
        assert_eq!(x.options.get_opt("kvdelim"), Some(":"));
    }
}

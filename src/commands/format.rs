//! `format`: turn results into a search expression string (`(a=1 AND b=2) OR (...)`).

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Turn results into a search expression string (`(a=1 AND b=2) OR (...)`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Format {
    pub options: Vec<Opt>,
    /// Positional row/column prefixes, separators and suffixes.
    pub strings: Vec<String>,
}

impl Format {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Format> {
        let parts = Parts::of(p)?;
        Ok(Format {
            options: parts.options,
            strings: parts.quoted,
        })
    }
}

unsupported_command!(
    Format,
    "Turn results into a search expression string (`(a=1 AND b=2) OR (...)`)."
);

#[cfg(test)]
mod tests {
    #[allow(unused_imports)]
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| format maxresults=10 \"(\" \"\" \"AND\" \"\" \"OR\" \")\"");
        let CommandKind::Format(x) = c.kind else {
            panic!("not format: {c:?}")
        };
        assert_eq!(x.strings.len(), 6);
        assert_eq!(x.options.get_opt("maxresults"), Some("10"));
    }
}

//! `bin`: `bin`/`bucket`: put numeric or time values into discrete sets (`span=`).

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// `bin`/`bucket`: put numeric or time values into discrete sets (`span=`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bin {
    pub options: Vec<Opt>,
    pub field: String,
    /// `AS newname`.
    pub alias: Option<String>,
}

impl Bin {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Bin> {
        let parts = Parts::of(p)?;
        let field = parts.first_field(p)?;
        let alias = if parts.has_as {
            parts.fields.get(1).cloned()
        } else {
            None
        };
        Ok(Bin {
            options: parts.options,
            field,
            alias,
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
        let c = parse_command("| bucket _time as bin_time span=10m");
        let CommandKind::Bin(x) = c.kind else {
            panic!("not bin: {c:?}")
        };
        assert_eq!(x.field, "_time");
        assert_eq!(x.alias.as_deref(), Some("bin_time"));
        assert_eq!(x.options.get_opt("span"), Some("10m"));
    }
}

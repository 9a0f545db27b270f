//! `iplocation`: add location fields for an IP address field (`prefix=`).

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Add location fields for an IP address field (`prefix=`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Iplocation {
    pub options: Vec<Opt>,
    pub field: String,
}

impl Iplocation {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Iplocation> {
        let parts = Parts::of(p)?;
        Ok(Iplocation {
            field: parts.first_field(p)?,
            options: parts.options,
        })
    }
}

unsupported_command!(
    Iplocation,
    "Add location fields for an IP address field (`prefix=`)."
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| iplocation prefix=auth_ dest");
        let CommandKind::Iplocation(x) = c.kind else {
            panic!("not iplocation: {c:?}")
        };
        assert_eq!(x.field, "dest");
        assert_eq!(x.options.get_opt("prefix"), Some("auth_"));
    }
}

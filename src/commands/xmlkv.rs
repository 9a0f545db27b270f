//! `xmlkv`: extract XML key-value pairs from a field (default `_raw`).

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Extract XML key-value pairs from a field (default `_raw`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Xmlkv {
    pub options: Vec<Opt>,
    pub field: Option<String>,
}

impl Xmlkv {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Xmlkv> {
        let parts = Parts::of(p)?;
        Ok(Xmlkv {
            field: parts.fields.first().cloned(),
            options: parts.options,
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
        let c = parse_command("| xmlkv UserData_Xml");
        let CommandKind::Xmlkv(x) = c.kind else {
            panic!("not xmlkv: {c:?}")
        };
        assert_eq!(x.field.as_deref(), Some("UserData_Xml"));
    }
}

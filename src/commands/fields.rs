//! `fields`: keep (`+`, the default) or remove (`-`) fields; wildcards allowed.

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `fields` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fields {
    /// True for `fields - ...`.
    pub remove: bool,
    pub fields: Vec<String>,
}

impl Fields {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Fields> {
        let parts = Parts::of(p)?;
        let remove = parts
            .rest
            .iter()
            .any(|c| c.as_rule() == Rule::fields_mode && c.as_str() == "-");
        Ok(Fields {
            remove,
            fields: parts.fields,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn keep_and_remove() {
        let CommandKind::Fields(f) = parse_command("| fields - req_* auth_*").kind else {
            panic!()
        };
        assert!(f.remove);
        assert_eq!(f.fields, vec!["req_*", "auth_*"]);
        let CommandKind::Fields(f) = parse_command("| fields + dest_mac").kind else {
            panic!()
        };
        assert!(!f.remove);
        let CommandKind::Fields(f) = parse_command("| fields a,b c").kind else {
            panic!()
        };
        assert_eq!(f.fields, vec!["a", "b", "c"]);
    }
}

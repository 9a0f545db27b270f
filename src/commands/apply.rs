//! `apply`: apply a trained machine-learning model (Splunk MLTK).

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Apply a trained machine-learning model (Splunk MLTK).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Apply {
    pub model: String,
    pub options: Vec<Opt>,
    /// `AS name`.
    pub alias: Option<String>,
}

impl Apply {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Apply> {
        let parts = Parts::of(p)?;
        let alias = if parts.has_as {
            parts.fields.get(1).cloned()
        } else {
            None
        };
        Ok(Apply {
            model: parts.first_field(p)?,
            options: parts.options,
            alias,
        })
    }
}

unsupported_command!(
    Apply,
    "Apply a trained machine-learning model (Splunk MLTK)."
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| apply cmdline_pdfmodel threshold=0.01");
        let CommandKind::Apply(x) = c.kind else {
            panic!("not apply: {c:?}")
        };
        assert_eq!(x.model, "cmdline_pdfmodel");
        assert_eq!(x.options.get_opt("threshold"), Some("0.01"));
    }
}

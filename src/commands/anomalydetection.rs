//! `anomalydetection`: find anomalous values of fields (`action=`).

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Find anomalous values of fields (`action=`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Anomalydetection {
    pub options: Vec<Opt>,
    pub fields: Vec<String>,
}

impl Anomalydetection {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Anomalydetection> {
        let parts = Parts::of(p)?;
        Ok(Anomalydetection {
            options: parts.options,
            fields: parts.fields,
        })
    }
}

unsupported_command!(
    Anomalydetection,
    "Find anomalous values of fields (`action=`)."
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| anomalydetection \"count\" \"user_type\" action=annotate");
        let CommandKind::Anomalydetection(x) = c.kind else {
            panic!("not anomalydetection: {c:?}")
        };
        assert_eq!(x.fields, vec!["count", "user_type"]);
        assert_eq!(x.options.get_opt("action"), Some("annotate"));
    }
}

//! `fit`: train a machine-learning model (Splunk MLTK); kept as algorithm, fields and options.

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `fit` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fit {
    pub algorithm: String,
    pub fields: Vec<String>,
    pub options: Vec<Opt>,
}

impl Fit {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Fit> {
        let mut parts = Parts::of(p)?;
        if parts.fields.is_empty() {
            return Err(unexpected(p));
        }
        let algorithm = parts.fields.remove(0);
        Ok(Fit {
            algorithm,
            fields: parts.fields,
            options: parts.options,
        })
    }
}

unsupported_command!(
    Fit,
    "Train a machine-learning model (Splunk MLTK); kept as algorithm, fields and options."
);

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses() {
        let CommandKind::Fit(f) = parse_command("| fit DensityFunction count by user into m1").kind
        else {
            panic!()
        };
        assert_eq!(f.algorithm, "DensityFunction");
    }
}

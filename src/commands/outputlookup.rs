//! `outputlookup`: write the results to a lookup table.

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Write the results to a lookup table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outputlookup {
    pub options: Vec<Opt>,
    pub name: String,
}

impl Outputlookup {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Outputlookup> {
        let parts = Parts::of(p)?;
        Ok(Outputlookup {
            name: parts.first_field(p)?,
            options: parts.options,
        })
    }
}

unsupported_command!(
    Outputlookup,
    "Write the results to a lookup table (not run: spelunk never writes lookup tables).",
    why: ": spelunk does not write lookups"
);

#[cfg(test)]
mod exec_tests {
    #[test]
    fn outputlookup_is_reported_unsupported_at_its_position() {
        let spl = "| fields a | outputlookup x.csv";
        let e = crate::testkit::try_run_on(polars::prelude::DataFrame::empty(), spl).unwrap_err();
        assert!(e.message.contains("spelunk does not write lookups"), "{e}");
        assert_eq!(e.span.map(|s| &spl[s.start..s.end]), Some("outputlookup"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| outputlookup append=true previously_seen_aws_regions.csv");
        let CommandKind::Outputlookup(x) = c.kind else {
            panic!("not outputlookup: {c:?}")
        };
        assert_eq!(x.name, "previously_seen_aws_regions.csv");
        assert_eq!(x.options.get_opt("append"), Some("true"));
    }
}

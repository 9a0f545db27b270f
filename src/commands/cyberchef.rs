//! `cyberchef`: run a CyberChef recipe on a field (a Splunkbase app's command). Its
//! `jsonrecipe=` holds unescaped quotes in the corpus, so the arguments are kept as raw text.

use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `cyberchef` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cyberchef {
    pub args: String,
}

impl Cyberchef {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Cyberchef> {
        Ok(Cyberchef {
            args: child(p, Rule::raw_args)?.as_str().trim().to_string(),
        })
    }
}

unsupported_command!(
    Cyberchef,
    "Run a CyberChef recipe on a field (a Splunkbase app's command). Its"
);

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn raw_arguments() {
        let c = parse_command(
            r#"| cyberchef infield="a" jsonrecipe="[{"op":"From Punycode","args":[true]}]""#,
        );
        let CommandKind::Cyberchef(x) = c.kind else {
            panic!()
        };
        assert!(x.args.starts_with("infield="));
    }
}

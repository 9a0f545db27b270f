//! A command this grammar does not know: kept as its name and raw argument text, so that the
//! search still parses and execution can report "unsupported command X at line:col".

use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// An unknown command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Generic {
    pub name: String,
    pub args: String,
}

impl Generic {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Generic> {
        Ok(Generic {
            name: child(p, Rule::generic_name)?.as_str().to_string(),
            args: child(p, Rule::raw_args)?.as_str().trim().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn unknown_commands_keep_name_and_arguments() {
        let c = parse_command(r#"| frobnicate a=1 "x | y" [search z] b"#);
        let CommandKind::Generic(g) = c.kind else {
            panic!()
        };
        assert_eq!(g.name, "frobnicate");
        assert_eq!(g.args, r#"a=1 "x | y" [search z] b"#);
    }
}

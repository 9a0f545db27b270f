//! `fieldformat`: format a field's displayed value with an eval expression.

use super::eval::{assignments, Assignment};
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `fieldformat` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fieldformat {
    pub assignments: Vec<Assignment>,
}

impl Fieldformat {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Fieldformat> {
        Ok(Fieldformat {
            assignments: assignments(p)?,
        })
    }
}

use crate::diagnostic::Diagnostic;
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::LazyFrame;

/// Run `fieldformat`: spelunk renders the formatted value in place of the value.
fn execute(
    lf: LazyFrame,
    f: &Fieldformat,
    _c: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    crate::expr::eval::apply_eval(lf, &f.assignments, &ctx.text, ctx.now, &ctx.tz)
}

opaque_command!(Fieldformat, "Format a field's displayed value with an eval expression.", options: None);

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses() {
        let c = parse_command(r#"| fieldformat t=strftime(t, "%Y")"#);
        let CommandKind::Fieldformat(f) = c.kind else {
            panic!()
        };
        assert_eq!(f.assignments[0].field, "t");
    }
}

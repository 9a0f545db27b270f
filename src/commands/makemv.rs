//! `makemv`: split a field's value into a multivalue field (`delim=`, `tokenizer=`).

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Split a field's value into a multivalue field (`delim=`, `tokenizer=`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Makemv {
    pub options: Vec<Opt>,
    pub field: String,
}

impl Makemv {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Makemv> {
        let parts = Parts::of(p)?;
        Ok(Makemv {
            field: parts.first_field(p)?,
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
        let c = parse_command("| makemv delim=\" \" answer");
        let CommandKind::Makemv(x) = c.kind else {
            panic!("not makemv: {c:?}")
        };
        assert_eq!(x.field, "answer");
        assert_eq!(x.options.get_opt("delim"), Some(" "));
    }
}

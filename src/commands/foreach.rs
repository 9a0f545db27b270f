//! `foreach`: run a templated sub-pipeline once per matching field, with `<<FIELD>>` and
//! `<<MATCHSTR>>` replaced.

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `foreach` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Foreach {
    pub options: Vec<Opt>,
    /// Field patterns (wildcards).
    pub fields: Vec<String>,
    /// The template commands, parsed with the template tokens in place.
    pub body: Vec<Command>,
    /// The template's source text, for substitution before running.
    pub body_text: String,
}

impl Foreach {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Foreach> {
        let parts = Parts::of(p)?;
        let mut body = Vec::new();
        let mut body_text = String::new();
        for c in &parts.rest {
            if c.as_rule() != Rule::foreach_body {
                return Err(unexpected(c));
            }
            let s = c.as_str();
            body_text = s
                .get(1..s.len().saturating_sub(1))
                .unwrap_or("")
                .trim()
                .to_string();
            for cmd in c.clone().into_inner() {
                body.push(super::build_command(&cmd)?);
            }
        }
        Ok(Foreach {
            options: parts.options,
            fields: parts.fields,
            body,
            body_text,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn template_body() {
        let c = parse_command(
            r#"| foreach * [ eval <<FIELD>> = if(<<FIELD>>="null",null(),<<FIELD>>)]"#,
        );
        let CommandKind::Foreach(f) = c.kind else {
            panic!()
        };
        assert_eq!(f.fields, vec!["*"]);
        assert_eq!(f.body[0].name, "eval");
        assert!(f.body_text.starts_with("eval <<FIELD>>"));
    }
}

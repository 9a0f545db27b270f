//! `foreach`: run a templated sub-pipeline once per matching field, with `<<FIELD>>` and
//! `<<MATCHSTR>>` replaced.

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

use crate::diagnostic::Diagnostic;
use crate::frame::schema_of;
use crate::plan::operator::At;
use crate::runtime::Context;
use crate::syntax::ast::Command;
use polars::prelude::LazyFrame;

/// Run `foreach`: for each field matching the patterns (in column order), substitute
/// `<<FIELD>>` (the field name) and `<<MATCHSTR>>` (the part matched by the wildcard) in the
/// template, parse it, and run it over the results.
fn execute(mut lf: LazyFrame, f: &Foreach, c: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    let schema = schema_of(&mut lf, "foreach", c.span, ctx)?;
    let mut done: Vec<String> = Vec::new();
    for pattern in &f.fields {
        let re = crate::frame::wildcard_regex(pattern);
        for name in crate::frame::matching_columns(&schema, pattern) {
            if done.contains(&name) {
                continue;
            }
            done.push(name.clone());
            let matchstr = re
                .as_ref()
                .and_then(|r| r.captures(&name))
                .and_then(|cap| cap.get(1).map(|m| m.as_str().to_string()))
                .unwrap_or_else(|| name.clone());
            let body = f
                .body_text
                .replace("<<FIELD>>", &name)
                .replace("<<MATCHSTR>>", &matchstr)
                .replace("<<ITEM>>", &name);
            let spl = format!("| {body}");
            let pipeline = crate::syntax::parse(&spl).map_err(|e| {
                ctx.error(
                    format!(
                        "`foreach` template for field `{name}` does not parse: {}",
                        e.message
                    ),
                    c.span,
                )
            })?;
            let plan = crate::commands::lower_pipeline(&pipeline, &spl)?;
            let sub_ctx = ctx.with_text(spl.clone());
            lf = sub_ctx.run_plan_on(lf, &plan)?;
        }
    }
    Ok(lf)
}

opaque_command!(Foreach, "Run a templated sub-pipeline once per matching field, `<<FIELD>>` and `<<MATCHSTR>>` replaced.", options: None, field: options);

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn template_runs_per_matching_field() {
        let df = df!("count_a" => [Some("x"), None], "count_b" => [None::<&str>, Some("y")], "other" => ["o", "o"]).unwrap();
        let out = crate::testkit::run_on(
            df,
            "| foreach count_* [fillnull value=<<MATCHSTR>> <<FIELD>>]",
        );
        assert_eq!(
            out.column("count_a").unwrap().str().unwrap().get(1),
            Some("a")
        );
        assert_eq!(
            out.column("count_b").unwrap().str().unwrap().get(0),
            Some("b")
        );
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

//! `map`: run a search once per result, substituting `$field$` tokens (`search=`, `maxsearches=`).

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Run a search once per result, substituting `$field$` tokens (`search=`, `maxsearches=`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Map {
    pub options: Vec<Opt>,
    pub subsearch: Option<Pipeline>,
    /// The subsearch as written: `$field$` tokens are replaced in it, as Splunk's `map` does.
    #[serde(skip)]
    pub subsearch_text: Option<String>,
    /// `map <name>`: a saved search to run per result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saved: Option<String>,
}

impl Map {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Map> {
        let parts = Parts::of(p)?;
        let subsearch_text = p
            .clone()
            .into_inner()
            .find(|c| c.as_rule() == Rule::subsearch)
            .map(|s| {
                let t = s.as_str().trim();
                t.strip_prefix('[')
                    .and_then(|t| t.strip_suffix(']'))
                    .unwrap_or(t)
                    .to_string()
            });
        Ok(Map {
            options: parts.options,
            subsearch: parts.subsearch,
            subsearch_text,
            saved: parts.fields.first().cloned(),
        })
    }
}

use crate::diagnostic::Diagnostic;
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::{IntoLazy, LazyFrame};

/// Run `map`: for each result (at most `maxsearches=`, default 10), replace `$field$` tokens
/// in the search with the result's values, run it, and return all the searches' results.
fn execute(lf: LazyFrame, m: &Map, c: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    let template = match (m.options.get_opt("search"), &m.subsearch_text) {
        (Some(s), _) => s.to_string(),
        (None, Some(t)) => t.clone(),
        (None, None) => {
            return Err(ctx.error("`map` needs search=\"...\" or a [subsearch]", c.span))
        }
    };
    let max: usize = match m.options.get_opt("maxsearches") {
        Some(v) => v
            .parse()
            .map_err(|_| ctx.error(format!("invalid maxsearches `{v}`"), c.span))?,
        None => 10,
    };
    let input = lf
        .collect()
        .map_err(|e| ctx.polars_error("map", c.span, e))?;
    let mut out = crate::frame::no_results();
    for i in 0..input.height().min(max) {
        let mut spl = template.clone();
        for column in input.columns() {
            let token = format!("${}$", column.name());
            if spl.contains(&token) {
                spl = spl.replace(&token, &crate::frame::values_at(column, i).join(" "));
            }
        }
        let (expanded, pipeline) = crate::parse_search(&spl, &ctx.macros).map_err(|e| {
            ctx.error(
                format!("`map` search does not parse: {}", e.message),
                c.span,
            )
        })?;
        let plan = crate::commands::lower_pipeline(&pipeline, &expanded)?;
        let sub_ctx = ctx.with_text(expanded);
        let df = sub_ctx.run_plan(&plan)?;
        out =
            crate::frame::append_frames(out, df).map_err(|e| ctx.polars_error("map", c.span, e))?;
    }
    Ok(out.lazy())
}

impl crate::commands::SplCommand for Map {
    const DOC: &'static str = "Run a search once per result, with `$field$` tokens replaced by its values (`search=`, `maxsearches=`).";
    const OPTIONS: Option<&'static [&'static str]> = Some(&["search", "maxsearches"]);

    fn options(&self) -> &[Opt] {
        &self.options
    }

    fn lower(
        &self,
        c: &Command,
        input: crate::plan::Node,
        cx: &mut crate::commands::Lower,
    ) -> Result<crate::plan::Node, Diagnostic> {
        // Search Reference, map: `map mytimebased_savedsearch` runs a saved search; spelunk has
        // none, so the name is an error that says so (as `from savedsearch:NAME`).
        if let Some(name) = &self.saved {
            return Err(cx.error(
                format!("`map {name}`: there is no saved search named `{name}` (spelunk has no saved searches; write the search with search=\"...\", or a macro)"),
                c.span,
            ));
        }
        Ok(cx.opaque(self.clone(), c, input))
    }
}
runs_execute!(Map);

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn no_input_gives_no_results_that_later_commands_keep_empty() {
        let df = df!("n" => ["2"]).unwrap().head(Some(0));
        let out = crate::testkit::run_on(
            df.clone(),
            r#"| map search="| makeresults count=$n$" | eval x=1 | stats count by x"#,
        );
        assert_eq!(out.height(), 0);
        let out = crate::testkit::run_on(
            df,
            r#"| map search="| makeresults count=$n$" | stats count"#,
        );
        assert_eq!(out.height(), 1);
        let n = out.column("count").unwrap().cast(&DataType::Int64).unwrap();
        assert_eq!(n.i64().unwrap().get(0), Some(0));
    }

    #[test]
    fn a_saved_search_name_is_an_error_naming_it() {
        let df = df!("n" => ["2"]).unwrap();
        let e = crate::testkit::try_run_on(df, "| map mytimebased_savedsearch").unwrap_err();
        assert!(
            e.message
                .contains("no saved search named `mytimebased_savedsearch`"),
            "{}",
            e.message
        );
        assert!(e.to_string().contains("1:"), "{e}");
    }

    #[test]
    fn runs_once_per_result_with_tokens() {
        let df = df!("n" => ["2", "3"]).unwrap();
        let out = crate::testkit::run_on(df, r#"| map search="| makeresults count=$n$""#);
        assert_eq!(out.height(), 5);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command(
            "| map maxsearches=70 search=\"search EventCode=4624 TargetLogonId=$TargetLogonId$\"",
        );
        let CommandKind::Map(x) = c.kind else {
            panic!("not map: {c:?}")
        };
        assert_eq!(x.options.get_opt("maxsearches"), Some("70"));
        assert_eq!(
            x.options.get_opt("search"),
            Some("search EventCode=4624 TargetLogonId=$TargetLogonId$")
        );
    }
}

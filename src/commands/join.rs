//! `join`: join the results with a subsearch's on the listed fields (`type=inner|outer|left`, `max=`).

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Join the results with a subsearch's on the listed fields (`type=inner|outer|left`, `max=`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Join {
    pub options: Vec<Opt>,
    pub fields: Vec<String>,
    pub subsearch: Pipeline,
}

impl Join {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Join> {
        let mut parts = Parts::of(p)?;
        let subsearch = parts.take_subsearch(p)?;
        Ok(Join {
            options: parts.options,
            fields: parts.fields,
            subsearch,
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
        let c = parse_command("| join max=0 dest process_guid type=outer [| tstats count from datamodel=Endpoint.Filesystem by Filesystem.dest]");
        let CommandKind::Join(x) = c.kind else {
            panic!("not join: {c:?}")
        };
        assert_eq!(x.fields, vec!["dest", "process_guid"]);
        assert_eq!(x.options.get_opt("type"), Some("outer"));
        assert_eq!(x.subsearch.commands[0].name, "tstats");
    }
}

use crate::diagnostic::Diagnostic;
#[allow(unused_imports)]
use crate::exec::{schema_of, Context};
#[allow(unused_imports)]
use crate::syntax::ast::Command;
#[allow(unused_imports)]
use polars::prelude::{
    col, lit, DataType, IntoLazy, LazyFrame, SortMultipleOptions, UniqueKeepStrategy, NULL,
};
use polars::prelude::{when, JoinArgs, JoinType, PlSmallStr};

const RIGHT_SUFFIX: &str = "__spelunk_join_right";

/// Run `join`: combine each result with the subsearch's results that have the same values in the
/// join fields (all common fields when none are listed). `type=inner` (default) keeps matched
/// results only; `left`/`outer` keep every result. `max=1` (default) takes the first matching
/// subsearch result, `max=0` all of them. Subsearch values overwrite the result's own
/// (Splunk's `overwrite=true`).
pub(crate) fn execute(
    mut lf: LazyFrame,
    j: &Join,
    c: &Command,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let right = crate::exec::run(&j.subsearch, ctx)?;
    let left_schema = schema_of(&mut lf, "join", c.span, ctx)?;
    let right_schema = right.schema().clone();
    let keys: Vec<String> = if j.fields.is_empty() {
        left_schema
            .iter_names()
            .filter(|n| right_schema.contains(n))
            .map(|n| n.to_string())
            .collect()
    } else {
        j.fields.clone()
    };
    let how = match j.options.get_opt("type").map(|t| t.to_ascii_lowercase()) {
        None => JoinType::Inner,
        Some(t) if t == "inner" => JoinType::Inner,
        Some(t) if t == "left" || t == "outer" => JoinType::Left,
        Some(t) => return Err(ctx.error(format!("unsupported join type `{t}`"), c.span)),
    };
    let max: usize = match j.options.get_opt("max") {
        Some(v) => v
            .parse()
            .map_err(|_| ctx.error(format!("invalid max `{v}`"), c.span))?,
        None => 1,
    };
    let missing = keys.is_empty()
        || keys
            .iter()
            .any(|k| !left_schema.contains(k) || !right_schema.contains(k));
    if missing {
        // No result can match.
        return Ok(if how == JoinType::Inner {
            lf.filter(lit(false))
        } else {
            lf
        });
    }
    let text = |k: &String, schema: &polars::prelude::Schema| {
        let dt = schema.get(k).cloned().unwrap_or(DataType::String);
        crate::exec::text_expr(col(k.as_str()), &dt).alias(k.as_str())
    };
    lf = lf.with_columns(
        keys.iter()
            .map(|k| text(k, &left_schema))
            .collect::<Vec<_>>(),
    );
    let mut r = right.lazy().with_columns(
        keys.iter()
            .map(|k| text(k, &right_schema))
            .collect::<Vec<_>>(),
    );
    if max == 1 {
        r = r.unique_stable(
            Some(polars::prelude::cols(
                keys.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            )),
            UniqueKeepStrategy::First,
        );
    } else if max > 1 {
        return Err(ctx.error(
            "`join max=N` with N > 1 is not supported yet (max=1 and max=0 are)",
            c.span,
        ));
    }
    let on: Vec<_> = keys.iter().map(|k| col(k.as_str())).collect();
    let args = JoinArgs::new(how).with_suffix(Some(PlSmallStr::from_static(RIGHT_SUFFIX)));
    let mut out = lf.join(r, on.clone(), on, args);
    // Overlapping fields: the subsearch's value wins where it has one.
    let overlap: Vec<String> = right_schema
        .iter_names()
        .filter(|n| left_schema.contains(n) && !keys.iter().any(|k| k == n.as_str()))
        .map(|n| n.to_string())
        .collect();
    if !overlap.is_empty() {
        let fixes: Vec<_> = overlap
            .iter()
            .map(|n| {
                let r = col(format!("{n}{RIGHT_SUFFIX}").as_str());
                when(r.clone().is_not_null())
                    .then(r)
                    .otherwise(col(n.as_str()))
                    .alias(n.as_str())
            })
            .collect();
        let drops: Vec<String> = overlap
            .iter()
            .map(|n| format!("{n}{RIGHT_SUFFIX}"))
            .collect();
        out = out.with_columns(fixes).drop(polars::prelude::cols(drops));
    }
    Ok(out)
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn inner_and_left_join_on_text_values() {
        // makeresults' _time (1700000000.0 in tests) renamed to guid joins with the text "1700000000".
        let df = df!("guid" => ["1700000000", "b", "c"], "v" => ["1", "2", "3"]).unwrap();
        let sub = "[| makeresults count=2 | rename _time as guid]";
        let out = crate::exec::testing::run_on(df.clone(), &format!("| join guid {sub}"));
        assert_eq!(out.height(), 1);
        assert_eq!(out.column("v").unwrap().str().unwrap().get(0), Some("1"));
        let out = crate::exec::testing::run_on(df.clone(), &format!("| join max=0 guid {sub}"));
        assert_eq!(out.height(), 2);
        let out = crate::exec::testing::run_on(df.clone(), &format!("| join type=left guid {sub}"));
        assert_eq!(out.height(), 3);
        let out = crate::exec::testing::run_on(df, "| join nosuch [| makeresults]");
        assert_eq!(out.height(), 0);
    }
}

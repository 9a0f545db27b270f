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
    // Search Reference, foreach: the placeholders can be renamed (`fieldstr=`, `matchstr=`,
    // `matchseg1=`..`matchseg3=`, `itemstr=`, `iterstr=`).
    let name_of = |opt: &str, default: &str| f.options.get_opt(opt).unwrap_or(default).to_string();
    let fieldstr = name_of("fieldstr", "<<FIELD>>");
    let matchstr = name_of("matchstr", "<<MATCHSTR>>");
    let segs: Vec<String> = (1..=3)
        .map(|i| name_of(&format!("matchseg{i}"), &format!("<<MATCHSEG{i}>>")))
        .collect();
    let itemstr = name_of("itemstr", "<<ITEM>>");
    let iterstr = name_of("iterstr", "<<ITER>>");
    let mode = f
        .options
        .get_opt("mode")
        .unwrap_or("multifield")
        .to_ascii_lowercase();
    let run = |lf: LazyFrame, body: &str, name: &str| -> Result<LazyFrame, Diagnostic> {
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
        sub_ctx.run_plan_on(lf, &plan)
    };
    match mode.as_str() {
        "multifield" => {}
        "multivalue" => {
            let [field] = f.fields.as_slice() else {
                return Err(ctx.error(
                    "`foreach mode=multivalue` iterates over the values of one multivalue field",
                    c.span,
                ));
            };
            return multivalue(lf, f, field, (&itemstr, &iterstr), c, ctx, &run);
        }
        m => {
            let msg = "is not supported yet (mode=multifield and mode=multivalue are)";
            return Err(ctx.error(format!("`foreach mode={m}` {msg}"), c.span));
        }
    }
    let schema = schema_of(&mut lf, "foreach", c.span, ctx)?;
    let mut done: Vec<String> = Vec::new();
    for pattern in &f.fields {
        let re = crate::frame::wildcard_regex(pattern);
        for name in crate::frame::matching_columns(&schema, pattern) {
            if done.contains(&name) {
                continue;
            }
            done.push(name.clone());
            let caps: Vec<String> = re
                .as_ref()
                .and_then(|r| r.captures(&name))
                .map(|cap| {
                    cap.iter()
                        .skip(1)
                        .map(|m| m.map(|m| m.as_str().to_string()).unwrap_or_default())
                        .collect()
                })
                .unwrap_or_default();
            let whole = caps.first().cloned().unwrap_or_else(|| name.clone());
            let mut body = f
                .body_text
                .replace(&fieldstr, &name)
                .replace(&matchstr, &whole);
            for (i, seg) in segs.iter().enumerate() {
                body = body.replace(seg, caps.get(i).map(String::as_str).unwrap_or(""));
            }
            let body = body.replace(&itemstr, &name);
            lf = run(lf, &body, &name)?;
        }
    }
    Ok(lf)
}

/// `mode=multivalue`: the template once per value of the field, `<<ITEM>>` the value
/// (`mvindex(field, i)`) and `<<ITER>>` its position from 0, on the results that have an i-th
/// value; the results keep their order.
fn multivalue(
    lf: LazyFrame,
    f: &Foreach,
    field: &str,
    (itemstr, iterstr): (&str, &str),
    c: &At,
    ctx: &Context,
    run: &dyn Fn(LazyFrame, &str, &str) -> Result<LazyFrame, Diagnostic>,
) -> Result<LazyFrame, Diagnostic> {
    use polars::prelude::{BooleanChunked, IntoLazy, SortMultipleOptions};
    const ROW: &str = "__spelunk_foreach_row";
    let err = |e| ctx.polars_error("foreach", c.span, e);
    let mut df = lf
        .collect()
        .map_err(err)?
        .with_row_index(ROW.into(), None)
        .map_err(err)?;
    let counts: Vec<usize> = match df.column(field) {
        Ok(col) => (0..df.height())
            .map(|i| crate::frame::values_at(col, i).len())
            .collect(),
        Err(_) => vec![0; df.height()],
    };
    let quoted = format!("'{}'", field.replace('\'', "\\'"));
    for k in 0..counts.iter().copied().max().unwrap_or(0) {
        let mask: BooleanChunked = counts.iter().map(|n| *n > k).collect();
        let others: BooleanChunked = counts.iter().map(|n| *n <= k).collect();
        let these = df.filter(&mask).map_err(err)?;
        let rest = df.filter(&others).map_err(err)?;
        let body = f
            .body_text
            .replace(itemstr, &format!("mvindex({quoted}, {k})"))
            .replace(iterstr, &k.to_string());
        let these = run(these.lazy(), &body, field)?.collect().map_err(err)?;
        df = crate::frame::append_frames(these, rest)
            .map_err(err)?
            .sort([ROW], SortMultipleOptions::default())
            .map_err(err)?;
    }
    Ok(df.drop(ROW).map_err(err)?.lazy())
}

opaque_command!(Foreach, "Run a templated sub-pipeline once per matching field, `<<FIELD>>` and `<<MATCHSTR>>` replaced (`mode=multivalue`: once per value, `<<ITEM>>`).", options: Some(&["mode", "fieldstr", "matchstr", "matchseg1", "matchseg2", "matchseg3", "itemstr", "iterstr"]), field: options);

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn multivalue_mode_runs_once_per_value() {
        // Search Reference, foreach: `foreach mode=multivalue mvfield [eval total = total + <<ITEM>>]`.
        let df = df!("k" => ["a", "b", "c"]).unwrap();
        let out = crate::testkit::run_on(
            df,
            r#"| eval mvfield=case(k="a", mvappend("1", "2", "3"), k="b", "10"), total=0 | foreach mode=multivalue mvfield [eval total = total + <<ITEM>>] | table k total"#,
        );
        let k: Vec<_> = out
            .column("k")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(k, ["a", "b", "c"]);
        let t = out
            .column("total")
            .unwrap()
            .cast(&DataType::Float64)
            .unwrap();
        let t: Vec<_> = t.f64().unwrap().iter().collect();
        assert_eq!(t, [Some(6.0), Some(10.0), Some(0.0)]);
    }

    #[test]
    fn renamed_placeholders_and_match_segments() {
        // Search Reference, foreach: `foreach foo*bar* fieldstr="#field#" matchseg2="#matchseg2#"
        // [eval #field# = "#matchseg2#"]`.
        let df = df!("foo1bar2" => ["x"], "fooAbarB" => ["y"]).unwrap();
        let out = crate::testkit::run_on(
            df,
            r##"| foreach foo*bar* fieldstr="#field#" matchseg2="#matchseg2#" [eval #field# = "#matchseg2#"]"##,
        );
        assert_eq!(
            out.column("foo1bar2").unwrap().str().unwrap().get(0),
            Some("2")
        );
        assert_eq!(
            out.column("fooAbarB").unwrap().str().unwrap().get(0),
            Some("B")
        );
        let e = crate::testkit::try_run_on(
            df!("a" => ["1"]).unwrap(),
            "| foreach mode=json_array a [eval x=1]",
        )
        .unwrap_err();
        assert!(e.message.contains("mode=json_array"), "{}", e.message);
    }

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

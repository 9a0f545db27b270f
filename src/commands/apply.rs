//! `apply`: apply a trained machine-learning model (Splunk MLTK) to results. spelunk applies
//! DensityFunction models that `fit` saved: `apply <model> [threshold=... |
//! lower_threshold=... upper_threshold=...] [show_density=true]`; and DSDL models through the
//! external scorer configured for them ([`crate::mltk::dsdl`]).

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Apply a trained machine-learning model (Splunk MLTK).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Apply {
    pub model: String,
    pub options: Vec<Opt>,
    /// `AS name`.
    pub alias: Option<String>,
}

impl Apply {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Apply> {
        let parts = Parts::of(p)?;
        let alias = if parts.has_as {
            parts.fields.get(1).cloned()
        } else {
            None
        };
        Ok(Apply {
            model: parts.first_field(p)?,
            options: parts.options,
            alias,
        })
    }
}

// ---------- semantics ----------

use crate::commands::Lower;
use crate::diagnostic::Diagnostic;
use crate::mltk::density::Threshold;
use crate::plan::operator::At;
use crate::plan::Node;
use crate::runtime::Context;
use polars::prelude::{IntoLazy, LazyFrame};

/// The error for a model that does not exist, at `span`: how to create it. DSDL models get one
/// message (their name in the note), so that `spelunk check` counts them as one reason.
pub(crate) fn missing_model_error(
    name: &str,
    ctx: &Context,
    span: crate::diagnostic::Span,
) -> Diagnostic {
    if let Some(why) = crate::mltk::dsdl_model_hint(name) {
        let mut d = ctx.error(
            "pretrained deep-learning models of the Splunk App for Data Science and Deep Learning (DSDL) cannot run in spelunk without a scorer",
            span,
        );
        d.notes.push(why);
        return d;
    }
    ctx.error(missing_model(name, ctx), span)
}

/// The message for a model that does not exist: how to create it.
fn missing_model(name: &str, ctx: &Context) -> String {
    let how = match crate::mltk::baselines::for_model(name) {
        Some(b) => format!(
            "create it by running the baseline search \"{}\" (spelunk ships it: baselines/ in its repository; `spelunk check` and `spelunk test` run it before the detection), or your own `... | fit DensityFunction <field> into {name}`",
            b.name
        ),
        None => format!("create it with `... | fit DensityFunction <field> into {name}`"),
    };
    let whence = if ctx.models.on_disk() {
        format!("in {}", ctx.models.location())
    } else {
        "in this session (models persist between runs only in a store: `--store DIR`)".to_string()
    };
    format!("model `{name}` not found {whence}; {how}")
}

/// Run `apply`: read the model saved by `fit ... into <model>` and score each result with it
/// (`IsOutlier(<field>)`, `BoundaryRanges`, `ProbabilityDensity(<field>)` when the model was
/// fitted with `show_density=true` or `apply` asks for it). `threshold=` (or
/// `lower_threshold=`/`upper_threshold=`) replaces the model's threshold for this search.
///
/// A DSDL model (a model with a configured scorer, else an executable
/// `<store>/models/dsdl/NAME` when no `fit` model has that name) is scored by that program
/// ([`crate::mltk::dsdl`]).
fn execute(lf: LazyFrame, a: &Apply, at: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    if let Some(s) = ctx.lookups.dsdl.get(&a.model) {
        return score_dsdl(lf, a, s, at, ctx);
    }
    let model = ctx
        .models
        .load(&a.model)
        .map_err(|e| ctx.error(format!("`apply {}`: {e}", a.model), at.span))?;
    let model = match model {
        Some(m) => m,
        None => match ctx.models.dsdl_scorer(&a.model) {
            Some(s) => return score_dsdl(lf, a, &s, at, ctx),
            None => return Err(missing_model_error(&a.model, ctx, at.span)),
        },
    };
    let m = &model.density;
    let t = Threshold::parse(
        a.options.get_opt("threshold"),
        a.options.get_opt("lower_threshold"),
        a.options.get_opt("upper_threshold"),
    )
    .map_err(|e| ctx.error(format!("`apply {}` {e}", a.model), at.span))?
    .unwrap_or(m.threshold);
    let show = match a.options.get_opt("show_density") {
        Some(v) => crate::commands::is_true(v),
        None => m.show_density,
    };
    let df = lf
        .collect()
        .map_err(|e| ctx.polars_error("apply", at.span, e))?;
    if df.height() > 0 {
        if let Some(f) = std::iter::once(&m.field)
            .chain(&m.by)
            .find(|f| df.column(f).is_err())
        {
            return Err(ctx.error(
                format!(
                    "`apply {}`: the model reads the field `{f}`, which the results do not have",
                    a.model
                ),
                at.span,
            ));
        }
    }
    let out = crate::mltk::table::annotate(df, m, &t, show)
        .map_err(|e| ctx.polars_error("apply", at.span, e))?;
    Ok(out.lazy())
}

/// `apply NAME` of a DSDL model: the results go through its scorer. DSDL's own `apply` options
/// belong to its container, so spelunk's DensityFunction options are refused here.
fn score_dsdl(
    lf: LazyFrame,
    a: &Apply,
    scorer: &crate::mltk::dsdl::Scorer,
    at: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    if let Some(o) = a.options.first() {
        return Err(ctx.error(
            format!(
                "`apply {}`: `{}=` is an option of DensityFunction models; a DSDL model's scorer takes no options",
                a.model, o.key
            ),
            at.span,
        ));
    }
    let df = lf
        .collect()
        .map_err(|e| ctx.polars_error("apply", at.span, e))?;
    let out = crate::mltk::dsdl::score(df, &a.model, scorer)
        .map_err(|e| ctx.error(format!("`apply {}`: {e}", a.model), at.span))?;
    Ok(out.lazy())
}

runs_execute!(Apply);

impl crate::commands::SplCommand for Apply {
    const DOC: &'static str =
        "Apply a trained machine-learning model (Splunk MLTK DensityFunction) saved by `fit ... into`, or a DSDL model through the scorer given with --dsdl-model.";
    const OPTIONS: Option<&'static [&'static str]> = Some(&[
        "threshold",
        "lower_threshold",
        "upper_threshold",
        "show_density",
    ]);
    const EXAMPLES: &'static [crate::commands::Example] = &[crate::commands::Example {
        description: "an exponential density (loc 0, scale 2): 5 is within the default threshold 0.01 (upper boundary -2 ln 0.01 = 9.21), an outlier under threshold=0.1 (-2 ln 0.1 = 4.61)",
        search: "| fit DensityFunction n dist=expon into apply_example_model | rename IsOutlier(n) as fitted | apply apply_example_model threshold=0.1 | table n fitted IsOutlier(n)",
        input: "n\n0\n1\n1\n2\n3\n5\n",
        output: "n,fitted,IsOutlier(n)\n0,0,0\n1,0,0\n1,0,0\n2,0,0\n3,0,0\n5,0,1\n",
    }];

    fn options(&self) -> &[Opt] {
        &self.options
    }

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        if self.alias.is_some() {
            return Err(cx.error(
                "`apply ... as` renames the outputs of other MLTK algorithms; DensityFunction models take no `as`",
                c.span,
            ));
        }
        crate::mltk::model_name(&self.model).map_err(|e| cx.error(e, c.span))?;
        Ok(cx.opaque(self.clone(), c, input))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;
    use polars::prelude::*;

    #[test]
    fn parses_example() {
        let c = parse_command("| apply cmdline_pdfmodel threshold=0.01");
        let CommandKind::Apply(x) = c.kind else {
            panic!("not apply: {c:?}")
        };
        assert_eq!(x.model, "cmdline_pdfmodel");
        assert_eq!(x.options.get_opt("threshold"), Some("0.01"));
    }

    #[test]
    fn a_missing_model_says_how_to_create_it() {
        let df = df!("processlen" => [10i64]).unwrap();
        let e = crate::testkit::try_run_on(df.clone(), "| apply cmdline_pdfmodel").unwrap_err();
        assert!(
            e.message.contains("model `cmdline_pdfmodel` not found"),
            "{}",
            e.message
        );
        assert!(
            e.message.contains("Baseline of Command Line Length"),
            "{}",
            e.message
        );
        let e = crate::testkit::try_run_on(df.clone(), "| apply no_such_model_here").unwrap_err();
        assert!(e
            .message
            .contains("fit DensityFunction <field> into no_such_model_here"));
        let e = crate::testkit::try_run_on(df, "| apply pretrained_dga_model_dsdl").unwrap_err();
        assert!(
            e.message.contains("Data Science and Deep Learning"),
            "{}",
            e.message
        );
    }

    #[test]
    fn models_persist_in_a_store_folder() {
        let dir = std::env::temp_dir().join(format!("spelunk-mltk-{}", std::process::id()));
        let store = crate::store::Store::open(&dir).unwrap();
        let models = crate::mltk::Models::for_store(&store);
        let df = df!("n" => [1.0f64, 2.0, 3.0, 4.0]).unwrap();
        let m =
            crate::mltk::table::fit(&df, "n", &[], "norm", Threshold::default(), false).unwrap();
        models
            .save("persisted", &crate::mltk::Model::density(m.clone()))
            .unwrap();
        let path = dir.join("models/persisted.json");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("\"format\": \"spelunk-mltk-model\""),
            "{text}"
        );
        let again = crate::mltk::Models::for_store(&crate::store::Store::open(&dir).unwrap());
        assert_eq!(again.load("persisted").unwrap().unwrap().density, m);
        assert!(again.load("../x").is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

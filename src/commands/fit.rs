//! `fit`: train a machine-learning model (Splunk MLTK). spelunk implements the DensityFunction
//! algorithm: `fit DensityFunction <field> [by "<fields>"] [into <model>] [dist=...]
//! [threshold=... | lower_threshold=... upper_threshold=...] [show_density=true]`.

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `fit` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fit {
    pub algorithm: String,
    /// The fields to fit (DensityFunction takes one).
    pub fields: Vec<String>,
    /// `by` fields (a quoted list `"a,b"` or several fields).
    pub by: Vec<String>,
    /// `into` model name.
    pub into: Option<String>,
    pub options: Vec<Opt>,
}

impl Fit {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Fit> {
        let mut parts = Parts::of(p)?;
        if parts.fields.is_empty() {
            return Err(unexpected(p));
        }
        let algorithm = parts.fields.remove(0);
        let (mut fields, mut by, mut into) = (Vec::new(), Vec::new(), None);
        let mut state = 0; // 0 fields, 1 by, 2 into
        let mut words = parts.fields.into_iter().chain(parts.quoted);
        for w in words.by_ref() {
            if w.eq_ignore_ascii_case("by") {
                state = 1;
            } else if w.eq_ignore_ascii_case("into") {
                state = 2;
            } else {
                match state {
                    0 => fields.push(w),
                    1 => by.extend(
                        w.split([',', ' '])
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(str::to_string),
                    ),
                    _ => {
                        if into.is_none() {
                            into = Some(w);
                        } else {
                            fields.push(w);
                        }
                    }
                }
            }
        }
        Ok(Fit {
            algorithm,
            fields,
            by,
            into,
            options: parts.options,
        })
    }
}

// ---------- semantics ----------

use crate::commands::Lower;
use crate::diagnostic::Diagnostic;
use crate::mltk::density::{Threshold, DISTS};
use crate::plan::operator::At;
use crate::plan::Node;
use crate::runtime::Context;
use polars::prelude::{IntoLazy, LazyFrame};

/// The options of `fit DensityFunction`.
const DENSITY_OPTIONS: &[&str] = &[
    "dist",
    "threshold",
    "lower_threshold",
    "upper_threshold",
    "show_density",
    "show_options",
];

/// What `fit DensityFunction` was asked, checked at planning time.
struct DensityArgs {
    field: String,
    dist: String,
    threshold: Threshold,
    show_density: bool,
}

fn density_args(f: &Fit) -> Result<DensityArgs, String> {
    if !f.algorithm.eq_ignore_ascii_case("DensityFunction") {
        return Err(format!(
            "`fit {}`: spelunk implements only the DensityFunction algorithm of the Machine Learning Toolkit",
            f.algorithm
        ));
    }
    if let Some(o) = f.options.iter().find(|o| {
        !DENSITY_OPTIONS
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&o.key))
    }) {
        return Err(format!(
            "`fit DensityFunction {}=` is not supported yet (supported options: {})",
            o.key,
            DENSITY_OPTIONS.join(", ")
        ));
    }
    let field = match f.fields.as_slice() {
        [one] => one.clone(),
        [] => return Err("`fit DensityFunction` needs the field to fit".into()),
        more => {
            return Err(format!(
                "`fit DensityFunction` fits one field, got {}",
                more.join(", ")
            ))
        }
    };
    let dist = f
        .options
        .get_opt("dist")
        .unwrap_or("auto")
        .to_ascii_lowercase();
    if !DISTS.contains(&dist.as_str()) {
        return Err(format!(
            "`fit DensityFunction dist={dist}`: unknown distribution ({})",
            DISTS.join(", ")
        ));
    }
    let threshold = Threshold::parse(
        f.options.get_opt("threshold"),
        f.options.get_opt("lower_threshold"),
        f.options.get_opt("upper_threshold"),
    )
    .map_err(|e| format!("`fit DensityFunction` {e}"))?
    .unwrap_or_default();
    if let Some(m) = &f.into {
        crate::mltk::model_name(m).map_err(|e| format!("`fit ... into`: {e}"))?;
    }
    Ok(DensityArgs {
        field,
        dist,
        threshold,
        show_density: f
            .options
            .get_opt("show_density")
            .is_some_and(crate::commands::is_true),
    })
}

/// Run `fit DensityFunction`: fit one density per group of the `by` fields (MLTK's
/// DensityFunction, see `crate::mltk::density`), save it `into` the model (in the store's
/// `models/` folder, or in memory without a store), and return the results with
/// `IsOutlier(<field>)`, `BoundaryRanges` and, with `show_density=true`,
/// `ProbabilityDensity(<field>)`. No results fit a model with no groups (MLTK refuses to fit
/// no data; a detection applying it then flags nothing).
fn execute(lf: LazyFrame, f: &Fit, at: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    let a = density_args(f).map_err(|e| ctx.error(e, at.span))?;
    let df = lf
        .collect()
        .map_err(|e| ctx.polars_error("fit", at.span, e))?;
    if df.height() > 0 {
        if let Some(f) = std::iter::once(&a.field)
            .chain(&f.by)
            .find(|f| df.column(f).is_err())
        {
            return Err(ctx.error(
                format!("`fit DensityFunction`: no field `{f}` in the results"),
                at.span,
            ));
        }
    }
    let model = crate::mltk::table::fit(&df, &a.field, &f.by, &a.dist, a.threshold, a.show_density)
        .map_err(|e| ctx.error(format!("`fit DensityFunction {}`: {e}", a.field), at.span))?;
    if let Some(name) = &f.into {
        ctx.models
            .save(name, &crate::mltk::Model::density(model.clone()))
            .map_err(|e| ctx.error(format!("`fit ... into {name}`: {e}"), at.span))?;
    }
    let out = crate::mltk::table::annotate(df, &model, &a.threshold, a.show_density)
        .map_err(|e| ctx.polars_error("fit", at.span, e))?;
    Ok(out.lazy())
}

runs_execute!(Fit);

impl crate::commands::SplCommand for Fit {
    const DOC: &'static str = "Train a machine-learning model (Splunk MLTK's DensityFunction): flag outliers and save the model `into` a name for `apply`.";
    const EXAMPLES: &'static [crate::commands::Example] = &[crate::commands::Example {
        description: "a normal density over 1..9 and 20 (mean 6.5, std 5.12): threshold 0.01 puts the upper boundary at 6.5 + 2.576 * 5.12 = 19.70, so 20 is an outlier",
        search: "| fit DensityFunction n dist=norm into fit_example_model | eval hi=round(tonumber(mvindex(split(mvindex(BoundaryRanges, -1), \":\"), 0)), 2) | table n IsOutlier(n) hi",
        input: "n\n1\n2\n3\n4\n5\n6\n7\n8\n9\n20\n",
        output: "n,IsOutlier(n),hi\n1,0,19.7\n2,0,19.7\n3,0,19.7\n4,0,19.7\n5,0,19.7\n6,0,19.7\n7,0,19.7\n8,0,19.7\n9,0,19.7\n20,1,19.7\n",
    }];

    fn options(&self) -> &[Opt] {
        &self.options
    }

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        density_args(self).map_err(|e| cx.error(e, c.span))?;
        Ok(cx.opaque(self.clone(), c, input))
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;
    use polars::prelude::*;

    #[test]
    fn parses_by_list_and_into() {
        let CommandKind::Fit(f) = parse_command(
            "| fit DensityFunction api_calls by \"user,HourOfDay,isWeekend\" into m1 dist=norm show_density=true",
        )
        .kind
        else {
            panic!()
        };
        assert_eq!(f.algorithm, "DensityFunction");
        assert_eq!(f.fields, vec!["api_calls"]);
        assert_eq!(f.by, vec!["user", "HourOfDay", "isWeekend"]);
        assert_eq!(f.into.as_deref(), Some("m1"));
    }

    #[test]
    fn fits_per_group_and_apply_reads_the_model() {
        // Group a: 10..19 and one 60; group b: 100..109. Normal densities per group.
        let mut v: Vec<i64> = (10..20).collect();
        v.push(60);
        let mut g: Vec<&str> = vec!["a"; 11];
        v.extend(100..110);
        g.extend(vec!["b"; 10]);
        let df = df!("n" => v, "g" => g).unwrap();
        let out = crate::testkit::run_on(
            df,
            "| fit DensityFunction n by g dist=norm show_density=t into fit_test_groups | where 'IsOutlier(n)'=1",
        );
        // Group a: mean 18.64, std 13.36; the upper boundary 18.64 + 2.576 * 13.36 = 53.06.
        assert_eq!(out.height(), 1, "{out:?}");
        assert_eq!(out.column("n").unwrap().i64().unwrap().get(0), Some(60));
        let probe = df!("n" => [14i64, 200, 104, 14], "g" => ["a", "a", "b", "c"]).unwrap();
        let out = crate::testkit::run_on(probe, "| apply fit_test_groups");
        let o = out.column("IsOutlier(n)").unwrap().f64().unwrap().clone();
        assert_eq!(o.get(0), Some(0.0));
        assert_eq!(o.get(1), Some(1.0));
        assert_eq!(o.get(2), Some(0.0));
        assert_eq!(o.get(3), None, "group c is not in the model");
        assert!(out.column("ProbabilityDensity(n)").is_ok());
    }

    #[test]
    fn other_algorithms_and_options_are_errors() {
        let df = df!("n" => [1i64]).unwrap();
        let e =
            crate::testkit::try_run_on(df.clone(), "| fit LinearRegression n from x").unwrap_err();
        assert!(e.message.contains("DensityFunction"), "{}", e.message);
        let e = crate::testkit::try_run_on(df, "| fit DensityFunction n sample=true").unwrap_err();
        assert!(e.message.contains("sample"), "{}", e.message);
    }
}

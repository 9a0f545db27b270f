//! The polars backend: runs a [`Plan`] on lazy frames over a [`crate::store::Store`].
//!
//! [`run`] is the single entry. Each node kind has its file here (`filter.rs`, `sort.rs`, ...);
//! opaque nodes call their command's operator. Errors name the command and point at it in the
//! (expanded) search.

mod dedup;
mod explode;
mod join;
mod limit;
mod lookup;
mod project;
mod rename;
mod sort;
mod window;

pub use crate::runtime::{now, Context, SourceCache};

use crate::diagnostic::Diagnostic;
use crate::frame::{empty_frame, schema_of, text_nulls};
use crate::plan::operator::At;
use crate::plan::{Node, Op, Plan, Scan};
use polars::prelude::*;

/// Run a plan and collect its results.
///
/// A panic inside the polars backend (an internal defect, never expected from input) is caught
/// and reported as an error, so one bad search cannot crash a run of many.
pub fn run(plan: &Plan, ctx: &Context) -> Result<DataFrame, Diagnostic> {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_plan(plan, ctx)));
    match result {
        Ok(r) => r,
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(Diagnostic::new(format!(
                "internal error in the execution backend: {what}"
            )))
        }
    }
}

/// Run a plan to its results (subsearches; no panic guard of its own).
pub(crate) fn run_plan(plan: &Plan, ctx: &Context) -> Result<DataFrame, Diagnostic> {
    node(&plan.root, ctx, None)?
        .collect()
        .map_err(|e| Diagnostic::new(format!("the search failed: {e}")))
}

/// Run a plan whose empty input stands for the given results (`appendpipe`, `foreach`).
pub(crate) fn run_plan_on(
    input: LazyFrame,
    plan: &Plan,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    node(&plan.root, ctx, Some(input))
}

fn store_error(e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::new(format!("cannot read the store: {e}"))
}

/// Where a node stands, for its errors.
fn at(n: &Node) -> At {
    At {
        name: n.command.clone(),
        span: n.span,
    }
}

/// Run one node: its inputs first. `given` replaces the plan's empty input.
fn node(n: &Node, ctx: &Context, given: Option<LazyFrame>) -> Result<LazyFrame, Diagnostic> {
    let input = |i: &Node, given: Option<LazyFrame>| node(i, ctx, given);
    let at = at(n);
    let lf = match &n.op {
        Op::Empty => return Ok(given.unwrap_or_else(empty_frame)),
        Op::Scan(s) => return scan(s, &at, ctx),
        Op::Filter {
            input: i,
            predicate,
        } => {
            let mut lf = input(i, given)?;
            let schema = schema_of(&mut lf, &n.command, n.span, ctx)?;
            let sub = |p: &Plan| ctx.run_plan(p);
            let sctx = crate::expr::search::SearchContext {
                schema: &schema,
                subsearch: &sub,
                eval: crate::expr::eval::EvalContext {
                    schema: &schema,
                    source: &ctx.text,
                    now: ctx.now,
                    tz: &ctx.tz,
                },
            };
            let pred = crate::expr::search::compile(predicate, &sctx)?;
            return Ok(lf.filter(pred));
        }
        Op::Aggregate {
            input: i,
            aggregates,
            by,
            nulls,
            span,
        } => {
            let lf = input(i, given)?;
            return crate::frame::aggregate::aggregate(
                lf,
                aggregates,
                by,
                nulls,
                span.as_deref(),
                &at,
                ctx,
            );
        }
        Op::Compute {
            input: i,
            assignments,
        } => crate::expr::eval::apply_scalars(
            input(i, given)?,
            assignments,
            &ctx.text,
            ctx.now,
            &ctx.tz,
        )?,
        Op::Project {
            input: i,
            patterns,
            mode,
        } => project::project(input(i, given)?, patterns, *mode, &at, ctx)?,
        Op::Rename { input: i, pairs } => rename::rename(input(i, given)?, pairs, &at, ctx)?,
        Op::Window {
            input: i,
            aggregates,
            by,
            frame,
        } => window::window(input(i, given)?, aggregates, by, frame, &at, ctx)?,
        Op::Sort {
            input: i,
            keys,
            reverse,
            limit,
        } => sort::sort(input(i, given)?, keys, *reverse, *limit, &at, ctx)?,
        Op::Limit {
            input: i,
            count,
            from_end,
        } => limit::limit(input(i, given)?, *count, *from_end),
        Op::TakeWhile {
            input: i,
            condition,
            keeplast,
            null_true,
        } => limit::take_while(input(i, given)?, condition, *keeplast, *null_true, &at, ctx)?,
        Op::Reverse { input: i } => input(i, given)?.reverse(),
        Op::Dedup {
            input: i,
            fields,
            count,
            keepempty,
            consecutive,
            sortby,
        } => dedup::dedup(
            input(i, given)?,
            dedup::DedupSpec {
                fields,
                count: *count,
                keepempty: *keepempty,
                consecutive: *consecutive,
                sortby,
            },
            &at,
            ctx,
        )?,
        Op::Union { inputs } => {
            let mut given = given;
            let mut out: Option<DataFrame> = None;
            for i in inputs {
                let df = input(i, given.take())?
                    .collect()
                    .map_err(|e| ctx.polars_error(&n.command, n.span, e))?;
                out = Some(match out {
                    None => df,
                    Some(acc) => crate::frame::append_frames(acc, df)
                        .map_err(|e| ctx.polars_error(&n.command, n.span, e))?,
                });
            }
            out.map(|d| d.lazy()).unwrap_or_else(empty_frame)
        }
        Op::Join {
            left,
            right,
            fields,
            kind,
            max,
        } => {
            let l = input(left, given)?;
            let r = node(right, ctx, None)?;
            join::join(l, r, fields, *kind, *max, &at, ctx)?
        }
        Op::Explode {
            input: i,
            field,
            limit,
        } => explode::explode(input(i, given)?, field, *limit, &at, ctx)?,
        Op::Lookup { input: i, spec } => lookup::lookup(input(i, given)?, spec, &at, ctx)?,
        Op::Opaque { input: i, operator } => operator.run(input(i, given)?, &at, ctx)?,
    };
    Ok(text_nulls(lf))
}

fn scan(s: &Scan, at: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    Ok(match s {
        Scan::Events => {
            if ctx.store.indexes().is_empty() {
                empty_frame()
            } else if let Some(cache) = ctx.cache {
                cache.get_or_read("events", ctx.store.disk_bytes(None), || {
                    ctx.store.events(None).map_err(store_error)
                })?
            } else {
                ctx.store.events(None).map_err(store_error)?
            }
        }
        Scan::Datamodel { dataset } => match ctx.store.datamodel(dataset).map_err(store_error)? {
            Some(lf) => match ctx.cache {
                Some(cache) => cache.get_or_read(
                    &format!("dm:{dataset}"),
                    ctx.store.disk_bytes(Some(dataset)),
                    || Ok(lf),
                )?,
                None => lf,
            },
            None => empty_frame(),
        },
        Scan::Generator(g) => g.run(empty_frame(), at, ctx)?,
    })
}

#[cfg(test)]
mod option_tests {
    use crate::testkit::try_run_on;
    use polars::prelude::*;

    #[test]
    fn an_option_a_command_does_not_implement_is_an_error_naming_it() {
        let df = df!("a" => ["1"]).unwrap();
        for (spl, name) in [
            (
                "| streamstats reset_on_change=t count by a",
                "reset_on_change",
            ),
            ("| eventstats allnum=t count by a", "allnum"),
            ("| stats allnum=t count by a", "allnum"),
            ("| dedup keepevents=t a", "keepevents"),
            ("| transaction a b connected=f", "connected"),
        ] {
            let e = try_run_on(df.clone(), spl).unwrap_err();
            assert!(e.to_string().contains(name), "{spl}: {e}");
            assert!(e.span.is_some(), "{spl}: no position");
        }
        // Options that are implemented, or change nothing here, run.
        assert!(try_run_on(df.clone(), "| stats partitions=2 count by a").is_ok());
        assert!(try_run_on(df, "| transaction a connected=false").is_ok());
    }
}

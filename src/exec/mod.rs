//! The executor: runs a [`Plan`] on polars lazy frames over a [`Store`].
//!
//! Each step hands the current results (a `LazyFrame`) to the code of its command and gets the
//! next results back. Errors name the command and point at it in the (expanded) search.

pub mod aggregate;
pub mod time;

use crate::commands::CommandKind;
use crate::diagnostic::{Diagnostic, Span};
use crate::macros::MacroLibrary;
use crate::plan::{lower, Plan, Source, Stage, Step};
use crate::store::Store;
use crate::syntax::ast::{Command, Pipeline};
use polars::prelude::*;

/// Everything a running search needs besides its results.
pub struct Context<'a> {
    /// Where events and data model tables come from.
    pub store: &'a Store,
    /// The expanded search text (errors point into it).
    pub text: String,
    /// Reference time for `now()` and relative times, epoch seconds.
    pub now: f64,
    /// Time zone for rendering and parsing times (IANA name); Splunk's default here is UTC.
    pub tz: String,
    /// Macros, for searches run later by `map` and friends.
    pub macros: MacroLibrary,
    /// Lookup definitions and tables, for `lookup` and `inputlookup`.
    pub lookups: crate::lookups::LookupLibrary,
}

impl Context<'_> {
    /// An error positioned at a span of the search.
    pub fn error(&self, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic::new(message)
            .at(&self.text, span)
            .origin("expanded search")
    }

    /// A polars failure inside a command, as an error at that command.
    pub fn polars_error(&self, command: &str, span: Span, e: PolarsError) -> Diagnostic {
        self.error(format!("`{command}` failed: {e}"), span)
    }
}

/// Run a parsed pipeline and collect its results.
pub fn run(pipeline: &Pipeline, ctx: &Context) -> Result<DataFrame, Diagnostic> {
    let plan = lower(pipeline, &ctx.text)?;
    let lf = run_plan(&plan, ctx)?;
    lf.collect()
        .map_err(|e| Diagnostic::new(format!("the search failed: {e}")))
}

/// Run a plan to a lazy frame.
pub fn run_plan(plan: &Plan, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    let mut lf = source(&plan.source, ctx)?;
    for step in &plan.steps {
        lf = run_step(lf, step, ctx)?;
    }
    Ok(lf)
}

fn store_error(e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::new(format!("cannot read the store: {e}"))
}

/// An empty result set.
pub fn empty_frame() -> LazyFrame {
    DataFrame::empty().lazy()
}

fn source(s: &Source, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    Ok(match s {
        Source::Empty => empty_frame(),
        Source::Events => {
            if ctx.store.indexes().is_empty() {
                empty_frame()
            } else {
                ctx.store.events(None).map_err(store_error)?
            }
        }
        Source::Datamodel { dataset } => match ctx.store.datamodel(dataset).map_err(store_error)? {
            Some(lf) => lf,
            None => DataFrame::new_infer_height(vec![Column::new_empty(
                "_time".into(),
                &DataType::Float64,
            )])
            .map(|d| d.lazy())
            .unwrap_or_else(|_| empty_frame()),
        },
        Source::Generator(c) => generate(c, ctx)?,
    })
}

fn generate(c: &Command, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    match &c.kind {
        CommandKind::Makeresults(m) => crate::commands::makeresults::execute(m, c, ctx),
        CommandKind::Inputlookup(x) => crate::commands::inputlookup::generate(x, c, ctx),
        _ => Err(unsupported(c, ctx)),
    }
}

/// The error for a command this engine does not run (yet).
pub fn unsupported(c: &Command, ctx: &Context) -> Diagnostic {
    ctx.error(
        format!("unsupported command `{}`", c.name),
        Span::new(c.span.start, c.span.start + c.name.len().max(1)),
    )
}

/// The schema of a lazy frame.
pub fn schema_of(
    lf: &mut LazyFrame,
    command: &str,
    span: Span,
    ctx: &Context,
) -> Result<SchemaRef, Diagnostic> {
    lf.collect_schema()
        .map_err(|e| ctx.polars_error(command, span, e))
}

fn run_step(mut lf: LazyFrame, step: &Step, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    match &step.stage {
        Stage::Filter(e) => {
            let schema = schema_of(&mut lf, &step.command, step.span, ctx)?;
            let sub = |p: &Pipeline| run(p, ctx);
            let sctx = crate::expr::search::SearchContext {
                schema: &schema,
                subsearch: &sub,
            };
            let pred = crate::expr::search::compile(e, &sctx)?;
            Ok(lf.filter(pred))
        }
        Stage::Aggregate {
            aggregates,
            by,
            nulls,
            span,
        } => aggregate::aggregate(lf, aggregates, by, nulls, span.as_deref(), step, ctx),
        Stage::Command(c) => run_command(lf, c, ctx),
    }
}

fn run_command(lf: LazyFrame, c: &Command, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    use crate::commands as k;
    match &c.kind {
        CommandKind::Rename(x) => k::rename::execute(lf, x, c, ctx),
        CommandKind::Convert(x) => k::convert::execute(lf, x, c, ctx),
        CommandKind::Table(x) => k::table::execute(lf, x, c, ctx),
        CommandKind::Fields(x) => k::fields::execute(lf, x, c, ctx),
        CommandKind::Head(x) => k::head::execute(lf, x, c, ctx),
        CommandKind::Tail(x) => k::tail::execute(lf, x, c, ctx),
        CommandKind::Reverse(_) => Ok(k::reverse::execute(lf)),
        CommandKind::Sort(x) => k::sort::execute(lf, x, c, ctx),
        CommandKind::Dedup(x) => k::dedup::execute(lf, x, c, ctx),
        CommandKind::Fillnull(x) => k::fillnull::execute(lf, x, c, ctx),
        CommandKind::Lookup(x) => k::lookup::execute(lf, x, c, ctx),
        CommandKind::Inputlookup(x) => k::inputlookup::execute(lf, x, c, ctx),
        CommandKind::Outputlookup(_) => Err(k::outputlookup::unsupported(c, ctx)),
        _ => Err(unsupported(c, ctx)),
    }
}

/// Format a number as Splunk prints it: integers without a decimal point.
pub fn format_number(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// The string form of a scalar value, or None for null.
pub fn any_to_string(v: &AnyValue) -> Option<String> {
    match v {
        AnyValue::Null => None,
        AnyValue::String(s) => Some(s.to_string()),
        AnyValue::StringOwned(s) => Some(s.to_string()),
        AnyValue::Boolean(b) => Some(b.to_string()),
        AnyValue::Float64(x) => Some(format_number(*x)),
        AnyValue::Float32(x) => Some(format_number(*x as f64)),
        AnyValue::Int64(x) => Some(x.to_string()),
        AnyValue::Int32(x) => Some(x.to_string()),
        AnyValue::UInt32(x) => Some(x.to_string()),
        AnyValue::UInt64(x) => Some(x.to_string()),
        other => Some(other.to_string()),
    }
}

/// The values of a column at a row: none for null, several for a multivalue field.
pub fn values_at(c: &Column, i: usize) -> Vec<String> {
    match c.get(i) {
        Ok(AnyValue::List(s)) => (0..s.len())
            .filter_map(|j| s.get(j).ok().and_then(|v| any_to_string(&v)))
            .collect(),
        Ok(v) => any_to_string(&v).into_iter().collect(),
        Err(_) => Vec::new(),
    }
}

/// Columns of `schema` whose names match a Splunk field pattern (`*` wildcards), in order.
pub fn matching_columns(schema: &Schema, pattern: &str) -> Vec<String> {
    if !pattern.contains('*') {
        return if schema.contains(pattern) {
            vec![pattern.to_string()]
        } else {
            Vec::new()
        };
    }
    let re = wildcard_regex(pattern);
    schema
        .iter_names()
        .filter(|n| re.as_ref().map(|r| r.is_match(n)).unwrap_or(false))
        .map(|n| n.to_string())
        .collect()
}

/// `a*b` → `^a(.*)b$` (field-name patterns are case-sensitive).
pub fn wildcard_regex(pattern: &str) -> Option<regex::Regex> {
    let parts: Vec<String> = pattern.split('*').map(regex::escape).collect();
    regex::Regex::new(&format!("^{}$", parts.join("(.*)"))).ok()
}

/// The current time, epoch seconds.
pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Run a pipeline whose first command is not a generating one over given results (as a
/// subsearch pipeline or `appendpipe` does).
pub fn run_on(lf: LazyFrame, pipeline: &Pipeline, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    let plan = lower(pipeline, &ctx.text)?;
    let mut lf = match plan.source {
        Source::Empty => lf,
        ref s => source(s, ctx)?,
    };
    for step in &plan.steps {
        lf = run_step(lf, step, ctx)?;
    }
    Ok(lf)
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// Run SPL (starting with `| command`) over a frame, with an empty in-memory store, UTC and
    /// a fixed `now`.
    pub fn run_on(df: DataFrame, spl: &str) -> DataFrame {
        try_run_on(df, spl).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Like [`run_on`], returning the error.
    pub fn try_run_on(df: DataFrame, spl: &str) -> Result<DataFrame, Diagnostic> {
        try_run_with(df, spl, crate::lookups::LookupLibrary::default())
    }

    /// The fixture lookups of `tests/fixtures/lookups`.
    pub fn fixture_lookups() -> crate::lookups::LookupLibrary {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lookups");
        crate::lookups::LookupLibrary::with_dirs(&[dir]).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Like [`run_on`], with the fixture lookups.
    pub fn run_with_lookups(df: DataFrame, spl: &str) -> DataFrame {
        try_run_with_lookups(df, spl).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Like [`try_run_on`], with the fixture lookups.
    pub fn try_run_with_lookups(df: DataFrame, spl: &str) -> Result<DataFrame, Diagnostic> {
        try_run_with(df, spl, fixture_lookups())
    }

    /// Run SPL over a frame with the given lookups.
    pub fn try_run_with(
        df: DataFrame,
        spl: &str,
        lookups: crate::lookups::LookupLibrary,
    ) -> Result<DataFrame, Diagnostic> {
        let store = Store::in_memory();
        let p = crate::syntax::parse(spl)?;
        let ctx = Context {
            store: &store,
            text: spl.to_string(),
            now: 1_700_000_000.0,
            tz: "UTC".into(),
            macros: MacroLibrary::builtin(),
            lookups,
        };
        super::run_on(df.lazy(), &p, &ctx)?
            .collect()
            .map_err(|e| Diagnostic::new(e.to_string()))
    }
}

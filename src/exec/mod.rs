//! The executor: runs a [`Plan`] on polars lazy frames over a [`Store`].
//!
//! Each step hands the current results (a `LazyFrame`) to the code of its command and gets the
//! next results back. Errors name the command and point at it in the (expanded) search.

pub mod aggregate;
pub mod structured;

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
    /// Sources already read, shared by the searches of one run (`spelunk check`); None reads the
    /// store lazily each time (best for a single search: filters reach the parquet scan).
    pub cache: Option<&'a SourceCache>,
    /// Lookup definitions and tables, for `lookup` and `inputlookup`.
    pub lookups: crate::lookups::LookupLibrary,
}

/// Event and data model tables read once and reused by many searches.
#[derive(Default)]
pub struct SourceCache {
    frames: std::sync::Mutex<std::collections::HashMap<String, DataFrame>>,
}

impl SourceCache {
    fn get_or_read(
        &self,
        key: &str,
        read: impl FnOnce() -> Result<LazyFrame, Diagnostic>,
    ) -> Result<LazyFrame, Diagnostic> {
        if let Ok(frames) = self.frames.lock() {
            if let Some(df) = frames.get(key) {
                return Ok(df.clone().lazy());
            }
        }
        let df = read()?.collect().map_err(store_error)?;
        if let Ok(mut frames) = self.frames.lock() {
            frames.insert(key.to_string(), df.clone());
        }
        Ok(df.lazy())
    }
}

impl<'a> Context<'a> {
    /// A context over a store for one search text, UTC, now, no cache.
    pub fn new(store: &'a Store, text: String, macros: MacroLibrary) -> Context<'a> {
        Context {
            store,
            text,
            now: now(),
            tz: "UTC".into(),
            macros,
            cache: None,
            lookups: crate::lookups::LookupLibrary::builtin(),
        }
    }

    /// The same context for another search text (templates, `map` searches).
    pub fn with_text(&self, text: String) -> Context<'a> {
        Context {
            store: self.store,
            text,
            now: self.now,
            tz: self.tz.clone(),
            macros: self.macros.clone(),
            cache: self.cache,
            lookups: self.lookups.clone(),
        }
    }
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
///
/// A panic inside the polars backend (an internal defect, never expected from input) is caught
/// and reported as an error, so one bad search cannot crash a run of many.
pub fn run(pipeline: &Pipeline, ctx: &Context) -> Result<DataFrame, Diagnostic> {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let plan = lower(pipeline, &ctx.text)?;
        let lf = run_plan(&plan, ctx)?;
        lf.collect()
            .map_err(|e| Diagnostic::new(format!("the search failed: {e}")))
    }));
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
    no_results().lazy()
}

/// Zero results. The frame keeps one (empty) `_time` column: a frame with no columns at all
/// takes the length of a literal added to it, so `| eval x=1` or `| stats count by f` would
/// turn "no results" into one result.
pub fn no_results() -> DataFrame {
    DataFrame::new(
        0,
        vec![Column::new_empty("_time".into(), &DataType::Float64)],
    )
    .unwrap_or_else(|_| DataFrame::empty())
}

fn source(s: &Source, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    Ok(match s {
        Source::Empty => empty_frame(),
        Source::Events => {
            if ctx.store.indexes().is_empty() {
                empty_frame()
            } else if let Some(cache) = ctx.cache {
                cache.get_or_read("events", || ctx.store.events(None).map_err(store_error))?
            } else {
                ctx.store.events(None).map_err(store_error)?
            }
        }
        Source::Datamodel { dataset } => match ctx.store.datamodel(dataset).map_err(store_error)? {
            Some(lf) if ctx.cache.is_some() => match ctx.cache {
                Some(cache) => cache.get_or_read(&format!("dm:{dataset}"), || Ok(lf))?,
                None => lf,
            },
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
    let why = match c.name.as_str() {
        "iplocation" => ": spelunk has no GeoIP database",
        "apply" | "fit" | "summary" => ": Splunk Machine Learning Toolkit models are not available",
        "mstats" => ": spelunk stores no metric data",
        "collect" | "outputlookup" => ": spelunk does not write indexes or lookups",
        _ => "",
    };
    ctx.error(
        format!("unsupported command `{}`{why}", c.name),
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
        Stage::Command(c) => run_command(lf, c, ctx).map(text_nulls),
    }
}

/// A list column of text, whatever the values were: polars gives a list collected from
/// all-empty rows the element type `Null`, which text functions reject.
pub fn text_list(ca: ListChunked) -> ListChunked {
    if ca.inner_dtype() == &DataType::String {
        return ca;
    }
    ca.cast(&DataType::List(Box::new(DataType::String)))
        .ok()
        .and_then(|s| s.list().ok().cloned())
        .unwrap_or(ca)
}

/// A column whose every value is null (a `rex` or `mvexpand` that found nothing) has polars'
/// `Null` type, which text functions reject. In Splunk such a field is simply absent or empty:
/// type it as text (or a list of text) so that later commands treat it like any other field.
fn text_nulls(lf: LazyFrame) -> LazyFrame {
    let Ok(schema) = lf.clone().collect_schema() else {
        return lf;
    };
    let casts: Vec<Expr> = schema
        .iter()
        .filter_map(|(name, dt)| match dt {
            DataType::Null => Some(col(name.clone()).cast(DataType::String)),
            DataType::List(inner) if **inner == DataType::Null => {
                Some(col(name.clone()).cast(DataType::List(Box::new(DataType::String))))
            }
            _ => None,
        })
        .collect();
    if casts.is_empty() {
        lf
    } else {
        lf.with_columns(casts)
    }
}

/// The options `top` and `rare` implement (they share their syntax).
const TOP_RARE_OPTIONS: &[&str] = &[
    "limit",
    "countfield",
    "percentfield",
    "showcount",
    "showperc",
];

/// The options each command implements. Any other option is an error naming it: an option
/// silently ignored would be a silently wrong result.
fn check_options(c: &Command, ctx: &Context) -> Result<(), Diagnostic> {
    use crate::syntax::ast::Opt;
    let (opts, allowed): (&[Opt], &[&str]) = match &c.kind {
        CommandKind::Addtotals(x) => (&x.options, &["fieldname", "row", "col"]),
        CommandKind::Bin(x) => (&x.options, &["span"]),
        CommandKind::Convert(x) => (&x.options, &["timeformat"]),
        CommandKind::Dedup(x) => (&x.options, &["consecutive", "keepempty"]),
        CommandKind::Extract(x) => (&x.options, &["kvdelim", "pairdelim"]),
        CommandKind::Fillnull(x) => (&x.options, &["value"]),
        CommandKind::Head(x) => (&x.options, &["limit"]),
        CommandKind::Join(x) => (&x.options, &["type", "max"]),
        CommandKind::Makemv(x) => (&x.options, &["delim", "tokenizer"]),
        CommandKind::Map(x) => (&x.options, &["search", "maxsearches"]),
        CommandKind::Mvexpand(x) => (&x.options, &["limit"]),
        CommandKind::Outlier(x) => (&x.options, &["action", "param", "uselower", "mark"]),
        CommandKind::Rex(x) => (&x.options, &["field", "max_match", "mode"]),
        CommandKind::Sort(x) => (&x.options, &["limit"]),
        CommandKind::Spath(x) => (&x.options, &["input", "output", "path"]),
        CommandKind::Stats(x) => (&x.args.options, &["partitions"]),
        CommandKind::Eventstats(x) => (&x.args.options, &[]),
        CommandKind::Streamstats(x) => (&x.args.options, &["window", "current"]),
        CommandKind::Timechart(x) => (&x.options, &["span", "limit"]),
        CommandKind::Top(x) => (&x.options, TOP_RARE_OPTIONS),
        CommandKind::Rare(x) => (&x.options, TOP_RARE_OPTIONS),
        CommandKind::Fromjson(x) => (&x.options, &["prefix"]),
        _ => return Ok(()),
    };
    match opts
        .iter()
        .find(|o| !allowed.iter().any(|a| a.eq_ignore_ascii_case(&o.key)))
    {
        None => Ok(()),
        Some(o) => Err(ctx.error(
            format!(
                "`{} {}=` is not supported yet{}",
                c.name,
                o.key,
                if allowed.is_empty() {
                    String::new()
                } else {
                    format!(" (supported options: {})", allowed.join(", "))
                }
            ),
            c.span,
        )),
    }
}

fn run_command(lf: LazyFrame, c: &Command, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    use crate::commands as k;
    check_options(c, ctx)?;
    match &c.kind {
        CommandKind::Eval(x) => k::eval::execute(lf, x, c, ctx),
        CommandKind::Where(x) => k::where_cmd::execute(lf, x, c, ctx),
        CommandKind::Fieldformat(x) => k::fieldformat::execute(lf, x, c, ctx),
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
        CommandKind::Addtotals(x) => k::addtotals::execute(lf, x, c, ctx),
        CommandKind::Outlier(x) => k::outlier::execute(lf, x, c, ctx),
        CommandKind::Join(x) => k::join::execute(lf, x, c, ctx),
        CommandKind::Regex(x) => k::regex::execute(lf, x, c, ctx),
        CommandKind::Rex(x) => k::rex::execute(lf, x, c, ctx),
        CommandKind::Eventstats(x) => k::eventstats::execute(lf, x, c, ctx),
        CommandKind::Bin(x) => k::bin::execute(lf, x, c, ctx),
        CommandKind::Mvexpand(x) => k::mvexpand::execute(lf, x, c, ctx),
        CommandKind::Makemv(x) => k::makemv::execute(lf, x, c, ctx),
        CommandKind::Append(x) => k::append::execute(lf, x, c, ctx),
        CommandKind::Appendpipe(x) => k::appendpipe::execute(lf, x, c, ctx),
        CommandKind::Top(x) => k::top::execute(lf, x, c, ctx),
        CommandKind::Foreach(x) => k::foreach::execute(lf, x, c, ctx),
        CommandKind::Timechart(x) => k::timechart::execute(lf, x, c, ctx),
        CommandKind::Streamstats(x) => k::streamstats::execute(lf, x, c, ctx),
        CommandKind::Replace(x) => k::replace::execute(lf, x, c, ctx),
        CommandKind::Extract(x) => k::extract::execute(lf, x, c, ctx),
        CommandKind::Transaction(x) => k::transaction::execute(lf, x, c, ctx),
        CommandKind::Spath(x) => k::spath::execute(lf, x, c, ctx),
        CommandKind::Fromjson(x) => k::fromjson::execute(lf, x, c, ctx),
        CommandKind::Xmlkv(x) => k::xmlkv::execute(lf, x, c, ctx),
        CommandKind::Map(x) => k::map::execute(lf, x, c, ctx),
        CommandKind::Rare(x) => k::rare::execute(lf, x, c, ctx),
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

/// Stack two result sets: the union of their columns (missing ones null), rows of `a` first.
/// Columns whose types differ become text.
pub fn append_frames(a: DataFrame, b: DataFrame) -> PolarsResult<DataFrame> {
    if a.width() == 0 && a.height() == 0 {
        return Ok(b);
    }
    if b.width() == 0 && b.height() == 0 {
        return Ok(a);
    }
    let mut names: Vec<PlSmallStr> = a.get_column_names().into_iter().cloned().collect();
    for n in b.get_column_names() {
        if !names.contains(n) {
            names.push(n.clone());
        }
    }
    let mut left = Vec::with_capacity(names.len());
    let mut right = Vec::with_capacity(names.len());
    for n in &names {
        let ca = a.column(n).ok().cloned();
        let cb = b.column(n).ok().cloned();
        let is_list = |c: &Option<Column>| {
            c.as_ref()
                .is_some_and(|c| matches!(c.dtype(), DataType::List(_)))
        };
        let dtype = match (&ca, &cb) {
            (Some(x), Some(y)) if x.dtype() == y.dtype() => x.dtype().clone(),
            // A multivalue field on one side: single values become one-value lists.
            _ if is_list(&ca) || is_list(&cb) => DataType::List(Box::new(DataType::String)),
            (Some(x), None) => x.dtype().clone(),
            (None, Some(y)) => y.dtype().clone(),
            (Some(x), Some(y)) if matches!(x.dtype(), DataType::Null) => y.dtype().clone(),
            (Some(x), Some(y)) if matches!(y.dtype(), DataType::Null) => x.dtype().clone(),
            _ => DataType::String,
        };
        let fit = |c: Option<Column>, h: usize| -> PolarsResult<Column> {
            match c {
                Some(c)
                    if matches!(dtype, DataType::List(_))
                        && !matches!(c.dtype(), DataType::List(_)) =>
                {
                    let ca: ListChunked = (0..c.len())
                        .map(|i| {
                            let v = values_at(&c, i);
                            (!v.is_empty()).then(|| Series::new("".into(), v))
                        })
                        .collect();
                    Ok(text_list(ca).with_name(c.name().clone()).into_column())
                }
                Some(c) if matches!(dtype, DataType::List(_)) => c.cast(&dtype),
                Some(c) if dtype == DataType::String => Ok(text_expr_column(&c)),
                Some(c) => c.cast(&dtype),
                None => Ok(Column::full_null(n.clone(), h, &dtype)),
            }
        };
        left.push(fit(ca, a.height())?);
        right.push(fit(cb, b.height())?);
    }
    let mut out = DataFrame::new_infer_height(left)?;
    out.vstack_mut(&DataFrame::new_infer_height(right)?)?;
    Ok(out)
}

/// A column's values as Splunk's text (see [`text_expr`]).
fn text_expr_column(c: &Column) -> Column {
    let ca: StringChunked = (0..c.len())
        .map(|i| {
            let v = values_at(c, i);
            (!v.is_empty()).then(|| v.join("\n"))
        })
        .collect();
    ca.with_name(c.name().clone()).into_column()
}

/// A column as Splunk's text: integral floats without a decimal point (`5`, not `5.0`), and a
/// multivalue field's values joined by newlines.
pub fn text_expr(e: Expr, dt: &DataType) -> Expr {
    match dt {
        DataType::String => e,
        DataType::List(_) => e
            .cast(DataType::List(Box::new(DataType::String)))
            .list()
            .join(lit("\n"), true),
        DataType::Float64 | DataType::Float32 => {
            let as_int = e.clone().cast(DataType::Int64);
            when(as_int.clone().cast(DataType::Float64).eq(e.clone()))
                .then(as_int.cast(DataType::String))
                .otherwise(e.cast(DataType::String))
        }
        _ => e.cast(DataType::String),
    }
}

#[cfg(test)]
mod option_tests {
    use super::testing::try_run_on;
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

#[cfg(test)]
mod append_tests {
    use super::*;

    #[test]
    fn append_unites_multivalue_and_single_value_columns() {
        let mv: ListChunked = [Some(Series::new("".into(), ["a", "b"]))]
            .into_iter()
            .collect();
        let a = DataFrame::new_infer_height(vec![mv.with_name("f".into()).into_column()]).unwrap();
        let b = df!("f" => ["c"], "n" => [1.0f64]).unwrap();
        let out = append_frames(a, b).unwrap();
        assert_eq!(out.height(), 2);
        assert_eq!(values_at(out.column("f").unwrap(), 1), vec!["c"]);
        let x = df!("v" => [5.0f64]).unwrap();
        let y = df!("v" => ["t"]).unwrap();
        let out = append_frames(x, y).unwrap();
        assert_eq!(values_at(out.column("v").unwrap(), 0), vec!["5"]);
    }
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
        let mut ctx = Context::new(&store, spl.to_string(), MacroLibrary::builtin());
        ctx.now = 1_700_000_000.0;
        ctx.lookups = lookups;
        super::run_on(df.lazy(), &p, &ctx)?
            .collect()
            .map_err(|e| Diagnostic::new(e.to_string()))
    }
}

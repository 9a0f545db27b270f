//! What a running search needs besides its results: the store, lookups, macros, the time and
//! time zone, and a way to run subsearches. Commands' operators receive a [`Context`]; the
//! executor (`src/exec/`) creates it and runs plans with it.

use crate::diagnostic::{Diagnostic, Span};
use crate::macros::MacroLibrary;
use crate::plan::Plan;
use crate::store::Store;
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
    /// Lookup definitions and tables, for `lookup` and `inputlookup`; with the tables
    /// `outputlookup` wrote (shared by the library's clones, so by the searches of one run) and
    /// the GeoIP database of `iplocation`.
    pub lookups: crate::lookups::LookupLibrary,
    /// MLTK models, for `fit`, `apply` and `summary`: the store's `models/` folder, or memory.
    pub models: crate::mltk::Models,
}

/// Event and data model tables read once and reused by many searches (`spelunk check`), within
/// a memory budget: a table whose files on disk pass what is left of the budget is not kept but
/// read again by each search, with its filters and columns pushed to the parquet reader, so that
/// memory stays bounded on a large store (default budget 1,024 MB of parquet, about 2-3 GB in
/// memory; `SPELUNK_CACHE_MB` sets it, 0 keeps nothing).
pub struct SourceCache {
    frames: std::sync::Mutex<std::collections::HashMap<String, DataFrame>>,
    /// Bytes of parquet still allowed in.
    budget: std::sync::Mutex<u64>,
    /// The kept text columns, known to `frame::dictionary` until the cache is dropped.
    registered: std::sync::Mutex<Vec<usize>>,
}

impl Drop for SourceCache {
    fn drop(&mut self) {
        if let Ok(keys) = self.registered.lock() {
            crate::frame::dictionary::unregister(&keys);
        }
    }
}

impl Default for SourceCache {
    fn default() -> Self {
        let mb = std::env::var("SPELUNK_CACHE_MB")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(1024);
        SourceCache::with_budget(mb << 20)
    }
}

impl SourceCache {
    /// A cache that keeps tables whose files take at most `bytes` on disk in all.
    pub fn with_budget(bytes: u64) -> SourceCache {
        SourceCache {
            frames: Default::default(),
            budget: std::sync::Mutex::new(bytes),
            registered: Default::default(),
        }
    }

    /// The table cached under `key`, read with `read` the first time; a table of `disk_bytes`
    /// beyond the budget left is returned unread (lazy) and not kept.
    pub fn get_or_read(
        &self,
        key: &str,
        disk_bytes: u64,
        read: impl FnOnce() -> Result<LazyFrame, Diagnostic>,
    ) -> Result<LazyFrame, Diagnostic> {
        if let Ok(frames) = self.frames.lock() {
            if let Some(df) = frames.get(key) {
                return Ok(df.clone().lazy());
            }
        }
        let fits = match self.budget.lock() {
            Ok(mut left) if *left >= disk_bytes => {
                *left -= disk_bytes;
                true
            }
            _ => false,
        };
        if !fits {
            return read();
        }
        let mut df = read()?
            .collect()
            .map_err(|e| Diagnostic::new(format!("cannot read the store: {e}")))?;
        // One chunk per column: the text columns' dictionaries (built on first use) serve every
        // search of the run.
        df.rechunk_mut_par();
        if let Ok(mut keys) = self.registered.lock() {
            keys.extend(crate::frame::dictionary::register(&df));
        }
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
            lookups: builtin_lookups(),
            models: crate::mltk::Models::for_store(store),
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
            models: self.models.clone(),
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

    /// Find a lookup by the name a search uses and read its table, with errors at `span`.
    pub fn open_lookup(
        &self,
        name: &str,
        span: Span,
    ) -> Result<
        (
            std::sync::Arc<crate::lookups::LookupDef>,
            std::sync::Arc<crate::lookups::LookupTable>,
        ),
        Diagnostic,
    > {
        self.lookups.open(name).map_err(|d| {
            let mut e = self.error(d.message, span);
            e.notes = d.notes;
            e
        })
    }

    /// The GeoIP database `iplocation` reads, or an error at `span` saying how to give one.
    pub fn geoip(&self, span: Span) -> Result<&crate::lookups::geoip::GeoIp, Diagnostic> {
        self.lookups.geoip.as_deref().ok_or_else(|| {
            self.error(
                "`iplocation` needs a GeoIP database: give --geoip FILE.mmdb (a MaxMind GeoLite2-City or GeoIP2-City database), set SPELUNK_GEOIP=FILE.mmdb, or put `geoip: FILE.mmdb` in .spelunk/config.yml",
                span,
            )
            .note("MaxMind's free GeoLite2-City.mmdb is what Splunk itself ships; spelunk ships no GeoIP data")
        })
    }

    /// Run a (sub)plan to its results.
    pub fn run_plan(&self, plan: &Plan) -> Result<DataFrame, Diagnostic> {
        crate::exec::run_plan(plan, self)
    }

    /// Run a plan whose first node reads the given results (`appendpipe`, `foreach` bodies).
    pub fn run_plan_on(&self, input: LazyFrame, plan: &Plan) -> Result<LazyFrame, Diagnostic> {
        crate::exec::run_plan_on(input, plan, self)
    }
}

/// The span of a name inside a command's text (the command's span when not found), so that
/// errors about a lookup or a dataset point at its name.
pub fn name_span(text: &str, name: &str, command: &str, span: Span) -> Span {
    let start = span.start + command.len();
    text.get(start..span.end.max(start))
        .and_then(|t| t.find(name))
        .map(|i| Span::new(start + i, start + i + name.len()))
        .unwrap_or(span)
}

/// The built-in lookup definitions, parsed once per process (every search's context starts
/// with them; `spelunk check` creates one context per detection).
fn builtin_lookups() -> crate::lookups::LookupLibrary {
    static BUILTIN: std::sync::OnceLock<crate::lookups::LookupLibrary> = std::sync::OnceLock::new();
    let mut lib = BUILTIN
        .get_or_init(crate::lookups::LookupLibrary::builtin)
        .clone();
    // Written tables are shared by clones: each context starts with its own.
    lib.written = crate::lookups::written::WrittenLookups::in_memory();
    lib
}

/// The current time, epoch seconds.
pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

#[cfg(test)]
mod cache_tests {
    use super::SourceCache;
    use polars::prelude::*;

    #[test]
    fn tables_beyond_the_budget_are_read_again_not_kept() {
        let cache = SourceCache::with_budget(100);
        let reads = std::cell::Cell::new(0);
        let read = || {
            reads.set(reads.get() + 1);
            Ok(df!("a" => [1i64, 2]).unwrap().lazy())
        };
        // 60 bytes fit: read once, then served from memory.
        for _ in 0..3 {
            let df = cache
                .get_or_read("small", 60, read)
                .unwrap()
                .collect()
                .unwrap();
            assert_eq!(df.height(), 2);
        }
        assert_eq!(reads.get(), 1);
        // 60 more do not fit in the 40 left: read by every search.
        for _ in 0..3 {
            let _ = cache.get_or_read("big", 60, read).unwrap();
        }
        assert_eq!(reads.get(), 4);
        // Nothing kept with a budget of 0.
        let none = SourceCache::with_budget(0);
        let _ = none.get_or_read("t", 1, read).unwrap();
        let _ = none.get_or_read("t", 1, read).unwrap();
        assert_eq!(reads.get(), 6);
    }
}

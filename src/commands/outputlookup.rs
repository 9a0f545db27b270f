//! `outputlookup`: write the results to a lookup table.

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Write the results to a lookup table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outputlookup {
    pub options: Vec<Opt>,
    pub name: String,
}

impl Outputlookup {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Outputlookup> {
        let parts = Parts::of(p)?;
        Ok(Outputlookup {
            name: parts.first_field(p)?,
            options: parts.options,
        })
    }
}

use crate::diagnostic::Diagnostic;
use crate::lookups::LookupTable;
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::{IntoLazy, LazyFrame};

fn flag(x: &Outputlookup, key: &str, default: bool) -> bool {
    x.options
        .get_opt(key)
        .map(crate::commands::is_true)
        .unwrap_or(default)
}

/// The results as a lookup table: one column per field (in result order, fields that no result
/// has left out), values in Splunk's text form, a multivalue field's values one per line.
fn table_of(df: &polars::prelude::DataFrame) -> LookupTable {
    let cols: Vec<&polars::prelude::Column> = df
        .columns()
        .iter()
        .filter(|c| c.null_count() < c.len())
        .collect();
    let rows = (0..df.height())
        .map(|i| {
            cols.iter()
                .map(|c| crate::frame::values_at(c, i).join("\n"))
                .collect()
        })
        .collect();
    LookupTable {
        columns: cols.iter().map(|c| c.name().to_string()).collect(),
        rows,
    }
}

/// `old` then `new`, with the fields of both (the old table's first). With `key`, a new row
/// whose key value an old row has replaces that row (`key_field`, as KV store updates).
fn append(old: &LookupTable, new: &LookupTable, key: Option<&str>) -> LookupTable {
    let mut columns = old.columns.clone();
    for c in &new.columns {
        if !columns.contains(c) {
            columns.push(c.clone());
        }
    }
    let reshape = |t: &LookupTable, r: &Vec<String>| -> Vec<String> {
        columns
            .iter()
            .map(|c| {
                t.column(c)
                    .and_then(|j| r.get(j).cloned())
                    .unwrap_or_default()
            })
            .collect()
    };
    let mut rows: Vec<Vec<String>> = old.rows.iter().map(|r| reshape(old, r)).collect();
    let key_at = key.and_then(|k| columns.iter().position(|c| c == k));
    for r in &new.rows {
        let r = reshape(new, r);
        let existing = key_at.and_then(|j| {
            (!r[j].is_empty())
                .then(|| rows.iter().position(|o| o[j] == r[j]))
                .flatten()
        });
        match existing {
            Some(i) => rows[i] = r,
            None => rows.push(r),
        }
    }
    LookupTable { columns, rows }
}

/// Run `outputlookup`: write the results to the lookup (a `.csv` file name, or a lookup
/// definition's name: its file or KV store collection) in the writable lookup folder, and pass
/// them on unchanged. Search Reference, outputlookup: `append=true` adds the results after the
/// table's rows (without it the table is replaced); `max=N` writes at most N results; with no
/// results, `override_if_empty=true` (the default) empties an existing table and `false` keeps
/// it, and `create_empty=true` creates an empty table where none exists; `key_field=F` with
/// `append=true` updates the rows whose F matches instead of adding them. `createinapp` and
/// `create_context` choose a Splunk app's folder; spelunk has one folder and accepts them.
fn execute(
    lf: LazyFrame,
    x: &Outputlookup,
    c: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let span = crate::runtime::name_span(&ctx.text, &x.name, &c.name, c.span);
    let lib = &ctx.lookups;
    crate::lookups::written::check_file_name(&x.name).map_err(|e| ctx.error(e, span))?;
    let def = lib.get(&x.name).cloned();
    let file = lib.written_name(&x.name, def.as_deref()).ok_or_else(|| match &def {
        Some(d) => ctx.error(
            format!("`outputlookup` cannot write lookup `{}`: it is computed or not a table", d.name),
            span,
        ),
        None => ctx.error(
            format!("`outputlookup` writes a lookup file ending in .csv or a defined lookup; `{}` is neither", x.name),
            span,
        )
        .note(format!("did you mean `{}.csv`?", x.name)),
    })?;
    let max = match x.options.get_opt("max") {
        Some(v) => Some(v.parse::<usize>().map_err(|_| {
            ctx.error(
                format!("`outputlookup` max must be a whole number, not `{v}`"),
                c.span,
            )
        })?),
        None => None,
    };
    let df = lf
        .collect()
        .map_err(|e| ctx.polars_error("outputlookup", c.span, e))?;
    let mut table = table_of(&df);
    if let Some(m) = max {
        table.rows.truncate(m);
    }
    let existing = || -> Result<Option<std::sync::Arc<LookupTable>>, Diagnostic> {
        if let Some(t) = lib.written.get(&file).map_err(|e| ctx.error(e, span))? {
            return Ok(Some(t));
        }
        // A defined lookup not written yet: its own table (a shipped CSV, an empty collection).
        Ok(def.as_ref().and_then(|d| d.table().ok()))
    };
    let to_write = if table.rows.is_empty() {
        let exists = existing()?.is_some();
        if flag(x, "append", false) {
            None
        } else if exists {
            flag(x, "override_if_empty", true).then(LookupTable::default)
        } else {
            flag(x, "create_empty", false).then(LookupTable::default)
        }
    } else if flag(x, "append", false) {
        Some(match existing()? {
            Some(old) => append(&old, &table, x.options.get_opt("key_field")),
            None => table,
        })
    } else {
        Some(table)
    };
    if let Some(t) = to_write {
        lib.written
            .put(&file, t)
            .map_err(|e| ctx.error(format!("`outputlookup` failed: {e}"), span))?;
    }
    Ok(df.lazy())
}

impl crate::commands::SplCommand for Outputlookup {
    const DOC: &'static str = "Write the results to a lookup table (a .csv file or a defined lookup) in the writable lookup folder (`<store>/lookups/`, or memory without a store); the results pass through (`append=`, `max=`, `create_empty=`, `override_if_empty=`, `key_field=`).";
    const OPTIONS: Option<&'static [&'static str]> = Some(&[
        "append",
        "create_empty",
        "override_if_empty",
        "max",
        "key_field",
        "createinapp",
        "create_context",
        "allow_updates",
    ]);
    const EXAMPLES: &'static [crate::commands::Example] = &[
        crate::commands::Example {
            description: "the results pass through, and the written table reads back",
            search: "| outputlookup seen.csv | inputlookup append=t seen.csv",
            input: "user,n\na,1\nb,2",
            output: "user,n\na,1\nb,2\na,1\nb,2\n",
        },
        crate::commands::Example {
            description: "append=t adds rows after the table's, with the fields of both",
            search: "| outputlookup t.csv | eval city=\"x\" | fields user city | outputlookup append=t t.csv | where user=\"nobody\" | inputlookup append=t t.csv",
            input: "user,n\na,1",
            output: "user,city,n\na,,1\na,x,\n",
        },
    ];

    fn options(&self) -> &[Opt] {
        &self.options
    }

    fn lower(
        &self,
        c: &Command,
        input: crate::plan::Node,
        cx: &mut crate::commands::Lower,
    ) -> Result<crate::plan::Node, Diagnostic> {
        Ok(cx.opaque(self.clone(), c, input))
    }
}

runs_execute!(Outputlookup, columns: |input| input.clone());

#[cfg(test)]
mod exec_tests {
    use crate::lookups::LookupLibrary;
    use polars::prelude::*;

    fn run(lib: &LookupLibrary, spl: &str) -> DataFrame {
        crate::testkit::try_run_with(DataFrame::empty(), spl, lib.clone())
            .unwrap_or_else(|e| panic!("{spl}: {e}"))
    }

    fn csv(lib: &LookupLibrary, spl: &str) -> String {
        crate::output::render(&run(lib, spl), crate::output::OutputFormat::Csv, "UTC")
    }

    #[test]
    fn writes_then_inputlookup_and_lookup_read_it() {
        let lib = LookupLibrary::builtin();
        // The results pass through.
        let out = run(
            &lib,
            "| makeresults count=2 | streamstats count as n | eval user=\"u\".n | table user n | outputlookup seen.csv",
        );
        assert_eq!(out.height(), 2);
        assert_eq!(csv(&lib, "| inputlookup seen.csv"), "user,n\nu1,1\nu2,2\n");
        let out = csv(
            &lib,
            "| makeresults | eval user=\"u2\" | lookup seen.csv user OUTPUT n | table user n",
        );
        assert_eq!(out, "user,n\nu2,2\n");
        // Replaced without append.
        run(
            &lib,
            "| makeresults | eval user=\"u9\" | table user | outputlookup seen.csv",
        );
        assert_eq!(csv(&lib, "| inputlookup seen.csv"), "user\nu9\n");
    }

    #[test]
    fn append_max_and_key_field() {
        let lib = LookupLibrary::builtin();
        run(
            &lib,
            "| makeresults | eval user=\"a\", n=1 | table user n | outputlookup t.csv",
        );
        run(
            &lib,
            "| makeresults | eval user=\"b\", city=\"x\" | table user city | outputlookup append=t t.csv",
        );
        assert_eq!(
            csv(&lib, "| inputlookup t.csv"),
            "user,n,city\na,1,\nb,,x\n"
        );
        run(
            &lib,
            "| makeresults | eval user=\"a\", n=5 | table user n | outputlookup append=true key_field=user t.csv",
        );
        assert_eq!(
            csv(&lib, "| inputlookup t.csv"),
            "user,n,city\na,5,\nb,,x\n"
        );
        run(
            &lib,
            "| makeresults count=5 | streamstats count as n | table n | outputlookup max=2 m.csv",
        );
        assert_eq!(csv(&lib, "| inputlookup m.csv"), "n\n1\n2\n");
    }

    #[test]
    fn no_results_override_if_empty_and_create_empty() {
        let lib = LookupLibrary::builtin();
        run(
            &lib,
            "| makeresults | eval a=1 | table a | outputlookup e.csv",
        );
        // override_if_empty=false keeps the table.
        run(
            &lib,
            "| makeresults | where 1=2 | outputlookup override_if_empty=false e.csv",
        );
        assert_eq!(csv(&lib, "| inputlookup e.csv"), "a\n1\n");
        // append=t with no results keeps it too.
        run(
            &lib,
            "| makeresults | where 1=2 | outputlookup append=t e.csv",
        );
        assert_eq!(run(&lib, "| inputlookup e.csv").height(), 1);
        // The default empties it.
        run(&lib, "| makeresults | where 1=2 | outputlookup e.csv");
        assert_eq!(run(&lib, "| inputlookup e.csv").height(), 0);
        // No results and no table: nothing is created unless create_empty=true.
        run(&lib, "| makeresults | where 1=2 | outputlookup none.csv");
        assert!(crate::testkit::try_run_with(
            DataFrame::empty(),
            "| inputlookup none.csv",
            lib.clone()
        )
        .is_err());
        run(
            &lib,
            "| makeresults | where 1=2 | outputlookup create_empty=true none.csv",
        );
        assert_eq!(run(&lib, "| inputlookup none.csv").height(), 0);
    }

    #[test]
    fn a_defined_collection_is_written_and_read_by_its_name() {
        let lib = LookupLibrary::builtin();
        // Empty as shipped, then written: inputlookup reads what outputlookup wrote.
        assert_eq!(run(&lib, "| inputlookup alexa_lookup_by_str").height(), 0);
        run(
            &lib,
            "| makeresults | eval rank=1, domain=\"splunk.com\" | table rank domain | outputlookup alexa_lookup_by_str",
        );
        assert_eq!(
            csv(&lib, "| inputlookup alexa_lookup_by_str"),
            "rank,domain\n1,splunk.com\n"
        );
    }

    #[test]
    fn names_outside_the_folder_and_unknown_names_are_refused() {
        let lib = LookupLibrary::builtin();
        for name in ["../evil.csv", "/tmp/evil.csv", "a/b.csv"] {
            let spl = format!("| makeresults | outputlookup {name}");
            let e =
                crate::testkit::try_run_with(DataFrame::empty(), &spl, lib.clone()).unwrap_err();
            assert!(
                e.message.contains("inside the lookup folder"),
                "{name}: {e}"
            );
        }
        let e = crate::testkit::try_run_with(
            DataFrame::empty(),
            "| makeresults | outputlookup plain",
            lib.clone(),
        )
        .unwrap_err();
        assert!(e.message.contains("ending in .csv"), "{e}");
        let e = crate::testkit::try_run_with(
            DataFrame::empty(),
            "| makeresults | outputlookup max=x a.csv",
            lib,
        )
        .unwrap_err();
        assert!(e.message.contains("max"), "{e}");
    }

    #[test]
    fn with_a_store_folder_tables_are_files_there() {
        let dir = std::env::temp_dir().join(format!("spelunk-outputlookup-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut lib = LookupLibrary::builtin();
        lib.written = crate::lookups::written::WrittenLookups::in_dir(dir.join("lookups"));
        run(
            &lib,
            "| makeresults | eval a=\"x,y\" | table a | outputlookup f.csv",
        );
        let text = std::fs::read_to_string(dir.join("lookups/f.csv")).unwrap();
        assert_eq!(text, "a\r\n\"x,y\"\r\n");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| outputlookup append=true previously_seen_aws_regions.csv");
        let CommandKind::Outputlookup(x) = c.kind else {
            panic!("not outputlookup: {c:?}")
        };
        assert_eq!(x.name, "previously_seen_aws_regions.csv");
        assert_eq!(x.options.get_opt("append"), Some("true"));
    }
}

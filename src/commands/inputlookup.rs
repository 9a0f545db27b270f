//! `inputlookup`: read a lookup table as results (`append=`, optional `where`).

use super::parts::Parts;
use crate::commands::Lower;
use crate::plan::Node;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Read a lookup table as results (`append=`, optional `where`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inputlookup {
    pub options: Vec<Opt>,
    pub name: String,
    pub where_clause: Option<SearchExpr>,
}

impl Inputlookup {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Inputlookup> {
        let parts = Parts::of(p)?;
        let where_clause = match parts.rest.iter().find(|c| c.as_rule() == Rule::search_expr) {
            Some(e) => Some(search_expr(e)?),
            None => None,
        };
        Ok(Inputlookup {
            name: parts.first_field(p)?,
            options: parts.options,
            where_clause,
        })
    }
}

use crate::diagnostic::Diagnostic;
use crate::frame::schema_of;
use crate::plan::operator::At;
use crate::plan::Predicate;
use crate::runtime::Context;
use polars::prelude::{lit, DataType, IntoLazy, LazyFrame, Schema, UnionArgs, NULL};

fn is_true(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "t" | "true" | "1" | "yes")
}

/// Whether the search `text` writes the lookup file `name` with `outputlookup`.
fn search_writes(text: &str, name: &str) -> bool {
    let pattern = format!(
        r"(?i)(?:^|[|\[])\s*outputlookup\s+(?:[a-z_]+\s*=\s*\S+\s+)*{}(?:\s|$|[|\]])",
        regex::escape(name)
    );
    regex::Regex::new(&pattern).is_ok_and(|r| r.is_match(text))
}

/// The table as results (String fields, empty cells null), after `start=`, `max=` and `where`.
///
/// A baseline search that seeds itself (`inputlookup append=t seen.csv | stats ... |
/// outputlookup seen.csv`, as security_content's "previously seen" detections) reads a lookup
/// file it writes but that does not exist yet as empty: its first run. Splunk would report the
/// missing file and asks for a support search to be run once first; a file no `outputlookup`
/// of the search writes stays an error.
fn table_frame(
    x: &Inputlookup,
    pred: Option<&Predicate>,
    c: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let span = crate::runtime::name_span(&ctx.text, &x.name, &c.name, c.span);
    let table = match ctx.open_lookup(&x.name, span) {
        Ok((_, table)) => table,
        Err(_)
            if ctx.lookups.get(&x.name).is_none()
                && ctx.lookups.written_name(&x.name, None).is_some()
                && search_writes(&ctx.text, &x.name) =>
        {
            return Ok(polars::prelude::DataFrame::empty().lazy());
        }
        Err(e) => return Err(e),
    };
    let df = table.to_frame().map_err(|e| ctx.error(e, c.span))?;
    let mut lf = df.lazy();
    let count = |k: &str| -> Result<Option<u32>, Diagnostic> {
        x.options
            .get_opt(k)
            .map(|v| {
                v.parse::<u32>()
                    .map_err(|_| ctx.error(format!("invalid {k} `{v}`"), c.span))
            })
            .transpose()
    };
    if let Some(start) = count("start")? {
        lf = lf.slice(start as i64, u32::MAX);
    }
    if let Some(max) = count("max")? {
        lf = lf.limit(max);
    }
    if let Some(w) = pred {
        let schema = schema_of(&mut lf, "inputlookup", c.span, ctx)?;
        lf = lf.filter(crate::expr::search::compile_in(w, &schema, ctx)?);
    }
    Ok(lf)
}

/// `inputlookup`'s operator: the table's rows as results (first command), or added after the
/// current results (`append=true`, with the union of their fields).
#[derive(Debug)]
pub struct InputlookupOp {
    pub x: Inputlookup,
    /// The `where` clause, planned.
    pub predicate: Option<Predicate>,
}

impl crate::plan::operator::Operator for InputlookupOp {
    fn describe(&self) -> String {
        format!("lookup table {}", self.x.name)
    }

    fn subplans(&self) -> Vec<&crate::plan::Plan> {
        Vec::new()
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }

    fn run(&self, mut lf: LazyFrame, c: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
        let mut table = table_frame(&self.x, self.predicate.as_ref(), c, ctx)?;
        if !self.x.options.get_opt("append").is_some_and(is_true) {
            return Ok(table);
        }
        let a = schema_of(&mut lf, "inputlookup", c.span, ctx)?;
        let b = schema_of(&mut table, "inputlookup", c.span, ctx)?;
        concat_diagonal(lf, &a, table, &b).map_err(|e| ctx.polars_error("inputlookup", c.span, e))
    }
}

impl crate::commands::SplCommand for Inputlookup {
    const DOC: &'static str = "Read a lookup table as results (`append=true` adds them after the current results; `start=`, `max=`, `where`).";

    fn options(&self) -> &[Opt] {
        &self.options
    }

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        let predicate = match &self.where_clause {
            Some(w) => Some(cx.predicate(w)?),
            None => None,
        };
        let op = InputlookupOp {
            x: self.clone(),
            predicate,
        };
        if input.is_empty_input() {
            return cx.generator(op, c, input);
        }
        if !self.options.get_opt("append").is_some_and(is_true) {
            return Err(cx.error(
                "`inputlookup` must be the first command of a search, unless it has append=true",
                c.span,
            ));
        }
        Ok(cx.opaque(op, c, input))
    }
}

/// Rows of `a` then rows of `b`, with every field of either (missing ones null). A field whose
/// types differ becomes String, or List(String) when either side is multivalue.
pub fn concat_diagonal(
    a: LazyFrame,
    sa: &Schema,
    b: LazyFrame,
    sb: &Schema,
) -> polars::prelude::PolarsResult<LazyFrame> {
    let mut names: Vec<String> = sa.iter_names().map(|n| n.to_string()).collect();
    for n in sb.iter_names() {
        if !sa.contains(n) {
            names.push(n.to_string());
        }
    }
    let unify = |n: &str| -> DataType {
        match (sa.get(n), sb.get(n)) {
            (Some(x), Some(y)) if x == y => x.clone(),
            (Some(x), None) | (None, Some(x)) if !x.is_null() => x.clone(),
            (Some(DataType::List(_)), _) | (_, Some(DataType::List(_))) => {
                DataType::List(Box::new(DataType::String))
            }
            _ => DataType::String,
        }
    };
    let project = |lf: LazyFrame, s: &Schema| -> LazyFrame {
        let exprs: Vec<_> = names
            .iter()
            .map(|n| {
                let dt = unify(n);
                let e = match s.get(n) {
                    Some(have) if *have == dt => polars::prelude::col(n.as_str()),
                    Some(_) => polars::prelude::col(n.as_str()).cast(dt),
                    None => lit(NULL).cast(dt),
                };
                e.alias(n.as_str())
            })
            .collect();
        lf.select(exprs)
    };
    // A side without fields contributes no rows (and selecting only literals would make one).
    if sb.is_empty() {
        return Ok(a);
    }
    if sa.is_empty() {
        return Ok(b);
    }
    polars::prelude::concat(
        [project(a, sa), project(b, sb)],
        UnionArgs {
            parallel: false,
            rechunk: false,
            ..Default::default()
        },
    )
}

#[cfg(test)]
mod exec_tests {
    use crate::testkit::{run_with_lookups, try_run_with_lookups};
    use polars::prelude::*;

    fn col(df: &DataFrame, name: &str) -> Vec<Option<String>> {
        let c = df.column(name).unwrap();
        (0..df.height())
            .map(|i| crate::frame::values_at(c, i).first().cloned())
            .collect()
    }

    #[test]
    fn generating_with_where() {
        let out = run_with_lookups(DataFrame::empty(), "| inputlookup domains");
        assert_eq!(out.height(), 3);
        assert_eq!(out.column("domain").unwrap().dtype(), &DataType::String);
        // An empty cell is a missing value.
        assert_eq!(col(&out, "owner")[2], None);
        let out = run_with_lookups(
            DataFrame::empty(),
            "| inputlookup domains where owner=CORP domain!=example.com",
        );
        assert_eq!(col(&out, "domain"), vec![Some("splunk.com".into())]);
        let out = run_with_lookups(DataFrame::empty(), "| inputlookup domains.csv max=1");
        assert_eq!(out.height(), 1);
        // A CSV file that no definition names, by its file name.
        let out = run_with_lookups(DataFrame::empty(), "| inputlookup legit_domains.csv");
        assert_eq!(col(&out, "domain"), vec![Some("legit.org".into())]);
        // A KV store collection: empty, with its fields.
        let out = run_with_lookups(DataFrame::empty(), "| inputlookup seen_users");
        assert_eq!(out.height(), 0);
        assert!(out.column("firstTimeSeen").is_ok());
    }

    #[test]
    fn append_adds_rows_with_union_of_fields() {
        let df = df!("domain" => ["a.com"], "n" => [1.0f64]).unwrap();
        let out = run_with_lookups(
            df.clone(),
            "| fields domain n | inputlookup append=t domains",
        );
        assert_eq!(out.height(), 4);
        assert_eq!(
            col(&out, "domain"),
            vec![
                Some("a.com".into()),
                Some("splunk.com".into()),
                Some("example.com".into()),
                Some("google.com".into())
            ]
        );
        assert_eq!(col(&out, "n")[0], Some("1".into()));
        assert_eq!(col(&out, "n")[1], None);
        assert_eq!(col(&out, "owner")[0], None);
        assert_eq!(col(&out, "owner")[1], Some("corp".into()));
        // Appended to no results: just the table.
        let out = run_with_lookups(
            DataFrame::empty(),
            "| fields x | inputlookup append=true domains",
        );
        assert_eq!(out.height(), 3);
        let e = try_run_with_lookups(df, "| fields domain | inputlookup domains").unwrap_err();
        assert!(e.message.contains("append=true"), "{e}");
    }

    #[test]
    fn inside_a_not_subsearch() {
        let df = df!("domain" => ["splunk.com", "evil.net", "google.com", "x.org"]).unwrap();
        let out = run_with_lookups(
            df,
            "| fields domain | search NOT [| inputlookup domains | fields domain]",
        );
        assert_eq!(
            col(&out, "domain"),
            vec![Some("evil.net".into()), Some("x.org".into())]
        );
    }

    #[test]
    fn a_baseline_search_that_writes_its_lookup_reads_it_empty_on_its_first_run() {
        let lib = crate::lookups::LookupLibrary::builtin();
        let spl = "| makeresults | eval user=\"a\" | table user | inputlookup append=t seen.csv | stats count by user | outputlookup seen.csv";
        let out = crate::testkit::try_run_with(DataFrame::empty(), spl, lib.clone()).unwrap();
        assert_eq!(col(&out, "user"), vec![Some("a".into())]);
        // The second run reads what the first wrote.
        let spl2 = spl.replace("\"a\"", "\"b\"");
        let out = crate::testkit::try_run_with(DataFrame::empty(), &spl2, lib.clone()).unwrap();
        assert_eq!(col(&out, "user"), vec![Some("a".into()), Some("b".into())]);
        // A file the search does not write is still unknown.
        let e = crate::testkit::try_run_with(
            DataFrame::empty(),
            "| makeresults | inputlookup append=t other.csv | outputlookup seen2.csv",
            lib,
        )
        .unwrap_err();
        assert!(e.message.contains("unknown lookup `other.csv`"), "{e}");
        assert!(super::search_writes(
            "x | outputlookup append=t seen.csv | y",
            "seen.csv"
        ));
        assert!(super::search_writes("x |outputlookup seen.csv", "seen.csv"));
        assert!(!super::search_writes(
            "x | outputlookup seen.csv.bak",
            "seen.csv"
        ));
        assert!(!super::search_writes(
            "x | inputlookup seen.csv",
            "seen.csv"
        ));
    }

    #[test]
    fn unknown_and_unreadable() {
        let e = try_run_with_lookups(DataFrame::empty(), "| inputlookup domainz").unwrap_err();
        assert!(e.message.contains("unknown lookup `domainz`"), "{e}");
        assert!(e.notes.iter().any(|n| n.contains("`domains`")), "{e}");
        let e = try_run_with_lookups(DataFrame::empty(), "| inputlookup missing_file").unwrap_err();
        assert!(e.message.contains("does_not_exist.csv"), "{e}");
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
            "| inputlookup append=t previously_seen_ec2_launches_by_user.csv where user=bob",
        );
        let CommandKind::Inputlookup(x) = c.kind else {
            panic!("not inputlookup: {c:?}")
        };
        assert_eq!(x.name, "previously_seen_ec2_launches_by_user.csv");
        assert_eq!(x.options.get_opt("append"), Some("t"));
        assert!(x.where_clause.is_some());
    }
}

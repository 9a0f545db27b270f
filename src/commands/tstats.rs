//! `tstats`: aggregate over a data model's summarised datasets (or indexed fields).
//!
//! `| tstats [options] <aggregates> [FROM datamodel=<Model.Dataset>] [WHERE <search>] [BY <fields>
//! [span=]]`. The `WHERE` clause uses the search language (OR binds tighter than AND). Without
//! FROM it reads the events' indexed fields and raw terms (`PREFIX(kbps=)`); `FROM <namespace>`
//! and `FROM sid=` (tscollect) parse and are errors naming them.

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `tstats` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tstats {
    /// `summariesonly=`, `allow_old_summaries=`, `fillnull_value=`, `prestats=`, `span=`, ...
    pub options: Vec<Opt>,
    pub aggregates: Vec<Aggregate>,
    /// `Endpoint.Processes` from `FROM datamodel=Endpoint.Processes`.
    pub datamodel: Option<String>,
    /// `FROM mydata` (a tscollect namespace) or `FROM sid=<job>`, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub where_clause: Option<SearchExpr>,
    pub by: Vec<String>,
}

impl Tstats {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Tstats> {
        let parts = Parts::of(p)?;
        let mut datamodel = None;
        let mut namespace = None;
        let mut where_clause = None;
        for c in &parts.rest {
            match c.as_rule() {
                Rule::tstats_from => {
                    for what in c.clone().into_inner() {
                        match what.as_rule() {
                            Rule::kw_from => {}
                            Rule::dm_spec => {
                                datamodel = Some(field(&child(&what, Rule::dm_name)?));
                            }
                            _ => namespace = Some(what.as_str().to_string()),
                        }
                    }
                }
                Rule::tstats_where => where_clause = Some(search_expr(&child(c, Rule::ts_expr)?)?),
                _ => return Err(unexpected(c)),
            }
        }
        Ok(Tstats {
            options: parts.options,
            aggregates: parts.aggregates,
            datamodel,
            namespace,
            where_clause,
            by: parts.by,
        })
    }
}

use crate::commands::{is_true, Lower, SplCommand};
use crate::diagnostic::Diagnostic;
use crate::plan::{Node, NullGroups, Op, Scan};

/// The options `tstats` accepts. `summariesonly`, `allow_old_summaries`, `chunk_size`, `local`,
/// `include_reduced_buckets` and `append` (for a first tstats) do not change results here: the
/// stored data model tables are complete summaries.
const TSTATS_OPTIONS: &[&str] = &[
    "summariesonly",
    "allow_old_summaries",
    "fillnull_value",
    "prestats",
    "span",
    "chunk_size",
    "local",
    "include_reduced_buckets",
    "append",
];

impl SplCommand for Tstats {
    const DOC: &'static str = "Aggregate a data model dataset's summary (FROM datamodel=), or the events' indexed fields and raw terms (PREFIX(kbps=)): filter with the WHERE search, group BY.";

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        if let Some(ns) = &self.namespace {
            return Err(cx.error(
                format!(
                    "`tstats ... FROM {ns}` reads a tscollect namespace (or job); spelunk stores none. It has the events (`tstats` without FROM, over indexed fields and PREFIX()) and data model datasets (`FROM datamodel=...`)"
                ),
                c.span,
            ));
        }
        let prefixes = self.prefixes();
        if let Some(p) = prefixes
            .iter()
            .find(|p| p.bytes().any(|b| b.is_ascii_uppercase()))
        {
            // Search Reference, tstats: "The text you provide for the PREFIX() directive must
            // be in lower case".
            return Err(cx.error(
                format!(
                    "the text of `PREFIX({p})` must be in lower case (Search Reference, tstats)"
                ),
                c.span,
            ));
        }
        let Some(dataset) = self.datamodel.clone() else {
            return self.lower_events(c, input, prefixes, cx);
        };
        if !prefixes.is_empty() {
            return Err(cx.error(
                "PREFIX() reads the raw terms of events: use it in `tstats` without `FROM datamodel=`",
                c.span,
            ));
        }
        let dataset = resolve_nodename(&dataset, self.where_clause.as_ref());
        if let Some(o) = self
            .options
            .iter()
            .find(|o| !TSTATS_OPTIONS.contains(&o.key.to_ascii_lowercase().as_str()))
        {
            return Err(cx.error(
                format!(
                    "tstats option `{}` is not supported (supported: {})",
                    o.key,
                    TSTATS_OPTIONS.join(", ")
                ),
                c.span,
            ));
        }
        let opt = |k: &str| self.options.get_opt(k);
        // `| tstats prestats=t append=t ...` after another tstats adds its dataset's rows to the
        // results: the union of the input and this tstats as a search of its own.
        if !input.is_empty_input() {
            if !opt("append").is_some_and(is_true) {
                return Err(cx.error(
                    "`tstats` must be the first command of a search, unless it has append=true",
                    c.span,
                ));
            }
            let own = self.lower(c, Node::empty(), cx)?;
            return Ok(cx.node(
                Op::Union {
                    inputs: vec![input, own],
                },
                c,
            ));
        }
        let mut node = cx.node(Op::Scan(Scan::Datamodel { dataset }), c);
        if let Some(w) = &self.where_clause {
            let predicate = cx.predicate(w)?;
            node = cx.node(
                Op::Filter {
                    input: Box::new(node),
                    predicate,
                },
                c,
            );
        }
        if opt("prestats").is_some_and(is_true) {
            // `prestats=t` hands unfinished aggregates to the next stats-family command, which
            // finishes them. Handing it the dataset's rows themselves gives that command the
            // same result (`| tstats prestats=t count by f | stats count by f` counts the rows
            // of each f), so no aggregate is done here.
            return Ok(node);
        }
        Ok(cx.node(
            Op::Aggregate {
                input: Box::new(node),
                aggregates: super::stats::agg_calls(&self.aggregates, cx)?,
                by: self.by.clone(),
                nulls: opt("fillnull_value")
                    .map(|v| NullGroups::Fill(v.to_string()))
                    .unwrap_or(NullGroups::Drop),
                span: opt("span").map(str::to_string),
            },
            c,
        ))
    }
}

/// The fields `tstats` reads from events without a data model: the default indexed fields
/// (Search Reference, tstats: it works on "indexed fields in tsidx files"). Search-time fields
/// are not in the tsidx files; spelunk refuses them rather than read its extractions.
const INDEXED_FIELDS: &[&str] = &[
    "_time",
    "index",
    "host",
    "source",
    "sourcetype",
    "splunk_server",
];

impl Tstats {
    /// The texts of the `PREFIX(...)` directives, in BY fields and aggregations, once each.
    fn prefixes(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let args = self.aggregates.iter().filter_map(|a| match &a.arg {
            Some(AggArg::Field(f)) => Some(f.as_str()),
            _ => None,
        });
        for f in self.by.iter().map(String::as_str).chain(args) {
            if let Some(p) = prefix_of(f) {
                if !out.iter().any(|x| x == p) {
                    out.push(p.to_string());
                }
            }
        }
        out
    }

    /// `| tstats ... [WHERE ...] [BY ...]` without FROM: over the events' indexed fields and
    /// raw terms. `PREFIX(kbps=)` gives the values of the terms of `_raw` that start with
    /// `kbps=` (lower case, as the terms are indexed), a multivalue field when several.
    fn lower_events(
        &self,
        c: &Command,
        input: Node,
        prefixes: Vec<String>,
        cx: &mut Lower,
    ) -> Result<Node, Diagnostic> {
        let opt = |k: &str| self.options.get_opt(k);
        if !input.is_empty_input() {
            if !opt("append").is_some_and(is_true) {
                return Err(cx.error(
                    "`tstats` must be the first command of a search, unless it has append=true",
                    c.span,
                ));
            }
            let own = self.lower_events(c, Node::empty(), prefixes, cx)?;
            return Ok(cx.node(
                Op::Union {
                    inputs: vec![input, own],
                },
                c,
            ));
        }
        if let Some(o) = self
            .options
            .iter()
            .find(|o| !TSTATS_OPTIONS.contains(&o.key.to_ascii_lowercase().as_str()))
        {
            return Err(cx.error(
                format!(
                    "tstats option `{}` is not supported (supported: {})",
                    o.key,
                    TSTATS_OPTIONS.join(", ")
                ),
                c.span,
            ));
        }
        let indexed = |f: &str| {
            INDEXED_FIELDS.contains(&f)
                || crate::expr::search::ALWAYS_TRUE_FIELDS.contains(&f)
                || prefix_of(f).is_some()
        };
        let not_indexed = |f: &str| {
            cx.error(
                format!(
                    "`tstats` without a data model reads indexed fields ({}) and PREFIX() terms; `{f}` is a search-time field (use `search ... | stats`, or a data model)",
                    INDEXED_FIELDS.join(", ")
                ),
                c.span,
            )
        };
        if let Some(w) = &self.where_clause {
            let mut fields = Vec::new();
            search_fields(w, &mut fields);
            if let Some(f) = fields.iter().find(|f| !indexed(f)) {
                return Err(not_indexed(f));
            }
        }
        for f in &self.by {
            if !indexed(f) {
                return Err(not_indexed(f));
            }
        }
        for a in &self.aggregates {
            match &a.arg {
                Some(AggArg::Field(f)) if !indexed(f) => return Err(not_indexed(f)),
                Some(AggArg::Eval(..)) => {
                    return Err(cx.error(
                        "`tstats` aggregates fields or PREFIX(), not `eval(...)`",
                        a.span,
                    ))
                }
                _ => {}
            }
        }
        let mut node = cx.node(Op::Scan(Scan::Events), c);
        if let Some(w) = &self.where_clause {
            let predicate = cx.predicate(w)?;
            node = cx.node(
                Op::Filter {
                    input: Box::new(node),
                    predicate,
                },
                c,
            );
        }
        if !prefixes.is_empty() {
            node = cx.opaque(PrefixTerms { prefixes }, c, node);
        }
        if opt("prestats").is_some_and(is_true) {
            return Ok(node);
        }
        // The aggregation reads the PREFIX columns by their directive (`avg(PREFIX(kbps=))`
        // names its output so); a BY column is named by its prefix text (`kbps=`), as in Splunk.
        let mut node = cx.node(
            Op::Aggregate {
                input: Box::new(node),
                aggregates: super::stats::agg_calls_reading(&self.aggregates, cx, true)?,
                by: self.by.clone(),
                nulls: opt("fillnull_value")
                    .map(|v| NullGroups::Fill(v.to_string()))
                    .unwrap_or(NullGroups::Drop),
                span: opt("span").map(str::to_string),
            },
            c,
        );
        let renames: Vec<(String, String)> = self
            .by
            .iter()
            .filter_map(|f| prefix_of(f).map(|p| (f.clone(), p.to_string())))
            .collect();
        if !renames.is_empty() {
            node = cx.node(
                Op::Rename {
                    input: Box::new(node),
                    pairs: renames,
                },
                c,
            );
        }
        Ok(node)
    }
}

/// The text of a `PREFIX(...)` directive field (`PREFIX(kbps=)` -> `kbps=`).
fn prefix_of(f: &str) -> Option<&str> {
    f.get(..7).filter(|h| h.eq_ignore_ascii_case("prefix("))?;
    f[7..].strip_suffix(')')
}

/// The fields a search expression compares.
fn search_fields(e: &SearchExpr, out: &mut Vec<String>) {
    match e {
        SearchExpr::Compare { field, .. } | SearchExpr::In { field, .. } => out.push(field.clone()),
        SearchExpr::And(v) | SearchExpr::Or(v) => v.iter().for_each(|x| search_fields(x, out)),
        SearchExpr::Not(x) => search_fields(x, out),
        _ => {}
    }
}

/// Adds a column `PREFIX(<text>)` per directive: the values of the indexed terms of `_raw`
/// (major and minor segments, lower case) that start with the text, without it (Search
/// Reference, tstats: "You give PREFIX() the text that precedes the value ... the search
/// returns the values that follow the prefix"; `PREFIX(kbps=)` on `kbps=10` gives `10`).
#[derive(Debug)]
pub struct PrefixTerms {
    prefixes: Vec<String>,
}

impl crate::plan::operator::Operator for PrefixTerms {
    fn describe(&self) -> String {
        let list: Vec<String> = self
            .prefixes
            .iter()
            .map(|p| format!("PREFIX({p})"))
            .collect();
        format!("the raw terms {}", list.join(" "))
    }

    fn run(
        &self,
        input: polars::prelude::LazyFrame,
        _at: &crate::plan::operator::At,
        _ctx: &crate::runtime::Context,
    ) -> Result<polars::prelude::LazyFrame, Diagnostic> {
        use polars::prelude::*;
        let mut lf = input;
        let has_raw = lf
            .collect_schema()
            .map(|s| s.get("_raw").is_some())
            .unwrap_or(false);
        for p in &self.prefixes {
            let name = format!("PREFIX({p})");
            let expr = if has_raw {
                let p = p.clone();
                col("_raw").cast(DataType::String).map(
                    move |c: Column| {
                        let br = crate::knowledge::segmenters::default_breakers();
                        let ca = c.str()?;
                        let mut b =
                            ListStringChunkedBuilder::new(c.name().clone(), ca.len(), ca.len() * 2);
                        for v in ca.iter() {
                            let vals: Vec<String> = v
                                .map(|raw| {
                                    br.terms(raw)
                                        .into_iter()
                                        .filter_map(|t| {
                                            t.strip_prefix(p.as_str())
                                                .filter(|x| !x.is_empty())
                                                .map(str::to_string)
                                        })
                                        .collect()
                                })
                                .unwrap_or_default();
                            if vals.is_empty() {
                                b.append_null();
                            } else {
                                b.append_values_iter(vals.iter().map(String::as_str));
                            }
                        }
                        Ok(b.finish().into_series().into_column())
                    },
                    |_, f| {
                        Ok(Field::new(
                            f.name().clone(),
                            DataType::List(Box::new(DataType::String)),
                        ))
                    },
                )
            } else {
                lit(NULL).cast(DataType::List(Box::new(DataType::String)))
            };
            lf = lf.with_column(expr.alias(name.as_str()));
        }
        Ok(lf)
    }
}

/// `from datamodel=Network_Resolution where nodename=DNS` reads `Network_Resolution.DNS`;
/// `nodename=Authentication.Failed_Authentication` names the dataset path after the model.
fn resolve_nodename(dataset: &str, where_clause: Option<&SearchExpr>) -> String {
    fn find(e: &SearchExpr) -> Option<String> {
        match e {
            SearchExpr::Compare { field, value, .. } if field == "nodename" => Some(value.text()),
            SearchExpr::And(v) => v.iter().find_map(find),
            _ => None,
        }
    }
    match where_clause.and_then(find) {
        Some(node) => {
            let model = dataset.split('.').next().unwrap_or(dataset);
            // Child datasets live in their root's table: Failed_Authentication -> Authentication.
            let root = node.split('.').next().unwrap_or(&node);
            format!("{model}.{root}")
        }
        None => dataset.to_string(),
    }
}

#[cfg(test)]
mod lower_tests {
    use crate::plan::{NullGroups, Op, Predicate, Scan};

    fn plan(spl: &str) -> crate::plan::Plan {
        let p = crate::syntax::parse(spl).unwrap_or_else(|e| panic!("{e}"));
        crate::commands::lower_pipeline(&p, spl).unwrap_or_else(|e| panic!("{e}"))
    }

    fn input(op: &Op) -> &Op {
        &op.inputs()[0].op
    }

    #[test]
    fn tstats_lowers_to_scan_filter_aggregate() {
        let p = plan("| tstats fillnull_value=null count from datamodel=Endpoint.Processes where Processes.process=*x* by Processes.dest | rename Processes.* as *");
        assert!(matches!(p.root.op, Op::Rename { .. }));
        let agg = input(&p.root.op);
        assert!(
            matches!(agg, Op::Aggregate { nulls: NullGroups::Fill(v), by, .. } if v == "null" && by == &["Processes.dest"])
        );
        let filter = input(agg);
        assert!(matches!(
            filter,
            Op::Filter {
                predicate: Predicate::Compare { .. },
                ..
            }
        ));
        assert!(
            matches!(input(filter), Op::Scan(Scan::Datamodel { dataset }) if dataset == "Endpoint.Processes")
        );
    }

    #[test]
    fn prestats_leaves_the_aggregation_to_the_next_stats() {
        let p = plan("| tstats prestats=t count from datamodel=Endpoint.Processes where Processes.process=*x* by Processes.dest | stats count by Processes.dest");
        let Op::Aggregate { by, input: i, .. } = &p.root.op else {
            panic!("{:?}", p.root.op)
        };
        assert_eq!(by, &["Processes.dest"]);
        assert!(matches!(i.op, Op::Filter { .. }));
    }

    #[test]
    fn append_is_a_union_with_its_own_scan() {
        let p = plan("| tstats prestats=t count from datamodel=Endpoint.Processes | tstats prestats=t append=t count from datamodel=Endpoint.Filesystem | stats count");
        let Op::Union { inputs } = input(&p.root.op) else {
            panic!()
        };
        assert_eq!(inputs.len(), 2);
        assert!(
            matches!(&inputs[1].op, Op::Scan(Scan::Datamodel { dataset }) if dataset == "Endpoint.Filesystem")
        );
    }

    #[test]
    fn nodename_selects_the_dataset() {
        let p = plan("| tstats count from datamodel=Network_Resolution where nodename=DNS DNS.query=* by DNS.src");
        let scan = input(input(&p.root.op));
        assert!(
            matches!(scan, Op::Scan(Scan::Datamodel { dataset }) if dataset == "Network_Resolution.DNS")
        );
    }

    #[test]
    fn unknown_option_is_an_error_naming_it() {
        let spl = "| tstats frobnicate=t count from datamodel=Endpoint.Processes";
        let p = crate::syntax::parse(spl).unwrap();
        let e = crate::commands::lower_pipeline(&p, spl).unwrap_err();
        assert!(e.to_string().contains("frobnicate"), "{e}");
    }

    #[test]
    fn implied_search_reads_events() {
        let p = plan("index=main EventCode=1 | stats count by host");
        let filter = input(&p.root.op);
        assert!(matches!(input(filter), Op::Scan(Scan::Events)));
        // Its output columns are exact: BY fields then aggregates.
        assert_eq!(p.root.columns.names(), &["host", "count"]);
        assert!(p.root.columns.is_exact());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    fn tstats(spl: &str) -> Tstats {
        match parse_command(spl).kind {
            CommandKind::Tstats(t) => t,
            k => panic!("not tstats: {k:?}"),
        }
    }

    #[test]
    fn the_seed_shape() {
        let t = tstats(
            r#"| tstats summariesonly=false allow_old_summaries=true fillnull_value=null count min(_time) as firstTime max(_time) as lastTime from datamodel=Endpoint.Processes where (Processes.process_name=cmd.exe OR Processes.original_file_name=Cmd.Exe) Processes.process=*mklink* by Processes.dest Processes.user"#,
        );
        assert_eq!(t.options.get_opt("fillnull_value"), Some("null"));
        assert_eq!(t.aggregates.len(), 3);
        assert_eq!(t.datamodel.as_deref(), Some("Endpoint.Processes"));
        assert_eq!(t.by, vec!["Processes.dest", "Processes.user"]);
        let Some(SearchExpr::And(items)) = t.where_clause else {
            panic!()
        };
        assert!(matches!(&items[0], SearchExpr::Or(v) if v.len() == 2));
    }

    #[test]
    fn where_uses_search_precedence() {
        let t = tstats("| tstats count from datamodel=A.B where a=1 b=2 OR c=3 by x");
        let w = t.where_clause.unwrap();
        let SearchExpr::And(items) = w else {
            panic!("{w:?}")
        };
        assert_eq!(items.len(), 2);
        assert!(matches!(&items[1], SearchExpr::Or(v) if v.len() == 2));
        assert_eq!(t.by, vec!["x"]);
    }

    #[test]
    fn options_between_aggregates_span_and_nodename() {
        let t = tstats("| tstats count summariesonly=false values(Web.url) as url FROM datamodel=Network_Resolution where nodename=DNS by _time span=1h DNS.src");
        assert_eq!(t.options.get_opt("summariesonly"), Some("false"));
        assert_eq!(t.options.get_opt("span"), Some("1h"));
        assert_eq!(t.by, vec!["_time", "DNS.src"]);
        assert_eq!(t.aggregates.len(), 2);
    }
}

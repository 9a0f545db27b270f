//! The logical plan: what a search does, independent of how it runs.
//!
//! A [`Plan`] is a source followed by stages. Lowering decomposes commands whose meaning is a
//! combination of simpler steps (`tstats` = scan a data model dataset, filter with a search
//! predicate, aggregate), so that a backend other than polars (SQL for a distributed engine) can
//! be written against the same IR. Commands that are already a single step keep their typed node.

use crate::commands::CommandKind;
use crate::diagnostic::{Diagnostic, Span};
use crate::syntax::ast::{Aggregate, Command, Pipeline, SearchExpr};
use serde::Serialize;

pub mod functions;

/// Where a pipeline's first results come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Source {
    /// Events of the searched indexes (the implied `search`).
    Events,
    /// A data model dataset's summary table, e.g. `Endpoint.Processes`.
    Datamodel { dataset: String },
    /// A generating command executed by its module (`inputlookup`, `makeresults`, ...).
    Generator(Box<Command>),
    /// No input (a pipeline that starts with a non-generating command in a subsearch).
    Empty,
}

/// How rows with a null `BY` field are treated when aggregating.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum NullGroups {
    /// `stats`: rows whose BY field is null are dropped.
    Drop,
    /// `tstats fillnull_value=X`: the null BY field takes the value X.
    Fill(String),
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Stage {
    /// Keep rows matching a search-language predicate.
    Filter(SearchExpr),
    /// Group by fields and aggregate (the stats family and tstats): BY fields first, then the
    /// aggregates, one row per group, ordered by the BY fields.
    Aggregate {
        aggregates: Vec<Aggregate>,
        by: Vec<String>,
        nulls: NullGroups,
        /// `span=` for a `_time` BY field.
        span: Option<String>,
    },
    /// Any other command, run by its module in `src/commands/`.
    Command(Command),
}

/// A stage with its position in the search text (for errors).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub stage: Stage,
    #[serde(skip)]
    pub span: Span,
    /// The SPL command this step comes from.
    pub command: String,
}

/// A lowered search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub source: Source,
    pub steps: Vec<Step>,
}

/// Commands that produce results without input.
fn is_generating(kind: &CommandKind) -> bool {
    matches!(
        kind,
        CommandKind::Inputlookup(_)
            | CommandKind::Makeresults(_)
            | CommandKind::Mstats(_)
            | CommandKind::From(_)
            | CommandKind::Datamodel(_)
    )
}

/// Lower a parsed pipeline to a plan. `source` is the (expanded) search text for error positions.
pub fn lower(p: &Pipeline, text: &str) -> Result<Plan, Diagnostic> {
    let mut commands = p.commands.iter();
    let mut steps = Vec::new();
    let source = match commands.next() {
        None => Source::Empty,
        Some(first) => match &first.kind {
            CommandKind::Search(s) => {
                if let Some(e) = &s.expr {
                    steps.push(step(Stage::Filter(e.clone()), first));
                }
                Source::Events
            }
            CommandKind::Tstats(t) => {
                let dataset = t.datamodel.clone().ok_or_else(|| {
                    Diagnostic::new("tstats without `FROM datamodel=...` (indexed-field tstats) is not supported yet")
                        .at(text, first.span)
                })?;
                let dataset = resolve_nodename(&dataset, t.where_clause.as_ref());
                if let Some(o) = t
                    .options
                    .iter()
                    .find(|o| !TSTATS_OPTIONS.contains(&o.key.to_ascii_lowercase().as_str()))
                {
                    return Err(Diagnostic::new(format!(
                        "tstats option `{}` is not supported (supported: {})",
                        o.key,
                        TSTATS_OPTIONS.join(", ")
                    ))
                    .at(text, first.span));
                }
                if let Some(w) = &t.where_clause {
                    steps.push(step(Stage::Filter(w.clone()), first));
                }
                let prestats = t
                    .options
                    .iter()
                    .rev()
                    .find(|o| o.key.eq_ignore_ascii_case("prestats"))
                    .is_some_and(|o| is_true(&o.value));
                if prestats {
                    // `prestats=t` hands unfinished aggregates to the next stats-family command,
                    // which finishes them. Handing it the dataset's rows themselves gives that
                    // command the same result (`| tstats prestats=t count by f | stats count by
                    // f` counts the rows of each f), so no aggregate is done here.
                    return lower_rest(commands, steps, Source::Datamodel { dataset }, text);
                }
                let fill = t
                    .options
                    .iter()
                    .rev()
                    .find(|o| o.key.eq_ignore_ascii_case("fillnull_value"))
                    .map(|o| o.value.clone());
                let span = t
                    .options
                    .iter()
                    .rev()
                    .find(|o| o.key.eq_ignore_ascii_case("span"))
                    .map(|o| o.value.clone());
                steps.push(step(
                    Stage::Aggregate {
                        aggregates: t.aggregates.clone(),
                        by: t.by.clone(),
                        nulls: fill.map(NullGroups::Fill).unwrap_or(NullGroups::Drop),
                        span,
                    },
                    first,
                ));
                Source::Datamodel { dataset }
            }
            CommandKind::From(f) if f.kind == "datamodel" => Source::Datamodel {
                dataset: f.name.clone(),
            },
            k if is_generating(k) => Source::Generator(Box::new(first.clone())),
            _ => {
                steps.push(lower_command(first).map_err(|d| d.at(text, first.span))?);
                Source::Empty
            }
        },
    };
    lower_rest(commands, steps, source, text)
}

/// The options `tstats` accepts. `summariesonly`, `allow_old_summaries`, `chunk_size`, `local`,
/// `include_reduced_buckets` and `append` (for a first tstats) do not change results here: the
/// stored data model tables are complete summaries.
const TSTATS_OPTIONS: [&str; 9] = [
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

/// Splunk's boolean option values: `t`, `true`, `1` (any case) are true.
fn is_true(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "t" | "true" | "1")
}

fn lower_rest<'a>(
    commands: impl Iterator<Item = &'a Command>,
    mut steps: Vec<Step>,
    source: Source,
    text: &str,
) -> Result<Plan, Diagnostic> {
    for c in commands {
        steps.push(lower_command(c).map_err(|d| d.at(text, c.span))?);
    }
    Ok(Plan { source, steps })
}

fn step(stage: Stage, c: &Command) -> Step {
    Step {
        stage,
        span: c.span,
        command: c.name.clone(),
    }
}

fn lower_command(c: &Command) -> Result<Step, Diagnostic> {
    Ok(match &c.kind {
        CommandKind::Search(s) => match &s.expr {
            Some(e) => step(Stage::Filter(e.clone()), c),
            None => step(Stage::Filter(SearchExpr::Empty), c),
        },
        // `| tstats prestats=t append=t ...` after another prestats tstats adds its dataset's
        // rows to the results: an `append` of a search that starts with this tstats.
        CommandKind::Tstats(t)
            if t.options
                .iter()
                .any(|o| o.key.eq_ignore_ascii_case("append") && is_true(&o.value)) =>
        {
            let sub = Pipeline {
                commands: vec![c.clone()],
                span: c.span,
            };
            let append = Command {
                kind: CommandKind::Append(crate::commands::append::Append {
                    options: Vec::new(),
                    subsearch: sub,
                }),
                ..c.clone()
            };
            step(Stage::Command(append), c)
        }
        CommandKind::Stats(s) => {
            // `partitions=` only spreads work in Splunk; any other option is not implemented.
            if let Some(o) = s
                .args
                .options
                .iter()
                .find(|o| !o.key.eq_ignore_ascii_case("partitions"))
            {
                return Err(Diagnostic::new(format!(
                    "`stats {}=` is not supported yet",
                    o.key
                )));
            }
            step(
                Stage::Aggregate {
                    aggregates: s.args.aggregates.clone(),
                    by: s.args.by.clone(),
                    nulls: NullGroups::Drop,
                    span: None,
                },
                c,
            )
        }
        _ => step(Stage::Command(c.clone()), c),
    })
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
mod tests {
    use super::*;

    #[test]
    fn tstats_prestats_leaves_the_aggregation_to_the_next_stats() {
        let text = "| tstats prestats=t count from datamodel=Endpoint.Processes where Processes.process=*x* by Processes.dest | stats count by Processes.dest";
        let p = lower(&crate::syntax::parse(text).unwrap(), text).unwrap();
        assert_eq!(
            p.source,
            Source::Datamodel {
                dataset: "Endpoint.Processes".into()
            }
        );
        assert_eq!(p.steps.len(), 2);
        assert!(matches!(p.steps[0].stage, Stage::Filter(_)));
        assert!(
            matches!(&p.steps[1].stage, Stage::Aggregate { by, .. } if by == &["Processes.dest"])
        );
    }

    #[test]
    fn tstats_unknown_option_is_an_error_naming_it() {
        let text = "| tstats frobnicate=t count from datamodel=Endpoint.Processes";
        let e = lower(&crate::syntax::parse(text).unwrap(), text).unwrap_err();
        assert!(e.to_string().contains("frobnicate"), "{e}");
    }

    #[test]
    fn tstats_lowers_to_scan_filter_aggregate() {
        let p = crate::syntax::parse("| tstats fillnull_value=null count from datamodel=Endpoint.Processes where Processes.process=*x* by Processes.dest | rename Processes.* as *").unwrap();
        let plan = lower(&p, "").unwrap();
        assert_eq!(
            plan.source,
            Source::Datamodel {
                dataset: "Endpoint.Processes".into()
            }
        );
        assert!(matches!(plan.steps[0].stage, Stage::Filter(_)));
        assert!(
            matches!(&plan.steps[1].stage, Stage::Aggregate { nulls: NullGroups::Fill(v), .. } if v == "null")
        );
        assert!(matches!(&plan.steps[2].stage, Stage::Command(c) if c.name == "rename"));
    }

    #[test]
    fn nodename_selects_the_dataset() {
        let p = crate::syntax::parse("| tstats count from datamodel=Network_Resolution where nodename=DNS DNS.query=* by DNS.src").unwrap();
        let plan = lower(&p, "").unwrap();
        assert_eq!(
            plan.source,
            Source::Datamodel {
                dataset: "Network_Resolution.DNS".into()
            }
        );
    }

    #[test]
    fn implied_search_reads_events() {
        let p = crate::syntax::parse("index=main EventCode=1 | stats count by host").unwrap();
        let plan = lower(&p, "").unwrap();
        assert_eq!(plan.source, Source::Events);
        assert_eq!(plan.steps.len(), 2);
    }
}

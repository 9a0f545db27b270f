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
                if let Some(w) = &t.where_clause {
                    steps.push(step(Stage::Filter(w.clone()), first));
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
                steps.push(lower_command(first)?);
                Source::Empty
            }
        },
    };
    for c in commands {
        steps.push(lower_command(c)?);
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
        CommandKind::Stats(s) => step(
            Stage::Aggregate {
                aggregates: s.args.aggregates.clone(),
                by: s.args.by.clone(),
                nulls: NullGroups::Drop,
                span: None,
            },
            c,
        ),
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

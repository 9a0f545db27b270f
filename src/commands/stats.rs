//! `stats`: aggregate the results, one row per distinct `BY` tuple (sorted by it).

use super::parts::Parts;
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Aggregations, `BY` fields and options: shared by `stats`, `eventstats` and `streamstats`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsArgs {
    pub options: Vec<Opt>,
    pub aggregates: Vec<Aggregate>,
    pub by: Vec<String>,
}

impl StatsArgs {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<StatsArgs> {
        let parts = Parts::of(p)?;
        Ok(StatsArgs {
            options: parts.options,
            aggregates: parts.aggregates,
            by: parts.by,
        })
    }
}

/// A `stats` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    #[serde(flatten)]
    pub args: StatsArgs,
}

impl Stats {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Stats> {
        Ok(Stats {
            args: StatsArgs::build(p)?,
        })
    }
}

use crate::commands::{Lower, SplCommand};
use crate::plan::{AggCall, AggInput, NullGroups};
use crate::plan::{Node, Op};

/// The plan's aggregates for the syntax tree's (eval arguments lowered and checked).
pub(crate) fn agg_calls(
    aggs: &[Aggregate],
    cx: &Lower,
) -> Result<Vec<AggCall>, crate::diagnostic::Diagnostic> {
    aggs.iter()
        .map(|a| {
            use crate::plan::functions::{check_call, FunctionClass};
            check_call(&a.func, FunctionClass::Stats, usize::from(a.arg.is_some()))
                .map_err(|d| d.at(cx.text, a.span).origin("expanded search"))?;
            Ok(AggCall {
                func: a.func.clone(),
                arg: match &a.arg {
                    None => None,
                    Some(AggArg::Field(f)) => Some(AggInput::Field(f.clone())),
                    Some(AggArg::Eval(e, text)) => {
                        Some(AggInput::Eval(cx.scalar(e)?, text.clone()))
                    }
                },
                alias: a.alias.clone(),
                span: a.span,
            })
        })
        .collect()
}

impl SplCommand for Stats {
    const DOC: &'static str = "Aggregate the results: one row per distinct BY tuple (sorted by it), BY fields then aggregates; rows with a null BY field are dropped.";
    // `partitions=` only spreads work in Splunk.
    const OPTIONS: Option<&'static [&'static str]> = Some(&["partitions"]);

    fn options(&self) -> &[Opt] {
        &self.args.options
    }

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        Ok(cx.node(
            Op::Aggregate {
                input: Box::new(input),
                aggregates: agg_calls(&self.args.aggregates, cx)?,
                by: self.args.by.clone(),
                nulls: NullGroups::Drop,
                span: None,
            },
            c,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn aggregates_with_eval_alias_and_by() {
        let c = parse_command(
            r#"| stats count min(_time) as firstTime, values(eval(if(x=="a",y,null()))) as v dc("DNS.answer") by user, dest"#,
        );
        let CommandKind::Stats(s) = c.kind else {
            panic!()
        };
        let a = &s.args.aggregates;
        assert_eq!(a.len(), 4);
        assert_eq!(a[0].output_name(), "count");
        assert_eq!(a[1].output_name(), "firstTime");
        assert!(matches!(a[2].arg, Some(AggArg::Eval(..))));
        assert_eq!(a[3].output_name(), "dc(DNS.answer)");
        assert_eq!(s.args.by, vec!["user", "dest"]);
    }

    #[test]
    fn trailing_commas_are_accepted() {
        let c = parse_command(
            "| stats count min(_time) as firstTime, max(_time) as lastTime, by Id,Operation",
        );
        let CommandKind::Stats(s) = c.kind else {
            panic!()
        };
        assert_eq!(s.args.by, vec!["Id", "Operation"]);
    }
}

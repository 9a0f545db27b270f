//! `tstats`: aggregate over a data model's summarised datasets (or indexed fields).
//!
//! `| tstats [options] <aggregates> [FROM datamodel=<Model.Dataset>] [WHERE <search>] [BY <fields>
//! [span=]]`. The `WHERE` clause uses the search language (OR binds tighter than AND).

#[allow(unused_imports)]
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
    pub where_clause: Option<SearchExpr>,
    pub by: Vec<String>,
}

impl Tstats {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Tstats> {
        let parts = Parts::of(p)?;
        let mut datamodel = None;
        let mut where_clause = None;
        for c in &parts.rest {
            match c.as_rule() {
                Rule::tstats_from => {
                    datamodel = Some(field(&child(&child(c, Rule::dm_spec)?, Rule::dm_name)?))
                }
                Rule::tstats_where => where_clause = Some(search_expr(&child(c, Rule::ts_expr)?)?),
                _ => return Err(unexpected(c)),
            }
        }
        Ok(Tstats {
            options: parts.options,
            aggregates: parts.aggregates,
            datamodel,
            where_clause,
            by: parts.by,
        })
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

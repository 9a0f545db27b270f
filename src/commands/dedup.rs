//! `dedup`: keep the first result for each combination of field values (rows with a null key are
//! dropped unless `keepempty=true`).

#[allow(unused_imports)]
use super::parts::Parts;
use super::sort::{sort_key, SortKey};
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `dedup` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dedup {
    /// Keep this many results per key (default 1).
    pub count: Option<u64>,
    pub options: Vec<Opt>,
    pub fields: Vec<String>,
    pub sortby: Vec<SortKey>,
}

impl Dedup {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Dedup> {
        let parts = Parts::of(p)?;
        let mut sortby = Vec::new();
        for c in &parts.rest {
            match c.as_rule() {
                Rule::dedup_sortby => {
                    for k in c.clone().into_inner() {
                        sortby.push(sort_key(&k)?);
                    }
                }
                _ => return Err(unexpected(c)),
            }
        }
        Ok(Dedup {
            count: parts.count,
            options: parts.options,
            fields: parts.fields,
            sortby,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn fields_options_sortby() {
        let CommandKind::Dedup(d) =
            parse_command("| dedup 2 host,process_name keepempty=true sortby -_time").kind
        else {
            panic!()
        };
        assert_eq!(d.count, Some(2));
        assert_eq!(d.fields, vec!["host", "process_name"]);
        assert_eq!(d.options[0].key, "keepempty");
        assert!(d.sortby[0].descending);
    }
}

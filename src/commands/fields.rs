//! `fields`: keep (`+`, the default) or remove (`-`) fields; wildcards allowed.

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `fields` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fields {
    /// True for `fields - ...`.
    pub remove: bool,
    pub fields: Vec<String>,
}

impl Fields {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Fields> {
        let parts = Parts::of(p)?;
        let remove = parts
            .rest
            .iter()
            .any(|c| c.as_rule() == Rule::fields_mode && c.as_str() == "-");
        Ok(Fields {
            remove,
            fields: parts.fields,
        })
    }
}

use super::table::select_patterns;
use crate::diagnostic::Diagnostic;
#[allow(unused_imports)]
use crate::exec::{schema_of, Context};
#[allow(unused_imports)]
use crate::syntax::ast::Command;
#[allow(unused_imports)]
use polars::prelude::{
    col, lit, DataType, LazyFrame, SortMultipleOptions, UniqueKeepStrategy, NULL,
};

/// Run `fields`: keep the listed fields (internal `_time`/`_raw` stay), or remove them.
pub(crate) fn execute(
    mut lf: LazyFrame,
    f: &Fields,
    c: &Command,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let schema = schema_of(&mut lf, "fields", c.span, ctx)?;
    let chosen = select_patterns(&schema, &f.fields);
    let keep: Vec<_> = if f.remove {
        schema
            .iter_names()
            .filter(|n| !chosen.iter().any(|c| c == n.as_str()))
            .map(|n| col(n.as_str()))
            .collect()
    } else {
        let mut k = chosen.clone();
        for internal in ["_time", "_raw"] {
            if schema.contains(internal) && !k.iter().any(|x| x == internal) {
                k.push(internal.to_string());
            }
        }
        k.iter().map(|n| col(n.as_str())).collect()
    };
    Ok(lf.select(keep))
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn keep_and_remove() {
        let df = df!("a" => [1i64], "req_x" => [2i64], "b" => [3i64]).unwrap();
        let out = crate::exec::testing::run_on(df.clone(), "| fields - req_*");
        assert_eq!(out.get_column_names().len(), 2);
        let out = crate::exec::testing::run_on(df, "| fields b a");
        let names: Vec<&str> = out.get_column_names().iter().map(|s| s.as_str()).collect();
        assert_eq!(names, vec!["b", "a"]);
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn keep_and_remove() {
        let CommandKind::Fields(f) = parse_command("| fields - req_* auth_*").kind else {
            panic!()
        };
        assert!(f.remove);
        assert_eq!(f.fields, vec!["req_*", "auth_*"]);
        let CommandKind::Fields(f) = parse_command("| fields + dest_mac").kind else {
            panic!()
        };
        assert!(!f.remove);
        let CommandKind::Fields(f) = parse_command("| fields a,b c").kind else {
            panic!()
        };
        assert_eq!(f.fields, vec!["a", "b", "c"]);
    }
}

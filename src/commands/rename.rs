//! `rename`: rename fields; `rename Processes.* AS *` with the same number of wildcards.

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `rename` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rename {
    /// (from, to) pairs, applied left to right.
    pub pairs: Vec<(String, String)>,
}

impl Rename {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Rename> {
        let mut pairs = Vec::new();
        for pair in p
            .clone()
            .into_inner()
            .filter(|c| c.as_rule() == Rule::rename_pair)
        {
            let names: Vec<String> = pair
                .clone()
                .into_inner()
                .filter(|c| c.as_rule() == Rule::field)
                .map(|f| field(&f))
                .collect();
            match names.as_slice() {
                [a, b] => pairs.push((a.clone(), b.clone())),
                _ => return Err(unexpected(&pair)),
            }
        }
        Ok(Rename { pairs })
    }
}

use crate::diagnostic::Diagnostic;
#[allow(unused_imports)]
use crate::exec::{schema_of, wildcard_regex, Context};
#[allow(unused_imports)]
use crate::syntax::ast::Command;
use polars::prelude::{col, LazyFrame, Schema};

/// The (old, new) names a rename pair gives on these columns. Wildcards capture runs that fill
/// the target's wildcards in order (`Processes.* AS *`).
fn mapping(schema: &Schema, from: &str, to: &str) -> Vec<(String, String)> {
    if !from.contains('*') {
        return if schema.contains(from) {
            vec![(from.to_string(), to.to_string())]
        } else {
            Vec::new()
        };
    }
    let Some(re) = wildcard_regex(from) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for name in schema.iter_names() {
        if let Some(caps) = re.captures(name) {
            let mut new = String::new();
            let mut groups = caps
                .iter()
                .skip(1)
                .map(|m| m.map(|m| m.as_str()).unwrap_or(""));
            for (i, part) in to.split('*').enumerate() {
                if i > 0 {
                    new.push_str(groups.next().unwrap_or(""));
                }
                new.push_str(part);
            }
            out.push((name.to_string(), new));
        }
    }
    out
}

/// Rename fields. A renamed field replaces any field that already had the new name.
pub(crate) fn execute(
    mut lf: LazyFrame,
    r: &Rename,
    c: &Command,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    for (from, to) in &r.pairs {
        let schema = schema_of(&mut lf, "rename", c.span, ctx)?;
        let map = mapping(&schema, from, to);
        if map.is_empty() {
            continue;
        }
        let new_names: std::collections::HashMap<&str, &str> =
            map.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        // When several columns get the same name, the last one wins.
        let mut winner: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
        for (old, new) in &map {
            winner.insert(new.as_str(), old.as_str());
        }
        let mut exprs = Vec::new();
        for name in schema.iter_names() {
            let name = name.as_str();
            match new_names.get(name) {
                Some(new) if winner.get(new) == Some(&name) => exprs.push(col(name).alias(*new)),
                Some(_) => {}
                None if winner.contains_key(name) => {}
                None => exprs.push(col(name)),
            }
        }
        lf = lf.select(exprs);
    }
    Ok(lf)
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn wildcard_rename_strips_the_prefix_and_replaces_existing() {
        let df = df!("Processes.dest" => ["h"], "Processes.user" => ["u"], "dest" => ["old"], "count" => [1i64]).unwrap();
        let out = crate::exec::testing::run_on(df, "| rename Processes.* AS *");
        let names: Vec<&str> = out.get_column_names().iter().map(|s| s.as_str()).collect();
        assert_eq!(names, vec!["dest", "user", "count"]);
        assert_eq!(out.column("dest").unwrap().str().unwrap().get(0), Some("h"));
    }

    #[test]
    fn quoted_names_and_missing_fields() {
        let df = df!("lastTime" => ["t"]).unwrap();
        let out = crate::exec::testing::run_on(
            df,
            r#"| rename lastTime as "Last Update Time", nosuch as x"#,
        );
        assert_eq!(out.get_column_names()[0].as_str(), "Last Update Time");
        assert_eq!(out.width(), 1);
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn wildcards_quotes_and_glued_quotes() {
        let c = parse_command(
            r#"| rename Processes.* AS *, lastTime as "Last Update Time", "Web".* as *"#,
        );
        let CommandKind::Rename(r) = c.kind else {
            panic!()
        };
        assert_eq!(r.pairs[0], ("Processes.*".into(), "*".into()));
        assert_eq!(r.pairs[1], ("lastTime".into(), "Last Update Time".into()));
        assert_eq!(r.pairs[2], ("Web.*".into(), "*".into()));
    }
}

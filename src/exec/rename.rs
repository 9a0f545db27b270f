//! `rename a AS b`: wildcards pair up (`Processes.* AS *`).

use crate::diagnostic::Diagnostic;
use crate::frame::{schema_of, wildcard_regex};
use crate::plan::operator::At;
use crate::runtime::Context;
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
pub(crate) fn rename(
    mut lf: LazyFrame,
    pairs: &[(String, String)],
    at: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    for (from, to) in pairs {
        let schema = schema_of(&mut lf, &at.name, at.span, ctx)?;
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

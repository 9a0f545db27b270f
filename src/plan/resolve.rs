//! Resolution: each node's output columns, as far as they are known at plan time.
//!
//! Data model datasets have a fixed field list, `table`/`stats`/`tstats` outputs are exact, and
//! field-name wildcards (`rename Processes.* AS *`, `table Processes.*`) resolve against the
//! input's columns when those are exact. Events and commands whose output depends on the data
//! (`spath`, `rex`) give an open list. The executor resolves the rest against the data itself.

use super::ir::{AggCall, AggInput, Columns, Node, Op, Plan, ProjectMode, Scan};

/// What plan-time resolution can know about the tables a search reads.
pub trait Catalog {
    /// The columns of the events tables (None: unknown).
    fn event_columns(&self) -> Option<Vec<String>>;
    /// The columns of a data model dataset's table (None: unknown).
    fn datamodel_columns(&self, dataset: &str) -> Option<Vec<String>>;
}

/// Resolve every node's columns, knowing nothing of the tables.
pub fn resolve(plan: &mut Plan) {
    resolve_node(&mut plan.root, None);
}

/// Resolve every node's columns against a catalog (a store).
pub fn resolve_with(plan: &mut Plan, catalog: &dyn Catalog) {
    resolve_node(&mut plan.root, Some(catalog));
}

/// Columns of `names` matching a Splunk field pattern (`*` wildcards, case-sensitive).
pub fn matching(names: &[String], pattern: &str) -> Vec<String> {
    if !pattern.contains('*') {
        return names.iter().filter(|n| *n == pattern).cloned().collect();
    }
    names
        .iter()
        .filter(|n| wildcard_match(pattern, n).is_some())
        .cloned()
        .collect()
}

/// Match `name` against a field pattern; the runs the wildcards matched.
pub fn wildcard_match(pattern: &str, name: &str) -> Option<Vec<String>> {
    fn go(p: &[&str], name: &str, caps: &mut Vec<String>) -> bool {
        match p {
            [] => name.is_empty(),
            [last] => {
                // The last piece must end the name.
                if let Some(rest) = name.strip_suffix(last) {
                    caps.push(rest.to_string());
                    true
                } else {
                    false
                }
            }
            [lit, more @ ..] => {
                for (i, _) in name
                    .char_indices()
                    .chain(std::iter::once((name.len(), ' ')))
                {
                    if name[i..].starts_with(lit) {
                        caps.push(name[..i].to_string());
                        if go(more, &name[i + lit.len()..], caps) {
                            return true;
                        }
                        caps.pop();
                    }
                }
                false
            }
        }
    }
    let pieces: Vec<&str> = pattern.split('*').collect();
    let first = pieces[0];
    let rest = name.strip_prefix(first)?;
    if pieces.len() == 1 {
        return rest.is_empty().then(Vec::new);
    }
    let mut caps = Vec::new();
    go(&pieces[1..], rest, &mut caps).then_some(caps)
}

/// Aggregates over wildcard fields (`values(requestParameters.*)`, `avg(tcp.*) AS avg_tcp.*`)
/// become one aggregate per matching column, in column order; an alias wildcard takes the part
/// the first wildcard matched. BY fields are left out of the expansion (`stats latest(*) AS * BY
/// dest` keeps `dest` once, as the group key), and an output named explicitly is not made a
/// second time by a wildcard (`stats min(_time) as _time values(*) as *`: the explicit one wins).
/// Every backend expands with this one function.
pub fn expand_aggregates(aggs: &[AggCall], columns: &[&str], by: &[String]) -> Vec<AggCall> {
    let explicit: Vec<String> = aggs
        .iter()
        .filter(|a| !matches!(&a.arg, Some(AggInput::Field(f)) if f.contains('*')))
        .map(AggCall::output_name)
        .collect();
    let mut made: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for a in aggs {
        let Some(AggInput::Field(f)) = &a.arg else {
            out.push(a.clone());
            continue;
        };
        if !f.contains('*') {
            out.push(a.clone());
            continue;
        }
        // `a*b` → `^a(.*)b$`: the first group (greedy) is what an alias wildcard takes.
        let parts: Vec<String> = f.split('*').map(regex::escape).collect();
        let Ok(re) = regex::Regex::new(&format!("^{}$", parts.join("(.*)"))) else {
            continue;
        };
        for &name in columns.iter().filter(|n| !by.iter().any(|b| b == *n)) {
            let Some(caps) = re.captures(name) else {
                continue;
            };
            let matched = caps.get(1).map(|m| m.as_str()).unwrap_or("");
            let agg = AggCall {
                func: a.func.clone(),
                arg: Some(AggInput::Field(name.to_string())),
                alias: a.alias.as_ref().map(|al| al.replacen('*', matched, 1)),
                span: a.span,
            };
            let out_name = agg.output_name();
            if explicit.contains(&out_name) || made.contains(&out_name) {
                continue;
            }
            made.push(out_name);
            out.push(agg);
        }
    }
    out
}

fn push(v: &mut Vec<String>, n: &str) {
    if !v.iter().any(|x| x == n) {
        v.push(n.to_string());
    }
}

fn resolve_node(node: &mut Node, catalog: Option<&dyn Catalog>) {
    for i in node.op.inputs_mut() {
        resolve_node(i, catalog);
    }
    let input_cols = node
        .op
        .inputs()
        .first()
        .map(|n| n.columns.clone())
        .unwrap_or(Columns::Known(Vec::new()));
    let with = |exact: bool, v: Vec<String>| {
        if exact {
            Columns::Known(v)
        } else {
            Columns::Open(v)
        }
    };
    let exact = input_cols.is_exact();
    let cols = input_cols.names().to_vec();
    node.columns = match &node.op {
        Op::Empty => Columns::Known(Vec::new()),
        Op::Scan(Scan::Events) => match catalog.and_then(|c| c.event_columns()) {
            Some(v) => Columns::Known(v),
            None => Columns::Open(
                ["_time", "_raw", "host", "source", "sourcetype", "index"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            ),
        },
        Op::Scan(Scan::Datamodel { dataset }) => {
            match catalog.and_then(|c| c.datamodel_columns(dataset)) {
                Some(v) => Columns::Known(v),
                None => Columns::Open(vec!["_time".into()]),
            }
        }
        Op::Scan(Scan::Generator(g)) => g.columns(&Columns::Known(Vec::new())),
        Op::Filter { .. }
        | Op::Sort { .. }
        | Op::Limit { .. }
        | Op::TakeWhile { .. }
        | Op::Reverse { .. }
        | Op::Dedup { .. } => input_cols.clone(),
        Op::Compute { assignments, .. } => {
            let mut v = cols;
            for (f, _) in assignments {
                push(&mut v, f);
            }
            with(exact, v)
        }
        Op::Project { patterns, mode, .. } => match mode {
            ProjectMode::Table | ProjectMode::Keep => {
                let mut v = Vec::new();
                let mut open = false;
                for p in patterns {
                    if exact {
                        for n in matching(&cols, p) {
                            push(&mut v, &n);
                        }
                    } else if p.contains('*') {
                        open = true;
                    } else {
                        push(&mut v, p);
                    }
                }
                if *mode == ProjectMode::Keep {
                    for n in ["_time", "_raw"] {
                        if !exact || cols.iter().any(|c| c == n) {
                            push(&mut v, n);
                        }
                    }
                }
                // Without exact input columns a named field may be absent: the list is open.
                if exact && !open {
                    Columns::Known(v)
                } else {
                    Columns::Open(v)
                }
            }
            ProjectMode::Remove => {
                let v = cols
                    .into_iter()
                    .filter(|n| {
                        !patterns
                            .iter()
                            .any(|p| !matching(std::slice::from_ref(n), p).is_empty())
                    })
                    .collect();
                with(exact, v)
            }
        },
        Op::Rename { pairs, .. } => {
            let mut v = cols;
            for (from, to) in pairs {
                let mut out: Vec<String> = Vec::new();
                for n in &v {
                    let renamed = match wildcard_match(from, n) {
                        Some(caps) => {
                            let mut new = String::new();
                            let mut caps = caps.into_iter();
                            for (i, part) in to.split('*').enumerate() {
                                if i > 0 {
                                    new.push_str(&caps.next().unwrap_or_default());
                                }
                                new.push_str(part);
                            }
                            new
                        }
                        None => n.clone(),
                    };
                    out.retain(|o| *o != renamed);
                    out.push(renamed);
                }
                v = out;
            }
            with(exact, v)
        }
        Op::Aggregate { aggregates, by, .. } => {
            let wildcard = aggregates
                .iter()
                .any(|a| matches!(&a.arg, Some(AggInput::Field(f)) if f.contains('*')));
            let mut v: Vec<String> = by.clone();
            if wildcard && !exact {
                for a in aggregates {
                    if !matches!(&a.arg, Some(AggInput::Field(f)) if f.contains('*')) {
                        push(&mut v, &a.output_name());
                    }
                }
                Columns::Open(v)
            } else {
                let names: Vec<&str> = cols.iter().map(String::as_str).collect();
                for a in expand_aggregates(aggregates, &names, by) {
                    push(&mut v, &a.output_name());
                }
                Columns::Known(v)
            }
        }
        Op::Window { aggregates, .. } => {
            let mut v = cols;
            for a in aggregates {
                push(&mut v, &a.output_name());
            }
            with(exact, v)
        }
        Op::Union { inputs } => {
            let mut v = Vec::new();
            let mut all_exact = true;
            for i in inputs {
                all_exact &= i.columns.is_exact();
                for n in i.columns.names() {
                    push(&mut v, n);
                }
            }
            with(all_exact, v)
        }
        Op::Join { left, right, .. } => {
            let mut v = left.columns.names().to_vec();
            for n in right.columns.names() {
                push(&mut v, n);
            }
            with(left.columns.is_exact() && right.columns.is_exact(), v)
        }
        Op::Explode { .. } => input_cols.clone(),
        Op::Lookup { spec, .. } => {
            let mut v = cols;
            for (_, out) in &spec.outputs {
                push(&mut v, out);
            }
            // Without OUTPUT fields every column of the table is added: unknown here.
            with(exact && !spec.outputs.is_empty(), v)
        }
        Op::Opaque { operator, .. } => operator.columns(&input_cols),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_capture_runs() {
        assert_eq!(
            wildcard_match("Processes.*", "Processes.dest"),
            Some(vec!["dest".to_string()])
        );
        assert_eq!(wildcard_match("Processes.*", "Filesystem.dest"), None);
        assert_eq!(
            wildcard_match("a*b*c", "axxbyyc"),
            Some(vec!["xx".to_string(), "yy".to_string()])
        );
        assert_eq!(wildcard_match("dest", "dest"), Some(vec![]));
        assert_eq!(wildcard_match("dest", "dest2"), None);
        assert_eq!(
            matching(&["a".into(), "ab".into(), "b".into()], "a*"),
            vec!["a", "ab"]
        );
    }
}

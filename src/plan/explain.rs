//! `spelunk explain`: a plan as an indented tree, each node with its details, its output columns
//! and the backends that can run it; or as JSON for tools.

use super::ir::{
    AggCall, AggInput, Columns, Node, Op, Plan, ProjectMode, Scan, SortKey, WindowFrame,
};
use serde_json::{json, Value};

/// Which backends run a node: every relational node runs on polars and is meant for SQL; an
/// opaque operator runs on polars only.
pub fn backends(op: &Op) -> &'static [&'static str] {
    match op {
        Op::Opaque { .. } | Op::Scan(Scan::Generator(_)) => &["polars"],
        _ => &["polars", "sql"],
    }
}

/// One line describing what a node does, in SPL's terms.
pub fn details(node: &Node) -> String {
    fn aggs(v: &[AggCall]) -> String {
        v.iter()
            .map(|a| {
                let arg = match &a.arg {
                    None => String::new(),
                    Some(AggInput::Field(f)) => format!("({f})"),
                    Some(AggInput::Eval(s, _)) => format!("(eval({s}))"),
                };
                match &a.alias {
                    Some(al) => format!("{}{arg} AS {al}", a.func),
                    None => format!("{}{arg}", a.func),
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
    fn keys(v: &[SortKey]) -> String {
        v.iter()
            .map(|k| {
                let f = match &k.func {
                    Some(func) => format!("{func}({})", k.field),
                    None => k.field.clone(),
                };
                format!("{}{f}", if k.descending { "-" } else { "+" })
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
    match &node.op {
        Op::Empty => "no input".into(),
        Op::Scan(Scan::Events) => "events of the searched indexes".into(),
        Op::Scan(Scan::Datamodel { dataset }) => format!("data model dataset {dataset}"),
        Op::Scan(Scan::Generator(g)) => format!("generator {}", g.describe()),
        Op::Filter { predicate, .. } => predicate.to_string(),
        Op::Compute { assignments, .. } => assignments
            .iter()
            .map(|(f, s)| format!("{f}={s}"))
            .collect::<Vec<_>>()
            .join(", "),
        Op::Project { patterns, mode, .. } => format!(
            "{} {}",
            match mode {
                ProjectMode::Table => "table",
                ProjectMode::Keep => "keep",
                ProjectMode::Remove => "remove",
            },
            patterns.join(", ")
        ),
        Op::Rename { pairs, .. } => pairs
            .iter()
            .map(|(a, b)| format!("{a} AS {b}"))
            .collect::<Vec<_>>()
            .join(", "),
        Op::Aggregate {
            aggregates,
            by,
            nulls,
            span,
            ..
        } => {
            let mut s = aggs(aggregates);
            if !by.is_empty() {
                s.push_str(&format!(" BY {}", by.join(", ")));
            }
            if let super::ir::NullGroups::Fill(v) = nulls {
                s.push_str(&format!(" (null BY values as \"{v}\")"));
            }
            if let Some(sp) = span {
                s.push_str(&format!(" span={sp}"));
            }
            s
        }
        Op::Window {
            aggregates,
            by,
            frame,
            ..
        } => {
            let mut s = match frame {
                WindowFrame::All => "over all results".to_string(),
                WindowFrame::Running { window, current } => format!(
                    "running{}{}",
                    if *window > 0 {
                        format!(", window={window}")
                    } else {
                        String::new()
                    },
                    if *current { "" } else { ", current=f" }
                ),
            };
            s = format!("{} {s}", aggs(aggregates));
            if !by.is_empty() {
                s.push_str(&format!(" BY {}", by.join(", ")));
            }
            s
        }
        Op::Sort { keys: k, limit, .. } => format!(
            "{}{}",
            keys(k),
            limit.map(|l| format!(" (first {l})")).unwrap_or_default()
        ),
        Op::Limit {
            count, from_end, ..
        } => format!("{} {count}", if *from_end { "last" } else { "first" }),
        Op::TakeWhile { condition, .. } => format!("while {condition}"),
        Op::Reverse { .. } => "reverse order".into(),
        Op::Dedup {
            fields,
            count,
            keepempty,
            consecutive,
            sortby,
            ..
        } => {
            let mut s = format!("{} per {}", count, fields.join(", "));
            if *keepempty {
                s.push_str(" keepempty=true");
            }
            if *consecutive {
                s.push_str(" consecutive=true");
            }
            if !sortby.is_empty() {
                s.push_str(&format!(" sortby {}", keys(sortby)));
            }
            s
        }
        Op::Union { inputs } => format!("{} inputs, one after the other", inputs.len()),
        Op::Join {
            fields, kind, max, ..
        } => format!(
            "{} on {} max={max}",
            match kind {
                super::ir::JoinKind::Inner => "inner",
                super::ir::JoinKind::Left => "left",
            },
            if fields.is_empty() {
                "common fields".to_string()
            } else {
                fields.join(", ")
            }
        ),
        Op::Explode { field, limit, .. } => format!(
            "{field}{}",
            limit.map(|l| format!(" limit={l}")).unwrap_or_default()
        ),
        Op::Lookup { spec, .. } => format!(
            "{} on {}{}",
            spec.name,
            spec.inputs
                .iter()
                .map(|(a, b)| if a == b {
                    a.clone()
                } else {
                    format!("{a} AS {b}")
                })
                .collect::<Vec<_>>()
                .join(", "),
            if spec.outputs.is_empty() {
                String::new()
            } else {
                format!(
                    " {} {}",
                    if spec.output_new {
                        "OUTPUTNEW"
                    } else {
                        "OUTPUT"
                    },
                    spec.outputs
                        .iter()
                        .map(|(a, b)| if a == b {
                            a.clone()
                        } else {
                            format!("{a} AS {b}")
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        ),
        Op::Opaque { operator, .. } if node.spl.is_empty() => operator.describe(),
        Op::Opaque { .. } => {
            let mut t: String = node.spl.chars().take(100).collect();
            if node.spl.chars().count() > 100 {
                t.push_str(" ...");
            }
            t
        }
    }
}

fn columns_text(c: &Columns) -> String {
    const MAX: usize = 12;
    let names = c.names();
    let mut s = names
        .iter()
        .take(MAX)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > MAX {
        s.push_str(&format!(", ... {} more", names.len() - MAX));
    }
    match c {
        Columns::Known(_) => format!("[{s}]"),
        Columns::Open(_) if names.is_empty() => "[depends on the data]".into(),
        Columns::Open(_) => format!("[{s}, + fields from the data]"),
        Columns::Unknown => "[?]".into(),
    }
}

/// The plan as an indented tree (the last command first, its inputs below it).
pub fn text(plan: &Plan) -> String {
    let mut out = String::new();
    write_node(&plan.root, "", "", &mut out);
    out
}

fn write_node(node: &Node, first: &str, rest: &str, out: &mut String) {
    let cmd = if node.command.is_empty() {
        String::new()
    } else {
        format!(" ({})", node.command)
    };
    out.push_str(&format!(
        "{first}{}{cmd} {}\n",
        node.op.kind(),
        details(node)
    ));
    out.push_str(&format!(
        "{rest}    columns: {}  backend: {}\n",
        columns_text(&node.columns),
        backends(&node.op).join(", ")
    ));
    let mut children: Vec<(&str, &Node)> = node.op.inputs().into_iter().map(|n| ("", n)).collect();
    let subplans: Vec<&Plan> = match &node.op {
        Op::Opaque { operator, .. } => operator.subplans(),
        Op::Scan(Scan::Generator(g)) => g.subplans(),
        _ => Vec::new(),
    };
    for p in &subplans {
        children.push(("subsearch: ", &p.root));
    }
    let n = children.len();
    for (i, (label, child)) in children.into_iter().enumerate() {
        let last = i + 1 == n;
        let (f, r) = if last {
            ("└─ ", "   ")
        } else {
            ("├─ ", "│  ")
        };
        write_node(
            child,
            &format!("{rest}{f}{label}"),
            &format!("{rest}{r}"),
            out,
        );
    }
}

/// The plan as JSON: `{ "op", "command", "details", "columns", "exact", "backends", "inputs" }`.
pub fn json(plan: &Plan) -> Value {
    node_json(&plan.root)
}

fn node_json(node: &Node) -> Value {
    let mut inputs: Vec<Value> = node.op.inputs().into_iter().map(node_json).collect();
    if let Op::Opaque { operator, .. } | Op::Scan(Scan::Generator(operator)) = &node.op {
        inputs.extend(operator.subplans().into_iter().map(|p| node_json(&p.root)));
    }
    json!({
        "op": node.op.kind(),
        "command": node.command,
        "details": details(node),
        "columns": node.columns.names(),
        "exact": node.columns.is_exact(),
        "backends": backends(&node.op),
        "inputs": inputs,
    })
}

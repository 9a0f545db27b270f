//! The order of an event search's results, and where it can be left out.
//!
//! Splunk returns the events of a historical search newest first (Search Reference, `head`:
//! "the first N results in search order. This means the most recent N events for a historical
//! search"; Event order functions: `first` is "the most recent instance of this field, based on
//! the order in which the events are seen"). [`events_newest_first`] gives the implied search
//! (and `from datamodel`) that order as plan nodes every backend runs: the events by `_time`
//! ascending (stable: ties in the store's order, the order the files were read), then reversed.
//! So results are `_time` descending, and events of the same `_time` come last-read first: the
//! exact reverse of the time-ordered log, which `| reverse` gives back.
//!
//! [`drop_unneeded_order`] removes that sort where nothing downstream can see it: below an
//! aggregate whose functions do not depend on input order (`count`, `dc`, `values`, `min`,
//! `max`, `sum`, ...), through the row-by-row nodes between them (filter, eval, fields, rename,
//! lookup, mvexpand). `list`, `first`, `last` and `earliest`/`latest` of another field (ties in
//! `_time`) keep it.

use super::ir::{Node, Op, SortKey};

/// The command name the event-order nodes carry (they belong to the implied search).
const ORDER_COMMAND: &str = "search";

/// `input` (events) newest first: `_time` ascending, stably, then reversed.
pub fn events_newest_first(input: Node, at: &Node) -> Node {
    let mk = |op: Op| {
        let mut n = Node::new(op, ORDER_COMMAND, at.span);
        n.spl = at.spl.clone();
        n
    };
    let sorted = mk(Op::Sort {
        input: Box::new(input),
        keys: vec![SortKey {
            field: "_time".into(),
            descending: false,
            func: Some("num".into()),
        }],
        reverse: false,
        limit: None,
    });
    mk(Op::Reverse {
        input: Box::new(sorted),
    })
}

/// Whether `n` is the reversal made by [`events_newest_first`].
pub fn is_event_order(n: &Node) -> bool {
    if n.command != ORDER_COMMAND {
        return false;
    }
    match &n.op {
        Op::Reverse { input } => matches!(
            &input.op,
            Op::Sort { keys, reverse: false, limit: None, .. }
                if input.command == ORDER_COMMAND
                    && keys.len() == 1
                    && keys[0].field == "_time"
                    && !keys[0].descending
        ),
        _ => false,
    }
}

/// Aggregate functions whose result depends on the order of their input rows.
fn order_sensitive(func: &str, arg: Option<&super::ir::AggInput>) -> bool {
    match func {
        "list" | "first" | "last" => true,
        // Ties in `_time` are broken by input order, except on `_time` itself.
        "earliest" | "latest" => {
            !matches!(arg, Some(super::ir::AggInput::Field(f)) if f == "_time")
        }
        _ => false,
    }
}

/// Remove the event-order nodes nothing downstream depends on (see the module doc).
pub fn drop_unneeded_order(root: &mut Node) {
    visit(root, false);
}

fn visit(n: &mut Node, order_free: bool) {
    if order_free && is_event_order(n) {
        // Replace the Reverse(Sort(x)) pair by x.
        let inner = match &mut n.op {
            Op::Reverse { input } => match &mut input.op {
                Op::Sort { input: x, .. } => std::mem::replace(&mut **x, Node::empty()),
                _ => return,
            },
            _ => return,
        };
        *n = inner;
        visit(n, order_free);
        return;
    }
    let child_free = match &n.op {
        Op::Aggregate { aggregates, .. } => !aggregates
            .iter()
            .any(|a| order_sensitive(&a.func, a.arg.as_ref())),
        Op::Filter { .. }
        | Op::Compute { .. }
        | Op::Project { .. }
        | Op::Rename { .. }
        | Op::Lookup { .. }
        | Op::Explode { .. } => order_free,
        _ => false,
    };
    for i in n.op.inputs_mut() {
        visit(i, child_free);
    }
}

#[cfg(test)]
mod tests {
    use crate::plan::{Op, Plan};

    fn plan(spl: &str) -> Plan {
        let p = crate::syntax::parse(spl).unwrap();
        crate::commands::lower_pipeline(&p, spl).unwrap()
    }

    fn has_event_order(n: &crate::plan::Node) -> bool {
        super::is_event_order(n) || n.op.inputs().into_iter().any(has_event_order)
    }

    #[test]
    fn an_event_search_is_ordered_newest_first() {
        let p = plan("index=main EventCode=1 | head 5");
        let Op::Limit { input, .. } = &p.root.op else {
            panic!("{:?}", p.root.op)
        };
        assert!(super::is_event_order(input));
    }

    #[test]
    fn order_free_aggregates_do_not_sort() {
        for spl in [
            "index=main | stats count by host",
            "index=main | eval x=1 | fields host x | stats dc(x) values(host) min(_time) by host",
            "index=main | stats earliest(_time) as t",
            "index=main [search index=other | stats count by host | fields host] | stats count",
        ] {
            assert!(!has_event_order(&plan(spl).root), "{spl}");
        }
    }

    #[test]
    fn order_dependent_consumers_keep_the_order() {
        for spl in [
            "index=main",
            "index=main | stats list(x) by host",
            "index=main | stats first(x)",
            "index=main | stats latest(x)",
            "index=main | head 1 | stats count",
            "index=main | dedup host | stats count",
            "index=main | streamstats count",
            "index=main | table host",
        ] {
            assert!(has_event_order(&plan(spl).root), "{spl}");
        }
    }
}

//! A small matcher for the search expressions of event types, data model constraints and
//! mapping rules: `field=value` (`*` wildcards, values case-insensitive, names case-sensitive),
//! `field!=value`, `field<n` and friends (numeric), `field IN (a, "b*")`, bare terms (matched in
//! `_raw`), quoted values (`\\` and `\"` escapes), `AND`/`OR`/`NOT` and parentheses with Splunk's
//! search precedence (parentheses, NOT, OR, AND: `a b OR c` is `a AND (b OR c)`), and backtick
//! macros (index macros such as `` `cim_Endpoint_indexes` ``), which match every event here.
//! Expressions are parsed by the search language's grammar (the same parser as searches); this
//! module evaluates them one event at a time while replaying, where no columnar engine runs.

use std::fmt;

/// What the matcher needs from an event.
pub trait FieldSource {
    /// Calls `f` on each value of field `name` until it returns true; returns whether one did.
    fn any_value(&self, name: &str, f: &mut dyn FnMut(&str) -> bool) -> bool;
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// A parsed search expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// Every event (an empty search, or a macro).
    True,
    /// All must match.
    And(Vec<Expr>),
    /// One must match.
    Or(Vec<Expr>),
    /// Must not match (also matches events lacking the field).
    Not(Box<Expr>),
    /// `field <op> value`.
    Cmp {
        /// Field name (case-sensitive).
        field: String,
        /// Operator.
        op: Op,
        /// Value, with `*` wildcards.
        value: String,
        /// The value is in CIDR notation (`10.0.0.0/8`): it matches the addresses in the range.
        cidr: bool,
    },
    /// `field IN (values)`.
    In {
        /// Field name.
        field: String,
        /// Values, with wildcards; whether each is in CIDR notation.
        values: Vec<(String, bool)>,
    },
    /// A bare term, matched against `_raw` as whole segments (`segmenters`): the term, whether
    /// it is `CASE()`, whether it is `TERM()`.
    Raw(crate::syntax::ast::SearchValue, bool, bool),
}

/// A syntax error in a search expression.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchError(pub String);

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "search syntax: {}", self.0)
    }
}

/// Parses a search expression with the search language's own grammar (`grammar/spl.pest`, the
/// one parser of the project). Backtick macros (the CIM's index macros such as
/// `` `cim_Endpoint_indexes` ``) match every event here.
pub fn parse(s: &str) -> Result<Expr, SearchError> {
    let text = without_macros(s);
    let pipeline = crate::syntax::parse(&text).map_err(|d| SearchError(d.message))?;
    let expr = match pipeline.commands.as_slice() {
        [] => return Ok(Expr::True),
        [one] => match &one.kind {
            crate::commands::CommandKind::Search(x) => x.expr.clone(),
            _ => return Err(SearchError(format!("not a search expression: `{s}`"))),
        },
        _ => return Err(SearchError(format!("not a search expression: `{s}`"))),
    };
    match expr {
        None => Ok(Expr::True),
        Some(e) => from_search(&e),
    }
}

/// Each `` `macro` `` (with or without arguments) replaced by `()`, which matches everything.
fn without_macros(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut parts = s.split('`');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let mut inside = true;
    for p in parts {
        if inside {
            out.push_str("()");
        } else {
            out.push_str(p);
        }
        inside = !inside;
    }
    out
}

/// The matcher's expression for a parsed search expression.
fn from_search(e: &crate::syntax::ast::SearchExpr) -> Result<Expr, SearchError> {
    use crate::syntax::ast::{CmpOp, SearchExpr as S};
    let all = |v: &[S]| v.iter().map(from_search).collect::<Result<Vec<_>, _>>();
    Ok(match e {
        S::Empty => Expr::True,
        S::And(v) => Expr::And(all(v)?),
        S::Or(v) => Expr::Or(all(v)?),
        S::Not(x) => Expr::Not(Box::new(from_search(x)?)),
        S::Compare { field, op, value } => Expr::Cmp {
            field: field.clone(),
            op: match op {
                CmpOp::Eq => Op::Eq,
                CmpOp::Ne => Op::Ne,
                CmpOp::Lt => Op::Lt,
                CmpOp::Le => Op::Le,
                CmpOp::Gt => Op::Gt,
                CmpOp::Ge => Op::Ge,
            },
            value: value.text(),
            cidr: crate::expr::search::cidr_value(value).is_some(),
        },
        S::In { field, values } => Expr::In {
            field: field.clone(),
            values: values
                .iter()
                .map(|v| (v.text(), crate::expr::search::cidr_value(v).is_some()))
                .collect(),
        },
        S::Term(v) if v.text() == "*" => Expr::True,
        S::Term(v) => Expr::Raw(v.clone(), false, false),
        S::TermFn { func, text } => Expr::Raw(
            crate::syntax::ast::SearchValue {
                raw: text.replace('\\', "\\\\").replace('"', "\\\""),
                quoted: true,
            },
            *func == crate::syntax::ast::TermFn::Case,
            *func == crate::syntax::ast::TermFn::Term,
        ),
        S::Subsearch(_) => {
            return Err(SearchError(
                "a subsearch cannot be part of an event type or constraint".into(),
            ))
        }
    })
}

/// Case-insensitive (ASCII) match of `s` against `pat`, where `*` matches any run.
pub fn wildcard_match(pat: &str, s: &str) -> bool {
    let (p, s) = (pat.as_bytes(), s.as_bytes());
    let (mut pi, mut si) = (0, 0);
    let (mut star, mut mark) = (usize::MAX, 0);
    while si < s.len() {
        if pi < p.len() && p[pi] != b'*' && p[pi].eq_ignore_ascii_case(&s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = pi;
            pi += 1;
            mark = si;
        } else if star != usize::MAX {
            pi = star + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// A value matches a search value: a CIDR value (`10.1.0.0/16`) matches the addresses in its
/// range, as in a search (`crate::expr::search::cidr_value`, the polars engine's reading);
/// any other value as a case-insensitive wildcard pattern.
fn value_match(pat: &Pattern, v: &str) -> bool {
    match pat {
        Pattern::Cidr(net) => crate::expr::functions::cidr_match(net, v),
        Pattern::Text(p) => wildcard_match(p, v),
    }
}

/// A search value as the matcher reads it.
enum Pattern<'a> {
    Cidr(&'a str),
    Text(&'a str),
}

impl<'a> Pattern<'a> {
    fn of(value: &'a str, cidr: bool) -> Pattern<'a> {
        if cidr {
            Pattern::Cidr(value)
        } else {
            Pattern::Text(value)
        }
    }
}

fn cmp_value(op: Op, pat: &str, cidr: bool, v: &str) -> bool {
    match op {
        Op::Eq => value_match(&Pattern::of(pat, cidr), v),
        Op::Ne => !value_match(&Pattern::of(pat, cidr), v),
        _ => {
            let ord = match (pat.trim().parse::<f64>(), v.trim().parse::<f64>()) {
                (Ok(a), Ok(b)) => b.partial_cmp(&a),
                _ => Some(v.cmp(pat)),
            };
            let Some(ord) = ord else { return false };
            match op {
                Op::Lt => ord.is_lt(),
                Op::Le => ord.is_le(),
                Op::Gt => ord.is_gt(),
                _ => ord.is_ge(),
            }
        }
    }
}

impl Expr {
    /// Adds the names of the fields the expression reads to `out` (a bare term reads `_raw`).
    pub fn fields_read(&self, out: &mut Vec<String>) {
        let mut add = |f: &str| {
            if !out.iter().any(|x| x == f) {
                out.push(f.to_string());
            }
        };
        match self {
            Expr::True => {}
            Expr::And(v) | Expr::Or(v) => v.iter().for_each(|e| e.fields_read(out)),
            Expr::Not(e) => e.fields_read(out),
            Expr::Cmp { field, .. } | Expr::In { field, .. } => add(field),
            Expr::Raw(..) => add("_raw"),
        }
    }

    /// Whether the event matches.
    pub fn matches(&self, ev: &dyn FieldSource) -> bool {
        match self {
            Expr::True => true,
            Expr::And(v) => v.iter().all(|e| e.matches(ev)),
            Expr::Or(v) => v.iter().any(|e| e.matches(ev)),
            Expr::Not(e) => !e.matches(ev),
            Expr::Cmp {
                field,
                op,
                value,
                cidr,
            } => {
                if *op == Op::Eq && value == "*" {
                    return ev.any_value(field, &mut |_| true);
                }
                let pat = Pattern::of(value, *cidr);
                if *op == Op::Ne {
                    // `f!=v`: the field exists and no value matches.
                    let mut exists = false;
                    let any_eq = ev.any_value(field, &mut |v| {
                        exists = true;
                        value_match(&pat, v)
                    });
                    return exists && !any_eq;
                }
                ev.any_value(field, &mut |v| cmp_value(*op, value, *cidr, v))
            }
            Expr::In { field, values } => ev.any_value(field, &mut |v| {
                values
                    .iter()
                    .any(|(p, cidr)| value_match(&Pattern::of(p, *cidr), v))
            }),
            Expr::Raw(term, case, whole) => {
                let bound = if *whole {
                    super::segmenters::Bound::Major
                } else {
                    super::segmenters::Bound::Segment
                };
                let m = super::segmenters::TermMatcher::new(term, *case, bound);
                ev.any_value("_raw", &mut |raw| m.matches(raw))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct M(HashMap<&'static str, Vec<&'static str>>);
    impl FieldSource for M {
        fn any_value(&self, name: &str, f: &mut dyn FnMut(&str) -> bool) -> bool {
            self.0.get(name).is_some_and(|v| v.iter().any(|x| f(x)))
        }
    }

    fn ev() -> M {
        M(HashMap::from([
            (
                "source",
                vec!["XmlWinEventLog:Microsoft-Windows-Sysmon/Operational"],
            ),
            ("EventCode", vec!["1"]),
            ("tag", vec!["process", "report"]),
            ("_raw", vec!["<Event>mklink C:\\x</Event>"]),
        ]))
    }

    fn m(s: &str) -> bool {
        parse(s).map(|e| e.matches(&ev())).unwrap_or(false)
    }

    #[test]
    fn matching() {
        assert!(m(
            r#"source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" (EventCode="1" OR EventCode="5")"#
        ));
        assert!(m("source=*sysmon* EventCode IN (3, 1)"));
        assert!(m("tag=process tag=report"));
        assert!(!m("tag=process tag=network"));
        assert!(m("`cim_Endpoint_indexes` tag=PROCESS"));
        assert!(m("EventCode=2 OR EventCode=1"));
        assert!(m("NOT Missing=1"));
        assert!(!m("Missing!=1"));
        assert!(m("MKLINK"));
        assert!(m(r#"EventCode>0 EventCode<=1"#));
        // precedence: a b OR c == a AND (b OR c)
        assert!(!m("EventCode=2 EventCode=1 OR tag=process"));
        assert!(parse("(a=1").is_err());
    }
}

//! A small matcher for the search expressions of event types, data model constraints and
//! mapping rules: `field=value` (`*` wildcards, values case-insensitive, names case-sensitive),
//! `field!=value`, `field<n` and friends (numeric), `field IN (a, "b*")`, bare terms (matched in
//! `_raw`), quoted values (`\\` and `\"` escapes), `AND`/`OR`/`NOT` and parentheses with Splunk's
//! search precedence (parentheses, NOT, OR, AND: `a b OR c` is `a AND (b OR c)`), and backtick
//! macros (index macros such as `` `cim_Endpoint_indexes` ``), which match every event here.
//! It is self-contained on purpose; the query engine may replace it with the real search
//! language later.

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
    },
    /// `field IN (values)`.
    In {
        /// Field name.
        field: String,
        /// Values, with wildcards.
        values: Vec<String>,
    },
    /// A bare term, matched anywhere in `_raw`.
    Raw(String),
}

/// A syntax error in a search expression.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchError(pub String);

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "search syntax: {}", self.0)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    Comma,
    And,
    Or,
    Not,
    In,
    Macro,
    Term(String, Op, String),
    Word(String),
}

fn lex(s: &str) -> Result<Vec<Tok>, SearchError> {
    let c: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    let quoted = |i: &mut usize| -> Result<String, SearchError> {
        // c[*i] is the opening quote.
        let mut v = String::new();
        *i += 1;
        while *i < c.len() {
            match c[*i] {
                '\\' if *i + 1 < c.len() && (c[*i + 1] == '"' || c[*i + 1] == '\\') => {
                    v.push(c[*i + 1]);
                    *i += 2;
                }
                '"' => {
                    *i += 1;
                    return Ok(v);
                }
                ch => {
                    v.push(ch);
                    *i += 1;
                }
            }
        }
        Err(SearchError("unterminated quoted string".into()))
    };
    let stop = |ch: char| ch.is_whitespace() || ch == '(' || ch == ')' || ch == ',';
    while i < c.len() {
        let ch = c[i];
        if ch.is_whitespace() {
            i += 1;
            continue;
        }
        match ch {
            '(' => {
                out.push(Tok::LParen);
                i += 1;
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1;
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1;
            }
            '`' => {
                let end = c[i + 1..].iter().position(|&x| x == '`');
                let Some(e) = end else {
                    return Err(SearchError("unterminated macro".into()));
                };
                out.push(Tok::Macro);
                i += e + 2;
            }
            '"' => out.push(Tok::Word(quoted(&mut i)?)),
            _ => {
                let start = i;
                while i < c.len() && !stop(c[i]) && !matches!(c[i], '=' | '<' | '>') {
                    if c[i] == '!' && c.get(i + 1) == Some(&'=') {
                        break;
                    }
                    i += 1;
                }
                let word: String = c[start..i].iter().collect();
                let op = match (c.get(i), c.get(i + 1)) {
                    (Some('!'), Some('=')) => Some((Op::Ne, 2)),
                    (Some('<'), Some('=')) => Some((Op::Le, 2)),
                    (Some('>'), Some('=')) => Some((Op::Ge, 2)),
                    (Some('='), Some('=')) => Some((Op::Eq, 2)),
                    (Some('='), _) => Some((Op::Eq, 1)),
                    (Some('<'), _) => Some((Op::Lt, 1)),
                    (Some('>'), _) => Some((Op::Gt, 1)),
                    _ => None,
                };
                match op {
                    Some((op, n)) if !word.is_empty() => {
                        i += n;
                        let value = if c.get(i) == Some(&'"') {
                            quoted(&mut i)?
                        } else {
                            let vs = i;
                            while i < c.len() && !stop(c[i]) {
                                i += 1;
                            }
                            c[vs..i].iter().collect()
                        };
                        out.push(Tok::Term(word, op, value));
                    }
                    Some(_) => {
                        return Err(SearchError(format!("operator without a field at {start}")))
                    }
                    None => out.push(match word.as_str() {
                        "AND" => Tok::And,
                        "OR" => Tok::Or,
                        "NOT" => Tok::Not,
                        "IN" => Tok::In,
                        _ => Tok::Word(word),
                    }),
                }
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn and_expr(&mut self) -> Result<Expr, SearchError> {
        let mut parts = Vec::new();
        loop {
            match self.peek() {
                None | Some(Tok::RParen) => break,
                Some(Tok::And) => {
                    self.pos += 1;
                    continue;
                }
                _ => parts.push(self.or_expr()?),
            }
        }
        Ok(match parts.len() {
            0 => Expr::True,
            1 => parts.pop().unwrap_or(Expr::True),
            _ => Expr::And(parts),
        })
    }
    fn or_expr(&mut self) -> Result<Expr, SearchError> {
        let mut parts = vec![self.unary()?];
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 {
            parts.pop().unwrap_or(Expr::True)
        } else {
            Expr::Or(parts)
        })
    }
    fn unary(&mut self) -> Result<Expr, SearchError> {
        if self.peek() == Some(&Tok::Not) {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }
    fn primary(&mut self) -> Result<Expr, SearchError> {
        let tok = self.toks.get(self.pos).cloned();
        self.pos += 1;
        match tok {
            Some(Tok::LParen) => {
                let e = self.and_expr()?;
                if self.peek() != Some(&Tok::RParen) {
                    return Err(SearchError("missing )".into()));
                }
                self.pos += 1;
                Ok(e)
            }
            Some(Tok::Macro) => Ok(Expr::True),
            Some(Tok::Term(f, op, v)) => Ok(Expr::Cmp {
                field: f,
                op,
                value: v,
            }),
            Some(Tok::Word(w)) => {
                if self.peek() == Some(&Tok::In) {
                    self.pos += 1;
                    if self.peek() != Some(&Tok::LParen) {
                        return Err(SearchError("IN needs (".into()));
                    }
                    self.pos += 1;
                    let mut values = Vec::new();
                    loop {
                        match self.toks.get(self.pos).cloned() {
                            Some(Tok::RParen) => {
                                self.pos += 1;
                                break;
                            }
                            Some(Tok::Comma) => self.pos += 1,
                            Some(Tok::Word(v)) => {
                                values.push(v);
                                self.pos += 1;
                            }
                            _ => return Err(SearchError("bad IN list".into())),
                        }
                    }
                    return Ok(Expr::In { field: w, values });
                }
                Ok(Expr::Raw(w))
            }
            Some(t) => Err(SearchError(format!("unexpected {t:?}"))),
            None => Err(SearchError("unexpected end".into())),
        }
    }
}

/// Parses a search expression.
pub fn parse(s: &str) -> Result<Expr, SearchError> {
    let mut p = Parser {
        toks: lex(s)?,
        pos: 0,
    };
    let e = p.and_expr()?;
    if p.pos < p.toks.len() {
        return Err(SearchError("unbalanced )".into()));
    }
    Ok(e)
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

fn cmp_value(op: Op, pat: &str, v: &str) -> bool {
    match op {
        Op::Eq => wildcard_match(pat, v),
        Op::Ne => !wildcard_match(pat, v),
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
            Expr::Raw(_) => add("_raw"),
        }
    }

    /// Whether the event matches.
    pub fn matches(&self, ev: &dyn FieldSource) -> bool {
        match self {
            Expr::True => true,
            Expr::And(v) => v.iter().all(|e| e.matches(ev)),
            Expr::Or(v) => v.iter().any(|e| e.matches(ev)),
            Expr::Not(e) => !e.matches(ev),
            Expr::Cmp { field, op, value } => {
                if *op == Op::Eq && value == "*" {
                    return ev.any_value(field, &mut |_| true);
                }
                if *op == Op::Ne {
                    // `f!=v`: the field exists and no value matches.
                    let mut exists = false;
                    let any_eq = ev.any_value(field, &mut |v| {
                        exists = true;
                        wildcard_match(value, v)
                    });
                    return exists && !any_eq;
                }
                ev.any_value(field, &mut |v| cmp_value(*op, value, v))
            }
            Expr::In { field, values } => {
                ev.any_value(field, &mut |v| values.iter().any(|p| wildcard_match(p, v)))
            }
            Expr::Raw(term) => ev.any_value("_raw", &mut |raw| {
                let pat = format!("*{term}*");
                wildcard_match(&pat, raw)
            }),
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

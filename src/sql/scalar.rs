//! Eval expressions and search predicates as SQL, with the polars engine's typing
//! (`src/expr/eval.rs`): every expression has a static kind, and Splunk's dynamic typing (a
//! string that looks like a number compares as one) is written out as `CASE`s.

use super::dialect::Dialect;
use super::{Col, Kind, SqlError};
use crate::diagnostic::Span;
use crate::plan::{Predicate, Scalar};
use crate::syntax::ast::{BinOp, CmpOp, PatternPiece, SearchValue};

/// A compiled expression.
#[derive(Debug, Clone)]
pub struct Sx {
    pub sql: String,
    pub kind: Kind,
    /// The literal value, when the expression is one (decides comparisons as polars does).
    pub lit: Option<Lit>,
}

#[derive(Debug, Clone)]
pub enum Lit {
    Str(String),
    Num(f64),
}

impl Sx {
    fn new(sql: impl Into<String>, kind: Kind) -> Sx {
        Sx {
            sql: sql.into(),
            kind,
            lit: None,
        }
    }
    fn null() -> Sx {
        Sx::new("NULL", Kind::Null)
    }
}

/// What expressions compile against.
pub struct Ctx<'a> {
    pub d: Dialect,
    pub cols: &'a [Col],
    pub text: &'a str,
    pub now: f64,
}

fn num_lit(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 9e15 {
        format!("{}", x as i64)
    } else {
        format!("CAST({x:e} AS DOUBLE)")
    }
}

/// Splunk's number reading of text (`parse_num`): digits, sign, point and exponent only.
fn parse_num(s: &str) -> Option<f64> {
    crate::expr::eval::looks_numeric(s)
        .then(|| s.parse::<f64>().ok())
        .flatten()
}

impl<'a> Ctx<'a> {
    fn err(&self, msg: impl Into<String>, span: Span) -> SqlError {
        SqlError::at(msg, self.text, span)
    }

    fn col(&self, name: &str) -> Option<&Col> {
        self.cols.iter().find(|c| c.name == name)
    }

    fn text_t(&self) -> &'static str {
        self.d.text_type()
    }

    /// A field's value.
    fn field(&self, name: &str) -> Sx {
        match self.col(name) {
            None => Sx::null(),
            Some(c) if c.kind == Kind::Null => Sx::null(),
            Some(c) => Sx::new(self.d.ident(name), c.kind),
        }
    }

    /// Compile an eval expression.
    pub fn expr(&self, e: &Scalar, at: Span) -> Result<Sx, SqlError> {
        Ok(match e {
            Scalar::Field(f) => self.field(f),
            Scalar::Str(s) => Sx {
                sql: self.d.str_lit(s),
                kind: Kind::Str,
                lit: Some(Lit::Str(s.clone())),
            },
            Scalar::Num { value, text } => {
                let integral =
                    !text.contains(['.', 'e', 'E']) && value.fract() == 0.0 && value.abs() < 9e15;
                Sx {
                    sql: if integral {
                        format!("CAST({} AS BIGINT)", *value as i64)
                    } else {
                        format!("CAST({value:e} AS DOUBLE)")
                    },
                    kind: if integral { Kind::Int } else { Kind::Float },
                    lit: Some(Lit::Num(*value)),
                }
            }
            Scalar::Neg(x) => {
                let t = self.expr(x, at)?;
                let kind = if t.kind == Kind::Int {
                    Kind::Int
                } else {
                    Kind::Float
                };
                let n = self.to_num(&t);
                let mut s = Sx::new(format!("(0 - {n})"), kind);
                if let Some(Lit::Num(v)) = t.lit {
                    s.lit = Some(Lit::Num(-v));
                }
                s
            }
            Scalar::Not(x) => Sx::new(format!("(NOT {})", self.predicate(x, at)?), Kind::Bool),
            Scalar::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, at)?,
            Scalar::In { expr, list } => {
                let x = self.expr(expr, at)?;
                let mut parts = Vec::new();
                for item in list {
                    let y = self.expr(item, at)?;
                    parts.push(format!(
                        "COALESCE({}, FALSE)",
                        self.compare(BinOp::Eq, &x, &y, at)?
                    ));
                }
                let any = if parts.is_empty() {
                    "FALSE".to_string()
                } else {
                    parts.join(" OR ")
                };
                Sx::new(
                    format!(
                        "(CASE WHEN {} THEN CAST(NULL AS BOOLEAN) ELSE ({any}) END)",
                        self.is_null(&x)
                    ),
                    Kind::Bool,
                )
            }
            Scalar::Call { name, args, span } => self.call(name, args, *span)?,
        })
    }

    /// A condition: Boolean, null read as false.
    pub fn predicate(&self, e: &Scalar, at: Span) -> Result<String, SqlError> {
        let t = self.expr(e, at)?;
        Ok(self.truth(&t))
    }

    pub fn truth(&self, t: &Sx) -> String {
        match t.kind {
            Kind::Bool => format!("COALESCE({}, FALSE)", t.sql),
            Kind::Null | Kind::Multi => "FALSE".into(),
            Kind::Int | Kind::Float => format!("COALESCE({} <> 0, FALSE)", t.sql),
            Kind::Str => format!("COALESCE(lower({}) = 'true', FALSE)", t.sql),
        }
    }

    fn is_null(&self, t: &Sx) -> String {
        match t.kind {
            Kind::Null => "TRUE".into(),
            _ => format!("({} IS NULL)", t.sql),
        }
    }

    /// The value as a number (null when it is not one).
    pub fn to_num(&self, t: &Sx) -> String {
        match t.kind {
            Kind::Int | Kind::Float => t.sql.clone(),
            Kind::Str => match &t.lit {
                Some(Lit::Str(s)) => match parse_num(s) {
                    Some(x) => format!("CAST({x:e} AS DOUBLE)"),
                    None => "CAST(NULL AS DOUBLE)".into(),
                },
                _ => format!("TRY_CAST({} AS DOUBLE)", t.sql),
            },
            Kind::Bool | Kind::Null => "CAST(NULL AS DOUBLE)".into(),
            Kind::Multi => format!("TRY_CAST({} AS DOUBLE)", self.d.first(&t.sql)),
        }
    }

    /// The value as text (numbers as Splunk writes them; a multivalue's first value).
    pub fn to_str(&self, t: &Sx) -> String {
        let tt = self.text_t();
        match t.kind {
            Kind::Str => t.sql.clone(),
            Kind::Int => format!("CAST({} AS {tt})", t.sql),
            Kind::Float => float_text(self.d, &t.sql),
            Kind::Bool => format!("(CASE WHEN {} THEN 'true' ELSE 'false' END)", t.sql),
            Kind::Null => format!("CAST(NULL AS {tt})"),
            Kind::Multi => self.d.first(&t.sql),
        }
    }

    /// The value as a multivalue.
    pub fn to_multi(&self, t: &Sx) -> String {
        match t.kind {
            Kind::Multi => t.sql.clone(),
            Kind::Null => format!("CAST(NULL AS {})", self.d.list_type()),
            _ => self.d.one_list(&self.to_str(t)),
        }
    }

    pub fn convert(&self, t: &Sx, kind: Kind) -> String {
        if t.kind == kind {
            return t.sql.clone();
        }
        match kind {
            Kind::Int => self.d.trunc_int(&self.to_num(t)),
            Kind::Float => format!("CAST({} AS DOUBLE)", self.to_num(t)),
            Kind::Str => self.to_str(t),
            Kind::Multi => self.to_multi(t),
            Kind::Bool => match t.kind {
                Kind::Null => "CAST(NULL AS BOOLEAN)".into(),
                _ => self.truth(t),
            },
            Kind::Null => "NULL".into(),
        }
    }

    fn binary(&self, op: BinOp, lhs: &Scalar, rhs: &Scalar, at: Span) -> Result<Sx, SqlError> {
        if matches!(op, BinOp::And | BinOp::Or | BinOp::Xor) {
            let (l, r) = (self.predicate(lhs, at)?, self.predicate(rhs, at)?);
            let s = match op {
                BinOp::And => format!("({l} AND {r})"),
                BinOp::Or => format!("({l} OR {r})"),
                _ => format!("({l} <> {r})"),
            };
            return Ok(Sx::new(s, Kind::Bool));
        }
        let (l, r) = (self.expr(lhs, at)?, self.expr(rhs, at)?);
        Ok(match op {
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                Sx::new(self.compare(op, &l, &r, at)?, Kind::Bool)
            }
            BinOp::Like => self.like(&l, &r, at)?,
            BinOp::Concat => {
                if l.kind == Kind::Null || r.kind == Kind::Null {
                    return Ok(Sx::null());
                }
                Sx::new(
                    format!("({} || {})", self.to_str(&l), self.to_str(&r)),
                    Kind::Str,
                )
            }
            BinOp::Add if l.kind == Kind::Str && r.kind == Kind::Str => {
                let (ln, rn) = (self.to_num(&l), self.to_num(&r));
                let sum = Sx::new(format!("({ln} + {rn})"), Kind::Float);
                Sx::new(
                    format!(
                        "(CASE WHEN {ln} IS NOT NULL AND {rn} IS NOT NULL THEN {} ELSE ({} || {}) END)",
                        self.to_str(&sum),
                        l.sql,
                        r.sql
                    ),
                    Kind::Str,
                )
            }
            _ => self.arith(op, &l, &r),
        })
    }

    fn arith(&self, op: BinOp, l: &Sx, r: &Sx) -> Sx {
        if l.kind == Kind::Null || r.kind == Kind::Null {
            return Sx::null();
        }
        let kind = if l.kind == Kind::Int && r.kind == Kind::Int && op != BinOp::Div {
            Kind::Int
        } else {
            Kind::Float
        };
        let (mut a, mut b) = (self.to_num(l), self.to_num(r));
        if kind == Kind::Float {
            a = format!("CAST({a} AS DOUBLE)");
            b = format!("CAST({b} AS DOUBLE)");
        }
        let sql = match op {
            BinOp::Add => format!("({a} + {b})"),
            BinOp::Sub => format!("({a} - {b})"),
            BinOp::Mul => format!("({a} * {b})"),
            BinOp::Div => format!("(CASE WHEN {b} = 0 THEN NULL ELSE {a} / {b} END)"),
            BinOp::Mod => {
                let (af, bf) = (
                    format!("CAST({a} AS DOUBLE)"),
                    format!("CAST({b} AS DOUBLE)"),
                );
                let q = self.d.trunc_int(&format!("{af} / {bf}"));
                let r = format!("({af} - CAST({q} AS DOUBLE) * {bf})");
                let r = if kind == Kind::Int {
                    format!("TRY_CAST({r} AS BIGINT)")
                } else {
                    r
                };
                format!("(CASE WHEN {b} = 0 THEN NULL ELSE {r} END)")
            }
            _ => "NULL".into(),
        };
        Sx::new(sql, kind)
    }

    /// A comparison with Splunk's dynamic typing; null when either side is.
    pub fn compare(&self, op: BinOp, l: &Sx, r: &Sx, at: Span) -> Result<String, SqlError> {
        let o = match op {
            BinOp::Eq => "=",
            BinOp::Ne => "<>",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            _ => ">=",
        };
        let cmp = |a: &str, b: &str| format!("({a} {o} {b})");
        if l.kind == Kind::Null || r.kind == Kind::Null {
            return Ok("CAST(NULL AS BOOLEAN)".into());
        }
        if l.kind == Kind::Multi || r.kind == Kind::Multi {
            if l.kind == Kind::Bool || r.kind == Kind::Bool {
                return Err(self.err(
                    "a comparison of a multivalue value with a boolean is not expressed in SQL",
                    at,
                ));
            }
            // As the polars engine: true when any value of one side compares true with any
            // value of the other (each pair as numbers when both read as numbers, else as
            // text); null when either side is null.
            let (a, b) = (self.to_multi(l), self.to_multi(r));
            let (x, y) = ("__mx", "__my");
            let (xn, yn) = (
                format!("TRY_CAST({x} AS DOUBLE)"),
                format!("TRY_CAST({y} AS DOUBLE)"),
            );
            let pair = format!(
                "(CASE WHEN {xn} IS NOT NULL AND {yn} IS NOT NULL THEN {} ELSE {} END)",
                cmp(&xn, &yn),
                cmp(x, y)
            );
            let inner = self.d.list_any(&b, y, &pair);
            return Ok(format!(
                "(CASE WHEN {a} IS NULL OR {b} IS NULL THEN CAST(NULL AS BOOLEAN) ELSE {} END)",
                self.d.list_any(&a, x, &inner)
            ));
        }
        if l.kind == Kind::Bool || r.kind == Kind::Bool {
            if l.kind == r.kind {
                return Ok(cmp(&l.sql, &r.sql));
            }
            return Ok(cmp(&self.to_str(l), &self.to_str(r)));
        }
        if l.kind.is_num() && r.kind.is_num() {
            return Ok(cmp(&l.sql, &r.sql));
        }
        let num_side = |t: &Sx| -> Option<bool> {
            if t.kind.is_num() {
                return Some(true);
            }
            match &t.lit {
                Some(Lit::Str(s)) => Some(parse_num(s).is_some()),
                Some(Lit::Num(_)) => Some(true),
                None => None,
            }
        };
        Ok(match (num_side(l), num_side(r)) {
            (Some(false), _) | (_, Some(false)) => cmp(&self.to_str(l), &self.to_str(r)),
            (Some(true), Some(true)) => cmp(&self.to_num(l), &self.to_num(r)),
            (Some(true), None) => {
                let rn = self.to_num(r);
                format!(
                    "(CASE WHEN {rn} IS NOT NULL THEN {} ELSE {} END)",
                    cmp(&self.to_num(l), &rn),
                    cmp(&self.to_str(l), &r.sql)
                )
            }
            (None, Some(true)) => {
                let ln = self.to_num(l);
                format!(
                    "(CASE WHEN {ln} IS NOT NULL THEN {} ELSE {} END)",
                    cmp(&ln, &self.to_num(r)),
                    cmp(&l.sql, &self.to_str(r))
                )
            }
            (None, None) => {
                let (ln, rn) = (self.to_num(l), self.to_num(r));
                format!(
                    "(CASE WHEN {ln} IS NOT NULL AND {rn} IS NOT NULL THEN {} ELSE {} END)",
                    cmp(&ln, &rn),
                    cmp(&l.sql, &r.sql)
                )
            }
        })
    }

    /// `min`/`max` over values that are not all numbers, as the polars engine's `min_max`:
    /// every value of every argument (multivalues flattened, nulls skipped); values that read
    /// as numbers rank below text; numbers compare as numbers (the winner written as Splunk
    /// writes numbers), text lexicographically. Null when there is no value.
    fn min_max_text(&self, a: &[Sx], want_max: bool) -> Sx {
        let d = self.d;
        let empty = format!(
            "CAST({} AS {})",
            match d {
                Dialect::Duckdb => "[]",
                Dialect::Spark => "array()",
            },
            d.list_type()
        );
        let lists: Vec<String> = a
            .iter()
            .map(|t| format!("COALESCE({}, {empty})", self.to_multi(t)))
            .collect();
        let all = match d {
            Dialect::Duckdb => format!("flatten([{}])", lists.join(", ")),
            Dialect::Spark => format!("flatten(array({}))", lists.join(", ")),
        };
        let num = |x: &str| format!("TRY_CAST({x} AS DOUBLE)");
        let (filter, map, lmin, lmax) = match d {
            Dialect::Duckdb => ("list_filter", "list_transform", "list_min", "list_max"),
            Dialect::Spark => ("filter", "transform", "array_min", "array_max"),
        };
        let nums = format!(
            "{map}({filter}({all}, {}), {})",
            d.lambda("__v", &format!("{} IS NOT NULL", num("__v"))),
            d.lambda("__v", &num("__v"))
        );
        let texts = format!(
            "{filter}({all}, {})",
            d.lambda(
                "__v",
                &format!("__v IS NOT NULL AND {} IS NULL", num("__v"))
            )
        );
        let sql = if want_max {
            format!(
                "COALESCE({lmax}({texts}), {})",
                float_text(d, &format!("{lmax}({nums})"))
            )
        } else {
            format!(
                "COALESCE({}, {lmin}({texts}))",
                float_text(d, &format!("{lmin}({nums})"))
            )
        };
        Sx::new(sql, Kind::Str)
    }

    /// `like(x, pattern)` / `x LIKE pattern`: SQL LIKE, case-sensitive, anchored.
    fn like(&self, s: &Sx, p: &Sx, at: Span) -> Result<Sx, SqlError> {
        let Some(Lit::Str(pat)) = &p.lit else {
            return Err(self.err(
                "`like` with a pattern that is not a literal string is not expressed in SQL",
                at,
            ));
        };
        // Splunk's like has no escape character: a backslash is literal.
        let pat = pat.replace('\\', "\\\\");
        self.any_text(s, |x| self.d.like(x, &pat))
    }

    /// A Boolean test of text, applied to every value of a multivalue (any).
    fn any_text(&self, s: &Sx, f: impl Fn(&str) -> String) -> Result<Sx, SqlError> {
        Ok(match s.kind {
            Kind::Null => Sx::null(),
            Kind::Multi => Sx::new(
                format!(
                    "(CASE WHEN {} IS NULL THEN NULL ELSE {} END)",
                    s.sql,
                    self.d.list_any(&s.sql, "v", &f("v"))
                ),
                Kind::Bool,
            ),
            _ => Sx::new(f(&self.to_str(s)), Kind::Bool),
        })
    }

    /// Text to text, over every value of a multivalue.
    fn map_text(&self, s: &Sx, f: impl Fn(&str) -> String) -> Sx {
        match s.kind {
            Kind::Null => Sx::null(),
            Kind::Multi => Sx::new(
                format!(
                    "{}({}, {})",
                    match self.d {
                        Dialect::Duckdb => "list_transform",
                        Dialect::Spark => "transform",
                    },
                    s.sql,
                    self.d.lambda("v", &f("v"))
                ),
                Kind::Multi,
            ),
            _ => Sx::new(f(&self.to_str(s)), Kind::Str),
        }
    }

    pub fn regex_ok(&self, pat: &str, name: &str, span: Span) -> Result<(), SqlError> {
        if regex::Regex::new(pat).is_err() {
            return Err(self.err(
                format!(
                    "`{name}`: the regular expression uses PCRE features (look-around, back-references) that neither SQL engine has"
                ),
                span,
            ));
        }
        Ok(())
    }

    fn call(&self, name: &str, args: &[Scalar], span: Span) -> Result<Sx, SqlError> {
        let n = args.len();
        let all =
            || -> Result<Vec<Sx>, SqlError> { args.iter().map(|a| self.expr(a, span)).collect() };
        let unsupported = |why: &str| {
            self.err(
                format!("eval function `{name}` is not expressed in SQL{why}"),
                span,
            )
        };
        let lit_str = |t: &Sx| match &t.lit {
            Some(Lit::Str(s)) => Some(s.clone()),
            _ => None,
        };
        let lit_int = |t: &Sx| match &t.lit {
            Some(Lit::Num(x)) => Some(x.trunc() as i64),
            Some(Lit::Str(s)) => parse_num(s).map(|x| x.trunc() as i64),
            None => None,
        };
        Ok(match (name, n) {
            ("if", 3) => {
                let cond = self.predicate(&args[0], span)?;
                let (a, b) = (self.expr(&args[1], span)?, self.expr(&args[2], span)?);
                let kind = unify(&[a.kind, b.kind]);
                if kind == Kind::Null {
                    return Ok(Sx::null());
                }
                Sx::new(
                    format!(
                        "(CASE WHEN {cond} THEN {} ELSE {} END)",
                        self.convert(&a, kind),
                        self.convert(&b, kind)
                    ),
                    kind,
                )
            }
            ("case", n) if n >= 2 && n % 2 == 0 => {
                let mut pairs = Vec::new();
                for p in args.chunks(2) {
                    pairs.push((self.predicate(&p[0], span)?, self.expr(&p[1], span)?));
                }
                let kinds: Vec<Kind> = pairs.iter().map(|p| p.1.kind).collect();
                let kind = unify(&kinds);
                if kind == Kind::Null {
                    return Ok(Sx::null());
                }
                let mut s = String::from("(CASE");
                for (c, v) in &pairs {
                    s.push_str(&format!(" WHEN {c} THEN {}", self.convert(v, kind)));
                }
                s.push_str(" ELSE NULL END)");
                Sx::new(s, kind)
            }
            ("coalesce", n) if n >= 1 => {
                let a: Vec<Sx> = all()?
                    .into_iter()
                    .filter(|t| t.kind != Kind::Null)
                    .collect();
                let kind = unify(&a.iter().map(|t| t.kind).collect::<Vec<_>>());
                if kind == Kind::Null {
                    return Ok(Sx::null());
                }
                let parts: Vec<String> = a.iter().map(|t| self.convert(t, kind)).collect();
                if parts.len() == 1 {
                    Sx::new(parts[0].clone(), kind)
                } else {
                    Sx::new(format!("COALESCE({})", parts.join(", ")), kind)
                }
            }
            ("isnull" | "isnotnull", 1) => {
                let t = self.expr(&args[0], span)?;
                let isn = self.is_null(&t);
                Sx::new(
                    if name == "isnull" {
                        isn
                    } else {
                        format!("(NOT {isn})")
                    },
                    Kind::Bool,
                )
            }
            ("relative_time", 2) => {
                // Over constants only (`relative_time(now(), "-1d@d")`), computed here with the
                // polars engine's own time modifiers, in UTC.
                let (a, b) = (self.expr(&args[0], span)?, self.expr(&args[1], span)?);
                match (&a.lit, &b.lit) {
                    (Some(Lit::Num(t)), Some(Lit::Str(spec))) => {
                        match crate::expr::time::relative_time(*t, spec, &chrono_tz::UTC) {
                            Some(v) => Sx {
                                sql: num_lit(v),
                                kind: Kind::Float,
                                lit: Some(Lit::Num(v)),
                            },
                            None => Sx::null(),
                        }
                    }
                    _ => return Err(unsupported(" unless both its arguments are constants")),
                }
            }
            ("null", 0) => Sx::null(),
            ("true", 0) => Sx::new("TRUE", Kind::Bool),
            ("false", 0) => Sx::new("FALSE", Kind::Bool),
            ("now" | "time", 0) => {
                let kind = if self.now.fract() == 0.0 {
                    Kind::Int
                } else {
                    Kind::Float
                };
                Sx {
                    sql: num_lit(self.now),
                    kind,
                    lit: Some(Lit::Num(self.now)),
                }
            }
            ("exact", 1) => self.expr(&args[0], span)?,
            ("match", 2) => {
                let a = all()?;
                let Some(pat) = lit_str(&a[1]) else {
                    return Err(unsupported(" with a pattern that is not a literal"));
                };
                let pat = crate::expr::functions::pcre_braces(&pat);
                self.regex_ok(&pat, name, span)?;
                self.any_text(&a[0], |x| self.d.regex_find(x, &pat))?
            }
            ("like", 2) => {
                let a = all()?;
                self.like(&a[0], &a[1], span)?
            }
            ("replace", 3) => {
                let a = all()?;
                let (Some(pat), Some(repl)) = (lit_str(&a[1]), lit_str(&a[2])) else {
                    return Err(unsupported(" with a pattern that is not a literal"));
                };
                let pat = crate::expr::functions::pcre_braces(&pat);
                self.regex_ok(&pat, name, span)?;
                let repl = replacement(self.d, &repl);
                let pat = self.d.regex(&pat);
                let (p, r) = (self.d.str_lit(&pat), self.d.str_lit(&repl));
                self.map_text(&a[0], |x| match self.d {
                    Dialect::Duckdb => format!("regexp_replace({x}, {p}, {r}, 'g')"),
                    Dialect::Spark => format!("regexp_replace({x}, {p}, {r})"),
                })
            }
            ("lower" | "upper", 1) => {
                let t = self.expr(&args[0], span)?;
                self.map_text(&t, |x| format!("{name}({x})"))
            }
            ("trim" | "ltrim" | "rtrim", 1 | 2) => {
                let a = all()?;
                let chars = if n == 2 {
                    lit_str(&a[1]).ok_or_else(|| unsupported(" with non-literal characters"))?
                } else {
                    " \t".to_string()
                };
                let c = self.d.str_lit(&chars);
                let f = match (self.d, name) {
                    (Dialect::Duckdb, _) => name.to_string(),
                    (Dialect::Spark, "trim") => "btrim".into(),
                    (Dialect::Spark, _) => name.to_string(),
                };
                self.map_text(&a[0], |x| format!("{f}({x}, {c})"))
            }
            ("len", 1) => {
                let t = self.expr(&args[0], span)?;
                if t.kind == Kind::Null {
                    return Ok(Sx::null());
                }
                Sx::new(
                    format!("CAST(length({}) AS BIGINT)", self.to_str(&t)),
                    Kind::Int,
                )
            }
            ("split", 2) => {
                let a = all()?;
                let Some(sep) = lit_str(&a[1]).filter(|s| !s.is_empty()) else {
                    return Err(unsupported(" with an empty or non-literal separator"));
                };
                if a[0].kind == Kind::Multi || a[0].kind == Kind::Null {
                    return Err(unsupported(" of a multivalue"));
                }
                let s = self.to_str(&a[0]);
                let sql = match self.d {
                    Dialect::Duckdb => format!("string_split({s}, {})", self.d.str_lit(&sep)),
                    Dialect::Spark => {
                        format!("split({s}, {}, -1)", self.d.str_lit(&regex::escape(&sep)))
                    }
                };
                Sx::new(sql, Kind::Multi)
            }
            ("mvcount", 1) => {
                let t = self.expr(&args[0], span)?;
                match t.kind {
                    Kind::Null => Sx::null(),
                    Kind::Multi => {
                        let l = self.d.list_len(&t.sql);
                        Sx::new(
                            format!("(CASE WHEN {l} = 0 THEN NULL ELSE CAST({l} AS BIGINT) END)"),
                            Kind::Int,
                        )
                    }
                    _ => Sx::new(
                        format!(
                            "(CASE WHEN {} IS NULL THEN NULL ELSE CAST(1 AS BIGINT) END)",
                            t.sql
                        ),
                        Kind::Int,
                    ),
                }
            }
            ("mvindex", 2 | 3) => {
                let a = all()?;
                if a.iter().any(|t| t.kind == Kind::Null) {
                    return Ok(Sx::null());
                }
                let l = self.to_multi(&a[0]);
                let len = self.d.list_len(&l);
                let idx = |t: &Sx| -> String {
                    let i = match lit_int(t) {
                        Some(i) => format!("CAST({i} AS BIGINT)"),
                        None => self.d.trunc_int(&self.to_num(t)),
                    };
                    format!("(CASE WHEN {i} < 0 THEN {len} + {i} ELSE {i} END)")
                };
                let s = idx(&a[1]);
                match a.get(2) {
                    None => {
                        let sql = match self.d {
                            Dialect::Duckdb => format!(
                                "(CASE WHEN {s} IS NULL OR {s} < 0 OR {s} >= {len} THEN NULL ELSE {l}[{s} + 1] END)"
                            ),
                            Dialect::Spark => format!(
                                "(CASE WHEN {s} IS NULL OR {s} < 0 OR {s} >= {len} THEN NULL ELSE try_element_at({l}, CAST({s} + 1 AS INT)) END)"
                            ),
                        };
                        Sx::new(sql, Kind::Str)
                    }
                    Some(et) => {
                        let e = format!("LEAST({}, {len} - 1)", idx(et));
                        let slice = match self.d {
                            Dialect::Duckdb => format!("list_slice({l}, {s} + 1, {e} + 1)"),
                            Dialect::Spark => format!(
                                "slice({l}, CAST({s} + 1 AS INT), CAST({e} - {s} + 1 AS INT))"
                            ),
                        };
                        Sx::new(
                            format!(
                                "(CASE WHEN {s} IS NULL OR {e} IS NULL OR {s} < 0 OR {s} >= {len} OR {e} < {s} THEN NULL ELSE {slice} END)"
                            ),
                            Kind::Multi,
                        )
                    }
                }
            }
            ("mvappend", n) if n >= 1 => {
                let a = all()?;
                let parts: Vec<String> = a
                    .iter()
                    .filter(|t| t.kind != Kind::Null)
                    .map(|t| {
                        let m = self.to_multi(t);
                        match self.d {
                            Dialect::Duckdb => format!("COALESCE({m}, [])"),
                            Dialect::Spark => {
                                format!("COALESCE({m}, CAST(array() AS ARRAY<STRING>))")
                            }
                        }
                    })
                    .collect();
                if parts.is_empty() {
                    return Ok(Sx::null());
                }
                let cat = match self.d {
                    Dialect::Duckdb => parts.iter().skip(1).fold(parts[0].clone(), |acc, p| {
                        format!("list_concat({acc}, {p})")
                    }),
                    Dialect::Spark => format!("concat({})", parts.join(", ")),
                };
                let l = self.d.list_len(&cat);
                Sx::new(
                    format!("(CASE WHEN {l} = 0 THEN NULL ELSE {cat} END)"),
                    Kind::Multi,
                )
            }
            ("mvjoin", 2) => {
                let a = all()?;
                let Some(sep) = lit_str(&a[1]) else {
                    return Err(unsupported(" with a non-literal separator"));
                };
                let l = self.to_multi(&a[0]);
                let sql = match self.d {
                    Dialect::Duckdb => format!("array_to_string({l}, {})", self.d.str_lit(&sep)),
                    Dialect::Spark => format!("array_join({l}, {})", self.d.str_lit(&sep)),
                };
                Sx::new(sql, Kind::Str)
            }
            ("mvdedup", 1) => {
                let t = self.expr(&args[0], span)?;
                let l = self.to_multi(&t);
                match self.d {
                    // list_distinct does not keep first-seen order.
                    Dialect::Duckdb => {
                        return Err(unsupported(
                            ": DuckDB's list_distinct does not keep the values' order",
                        ))
                    }
                    Dialect::Spark => Sx::new(format!("array_distinct({l})"), Kind::Multi),
                }
            }
            ("min" | "max", n) if n >= 1 => {
                // Numbers only: Splunk's min/max over text compares numbers below strings.
                let a = all()?;
                if a.iter().any(|t| t.kind == Kind::Bool) {
                    return Err(unsupported(" over a boolean"));
                }
                if !a.iter().all(|t| t.kind.is_num()) {
                    return Ok(self.min_max_text(&a, name == "max"));
                }
                let kind = if a.iter().all(|t| t.kind == Kind::Int) {
                    Kind::Int
                } else {
                    Kind::Float
                };
                let xs: Vec<String> = a
                    .iter()
                    .map(|t| {
                        if kind == Kind::Float {
                            format!("CAST({} AS DOUBLE)", t.sql)
                        } else {
                            t.sql.clone()
                        }
                    })
                    .collect();
                if xs.len() == 1 {
                    Sx::new(xs[0].clone(), kind)
                } else {
                    // least/greatest skip nulls in both engines, as Splunk's min/max do.
                    let f = if name == "min" { "least" } else { "greatest" };
                    Sx::new(format!("{f}({})", xs.join(", ")), kind)
                }
            }
            ("abs" | "floor" | "ceil" | "ceiling" | "sqrt", 1) => {
                let t = self.expr(&args[0], span)?;
                let x = format!("CAST({} AS DOUBLE)", self.to_num(&t));
                match name {
                    "abs" => {
                        let kind = if t.kind == Kind::Int {
                            Kind::Int
                        } else {
                            Kind::Float
                        };
                        Sx::new(format!("abs({})", self.to_num(&t)), kind)
                    }
                    "floor" | "ceil" | "ceiling" => Sx::new(
                        format!(
                            "TRY_CAST({}({x}) AS BIGINT)",
                            if name == "floor" { "floor" } else { "ceil" }
                        ),
                        Kind::Int,
                    ),
                    _ => Sx::new(
                        format!("(CASE WHEN {x} < 0 THEN NULL ELSE sqrt({x}) END)"),
                        Kind::Float,
                    ),
                }
            }
            ("pow", 2) => {
                let a = all()?;
                Sx::new(
                    format!(
                        "power(CAST({} AS DOUBLE), CAST({} AS DOUBLE))",
                        self.to_num(&a[0]),
                        self.to_num(&a[1])
                    ),
                    Kind::Float,
                )
            }
            ("round", 1 | 2) => {
                let a = all()?;
                let x = format!("CAST({} AS DOUBLE)", self.to_num(&a[0]));
                if n == 1 {
                    Sx::new(format!("TRY_CAST(round({x}) AS BIGINT)"), Kind::Int)
                } else {
                    let Some(d) = lit_int(&a[1]) else {
                        return Err(unsupported(" with non-literal digits"));
                    };
                    let d = d.clamp(0, 15);
                    Sx::new(format!("(round({x} * 1e{d}) / 1e{d})"), Kind::Float)
                }
            }
            ("substr", 2 | 3) => {
                let a = all()?;
                let (Some(start), len) = (lit_int(&a[1]), a.get(2).map(lit_int)) else {
                    return Err(unsupported(" with positions that are not literal numbers"));
                };
                if a[0].kind == Kind::Null {
                    return Ok(Sx::null());
                }
                let x = self.to_str(&a[0]);
                let n = format!("CAST(length({x}) AS BIGINT)");
                let from = if start > 0 {
                    format!("{}", start - 1)
                } else if start < 0 {
                    format!("GREATEST({n} + ({start}), 0)")
                } else {
                    "0".into()
                };
                let to = match len {
                    None => n.clone(),
                    Some(None) => {
                        return Err(unsupported(" with a length that is not a literal number"))
                    }
                    Some(Some(l)) if l < 0 => return Ok(Sx::null()),
                    Some(Some(l)) => format!("LEAST({from} + {l}, {n})"),
                };
                Sx::new(
                    format!(
                        "(CASE WHEN {x} IS NULL THEN NULL WHEN {from} >= {n} OR {to} <= {from} THEN '' ELSE substring({x}, CAST({from} + 1 AS INT), CAST({to} - {from} AS INT)) END)"
                    ),
                    Kind::Str,
                )
            }
            ("mvfind", 2) => {
                let a = all()?;
                let Some(pat) = lit_str(&a[1]) else {
                    return Err(unsupported(" with a pattern that is not a literal"));
                };
                let pat = crate::expr::functions::pcre_braces(&pat);
                self.regex_ok(&pat, name, span)?;
                let l = self.to_multi(&a[0]);
                let test = self.d.lambda(
                    "v",
                    &format!("COALESCE({}, FALSE)", self.d.regex_find("v", &pat)),
                );
                let pos = match self.d {
                    Dialect::Duckdb => {
                        format!("list_position(list_transform({l}, {test}), TRUE)")
                    }
                    Dialect::Spark => format!("array_position(transform({l}, {test}), TRUE)"),
                };
                Sx::new(
                    format!("CAST(NULLIF(COALESCE({pos}, 0), 0) - 1 AS BIGINT)"),
                    Kind::Int,
                )
            }
            ("urldecode", 1) => {
                let t = self.expr(&args[0], span)?;
                match self.d {
                    // DuckDB's url_decode keeps `+` and invalid escapes, as Splunk's does.
                    Dialect::Duckdb => self.map_text(&t, |x| format!("url_decode({x})")),
                    // Spark's decodes `+` as a space and fails on an invalid escape: both are
                    // escaped first (`+` as %2B, a `%` not followed by two hex digits as %25).
                    Dialect::Spark => self.map_text(&t, |x| {
                        format!(
                            "url_decode(replace(regexp_replace({x}, '%(?![0-9A-Fa-f]{{2}})', '%25'), '+', '%2B'))"
                        )
                    }),
                }
            }
            ("tonumber", 1) => {
                let t = self.expr(&args[0], span)?;
                match t.kind {
                    Kind::Null | Kind::Bool => Sx::new("CAST(NULL AS DOUBLE)", Kind::Float),
                    Kind::Int | Kind::Float => {
                        Sx::new(format!("CAST({} AS DOUBLE)", t.sql), Kind::Float)
                    }
                    Kind::Multi => return Err(unsupported(" of a multivalue")),
                    Kind::Str => {
                        // Splunk's number reading: digits, sign, point and exponent only.
                        let ok = self.d.regex_find(&t.sql, "^[0-9+.eE-]*[0-9][0-9+.eE-]*$");
                        Sx::new(
                            format!(
                                "(CASE WHEN {ok} THEN TRY_CAST({} AS DOUBLE) ELSE NULL END)",
                                t.sql
                            ),
                            Kind::Float,
                        )
                    }
                }
            }
            ("tostring", 1) => {
                let t = self.expr(&args[0], span)?;
                if t.kind == Kind::Multi {
                    return Err(unsupported(" of a multivalue"));
                }
                Sx::new(self.to_str(&t), Kind::Str)
            }
            ("strftime", 2) => {
                let a = all()?;
                let Some(fmt) = lit_str(&a[1]) else {
                    return Err(unsupported(" with a non-literal format"));
                };
                if fmt.contains("%Q")
                    || fmt.contains("%N")
                    || fmt.contains("%z")
                    || fmt.contains("%Z")
                    || fmt.contains("%+")
                    || fmt.contains("%s")
                {
                    return Err(unsupported(&format!(" with the format {fmt:?}")));
                }
                let x = self.to_num(&a[0]);
                let Some(s) = self.d.strftime(&x, &fmt) else {
                    return Err(unsupported(&format!(" with the format {fmt:?}")));
                };
                Sx::new(s, Kind::Str)
            }
            _ => return Err(unsupported("")),
        })
    }

    /// `s` (text) is an IPv4 address (as Rust's parser reads one: four decimal octets, no
    /// leading zeros, up to 255) whose number is within `lo..=hi`; null when `s` is.
    fn ipv4_in(&self, s: &str, lo: u64, hi: u64) -> String {
        let t = format!("trim({s})");
        let shape = self.d.regex_find(
            &t,
            r"^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$",
        );
        let octet = |k: usize| format!("TRY_CAST(split_part({t}, '.', {k}) AS BIGINT)");
        let (a, b, c, d) = (octet(1), octet(2), octet(3), octet(4));
        format!(
            "({shape} AND {a} <= 255 AND {b} <= 255 AND {c} <= 255 AND {d} <= 255 AND ({a} * 16777216 + {b} * 65536 + {c} * 256 + {d}) BETWEEN {lo} AND {hi})"
        )
    }

    // ---- the search language ----

    /// A search predicate (never null).
    pub fn search(&self, p: &Predicate, at: Span) -> Result<String, SqlError> {
        Ok(match p {
            Predicate::True => "TRUE".into(),
            Predicate::And(v) => join(v.iter().map(|x| self.search(x, at)), "AND", "TRUE")?,
            Predicate::Or(v) => join(v.iter().map(|x| self.search(x, at)), "OR", "FALSE")?,
            Predicate::Not(x) => format!("(NOT {})", self.search(x, at)?),
            Predicate::Compare { .. } | Predicate::In { .. }
                if cidr_values(p).is_some_and(|c| ipv4_range(&c).is_none()) =>
            {
                return Err(self.err(
                    format!(
                        "an IPv6 or malformed CIDR value in a search (`{}`) is not expressed in SQL yet",
                        cidr_values(p).unwrap_or_default()
                    ),
                    at,
                ));
            }
            Predicate::Compare { field, op, value } => self.compare_value(field, *op, value),
            Predicate::In { field, values } => {
                let parts: Vec<String> = values
                    .iter()
                    .map(|v| self.compare_value(field, CmpOp::Eq, v))
                    .collect();
                if parts.is_empty() {
                    "FALSE".into()
                } else {
                    format!("({})", parts.join(" OR "))
                }
            }
            Predicate::Term { value, .. }
                if !crate::knowledge::segmenters::TermMatcher::regex_exact(
                    value,
                    self.d == Dialect::Spark,
                ) =>
            {
                return Err(self.err(
                    format!(
                        "the term `{}` (a wildcard that must stop before a `%20`-style breaker, or a `%`-tail with letters) is not expressed in this SQL dialect yet",
                        value.raw
                    ),
                    at,
                ));
            }
            Predicate::Term {
                value,
                case_sensitive,
                whole_term,
            } => self.term(value, *case_sensitive, *whole_term),
            Predicate::Subsearch(_) => {
                return Err(self.err("a subsearch (`[...]`) is not expressed in SQL yet", at))
            }
            Predicate::Eval(s) => self.predicate(s, at)?,
            Predicate::Regex {
                field,
                pattern,
                negate,
            } => {
                self.regex_ok(pattern, "regex", at)?;
                let m = match self.col(field) {
                    None => "FALSE".to_string(),
                    Some(c) => {
                        let f = self.d.ident(field);
                        match c.kind {
                            Kind::Multi => {
                                self.d.list_any(&f, "v", &self.d.regex_find("v", pattern))
                            }
                            Kind::Null => "FALSE".into(),
                            k => {
                                let s = self.to_str(&Sx::new(f, k));
                                format!("COALESCE({}, FALSE)", self.d.regex_find(&s, pattern))
                            }
                        }
                    }
                };
                if *negate {
                    format!("(NOT {m})")
                } else {
                    m
                }
            }
        })
    }

    fn compare_value(&self, field: &str, op: CmpOp, value: &SearchValue) -> String {
        // Time modifiers and tstats selectors, as the polars engine reads them.
        if crate::expr::search::ALWAYS_TRUE_FIELDS.contains(&field) {
            return "TRUE".into();
        }
        let Some(c) = self.col(field) else {
            return "FALSE".into();
        };
        if c.kind == Kind::Null {
            return "FALSE".into();
        }
        let f = self.d.ident(field);
        let kind = c.kind;
        let pieces = value.pattern();
        let only_wildcard = pieces == vec![PatternPiece::Wildcard];
        let number = if value.has_wildcard() {
            None
        } else {
            value.text().trim().parse::<f64>().ok()
        };
        let present = match kind {
            Kind::Multi => format!("({f} IS NOT NULL AND {} > 0)", self.d.list_len(&f)),
            _ => format!("({f} IS NOT NULL)"),
        };
        let cidr = crate::expr::search::cidr_value(value).and_then(|c| ipv4_range(&c));
        match op {
            CmpOp::Eq | CmpOp::Ne if only_wildcard => present,
            CmpOp::Eq | CmpOp::Ne if cidr.is_some() => {
                // An address in the range (Search Reference, `search`: a CIDR value matches
                // the IP addresses in it), any value of a multivalue field.
                let (lo, hi) = cidr.unwrap_or((0, 0));
                let m = match kind {
                    Kind::Multi => self.d.list_any(&f, "v", &self.ipv4_in("v", lo, hi)),
                    k => {
                        let s = self.to_str(&Sx::new(f.clone(), k));
                        format!("COALESCE({}, FALSE)", self.ipv4_in(&s, lo, hi))
                    }
                };
                if op == CmpOp::Ne {
                    format!("({present} AND NOT {m})")
                } else {
                    m
                }
            }
            CmpOp::Eq | CmpOp::Ne => {
                let m = match (number, kind) {
                    (Some(n), Kind::Int | Kind::Float) => {
                        format!("COALESCE(CAST({f} AS DOUBLE) = {}, FALSE)", num_lit(n))
                    }
                    _ => {
                        let pat = like_pattern(&pieces, true).to_lowercase();
                        match kind {
                            Kind::Multi => self.d.list_any(&f, "v", &self.d.like("lower(v)", &pat)),
                            k => {
                                let s = self.to_str(&Sx::new(f.clone(), k));
                                format!(
                                    "COALESCE({}, FALSE)",
                                    self.d.like(&format!("lower({s})"), &pat)
                                )
                            }
                        }
                    }
                };
                if op == CmpOp::Ne {
                    format!("({present} AND NOT {m})")
                } else {
                    m
                }
            }
            _ => {
                let o = match op {
                    CmpOp::Lt => "<",
                    CmpOp::Le => "<=",
                    CmpOp::Gt => ">",
                    _ => ">=",
                };
                let (lhs, rhs) = match number {
                    Some(n) => (
                        match kind {
                            Kind::Multi => format!("TRY_CAST({} AS DOUBLE)", self.d.first(&f)),
                            Kind::Int | Kind::Float => format!("CAST({f} AS DOUBLE)"),
                            _ => format!("TRY_CAST({f} AS DOUBLE)"),
                        },
                        num_lit(n),
                    ),
                    None => (
                        self.to_str(&Sx::new(f.clone(), kind)),
                        self.d.str_lit(&value.text()),
                    ),
                };
                format!("COALESCE({lhs} {o} {rhs}, FALSE)")
            }
        }
    }

    /// A bare term: `_raw` holds it as whole segments by Splunk's breakers
    /// (`knowledge::segmenters`; case-insensitively unless `CASE()`, bounded by major breakers
    /// only for `TERM()`), as one regular expression with the breakers as character classes.
    fn term(&self, v: &SearchValue, case_sensitive: bool, whole_term: bool) -> String {
        use crate::knowledge::segmenters::{Bound, TermMatcher};
        let pieces = v.pattern();
        if pieces.iter().all(|p| *p == PatternPiece::Wildcard) {
            return "TRUE".into();
        }
        let Some(c) = self.col("_raw") else {
            return "FALSE".into();
        };
        let bound = if whole_term {
            Bound::Major
        } else {
            Bound::Segment
        };
        // Java's regex engine (Spark) has look-ahead: a wildcard stops before `%20`-style
        // breakers there.
        let re = TermMatcher::regex_with(v, case_sensitive, bound, self.d == Dialect::Spark);
        let f = self.d.ident("_raw");
        match c.kind {
            Kind::Multi => self.d.list_any(&f, "v", &self.d.regex_find("v", &re)),
            _ => format!("COALESCE({}, FALSE)", self.d.regex_find(&f, &re)),
        }
    }
}

/// An IPv4 CIDR value's range of addresses as numbers (None: IPv6 or not a network), as
/// `crate::expr::functions::cidr_match` reads it.
fn ipv4_range(cidr: &str) -> Option<(u64, u64)> {
    let (net, bits) = match cidr.trim().split_once('/') {
        Some((n, b)) => (n, b.parse::<u32>().ok()?),
        None => (cidr.trim(), 32),
    };
    let net: std::net::Ipv4Addr = net.parse().ok()?;
    if bits > 32 {
        return None;
    }
    let mask: u32 = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    let lo = u32::from(net) & mask;
    Some((u64::from(lo), u64::from(lo | !mask)))
}

/// The first CIDR value (`192.0.2.0/24`) of a comparison or IN list, which matches the addresses
/// in the range (`crate::expr::search::cidr_value`).
fn cidr_values(p: &Predicate) -> Option<String> {
    match p {
        Predicate::Compare { value, .. } => crate::expr::search::cidr_value(value),
        Predicate::In { values, .. } => values.iter().find_map(crate::expr::search::cidr_value),
        _ => None,
    }
}

fn join(
    parts: impl Iterator<Item = Result<String, SqlError>>,
    op: &str,
    empty: &str,
) -> Result<String, SqlError> {
    let v: Vec<String> = parts.collect::<Result<_, _>>()?;
    Ok(if v.is_empty() {
        empty.to_string()
    } else {
        format!("({})", v.join(&format!(" {op} ")))
    })
}

/// A value pattern as a LIKE pattern (escape `\`): `*` is `%`, literal `%`, `_`, `\` escaped.
pub fn like_pattern(pieces: &[PatternPiece], anchored: bool) -> String {
    let mut out = String::new();
    if !anchored {
        out.push('%');
    }
    for p in pieces {
        match p {
            PatternPiece::Wildcard => out.push('%'),
            PatternPiece::Literal(s) => {
                for ch in s.chars() {
                    if matches!(ch, '%' | '_' | '\\') {
                        out.push('\\');
                    }
                    out.push(ch);
                }
            }
        }
    }
    if !anchored {
        out.push('%');
    }
    out
}

/// Splunk's replacement text (`\\1` a group, `\\\\` a backslash) in the engine's syntax: RE2's
/// `\\1`, Java's `$1`.
fn replacement(d: Dialect, repl: &str) -> String {
    let mut out = String::new();
    let mut chars = repl.chars().peekable();
    let lit = |out: &mut String, c: char| match (d, c) {
        (Dialect::Duckdb, '\\') => out.push_str("\\\\"),
        (Dialect::Spark, '\\') => out.push_str("\\\\"),
        (Dialect::Spark, '$') => out.push_str("\\$"),
        (_, c) => out.push(c),
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek().copied() {
                Some(g) if g.is_ascii_digit() => {
                    chars.next();
                    match d {
                        Dialect::Duckdb => out.push('\\'),
                        Dialect::Spark => out.push('$'),
                    }
                    out.push(g);
                }
                Some('\\') => {
                    chars.next();
                    lit(&mut out, '\\');
                }
                _ => lit(&mut out, '\\'),
            },
            c => lit(&mut out, c),
        }
    }
    out
}

/// A DOUBLE as Splunk's text (integral values without a fraction).
pub fn float_text(d: Dialect, x: &str) -> String {
    let tt = d.text_type();
    format!(
        "(CASE WHEN CAST(TRY_CAST({x} AS BIGINT) AS DOUBLE) = {x} THEN CAST(TRY_CAST({x} AS BIGINT) AS {tt}) ELSE CAST({x} AS {tt}) END)"
    )
}

/// The kind of values that meet in `if`/`case`/`coalesce` (as the polars engine's `unify`).
pub fn unify(kinds: &[Kind]) -> Kind {
    let mut out = Kind::Null;
    for &k in kinds {
        out = match (out, k) {
            (o, Kind::Null) => o,
            (Kind::Null, k) => k,
            (o, k) if o == k => o,
            (Kind::Multi, _) | (_, Kind::Multi) => Kind::Multi,
            (Kind::Int, Kind::Float) | (Kind::Float, Kind::Int) => Kind::Float,
            _ => Kind::Str,
        };
    }
    out
}

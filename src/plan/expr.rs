//! The plan's scalar expressions and predicates: what `eval`/`where` compute and what the search
//! language matches, independent of any backend.
//!
//! - [`Scalar`] is an eval-language expression whose function calls are resolved against the
//!   function table ([`super::functions`]): a name the table does not know, or a call with the
//!   wrong number of arguments, is an error at planning time, before any data is read.
//! - [`Predicate`] is the search language (`search`, the implied first search, `tstats ... where`,
//!   `regex`, `where`): case-insensitive wildcard matches on field values, term matches on
//!   `_raw`, `IN` sets, comparisons, and the difference between `NOT f=v` (true when `f` is
//!   missing) and `f!=v` (false when `f` is missing). See splunk-semantics.md §4–5.

use crate::diagnostic::{Diagnostic, Span};
use crate::syntax::ast::{BinOp, CmpOp, EvalExpr, SearchExpr, SearchValue, TermFn};
use serde::Serialize;

/// An eval-language expression (splunk-semantics.md §5).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Scalar {
    /// A field's value (null when the result lacks the field).
    Field(String),
    /// A string literal, escapes decoded.
    Str(String),
    /// A number literal with its source text (Splunk prints `5`, not `5.0`).
    Num { value: f64, text: String },
    /// A call of a function of the function table; `name` is lower case.
    Call {
        name: String,
        args: Vec<Scalar>,
        #[serde(skip)]
        span: Span,
    },
    /// Unary minus.
    Neg(Box<Scalar>),
    /// Logical NOT (null reads as false).
    Not(Box<Scalar>),
    /// A binary operator.
    Binary {
        op: BinOp,
        lhs: Box<Scalar>,
        rhs: Box<Scalar>,
    },
    /// `x IN (a, b, ...)`.
    In {
        expr: Box<Scalar>,
        list: Vec<Scalar>,
    },
}

impl Scalar {
    /// Lower an eval expression of the syntax tree, checking every function call against the
    /// function table. `text` is the expanded search (for error positions).
    pub fn lower(e: &EvalExpr, text: &str) -> Result<Scalar, Diagnostic> {
        Ok(match e {
            EvalExpr::Field(f) => Scalar::Field(f.clone()),
            EvalExpr::Str(s) => Scalar::Str(s.clone()),
            EvalExpr::Num { value, text } => Scalar::Num {
                value: *value,
                text: text.clone(),
            },
            EvalExpr::Call { name, args, span } => {
                super::functions::check_call(
                    name,
                    super::functions::FunctionClass::Eval,
                    args.len(),
                )
                .map_err(|d| d.at(text, *span))?;
                Scalar::Call {
                    name: name.clone(),
                    args: args
                        .iter()
                        .map(|a| Scalar::lower(a, text))
                        .collect::<Result<_, _>>()?,
                    span: *span,
                }
            }
            EvalExpr::Neg(x) => Scalar::Neg(Box::new(Scalar::lower(x, text)?)),
            EvalExpr::Not(x) => Scalar::Not(Box::new(Scalar::lower(x, text)?)),
            EvalExpr::Binary { op, lhs, rhs } => Scalar::Binary {
                op: *op,
                lhs: Box::new(Scalar::lower(lhs, text)?),
                rhs: Box::new(Scalar::lower(rhs, text)?),
            },
            EvalExpr::In { expr, list } => Scalar::In {
                expr: Box::new(Scalar::lower(expr, text)?),
                list: list
                    .iter()
                    .map(|a| Scalar::lower(a, text))
                    .collect::<Result<_, _>>()?,
            },
        })
    }

    /// The fields the expression reads, in first-use order.
    pub fn fields(&self, out: &mut Vec<String>) {
        match self {
            Scalar::Field(f) => {
                if !out.contains(f) {
                    out.push(f.clone());
                }
            }
            Scalar::Str(_) | Scalar::Num { .. } => {}
            Scalar::Call { args, .. } => args.iter().for_each(|a| a.fields(out)),
            Scalar::Neg(x) | Scalar::Not(x) => x.fields(out),
            Scalar::Binary { lhs, rhs, .. } => {
                lhs.fields(out);
                rhs.fields(out);
            }
            Scalar::In { expr, list } => {
                expr.fields(out);
                list.iter().for_each(|a| a.fields(out));
            }
        }
    }
}

impl std::fmt::Display for Scalar {
    /// The expression in SPL's own syntax (for `explain`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scalar::Field(n) => {
                if n.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    write!(f, "{n}")
                } else {
                    write!(f, "'{n}'")
                }
            }
            Scalar::Str(s) => write!(f, "\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")),
            Scalar::Num { text, .. } => write!(f, "{text}"),
            Scalar::Call { name, args, .. } => {
                write!(f, "{name}(")?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{a}")?;
                }
                write!(f, ")")
            }
            Scalar::Neg(x) => write!(f, "-{x}"),
            Scalar::Not(x) => write!(f, "NOT {x}"),
            Scalar::Binary { op, lhs, rhs } => write!(f, "({lhs} {} {rhs})", binop_symbol(*op)),
            Scalar::In { expr, list } => {
                write!(f, "{expr} IN (")?;
                for (i, a) in list.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{a}")?;
                }
                write!(f, ")")
            }
        }
    }
}

/// The SPL spelling of an eval operator.
pub fn binop_symbol(op: BinOp) -> &'static str {
    match op {
        BinOp::Or => "OR",
        BinOp::Xor => "XOR",
        BinOp::And => "AND",
        BinOp::Eq => "=",
        BinOp::Ne => "!=",
        BinOp::Lt => "<",
        BinOp::Le => "<=",
        BinOp::Gt => ">",
        BinOp::Ge => ">=",
        BinOp::Like => "LIKE",
        BinOp::Concat => ".",
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::Mod => "%",
    }
}

/// A search-language predicate (splunk-semantics.md §4). Every predicate is total: a missing
/// field or a null value never makes it null, only true or false.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Predicate {
    /// Matches every result (`search *`, `()`).
    True,
    And(Vec<Predicate>),
    Or(Vec<Predicate>),
    /// `NOT x`: true when `x` is false, including when its field is missing.
    Not(Box<Predicate>),
    /// `field op value`: case-insensitive, `*` wildcards; `field=*` means the field exists;
    /// `<`/`>` compare numerically when the value is a number; `!=` is false for a missing field.
    Compare {
        field: String,
        op: CmpOp,
        value: SearchValue,
    },
    /// `field IN (v1, v2, ...)`: any of the patterns matches.
    In {
        field: String,
        values: Vec<SearchValue>,
    },
    /// A bare term or phrase matched against `_raw` as whole segments (Splunk's segmentation,
    /// `knowledge::segmenters`), case-insensitively; `case_sensitive` for `CASE()`, `whole_term`
    /// for `TERM()` (bounded by major breakers only).
    Term {
        value: SearchValue,
        case_sensitive: bool,
        whole_term: bool,
    },
    /// `[ subsearch ]`: its results, as `format` writes them, become a predicate at run time.
    Subsearch(Box<super::Plan>),
    /// An eval-language condition (`where`): null counts as false.
    Eval(Scalar),
    /// `regex field=PCRE` (or `field!=`): the field's text matches the regular expression.
    Regex {
        field: String,
        pattern: String,
        negate: bool,
    },
}

impl Predicate {
    /// Lower a search expression; subsearches are planned by `plan_subsearch`.
    pub fn lower(
        e: &SearchExpr,
        plan_subsearch: &mut dyn FnMut(
            &crate::syntax::ast::Pipeline,
        ) -> Result<super::Plan, Diagnostic>,
    ) -> Result<Predicate, Diagnostic> {
        Ok(match e {
            SearchExpr::Empty => Predicate::True,
            SearchExpr::And(v) => Predicate::And(
                v.iter()
                    .map(|x| Predicate::lower(x, plan_subsearch))
                    .collect::<Result<_, _>>()?,
            ),
            SearchExpr::Or(v) => Predicate::Or(
                v.iter()
                    .map(|x| Predicate::lower(x, plan_subsearch))
                    .collect::<Result<_, _>>()?,
            ),
            SearchExpr::Not(x) => Predicate::Not(Box::new(Predicate::lower(x, plan_subsearch)?)),
            SearchExpr::Compare { field, op, value } => Predicate::Compare {
                field: field.clone(),
                op: *op,
                value: value.clone(),
            },
            SearchExpr::In { field, values } => Predicate::In {
                field: field.clone(),
                values: values.clone(),
            },
            SearchExpr::Term(v) => Predicate::Term {
                value: v.clone(),
                case_sensitive: false,
                whole_term: false,
            },
            SearchExpr::TermFn { func, text } => Predicate::Term {
                value: SearchValue {
                    raw: text.replace('\\', "\\\\").replace('"', "\\\""),
                    quoted: true,
                },
                case_sensitive: *func == TermFn::Case,
                whole_term: *func == TermFn::Term,
            },
            SearchExpr::Subsearch(p) => Predicate::Subsearch(Box::new(plan_subsearch(p)?)),
        })
    }

    /// The fields the predicate reads (`_raw` for terms).
    pub fn fields(&self, out: &mut Vec<String>) {
        let mut push = |f: &str| {
            if !out.iter().any(|o| o == f) {
                out.push(f.to_string());
            }
        };
        match self {
            Predicate::True | Predicate::Subsearch(_) => {}
            Predicate::And(v) | Predicate::Or(v) => v.iter().for_each(|p| p.fields(out)),
            Predicate::Not(x) => x.fields(out),
            Predicate::Compare { field, .. }
            | Predicate::In { field, .. }
            | Predicate::Regex { field, .. } => push(field),
            Predicate::Term { .. } => push("_raw"),
            Predicate::Eval(s) => s.fields(out),
        }
    }
}

fn quote_value(v: &SearchValue) -> String {
    if v.quoted || v.raw.contains(' ') {
        format!("\"{}\"", v.raw)
    } else {
        v.raw.clone()
    }
}

impl std::fmt::Display for Predicate {
    /// The predicate in the search language (for `explain`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let join = |f: &mut std::fmt::Formatter<'_>, v: &[Predicate], sep: &str| {
            write!(f, "(")?;
            for (i, p) in v.iter().enumerate() {
                if i > 0 {
                    write!(f, " {sep} ")?;
                }
                write!(f, "{p}")?;
            }
            write!(f, ")")
        };
        match self {
            Predicate::True => write!(f, "*"),
            Predicate::And(v) => join(f, v, "AND"),
            Predicate::Or(v) => join(f, v, "OR"),
            Predicate::Not(x) => write!(f, "NOT {x}"),
            Predicate::Compare { field, op, value } => {
                write!(f, "{field}{}{}", op.symbol(), quote_value(value))
            }
            Predicate::In { field, values } => {
                write!(f, "{field} IN (")?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    if i == 8 && values.len() > 10 {
                        write!(f, "... {} more", values.len() - 8)?;
                        break;
                    }
                    write!(f, "{}", quote_value(v))?;
                }
                write!(f, ")")
            }
            Predicate::Term {
                value,
                case_sensitive,
                whole_term,
            } => {
                if *case_sensitive {
                    write!(f, "CASE({})", value.raw)
                } else if *whole_term {
                    write!(f, "TERM({})", value.raw)
                } else {
                    write!(f, "{}", quote_value(value))
                }
            }
            Predicate::Subsearch(_) => write!(f, "[subsearch]"),
            Predicate::Eval(s) => write!(f, "eval({s})"),
            Predicate::Regex {
                field,
                pattern,
                negate,
            } => write!(
                f,
                "regex({field} {} \"{pattern}\")",
                if *negate { "!~" } else { "=~" }
            ),
        }
    }
}

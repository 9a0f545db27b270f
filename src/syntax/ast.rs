//! The typed syntax tree of a search, shared by every stage after parsing.
//!
//! Names follow Splunk's: a [`Pipeline`] is a list of [`Command`]s separated by `|`; the search
//! language ([`SearchExpr`]) and the eval language ([`EvalExpr`]) are separate trees because their
//! precedence and matching rules differ (splunk-semantics.md §4–5). Each command's own node lives
//! in `src/commands/<name>.rs`.

use crate::commands::CommandKind;
use crate::diagnostic::Span;
use serde::Serialize;

/// A search: commands run left to right, each taking the previous one's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pipeline {
    pub commands: Vec<Command>,
    #[serde(skip)]
    pub span: Span,
}

/// One command of a pipeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Command {
    /// The command name as Splunk knows it, lower case (`bucket` is reported as `bin`).
    pub name: String,
    /// Where the command stands in the (expanded) search text.
    #[serde(skip)]
    pub span: Span,
    #[serde(flatten)]
    pub kind: CommandKind,
}

/// A `key=value` option (`span=1h`, `max_match=0`, `summariesonly=false`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Opt {
    pub key: String,
    /// The value with quotes removed and `\"`/`\\` decoded.
    pub value: String,
    /// Whether the value was written in double quotes.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub quoted: bool,
}

/// Options helpers.
pub trait Options {
    /// The value of an option (case-insensitive key), the last one if repeated.
    fn get_opt(&self, key: &str) -> Option<&str>;
}

impl Options for [Opt] {
    fn get_opt(&self, key: &str) -> Option<&str> {
        self.iter()
            .rev()
            .find(|o| o.key.eq_ignore_ascii_case(key))
            .map(|o| o.value.as_str())
    }
}

/// An aggregation of the stats family: `count`, `dc(user) AS users`, `count(eval(x>1))`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Aggregate {
    /// Function name, lower case (`count`, `values`, `perc95`, ...).
    pub func: String,
    pub arg: Option<AggArg>,
    /// The output column name given with `AS`.
    pub alias: Option<String>,
    #[serde(skip)]
    pub span: Span,
}

impl Aggregate {
    /// The output column: the alias, or Splunk's default name (`count`, `dc(user)`).
    pub fn output_name(&self) -> String {
        if let Some(a) = &self.alias {
            return a.clone();
        }
        match &self.arg {
            None => self.func.clone(),
            Some(AggArg::Eval(_, text)) if self.func == "eval" => format!("eval({text})"),
            Some(AggArg::Field(f)) => format!("{}({})", self.func, f),
            Some(AggArg::Eval(_, text)) => format!("{}(eval({}))", self.func, text),
        }
    }
}

/// The argument of an aggregation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum AggArg {
    /// A field name (may hold wildcards in `mstats`).
    Field(String),
    /// `eval(expr)`, with the expression's source text (Splunk names the column after it).
    Eval(EvalExpr, String),
}

/// The search language: `search`, the implied first search and `tstats ... where`.
///
/// Values match case-insensitively with `*` wildcards; field names are case-sensitive.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum SearchExpr {
    /// Implicit or explicit `AND`.
    And(Vec<SearchExpr>),
    Or(Vec<SearchExpr>),
    /// `NOT x`: also true when the field is missing.
    Not(Box<SearchExpr>),
    /// `field op value`; `field=*` means "field exists".
    Compare {
        field: String,
        op: CmpOp,
        value: SearchValue,
    },
    /// `field IN (v1, v2, ...)`.
    In {
        field: String,
        values: Vec<SearchValue>,
    },
    /// A bare word or quoted phrase, matched against `_raw`.
    Term(SearchValue),
    /// `TERM(x)` / `CASE(x)`.
    TermFn {
        func: TermFn,
        text: String,
    },
    /// `[ subsearch ]`: its results become a search expression.
    Subsearch(Box<Pipeline>),
    /// `()`: matches everything.
    Empty,
}

/// `TERM()` or `CASE()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TermFn {
    Term,
    Case,
}

/// Comparison operators of the search language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// A value in the search language, kept as written so that wildcards and escapes can be
/// interpreted exactly: `*` is a wildcard, `\*` a literal star, `\\` a backslash, `\"` a quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchValue {
    /// The source text without the surrounding quotes (quoted parts are unwrapped, escapes kept).
    pub raw: String,
    /// Whether any part was written in double quotes.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub quoted: bool,
}

/// A piece of a search value pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternPiece {
    Literal(String),
    /// `*`: any run of characters.
    Wildcard,
}

impl SearchValue {
    /// The value as a pattern: literal runs (escapes decoded) and wildcards.
    pub fn pattern(&self) -> Vec<PatternPiece> {
        let mut out = Vec::new();
        let mut lit = String::new();
        let mut chars = self.raw.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some(n @ ('\\' | '"' | '*' | '=' | '|')) => lit.push(n),
                    Some(n) => {
                        lit.push('\\');
                        lit.push(n);
                    }
                    None => lit.push('\\'),
                },
                '*' => {
                    if !lit.is_empty() {
                        out.push(PatternPiece::Literal(std::mem::take(&mut lit)));
                    }
                    if out.last() != Some(&PatternPiece::Wildcard) {
                        out.push(PatternPiece::Wildcard);
                    }
                }
                c => lit.push(c),
            }
        }
        if !lit.is_empty() {
            out.push(PatternPiece::Literal(lit));
        }
        out
    }

    /// The value with escapes decoded, wildcards kept as `*`.
    pub fn text(&self) -> String {
        self.pattern()
            .into_iter()
            .map(|p| match p {
                PatternPiece::Literal(s) => s,
                PatternPiece::Wildcard => "*".into(),
            })
            .collect()
    }

    /// Whether the value holds an unescaped `*`.
    pub fn has_wildcard(&self) -> bool {
        self.pattern().contains(&PatternPiece::Wildcard)
    }
}

/// The eval language: `eval`, `where`, `eval(...)` inside aggregations.
///
/// String comparison is case-sensitive; there are no wildcards (use `like`/`match`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum EvalExpr {
    /// A field reference (`process_name`, `'Processes.process'`).
    Field(String),
    /// A string literal, escapes decoded.
    Str(String),
    /// A number literal with its source text.
    Num {
        value: f64,
        text: String,
    },
    /// A function call; the name is lower case. `span` locates it in the expanded search.
    Call {
        name: String,
        args: Vec<EvalExpr>,
        #[serde(skip)]
        span: Span,
    },
    /// Unary minus.
    Neg(Box<EvalExpr>),
    Not(Box<EvalExpr>),
    Binary {
        op: BinOp,
        lhs: Box<EvalExpr>,
        rhs: Box<EvalExpr>,
    },
    /// `x IN (a, b, ...)`.
    In {
        expr: Box<EvalExpr>,
        list: Vec<EvalExpr>,
    },
}

/// Binary operators of the eval language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BinOp {
    Or,
    Xor,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Like,
    Concat,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

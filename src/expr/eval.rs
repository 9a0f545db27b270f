//! The eval language (`eval`, `where`, `if`/`case` conditions, `stats ... eval(...)`) compiled to
//! polars expressions with Splunk's semantics (splunk-semantics.md §5).
//!
//! Every compiled expression has a static [`Kind`] (number, string, boolean, multivalue, null)
//! that decides its polars dtype; Splunk's dynamic typing is applied per row where the kind does
//! not settle it:
//! - a string that looks like a number is a number in arithmetic, and in comparisons when the
//!   other side is (or looks like) a number; otherwise comparison is lexicographic and
//!   **case-sensitive** (`process_name="cmd.exe"` does not match `CMD.EXE`);
//! - `=`/`==`, `!=`, `<`... with null are false (a `where` drops the row), `!=` included;
//! - `AND`/`OR`/`XOR`/`NOT` read a null operand as false (so `NOT x="a"` is true when `x` is
//!   null);
//! - `+` adds numbers and concatenates two strings; `.` always concatenates (numbers rendered
//!   as Splunk does, `5` not `5.0`); null in arithmetic or concatenation gives null; division by
//!   zero gives null;
//! - a comparison with a multivalue field is true if any of its values matches.
//!
//! The functions live in [`super::functions`].

use super::functions;
use super::time::parse_tz;
use super::value::{build_column, parse_num, Kind, Reader, Value};
use crate::commands::eval::Assignment;
use crate::diagnostic::Diagnostic;
use crate::plan::Scalar;
use crate::syntax::ast::{BinOp, EvalExpr};
use chrono_tz::Tz;
use polars::prelude::*;
use std::cmp::Ordering;

/// What an eval expression is compiled against.
pub struct EvalContext<'a> {
    /// Columns available and their dtypes (the frame the expression runs on).
    pub schema: &'a Schema,
    /// The expanded search text, for error positions.
    pub source: &'a str,
    /// Reference time for `now()` / `relative_time`, epoch seconds.
    pub now: f64,
    /// Time zone for `strftime`/`strptime`/`relative_time` snaps (IANA name), "UTC" by default.
    pub tz: &'a str,
}

/// Compile an eval expression to a polars expression producing the value Splunk would assign.
///
/// The result is `Float64`/`Int64` for numbers, `String` for strings (and for an always-null
/// value), `Boolean` for conditions and `List(String)` for multivalue results.
pub fn compile_scalar(expr: &Scalar, ctx: &EvalContext) -> Result<Expr, Diagnostic> {
    let c = Compiler::new(ctx)?;
    let t = c.expr(expr)?;
    Ok(c.finish(t))
}

/// [`compile_scalar`] for an expression of the syntax tree (functions checked first).
pub fn compile(expr: &EvalExpr, ctx: &EvalContext) -> Result<Expr, Diagnostic> {
    compile_scalar(&Scalar::lower(expr, ctx.source)?, ctx)
}

/// Compile for `where`/`if` conditions: a Boolean expression where null counts as false.
///
/// A non-boolean value is read leniently: a number is true when non-zero, a string when it is
/// `true` (any case); Splunk would reject such a `where`.
pub fn compile_predicate(expr: &EvalExpr, ctx: &EvalContext) -> Result<Expr, Diagnostic> {
    Compiler::new(ctx)?.predicate(&Scalar::lower(expr, ctx.source)?)
}

/// A condition over a plan expression: Boolean, null read as false.
pub fn scalar_predicate(expr: &Scalar, ctx: &EvalContext) -> Result<Expr, Diagnostic> {
    Compiler::new(ctx)?.predicate(expr)
}

/// A condition over a plan expression whose null value counts as `null_true` (`head`'s
/// `null=`).
pub fn compile_scalar_predicate(
    expr: &Scalar,
    ctx: &EvalContext,
    null_true: bool,
) -> Result<Expr, Diagnostic> {
    let c = Compiler::new(ctx)?;
    let t = c.expr(expr)?;
    let truth = c.truth(&t);
    if null_true {
        Ok(truth.or(t.expr.is_null()))
    } else {
        Ok(truth)
    }
}

/// Apply `eval` assignments left to right to a LazyFrame: each later assignment sees the
/// earlier ones. A field assigned null becomes a null (`String`) column.
pub fn apply_eval(
    lf: LazyFrame,
    assignments: &[Assignment],
    source: &str,
    now: f64,
    tz: &str,
) -> Result<LazyFrame, Diagnostic> {
    let lowered = assignments
        .iter()
        .map(|a| Ok((a.field.clone(), Scalar::lower(&a.expr, source)?)))
        .collect::<Result<Vec<_>, Diagnostic>>()?;
    apply_scalars(lf, &lowered, source, now, tz)
}

/// Apply plan assignments (`field`, expression) left to right (see [`apply_eval`]).
pub fn apply_scalars(
    mut lf: LazyFrame,
    assignments: &[(String, Scalar)],
    source: &str,
    now: f64,
    tz: &str,
) -> Result<LazyFrame, Diagnostic> {
    for a in assignments {
        if let Some(out) = mvmap_with_other_fields(lf.clone(), a, source, now, tz)? {
            lf = out;
            continue;
        }
        let schema = lf
            .collect_schema()
            .map_err(|e| Diagnostic::new(format!("eval: {e}")))?;
        let ctx = EvalContext {
            schema: &schema,
            source,
            now,
            tz,
        };
        let e = compile_scalar(&a.1, &ctx)?;
        lf = lf.with_column(e.alias(a.0.as_str()));
    }
    Ok(lf)
}

/// `x=mvmap(F, expr)` where `expr` also reads fields other than `F`: evaluated per value of
/// `F` by giving each value its own row (the other fields repeated), then gathering the results
/// back per result in order, nulls dropped (an empty result is null). None when the
/// assignment is not such an `mvmap` (the expression compiler handles the rest).
fn mvmap_with_other_fields(
    lf: LazyFrame,
    a: &(String, Scalar),
    source: &str,
    now: f64,
    tz: &str,
) -> Result<Option<LazyFrame>, Diagnostic> {
    let Scalar::Call { name, args, .. } = &a.1 else {
        return Ok(None);
    };
    let [Scalar::Field(field), body] = args.as_slice() else {
        return Ok(None);
    };
    if name != "mvmap" {
        return Ok(None);
    }
    let mut used = Vec::new();
    body.fields(&mut used);
    if used.iter().all(|f| f == field) {
        return Ok(None);
    }
    let mut lf = lf;
    let schema = lf
        .collect_schema()
        .map_err(|e| Diagnostic::new(format!("eval: {e}")))?;
    if !schema.contains(field) {
        return Ok(Some(lf.with_column(
            lit(NULL).cast(DataType::String).alias(a.0.as_str()),
        )));
    }
    if !matches!(schema.get(field), Some(DataType::List(_))) {
        // A single value: the expression over it is the result.
        let direct = (a.0.clone(), body.clone());
        return apply_scalars(lf, std::slice::from_ref(&direct), source, now, tz).map(Some);
    }
    const ROW: &str = "__spelunk_mvmap_row";
    const OUT: &str = "__spelunk_mvmap_out";
    lf = lf.with_row_index(ROW, None);
    // One row per value of the field, the other fields repeated.
    let per_value = lf
        .clone()
        .explode(
            polars::prelude::cols([field.as_str()]),
            polars::prelude::ExplodeOptions {
                empty_as_null: true,
                keep_nulls: false,
            },
        )
        .filter(col(field.as_str()).is_not_null());
    let inner = (OUT.to_string(), body.clone());
    let mut per_value = apply_scalars(per_value, std::slice::from_ref(&inner), source, now, tz)?;
    let out_type = per_value
        .collect_schema()
        .map_err(|e| Diagnostic::new(format!("eval: {e}")))?
        .get(OUT)
        .cloned()
        .unwrap_or(DataType::String);
    // Numbers as Splunk writes them (`10`, not `10.0`).
    let text = crate::frame::text_expr(col(OUT), &out_type).alias(OUT);
    let gathered = per_value
        .select([col(ROW), text])
        .filter(col(OUT).is_not_null())
        .group_by_stable([col(ROW)])
        .agg([col(OUT)]);
    let joined = lf
        .join(
            gathered,
            [col(ROW)],
            [col(ROW)],
            polars::prelude::JoinArgs::new(polars::prelude::JoinType::Left),
        )
        .sort([ROW], Default::default())
        .with_column(col(OUT).alias(a.0.as_str()))
        .drop(polars::prelude::cols([ROW, OUT]));
    Ok(Some(joined))
}

/// A compiled expression with its static kind and, for constants, its value.
#[derive(Clone)]
pub(crate) struct Typed {
    pub expr: Expr,
    pub kind: Kind,
    /// The value when the expression is a constant (literals, `now()`, folded functions).
    pub konst: Option<Value>,
}

impl Typed {
    pub(crate) fn new(expr: Expr, kind: Kind) -> Typed {
        Typed {
            expr,
            kind,
            konst: None,
        }
    }

    pub(crate) fn null() -> Typed {
        Typed {
            expr: lit(NULL),
            kind: Kind::Null,
            konst: Some(Value::Null),
        }
    }

    /// A constant of `kind` (multivalue constants are not folded: `None`).
    pub(crate) fn constant(v: Value, kind: Kind) -> Option<Typed> {
        let expr = match (&v, kind) {
            (Value::Null, _) => return Some(Typed::null()),
            (_, Kind::Multi) => return None,
            (_, Kind::Null) => return Some(Typed::null()),
            (v, Kind::Int) => match v.as_num() {
                Some(x) => lit(x as i64),
                None => return Some(Typed::null()),
            },
            (v, Kind::Float) => match v.as_num() {
                Some(x) => lit(x),
                None => return Some(Typed::null()),
            },
            (Value::Bool(b), Kind::Bool) => lit(*b),
            (_, Kind::Bool) => return Some(Typed::null()),
            (v, Kind::Str) => match v.as_str() {
                Some(s) => lit(s.into_owned()),
                None => return Some(Typed::null()),
            },
        };
        let konst = match (kind, &v) {
            (Kind::Str, v) => v.as_str().map(|s| Value::Str(s.into_owned())),
            (Kind::Int | Kind::Float, v) => v.as_num().map(Value::Num),
            _ => Some(v.clone()),
        };
        Some(Typed { expr, kind, konst })
    }

    pub(crate) fn konst_str(&self) -> Option<String> {
        self.konst
            .as_ref()
            .and_then(|v| v.as_str().map(|s| s.into_owned()))
    }
}

/// Compiles eval expressions against one schema.
pub(crate) struct Compiler<'a> {
    pub ctx: &'a EvalContext<'a>,
    pub tz: Tz,
    /// Inside `mvfilter`/`mvmap`: the field that stands for the current value.
    pub elem: Option<String>,
}

impl<'a> Compiler<'a> {
    pub(crate) fn new(ctx: &'a EvalContext<'a>) -> Result<Compiler<'a>, Diagnostic> {
        let tz = parse_tz(ctx.tz)
            .ok_or_else(|| Diagnostic::new(format!("unknown time zone `{}`", ctx.tz)))?;
        Ok(Compiler {
            ctx,
            tz,
            elem: None,
        })
    }

    /// The same compiler with `field` standing for the element of a multivalue.
    pub(crate) fn for_element(&self, field: &str) -> Compiler<'a> {
        Compiler {
            ctx: self.ctx,
            tz: self.tz,
            elem: Some(field.to_string()),
        }
    }

    fn finish(&self, t: Typed) -> Expr {
        match t.kind {
            Kind::Null => lit(NULL).cast(DataType::String),
            _ => t.expr,
        }
    }

    /// Compile one expression.
    pub(crate) fn expr(&self, e: &Scalar) -> Result<Typed, Diagnostic> {
        match e {
            Scalar::Field(name) => Ok(self.field(name)),
            Scalar::Str(s) => Ok(Typed {
                expr: lit(s.clone()),
                kind: Kind::Str,
                konst: Some(Value::Str(s.clone())),
            }),
            Scalar::Num { value, text } => {
                let integral =
                    !text.contains(['.', 'e', 'E']) && value.fract() == 0.0 && value.abs() < 9e15;
                let kind = if integral { Kind::Int } else { Kind::Float };
                Ok(Typed::constant(Value::Num(*value), kind).unwrap_or_else(Typed::null))
            }
            Scalar::Neg(inner) => {
                let t = self.expr(inner)?;
                let kind = if t.kind == Kind::Int {
                    Kind::Int
                } else {
                    Kind::Float
                };
                if let Some(v) = &t.konst {
                    if let Some(c) = Typed::constant(
                        v.as_num().map(|x| Value::Num(-x)).unwrap_or(Value::Null),
                        kind,
                    ) {
                        return Ok(c);
                    }
                }
                let n = self.to_num(&t);
                Ok(Typed::new(lit(0i64) - n, kind))
            }
            Scalar::Not(inner) => Ok(Typed::new(self.predicate(inner)?.not(), Kind::Bool)),
            Scalar::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs),
            Scalar::In { expr, list } => {
                let x = self.expr(expr)?;
                let mut acc: Option<Expr> = None;
                for item in list {
                    let y = self.expr(item)?;
                    let c = self.compare(BinOp::Eq, &x, &y).fill_null(false);
                    acc = Some(match acc {
                        None => c,
                        Some(a) => a.or(c),
                    });
                }
                let any = acc.unwrap_or(lit(false));
                // `x IN (...)` with x null is null (false in a `where`).
                Ok(Typed::new(
                    when(self.is_null(&x))
                        .then(lit(NULL).cast(DataType::Boolean))
                        .otherwise(any),
                    Kind::Bool,
                ))
            }
            Scalar::Call { name, args, span } => functions::call(self, name, args, *span),
        }
    }

    /// A field reference: the column, or null when the results have no such field.
    fn field(&self, name: &str) -> Typed {
        if self.elem.as_deref() == Some(name) {
            return Typed::new(element(), Kind::Str);
        }
        match self.ctx.schema.get(name) {
            None => Typed::null(),
            Some(dtype) => {
                let kind = Kind::of_dtype(dtype);
                let c = col(name);
                let expr = match (kind, dtype) {
                    (Kind::Multi, DataType::List(inner)) if **inner != DataType::String => {
                        c.cast(Kind::Multi.dtype())
                    }
                    (Kind::Str, d) if *d != DataType::String => c.cast(DataType::String),
                    (Kind::Null, _) => lit(NULL),
                    _ => c,
                };
                Typed::new(expr, kind)
            }
        }
    }

    /// A condition: Boolean, null read as false.
    pub(crate) fn predicate(&self, e: &Scalar) -> Result<Expr, Diagnostic> {
        let t = self.expr(e)?;
        Ok(self.truth(&t))
    }

    /// The truth of a compiled value (see [`compile_predicate`]).
    pub(crate) fn truth(&self, t: &Typed) -> Expr {
        match t.kind {
            Kind::Bool => t.expr.clone().fill_null(false),
            Kind::Null | Kind::Multi => lit(false),
            Kind::Int | Kind::Float => t.expr.clone().neq(lit(0i64)).fill_null(false),
            Kind::Str => t
                .expr
                .clone()
                .str()
                .to_lowercase()
                .eq(lit("true"))
                .fill_null(false),
        }
    }

    pub(crate) fn is_null(&self, t: &Typed) -> Expr {
        match t.kind {
            Kind::Null => lit(true),
            _ => t.expr.clone().is_null(),
        }
    }

    /// The value as a number (`Float64`, or `Int64` for integers); null when it is not one.
    pub(crate) fn to_num(&self, t: &Typed) -> Expr {
        match t.kind {
            Kind::Int | Kind::Float => t.expr.clone(),
            Kind::Str => match &t.konst {
                Some(v) => match v.as_num() {
                    Some(x) => lit(x),
                    None => lit(NULL).cast(DataType::Float64),
                },
                None => t.expr.clone().cast(DataType::Float64),
            },
            Kind::Bool | Kind::Null => lit(NULL).cast(DataType::Float64),
            Kind::Multi => {
                functions::rowwise(std::slice::from_ref(t), Kind::Float, |v| {
                    v[0].as_num().map(Value::Num).unwrap_or(Value::Null)
                })
                .expr
            }
        }
    }

    /// The value as text (numbers rendered the Splunk way; a multivalue gives its first value).
    pub(crate) fn to_str(&self, t: &Typed) -> Expr {
        match t.kind {
            Kind::Str => t.expr.clone(),
            Kind::Int => t.expr.clone().cast(DataType::String),
            Kind::Float => {
                let x = t.expr.clone();
                let as_int = x.clone().cast(DataType::Int64);
                when(as_int.clone().cast(DataType::Float64).eq(x.clone()))
                    .then(as_int.cast(DataType::String))
                    .otherwise(x.cast(DataType::String))
            }
            Kind::Bool => when(t.expr.clone())
                .then(lit("true"))
                .otherwise(lit("false")),
            Kind::Null => lit(NULL).cast(DataType::String),
            Kind::Multi => {
                functions::rowwise(std::slice::from_ref(t), Kind::Str, |v| {
                    v[0].as_str()
                        .map(|s| Value::Str(s.into_owned()))
                        .unwrap_or(Value::Null)
                })
                .expr
            }
        }
    }

    /// The value as a multivalue (`List(String)`): a single value is a one-value list.
    pub(crate) fn to_multi(&self, t: &Typed) -> Expr {
        match t.kind {
            Kind::Multi => t.expr.clone(),
            Kind::Null => lit(NULL).cast(Kind::Multi.dtype()),
            _ => {
                functions::rowwise(std::slice::from_ref(t), Kind::Multi, |v| {
                    Value::multi(v[0].values())
                })
                .expr
            }
        }
    }

    /// Convert to `kind` (see [`unify`]).
    pub(crate) fn convert(&self, t: &Typed, kind: Kind) -> Expr {
        if t.kind == kind {
            return t.expr.clone();
        }
        match kind {
            Kind::Int | Kind::Float => self.to_num(t).cast(kind.dtype()),
            Kind::Str => self.to_str(t),
            Kind::Multi => self.to_multi(t),
            Kind::Bool => match t.kind {
                Kind::Null => lit(NULL).cast(DataType::Boolean),
                _ => self.truth(t),
            },
            Kind::Null => lit(NULL),
        }
    }

    fn binary(&self, op: BinOp, lhs: &Scalar, rhs: &Scalar) -> Result<Typed, Diagnostic> {
        match op {
            BinOp::And | BinOp::Or | BinOp::Xor => {
                let (l, r) = (self.predicate(lhs)?, self.predicate(rhs)?);
                let e = match op {
                    BinOp::And => l.and(r),
                    BinOp::Or => l.or(r),
                    _ => l.xor(r),
                };
                return Ok(Typed::new(e, Kind::Bool));
            }
            _ => {}
        }
        let (l, r) = (self.expr(lhs)?, self.expr(rhs)?);
        Ok(match op {
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                Typed::new(self.compare(op, &l, &r), Kind::Bool)
            }
            BinOp::Like => functions::like(self, &l, &r, None)?,
            BinOp::Concat => self.concat(&l, &r),
            BinOp::Add => self.add(&l, &r),
            _ => self.arith(op, &l, &r),
        })
    }

    /// `.`: concatenate as text; null if either side is null.
    fn concat(&self, l: &Typed, r: &Typed) -> Typed {
        if l.kind == Kind::Null || r.kind == Kind::Null {
            return Typed::null();
        }
        if let (Some(a), Some(b)) = (l.konst_str(), r.konst_str()) {
            return Typed::constant(Value::Str(a + &b), Kind::Str).unwrap_or_else(Typed::null);
        }
        Typed::new(self.to_str(l) + self.to_str(r), Kind::Str)
    }

    /// `+`: numbers add; two strings that are not both numbers concatenate.
    fn add(&self, l: &Typed, r: &Typed) -> Typed {
        if l.kind == Kind::Null || r.kind == Kind::Null {
            return Typed::null();
        }
        if l.kind == Kind::Str && r.kind == Kind::Str {
            let (ln, rn) = (self.to_num(l), self.to_num(r));
            let sum = Typed::new(ln.clone() + rn.clone(), Kind::Float);
            let e = when(ln.is_not_null().and(rn.is_not_null()))
                .then(self.to_str(&sum))
                .otherwise(l.expr.clone() + r.expr.clone());
            return Typed::new(e, Kind::Str);
        }
        self.arith(BinOp::Add, l, r)
    }

    /// `-`, `*`, `/`, `%` (and `+` on numbers): numeric, null when either side is not a number;
    /// division or modulo by zero is null.
    fn arith(&self, op: BinOp, l: &Typed, r: &Typed) -> Typed {
        let kind = if l.kind == Kind::Int && r.kind == Kind::Int && op != BinOp::Div {
            Kind::Int
        } else {
            Kind::Float
        };
        if let (Some(a), Some(b)) = (&l.konst, &r.konst) {
            let v = match (a.as_num(), b.as_num()) {
                (Some(x), Some(y)) => match op {
                    BinOp::Add => Value::Num(x + y),
                    BinOp::Sub => Value::Num(x - y),
                    BinOp::Mul => Value::Num(x * y),
                    BinOp::Div if y != 0.0 => Value::Num(x / y),
                    BinOp::Mod if y != 0.0 => Value::Num(x % y),
                    _ => Value::Null,
                },
                _ => Value::Null,
            };
            if let Some(t) = Typed::constant(v, kind) {
                return t;
            }
        }
        let (a, b) = (self.to_num(l), self.to_num(r));
        let (a, b) = if kind == Kind::Float {
            (a.cast(DataType::Float64), b.cast(DataType::Float64))
        } else {
            (a, b)
        };
        let e = match op {
            BinOp::Add => a + b,
            BinOp::Sub => a - b,
            BinOp::Mul => a * b,
            BinOp::Div | BinOp::Mod => {
                let q = if op == BinOp::Div {
                    a / b.clone()
                } else {
                    // Remainder with the sign of the dividend (C's fmod, as Splunk).
                    let a = a.cast(DataType::Float64);
                    let bf = b.clone().cast(DataType::Float64);
                    let q = (a.clone() / bf.clone())
                        .cast(DataType::Int64)
                        .cast(DataType::Float64);
                    let r = a - q * bf;
                    if kind == Kind::Int {
                        r.cast(DataType::Int64)
                    } else {
                        r
                    }
                };
                when(b.eq(lit(0i64)))
                    .then(lit(NULL).cast(kind.dtype()))
                    .otherwise(q)
            }
            _ => lit(NULL).cast(kind.dtype()),
        };
        Typed::new(e, kind)
    }

    /// A comparison with Splunk's dynamic typing (see the module doc). Null when either side is
    /// null.
    pub(crate) fn compare(&self, op: BinOp, l: &Typed, r: &Typed) -> Expr {
        let null = || lit(NULL).cast(DataType::Boolean);
        if l.kind == Kind::Null || r.kind == Kind::Null {
            return null();
        }
        if let (Some(a), Some(b)) = (&l.konst, &r.konst) {
            return match super::value::compare(a, b) {
                None => null(),
                Some(o) => lit(holds(op, o)),
            };
        }
        if l.kind == Kind::Multi || r.kind == Kind::Multi {
            return functions::rowwise(&[l.clone(), r.clone()], Kind::Bool, move |v| {
                if v[0].is_null() || v[1].is_null() {
                    return Value::Null;
                }
                let (a, b) = (v[0].values(), v[1].values());
                let any = a.iter().any(|x| {
                    b.iter().any(|y| {
                        super::value::compare(&Value::Str(x.clone()), &Value::Str(y.clone()))
                            .is_some_and(|o| holds(op, o))
                    })
                });
                Value::Bool(any)
            })
            .expr;
        }
        if l.kind == Kind::Bool || r.kind == Kind::Bool {
            if l.kind == r.kind {
                return cmp(op, l.expr.clone(), r.expr.clone());
            }
            return cmp(op, self.to_str(l), self.to_str(r));
        }
        if l.kind.is_num() && r.kind.is_num() {
            return cmp(op, l.expr.clone(), r.expr.clone());
        }
        // At least one side is a string. A constant side settles its own type.
        let num_side = |t: &Typed| -> Option<bool> {
            if t.kind.is_num() {
                return Some(true);
            }
            t.konst.as_ref().map(|v| v.as_num().is_some())
        };
        match (num_side(l), num_side(r)) {
            (Some(false), _) | (_, Some(false)) => {
                // One side is text that is not a number: compare as text.
                cmp(op, self.to_str(l), self.to_str(r))
            }
            (Some(true), Some(true)) => cmp(op, self.to_num(l), self.to_num(r)),
            (Some(true), None) => {
                let rn = self.to_num(r);
                when(rn.clone().is_not_null())
                    .then(cmp(op, self.to_num(l), rn))
                    .otherwise(cmp(op, self.to_str(l), r.expr.clone()))
            }
            (None, Some(true)) => {
                let ln = self.to_num(l);
                when(ln.clone().is_not_null())
                    .then(cmp(op, ln, self.to_num(r)))
                    .otherwise(cmp(op, l.expr.clone(), self.to_str(r)))
            }
            (None, None) => {
                let (ln, rn) = (self.to_num(l), self.to_num(r));
                when(ln.clone().is_not_null().and(rn.clone().is_not_null()))
                    .then(cmp(op, ln, rn))
                    .otherwise(cmp(op, l.expr.clone(), r.expr.clone()))
            }
        }
    }
}

/// The result kind of values that meet in `if`/`case`/`coalesce`: nulls do not count; one
/// kind stays; integers with floats are floats; a multivalue makes everything multivalue;
/// otherwise mixed values become strings.
pub(crate) fn unify(kinds: &[Kind]) -> Kind {
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

/// Whether `op` holds for an ordering.
pub(crate) fn holds(op: BinOp, o: Ordering) -> bool {
    match op {
        BinOp::Eq => o == Ordering::Equal,
        BinOp::Ne => o != Ordering::Equal,
        BinOp::Lt => o == Ordering::Less,
        BinOp::Le => o != Ordering::Greater,
        BinOp::Gt => o == Ordering::Greater,
        BinOp::Ge => o != Ordering::Less,
        _ => false,
    }
}

fn cmp(op: BinOp, a: Expr, b: Expr) -> Expr {
    match op {
        BinOp::Eq => a.eq(b),
        BinOp::Ne => a.neq(b),
        BinOp::Lt => a.lt(b),
        BinOp::Le => a.lt_eq(b),
        BinOp::Gt => a.gt(b),
        BinOp::Ge => a.gt_eq(b),
        _ => lit(NULL).cast(DataType::Boolean),
    }
}

/// Run a row function over columns (used by [`functions::rowwise`]): columns of length 1 are
/// broadcast.
pub(crate) fn run_rows(
    cols: &[Column],
    out: Kind,
    f: &(dyn Fn(&[Value]) -> Value + Send + Sync),
) -> PolarsResult<Column> {
    let name = cols.first().map(|c| c.name().clone()).unwrap_or_default();
    let n = if cols.iter().any(|c| c.is_empty()) {
        0
    } else {
        cols.iter().map(|c| c.len()).max().unwrap_or(0)
    };
    let readers = cols
        .iter()
        .map(|c| Ok((Reader::new(c)?, c.len() == 1)))
        .collect::<PolarsResult<Vec<_>>>()?;
    let mut row = Vec::with_capacity(readers.len());
    let mut vals = Vec::with_capacity(n);
    for i in 0..n {
        row.clear();
        for (r, single) in &readers {
            row.push(r.get(if *single { 0 } else { i }));
        }
        vals.push(f(&row));
    }
    build_column(name, vals, out)
}

/// Whether text is a number by Splunk's reading (re-exported for the engine).
pub fn looks_numeric(s: &str) -> bool {
    parse_num(s).is_some()
}

//! The eval function library (Splunk Search Reference, "Evaluation functions").
//!
//! Functions run natively in polars where a native operation has the same meaning (the common
//! cases: `if`, `case`, `coalesce`, `isnull`/`isnotnull`, `match`/`like`/`replace` with a
//! literal pattern, `lower`/`upper`/`trim`, `split`, `mvcount`, `len`); the others run row by row
//! over [`Value`]s ([`rowwise`]). A row function whose arguments are all constants is evaluated
//! once, at compile time (`relative_time(now(), "-70m@m")` is a constant).
//!
//! Functions that take text accept a multivalue too: `lower`, `upper`, `trim`, `ltrim`,
//! `rtrim`, `replace` and `urldecode` apply to each value; `match` and `like` are true if any
//! value matches; the others read the first value.
//!
//! Unknown functions, `searchmatch` (compiled by the search-language compiler) and wrong
//! argument counts are errors positioned at the call.

use super::eval::{holds, run_rows, unify, Compiler, Typed};
use super::time;
use super::value::{compare, parse_num, render_num, Kind, Value};
use crate::diagnostic::{Diagnostic, Span};
use crate::plan::Scalar;
use crate::syntax::ast::BinOp;
use polars::prelude::*;
use regex::Regex;
use std::cmp::Ordering;
use std::sync::Arc;

/// A function of one row's argument values.
type RowFn = dyn Fn(&[Value]) -> Value + Send + Sync;

/// Run `f` row by row over the arguments, producing a column of kind `out`. All-constant
/// arguments are folded into a constant.
pub(crate) fn rowwise(
    args: &[Typed],
    out: Kind,
    f: impl Fn(&[Value]) -> Value + Send + Sync + 'static,
) -> Typed {
    if args.iter().all(|a| a.konst.is_some()) {
        let vals: Vec<Value> = args
            .iter()
            .map(|a| a.konst.clone().unwrap_or(Value::Null))
            .collect();
        if let Some(t) = Typed::constant(f(&vals), out) {
            return t;
        }
    }
    let exprs: Vec<Expr> = args.iter().map(|a| a.expr.clone()).collect();
    let Some((first, rest)) = exprs.split_first() else {
        return Typed::null();
    };
    let f: Arc<RowFn> = Arc::new(f);
    let dtype = out.dtype();
    let e = first.clone().map_many(
        move |cols: &mut [Column]| run_rows(cols, out, &*f),
        rest,
        move |_, fields: &[Field]| {
            let name = fields.first().map(|f| f.name().clone()).unwrap_or_default();
            Ok(Field::new(name, dtype.clone()))
        },
    );
    Typed::new(e, out)
}

/// Apply a text function to each value of a single value or a multivalue.
fn map_text(t: &Typed, f: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Typed {
    let out = if t.kind == Kind::Multi {
        Kind::Multi
    } else {
        Kind::Str
    };
    rowwise(std::slice::from_ref(t), out, move |v| match &v[0] {
        Value::Null => Value::Null,
        Value::Multi(vals) => Value::multi(vals.iter().filter_map(|s| f(s)).collect()),
        other => other
            .as_str()
            .and_then(|s| f(&s))
            .map(Value::Str)
            .unwrap_or(Value::Null),
    })
}

/// Apply a numeric function; non-numbers and non-finite results are null.
fn map_num(t: &Typed, out: Kind, f: impl Fn(f64) -> f64 + Send + Sync + 'static) -> Typed {
    rowwise(std::slice::from_ref(t), out, move |v| {
        v[0].as_num()
            .map(&f)
            .filter(|x| x.is_finite())
            .map(Value::Num)
            .unwrap_or(Value::Null)
    })
}

/// Whether a native string operation applies (a non-constant single value).
fn native(t: &Typed) -> bool {
    t.konst.is_none() && !matches!(t.kind, Kind::Multi | Kind::Null)
}

/// PCRE reads a `{` that does not start a quantifier (`{2}`, `{1,}`, `{1,3}`) as a literal
/// brace (security_content writes `({|%7b)`); the regex crate rejects it. Escape such braces.
pub fn pcre_braces(pat: &str) -> String {
    let chars: Vec<char> = pat.chars().collect();
    let mut out = String::with_capacity(pat.len() + 4);
    let (mut i, mut class) = (0, false);
    while i < chars.len() {
        let ch = chars[i];
        match ch {
            '\\' => {
                out.push(ch);
                if let Some(&n) = chars.get(i + 1) {
                    out.push(n);
                }
                i += 2;
                continue;
            }
            '[' if !class => class = true,
            ']' if class => class = false,
            '{' if !class => {
                let rest: String = chars[i + 1..].iter().collect();
                let q = rest.find('}').map(|end| &rest[..end]);
                let is_quant = q.is_some_and(|q| {
                    let (a, b) = q.split_once(',').unwrap_or((q, ""));
                    !a.is_empty()
                        && a.chars().all(|c| c.is_ascii_digit())
                        && b.chars().all(|c| c.is_ascii_digit())
                });
                if let (true, Some(q)) = (is_quant, q) {
                    out.push('{');
                    out.push_str(q);
                    out.push('}');
                    i += q.chars().count() + 2;
                    continue;
                }
                out.push_str("\\{");
                i += 1;
                continue;
            }
            '}' if !class => {
                out.push_str("\\}");
                i += 1;
                continue;
            }
            _ => {}
        }
        out.push(ch);
        i += 1;
    }
    out
}

/// A constant pattern Rust's linear-time engine cannot read (look-around, back-references):
/// compiled with `fancy-regex` instead, or the linear engine's error.
fn compile_fancy(
    c: &Compiler,
    pat: &str,
    func: &str,
    span: Span,
) -> Result<fancy_regex::Regex, Diagnostic> {
    let linear_error = compile_regex(c, pat, func, span).err();
    fancy_regex::Regex::new(&pcre_braces(pat)).map_err(|_| {
        linear_error.unwrap_or_else(|| {
            Diagnostic::new(format!("invalid regular expression in `{func}`: {pat}"))
                .at(c.ctx.source, span)
        })
    })
}

fn compile_regex(c: &Compiler, pat: &str, func: &str, span: Span) -> Result<Regex, Diagnostic> {
    Regex::new(&pcre_braces(pat)).map_err(|e| {
        Diagnostic::new(format!("invalid regular expression in `{func}`: {pat}"))
            .at(c.ctx.source, span)
            .note(e.to_string())
    })
}

/// The regex of a SQL `LIKE` pattern: `%` any run of characters, `_` one character, anything
/// else literal; the whole value must match. Case-sensitive, as Splunk's `like` (Search
/// Reference, Comparison and Conditional functions: `like(<str>, <pattern>)` follows SQL LIKE;
/// the case-insensitive match is the search language's, not eval's).
pub fn like_regex(pattern: &str) -> String {
    let mut re = String::from("(?s)^");
    for ch in pattern.chars() {
        match ch {
            '%' => re.push_str(".*"),
            '_' => re.push('.'),
            c => re.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
        }
    }
    re.push('$');
    re
}

/// Splunk's replacement text to the regex crate's: `\1` → `${1}`, `\\` → `\`, `$` → `$$`.
pub fn convert_replacement(repl: &str) -> String {
    let mut out = String::with_capacity(repl.len() + 4);
    let mut chars = repl.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek().copied() {
                Some(d) if d.is_ascii_digit() => {
                    chars.next();
                    out.push_str(&format!("${{{d}}}"));
                }
                Some('\\') => {
                    chars.next();
                    out.push('\\');
                }
                _ => out.push('\\'),
            },
            '$' => out.push_str("$$"),
            c => out.push(c),
        }
    }
    out
}

/// `like(x, pattern)` and `x LIKE pattern`.
pub(crate) fn like(
    c: &Compiler,
    s: &Typed,
    p: &Typed,
    span: Option<Span>,
) -> Result<Typed, Diagnostic> {
    let _ = span;
    if let Some(pat) = p.konst_str() {
        let re = like_regex(&pat);
        if native(s) {
            return Ok(Typed::new(
                c.to_str(s).str().contains(lit(re), true),
                Kind::Bool,
            ));
        }
        let re = Regex::new(&re).map_err(|e| Diagnostic::new(e.to_string()))?;
        return Ok(rowwise(std::slice::from_ref(s), Kind::Bool, move |v| {
            any_value(&v[0], |x| re.is_match(x))
        }));
    }
    Ok(rowwise(&[s.clone(), p.clone()], Kind::Bool, |v| {
        let Some(pat) = v[1].as_str() else {
            return Value::Null;
        };
        match Regex::new(&like_regex(&pat)) {
            Ok(re) => any_value(&v[0], |x| re.is_match(x)),
            Err(_) => Value::Null,
        }
    }))
}

/// True if any value of `v` satisfies `f`; null for null.
fn any_value(v: &Value, f: impl Fn(&str) -> bool) -> Value {
    match v {
        Value::Null => Value::Null,
        v => Value::Bool(v.values().iter().any(|x| f(x))),
    }
}

fn num_kind(args: &[Typed]) -> Kind {
    if args.iter().all(|a| a.kind == Kind::Int) {
        Kind::Int
    } else {
        Kind::Float
    }
}

/// Compile a call of an eval function.
pub(crate) fn call(
    c: &Compiler,
    name: &str,
    args: &[Scalar],
    span: Span,
) -> Result<Typed, Diagnostic> {
    let n = args.len();
    let err = |msg: String| Diagnostic::new(msg).at(c.ctx.source, span);
    // Names and arity come from the function table: unknown, unsupported and wrong-arity calls
    // are reported there, the same way for every function.
    use crate::plan::functions::{check_call, FunctionClass};
    check_call(name, FunctionClass::Eval, n).map_err(|d| d.at(c.ctx.source, span))?;
    let want = |lo: usize, hi: usize| -> Result<(), Diagnostic> {
        if n < lo || n > hi {
            let expected = if lo == hi {
                format!("{lo}")
            } else if hi == usize::MAX {
                format!("at least {lo}")
            } else {
                format!("{lo} to {hi}")
            };
            Err(err(format!(
                "`{name}` takes {expected} argument{}, got {n}",
                if expected == "1" { "" } else { "s" }
            )))
        } else {
            Ok(())
        }
    };
    let compiled =
        || -> Result<Vec<Typed>, Diagnostic> { args.iter().map(|a| c.expr(a)).collect() };
    match name {
        "if" => {
            want(3, 3)?;
            let cond = c.predicate(&args[0])?;
            let (a, b) = (c.expr(&args[1])?, c.expr(&args[2])?);
            let kind = unify(&[a.kind, b.kind]);
            if kind == Kind::Null {
                return Ok(Typed::null());
            }
            Ok(Typed::new(
                when(cond)
                    .then(c.convert(&a, kind))
                    .otherwise(c.convert(&b, kind)),
                kind,
            ))
        }
        "case" => {
            if n < 2 || n % 2 != 0 {
                return Err(err(format!(
                    "`case` takes pairs of condition and value, got {n} arguments"
                )));
            }
            let mut pairs = Vec::new();
            for pair in args.chunks(2) {
                pairs.push((c.predicate(&pair[0])?, c.expr(&pair[1])?));
            }
            let kinds: Vec<Kind> = pairs.iter().map(|p| p.1.kind).collect();
            let kind = unify(&kinds);
            if kind == Kind::Null {
                return Ok(Typed::null());
            }
            let mut acc = lit(NULL).cast(kind.dtype());
            for (cond, v) in pairs.iter().rev() {
                acc = when(cond.clone()).then(c.convert(v, kind)).otherwise(acc);
            }
            Ok(Typed::new(acc, kind))
        }
        "coalesce" => {
            want(1, usize::MAX)?;
            let a: Vec<Typed> = compiled()?
                .into_iter()
                .filter(|t| t.kind != Kind::Null)
                .collect();
            let kinds: Vec<Kind> = a.iter().map(|t| t.kind).collect();
            let kind = unify(&kinds);
            if kind == Kind::Null {
                return Ok(Typed::null());
            }
            let exprs: Vec<Expr> = a.iter().map(|t| c.convert(t, kind)).collect();
            Ok(Typed::new(coalesce(&exprs), kind))
        }
        "nullif" => {
            want(2, 2)?;
            let a = compiled()?;
            let eq = c.compare(BinOp::Eq, &a[0], &a[1]).fill_null(false);
            if a[0].kind == Kind::Null {
                return Ok(Typed::null());
            }
            Ok(Typed::new(
                when(eq)
                    .then(lit(NULL).cast(a[0].kind.dtype()))
                    .otherwise(a[0].expr.clone()),
                a[0].kind,
            ))
        }
        "isnull" | "isnotnull" => {
            want(1, 1)?;
            let t = c.expr(&args[0])?;
            let is_null = c.is_null(&t);
            Ok(Typed::new(
                if name == "isnull" {
                    is_null
                } else {
                    is_null.not()
                },
                Kind::Bool,
            ))
        }
        "null" => {
            want(0, 0)?;
            Ok(Typed::null())
        }
        "true" | "false" => {
            want(0, 0)?;
            Ok(
                Typed::constant(Value::Bool(name == "true"), Kind::Bool)
                    .unwrap_or_else(Typed::null),
            )
        }
        "now" | "time" => {
            want(0, 0)?;
            let now = c.ctx.now;
            let kind = if now.fract() == 0.0 {
                Kind::Int
            } else {
                Kind::Float
            };
            Ok(Typed::constant(Value::Num(now), kind).unwrap_or_else(Typed::null))
        }
        "exact" => {
            want(1, 1)?;
            c.expr(&args[0])
        }
        "match" => {
            want(2, 2)?;
            let a = compiled()?;
            if let Some(pat) = a[1].konst_str() {
                let Ok(re) = compile_regex(c, &pat, name, span) else {
                    let re = compile_fancy(c, &pat, name, span)?;
                    // Texts the pattern without look-arounds rejects need no backtracking.
                    let pre = crate::expr::pcre::relaxed(&pat);
                    return Ok(rowwise(&a[..1], Kind::Bool, move |v| {
                        any_value(&v[0], |x| {
                            pre.as_ref().is_none_or(|p| p.is_match(x))
                                && re.is_match(x).unwrap_or(false)
                        })
                    }));
                };
                if native(&a[0]) {
                    return Ok(Typed::new(
                        c.to_str(&a[0])
                            .str()
                            .contains(lit(re.as_str().to_string()), true),
                        Kind::Bool,
                    ));
                }
                return Ok(rowwise(&a[..1], Kind::Bool, move |v| {
                    any_value(&v[0], |x| re.is_match(x))
                }));
            }
            Ok(rowwise(&a, Kind::Bool, |v| {
                let Some(pat) = v[1].as_str() else {
                    return Value::Null;
                };
                match Regex::new(&pcre_braces(&pat)) {
                    Ok(re) => any_value(&v[0], |x| re.is_match(x)),
                    Err(_) => Value::Null,
                }
            }))
        }
        "like" => {
            want(2, 2)?;
            let a = compiled()?;
            like(c, &a[0], &a[1], Some(span))
        }
        "replace" => {
            want(3, 3)?;
            let a = compiled()?;
            if let (Some(pat), Some(repl)) = (a[1].konst_str(), a[2].konst_str()) {
                let Ok(re) = compile_regex(c, &pat, name, span) else {
                    let re = compile_fancy(c, &pat, name, span)?;
                    let repl = convert_replacement(&repl);
                    return Ok(map_text(&a[0], move |s| {
                        Some(re.replace_all(s, repl.as_str()).into_owned())
                    }));
                };
                let repl = convert_replacement(&repl);
                if native(&a[0]) {
                    return Ok(Typed::new(
                        c.to_str(&a[0]).str().replace_all(
                            lit(re.as_str().to_string()),
                            lit(repl),
                            false,
                        ),
                        Kind::Str,
                    ));
                }
                return Ok(map_text(&a[0], move |s| {
                    Some(re.replace_all(s, repl.as_str()).into_owned())
                }));
            }
            let out = if a[0].kind == Kind::Multi {
                Kind::Multi
            } else {
                Kind::Str
            };
            Ok(rowwise(&a, out, |v| {
                let (Some(pat), Some(repl)) = (v[1].as_str(), v[2].as_str()) else {
                    return Value::Null;
                };
                let Ok(re) = Regex::new(&pcre_braces(&pat)) else {
                    return Value::Null;
                };
                let repl = convert_replacement(&repl);
                match &v[0] {
                    Value::Null => Value::Null,
                    Value::Multi(vals) => Value::multi(
                        vals.iter()
                            .map(|s| re.replace_all(s, repl.as_str()).into_owned())
                            .collect(),
                    ),
                    other => other
                        .as_str()
                        .map(|s| Value::Str(re.replace_all(&s, repl.as_str()).into_owned()))
                        .unwrap_or(Value::Null),
                }
            }))
        }
        "lower" | "upper" => {
            want(1, 1)?;
            let t = c.expr(&args[0])?;
            let upper = name == "upper";
            if native(&t) {
                let s = c.to_str(&t).str();
                return Ok(Typed::new(
                    if upper {
                        s.to_uppercase()
                    } else {
                        s.to_lowercase()
                    },
                    Kind::Str,
                ));
            }
            Ok(map_text(&t, move |s| {
                Some(if upper {
                    s.to_uppercase()
                } else {
                    s.to_lowercase()
                })
            }))
        }
        "trim" | "ltrim" | "rtrim" => {
            want(1, 2)?;
            let a = compiled()?;
            let chars = if n == 2 {
                match a[1].konst_str() {
                    Some(s) => s,
                    None => {
                        return Err(err(format!(
                            "`{name}`: the characters to trim must be a literal string"
                        )))
                    }
                }
            } else {
                " \t".to_string()
            };
            if native(&a[0]) {
                let s = c.to_str(&a[0]).str();
                let chars_lit = lit(chars);
                return Ok(Typed::new(
                    match name {
                        "trim" => s.strip_chars(chars_lit),
                        "ltrim" => s.strip_chars_start(chars_lit),
                        _ => s.strip_chars_end(chars_lit),
                    },
                    Kind::Str,
                ));
            }
            let set: Vec<char> = chars.chars().collect();
            let which = name.to_string();
            Ok(map_text(&a[0], move |s| {
                let p = |ch: char| set.contains(&ch);
                Some(
                    match which.as_str() {
                        "trim" => s.trim_matches(p),
                        "ltrim" => s.trim_start_matches(p),
                        _ => s.trim_end_matches(p),
                    }
                    .to_string(),
                )
            }))
        }
        "len" => {
            want(1, 1)?;
            let t = c.expr(&args[0])?;
            if native(&t) {
                return Ok(Typed::new(
                    c.to_str(&t).str().len_chars().cast(DataType::Int64),
                    Kind::Int,
                ));
            }
            Ok(rowwise(&[t], Kind::Int, |v| {
                v[0].as_str()
                    .map(|s| Value::Num(s.chars().count() as f64))
                    .unwrap_or(Value::Null)
            }))
        }
        "split" => {
            want(2, 2)?;
            let a = compiled()?;
            if let Some(sep) = a[1].konst_str() {
                if native(&a[0]) && !sep.is_empty() {
                    return Ok(Typed::new(
                        c.to_str(&a[0]).str().split(lit(sep)),
                        Kind::Multi,
                    ));
                }
            }
            Ok(rowwise(&a, Kind::Multi, |v| {
                let (Some(s), Some(sep)) = (v[0].as_str(), v[1].as_str()) else {
                    return Value::Null;
                };
                if sep.is_empty() {
                    Value::multi(s.chars().map(String::from).collect())
                } else {
                    Value::multi(s.split(sep.as_ref()).map(String::from).collect())
                }
            }))
        }
        "mvcount" => {
            want(1, 1)?;
            let t = c.expr(&args[0])?;
            Ok(match t.kind {
                Kind::Null => Typed::null(),
                Kind::Multi => {
                    let len = t.expr.clone().list().len().cast(DataType::Int64);
                    Typed::new(
                        when(len.clone().eq(lit(0i64)))
                            .then(lit(NULL).cast(DataType::Int64))
                            .otherwise(len),
                        Kind::Int,
                    )
                }
                _ => Typed::new(
                    when(t.expr.clone().is_null())
                        .then(lit(NULL).cast(DataType::Int64))
                        .otherwise(lit(1i64)),
                    Kind::Int,
                ),
            })
        }
        "mvindex" => {
            want(2, 3)?;
            let a = compiled()?;
            let out = if n == 3 { Kind::Multi } else { Kind::Str };
            Ok(rowwise(&a, out, |v| {
                let vals = v[0].values();
                let len = vals.len() as i64;
                let norm = |x: &Value| -> Option<i64> {
                    let i = x.as_num()?.trunc() as i64;
                    Some(if i < 0 { len + i } else { i })
                };
                let Some(start) = norm(&v[1]) else {
                    return Value::Null;
                };
                if start < 0 || start >= len {
                    return Value::Null;
                }
                match v.get(2) {
                    None => Value::Str(vals[start as usize].clone()),
                    Some(e) => {
                        let Some(end) = norm(e) else {
                            return Value::Null;
                        };
                        let end = end.min(len - 1);
                        if end < start {
                            return Value::Null;
                        }
                        Value::multi(vals[start as usize..=end as usize].to_vec())
                    }
                }
            }))
        }
        "mvappend" => {
            want(1, usize::MAX)?;
            let a = compiled()?;
            Ok(rowwise(&a, Kind::Multi, |v| {
                Value::multi(v.iter().flat_map(|x| x.values()).collect())
            }))
        }
        "mvjoin" => {
            want(2, 2)?;
            let a = compiled()?;
            Ok(rowwise(&a, Kind::Str, |v| {
                let Some(d) = v[1].as_str() else {
                    return Value::Null;
                };
                match &v[0] {
                    Value::Null => Value::Null,
                    x => Value::Str(x.values().join(&d)),
                }
            }))
        }
        "mvfind" => {
            want(2, 2)?;
            let a = compiled()?;
            let fixed = match a[1].konst_str() {
                Some(p) => Some(compile_regex(c, &p, name, span)?),
                None => None,
            };
            Ok(rowwise(&a, Kind::Int, move |v| {
                let re = match &fixed {
                    Some(r) => r.clone(),
                    None => match v[1].as_str().map(|p| Regex::new(&pcre_braces(&p))) {
                        Some(Ok(r)) => r,
                        _ => return Value::Null,
                    },
                };
                v[0].values()
                    .iter()
                    .position(|x| re.is_match(x))
                    .map(|i| Value::Num(i as f64))
                    .unwrap_or(Value::Null)
            }))
        }
        "mvdedup" => {
            want(1, 1)?;
            let a = compiled()?;
            Ok(rowwise(&a, Kind::Multi, |v| {
                let mut seen = std::collections::HashSet::new();
                Value::multi(
                    v[0].values()
                        .into_iter()
                        .filter(|x| seen.insert(x.clone()))
                        .collect(),
                )
            }))
        }
        "mvsort" => {
            want(1, 1)?;
            let a = compiled()?;
            Ok(rowwise(&a, Kind::Multi, |v| {
                let mut vals = v[0].values();
                vals.sort();
                Value::multi(vals)
            }))
        }
        "mvzip" => {
            want(2, 3)?;
            let a = compiled()?;
            Ok(rowwise(&a, Kind::Multi, |v| {
                if v[0].is_null() || v[1].is_null() {
                    return Value::Null;
                }
                let delim = match v.get(2) {
                    Some(d) => match d.as_str() {
                        Some(d) => d.into_owned(),
                        None => return Value::Null,
                    },
                    None => ",".to_string(),
                };
                let (x, y) = (v[0].values(), v[1].values());
                Value::multi(
                    x.iter()
                        .zip(y.iter())
                        .map(|(a, b)| format!("{a}{delim}{b}"))
                        .collect(),
                )
            }))
        }
        "mvfilter" => {
            want(1, 1)?;
            let mut fields = Vec::new();
            collect_fields(&args[0], &mut fields);
            fields.sort();
            fields.dedup();
            let [field] = fields.as_slice() else {
                return Err(err(format!(
                    "`mvfilter` needs an expression over exactly one field, found {}",
                    if fields.is_empty() {
                        "none".to_string()
                    } else {
                        fields.join(", ")
                    }
                )));
            };
            let mv = c.expr(&Scalar::Field(field.clone()))?;
            if mv.kind == Kind::Null {
                return Ok(Typed::null());
            }
            let pred = c.for_element(field).predicate(&args[0])?;
            let filtered = c.to_multi(&mv).list().eval(element().filter(pred));
            Ok(empty_list_is_null(filtered))
        }
        "mvmap" => {
            want(2, 2)?;
            let Scalar::Field(field) = &args[0] else {
                return Err(err("`mvmap` takes a field as its first argument".into()));
            };
            let mv = c.expr(&args[0])?;
            if mv.kind == Kind::Null {
                return Ok(Typed::null());
            }
            let mut used = Vec::new();
            collect_fields(&args[1], &mut used);
            if let Some(other) = used.iter().find(|f| *f != field) {
                return Err(err(format!(
                    "`mvmap` with another field (`{other}`) in its expression is not supported yet"
                )));
            }
            let inner = c.for_element(field);
            let body = inner.expr(&args[1])?;
            let mapped = c
                .to_multi(&mv)
                .list()
                .eval(inner.to_str(&body).drop_nulls());
            Ok(empty_list_is_null(mapped))
        }
        "min" | "max" => {
            want(1, usize::MAX)?;
            let a = compiled()?;
            let out = if a.iter().all(|t| t.kind.is_num()) {
                num_kind(&a)
            } else {
                Kind::Str
            };
            let want_max = name == "max";
            Ok(rowwise(&a, out, move |v| min_max(v, want_max)))
        }
        "abs" | "floor" | "ceil" | "ceiling" | "sqrt" | "exp" | "ln" => {
            want(1, 1)?;
            let t = c.expr(&args[0])?;
            let out = match name {
                "abs" => num_kind(std::slice::from_ref(&t)),
                "floor" | "ceil" | "ceiling" => Kind::Int,
                _ => Kind::Float,
            };
            let f: fn(f64) -> f64 = match name {
                "abs" => f64::abs,
                "floor" => f64::floor,
                "ceil" | "ceiling" => f64::ceil,
                "sqrt" => f64::sqrt,
                "exp" => f64::exp,
                _ => f64::ln,
            };
            Ok(map_num(&t, out, f))
        }
        "log" => {
            want(1, 2)?;
            let a = compiled()?;
            Ok(rowwise(&a, Kind::Float, |v| {
                let base = match v.get(1) {
                    Some(b) => b.as_num(),
                    None => Some(10.0),
                };
                match (v[0].as_num(), base) {
                    (Some(x), Some(10.0)) => Some(x.log10()),
                    (Some(x), Some(2.0)) => Some(x.log2()),
                    (Some(x), Some(b)) => Some(x.ln() / b.ln()),
                    _ => None,
                }
                .filter(|x| x.is_finite())
                .map(Value::Num)
                .unwrap_or(Value::Null)
            }))
        }
        "pow" => {
            want(2, 2)?;
            let a = compiled()?;
            Ok(rowwise(&a, Kind::Float, |v| {
                match (v[0].as_num(), v[1].as_num()) {
                    (Some(x), Some(y)) => Some(x.powf(y))
                        .filter(|r| r.is_finite())
                        .map(Value::Num)
                        .unwrap_or(Value::Null),
                    _ => Value::Null,
                }
            }))
        }
        "round" => {
            want(1, 2)?;
            let a = compiled()?;
            let out = if n == 1 { Kind::Int } else { Kind::Float };
            Ok(rowwise(&a, out, |v| {
                let Some(x) = v[0].as_num() else {
                    return Value::Null;
                };
                let d = match v.get(1) {
                    Some(d) => match d.as_num() {
                        Some(d) => d.trunc().clamp(0.0, 15.0) as i32,
                        None => return Value::Null,
                    },
                    None => 0,
                };
                let p = 10f64.powi(d);
                // Half away from zero, as Splunk (round(2.5) = 3).
                Value::Num((x * p).round() / p)
            }))
        }
        "tonumber" => {
            want(1, 2)?;
            let a = compiled()?;
            Ok(rowwise(&a, Kind::Float, |v| {
                let base = match v.get(1) {
                    Some(b) => match b.as_num() {
                        Some(b) if (2.0..=36.0).contains(&b) => b as u32,
                        _ => return Value::Null,
                    },
                    None => 10,
                };
                tonumber(&v[0], base).map(Value::Num).unwrap_or(Value::Null)
            }))
        }
        "tostring" => {
            want(1, 2)?;
            let a = compiled()?;
            Ok(rowwise(&a, Kind::Str, |v| {
                let fmt = match v.get(1) {
                    Some(f) => match f.as_str() {
                        Some(f) => Some(f.to_ascii_lowercase()),
                        None => return Value::Null,
                    },
                    None => None,
                };
                tostring(&v[0], fmt.as_deref())
                    .map(Value::Str)
                    .unwrap_or(Value::Null)
            }))
        }
        "isnum" | "isint" | "isstr" | "isbool" | "typeof" => {
            want(1, 1)?;
            let t = c.expr(&args[0])?;
            // A string literal is a string even when it looks like a number; a field's text
            // that looks like a number is a number (Splunk types extracted values).
            let literal = matches!(args[0], Scalar::Str(_));
            let which = name.to_string();
            let out = if name == "typeof" {
                Kind::Str
            } else {
                Kind::Bool
            };
            Ok(rowwise(&[t], out, move |v| {
                let ty = type_name(&v[0], literal);
                let x = &v[0];
                match which.as_str() {
                    "typeof" => Value::Str(ty.to_string()),
                    "isnum" => Value::Bool(ty == "Number"),
                    "isint" => {
                        Value::Bool(ty == "Number" && x.as_num().is_some_and(|n| n.fract() == 0.0))
                    }
                    "isstr" => Value::Bool(ty == "String"),
                    _ => Value::Bool(ty == "Boolean"),
                }
            }))
        }
        "urldecode" => {
            want(1, 1)?;
            let t = c.expr(&args[0])?;
            Ok(map_text(&t, |s| Some(urldecode(s))))
        }
        "substr" => {
            want(2, 3)?;
            let a = compiled()?;
            Ok(rowwise(&a, Kind::Str, |v| {
                let Some(s) = v[0].as_str() else {
                    return Value::Null;
                };
                let Some(start) = v[1].as_num() else {
                    return Value::Null;
                };
                let len = match v.get(2) {
                    Some(l) => match l.as_num() {
                        Some(l) => Some(l),
                        None => return Value::Null,
                    },
                    None => None,
                };
                substr(&s, start, len)
                    .map(Value::Str)
                    .unwrap_or(Value::Null)
            }))
        }
        "strftime" | "strptime" => {
            want(2, 2)?;
            let a = compiled()?;
            let tz = c.tz;
            let fixed = match a[1].konst_str() {
                Some(f) => Some(
                    time::format_items(&f)
                        .ok_or_else(|| err(format!("`{name}`: invalid time format \"{f}\"")))?,
                ),
                None => None,
            };
            let parse = name == "strptime";
            let out = if parse { Kind::Float } else { Kind::Str };
            Ok(rowwise(&a, out, move |v| {
                let items = match &fixed {
                    Some(i) => i.clone(),
                    None => match v[1].as_str().and_then(|f| time::format_items(&f)) {
                        Some(i) => i,
                        None => return Value::Null,
                    },
                };
                if parse {
                    v[0].as_str()
                        .and_then(|s| time::strptime(&s, &items, &tz))
                        .map(Value::Num)
                        .unwrap_or(Value::Null)
                } else {
                    v[0].as_num()
                        .and_then(|t| time::strftime(t, &items, &tz))
                        .map(Value::Str)
                        .unwrap_or(Value::Null)
                }
            }))
        }
        "relative_time" => {
            want(2, 2)?;
            let a = compiled()?;
            let tz = c.tz;
            Ok(rowwise(&a, Kind::Float, move |v| {
                match (v[0].as_num(), v[1].as_str()) {
                    (Some(t), Some(spec)) => time::relative_time(t, &spec, &tz)
                        .map(Value::Num)
                        .unwrap_or(Value::Null),
                    _ => Value::Null,
                }
            }))
        }
        "cidrmatch" => {
            want(2, 2)?;
            let a = compiled()?;
            Ok(rowwise(&a, Kind::Bool, |v| {
                let (Some(cidr), Some(_)) = (v[0].as_str(), v[1].as_str()) else {
                    return Value::Null;
                };
                any_value(&v[1], |ip| cidr_match(&cidr, ip))
            }))
        }
        "md5" | "sha1" | "sha256" | "sha512" => {
            want(1, 1)?;
            let t = c.expr(&args[0])?;
            let which = name.to_string();
            Ok(rowwise(&[t], Kind::Str, move |v| {
                v[0].as_str()
                    .map(|s| Value::Str(hash(&which, s.as_bytes())))
                    .unwrap_or(Value::Null)
            }))
        }
        "printf" => {
            want(1, usize::MAX)?;
            let a = compiled()?;
            Ok(rowwise(&a, Kind::Str, |v| match v[0].as_str() {
                Some(f) => Value::Str(printf(&f, &v[1..])),
                None => Value::Null,
            }))
        }
        "json_extract" | "spath" => {
            if name == "spath" {
                want(2, 2)?;
            } else {
                want(1, usize::MAX)?;
            }
            let a = compiled()?;
            let multi_path = a[1..]
                .iter()
                .any(|p| p.konst_str().is_none_or(|s| s.contains("{}")));
            let out = if n > 2 || multi_path {
                Kind::Multi
            } else {
                Kind::Str
            };
            Ok(rowwise(&a, out, |v| {
                let Some(text) = v[0].as_str() else {
                    return Value::Null;
                };
                let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
                    return Value::Null;
                };
                if v.len() == 1 {
                    return json_text(&json).map(Value::Str).unwrap_or(Value::Null);
                }
                let mut found = Vec::new();
                for p in &v[1..] {
                    if let Some(p) = p.as_str() {
                        json_path(&json, &p, &mut found);
                    }
                }
                match found.len() {
                    0 => Value::Null,
                    1 => Value::Str(found.remove(0)),
                    _ => Value::Multi(found),
                }
            }))
        }
        _ => Err(err(format!("unsupported eval function `{name}`"))),
    }
}

/// A multivalue with no values is null.
fn empty_list_is_null(e: Expr) -> Typed {
    Typed::new(
        when(e.clone().list().len().eq(lit(0)))
            .then(lit(NULL).cast(Kind::Multi.dtype()))
            .otherwise(e),
        Kind::Multi,
    )
}

pub(crate) fn collect_fields(e: &Scalar, out: &mut Vec<String>) {
    match e {
        Scalar::Field(f) => out.push(f.clone()),
        Scalar::Str(_) | Scalar::Num { .. } => {}
        Scalar::Call { args, .. } => args.iter().for_each(|a| collect_fields(a, out)),
        Scalar::Neg(x) | Scalar::Not(x) => collect_fields(x, out),
        Scalar::Binary { lhs, rhs, .. } => {
            collect_fields(lhs, out);
            collect_fields(rhs, out);
        }
        Scalar::In { expr, list } => {
            collect_fields(expr, out);
            list.iter().for_each(|a| collect_fields(a, out));
        }
    }
}

/// `min`/`max`: numbers compare numerically, strings lexicographically, and strings are
/// greater than numbers (Search Reference: `max(3, 7, "10", "abc")` is `abc`).
fn min_max(v: &[Value], want_max: bool) -> Value {
    let mut best: Option<Value> = None;
    for x in v.iter().flat_map(|x| match x {
        Value::Multi(vals) => vals.iter().map(|s| Value::Str(s.clone())).collect(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    }) {
        let x = match x.as_num() {
            Some(n) => Value::Num(n),
            None => x,
        };
        let rank = |v: &Value| matches!(v, Value::Num(_));
        best = Some(match best {
            None => x,
            Some(b) => {
                let o = match (rank(&x), rank(&b)) {
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    _ => compare(&x, &b).unwrap_or(Ordering::Equal),
                };
                if (want_max && o == Ordering::Greater) || (!want_max && o == Ordering::Less) {
                    x
                } else {
                    b
                }
            }
        });
    }
    best.unwrap_or(Value::Null)
}

fn type_name(v: &Value, literal: bool) -> &'static str {
    match v {
        Value::Null => "Invalid",
        Value::Num(_) => "Number",
        Value::Bool(_) => "Boolean",
        Value::Multi(_) => "Multivalue",
        Value::Str(s) => {
            if !literal && parse_num(s).is_some() {
                "Number"
            } else {
                "String"
            }
        }
    }
}

fn tonumber(v: &Value, base: u32) -> Option<f64> {
    if base == 10 {
        return v.as_num();
    }
    let s = v.as_str()?;
    let s = s.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let s = if base == 16 {
        s.strip_prefix("0x")
            .or_else(|| s.strip_prefix("0X"))
            .unwrap_or(s)
    } else {
        s
    };
    let n = i64::from_str_radix(s, base).ok()? as f64;
    Some(if neg { -n } else { n })
}

fn with_commas(int_part: &str) -> String {
    let (sign, digits) = match int_part.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", int_part),
    };
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{sign}{out}")
}

/// `tostring(x[, "hex"|"commas"|"duration"])`.
fn tostring(v: &Value, fmt: Option<&str>) -> Option<String> {
    match fmt {
        None => match v {
            Value::Bool(b) => Some(if *b { "True" } else { "False" }.to_string()),
            Value::Multi(vals) => Some(vals.join("\n")),
            other => other.as_str().map(|s| s.into_owned()),
        },
        Some("hex") => {
            let x = v.as_num()?;
            let i = x.trunc() as i64;
            Some(if i < 0 {
                format!("-0x{:X}", i.unsigned_abs())
            } else {
                format!("0x{i:X}")
            })
        }
        Some("commas") => {
            let x = v.as_num()?;
            if x.fract() == 0.0 {
                Some(with_commas(&render_num(x)))
            } else {
                let s = format!("{x:.2}");
                let (i, f) = s.split_once('.')?;
                Some(format!("{}.{f}", with_commas(i)))
            }
        }
        Some("duration") => {
            let x = v.as_num()?;
            let neg = x < 0.0;
            let total = x.abs().trunc() as i64;
            let (d, rem) = (total / 86_400, total % 86_400);
            let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
            let sign = if neg { "-" } else { "" };
            Some(if d > 0 {
                format!("{sign}{d}+{h:02}:{m:02}:{s:02}")
            } else {
                format!("{sign}{h:02}:{m:02}:{s:02}")
            })
        }
        Some(_) => v.as_str().map(|s| s.into_owned()),
    }
}

/// Decode `%XX` escapes (invalid UTF-8 replaced); `+` stays `+`.
pub fn urldecode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `substr(s, start[, len])`: 1-based start; a negative start counts from the end.
fn substr(s: &str, start: f64, len: Option<f64>) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len() as i64;
    let start = start.trunc() as i64;
    let from = if start > 0 {
        start - 1
    } else if start < 0 {
        (n + start).max(0)
    } else {
        0
    };
    let to = match len {
        None => n,
        Some(l) if l < 0.0 => return None,
        Some(l) => from.saturating_add(l.trunc() as i64).min(n),
    };
    if from >= n || to <= from {
        return Some(String::new());
    }
    Some(chars[from as usize..to as usize].iter().collect())
}

/// Whether `ip` is in the subnet `cidr` (IPv4 or IPv6; an address without `/n` is one host).
pub fn cidr_match(cidr: &str, ip: &str) -> bool {
    use std::net::IpAddr;
    let (net, bits) = match cidr.trim().split_once('/') {
        Some((n, b)) => (n, b.parse::<u32>().ok()),
        None => (cidr.trim(), None),
    };
    let (Ok(net), Ok(ip)) = (net.parse::<IpAddr>(), ip.trim().parse::<IpAddr>()) else {
        return false;
    };
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => {
            let bits = bits.unwrap_or(32);
            if bits > 32 {
                return false;
            }
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            (u32::from(n) & mask) == (u32::from(i) & mask)
        }
        (IpAddr::V6(n), IpAddr::V6(i)) => {
            let bits = bits.unwrap_or(128);
            if bits > 128 {
                return false;
            }
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            (u128::from(n) & mask) == (u128::from(i) & mask)
        }
        _ => false,
    }
}

fn hash(which: &str, data: &[u8]) -> String {
    use sha2::Digest;
    let bytes: Vec<u8> = match which {
        "md5" => md5::Md5::digest(data).to_vec(),
        "sha1" => sha1::Sha1::digest(data).to_vec(),
        "sha256" => sha2::Sha256::digest(data).to_vec(),
        _ => sha2::Sha512::digest(data).to_vec(),
    };
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `printf(format, ...)`: `%s`, `%d`/`%i`, `%f`/`%.Nf`, `%x`/`%X`, `%o`, `%e`, `%%`, with the
/// `-` and `0` flags and a width. A missing argument prints as nothing.
pub fn printf(fmt: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut it = fmt.chars().peekable();
    let mut next = 0;
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if it.peek() == Some(&'%') {
            it.next();
            out.push('%');
            continue;
        }
        let (mut left, mut zero) = (false, false);
        while let Some(&f) = it.peek() {
            match f {
                '-' => left = true,
                '0' => zero = true,
                '+' | ' ' | '#' | '\'' => {}
                _ => break,
            }
            it.next();
        }
        let mut width = String::new();
        while let Some(&d) = it.peek().filter(|d| d.is_ascii_digit()) {
            width.push(d);
            it.next();
        }
        let mut prec: Option<usize> = None;
        if it.peek() == Some(&'.') {
            it.next();
            let mut p = String::new();
            while let Some(&d) = it.peek().filter(|d| d.is_ascii_digit()) {
                p.push(d);
                it.next();
            }
            prec = Some(p.parse().unwrap_or(0));
        }
        let Some(conv) = it.next() else {
            out.push('%');
            break;
        };
        let arg = args.get(next).cloned().unwrap_or(Value::Null);
        next += 1;
        let num = arg.as_num();
        let body = match conv {
            's' => {
                let s = arg.as_str().map(|s| s.into_owned()).unwrap_or_default();
                match prec {
                    Some(p) => s.chars().take(p).collect(),
                    None => s,
                }
            }
            'd' | 'i' | 'u' => num
                .map(|x| format!("{}", x.trunc() as i64))
                .unwrap_or_default(),
            'f' | 'F' => num
                .map(|x| format!("{:.*}", prec.unwrap_or(6), x))
                .unwrap_or_default(),
            'e' | 'E' => num
                .map(|x| format!("{:.*e}", prec.unwrap_or(6), x))
                .unwrap_or_default(),
            'x' => num
                .map(|x| format!("{:x}", x.trunc() as i64))
                .unwrap_or_default(),
            'X' => num
                .map(|x| format!("{:X}", x.trunc() as i64))
                .unwrap_or_default(),
            'o' => num
                .map(|x| format!("{:o}", x.trunc() as i64))
                .unwrap_or_default(),
            'c' => arg
                .as_str()
                .and_then(|s| s.chars().next())
                .map(String::from)
                .unwrap_or_default(),
            other => {
                next -= 1;
                format!("%{other}")
            }
        };
        let w: usize = width.parse().unwrap_or(0);
        let len = body.chars().count();
        if len >= w {
            out.push_str(&body);
        } else if left {
            out.push_str(&body);
            out.push_str(&" ".repeat(w - len));
        } else if zero && conv != 's' {
            let (sign, digits) = match body.strip_prefix('-') {
                Some(d) => ("-", d),
                None => ("", body.as_str()),
            };
            out.push_str(sign);
            out.push_str(&"0".repeat(w - len));
            out.push_str(digits);
        } else {
            out.push_str(&" ".repeat(w - len));
            out.push_str(&body);
        }
    }
    out
}

/// Text of a JSON value: strings unquoted, others as compact JSON; null is no value.
fn json_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Follow a Splunk JSON path (`a.b{0}.c`, `a{}.b`, `{1}`) and push the texts found.
fn json_path(root: &serde_json::Value, path: &str, out: &mut Vec<String>) {
    let mut steps: Vec<(Option<String>, Vec<Option<usize>>)> = Vec::new();
    for part in path.split('.') {
        let (key, rest) = match part.find('{') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        let mut idx = Vec::new();
        for seg in rest.split('{').skip(1) {
            let inner = seg.trim_end_matches('}');
            idx.push(inner.parse::<usize>().ok());
        }
        steps.push(((!key.is_empty()).then(|| key.to_string()), idx));
    }
    let mut cur = vec![root];
    for (key, idx) in &steps {
        let mut next = Vec::new();
        for v in cur {
            let v = match key {
                Some(k) => match v.get(k) {
                    Some(x) => x,
                    None => continue,
                },
                None => v,
            };
            let mut vs = vec![v];
            for i in idx {
                let mut n2 = Vec::new();
                for x in vs {
                    if let serde_json::Value::Array(a) = x {
                        match i {
                            Some(i) => n2.extend(a.get(*i)),
                            None => n2.extend(a.iter()),
                        }
                    }
                }
                vs = n2;
            }
            next.extend(vs);
        }
        cur = next;
    }
    out.extend(cur.into_iter().filter_map(json_text));
}

/// Whether a comparison `op` holds between two values (used by tests and the engine).
pub fn compare_values(op: BinOp, a: &Value, b: &Value) -> bool {
    compare(a, b).is_some_and(|o| holds(op, o))
}

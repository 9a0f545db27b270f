//! The search language compiled to polars predicates (`search`, the implied search, `tstats`
//! WHERE), following splunk-semantics.md §4:
//!
//! - values match **case-insensitively**, `*` is a wildcard anywhere, `field=*` means the field
//!   exists; field names are case-sensitive;
//! - `\\` in a value is a literal backslash, `\"` a quote, `\*` a literal star;
//! - `NOT field=value` is true when the field is missing, `field!=value` is not;
//! - `<`, `>`, `<=`, `>=` compare numerically when the value is a number;
//! - a multivalue field matches when any of its values does;
//! - a bare term matches `_raw`, case-insensitively, anywhere in the event text.
//!
//! Every predicate is total: it never yields null (null counts as "does not match").

use crate::diagnostic::Diagnostic;
use crate::plan::{Plan, Predicate};
use crate::syntax::ast::{CmpOp, PatternPiece, SearchValue};
use polars::prelude::*;

/// Runs a subsearch and returns its results.
pub type SubsearchFn<'a> = dyn Fn(&Plan) -> Result<DataFrame, Diagnostic> + 'a;

/// What a predicate needs to compile.
pub struct SearchContext<'a> {
    /// The columns of the results the predicate filters.
    pub schema: &'a Schema,
    /// Runs `[ subsearches ]`.
    pub subsearch: &'a SubsearchFn<'a>,
    /// For eval-language conditions (`where`).
    pub eval: super::eval::EvalContext<'a>,
}

/// Compile a predicate over results with this schema, subsearches run by the context.
pub fn compile_in(
    p: &Predicate,
    schema: &Schema,
    ctx: &crate::runtime::Context,
) -> Result<Expr, Diagnostic> {
    let sub = |plan: &Plan| ctx.run_plan(plan);
    let sctx = SearchContext {
        schema,
        subsearch: &sub,
        eval: super::eval::EvalContext {
            schema,
            source: &ctx.text,
            now: ctx.now,
            tz: &ctx.tz,
        },
    };
    compile(p, &sctx)
}

/// Time modifiers and tstats selectors: accepted, and true for every event (a replayed dataset is
/// searched over all time, as Splunk's detection CI does).
pub const ALWAYS_TRUE_FIELDS: &[&str] = &[
    "earliest",
    "latest",
    "_index_earliest",
    "_index_latest",
    "starthoursago",
    "endhoursago",
    "startdaysago",
    "enddaysago",
    "startminutesago",
    "endminutesago",
    "nodename",
    "summariesonly",
];

/// Compile a predicate to a Boolean polars expression that is never null.
pub fn compile(e: &Predicate, ctx: &SearchContext) -> Result<Expr, Diagnostic> {
    Ok(match e {
        Predicate::True => lit(true),
        Predicate::And(items) => {
            let mut acc: Option<Expr> = None;
            // `f=*a* f=*b*` on one single-valued text field: one pass over the values, the
            // second pattern tried only where the first matched.
            let mut groups: Vec<(&String, Vec<&SearchValue>)> = Vec::new();
            let mut rest: Vec<&Predicate> = Vec::new();
            for i in items {
                if let Predicate::Compare {
                    field,
                    op: CmpOp::Eq,
                    value,
                } = i
                {
                    if ctx.schema.get(field) == Some(&DataType::String)
                        && set_matchable(field, value, ctx.schema)
                    {
                        match groups.iter_mut().find(|(f, _)| *f == field) {
                            Some((_, v)) => v.push(value),
                            None => groups.push((field, vec![value])),
                        }
                        continue;
                    }
                }
                rest.push(i);
            }
            for (field, values) in groups {
                let x = match values.as_slice() {
                    [one] => compare(field, CmpOp::Eq, one, ctx.schema),
                    _ => match_all(field, &values),
                };
                acc = Some(match acc {
                    Some(a) => a.and(x),
                    None => x,
                });
            }
            for i in rest {
                let x = compile(i, ctx)?;
                acc = Some(match acc {
                    Some(a) => a.and(x),
                    None => x,
                });
            }
            acc.unwrap_or(lit(true))
        }
        Predicate::Or(items) => {
            // `f=a OR f=b OR ...` on one text field: one pattern set per field.
            let mut acc: Option<Expr> = None;
            let mut groups: Vec<(&String, Vec<&SearchValue>)> = Vec::new();
            for i in items {
                if let Predicate::Compare {
                    field,
                    op: CmpOp::Eq,
                    value,
                } = i
                {
                    if set_matchable(field, value, ctx.schema) {
                        match groups.iter_mut().find(|(f, _)| *f == field) {
                            Some((_, v)) => v.push(value),
                            None => groups.push((field, vec![value])),
                        }
                        continue;
                    }
                }
                let x = compile(i, ctx)?;
                acc = Some(match acc {
                    Some(a) => a.or(x),
                    None => x,
                });
            }
            for (field, values) in groups {
                let x = match_any(field, values, ctx.schema);
                acc = Some(match acc {
                    Some(a) => a.or(x),
                    None => x,
                });
            }
            acc.unwrap_or(lit(false))
        }
        Predicate::Not(inner) => compile(inner, ctx)?.not(),
        Predicate::Compare { field, op, value } => compare(field, *op, value, ctx.schema),
        Predicate::In { field, values } => {
            if values.iter().all(|v| set_matchable(field, v, ctx.schema)) {
                match_any(field, values.iter().collect(), ctx.schema)
            } else {
                let mut acc = lit(false);
                for v in values {
                    acc = acc.or(compare(field, CmpOp::Eq, v, ctx.schema));
                }
                acc
            }
        }
        Predicate::Term {
            value,
            case_sensitive,
            whole_term,
        } => term(value, *case_sensitive, *whole_term, ctx.schema),
        Predicate::Subsearch(p) => {
            let df = (ctx.subsearch)(p)?;
            let e = results_to_predicate(&df)?;
            compile(&e, ctx)?
        }
        Predicate::Eval(s) => super::eval::scalar_predicate(s, &ctx.eval)?,
        Predicate::Regex {
            field,
            pattern,
            negate,
        } => {
            let m = match ctx.schema.get(field) {
                Some(dt) => {
                    regex_match(col(field.as_str()), dt, pattern.clone()).fill_null(lit(false))
                }
                None => lit(false),
            };
            if *negate {
                m.not()
            } else {
                m
            }
        }
    })
}

/// Escape text so that [`SearchValue::pattern`] gives it back literally (except `*`, which stays a
/// wildcard, as in Splunk's `format` output).
pub fn escape_value(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// A regular expression for a value pattern: anchored for field values, unanchored for terms.
pub fn pattern_regex(v: &SearchValue, anchored: bool, case_insensitive: bool) -> String {
    let mut re = String::from(if case_insensitive { "(?is)" } else { "(?s)" });
    if anchored {
        re.push('^');
    }
    for p in v.pattern() {
        match p {
            PatternPiece::Literal(s) => re.push_str(&regex::escape(&s)),
            PatternPiece::Wildcard => re.push_str(".*"),
        }
    }
    if anchored {
        re.push('$');
    }
    re
}

fn is_numeric(dt: &DataType) -> bool {
    dt.is_primitive_numeric()
}

/// Whether `field=value` can join a pattern set: a text comparison (not a number against a
/// numeric column, not a time modifier).
fn set_matchable(field: &str, value: &SearchValue, schema: &Schema) -> bool {
    if ALWAYS_TRUE_FIELDS.contains(&field) || cidr_value(value).is_some() {
        return false;
    }
    match schema.get(field) {
        None => true,
        Some(dt) => {
            let number = !value.has_wildcard() && value.text().trim().parse::<f64>().is_ok();
            !(number && is_numeric(dt))
        }
    }
}

/// The field matches any of the values (as `field=value` does, case-insensitively with
/// wildcards): one pattern set, never null. A missing field matches nothing.
fn match_any(field: &str, values: Vec<&SearchValue>, schema: &Schema) -> Expr {
    let Some(dt) = schema.get(field) else {
        return lit(false);
    };
    match super::pattern::PatternSet::new(values.iter().copied()) {
        Ok(set) => set_match(col(field), dt, std::sync::Arc::new(set)).fill_null(lit(false)),
        Err(_) => {
            let mut acc = lit(false);
            for v in values {
                acc = acc.or(regex_match(col(field), dt, pattern_regex(v, true, true)));
            }
            acc.fill_null(lit(false))
        }
    }
}

/// A single-valued text field matches every one of the values (`f=a f=b`), never null: the
/// patterns tried in turn on each value, stopping at the first that fails.
fn match_all(field: &str, values: &[&SearchValue]) -> Expr {
    let sets: Result<Vec<super::pattern::PatternSet>, String> = values
        .iter()
        .map(|v| super::pattern::PatternSet::new([*v]))
        .collect();
    let Ok(sets) = sets else {
        let mut acc = lit(true);
        for v in values {
            acc = acc.and(regex_match(
                col(field),
                &DataType::String,
                pattern_regex(v, true, true),
            ));
        }
        return acc.fill_null(lit(false));
    };
    col(field)
        .map(
            move |col: Column| {
                let all = |v: &str| sets.iter().all(|s| s.matches(v));
                let out: BooleanChunked =
                    if let Some((dict, rows)) = crate::frame::dictionary::lookup(&col) {
                        dict.map_bool(col.name().clone(), rows, all)
                    } else {
                        col.str()?.iter().map(|v| v.map(all)).collect()
                    };
                Ok(out.with_name(col.name().clone()).into_column())
            },
            |_, f| Ok(Field::new(f.name().clone(), DataType::Boolean)),
        )
        .fill_null(lit(false))
}

/// One value pattern on a column of any type.
fn pattern_match(c: Expr, dt: &DataType, value: &SearchValue) -> Expr {
    match super::pattern::PatternSet::new([value]) {
        Ok(set) => set_match(c, dt, std::sync::Arc::new(set)),
        Err(_) => regex_match(c, dt, pattern_regex(value, true, true)),
    }
}

/// A pattern set over a column: text values directly, a multivalue column when any value
/// matches, other types through their text.
fn set_match(c: Expr, dt: &DataType, set: std::sync::Arc<super::pattern::PatternSet>) -> Expr {
    let is_list = matches!(dt, DataType::List(_));
    let c = if is_list || *dt == DataType::String {
        c
    } else {
        c.cast(DataType::String)
    };
    c.map(
        move |col: Column| {
            let out: BooleanChunked = if is_list {
                col.list()?
                    .amortized_iter()
                    .map(|s| {
                        let s = s?;
                        let owned = s.as_ref().cast(&DataType::String).ok()?;
                        let any = owned.str().ok()?.iter().flatten().any(|v| set.matches(v));
                        Some(any)
                    })
                    .collect()
            } else if let Some((dict, rows)) = crate::frame::dictionary::lookup(&col) {
                // A column kept for many searches: once per distinct value.
                dict.map_bool(col.name().clone(), rows, |v| set.matches(v))
            } else {
                col.str()?
                    .iter()
                    .map(|v| v.map(|v| set.matches(v)))
                    .collect()
            };
            Ok(out.with_name(col.name().clone()).into_column())
        },
        |_, f| Ok(Field::new(f.name().clone(), DataType::Boolean)),
    )
}

/// A search value in CIDR notation (`192.0.2.0/24`, `2001:db8::/32`): the network text, when
/// the value is one (no wildcard, an IP address, a prefix length within the address's bits).
/// Search Reference, `search`: "You can specify a CIDR match" (`clientip="192.0.2.0/24"`
/// matches the addresses in the range), as `cidrmatch` does in eval.
pub fn cidr_value(v: &SearchValue) -> Option<String> {
    if v.has_wildcard() {
        return None;
    }
    let text = v.text();
    let (net, bits) = text.trim().split_once('/')?;
    let bits: u32 = bits.parse().ok()?;
    match net.parse::<std::net::IpAddr>().ok()? {
        std::net::IpAddr::V4(_) if bits <= 32 => Some(text.trim().to_string()),
        std::net::IpAddr::V6(_) if bits <= 128 => Some(text.trim().to_string()),
        _ => None,
    }
}

/// The column's value (any value of a multivalue field) is an address in the CIDR range.
fn cidr_in(c: Expr, dt: &DataType, cidr: String) -> Expr {
    let is_list = matches!(dt, DataType::List(_));
    let c = if is_list || *dt == DataType::String {
        c
    } else {
        c.cast(DataType::String)
    };
    c.map(
        move |col: Column| {
            let m = |v: &str| super::functions::cidr_match(&cidr, v);
            let out: BooleanChunked = if is_list {
                col.list()?
                    .amortized_iter()
                    .map(|s| {
                        let s = s?;
                        let owned = s.as_ref().cast(&DataType::String).ok()?;
                        let any = owned.str().ok()?.iter().flatten().any(m);
                        Some(any)
                    })
                    .collect()
            } else {
                col.str()?.iter().map(|v| v.map(m)).collect()
            };
            Ok(out.with_name(col.name().clone()).into_column())
        },
        |_, f| Ok(Field::new(f.name().clone(), DataType::Boolean)),
    )
}

/// `field op value` on a column of any type.
fn compare(field: &str, op: CmpOp, value: &SearchValue, schema: &Schema) -> Expr {
    if ALWAYS_TRUE_FIELDS.contains(&field) {
        return lit(true);
    }
    let Some(dt) = schema.get(field) else {
        // A missing field matches nothing (but `NOT field=x` is then true).
        return lit(false);
    };
    let c = col(field);
    let pieces = value.pattern();
    let only_wildcard = pieces == vec![PatternPiece::Wildcard];
    let number = if value.has_wildcard() {
        None
    } else {
        value.text().trim().parse::<f64>().ok()
    };
    let matched = match op {
        CmpOp::Eq | CmpOp::Ne if only_wildcard => present(c.clone(), dt),
        CmpOp::Eq | CmpOp::Ne => {
            let m = match (number, dt) {
                _ if cidr_value(value).is_some() => {
                    cidr_in(c.clone(), dt, cidr_value(value).unwrap_or_default())
                }
                (Some(n), dt) if is_numeric(dt) => c.clone().cast(DataType::Float64).eq(lit(n)),
                _ => pattern_match(c.clone(), dt, value),
            };
            if op == CmpOp::Ne {
                present(c, dt).and(m.fill_null(lit(false)).not())
            } else {
                m
            }
        }
        CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => {
            let (lhs, rhs) = match number {
                Some(n) => (as_float(c, dt), lit(n)),
                None => (c.cast(DataType::String), lit(value.text())),
            };
            match op {
                CmpOp::Lt => lhs.lt(rhs),
                CmpOp::Le => lhs.lt_eq(rhs),
                CmpOp::Gt => lhs.gt(rhs),
                _ => lhs.gt_eq(rhs),
            }
        }
    };
    matched.fill_null(lit(false))
}

fn as_float(c: Expr, dt: &DataType) -> Expr {
    match dt {
        DataType::List(_) => c.map(list_first_as_float, |_, f| {
            Ok(Field::new(f.name().clone(), DataType::Float64))
        }),
        _ => c.cast(DataType::Float64),
    }
}

fn list_first_as_float(c: Column) -> PolarsResult<Column> {
    let ca = c.list()?;
    let out: Float64Chunked = ca
        .amortized_iter()
        .map(|s| {
            s.and_then(|s| {
                let s = s.as_ref().cast(&DataType::String).ok()?;
                let v = s.str().ok()?.get(0)?.trim().parse::<f64>().ok();
                v
            })
        })
        .collect();
    Ok(out.with_name(c.name().clone()).into_column())
}

/// The field exists: not null (and, for a multivalue field, not empty).
fn present(c: Expr, dt: &DataType) -> Expr {
    match dt {
        DataType::List(_) => c.clone().is_not_null().and(c.list().len().gt(lit(0))),
        _ => c.is_not_null(),
    }
}

/// Regex match of a column of any type; a multivalue column matches when any value does.
pub(crate) fn regex_match(c: Expr, dt: &DataType, re: String) -> Expr {
    match dt {
        DataType::String => c.str().contains(lit(re), false),
        DataType::List(_) => {
            let compiled = regex::Regex::new(&re);
            c.map(
                move |col: Column| {
                    let ca = col.list()?;
                    let out: BooleanChunked = ca
                        .amortized_iter()
                        .map(|s| {
                            let s = s?;
                            let owned = s.as_ref().cast(&DataType::String).ok()?;
                            let re = compiled.as_ref().ok()?;
                            let any = owned.str().ok()?.iter().flatten().any(|v| re.is_match(v));
                            Some(any)
                        })
                        .collect();
                    Ok(out.with_name(col.name().clone()).into_column())
                },
                |_, f| Ok(Field::new(f.name().clone(), DataType::Boolean)),
            )
        }
        _ => c.cast(DataType::String).str().contains(lit(re), false),
    }
}

/// A bare term (or `TERM()`/`CASE()`): matched against `_raw` as whole segments, by Splunk's
/// breakers (`knowledge::segmenters`), without a regular expression.
fn term(v: &SearchValue, case_sensitive: bool, whole_term: bool, schema: &Schema) -> Expr {
    use crate::knowledge::segmenters::{Bound, TermMatcher};
    if v.pattern().iter().all(|p| *p == PatternPiece::Wildcard) {
        return lit(true);
    }
    let Some(dt) = schema.get("_raw") else {
        return lit(false);
    };
    let bound = if whole_term {
        Bound::Major
    } else {
        Bound::Segment
    };
    let m = std::sync::Arc::new(TermMatcher::new(v, case_sensitive, bound));
    let c = match dt {
        DataType::String | DataType::List(_) => col("_raw"),
        _ => col("_raw").cast(DataType::String),
    };
    c.map(
        move |col: Column| {
            let out: BooleanChunked = match col.dtype() {
                DataType::List(_) => col
                    .list()?
                    .amortized_iter()
                    .map(|s| {
                        let s = s?;
                        let owned = s.as_ref().cast(&DataType::String).ok()?;
                        let any = owned.str().ok()?.iter().flatten().any(|t| m.matches(t));
                        Some(any)
                    })
                    .collect(),
                _ => col
                    .str()?
                    .iter()
                    .map(|t| Some(t.is_some_and(|t| m.matches(t))))
                    .collect(),
            };
            Ok(out.with_name(col.name().clone()).into_column())
        },
        |_, f| Ok(Field::new(f.name().clone(), DataType::Boolean)),
    )
    .fill_null(lit(false))
}

/// Splunk's `format`: results become `(f1=v1 AND f2=v2) OR (...)`; multivalue fields give an OR
/// of their values; internal `_*` fields are left out. A field named `search` or `query` (what
/// `return` and `format` give) is search text used as it is: it is parsed and lowered like the
/// search around it. No results give an expression that matches nothing.
pub fn results_to_predicate(df: &DataFrame) -> Result<Predicate, Diagnostic> {
    let mut rows = Vec::new();
    let cols: Vec<&Column> = df
        .columns()
        .iter()
        .filter(|c| !c.name().starts_with('_'))
        .collect();
    for i in 0..df.height().min(10_000) {
        let mut and = Vec::new();
        for c in &cols {
            let values = crate::frame::values_at(c, i);
            if matches!(c.name().as_str(), "search" | "query") {
                for v in &values {
                    and.push(search_text_predicate(v)?);
                }
                continue;
            }
            let cmp = |v: &String| Predicate::Compare {
                field: c.name().to_string(),
                op: CmpOp::Eq,
                value: SearchValue {
                    raw: escape_value(v),
                    quoted: true,
                },
            };
            match values.len() {
                0 => {}
                1 => and.push(cmp(&values[0])),
                _ => and.push(Predicate::Or(values.iter().map(cmp).collect())),
            }
        }
        if !and.is_empty() {
            rows.push(Predicate::And(and));
        }
    }
    Ok(if rows.is_empty() {
        // Splunk's format gives `NOT ()` for no results: nothing matches.
        Predicate::Not(Box::new(Predicate::True))
    } else {
        Predicate::Or(rows)
    })
}

/// Search text from a subsearch's `search` field (`return`, `format`) as a predicate: parsed and
/// lowered as a `search` command. Empty text matches everything; `NOT( )`, what `format` gives
/// for no results, matches nothing.
fn search_text_predicate(text: &str) -> Result<Predicate, Diagnostic> {
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if squeezed.is_empty() {
        return Ok(Predicate::True);
    }
    if squeezed.eq_ignore_ascii_case("NOT()") {
        return Ok(Predicate::Not(Box::new(Predicate::True)));
    }
    let spl = format!("search {text}");
    let origin = |d: Diagnostic| d.origin("a subsearch's `search` field");
    let p = crate::syntax::parse(&spl).map_err(origin)?;
    let mut cx = crate::commands::Lower { text: &spl };
    match p.commands.as_slice() {
        [c] => match &c.kind {
            crate::commands::CommandKind::Search(s) => match &s.expr {
                Some(e) => cx.predicate(e).map_err(origin),
                None => Ok(Predicate::True),
            },
            _ => Err(Diagnostic::new(format!(
                "a subsearch's `search` field is not a search: {text}"
            ))),
        },
        _ => Err(Diagnostic::new(format!(
            "a subsearch's `search` field is not one search expression: {text}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::CommandKind;

    fn frame() -> DataFrame {
        let mv: ListChunked = [
            Some(Series::new("".into(), ["process", "report"])),
            Some(Series::new("".into(), ["network"])),
            None,
        ]
        .into_iter()
        .collect();
        DataFrame::new_infer_height(vec![
            Column::new(
                "process".into(),
                [
                    Some(r"C:\Windows\System32\CMD.EXE /c mklink"),
                    Some("powershell -enc AAA"),
                    None,
                ],
            ),
            Column::new("n".into(), [Some("10"), Some("9"), Some("x")]),
            Column::new("count".into(), [1.0f64, 5.0, 12.0]),
            Column::new(
                "_raw".into(),
                [
                    "<Event>Mimikatz here</Event>",
                    "<Event>benign</Event>",
                    "other",
                ],
            ),
            mv.with_name("tag".into()).into_column(),
        ])
        .unwrap()
    }

    /// Indexes of the rows a `search` keeps.
    fn rows(spl: &str) -> Vec<usize> {
        let df = frame().with_row_index("i".into(), None).unwrap();
        let p = crate::syntax::parse(spl).unwrap();
        let CommandKind::Search(s) = &p.commands.last().unwrap().kind else {
            panic!()
        };
        let schema = df.schema().clone();
        let sub = |_: &Plan| -> Result<DataFrame, Diagnostic> { Ok(DataFrame::empty()) };
        let ctx = SearchContext {
            schema: &schema,
            subsearch: &sub,
            eval: crate::expr::eval::EvalContext {
                schema: &schema,
                source: spl,
                now: 0.0,
                tz: "UTC",
            },
        };
        let mut cx = crate::commands::Lower { text: spl };
        let pred = cx.predicate(s.expr.as_ref().unwrap()).unwrap();
        let pred = compile(&pred, &ctx).unwrap();
        let out = df.lazy().filter(pred).collect().unwrap();
        out.column("i")
            .unwrap()
            .idx()
            .unwrap()
            .into_no_null_iter()
            .map(|x| x as usize)
            .collect()
    }

    #[test]
    fn values_are_case_insensitive_with_wildcards() {
        assert_eq!(rows("| search process=*cmd.exe*"), vec![0]);
        assert_eq!(rows("| search process=*MKLINK"), vec![0]);
        assert_eq!(rows("| search process=mklink"), Vec::<usize>::new());
    }

    #[test]
    fn backslashes_in_quoted_values_are_literal() {
        assert_eq!(
            rows(r#"| search process="*\\Windows\\System32\\*""#),
            vec![0]
        );
        // A single backslash before a letter stays a backslash too.
        assert_eq!(rows(r#"| search process="C:\Windows*""#), vec![0]);
        assert_eq!(
            rows(r#"| search process="*\\Windows\\Temp\\*""#),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn not_matches_missing_fields_but_ne_does_not() {
        assert_eq!(rows("| search NOT process=*cmd*"), vec![1, 2]);
        assert_eq!(rows("| search process!=*cmd*"), vec![1]);
        assert_eq!(rows("| search NOT nosuchfield=x"), vec![0, 1, 2]);
        assert_eq!(rows("| search nosuchfield!=x"), Vec::<usize>::new());
    }

    #[test]
    fn field_star_means_exists() {
        assert_eq!(rows("| search process=*"), vec![0, 1]);
    }

    #[test]
    fn comparisons_are_numeric_for_numbers() {
        // "10" > 9 numerically, though "10" < "9" as strings.
        assert_eq!(rows("| search n>9"), vec![0]);
        assert_eq!(rows("| search count>=5"), vec![1, 2]);
        assert_eq!(rows("| search count=5"), vec![1]);
    }

    #[test]
    fn or_before_and() {
        // count=1 AND (n=9 OR n=10): only row 0. (AND-first would also keep row 1.)
        assert_eq!(rows("| search count=1 n=9 OR n=10"), vec![0]);
    }

    #[test]
    fn multivalue_matches_any_value() {
        assert_eq!(rows("| search tag=report"), vec![0]);
        assert_eq!(rows("| search tag=process tag=report"), vec![0]);
        assert_eq!(rows("| search tag=net*"), vec![1]);
    }

    #[test]
    fn in_and_terms() {
        assert_eq!(rows(r#"| search n IN ("x", 9)"#), vec![1, 2]);
        assert_eq!(rows("| search mimikatz"), vec![0]);
        assert_eq!(rows("| search *"), vec![0, 1, 2]);
        assert_eq!(rows("| search CASE(mimikatz)"), Vec::<usize>::new());
        assert_eq!(rows("| search CASE(Mimikatz)"), vec![0]);
    }

    #[test]
    fn cidr_values_match_addresses_in_the_range() {
        // Search Reference, `search`: a CIDR value matches the IP addresses in the range, as
        // cidrmatch does; not the text `192.0.2.0/24` as a pattern.
        use crate::testkit::run_on;
        let mv: ListChunked = [
            Some(Series::new("".into(), ["10.1.1.1", "192.0.2.77"])),
            Some(Series::new("".into(), ["10.1.1.2"])),
            None,
            None,
        ]
        .into_iter()
        .collect();
        let df = DataFrame::new_infer_height(vec![
            Column::new(
                "ip".into(),
                [
                    Some("192.0.2.10"),
                    Some("192.0.3.1"),
                    Some("2001:db8::1"),
                    None,
                ],
            ),
            mv.with_name("all".into()).into_column(),
            Column::new("k".into(), ["a", "b", "c", "d"]),
        ])
        .unwrap();
        let keys = |spl: &str| -> Vec<String> {
            // (`| search` first would read the store's events: an eval comes first.)
            let out = run_on(df.clone(), &format!("| eval z=1 {spl}"));
            out.column("k")
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .map(|v| v.unwrap_or("").to_string())
                .collect()
        };
        assert_eq!(keys(r#"| search ip="192.0.2.0/24""#), ["a"]);
        assert_eq!(keys("| search ip=192.0.0.0/16"), ["a", "b"]);
        assert_eq!(keys("| search ip!=192.0.2.0/24"), ["b", "c"]);
        assert_eq!(keys("| search NOT ip=192.0.2.0/24"), ["b", "c", "d"]);
        assert_eq!(keys("| search ip=2001:db8::/32"), ["c"]);
        assert_eq!(keys("| search ip IN (10.0.0.0/8, 192.0.3.0/24)"), ["b"]);
        assert_eq!(
            keys("| search all=192.0.2.0/24 OR ip=2001:db8::/32"),
            ["a", "c"]
        );
        assert_eq!(keys("| search all=10.0.0.0/8"), ["a", "b"]);
    }

    #[test]
    fn several_patterns_on_one_field_must_all_match() {
        // `f=a f=b` is an AND: a single-valued field matches both patterns; a multivalue field
        // matches each pattern with any of its values (not necessarily the same one).
        use crate::testkit::run_on;
        let mv: ListChunked = [
            Some(Series::new(
                "".into(),
                ["cmd /c mklink", "harddiskvolumeshadowcopy1"],
            )),
            Some(Series::new("".into(), ["mklink harddiskvolumeshadowcopy"])),
            Some(Series::new("".into(), ["mklink only"])),
        ]
        .into_iter()
        .collect();
        let df = DataFrame::new_infer_height(vec![
            Column::new(
                "p".into(),
                [
                    Some("CMD /C MKLINK x \\?\\GLOBALROOT\\HarddiskVolumeShadowCopy1"),
                    Some("mklink only"),
                    None,
                ],
            ),
            mv.with_name("m".into()).into_column(),
            Column::new("k".into(), ["a", "b", "c"]),
        ])
        .unwrap();
        let keys = |spl: &str| -> Vec<String> {
            let out = run_on(df.clone(), &format!("| eval z=1 {spl}"));
            out.column("k")
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .map(|v| v.unwrap_or("").to_string())
                .collect()
        };
        assert_eq!(
            keys("| search p=*mklink* p=*harddiskvolumeshadowcopy*"),
            ["a"]
        );
        assert_eq!(keys("| search p=*mklink* NOT p=*shadow*"), ["b"]);
        assert_eq!(keys("| search p=*MKLINK* p=\"mklink only\""), ["b"]);
        assert_eq!(keys("| search m=*mklink* m=*harddisk*"), ["a", "b"]);
    }

    #[test]
    fn terms_match_whole_segments_by_splunks_breakers() {
        // Search Manual, "Event segmentation and searching": `<Event>Mimikatz` is split at `<`
        // and `>` (major breakers); a partial term needs a wildcard.
        assert_eq!(rows("| search mimi"), Vec::<usize>::new());
        assert_eq!(rows("| search mimi*"), vec![0]);
        assert_eq!(rows("| search event"), vec![0, 1]);
        assert_eq!(rows("| search TERM(event)"), vec![0, 1]);
        assert_eq!(rows("| search \"mimikatz here\""), vec![0]);
        assert_eq!(rows("| search \"katz here\""), Vec::<usize>::new());
    }

    #[test]
    fn time_modifiers_are_accepted() {
        assert_eq!(rows("| search earliest=-24h count=1"), vec![0]);
    }
}

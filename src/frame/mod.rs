//! The polars toolkit shared by the executor (`src/exec/`) and commands' operators: Splunk's
//! text forms of values, multivalue fields as lists, field-name wildcards, stacking result sets.

pub mod aggregate;
pub mod dictionary;
pub mod structured;

use crate::diagnostic::{Diagnostic, Span};
use crate::runtime::Context;
use polars::prelude::*;

/// An empty result set.
pub fn empty_frame() -> LazyFrame {
    no_results().lazy()
}

/// Zero results. The frame keeps one (empty) `_time` column: a frame with no columns at all
/// takes the length of a literal added to it, so `| eval x=1` or `| stats count by f` would
/// turn "no results" into one result.
pub fn no_results() -> DataFrame {
    DataFrame::new(
        0,
        vec![Column::new_empty("_time".into(), &DataType::Float64)],
    )
    .unwrap_or_else(|_| DataFrame::empty())
}

/// The schema of a lazy frame.
pub fn schema_of(
    lf: &mut LazyFrame,
    command: &str,
    span: Span,
    ctx: &Context,
) -> Result<SchemaRef, Diagnostic> {
    lf.collect_schema()
        .map_err(|e| ctx.polars_error(command, span, e))
}

/// A list column of text, whatever the values were: polars gives a list collected from
/// all-empty rows the element type `Null`, which text functions reject.
pub fn text_list(ca: ListChunked) -> ListChunked {
    if ca.inner_dtype() == &DataType::String {
        return ca;
    }
    ca.cast(&DataType::List(Box::new(DataType::String)))
        .ok()
        .and_then(|s| s.list().ok().cloned())
        .unwrap_or(ca)
}

/// A column whose every value is null (a `rex` or `mvexpand` that found nothing) has polars'
/// `Null` type, which text functions reject. In Splunk such a field is simply absent or empty:
/// type it as text (or a list of text) so that later commands treat it like any other field.
pub fn text_nulls(lf: LazyFrame) -> LazyFrame {
    let Ok(schema) = lf.clone().collect_schema() else {
        return lf;
    };
    let casts: Vec<Expr> = schema
        .iter()
        .filter_map(|(name, dt)| match dt {
            DataType::Null => Some(col(name.clone()).cast(DataType::String)),
            DataType::List(inner) if **inner == DataType::Null => {
                Some(col(name.clone()).cast(DataType::List(Box::new(DataType::String))))
            }
            _ => None,
        })
        .collect();
    if casts.is_empty() {
        lf
    } else {
        lf.with_columns(casts)
    }
}

/// Format a number as Splunk prints it: integers without a decimal point.
pub fn format_number(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// The string form of a scalar value, or None for null.
pub fn any_to_string(v: &AnyValue) -> Option<String> {
    match v {
        AnyValue::Null => None,
        AnyValue::String(s) => Some(s.to_string()),
        AnyValue::StringOwned(s) => Some(s.to_string()),
        AnyValue::Boolean(b) => Some(b.to_string()),
        AnyValue::Float64(x) => Some(format_number(*x)),
        AnyValue::Float32(x) => Some(format_number(*x as f64)),
        AnyValue::Int64(x) => Some(x.to_string()),
        AnyValue::Int32(x) => Some(x.to_string()),
        AnyValue::UInt32(x) => Some(x.to_string()),
        AnyValue::UInt64(x) => Some(x.to_string()),
        other => Some(other.to_string()),
    }
}

/// The values of a column at a row: none for null, several for a multivalue field.
pub fn values_at(c: &Column, i: usize) -> Vec<String> {
    match c.get(i) {
        Ok(AnyValue::List(s)) => (0..s.len())
            .filter_map(|j| s.get(j).ok().and_then(|v| any_to_string(&v)))
            .collect(),
        Ok(v) => any_to_string(&v).into_iter().collect(),
        Err(_) => Vec::new(),
    }
}

/// Columns of `schema` whose names match a Splunk field pattern (`*` wildcards), in order.
pub fn matching_columns(schema: &Schema, pattern: &str) -> Vec<String> {
    if !pattern.contains('*') {
        return if schema.contains(pattern) {
            vec![pattern.to_string()]
        } else {
            Vec::new()
        };
    }
    let re = wildcard_regex(pattern);
    schema
        .iter_names()
        .filter(|n| re.as_ref().map(|r| r.is_match(n)).unwrap_or(false))
        .map(|n| n.to_string())
        .collect()
}

/// `a*b` → `^a(.*)b$` (field-name patterns are case-sensitive).
pub fn wildcard_regex(pattern: &str) -> Option<regex::Regex> {
    let parts: Vec<String> = pattern.split('*').map(regex::escape).collect();
    regex::Regex::new(&format!("^{}$", parts.join("(.*)"))).ok()
}

/// Stack two result sets: the union of their columns (missing ones null), rows of `a` first.
/// Columns whose types differ become text.
pub fn append_frames(a: DataFrame, b: DataFrame) -> PolarsResult<DataFrame> {
    if a.width() == 0 && a.height() == 0 {
        return Ok(b);
    }
    if b.width() == 0 && b.height() == 0 {
        return Ok(a);
    }
    let mut names: Vec<PlSmallStr> = a.get_column_names().into_iter().cloned().collect();
    for n in b.get_column_names() {
        if !names.contains(n) {
            names.push(n.clone());
        }
    }
    let mut left = Vec::with_capacity(names.len());
    let mut right = Vec::with_capacity(names.len());
    for n in &names {
        let ca = a.column(n).ok().cloned();
        let cb = b.column(n).ok().cloned();
        let is_list = |c: &Option<Column>| {
            c.as_ref()
                .is_some_and(|c| matches!(c.dtype(), DataType::List(_)))
        };
        let dtype = match (&ca, &cb) {
            (Some(x), Some(y)) if x.dtype() == y.dtype() => x.dtype().clone(),
            // A multivalue field on one side: single values become one-value lists.
            _ if is_list(&ca) || is_list(&cb) => DataType::List(Box::new(DataType::String)),
            (Some(x), None) => x.dtype().clone(),
            (None, Some(y)) => y.dtype().clone(),
            (Some(x), Some(y)) if matches!(x.dtype(), DataType::Null) => y.dtype().clone(),
            (Some(x), Some(y)) if matches!(y.dtype(), DataType::Null) => x.dtype().clone(),
            _ => DataType::String,
        };
        let fit = |c: Option<Column>, h: usize| -> PolarsResult<Column> {
            match c {
                Some(c)
                    if matches!(dtype, DataType::List(_))
                        && !matches!(c.dtype(), DataType::List(_)) =>
                {
                    let ca: ListChunked = (0..c.len())
                        .map(|i| {
                            let v = values_at(&c, i);
                            (!v.is_empty()).then(|| Series::new("".into(), v))
                        })
                        .collect();
                    Ok(text_list(ca).with_name(c.name().clone()).into_column())
                }
                Some(c) if matches!(dtype, DataType::List(_)) => c.cast(&dtype),
                Some(c) if dtype == DataType::String => Ok(text_expr_column(&c)),
                Some(c) => c.cast(&dtype),
                None => Ok(Column::full_null(n.clone(), h, &dtype)),
            }
        };
        left.push(fit(ca, a.height())?);
        right.push(fit(cb, b.height())?);
    }
    let mut out = DataFrame::new_infer_height(left)?;
    out.vstack_mut(&DataFrame::new_infer_height(right)?)?;
    Ok(out)
}

/// A column's values as Splunk's text (see [`text_expr`]).
fn text_expr_column(c: &Column) -> Column {
    let ca: StringChunked = (0..c.len())
        .map(|i| {
            let v = values_at(c, i);
            (!v.is_empty()).then(|| v.join("\n"))
        })
        .collect();
    ca.with_name(c.name().clone()).into_column()
}

/// A column as Splunk's text: integral floats without a decimal point (`5`, not `5.0`), and a
/// multivalue field's values joined by newlines.
pub fn text_expr(e: Expr, dt: &DataType) -> Expr {
    match dt {
        DataType::String => e,
        DataType::List(_) => e
            .cast(DataType::List(Box::new(DataType::String)))
            .list()
            .join(lit("\n"), true),
        DataType::Float64 | DataType::Float32 => {
            let as_int = e.clone().cast(DataType::Int64);
            when(as_int.clone().cast(DataType::Float64).eq(e.clone()))
                .then(as_int.cast(DataType::String))
                .otherwise(e.cast(DataType::String))
        }
        _ => e.cast(DataType::String),
    }
}

/// Columns chosen by field patterns, in the order of the patterns (each once).
pub fn select_patterns(schema: &Schema, patterns: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in patterns {
        for n in matching_columns(schema, p) {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// Each row's position (from 0) among the earlier rows with the same values of `keys`, in row
/// order (a missing key column counts as null).
pub fn group_ranks(df: &DataFrame, keys: &[String]) -> Vec<u64> {
    let cols: Vec<Option<&Column>> = keys.iter().map(|k| df.column(k).ok()).collect();
    let mut seen: std::collections::HashMap<Vec<Vec<String>>, u64> =
        std::collections::HashMap::new();
    (0..df.height())
        .map(|i| {
            let key: Vec<Vec<String>> = cols
                .iter()
                .map(|c| c.map(|c| values_at(c, i)).unwrap_or_default())
                .collect();
            let n = seen.entry(key).or_insert(0);
            *n += 1;
            *n - 1
        })
        .collect()
}

/// Keep the rows where `keep` is true.
pub fn filter_rows(df: &DataFrame, keep: impl Iterator<Item = bool>) -> PolarsResult<DataFrame> {
    let mask: BooleanChunked = keep.collect();
    df.filter(&mask)
}

#[cfg(test)]
mod append_tests {
    use super::*;

    #[test]
    fn append_unites_multivalue_and_single_value_columns() {
        let mv: ListChunked = [Some(Series::new("".into(), ["a", "b"]))]
            .into_iter()
            .collect();
        let a = DataFrame::new_infer_height(vec![mv.with_name("f".into()).into_column()]).unwrap();
        let b = df!("f" => ["c"], "n" => [1.0f64]).unwrap();
        let out = append_frames(a, b).unwrap();
        assert_eq!(out.height(), 2);
        assert_eq!(values_at(out.column("f").unwrap(), 1), vec!["c"]);
        let x = df!("v" => [5.0f64]).unwrap();
        let y = df!("v" => ["t"]).unwrap();
        let out = append_frames(x, y).unwrap();
        assert_eq!(values_at(out.column("v").unwrap(), 0), vec!["5"]);
    }
}

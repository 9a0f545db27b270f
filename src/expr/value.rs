//! Row-level values of the eval language and the bridge between polars columns and them.
//!
//! Most eval functions run natively in polars; the others (and every function given a
//! multivalue field) run row by row over [`Value`]s: each argument column is read per row, the
//! function computes one [`Value`], and the results are built into a column of the function's
//! static result [`Kind`].

use polars::prelude::*;
use std::borrow::Cow;
use std::cmp::Ordering;

/// The static type of a compiled eval expression (what its polars column holds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `Int64`: integral numbers (counts, `len`, `floor`, integer literals).
    Int,
    /// `Float64`: any other number.
    Float,
    /// `String`: a single value; it may still look like a number (Splunk's dynamic typing).
    Str,
    /// `Boolean`: comparisons and predicates.
    Bool,
    /// `List(String)`: a multivalue field.
    Multi,
    /// Always null (`null()`, a field that is not in the results).
    Null,
}

impl Kind {
    /// The polars dtype a column of this kind has.
    pub fn dtype(self) -> DataType {
        match self {
            Kind::Int => DataType::Int64,
            Kind::Float => DataType::Float64,
            Kind::Str | Kind::Null => DataType::String,
            Kind::Bool => DataType::Boolean,
            Kind::Multi => DataType::List(Box::new(DataType::String)),
        }
    }

    /// Whether values of this kind are numbers.
    pub fn is_num(self) -> bool {
        matches!(self, Kind::Int | Kind::Float)
    }

    /// The kind of a column of `dtype`.
    pub fn of_dtype(dtype: &DataType) -> Kind {
        match dtype {
            DataType::Boolean => Kind::Bool,
            DataType::String => Kind::Str,
            DataType::Null => Kind::Null,
            DataType::List(_) => Kind::Multi,
            d if d.is_float() => Kind::Float,
            d if d.is_integer() => Kind::Int,
            _ => Kind::Str,
        }
    }
}

/// One eval value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Num(f64),
    Str(String),
    Bool(bool),
    /// A multivalue: never empty (an empty multivalue is null).
    Multi(Vec<String>),
}

/// Parse text as a Splunk number: decimal, optional sign, fraction and exponent. Text such as
/// `inf`, `NaN`, `0x1F` or with surrounding spaces is not a number.
pub fn parse_num(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    if b.is_empty()
        || !b
            .iter()
            .all(|c| c.is_ascii_digit() || matches!(c, b'+' | b'-' | b'.' | b'e' | b'E'))
        || !b.iter().any(|c| c.is_ascii_digit())
    {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Render a number as Splunk does: integral values without a fraction (`5`, not `5.0`).
pub fn render_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

impl Value {
    /// The value as a number, if it is one or is text that looks like one.
    pub fn as_num(&self) -> Option<f64> {
        match self {
            Value::Num(x) => Some(*x),
            Value::Str(s) => parse_num(s),
            Value::Multi(v) if v.len() == 1 => parse_num(&v[0]),
            _ => None,
        }
    }

    /// The value as text (numbers rendered as Splunk renders them; a multivalue gives its first
    /// value).
    pub fn as_str(&self) -> Option<Cow<'_, str>> {
        match self {
            Value::Null => None,
            Value::Num(x) => Some(Cow::Owned(render_num(*x))),
            Value::Str(s) => Some(Cow::Borrowed(s)),
            Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            Value::Multi(v) => v.first().map(|s| Cow::Borrowed(s.as_str())),
        }
    }

    /// The values of a (possibly single-valued) value: a single value is one value, null none.
    pub fn values(&self) -> Vec<String> {
        match self {
            Value::Null => Vec::new(),
            Value::Multi(v) => v.clone(),
            other => other
                .as_str()
                .map(|s| vec![s.into_owned()])
                .unwrap_or_default(),
        }
    }

    /// A multivalue from values: none is null, one is still a multivalue.
    pub fn multi(v: Vec<String>) -> Value {
        if v.is_empty() {
            Value::Null
        } else {
            Value::Multi(v)
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Truth for conditions: only `true` is true (null and non-booleans are false).
    pub fn truthy(&self) -> bool {
        matches!(self, Value::Bool(true))
    }
}

/// Compare two single values the Splunk way: numerically when both are numbers (or look like
/// numbers), else as text, case-sensitively. `None` when either is null.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    if a.is_null() || b.is_null() {
        return None;
    }
    if let (Value::Bool(x), Value::Bool(y)) = (a, b) {
        return Some(x.cmp(y));
    }
    if let (Some(x), Some(y)) = (a.as_num(), b.as_num()) {
        return x.partial_cmp(&y);
    }
    let (x, y) = (a.as_str()?, b.as_str()?);
    Some(x.as_ref().cmp(y.as_ref()))
}

/// Reads one column row by row as [`Value`]s (a column of length 1 is broadcast).
pub(crate) enum Reader {
    Null,
    Str(StringChunked),
    Num(Float64Chunked),
    Bool(BooleanChunked),
    List(ListChunked),
}

impl Reader {
    pub(crate) fn new(c: &Column) -> PolarsResult<Reader> {
        Ok(match c.dtype() {
            DataType::Null => Reader::Null,
            DataType::String => Reader::Str(c.str()?.clone()),
            DataType::Boolean => Reader::Bool(c.bool()?.clone()),
            DataType::List(inner) => {
                let c = if **inner == DataType::String {
                    c.clone()
                } else {
                    c.cast(&DataType::List(Box::new(DataType::String)))?
                };
                Reader::List(c.list()?.clone())
            }
            d if d.is_primitive_numeric() => {
                Reader::Num(c.cast(&DataType::Float64)?.f64()?.clone())
            }
            _ => Reader::Str(c.cast(&DataType::String)?.str()?.clone()),
        })
    }

    pub(crate) fn get(&self, i: usize) -> Value {
        match self {
            Reader::Null => Value::Null,
            Reader::Str(ca) => ca
                .get(i)
                .map(|s| Value::Str(s.to_string()))
                .unwrap_or(Value::Null),
            Reader::Num(ca) => ca.get(i).map(Value::Num).unwrap_or(Value::Null),
            Reader::Bool(ca) => ca.get(i).map(Value::Bool).unwrap_or(Value::Null),
            Reader::List(ca) => match ca.get_as_series(i) {
                None => Value::Null,
                Some(s) => match s.str() {
                    Ok(v) => Value::multi(v.iter().flatten().map(str::to_string).collect()),
                    Err(_) => Value::Null,
                },
            },
        }
    }
}

/// Build a column of `kind` named `name` from row values, converting each value to the kind
/// (a value that cannot be converted becomes null).
pub(crate) fn build_column(name: PlSmallStr, vals: Vec<Value>, kind: Kind) -> PolarsResult<Column> {
    let s: Series = match kind {
        Kind::Int => vals
            .iter()
            .map(|v| v.as_num().map(|x| x as i64))
            .collect::<Int64Chunked>()
            .with_name(name)
            .into_series(),
        Kind::Float => vals
            .iter()
            .map(|v| v.as_num())
            .collect::<Float64Chunked>()
            .with_name(name)
            .into_series(),
        Kind::Bool => vals
            .iter()
            .map(|v| match v {
                Value::Bool(b) => Some(*b),
                _ => None,
            })
            .collect::<BooleanChunked>()
            .with_name(name)
            .into_series(),
        Kind::Str | Kind::Null => vals
            .iter()
            .map(|v| v.as_str())
            .collect::<StringChunked>()
            .with_name(name)
            .into_series(),
        Kind::Multi => {
            let ca: ListChunked = vals
                .iter()
                .map(|v| match v {
                    Value::Null => None,
                    v => Some(Series::new(PlSmallStr::EMPTY, v.values())),
                })
                .collect();
            ca.with_name(name)
                .into_series()
                .cast(&DataType::List(Box::new(DataType::String)))?
        }
    };
    Ok(s.into_column())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_strictly_and_render_without_fraction() {
        assert_eq!(parse_num("4688"), Some(4688.0));
        assert_eq!(parse_num("-1.5e2"), Some(-150.0));
        assert_eq!(parse_num("inf"), None);
        assert_eq!(parse_num(" 5"), None);
        assert_eq!(parse_num(""), None);
        assert_eq!(render_num(5.0), "5");
        assert_eq!(render_num(0.25), "0.25");
    }

    #[test]
    fn compare_is_numeric_when_both_look_numeric() {
        let s = |x: &str| Value::Str(x.into());
        assert_eq!(compare(&s("10"), &s("9")), Some(Ordering::Greater));
        assert_eq!(compare(&s("abc"), &s("abd")), Some(Ordering::Less));
        assert_eq!(compare(&s("B"), &s("a")), Some(Ordering::Less));
        assert_eq!(compare(&Value::Null, &s("a")), None);
    }
}

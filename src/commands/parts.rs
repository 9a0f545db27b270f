//! The argument pieces most commands share, collected from a command's pest pair.

use crate::diagnostic::Span;
use crate::syntax::ast::{Aggregate, Opt, Pipeline};
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;

/// Options, fields, aggregations, `BY` fields, a subsearch, a leading count and quoted strings,
/// in the order written; anything command-specific stays in `rest`.
#[derive(Default)]
pub struct Parts<'i> {
    pub options: Vec<Opt>,
    pub fields: Vec<String>,
    pub aggregates: Vec<Aggregate>,
    pub by: Vec<String>,
    pub subsearch: Option<Pipeline>,
    pub count: Option<u64>,
    pub quoted: Vec<String>,
    /// Whether an `AS` keyword appeared among the fields (`bin _time AS t`).
    pub has_as: bool,
    /// The where clause of a split (`chart`, `timechart`): `WHERE max in top5`.
    pub series_where: Option<SeriesWhere>,
    pub rest: Vec<Pair<'i, Rule>>,
}

impl<'i> Parts<'i> {
    /// Collect the parts of a command pair (its first child, the keyword, is skipped).
    pub fn of(p: &Pair<'i, Rule>) -> BuildResult<Parts<'i>> {
        let mut parts = Parts::default();
        for c in p.clone().into_inner().skip(1) {
            match c.as_rule() {
                Rule::option => parts.options.push(option(&c)?),
                Rule::field | Rule::lookup_name => parts.fields.push(field(&c)),
                Rule::field_list => parts.fields.extend(field_list(&c)),
                Rule::aggregates => {
                    let aggs = aggregates(&c, &mut parts.options)?;
                    parts.aggregates.extend(aggs)
                }
                Rule::by_clause => {
                    let by = by_clause(&c, &mut parts.options)?;
                    parts.by.extend(by)
                }
                Rule::subsearch => parts.subsearch = Some(subsearch(&c)?),
                Rule::count_arg | Rule::integer => {
                    parts.count = Some(c.as_str().parse().map_err(|_| {
                        crate::diagnostic::Diagnostic::new(format!(
                            "count `{}` is too large",
                            c.as_str()
                        ))
                        .at(c.get_input(), span(&c))
                    })?)
                }
                Rule::quoted => parts.quoted.push(quoted(&c)),
                Rule::kw_as => parts.has_as = true,
                Rule::series_where => parts.series_where = Some(SeriesWhere::build(&c)?),
                _ => parts.rest.push(c),
            }
        }
        Ok(parts)
    }

    /// The subsearch, which the grammar requires for this command.
    pub fn take_subsearch(&mut self, p: &Pair<'_, Rule>) -> BuildResult<Pipeline> {
        self.subsearch.take().ok_or_else(|| unexpected(p))
    }

    /// The first field, which the grammar requires for this command.
    pub fn first_field(&self, p: &Pair<'_, Rule>) -> BuildResult<String> {
        self.fields.first().cloned().ok_or_else(|| unexpected(p))
    }
}

/// The where clause of a split field (Search Reference, `timechart` and `chart`, "where
/// clause": `<single-agg> <where-comp>`, "the criteria for including particular data series"):
/// a single aggregation of each series' values, kept when it is in (or not in) the top or
/// bottom N, or above (below) a threshold. `WHERE sum in top10` is the default `limit`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SeriesWhere {
    /// The aggregation over a series' values, lower case (`sum`, `max`, `count`, ...).
    pub func: String,
    /// The field written in `max(x)`, if any (the series' own values are aggregated).
    pub field: Option<String>,
    pub test: SeriesTest,
    #[serde(skip)]
    pub span: Span,
}

/// The criterion of a [`SeriesWhere`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum SeriesTest {
    /// `in top5`, `notin bottom3`.
    Rank { keep_in: bool, top: bool, n: usize },
    /// `> 10`, `< 2.5`.
    Threshold { greater: bool, value: f64 },
}

impl SeriesWhere {
    fn build(p: &Pair<'_, Rule>) -> BuildResult<SeriesWhere> {
        let mut func = String::new();
        let mut of_field = None;
        let mut test = None;
        let bad = |c: &Pair<'_, Rule>| {
            crate::diagnostic::Diagnostic::new(format!("invalid number `{}`", c.as_str()))
                .at(c.get_input(), span(c))
        };
        for c in p.clone().into_inner() {
            match c.as_rule() {
                Rule::kw_where => {}
                Rule::series_where_agg => {
                    for x in c.into_inner() {
                        match x.as_rule() {
                            Rule::agg_func => func = x.as_str().to_ascii_lowercase(),
                            Rule::field => of_field = Some(field(&x)),
                            _ => return Err(unexpected(&x)),
                        }
                    }
                }
                Rule::series_where_rank => {
                    let (mut keep_in, mut top, mut n) = (true, true, 0);
                    for x in c.into_inner() {
                        match x.as_rule() {
                            Rule::series_where_in => {
                                keep_in = !x.as_str().eq_ignore_ascii_case("notin")
                            }
                            Rule::series_where_group => {
                                top = x.as_str().eq_ignore_ascii_case("top")
                            }
                            Rule::series_where_n => n = x.as_str().parse().map_err(|_| bad(&x))?,
                            _ => return Err(unexpected(&x)),
                        }
                    }
                    test = Some(SeriesTest::Rank { keep_in, top, n });
                }
                Rule::series_where_thresh => {
                    let (mut greater, mut value) = (true, 0.0);
                    for x in c.into_inner() {
                        match x.as_rule() {
                            Rule::series_where_op => greater = x.as_str() == ">",
                            Rule::series_where_num => {
                                value = x.as_str().parse().map_err(|_| bad(&x))?
                            }
                            _ => return Err(unexpected(&x)),
                        }
                    }
                    test = Some(SeriesTest::Threshold { greater, value });
                }
                _ => return Err(unexpected(&c)),
            }
        }
        Ok(SeriesWhere {
            func,
            field: of_field,
            test: test.ok_or_else(|| unexpected(p))?,
            span: span(p),
        })
    }

    /// Whether the aggregation is one spelunk computes over a series (checked when planning).
    pub fn check(&self) -> Result<(), String> {
        match self.func.as_str() {
            "sum" | "count" | "c" | "max" | "min" | "avg" | "mean" | "range" => Ok(()),
            f => Err(format!(
                "the where clause of a split takes sum, count, max, min, avg or range, not `{f}`"
            )),
        }
    }

    /// The score of a series: its aggregation over the series' numeric values (`count`, as
    /// the Search Reference says, "measures the total number of events", the sum).
    fn score(&self, values: &[Option<f64>]) -> Option<f64> {
        let v: Vec<f64> = values.iter().flatten().copied().collect();
        if v.is_empty() {
            return None;
        }
        let max = v.iter().copied().fold(f64::MIN, f64::max);
        let min = v.iter().copied().fold(f64::MAX, f64::min);
        Some(match self.func.as_str() {
            "max" => max,
            "min" => min,
            "avg" | "mean" => v.iter().sum::<f64>() / v.len() as f64,
            "range" => max - min,
            _ => v.iter().sum(),
        })
    }

    /// Which series pass, by label and values (ties in a ranking go to the label that sorts
    /// first, as `limit=` breaks them).
    pub fn keep(&self, series: &[(&str, Vec<Option<f64>>)]) -> Vec<bool> {
        let scores: Vec<Option<f64>> = series.iter().map(|s| self.score(&s.1)).collect();
        match self.test {
            SeriesTest::Threshold { greater, value } => scores
                .iter()
                .map(|s| s.is_some_and(|s| if greater { s > value } else { s < value }))
                .collect(),
            SeriesTest::Rank { keep_in, top, n } => {
                let mut order: Vec<usize> = (0..series.len()).collect();
                order.sort_by(|&a, &b| {
                    let (x, y) = (scores[a].unwrap_or(f64::NAN), scores[b].unwrap_or(f64::NAN));
                    // Series without a number rank last either way.
                    let o = match (x.is_nan(), y.is_nan()) {
                        (true, true) => std::cmp::Ordering::Equal,
                        (true, false) => std::cmp::Ordering::Greater,
                        (false, true) => std::cmp::Ordering::Less,
                        _ if top => y.total_cmp(&x),
                        _ => x.total_cmp(&y),
                    };
                    o.then_with(|| series[a].0.cmp(series[b].0))
                });
                let mut inside = vec![false; series.len()];
                for &i in order.iter().take(n) {
                    inside[i] = true;
                }
                inside.into_iter().map(|x| x == keep_in).collect()
            }
        }
    }
}

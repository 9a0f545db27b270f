//! DensityFunction over result sets: fitting a model to results, annotating results with it, and
//! the table `summary` shows.

use super::density::{self, bounds, fit_group, score, DensityModel, Threshold};
use crate::frame::values_at;
use polars::prelude::*;
use std::collections::HashMap;

/// A column's values as numbers (text that is not a number, multivalues and nulls: None).
pub fn numbers(df: &DataFrame, field: &str) -> Vec<Option<f64>> {
    let Ok(c) = df.column(field) else {
        return vec![None; df.height()];
    };
    if matches!(c.dtype(), DataType::List(_)) {
        return vec![None; df.height()];
    }
    let Ok(f) = c.cast(&DataType::Float64) else {
        return vec![None; df.height()];
    };
    match f.f64() {
        Ok(ca) => ca.iter().collect(),
        Err(_) => vec![None; df.height()],
    }
}

/// Each row's group: the text of its `by` fields (None when one is null).
pub fn keys(df: &DataFrame, by: &[String]) -> Vec<Option<Vec<String>>> {
    let cols: Vec<Option<&Column>> = by.iter().map(|b| df.column(b).ok()).collect();
    (0..df.height())
        .map(|i| {
            cols.iter()
                .map(|c| {
                    let v = c.map(|c| values_at(c, i)).unwrap_or_default();
                    (!v.is_empty()).then(|| v.join(" "))
                })
                .collect()
        })
        .collect()
}

/// Fit a DensityFunction model to results: one density per group of `by` values, in the order
/// groups first appear. Results whose field is not a number, or whose `by` fields are null,
/// are left out.
pub fn fit(
    df: &DataFrame,
    field: &str,
    by: &[String],
    dist: &str,
    threshold: Threshold,
    show_density: bool,
) -> Result<DensityModel, String> {
    let xs = numbers(df, field);
    let ks = keys(df, by);
    let mut order: Vec<Vec<String>> = Vec::new();
    let mut groups: HashMap<Vec<String>, Vec<f64>> = HashMap::new();
    for (x, k) in xs.into_iter().zip(ks) {
        let (Some(x), Some(k)) = (x, k) else { continue };
        if !x.is_finite() {
            continue;
        }
        groups
            .entry(k.clone())
            .or_insert_with(|| {
                order.push(k);
                Vec::new()
            })
            .push(x);
    }
    let mut fitted = Vec::with_capacity(order.len());
    for k in order {
        let values = groups.get(&k).map(Vec::as_slice).unwrap_or(&[]);
        let g = fit_group(k.clone(), values, dist).map_err(|e| {
            if by.is_empty() {
                e
            } else {
                format!("group {}: {e}", k.join(", "))
            }
        })?;
        fitted.push(g);
    }
    Ok(DensityModel {
        field: field.to_string(),
        by: by.to_vec(),
        dist: dist.to_string(),
        threshold,
        show_density,
        groups: fitted,
    })
}

/// Add `IsOutlier(<field>)`, `ProbabilityDensity(<field>)` (with `show_density`) and
/// `BoundaryRanges` to results. Results whose group the model has not seen, or whose field is
/// not a number, get nulls.
pub fn annotate(
    mut df: DataFrame,
    m: &DensityModel,
    t: &Threshold,
    show_density: bool,
) -> PolarsResult<DataFrame> {
    let index: HashMap<&Vec<String>, usize> = m
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| (&g.key, i))
        .collect();
    let bs: Vec<density::Bounds> = m.groups.iter().map(|g| bounds(g, t)).collect();
    let xs = numbers(&df, &m.field);
    let ks = keys(&df, &m.by);
    let n = df.height();
    let mut outlier: Vec<Option<f64>> = Vec::with_capacity(n);
    let mut dens: Vec<Option<f64>> = Vec::with_capacity(n);
    let mut ranges: Vec<Option<Series>> = Vec::with_capacity(n);
    for (x, k) in xs.into_iter().zip(ks) {
        let gi = k.as_ref().and_then(|k| index.get(k)).copied();
        match (x, gi) {
            (Some(x), Some(gi)) => {
                let (o, d) = score(&m.groups[gi], &bs[gi], x);
                outlier.push(Some(if o { 1.0 } else { 0.0 }));
                dens.push(d);
                let r = &bs[gi].ranges;
                ranges.push((!r.is_empty()).then(|| {
                    Series::new(
                        PlSmallStr::EMPTY,
                        r.iter().map(String::as_str).collect::<Vec<_>>(),
                    )
                }));
            }
            _ => {
                outlier.push(None);
                dens.push(None);
                ranges.push(None);
            }
        }
    }
    df.with_column(Column::new(
        format!("IsOutlier({})", m.field).into(),
        outlier,
    ))?;
    if show_density {
        df.with_column(Column::new(
            format!("ProbabilityDensity({})", m.field).into(),
            dens,
        ))?;
    }
    let list: ListChunked = ranges.into_iter().collect();
    let list = crate::frame::text_list(list);
    df.with_column(
        list.into_series()
            .with_name("BoundaryRanges".into())
            .into_column(),
    )?;
    Ok(df)
}

/// The table `summary` shows for a DensityFunction model: one row per group, its `by` values,
/// then `type`, `min`, `max`, `mean`, `std`, `cardinality`, `distance` and `other` (the
/// distribution's other parameters).
pub fn summary(m: &DensityModel) -> PolarsResult<DataFrame> {
    let mut cols: Vec<Column> =
        m.by.iter()
            .enumerate()
            .map(|(j, b)| {
                let v: Vec<Option<&str>> = m
                    .groups
                    .iter()
                    .map(|g| g.key.get(j).map(String::as_str))
                    .collect();
                Column::new(b.as_str().into(), v)
            })
            .collect();
    let f = |get: fn(&density::Group) -> f64| -> Vec<f64> { m.groups.iter().map(get).collect() };
    cols.push(Column::new(
        "type".into(),
        m.groups
            .iter()
            .map(|g| density::dist_name(&g.dist))
            .collect::<Vec<_>>(),
    ));
    cols.push(Column::new("min".into(), f(|g| g.min)));
    cols.push(Column::new("max".into(), f(|g| g.max)));
    cols.push(Column::new("mean".into(), f(|g| g.mean)));
    cols.push(Column::new("std".into(), f(|g| g.std)));
    cols.push(Column::new(
        "cardinality".into(),
        m.groups
            .iter()
            .map(|g| g.cardinality as i64)
            .collect::<Vec<_>>(),
    ));
    cols.push(Column::new("distance".into(), f(|g| g.distance)));
    cols.push(Column::new(
        "other".into(),
        m.groups
            .iter()
            .map(|g| density::dist_other(&g.dist))
            .collect::<Vec<_>>(),
    ));
    DataFrame::new_infer_height(cols)
}

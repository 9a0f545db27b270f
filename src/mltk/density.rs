//! MLTK's DensityFunction algorithm: one probability density per group of the `by` fields,
//! fitted to a numeric field; values in the low-probability tails are outliers.
//!
//! What is implemented (MLTK's "Algorithms" page, DensityFunction):
//! - `dist=norm` (mean and standard deviation, maximum likelihood), `expon` (location the
//!   minimum, scale the mean above it, as scipy's `expon.fit`), `gaussian_kde` (Gaussian kernels
//!   with Scott's bandwidth `std * n^(-1/5)`, as scipy's `gaussian_kde`; at most
//!   [`KDE_MAX_POINTS`] kernels, evenly spaced order statistics beyond that), `beta` (fitted by
//!   the method of moments over the data's range; MLTK uses maximum likelihood) and `auto`
//!   (the default): norm, expon and gaussian_kde are fitted and the one with the smallest
//!   Wasserstein distance to the data is kept, ties going to that order.
//! - `threshold=t` (default 0.01): the area of the density flagged as outliers; it is split
//!   equally between both tails, except for `expon`, whose outliers are the right tail only.
//!   `lower_threshold`/`upper_threshold`: the area of the left and right tail separately.
//! - Outputs: `IsOutlier(<field>)` (1.0 or 0.0; also 1.0 where the density is zero),
//!   `ProbabilityDensity(<field>)` with `show_density=true`, and `BoundaryRanges`, the outlier
//!   ranges as `from:to:area` texts in ascending order (`-Infinity:lo:area`, `hi:Infinity:area`).
//! - A group whose values are all equal gets a point mass: values different from it are
//!   outliers, no density, no ranges.

use serde::{Deserialize, Serialize};

/// At most this many kernels in a Gaussian KDE.
pub const KDE_MAX_POINTS: usize = 2000;
/// At most this many quantiles compared for the Wasserstein distance.
const DISTANCE_QUANTILES: usize = 200;

/// A fitted distribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Dist {
    Norm {
        mean: f64,
        std: f64,
    },
    Expon {
        loc: f64,
        scale: f64,
    },
    GaussianKde {
        bandwidth: f64,
        points: Vec<f64>,
    },
    Beta {
        a: f64,
        b: f64,
        loc: f64,
        scale: f64,
    },
    /// All training values were this one.
    Point {
        value: f64,
    },
}

/// The outlier area: both tails from one `threshold`, or each tail on its own.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    pub threshold: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

impl Default for Threshold {
    fn default() -> Self {
        Threshold {
            threshold: Some(0.01),
            lower: None,
            upper: None,
        }
    }
}

impl Threshold {
    /// From `threshold=`, `lower_threshold=`, `upper_threshold=` texts (None: not given).
    pub fn parse(
        threshold: Option<&str>,
        lower: Option<&str>,
        upper: Option<&str>,
    ) -> Result<Option<Threshold>, String> {
        let num = |k: &str, v: Option<&str>| -> Result<Option<f64>, String> {
            let Some(v) = v else { return Ok(None) };
            if v.trim_start().starts_with('(') {
                return Err(format!(
                    "`{k}={v}`: several thresholds at once are not supported yet (give one number)"
                ));
            }
            let x: f64 = v
                .trim()
                .parse()
                .map_err(|_| format!("`{k}={v}` is not a number"))?;
            if !(x > 0.0 && x < 1.0) {
                return Err(format!("`{k}={v}` must be between 0 and 1 (exclusive)"));
            }
            Ok(Some(x))
        };
        let (t, lo, hi) = (
            num("threshold", threshold)?,
            num("lower_threshold", lower)?,
            num("upper_threshold", upper)?,
        );
        if t.is_some() && (lo.is_some() || hi.is_some()) {
            return Err(
                "give either `threshold=` or `lower_threshold=`/`upper_threshold=`, not both"
                    .into(),
            );
        }
        if lo.unwrap_or(0.0) + hi.unwrap_or(0.0) >= 1.0 {
            return Err("`lower_threshold` + `upper_threshold` must be less than 1".into());
        }
        if t.is_none() && lo.is_none() && hi.is_none() {
            return Ok(None);
        }
        Ok(Some(Threshold {
            threshold: t,
            lower: lo,
            upper: hi,
        }))
    }

    /// The (left, right) tail areas for a distribution.
    fn tails(&self, d: &Dist) -> (f64, f64) {
        match self.threshold {
            Some(t) => match d {
                Dist::Expon { .. } => (0.0, t),
                _ => (t / 2.0, t / 2.0),
            },
            None => (self.lower.unwrap_or(0.0), self.upper.unwrap_or(0.0)),
        }
    }
}

/// One group's fitted density and the statistics `summary` shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// The values of the `by` fields (empty without `by`).
    pub key: Vec<String>,
    pub dist: Dist,
    /// Number of training values.
    pub cardinality: usize,
    pub mean: f64,
    pub std: f64,
    pub min: f64,
    pub max: f64,
    /// Wasserstein distance between the data and the fitted distribution.
    pub distance: f64,
}

/// A DensityFunction model: the field, the `by` fields, the options and one density per group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DensityModel {
    pub field: String,
    pub by: Vec<String>,
    /// `dist=` as given (`auto` by default).
    pub dist: String,
    pub threshold: Threshold,
    pub show_density: bool,
    pub groups: Vec<Group>,
}

/// A group's outlier boundaries under a threshold: values below `lo` or above `hi` are
/// outliers; `ranges` is their `BoundaryRanges` text.
#[derive(Debug, Clone, PartialEq)]
pub struct Bounds {
    pub lo: Option<f64>,
    pub hi: Option<f64>,
    pub ranges: Vec<String>,
}

/// The distribution names `dist=` takes.
pub const DISTS: &[&str] = &["auto", "norm", "expon", "gaussian_kde", "beta"];

/// Fit one group's values (finite numbers, at least one) with `dist`.
pub fn fit_group(key: Vec<String>, values: &[f64], dist: &str) -> Result<Group, String> {
    let mut xs: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if xs.is_empty() {
        return Err("no numeric values to fit".into());
    }
    xs.sort_by(f64::total_cmp);
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    let std = var.sqrt();
    let (min, max) = (xs[0], xs[xs.len() - 1]);
    let d = if min == max {
        Dist::Point { value: min }
    } else {
        match dist {
            "norm" => Dist::Norm { mean, std },
            "expon" => fit_expon(&xs, mean),
            "gaussian_kde" => fit_kde(&xs, mean),
            "beta" => fit_beta(&xs).ok_or_else(|| {
                "the values cannot be fitted with a beta distribution (their variance is too large for their range)".to_string()
            })?,
            "auto" => {
                let candidates = [
                    Dist::Norm { mean, std },
                    fit_expon(&xs, mean),
                    fit_kde(&xs, mean),
                ];
                let mut best: Option<(f64, Dist)> = None;
                for c in candidates {
                    let w = wasserstein(&xs, &c);
                    if best.as_ref().is_none_or(|(bw, _)| w < *bw) {
                        best = Some((w, c));
                    }
                }
                best.map(|(_, d)| d).unwrap_or(Dist::Norm { mean, std })
            }
            other => {
                return Err(format!(
                    "unknown dist `{other}` ({})",
                    DISTS.join(", ")
                ))
            }
        }
    };
    let distance = wasserstein(&xs, &d);
    Ok(Group {
        key,
        dist: d,
        cardinality: xs.len(),
        mean,
        std,
        min,
        max,
        distance,
    })
}

fn fit_expon(xs: &[f64], mean: f64) -> Dist {
    let loc = xs[0];
    Dist::Expon {
        loc,
        scale: mean - loc,
    }
}

fn fit_kde(xs: &[f64], mean: f64) -> Dist {
    let n = xs.len();
    let sd1 = if n > 1 {
        (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0)).sqrt()
    } else {
        0.0
    };
    let points: Vec<f64> = if n <= KDE_MAX_POINTS {
        xs.to_vec()
    } else {
        (0..KDE_MAX_POINTS)
            .map(|i| xs[i * (n - 1) / (KDE_MAX_POINTS - 1)])
            .collect()
    };
    Dist::GaussianKde {
        bandwidth: sd1 * (n as f64).powf(-0.2),
        points,
    }
}

fn fit_beta(xs: &[f64]) -> Option<Dist> {
    let (lo, hi) = (xs[0], xs[xs.len() - 1]);
    let scale = hi - lo;
    let n = xs.len() as f64;
    let ys: Vec<f64> = xs.iter().map(|x| (x - lo) / scale).collect();
    let m = ys.iter().sum::<f64>() / n;
    let v = ys.iter().map(|y| (y - m).powi(2)).sum::<f64>() / n;
    if v <= 0.0 || v >= m * (1.0 - m) {
        return None;
    }
    let k = m * (1.0 - m) / v - 1.0;
    Some(Dist::Beta {
        a: m * k,
        b: (1.0 - m) * k,
        loc: lo,
        scale,
    })
}

/// The 1-Wasserstein distance between sorted data and a distribution: the mean absolute
/// difference of their quantiles at evenly spaced probabilities.
fn wasserstein(sorted: &[f64], d: &Dist) -> f64 {
    let n = sorted.len();
    let m = n.clamp(1, DISTANCE_QUANTILES);
    let mut total = 0.0;
    for k in 0..m {
        let u = (k as f64 + 0.5) / m as f64;
        let emp = sorted[((u * n as f64) as usize).min(n - 1)];
        total += (emp - ppf(d, u)).abs();
    }
    total / m as f64
}

/// Probability density at x.
pub fn pdf(d: &Dist, x: f64) -> Option<f64> {
    Some(match d {
        Dist::Norm { mean, std } => norm_pdf((x - mean) / std) / std,
        Dist::Expon { loc, scale } => {
            if x < *loc {
                0.0
            } else {
                (-(x - loc) / scale).exp() / scale
            }
        }
        Dist::GaussianKde { bandwidth, points } => {
            let h = *bandwidth;
            points.iter().map(|p| norm_pdf((x - p) / h)).sum::<f64>() / (points.len() as f64 * h)
        }
        Dist::Beta { a, b, loc, scale } => {
            let y = (x - loc) / scale;
            if y <= 0.0 || y >= 1.0 {
                0.0
            } else {
                ((a - 1.0) * y.ln() + (b - 1.0) * (1.0 - y).ln() - ln_beta(*a, *b)).exp() / scale
            }
        }
        Dist::Point { .. } => return None,
    })
}

/// Cumulative distribution at x.
pub fn cdf(d: &Dist, x: f64) -> f64 {
    match d {
        Dist::Norm { mean, std } => norm_cdf((x - mean) / std),
        Dist::Expon { loc, scale } => {
            if x < *loc {
                0.0
            } else {
                1.0 - (-(x - loc) / scale).exp()
            }
        }
        Dist::GaussianKde { bandwidth, points } => {
            points
                .iter()
                .map(|p| norm_cdf((x - p) / bandwidth))
                .sum::<f64>()
                / points.len() as f64
        }
        Dist::Beta { a, b, loc, scale } => {
            let y = (x - loc) / scale;
            if y <= 0.0 {
                0.0
            } else if y >= 1.0 {
                1.0
            } else {
                inc_beta(*a, *b, y)
            }
        }
        Dist::Point { value } => {
            if x < *value {
                0.0
            } else {
                1.0
            }
        }
    }
}

/// The quantile function (inverse of [`cdf`]) at p in (0, 1).
pub fn ppf(d: &Dist, p: f64) -> f64 {
    match d {
        Dist::Norm { mean, std } => mean + std * norm_ppf(p),
        Dist::Expon { loc, scale } => loc - scale * (1.0 - p).ln(),
        Dist::Point { value } => *value,
        Dist::GaussianKde { bandwidth, points } => {
            let lo = points.first().copied().unwrap_or(0.0) - 40.0 * bandwidth;
            let hi = points.last().copied().unwrap_or(0.0) + 40.0 * bandwidth;
            bisect(|x| cdf(d, x), p, lo, hi)
        }
        Dist::Beta { loc, scale, .. } => bisect(|x| cdf(d, x), p, *loc, loc + scale),
    }
}

fn bisect(f: impl Fn(f64) -> f64, p: f64, mut lo: f64, mut hi: f64) -> f64 {
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if f(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-12 * (1.0 + mid.abs()) {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// The outlier boundaries of a group under a threshold.
pub fn bounds(g: &Group, t: &Threshold) -> Bounds {
    let mut b = Bounds {
        lo: None,
        hi: None,
        ranges: Vec::new(),
    };
    if let Dist::Point { .. } = g.dist {
        return b;
    }
    let (left, right) = t.tails(&g.dist);
    if left > 0.0 {
        let lo = ppf(&g.dist, left);
        b.ranges
            .push(format!("-Infinity:{}:{}", num(lo), num(left)));
        b.lo = Some(lo);
    }
    if right > 0.0 {
        let hi = ppf(&g.dist, 1.0 - right);
        b.ranges
            .push(format!("{}:Infinity:{}", num(hi), num(right)));
        b.hi = Some(hi);
    }
    b
}

/// Score one value: whether it is an outlier, and its probability density.
pub fn score(g: &Group, b: &Bounds, x: f64) -> (bool, Option<f64>) {
    if let Dist::Point { value } = g.dist {
        return (x != value, None);
    }
    let density = pdf(&g.dist, x);
    let outlier =
        density == Some(0.0) || b.lo.is_some_and(|lo| x < lo) || b.hi.is_some_and(|hi| x > hi);
    (outlier, density)
}

fn num(x: f64) -> String {
    crate::frame::format_number(x)
}

/// The name `summary` shows for a distribution.
pub fn dist_name(d: &Dist) -> &'static str {
    match d {
        Dist::Norm { .. } => "Normal",
        Dist::Expon { .. } => "Exponential",
        Dist::GaussianKde { .. } => "Gaussian KDE",
        Dist::Beta { .. } => "Beta",
        Dist::Point { .. } => "Point",
    }
}

/// The parameters `summary` shows in `other` (those not in `mean`/`std`).
pub fn dist_other(d: &Dist) -> String {
    match d {
        Dist::Norm { .. } | Dist::Point { .. } => String::new(),
        Dist::Expon { loc, scale } => format!("loc: {}, scale: {}", num(*loc), num(*scale)),
        Dist::GaussianKde { bandwidth, .. } => format!("bandwidth: {}", num(*bandwidth)),
        Dist::Beta { a, b, loc, scale } => format!(
            "a: {}, b: {}, loc: {}, scale: {}",
            num(*a),
            num(*b),
            num(*loc),
            num(*scale)
        ),
    }
}

// ---------- special functions ----------

fn norm_pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Standard normal CDF, via the complementary error function.
pub fn norm_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// erfc with relative error below 1.2e-7 (Numerical Recipes' Chebyshev fit).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.26551223
            + t * (1.00002368
                + t * (0.37409196
                    + t * (0.09678418
                        + t * (-0.18628806
                            + t * (0.27886807
                                + t * (-1.13520398
                                    + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
            .exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// Inverse of the standard normal CDF (Acklam's rational approximation, relative error below
/// 1.2e-9).
#[allow(clippy::excessive_precision)]
pub fn norm_ppf(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969683028665376e+01,
        2.209460984245205e+02,
        -2.759285104469687e+02,
        1.383577518672690e+02,
        -3.066479806614716e+01,
        2.506628277459239e+00,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e+01,
        1.615858368580409e+02,
        -1.556989798598866e+02,
        6.680131188771972e+01,
        -1.328068155288572e+01,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-03,
        -3.223964580411365e-01,
        -2.400758277161838e+00,
        -2.549732539343734e+00,
        4.374664141464968e+00,
        2.938163982698783e+00,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-03,
        3.224671290700398e-01,
        2.445134137142996e+00,
        3.754408661907416e+00,
    ];
    let plow = 0.02425;
    if p < plow {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - plow {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    }
}

fn ln_gamma(x: f64) -> f64 {
    // Lanczos approximation (g = 7, n = 9).
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.5203681218851,
        -1259.1392167224028,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507343278686905,
        -0.13857109526572012,
        9.984_369_578_019_572e-6,
        1.5056327351493116e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// The regularized incomplete beta function I_x(a, b) (continued fraction, Numerical Recipes).
fn inc_beta(a: f64, b: f64, x: f64) -> f64 {
    let front = (a * x.ln() + b * (1.0 - x).ln() - ln_beta(a, b)).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x) / a
    } else {
        1.0 - front * beta_cf(b, a, 1.0 - x) / b
    }
}

fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    let tiny = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < tiny {
        d = tiny;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..300 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < tiny {
            d = tiny;
        }
        c = 1.0 + aa / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < tiny {
            d = tiny;
        }
        c = 1.0 + aa / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 3e-14 {
            break;
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantiles_match_the_tables() {
        assert!((norm_ppf(0.975) - 1.959964).abs() < 1e-5);
        assert!((norm_ppf(0.005) + 2.575829).abs() < 1e-5);
        assert!((norm_cdf(1.959964) - 0.975).abs() < 1e-6);
    }

    #[test]
    fn beta_cdf_of_a_uniform_and_a_symmetric_beta() {
        assert!((inc_beta(1.0, 1.0, 0.3) - 0.3).abs() < 1e-9);
        assert!((inc_beta(2.0, 2.0, 0.5) - 0.5).abs() < 1e-9);
        // I_0.25(2, 3) = 0.26171875 (exact: polynomial CDF).
        assert!((inc_beta(2.0, 3.0, 0.25) - 0.26171875).abs() < 1e-9);
    }

    #[test]
    fn normal_threshold_splits_between_both_tails() {
        let xs: Vec<f64> = (1..=9).map(|x| x as f64).collect();
        let g = fit_group(vec![], &xs, "norm").unwrap();
        assert_eq!(g.mean, 5.0);
        let b = bounds(&g, &Threshold::default());
        // std = sqrt(20/3); upper boundary = 5 + 2.5758 * 2.582 = 11.651.
        assert!(score(&g, &b, 12.0).0);
        assert!(!score(&g, &b, 11.0).0);
        assert!(score(&g, &b, -1.7).0);
        assert_eq!(b.ranges.len(), 2);
        assert!(b.ranges[1].starts_with("11.65"), "{:?}", b.ranges);
        assert!(b.ranges[1].ends_with(":Infinity:0.005"));
        assert!(b.ranges[0].starts_with("-Infinity:-1.65"), "{:?}", b.ranges);
    }

    #[test]
    fn exponential_threshold_is_the_right_tail_only() {
        let xs = [0.0, 1.0, 1.0, 2.0, 3.0, 5.0];
        let g = fit_group(vec![], &xs, "expon").unwrap();
        // loc 0, scale 2: upper = -2 ln(0.01) = 9.21.
        let b = bounds(&g, &Threshold::default());
        assert!(!score(&g, &b, 9.0).0);
        assert_eq!(
            b.ranges,
            vec!["9.210340371976182:Infinity:0.01".to_string()]
        );
        assert!(score(&g, &b, 9.3).0);
        // Below the fitted minimum the density is zero: an outlier too.
        assert!(score(&g, &b, -0.5).0);
    }

    #[test]
    fn auto_picks_the_closest_distribution() {
        // Exponential-looking data: many small values, a long right tail.
        let xs: Vec<f64> = (1..200).map(|i| -(1.0 - i as f64 / 200.0).ln()).collect();
        let g = fit_group(vec![], &xs, "auto").unwrap();
        assert!(matches!(
            g.dist,
            Dist::Expon { .. } | Dist::GaussianKde { .. }
        ));
        let sym: Vec<f64> = (1..200).map(|i| norm_ppf(i as f64 / 200.0)).collect();
        let g = fit_group(vec![], &sym, "auto").unwrap();
        assert!(!matches!(g.dist, Dist::Expon { .. }));
    }

    #[test]
    fn thresholds_parse_and_reject() {
        assert_eq!(Threshold::parse(None, None, None), Ok(None));
        assert!(Threshold::parse(Some("2"), None, None).is_err());
        assert!(Threshold::parse(Some("0.1"), Some("0.1"), None).is_err());
        let t = Threshold::parse(None, None, Some("0.05")).unwrap().unwrap();
        assert_eq!(t.upper, Some(0.05));
    }
}

//! `anomalydetection`: find anomalous events by the probability of their field values
//! (`method=histogram`, the default).

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Find anomalous values of fields (`action=`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Anomalydetection {
    pub options: Vec<Opt>,
    pub fields: Vec<String>,
}

impl Anomalydetection {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Anomalydetection> {
        let parts = Parts::of(p)?;
        Ok(Anomalydetection {
            options: parts.options,
            fields: parts.fields,
        })
    }
}

// ---------- semantics ----------

use crate::diagnostic::Diagnostic;
use crate::frame::values_at;
use crate::plan::operator::At;
use crate::runtime::Context;
use polars::prelude::*;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Action {
    Filter,
    Annotate,
    Summary,
}

struct Setup {
    action: Action,
    pthresh: Option<f64>,
    cutoff: bool,
}

fn setup(a: &Anomalydetection) -> Result<Setup, String> {
    match a
        .options
        .get_opt("method")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("histogram") => {}
        Some(m @ ("zscore" | "iqr")) => {
            return Err(format!(
                "`anomalydetection method={m}` is not supported yet (method=histogram is; `outlier` does what method=iqr does)"
            ))
        }
        Some(m) => return Err(format!("`anomalydetection method={m}`: histogram, zscore or iqr")),
    }
    let action = match a
        .options
        .get_opt("action")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("filter") => Action::Filter,
        Some("annotate") => Action::Annotate,
        Some("summary") => Action::Summary,
        Some(x) => {
            return Err(format!(
                "`anomalydetection action={x}`: filter, annotate or summary with method=histogram"
            ))
        }
    };
    let pthresh = match a.options.get_opt("pthresh") {
        None => None,
        Some(v) => match v.parse::<f64>() {
            Ok(p) if p > 0.0 && p < 1.0 => Some(p),
            _ => {
                return Err(format!(
                    "`anomalydetection pthresh={v}`: a probability between 0 and 1"
                ))
            }
        },
    };
    Ok(Setup {
        action,
        pthresh,
        cutoff: a
            .options
            .get_opt("cutoff")
            .map(crate::commands::is_true)
            .unwrap_or(true),
    })
}

/// One field's frequencies: of each value (categorical), or of each histogram bin (numeric).
enum Freqs {
    Categorical(HashMap<String, f64>),
    Numeric {
        min: f64,
        width: f64,
        bins: Vec<f64>,
    },
}

impl Freqs {
    fn of(values: &[Option<String>], n: usize) -> Freqs {
        let present: Vec<&String> = values.iter().flatten().collect();
        let nums: Option<Vec<f64>> = present
            .iter()
            .map(|v| v.trim().parse::<f64>().ok())
            .collect();
        match nums {
            Some(xs) if !xs.is_empty() && xs.iter().all(|x| x.is_finite()) => {
                let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
                let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                // Sturges' rule: ceil(log2(n)) + 1 equal-width bins over the values' range.
                let k = ((xs.len() as f64).log2().ceil() as usize + 1).max(1);
                let width = if max > min {
                    (max - min) / k as f64
                } else {
                    1.0
                };
                let mut bins = vec![0.0; k];
                for x in &xs {
                    bins[Self::bin(*x, min, width, k)] += 1.0;
                }
                for b in &mut bins {
                    *b /= n as f64;
                }
                Freqs::Numeric { min, width, bins }
            }
            _ => {
                let mut m: HashMap<String, f64> = HashMap::new();
                for v in present {
                    *m.entry(v.clone()).or_default() += 1.0;
                }
                for c in m.values_mut() {
                    *c /= n as f64;
                }
                Freqs::Categorical(m)
            }
        }
    }

    fn bin(x: f64, min: f64, width: f64, k: usize) -> usize {
        (((x - min) / width).floor().max(0.0) as usize).min(k - 1)
    }

    fn freq(&self, v: &str) -> Option<f64> {
        match self {
            Freqs::Categorical(m) => m.get(v).copied(),
            Freqs::Numeric { min, width, bins } => {
                let x: f64 = v.trim().parse().ok()?;
                bins.get(Self::bin(x, *min, *width, bins.len())).copied()
            }
        }
    }
}

fn quartiles(xs: &[f64]) -> (f64, f64) {
    let mut s = xs.to_vec();
    s.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let pos = p * (s.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        s[lo] + (s[hi] - s[lo]) * (pos - lo as f64)
    };
    (q(0.25), q(0.75))
}

/// Run `anomalydetection` with the histogram method (Search Reference): an event's probability
/// is the product of the frequencies of its field values — for a categorical field the share
/// of events holding the value, for a numeric field the share of events in the value's
/// histogram bin (spelunk: Sturges' ceil(log2 n) + 1 equal-width bins). `log_event_prob` is
/// its natural logarithm. An event is anomalous when its probability is below `pthresh`; without
/// `pthresh`, when `log_event_prob` is below Q1 − 1.5 × IQR of all events' log probabilities
/// (`cutoff=false`), or below Q1 − 3 × IQR (`cutoff=true`, the default: Splunk documents only
/// that cutoff lowers the number of anomalies; spelunk uses Tukey's outer fence).
/// Anomalous events get `log_event_prob`, `probable_cause` (the field whose value is rarest),
/// `probable_cause_freq` (that value's frequency) and `max_freq` (the highest frequency among
/// the event's values). `action=filter` (default) returns the anomalous events,
/// `action=annotate` every event (the fields only on anomalous ones), `action=summary` one
/// result: `num_events`, `num_anomalies`, `thresh` (the log-probability threshold).
/// No field listed: every field not starting with `_`.
fn execute(
    lf: LazyFrame,
    a: &Anomalydetection,
    at: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let s = setup(a).map_err(|e| ctx.error(e, at.span))?;
    let df = lf
        .collect()
        .map_err(|e| ctx.polars_error("anomalydetection", at.span, e))?;
    let n = df.height();
    let names: Vec<String> = if a.fields.is_empty() {
        df.get_column_names()
            .iter()
            .filter(|c| !c.starts_with('_'))
            .map(|c| c.to_string())
            .collect()
    } else {
        a.fields
            .iter()
            .flat_map(|f| crate::frame::matching_columns(df.schema(), f))
            .collect()
    };
    let cols: Vec<(String, Vec<Option<String>>)> = names
        .iter()
        .filter_map(|f| {
            let c = df.column(f).ok()?;
            let v = (0..n)
                .map(|i| {
                    let vs = values_at(c, i);
                    (!vs.is_empty()).then(|| vs.join("\n"))
                })
                .collect();
            Some((f.clone(), v))
        })
        .collect();
    let freqs: Vec<Freqs> = cols.iter().map(|(_, v)| Freqs::of(v, n)).collect();
    let mut logp = vec![0.0f64; n];
    let mut cause: Vec<Option<(usize, f64)>> = vec![None; n];
    let mut maxf: Vec<Option<f64>> = vec![None; n];
    for (j, (_, vals)) in cols.iter().enumerate() {
        for i in 0..n {
            let Some(f) = vals[i].as_deref().and_then(|v| freqs[j].freq(v)) else {
                continue;
            };
            logp[i] += f.ln();
            if cause[i].is_none_or(|(_, cf)| f < cf) {
                cause[i] = Some((j, f));
            }
            if maxf[i].is_none_or(|m| f > m) {
                maxf[i] = Some(f);
            }
        }
    }
    let thresh = match s.pthresh {
        Some(p) => p.ln(),
        None if n == 0 => f64::NEG_INFINITY,
        None => {
            let (q1, q3) = quartiles(&logp);
            q1 - if s.cutoff { 3.0 } else { 1.5 } * (q3 - q1)
        }
    };
    let anomalous: Vec<bool> = logp.iter().map(|l| *l < thresh).collect();
    if s.action == Action::Summary {
        let out = df!(
            "num_events" => [n as i64],
            "num_anomalies" => [anomalous.iter().filter(|x| **x).count() as i64],
            "thresh" => [thresh]
        )
        .map_err(|e| ctx.polars_error("anomalydetection", at.span, e))?;
        return Ok(out.lazy());
    }
    let only = |i: usize| anomalous[i];
    let mut out = df;
    let add = |out: &mut DataFrame, c: Column| {
        out.with_column(c)
            .map(|_| ())
            .map_err(|e| ctx.polars_error("anomalydetection", at.span, e))
    };
    add(
        &mut out,
        Column::new(
            "log_event_prob".into(),
            (0..n)
                .map(|i| only(i).then_some(logp[i]))
                .collect::<Vec<_>>(),
        ),
    )?;
    add(
        &mut out,
        Column::new(
            "probable_cause".into(),
            (0..n)
                .map(|i| cause[i].filter(|_| only(i)).map(|(j, _)| cols[j].0.clone()))
                .collect::<Vec<_>>(),
        ),
    )?;
    add(
        &mut out,
        Column::new(
            "probable_cause_freq".into(),
            (0..n)
                .map(|i| cause[i].filter(|_| only(i)).map(|(_, f)| f))
                .collect::<Vec<_>>(),
        ),
    )?;
    add(
        &mut out,
        Column::new(
            "max_freq".into(),
            (0..n)
                .map(|i| maxf[i].filter(|_| only(i)))
                .collect::<Vec<_>>(),
        ),
    )?;
    if s.action == Action::Filter {
        out = crate::frame::filter_rows(&out, anomalous.into_iter())
            .map_err(|e| ctx.polars_error("anomalydetection", at.span, e))?;
    }
    Ok(out.lazy())
}

runs_execute!(Anomalydetection);

impl crate::commands::SplCommand for Anomalydetection {
    const DOC: &'static str =
        "Find anomalous events: those whose field values are jointly improbable (method=histogram).";
    const OPTIONS: Option<&'static [&'static str]> =
        Some(&["method", "action", "pthresh", "cutoff"]);
    const EXAMPLES: &'static [crate::commands::Example] = &[crate::commands::Example {
        description: "the probability of an event is the product of its values' frequencies: a user seen once among five events has 1/5, below pthresh=0.25",
        search: "| anomalydetection user pthresh=0.25 | table user log_event_prob probable_cause probable_cause_freq",
        input: "user\nalice\nalice\nalice\nalice\nbob\n",
        output: "user,log_event_prob,probable_cause,probable_cause_freq\nbob,-1.6094379124341003,user,0.2\n",
    }];

    fn options(&self) -> &[Opt] {
        &self.options
    }

    fn lower(
        &self,
        c: &Command,
        input: crate::plan::Node,
        cx: &mut crate::commands::Lower,
    ) -> Result<crate::plan::Node, Diagnostic> {
        setup(self).map_err(|e| cx.error(e, c.span))?;
        Ok(cx.opaque(self.clone(), c, input))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| anomalydetection \"count\" \"user_type\" action=annotate");
        let CommandKind::Anomalydetection(x) = c.kind else {
            panic!("not anomalydetection: {c:?}")
        };
        assert_eq!(x.fields, vec!["count", "user_type"]);
        assert_eq!(x.options.get_opt("action"), Some("annotate"));
    }

    #[test]
    fn event_probability_is_the_product_of_frequencies() {
        // 20 events: t=a on 18, t=b on 2; n=1 on 19 and n=100 on 1. Numeric n: 6 bins over
        // [1, 100]; 1 sits with 18 others (freq 0.95), 100 alone (0.05).
        let mut t = vec!["a"; 18];
        t.extend(["b", "b"]);
        let mut n = vec![1i64; 19];
        n.push(100);
        let df = df!("t" => t, "n" => n).unwrap();
        let out = crate::testkit::run_on(df.clone(), "| anomalydetection t n action=annotate");
        assert_eq!(out.height(), 20, "annotate keeps every event");
        let lp = out.column("log_event_prob").unwrap().f64().unwrap().clone();
        // The last event: t=b (0.1) and n=100 (0.05): ln(0.005).
        assert!((lp.get(19).unwrap() - 0.005f64.ln()).abs() < 1e-12);
        assert_eq!(lp.get(0), None, "a normal event gets no annotation");
        let pc = out.column("probable_cause").unwrap().str().unwrap().clone();
        assert_eq!(pc.get(19), Some("n"));
        assert_eq!(pc.get(18), Some("t"), "t=b (0.1) is rarer than n=1 (0.95)");
        // 18 events share ln(0.9 * 0.95): Q1 = Q3, IQR 0, so the threshold is that value and
        // the two events holding t=b fall below it. filter (the default) keeps only those.
        let out = crate::testkit::run_on(df.clone(), "| anomalydetection t n");
        assert_eq!(out.height(), 2);
        let out = crate::testkit::run_on(df.clone(), "| anomalydetection t n action=summary");
        assert_eq!(
            out.column("num_anomalies").unwrap().i64().unwrap().get(0),
            Some(2)
        );
        // pthresh=0.01: only the event of probability 0.005.
        let out = crate::testkit::run_on(df, "| anomalydetection t n pthresh=0.01");
        assert_eq!(out.height(), 1);
    }

    #[test]
    fn other_methods_are_errors() {
        let df = df!("n" => [1i64]).unwrap();
        let e = crate::testkit::try_run_on(df, "| anomalydetection method=zscore n").unwrap_err();
        assert!(e.message.contains("method=zscore"), "{}", e.message);
    }
}

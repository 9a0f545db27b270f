//! Data model definitions: datasets, their constraints, fields and calculated fields, in our own
//! YAML form (`knowledge/datamodels/*.yml`) or from a Splunk CIM app folder (`*.json`, as in
//! `Splunk_SA_CIM`), and the computation of a dataset's row for an event (what an accelerated
//! data model summary holds).

use super::eventtype_search::{self, Expr, FieldSource};
use super::{IndexedEvent, DEFAULT_FIELDS};
use rustc_hash::FxHashMap;
use serde::Deserialize;
use std::borrow::Cow;
use std::path::Path;

/// How a calculated field gets its value.
#[derive(Debug, Clone, PartialEq)]
pub enum CalcOp {
    /// `if(isnull(f) OR f="", "<value>", f)`.
    Default(String),
    /// `case(isnotnull(f) AND f!="", f, isnotnull(src) AND src!="",
    /// replace(src, "^\s*([^\s]+).*", "\1"), 1=1, "<default>")`: the first word of `src`.
    FirstWordOf {
        /// Field whose first word is taken.
        from: String,
        /// Value when both are null or empty.
        default: String,
    },
    /// `lower(src)`.
    Lower(String),
    /// The first of these fields that is not null or empty.
    Coalesce(Vec<String>),
    /// The first of these fields that is not null or empty, else a constant: the CIM's
    /// `if(isnotnull(f) AND f!="", f, if(isnotnull(g) AND g!="", g, "<default>"))`.
    CoalesceOr {
        /// Fields tried in order.
        fields: Vec<String>,
        /// Value when all are null or empty.
        default: String,
    },
    /// `if(isnum(f), f, <default or null>)`.
    NumberOr(Option<String>),
    /// The CIM's `vendor_product` rule: `vendor_product`, else `vendor product`, else sourcetype.
    VendorProduct,
}

/// A calculated field.
#[derive(Debug, Clone, PartialEq)]
pub struct Calc {
    /// Output field.
    pub field: String,
    /// Its computation.
    pub op: CalcOp,
}

/// A dataset of a data model, as defined (inheritance not yet applied).
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetDef {
    /// Dataset name (`Processes`).
    pub name: String,
    /// Parent dataset in the same model; None for a root dataset.
    pub parent: Option<String>,
    /// Constraint search (`tag=process tag=report`).
    pub constraint: String,
    /// Fields of the dataset (besides `_time`, `host`, `source`, `sourcetype`).
    pub fields: Vec<String>,
    /// Calculated fields, applied in order.
    pub calculated: Vec<Calc>,
}

/// A data model (`Endpoint`).
#[derive(Debug, Clone, PartialEq)]
pub struct DataModel {
    /// Model name.
    pub name: String,
    /// Its datasets.
    pub datasets: Vec<DatasetDef>,
}

/// A dataset with inheritance applied, ready to select and compute rows.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// `Model.Dataset`, the name tables are stored under (`Endpoint.Processes`).
    pub name: String,
    /// Field name prefix: the root dataset's name (`Processes`, `All_Traffic`).
    pub prefix: String,
    /// Constraints of the dataset and its ancestors, all of which must match.
    pub constraints: Vec<Expr>,
    /// All fields, inherited ones first, then calculated outputs not listed.
    pub fields: Vec<String>,
    /// Calculations, ancestors' first.
    pub calculated: Vec<Calc>,
    /// Position in `fields` of each extracted field (default fields excluded), so a row is
    /// found in one pass over the event's fields.
    positions: FxHashMap<String, usize>,
    /// Default fields (`host`, `_raw`, ...) that are dataset fields, with their position.
    defaults: Vec<(usize, String)>,
}

// ---------- our YAML form ----------

#[derive(Deserialize)]
struct YamlModel {
    model: String,
    datasets: Vec<YamlDataset>,
}

#[derive(Deserialize)]
struct YamlDataset {
    name: String,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    constraint: String,
    #[serde(default)]
    fields: Vec<String>,
    #[serde(default)]
    calculated: Vec<YamlCalc>,
}

#[derive(Deserialize)]
struct YamlCalc {
    field: String,
    #[serde(default)]
    default: Option<String>,
    #[serde(default)]
    first_word_of: Option<String>,
    #[serde(default)]
    lower: Option<String>,
    #[serde(default)]
    coalesce: Option<Vec<String>>,
    #[serde(default)]
    number_or: Option<Option<String>>,
    #[serde(default)]
    vendor_product: Option<bool>,
    #[serde(default)]
    eval: Option<String>,
}

/// Parses one model in our YAML form.
pub fn from_yaml(text: &str) -> Result<DataModel, String> {
    let m: YamlModel = serde_norway::from_str(text).map_err(|e| e.to_string())?;
    let mut datasets = Vec::new();
    for d in m.datasets {
        let mut calculated = Vec::new();
        for c in d.calculated {
            let op = if let Some(src) = c.first_word_of {
                CalcOp::FirstWordOf {
                    from: src,
                    default: c.default.unwrap_or_else(|| "unknown".into()),
                }
            } else if let Some(l) = c.coalesce {
                match c.default {
                    Some(default) => CalcOp::CoalesceOr { fields: l, default },
                    None => CalcOp::Coalesce(l),
                }
            } else if let Some(v) = c.default {
                CalcOp::Default(v)
            } else if let Some(src) = c.lower {
                CalcOp::Lower(src)
            } else if let Some(n) = c.number_or {
                CalcOp::NumberOr(n)
            } else if c.vendor_product == Some(true) {
                CalcOp::VendorProduct
            } else if let Some(e) = c.eval {
                recognize_eval(&c.field, &e)
                    .ok_or_else(|| format!("calculated field {}: unsupported eval {e}", c.field))?
            } else {
                return Err(format!("calculated field {}: no computation", c.field));
            };
            calculated.push(Calc { field: c.field, op });
        }
        datasets.push(DatasetDef {
            name: d.name,
            parent: d.parent,
            constraint: d.constraint,
            fields: d.fields,
            calculated,
        });
    }
    Ok(DataModel {
        name: m.model,
        datasets,
    })
}

// ---------- Splunk CIM JSON ----------

#[derive(Deserialize)]
struct CimModel {
    #[serde(rename = "modelName")]
    model_name: String,
    objects: Vec<CimObject>,
}

#[derive(Deserialize)]
struct CimObject {
    #[serde(rename = "objectName")]
    name: String,
    #[serde(rename = "parentName", default)]
    parent: String,
    #[serde(rename = "baseSearch", default)]
    base_search: Option<String>,
    #[serde(default)]
    constraints: Vec<CimConstraint>,
    #[serde(default)]
    fields: Vec<CimField>,
    #[serde(default)]
    calculations: Vec<CimCalc>,
}

#[derive(Deserialize)]
struct CimConstraint {
    #[serde(default)]
    search: String,
}

#[derive(Deserialize)]
struct CimField {
    #[serde(rename = "fieldName")]
    name: String,
}

#[derive(Deserialize)]
struct CimCalc {
    #[serde(rename = "calculationType", default)]
    kind: String,
    #[serde(default)]
    expression: String,
    #[serde(rename = "outputFields", default)]
    outputs: Vec<CimField>,
}

const BASE_FIELDS: &[&str] = &["_time", "host", "source", "sourcetype"];

/// Parses one CIM data model JSON (`Endpoint.json`). Calculations this engine cannot compute
/// are listed in the returned warnings; their output fields are kept as columns.
pub fn from_cim_json(text: &str) -> Result<(DataModel, Vec<String>), String> {
    let m: CimModel = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut warnings = Vec::new();
    let mut datasets = Vec::new();
    for o in m.objects {
        let mut constraint = String::new();
        let mut calculated = Vec::new();
        if let Some(bs) = &o.base_search {
            let mut parts = bs.splitn(2, '|');
            constraint = parts.next().unwrap_or("").trim().to_string();
            if let Some(pipeline) = parts.next() {
                for cmd in pipeline.split('|') {
                    let cmd = cmd.trim();
                    let Some(assigns) = cmd.strip_prefix("eval ") else {
                        warnings.push(format!(
                            "{}.{}: unsupported base search command `{cmd}`",
                            m.model_name, o.name
                        ));
                        continue;
                    };
                    for a in split_top_level(assigns) {
                        let Some((f, e)) = a.split_once('=') else {
                            continue;
                        };
                        match recognize_eval(f.trim(), e.trim()) {
                            Some(op) => calculated.push(Calc {
                                field: f.trim().to_string(),
                                op,
                            }),
                            None => warnings.push(format!(
                                "{}.{}: unsupported eval `{}`",
                                m.model_name,
                                o.name,
                                a.trim()
                            )),
                        }
                    }
                }
            }
        }
        for c in &o.constraints {
            if !c.search.trim().is_empty() {
                if !constraint.is_empty() {
                    constraint.push(' ');
                }
                constraint.push_str(&format!("({})", c.search.trim()));
            }
        }
        let mut fields: Vec<String> = o
            .fields
            .iter()
            .map(|f| f.name.clone())
            .filter(|f| !BASE_FIELDS.contains(&f.as_str()))
            .collect();
        for c in &o.calculations {
            for out in &c.outputs {
                if !fields.contains(&out.name) && !BASE_FIELDS.contains(&out.name.as_str()) {
                    fields.push(out.name.clone());
                }
            }
            let [out] = c.outputs.as_slice() else {
                warnings.push(format!(
                    "{}.{}: {} calculation with {} outputs not computed",
                    m.model_name,
                    o.name,
                    c.kind,
                    c.outputs.len()
                ));
                continue;
            };
            if c.kind != "Eval" {
                warnings.push(format!(
                    "{}.{}: {} calculation for {} not computed",
                    m.model_name, o.name, c.kind, out.name
                ));
                continue;
            }
            match recognize_eval(&out.name, &c.expression) {
                Some(op) => calculated.push(Calc {
                    field: out.name.clone(),
                    op,
                }),
                None => warnings.push(format!(
                    "{}.{}: unsupported eval for {}: {}",
                    m.model_name, o.name, out.name, c.expression
                )),
            }
        }
        let parent = match o.parent.as_str() {
            "" | "BaseEvent" | "BaseSearch" | "BaseTransaction" => None,
            p => Some(p.to_string()),
        };
        datasets.push(DatasetDef {
            name: o.name,
            parent,
            constraint,
            fields,
            calculated,
        });
    }
    Ok((
        DataModel {
            name: m.model_name,
            datasets,
        },
        warnings,
    ))
}

/// Splits `a=f(x,y), b=g(z)` at top-level commas.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start, mut in_q) = (0i32, 0, false);
    for (i, ch) in s.char_indices() {
        match ch {
            '"' => in_q = !in_q,
            '(' if !in_q => depth += 1,
            ')' if !in_q => depth -= 1,
            ',' if !in_q && depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// Recognises the eval shapes the CIM uses for calculated fields (see [`CalcOp`]). The
/// expression is parsed by the eval language's grammar (the project's one parser); the shapes are
/// then read off its syntax tree.
pub fn recognize_eval(field: &str, expr: &str) -> Option<CalcOp> {
    use crate::syntax::ast::{BinOp, EvalExpr as E};
    let text = format!("| eval __calc={expr}");
    let pipeline = crate::syntax::parse(&text).ok()?;
    let crate::commands::CommandKind::Eval(ev) = &pipeline.commands.first()?.kind else {
        return None;
    };
    let e = &ev.assignments.first()?.expr;
    let is_field = |e: &E, name: &str| matches!(e, E::Field(n) if n == name);
    let field_name = |e: &E| match e {
        E::Field(n) => Some(n.clone()),
        _ => None,
    };
    let literal = |e: &E| match e {
        E::Str(s) => Some(s.clone()),
        E::Num { text, .. } => Some(text.clone()),
        E::Neg(x) => match &**x {
            E::Num { text, .. } => Some(format!("-{text}")),
            _ => None,
        },
        _ => None,
    };
    let call = |e: &'_ E, name: &str| -> Option<Vec<E>> {
        match e {
            E::Call { name: n, args, .. } if n == name => Some(args.clone()),
            _ => None,
        }
    };
    let binary = |e: &'_ E, op: BinOp| -> Option<(E, E)> {
        match e {
            E::Binary { op: o, lhs, rhs } if *o == op => Some(((**lhs).clone(), (**rhs).clone())),
            _ => None,
        }
    };
    let empty = |e: &E| matches!(e, E::Str(s) if s.is_empty());
    // `isnotnull(f) AND f!=""`: the field of such a test.
    let present = |e: &E| -> Option<String> {
        let (a, b) = binary(e, BinOp::And)?;
        let f = field_name(call(&a, "isnotnull")?.first()?)?;
        let (x, y) = binary(&b, BinOp::Ne)?;
        (is_field(&x, &f) && empty(&y)).then_some(f)
    };
    // `isnull(f) OR f=""`.
    let missing = |e: &E| -> Option<String> {
        let (a, b) = binary(e, BinOp::Or)?;
        let f = field_name(call(&a, "isnull")?.first()?)?;
        let (x, y) = binary(&b, BinOp::Eq)?;
        (is_field(&x, &f) && empty(&y)).then_some(f)
    };
    // if(isnull(f) OR f="", "v", f)
    if let Some([c, v, o]) = call(e, "if").as_deref() {
        if missing(c).as_deref() == Some(field) && is_field(o, field) {
            return literal(v).map(CalcOp::Default);
        }
        // if(isnotnull(f) AND f!="", f, if(isnotnull(g) AND g!="", g, "d"))
        if present(c).as_deref() == Some(field) && is_field(v, field) {
            if let Some([c2, v2, d]) = call(o, "if").as_deref() {
                let g = present(c2)?;
                if is_field(v2, &g) {
                    return Some(CalcOp::CoalesceOr {
                        fields: vec![field.to_string(), g],
                        default: literal(d)?,
                    });
                }
            }
        }
        // if(isnum(f), f, null() | "v")
        if let Some([x]) = call(c, "isnum").as_deref() {
            if is_field(x, field) && is_field(v, field) {
                return match o {
                    E::Call { name, args, .. } if name == "null" && args.is_empty() => {
                        Some(CalcOp::NumberOr(None))
                    }
                    other => Some(CalcOp::NumberOr(Some(literal(other)?))),
                };
            }
        }
    }
    if let Some(args) = call(e, "case") {
        // case(isnotnull(f) AND f!="", f, isnotnull(g) AND g!="", replace(g, "^\s*([^\s]+).*", "\1"), 1=1, "d")
        if let [c1, v1, c2, v2, always, d] = args.as_slice() {
            if present(c1).as_deref() == Some(field) && is_field(v1, field) {
                if let (Some(g), Some(rep)) = (present(c2), call(v2, "replace")) {
                    let first_word = matches!(rep.as_slice(), [x, E::Str(p), E::Str(r)]
                        if is_field(x, &g) && p.starts_with('^') && r.contains('1'));
                    let always_true = binary(always, BinOp::Eq)
                        .is_some_and(|(a, b)| literal(&a) == literal(&b) && literal(&a).is_some());
                    if first_word && always_true {
                        return Some(CalcOp::FirstWordOf {
                            from: g,
                            default: literal(d)?,
                        });
                    }
                }
            }
        }
        // vendor_product: case(isnotnull(vendor_product), vendor_product, ..., isnotnull(sourcetype), sourcetype, ...)
        if field == "vendor_product" {
            let tests_field = |c: &E, f: &str| {
                call(c, "isnotnull").is_some_and(|a| a.first().is_some_and(|x| is_field(x, f)))
            };
            let first = args
                .first()
                .is_some_and(|c| tests_field(c, "vendor_product"))
                && args.get(1).is_some_and(|v| is_field(v, "vendor_product"));
            let has_sourcetype = args.chunks(2).any(|p| {
                p.len() == 2 && tests_field(&p[0], "sourcetype") && is_field(&p[1], "sourcetype")
            });
            if first && has_sourcetype {
                return Some(CalcOp::VendorProduct);
            }
        }
    }
    // lower(g)
    if let Some([g]) = call(e, "lower").as_deref() {
        return field_name(g).map(CalcOp::Lower);
    }
    None
}

/// Loads every `*.json` model of a CIM app folder (`<app>/default/data/models/` or the folder
/// itself).
pub fn load_cim_app(dir: &Path) -> Result<(Vec<DataModel>, Vec<String>), String> {
    let models_dir = [
        dir.join("default/data/models"),
        dir.join("data/models"),
        dir.to_path_buf(),
    ]
    .into_iter()
    .find(|d| d.is_dir())
    .ok_or_else(|| format!("{}: not a folder", dir.display()))?;
    let mut paths: Vec<_> = std::fs::read_dir(&models_dir)
        .map_err(|e| format!("{}: {e}", models_dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let mut models = Vec::new();
    let mut warnings = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        match from_cim_json(&text) {
            Ok((m, w)) => {
                models.push(m);
                warnings.extend(w);
            }
            Err(e) => warnings.push(format!("{}: not a data model: {e}", p.display())),
        }
    }
    if models.is_empty() {
        return Err(format!("{}: no data model JSON found", dir.display()));
    }
    Ok((models, warnings))
}

/// Applies inheritance: every dataset with its ancestors' constraints, fields and calculations.
pub fn resolve(model: &DataModel) -> Result<Vec<Dataset>, String> {
    let mut out = Vec::new();
    for d in &model.datasets {
        let mut chain = vec![d];
        let mut cur = d;
        while let Some(p) = &cur.parent {
            let Some(parent) = model.datasets.iter().find(|x| &x.name == p) else {
                return Err(format!("{}.{}: unknown parent {p}", model.name, d.name));
            };
            if chain.len() > 32 {
                return Err(format!("{}.{}: parent cycle", model.name, d.name));
            }
            chain.push(parent);
            cur = parent;
        }
        chain.reverse();
        let mut constraints = Vec::new();
        let mut fields: Vec<String> = Vec::new();
        let mut calculated = Vec::new();
        for c in &chain {
            if !c.constraint.trim().is_empty() {
                constraints.push(
                    eventtype_search::parse(&c.constraint)
                        .map_err(|e| format!("{}.{}: constraint: {e}", model.name, c.name))?,
                );
            }
            for f in c.fields.iter().chain(c.calculated.iter().map(|x| &x.field)) {
                if !fields.contains(f) {
                    fields.push(f.clone());
                }
            }
            calculated.extend(c.calculated.iter().cloned());
        }
        let mut positions = FxHashMap::default();
        let mut defaults = Vec::new();
        for (i, f) in fields.iter().enumerate() {
            if DEFAULT_FIELDS.contains(&f.as_str()) {
                defaults.push((i, f.clone()));
            } else {
                positions.insert(f.clone(), i);
            }
        }
        out.push(Dataset {
            name: format!("{}.{}", model.name, d.name),
            prefix: chain[0].name.clone(),
            constraints,
            fields,
            calculated,
            positions,
            defaults,
        });
    }
    Ok(out)
}

impl Dataset {
    /// Whether the event belongs to the dataset.
    pub fn selects(&self, ev: &dyn FieldSource) -> bool {
        self.constraints.iter().all(|c| c.matches(ev))
    }

    /// The dataset's values for an event: one entry per field of [`Dataset::fields`], each a
    /// list of values (empty = null), borrowed from the event where not calculated.
    pub fn row<'a>(&self, ev: &'a IndexedEvent) -> Vec<Vec<Cow<'a, str>>> {
        let mut vals: Vec<Vec<Cow<'a, str>>> = vec![Vec::new(); self.fields.len()];
        for (k, v) in &ev.fields {
            if let Some(&i) = self.positions.get(k.as_str()) {
                vals[i].push(Cow::Borrowed(v.as_str()));
            }
        }
        for (i, name) in &self.defaults {
            vals[*i] = default_values(ev, name);
        }
        let get = |vals: &Vec<Vec<Cow<'a, str>>>, name: &str| -> Vec<Cow<'a, str>> {
            match self.fields.iter().position(|f| f == name) {
                Some(i) => vals[i].clone(),
                None if DEFAULT_FIELDS.contains(&name) => default_values(ev, name),
                None => ev
                    .fields
                    .iter()
                    .filter(|(k, _)| k == name)
                    .map(|(_, v)| Cow::Borrowed(v.as_str()))
                    .collect(),
            }
        };
        let empty = |v: &[Cow<str>]| v.iter().all(|x| x.is_empty());
        for c in &self.calculated {
            let Some(i) = self.fields.iter().position(|f| f == &c.field) else {
                continue;
            };
            let new = match &c.op {
                CalcOp::Default(d) => {
                    if empty(&vals[i]) {
                        vec![Cow::Owned(d.clone())]
                    } else {
                        vals[i].clone()
                    }
                }
                CalcOp::FirstWordOf { from, default } => {
                    if !empty(&vals[i]) {
                        vals[i].clone()
                    } else {
                        let src = get(&vals, from);
                        match src.iter().find(|s| !s.is_empty()) {
                            Some(s) => vec![Cow::Owned(
                                s.split_whitespace().next().unwrap_or(s).to_string(),
                            )],
                            None => vec![Cow::Owned(default.clone())],
                        }
                    }
                }
                CalcOp::Lower(src) => get(&vals, src)
                    .iter()
                    .map(|s| Cow::Owned(s.to_lowercase()))
                    .collect(),
                CalcOp::Coalesce(list) => list
                    .iter()
                    .map(|f| get(&vals, f))
                    .find(|v| !empty(v))
                    .unwrap_or_default(),
                CalcOp::CoalesceOr { fields, default } => fields
                    .iter()
                    .map(|f| get(&vals, f))
                    .find(|v| !empty(v))
                    .unwrap_or_else(|| vec![Cow::Owned(default.clone())]),
                CalcOp::NumberOr(d) => {
                    let v = &vals[i];
                    if !v.is_empty() && v.iter().all(|x| x.trim().parse::<f64>().is_ok()) {
                        v.clone()
                    } else {
                        d.iter().map(|x| Cow::Owned(x.clone())).collect()
                    }
                }
                CalcOp::VendorProduct => {
                    let vp = get(&vals, "vendor_product");
                    let vendor = get(&vals, "vendor");
                    let product = get(&vals, "product");
                    let known = |v: &[Cow<str>]| !v.is_empty() && v[0] != "unknown";
                    if !vp.is_empty() {
                        vp
                    } else if known(&vendor) && known(&product) {
                        vec![Cow::Owned(format!("{} {}", vendor[0], product[0]))]
                    } else if known(&vendor) {
                        vec![Cow::Owned(format!("{} unknown", vendor[0]))]
                    } else if known(&product) {
                        vec![Cow::Owned(format!("unknown {}", product[0]))]
                    } else {
                        let st = get(&vals, "sourcetype");
                        if st.is_empty() {
                            vec![Cow::Borrowed("unknown")]
                        } else {
                            st
                        }
                    }
                }
            };
            vals[i] = new;
        }
        vals
    }
}

/// Values of a default field (`host`, `_raw`, `tag`, ...) of an event.
fn default_values<'a>(ev: &'a IndexedEvent, name: &str) -> Vec<Cow<'a, str>> {
    match name {
        "_raw" => vec![Cow::Borrowed(ev.raw.as_str())],
        "host" => vec![Cow::Borrowed(ev.host.as_str())],
        "source" => vec![Cow::Borrowed(ev.source.as_str())],
        "sourcetype" => vec![Cow::Borrowed(ev.sourcetype.as_str())],
        "index" => vec![Cow::Borrowed(ev.index.as_str())],
        "eventtype" => ev
            .eventtype
            .iter()
            .map(|v| Cow::Borrowed(v.as_str()))
            .collect(),
        "tag" => ev.tag.iter().map(|v| Cow::Borrowed(v.as_str())).collect(),
        "_time" => vec![Cow::Owned(ev.time.to_string())],
        _ => Vec::new(),
    }
}

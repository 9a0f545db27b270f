//! `cyberchef`: run a CyberChef recipe on a field (a Splunkbase app's command). Its
//! `jsonrecipe=` holds unescaped quotes in the corpus, so the arguments are kept as raw text.

use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `cyberchef` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cyberchef {
    pub args: String,
}

impl Cyberchef {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Cyberchef> {
        Ok(Cyberchef {
            args: child(p, Rule::raw_args)?.as_str().trim().to_string(),
        })
    }
}

// ---------- semantics ----------

use crate::commands::Lower;
use crate::diagnostic::Diagnostic;
use crate::plan::operator::At;
use crate::plan::Node;
use crate::runtime::Context;
use crate::syntax::ast::Command;
use polars::prelude::{Column, DataType, IntoLazy, LazyFrame};

/// A recipe step: a CyberChef operation and its arguments.
#[derive(Debug, Clone, PartialEq)]
struct Step {
    op: String,
    args: Vec<serde_json::Value>,
}

/// The parsed arguments: `infield=`, `outfield=` (the app's default: `result`), and the recipe
/// (`operation=` one step, or `jsonrecipe=` a JSON list of `{"op": ..., "args": [...]}`).
#[derive(Debug, Clone, PartialEq)]
struct Args {
    infield: String,
    outfield: String,
    steps: Vec<Step>,
}

/// The operations spelunk implements (those security_content uses).
const OPERATIONS: &[&str] = &["From Punycode"];

fn unquote(v: &str) -> &str {
    let v = v.trim();
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return &v[1..v.len() - 1];
        }
    }
    v
}

fn parse_args(text: &str) -> Result<Args, String> {
    // `jsonrecipe=` comes last in practice and holds unescaped quotes: it takes the rest.
    let (head, recipe) = match text.to_ascii_lowercase().find("jsonrecipe=") {
        Some(i) => (&text[..i], Some(unquote(&text[i + "jsonrecipe=".len()..]))),
        None => (text, None),
    };
    let re =
        regex::Regex::new(r#"(\w+)\s*=\s*("[^"]*"|'[^']*'|\S+)"#).map_err(|e| e.to_string())?;
    let (mut infield, mut outfield, mut operation) = (None, None, None);
    for c in re.captures_iter(head) {
        let (k, v) = (&c[1], unquote(&c[2]).to_string());
        match k.to_ascii_lowercase().as_str() {
            "infield" => infield = Some(v),
            "outfield" => outfield = Some(v),
            "operation" => operation = Some(v),
            other => {
                return Err(format!(
                "`cyberchef {other}=` is not supported (infield, outfield, operation, jsonrecipe)"
            ))
            }
        }
    }
    let infield = infield.ok_or("`cyberchef` needs `infield=`")?;
    let steps = match (operation, recipe) {
        (Some(_), Some(_)) => {
            return Err("`cyberchef`: give `operation=` or `jsonrecipe=`, not both".into())
        }
        (None, None) => return Err("`cyberchef` needs `operation=` or `jsonrecipe=`".into()),
        (Some(op), None) => vec![Step {
            op,
            args: Vec::new(),
        }],
        (None, Some(json)) => {
            let v: serde_json::Value = serde_json::from_str(json)
                .map_err(|e| format!("`cyberchef jsonrecipe=`: not a JSON recipe: {e}"))?;
            let list = match v {
                serde_json::Value::Array(a) => a,
                one @ serde_json::Value::Object(_) => vec![one],
                _ => return Err("`cyberchef jsonrecipe=` must be a list of operations".into()),
            };
            list.into_iter()
                .map(|s| {
                    let op = s
                        .get("op")
                        .and_then(|o| o.as_str())
                        .ok_or("`cyberchef jsonrecipe=`: a step without `op`")?
                        .to_string();
                    let args = match s.get("args") {
                        Some(serde_json::Value::Array(a)) => a.clone(),
                        Some(other) => vec![other.clone()],
                        None => Vec::new(),
                    };
                    Ok(Step { op, args })
                })
                .collect::<Result<Vec<_>, String>>()?
        }
    };
    for s in &steps {
        if !OPERATIONS.iter().any(|o| o.eq_ignore_ascii_case(&s.op)) {
            return Err(format!(
                "`cyberchef`: the CyberChef operation \"{}\" is not implemented (spelunk implements: {})",
                s.op,
                OPERATIONS.join(", ")
            ));
        }
    }
    Ok(Args {
        infield,
        outfield: outfield.unwrap_or_else(|| "result".into()),
        steps,
    })
}

/// Run one step on a value.
fn bake(step: &Step, input: &str) -> Option<String> {
    // "From Punycode" (argument: Internationalised domain, default false): with it, each
    // dot-separated label starting `xn--` is decoded (IDNA's ToUnicode); without it, the whole
    // input is one Punycode string.
    let idn = step.args.first().and_then(|a| a.as_bool()).unwrap_or(false);
    if idn {
        let labels: Option<Vec<String>> = input
            .split('.')
            .map(|l| match l.get(..4) {
                Some(p) if p.eq_ignore_ascii_case("xn--") => punycode_decode(&l[4..]),
                _ => Some(l.to_string()),
            })
            .collect();
        labels.map(|l| l.join("."))
    } else {
        punycode_decode(input)
    }
}

/// Decode a Punycode string (RFC 3492, section 6.2); None when it is not valid Punycode.
pub(crate) fn punycode_decode(input: &str) -> Option<String> {
    const BASE: u32 = 36;
    const TMIN: u32 = 1;
    const TMAX: u32 = 26;
    const SKEW: u32 = 38;
    const DAMP: u32 = 700;
    fn adapt(mut delta: u32, numpoints: u32, first: bool) -> u32 {
        delta /= if first { DAMP } else { 2 };
        delta += delta / numpoints;
        let mut k = 0;
        while delta > ((BASE - TMIN) * TMAX) / 2 {
            delta /= BASE - TMIN;
            k += BASE;
        }
        k + (BASE - TMIN + 1) * delta / (delta + SKEW)
    }
    let (basic, rest) = match input.rfind('-') {
        Some(i) => (&input[..i], &input[i + 1..]),
        None => ("", input),
    };
    if !basic.is_ascii() {
        return None;
    }
    let mut out: Vec<char> = basic.chars().collect();
    let (mut n, mut i, mut bias) = (128u32, 0u32, 72u32);
    let mut digits = rest.bytes().peekable();
    while digits.peek().is_some() {
        let old_i = i;
        let mut w = 1u32;
        let mut k = BASE;
        loop {
            let c = digits.next()?;
            let d = match c {
                b'a'..=b'z' => c - b'a',
                b'A'..=b'Z' => c - b'A',
                b'0'..=b'9' => c - b'0' + 26,
                _ => return None,
            } as u32;
            i = i.checked_add(d.checked_mul(w)?)?;
            let t = if k <= bias {
                TMIN
            } else if k >= bias + TMAX {
                TMAX
            } else {
                k - bias
            };
            if d < t {
                break;
            }
            w = w.checked_mul(BASE - t)?;
            k += BASE;
        }
        let len = out.len() as u32 + 1;
        bias = adapt(i - old_i, len, old_i == 0);
        n = n.checked_add(i / len)?;
        i %= len;
        out.insert(i as usize, char::from_u32(n)?);
        i += 1;
    }
    Some(out.into_iter().collect())
}

/// Run `cyberchef`: bake each value of `infield` through the recipe into `outfield` (null
/// where an operation fails on a value, as the app leaves the field empty).
fn execute(
    mut lf: LazyFrame,
    x: &Cyberchef,
    at: &At,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let a = parse_args(&x.args).map_err(|e| ctx.error(e, at.span))?;
    let schema = crate::frame::schema_of(&mut lf, "cyberchef", at.span, ctx)?;
    if !schema.contains(&a.infield) {
        return Ok(lf);
    }
    let mut df = lf
        .collect()
        .map_err(|e| ctx.polars_error("cyberchef", at.span, e))?;
    let input = df
        .column(&a.infield)
        .and_then(|c| c.cast(&DataType::String))
        .map_err(|e| ctx.polars_error("cyberchef", at.span, e))?;
    let values: Vec<Option<String>> = input
        .str()
        .map_err(|e| ctx.polars_error("cyberchef", at.span, e))?
        .iter()
        .map(|v| {
            v.and_then(|v| {
                a.steps
                    .iter()
                    .try_fold(v.to_string(), |acc, s| bake(s, &acc))
            })
        })
        .collect();
    df.with_column(Column::new(a.outfield.as_str().into(), values))
        .map_err(|e| ctx.polars_error("cyberchef", at.span, e))?;
    Ok(df.lazy())
}

runs_execute!(Cyberchef);

impl crate::commands::SplCommand for Cyberchef {
    const DOC: &'static str = "Run a CyberChef recipe on a field (the CyberChef for Splunk app): `infield=`, `outfield=`, `operation=` or `jsonrecipe=`.";
    const EXAMPLES: &'static [crate::commands::Example] = &[crate::commands::Example {
        description: "From Punycode with \"Internationalised domain\" set decodes each xn-- label (RFC 3492's example: bcher-kva is bücher)",
        search: r#"| cyberchef infield="d" outfield="u" jsonrecipe="[{"op":"From Punycode","args":[true]}]""#,
        input: "d\nxn--bcher-kva.example\nplain.example\n",
        output: "d,u\nxn--bcher-kva.example,bücher.example\nplain.example,plain.example\n",
    }];

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        parse_args(&self.args).map_err(|e| cx.error(e, c.span))?;
        Ok(cx.opaque(self.clone(), c, input))
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn raw_arguments() {
        let c = parse_command(
            r#"| cyberchef infield="a" jsonrecipe="[{"op":"From Punycode","args":[true]}]""#,
        );
        let CommandKind::Cyberchef(x) = c.kind else {
            panic!()
        };
        assert!(x.args.starts_with("infield="));
    }

    #[test]
    fn punycode_examples_of_rfc_3492() {
        use super::punycode_decode;
        assert_eq!(punycode_decode("bcher-kva").as_deref(), Some("bücher"));
        // RFC 3492 7.1 (B): Chinese (simplified).
        assert_eq!(
            punycode_decode("ihqwcrb4cv8a8dqg056pqjye").as_deref(),
            Some("他们为什么不说中文")
        );
        assert_eq!(
            punycode_decode("-> $1.00 <--").as_deref(),
            Some("-> $1.00 <-")
        );
        assert_eq!(punycode_decode("a!b"), None);
    }

    #[test]
    fn other_operations_are_errors_naming_them() {
        let df = polars::prelude::df!("d" => ["x"]).unwrap();
        let e = crate::testkit::try_run_on(df, r#"| cyberchef infield=d operation="To Base64""#)
            .unwrap_err();
        assert!(
            e.message.contains("\"To Base64\" is not implemented"),
            "{}",
            e.message
        );
    }
}

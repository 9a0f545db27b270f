//! JSON and XML values as Splunk's `spath` sees them: flattened paths (`a.b{}.c`,
//! `Event.System.EventID`, `Provider{@Name}`) and path lookups.

use std::collections::BTreeMap;

/// Paths to their values, in path order; repeated paths give several values.
pub type Flat = BTreeMap<String, Vec<String>>;

/// One step of a location path: a name and an optional index.
#[derive(Debug, Clone, PartialEq)]
enum Index {
    None,
    /// `{}`: every element of an array.
    All,
    /// `{N}`: JSON arrays count from 0, XML siblings from 1.
    At(usize),
    /// `{@name}`: an XML attribute.
    Attr(String),
}

fn parse_path(path: &str) -> Vec<(String, Index)> {
    let mut steps = Vec::new();
    for part in split_path(path) {
        let (name, idx) = match part.find('{') {
            Some(b) if part.ends_with('}') => {
                let inner = &part[b + 1..part.len() - 1];
                let idx = if inner.is_empty() {
                    Index::All
                } else if let Some(a) = inner.strip_prefix('@') {
                    Index::Attr(a.to_string())
                } else {
                    inner.parse().map(Index::At).unwrap_or(Index::None)
                };
                (part[..b].to_string(), idx)
            }
            _ => (part.to_string(), Index::None),
        };
        steps.push((name, idx));
    }
    steps
}

/// Split on dots that are not inside braces.
fn split_path(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in path.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            '.' if depth == 0 => {
                out.push(&path[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&path[start..]);
    out
}

fn json_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

fn flatten_json(v: &serde_json::Value, prefix: &str, out: &mut Flat) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten_json(x, &p, out);
            }
        }
        serde_json::Value::Array(a) => {
            let p = format!("{prefix}{{}}");
            for x in a {
                flatten_json(x, &p, out);
            }
        }
        scalar => {
            if let Some(s) = json_text(scalar) {
                if !prefix.is_empty() {
                    out.entry(prefix.to_string()).or_default().push(s);
                }
            }
        }
    }
}

fn json_path(v: &serde_json::Value, steps: &[(String, Index)], out: &mut Vec<String>) {
    let Some(((name, idx), rest)) = steps.split_first() else {
        if let serde_json::Value::Array(a) = v {
            out.extend(a.iter().filter_map(json_text));
        } else if let Some(s) = json_text(v) {
            out.push(s);
        }
        return;
    };
    let next = if name.is_empty() {
        Some(v)
    } else {
        v.get(name)
    };
    let Some(next) = next else { return };
    match (idx, next) {
        (Index::All, serde_json::Value::Array(a)) => {
            for x in a {
                json_path(x, rest, out);
            }
        }
        (Index::At(i), serde_json::Value::Array(a)) => {
            if let Some(x) = a.get(*i) {
                json_path(x, rest, out);
            }
        }
        (Index::None, serde_json::Value::Array(a)) if !rest.is_empty() => {
            for x in a {
                json_path(x, rest, out);
            }
        }
        (Index::None, x) | (Index::All, x) => json_path(x, rest, out),
        _ => {}
    }
}

/// An XML element.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Element>,
}

fn parse_xml(text: &str) -> Option<Element> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Element> = vec![Element::default()];
    let open = |e: &quick_xml::events::BytesStart| -> Element {
        let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
        let attrs = e
            .attributes()
            .flatten()
            .map(|a| {
                let k = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
                let v = a
                    .unescape_value()
                    .map(|v| v.into_owned())
                    .unwrap_or_default();
                (k, v)
            })
            .collect();
        Element {
            name,
            attrs,
            ..Element::default()
        }
    };
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => stack.push(open(&e)),
            Ok(Event::Empty(e)) => {
                let el = open(&e);
                stack.last_mut()?.children.push(el);
            }
            Ok(Event::End(_)) => {
                let el = stack.pop()?;
                stack.last_mut()?.children.push(el);
            }
            Ok(Event::Text(t)) => {
                if let Some(top) = stack.last_mut() {
                    if let Ok(s) = t.decode() {
                        top.text.push_str(
                            &quick_xml::escape::unescape(&s)
                                .map(|c| c.into_owned())
                                .unwrap_or_else(|_| s.into_owned()),
                        );
                    }
                }
            }
            Ok(Event::GeneralRef(r)) => {
                if let (Some(top), Ok(name)) = (stack.last_mut(), r.decode()) {
                    let c = match name.as_ref() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        n => n
                            .strip_prefix("#x")
                            .and_then(|h| u32::from_str_radix(h, 16).ok())
                            .or_else(|| n.strip_prefix('#').and_then(|d| d.parse().ok()))
                            .and_then(char::from_u32),
                    };
                    match c {
                        Some(c) => top.text.push(c),
                        None => top.text.push_str(&format!("&{name};")),
                    }
                }
            }
            Ok(Event::CData(t)) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    let mut root = stack.pop()?;
    if root.children.len() == 1 && root.name.is_empty() {
        root.children.pop()
    } else {
        Some(root)
    }
}

fn flatten_xml(e: &Element, prefix: &str, out: &mut Flat) {
    let p = if prefix.is_empty() {
        e.name.clone()
    } else {
        format!("{prefix}.{}", e.name)
    };
    for (k, v) in &e.attrs {
        out.entry(format!("{p}{{@{k}}}"))
            .or_default()
            .push(v.clone());
    }
    let text = e.text.trim();
    if !text.is_empty() {
        out.entry(p.clone()).or_default().push(text.to_string());
    }
    for c in &e.children {
        flatten_xml(c, &p, out);
    }
}

fn xml_path(e: &Element, steps: &[(String, Index)], out: &mut Vec<String>) {
    let Some(((name, idx), rest)) = steps.split_first() else {
        return;
    };
    if &e.name != name {
        return;
    }
    if let Index::Attr(a) = idx {
        if rest.is_empty() {
            out.extend(
                e.attrs
                    .iter()
                    .filter(|(k, _)| k == a)
                    .map(|(_, v)| v.clone()),
            );
        }
        return;
    }
    if rest.is_empty() {
        let t = e.text.trim();
        if !t.is_empty() {
            out.push(t.to_string());
        }
        return;
    }
    let (next_name, next_idx) = &rest[0];
    let matching: Vec<&Element> = e.children.iter().filter(|c| &c.name == next_name).collect();
    match next_idx {
        Index::At(i) => {
            if let Some(c) = i.checked_sub(1).and_then(|i| matching.get(i)) {
                let mut r = rest.to_vec();
                r[0].1 = Index::None;
                xml_path(c, &r, out);
            }
        }
        _ => {
            for c in matching {
                xml_path(c, rest, out);
            }
        }
    }
}

/// Every path and its values, for JSON or XML text (auto-extract mode). None when the text is
/// neither.
pub fn flatten(text: &str) -> Option<Flat> {
    let t = text.trim_start();
    let mut out = Flat::new();
    if t.starts_with('{') || t.starts_with('[') {
        let v: serde_json::Value = serde_json::from_str(t).ok()?;
        flatten_json(&v, "", &mut out);
        return Some(out);
    }
    if t.starts_with('<') {
        let root = parse_xml(t)?;
        flatten_xml(&root, "", &mut out);
        return Some(out);
    }
    None
}

/// The values at a location path in JSON or XML text.
pub fn extract(text: &str, path: &str) -> Vec<String> {
    let t = text.trim_start();
    let steps = parse_path(path);
    let mut out = Vec::new();
    if t.starts_with('{') || t.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(t) {
            json_path(&v, &steps, &mut out);
        }
    } else if t.starts_with('<') {
        if let Some(root) = parse_xml(t) {
            xml_path(&root, &steps, &mut out);
        }
    }
    out
}

/// Add extracted fields to a frame: one column per path (text, or multivalue when some result has
/// several values). Where a field already exists, an extracted value replaces it and a missing
/// one keeps it.
pub fn add_fields(
    df: polars::prelude::DataFrame,
    rows: &[Flat],
) -> polars::prelude::PolarsResult<polars::prelude::DataFrame> {
    use polars::prelude::*;
    let mut keys: Vec<&String> = rows.iter().flat_map(|r| r.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut lf = df.lazy();
    let mut new_cols = Vec::new();
    for key in keys {
        let multi = rows.iter().any(|r| r.get(key).is_some_and(|v| v.len() > 1));
        let col = if multi {
            let ca: ListChunked = rows
                .iter()
                .map(|r| r.get(key).map(|v| Series::new("".into(), v.clone())))
                .collect();
            crate::frame::text_list(ca)
                .with_name(key.as_str().into())
                .into_column()
        } else {
            let ca: StringChunked = rows
                .iter()
                .map(|r| r.get(key).and_then(|v| v.first().cloned()))
                .collect();
            ca.with_name(key.as_str().into()).into_column()
        };
        new_cols.push((key.clone(), col));
    }
    let mut df = lf.clone().collect()?;
    let existing: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut fixes = Vec::new();
    for (key, col) in new_cols {
        if existing.contains(&key)
            && col.dtype() == &DataType::String
            && df.column(&key)?.dtype() == &DataType::String
        {
            let tmp = format!("{key}__spelunk_new");
            df.with_column(col.with_name(tmp.as_str().into()))?;
            let t = polars::prelude::col(tmp.as_str());
            fixes.push((key, tmp, t));
        } else {
            df.with_column(col)?;
        }
    }
    lf = df.lazy();
    for (key, tmp, t) in fixes {
        lf = lf
            .with_column(
                when(t.clone().is_not_null())
                    .then(t)
                    .otherwise(polars::prelude::col(key.as_str()))
                    .alias(key.as_str()),
            )
            .drop(cols([tmp.as_str()]));
    }
    lf.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_flatten_and_paths() {
        let j = r#"{"a":{"b":[{"c":1},{"c":"x"}]},"s":"t","n":null}"#;
        let f = flatten(j).unwrap();
        assert_eq!(f["a.b{}.c"], vec!["1", "x"]);
        assert_eq!(f["s"], vec!["t"]);
        assert!(!f.contains_key("n"));
        assert_eq!(extract(j, "a.b{}.c"), vec!["1", "x"]);
        assert_eq!(extract(j, "a.b{1}.c"), vec!["x"]);
        assert_eq!(extract(j, "a.b{0}"), vec![r#"{"c":1}"#]);
    }

    #[test]
    fn xml_flatten_and_paths() {
        let x = r#"<Event><System><Provider Name="P"/><EventID>4688</EventID></System><Data>a</Data><Data>b &amp; c</Data></Event>"#;
        let f = flatten(x).unwrap();
        assert_eq!(f["Event.System.EventID"], vec!["4688"]);
        assert_eq!(f["Event.System.Provider{@Name}"], vec!["P"]);
        assert_eq!(f["Event.Data"], vec!["a", "b & c"]);
        assert_eq!(extract(x, "Event.Data{2}"), vec!["b & c"]);
        assert_eq!(extract(x, "Event.System.Provider{@Name}"), vec!["P"]);
    }

    #[test]
    fn garbage_is_not_structured() {
        assert!(flatten("plain text").is_none());
        assert!(flatten("{broken").is_none());
        assert!(extract("<a><b>", "a.b").is_empty());
    }
}

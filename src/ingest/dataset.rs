//! What the user names on `spelunk replay`: files, directories, and attack_data dataset YAML.
//!
//! attack_data describes a dataset in YAML, in two forms:
//! - current: `datasets:` a list of `{name, path, source, sourcetype}`, `path` from the repository
//!   root (`/datasets/attack_techniques/T1003.003/…/data.log`);
//! - older: `dataset:` a list of URLs (`https://media.githubusercontent.com/…/datasets/…/x.log`)
//!   with `sourcetypes:` (often holding source names such as `XmlWinEventLog:Security`).
//!
//! security_content test files (`attack_data: [{data, source, sourcetype}]`) are read too.
//! A data file is looked for beside the YAML first, then under each ancestor folder by its
//! `datasets/…` path, so both a checkout of attack_data and a loose folder work.

use super::{Input, Rejection};
use serde_norway::Value;
use std::path::{Path, PathBuf};

/// File extensions replayed when a directory is given (`.gz`: any of them compressed).
pub const DATA_EXTENSIONS: &[&str] = &[
    "log", "txt", "xml", "evtx", "json", "jsonl", "ndjson", "zip", "gz",
];

fn is_yaml(p: &Path) -> bool {
    matches!(
        p.extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref(),
        Some("yml" | "yaml")
    )
}

fn is_data(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .map(|e| DATA_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        .unwrap_or(false)
}

/// Expands directories and dataset YAML into the files to replay, each with its default fields.
/// Problems with a YAML file come back as rejections (the files it names are still replayed).
/// In a directory, dataset YAML comes before data files, so a file named by a YAML is stored
/// with the YAML's source and sourcetype (the later plain copy is a duplicate and is skipped).
pub fn resolve(inputs: &[Input]) -> (Vec<Input>, Vec<Rejection>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for input in inputs {
        let p = &input.path;
        if p.is_dir() {
            let mut yamls = Vec::new();
            let mut data = Vec::new();
            for entry in walkdir::WalkDir::new(p)
                .follow_links(true)
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
            {
                let ep = entry.path();
                let hidden = entry
                    .file_name()
                    .to_str()
                    .is_some_and(|n| n.starts_with('.'));
                if !entry.file_type().is_file() || hidden {
                    continue;
                }
                if is_yaml(ep) {
                    yamls.push(ep.to_path_buf());
                } else if is_data(ep) {
                    data.push(ep.to_path_buf());
                }
            }
            for y in yamls {
                // In a directory, YAML that is not a dataset description is ignored.
                if let Ok(files) = read_dataset_yaml(&y) {
                    out.extend(files.into_iter().map(|f| overlay(f, input)));
                }
            }
            out.extend(data.into_iter().map(|d| overlay(Input::new(d), input)));
        } else if is_yaml(p) {
            match read_dataset_yaml(p) {
                Ok(files) => out.extend(files.into_iter().map(|f| overlay(f, input))),
                Err(e) => problems.push(Rejection {
                    kind: "bad dataset YAML".into(),
                    detail: e,
                    file: p.display().to_string(),
                    offset: 0,
                }),
            }
        } else {
            out.push(input.clone());
        }
    }
    (out, problems)
}

/// `found` with the user's explicit values (from the command line) on top.
fn overlay(mut found: Input, given: &Input) -> Input {
    if given.source.is_some() {
        found.source.clone_from(&given.source);
    }
    if given.sourcetype.is_some() {
        found.sourcetype.clone_from(&given.sourcetype);
    }
    if given.host.is_some() {
        found.host.clone_from(&given.host);
    }
    if given.index.is_some() {
        found.index.clone_from(&given.index);
    }
    found
}

/// Reads an attack_data dataset YAML (either form) into the files it names.
pub fn read_dataset_yaml(path: &Path) -> Result<Vec<Input>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let doc: Value = serde_norway::from_str(&text).map_err(|e| e.to_string())?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let s = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    let mut out = Vec::new();
    if let Some(list) = doc.get("datasets").and_then(Value::as_sequence) {
        for d in list {
            let Some(p) = s(d.get("path")).or_else(|| s(d.get("data"))) else {
                continue;
            };
            out.push(Input {
                path: locate(dir, &p),
                source: s(d.get("source")),
                sourcetype: s(d.get("sourcetype")),
                ..Input::default()
            });
        }
        return Ok(out);
    }
    if let Some(list) = doc.get("dataset").and_then(Value::as_sequence) {
        let sts: Vec<String> = doc
            .get("sourcetypes")
            .and_then(Value::as_sequence)
            .map(|l| {
                l.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        // One `sourcetypes` entry applies to every file; several cannot be paired with files.
        let (source, sourcetype) = match sts.as_slice() {
            [one] => split_source(one),
            _ => (None, None),
        };
        for url in list.iter().filter_map(Value::as_str) {
            out.push(Input {
                path: locate(dir, url),
                source: source.clone(),
                sourcetype: sourcetype.clone(),
                ..Input::default()
            });
        }
        return Ok(out);
    }
    // security_content test files: tests[].attack_data[] or a top-level attack_data list.
    let mut lists = Vec::new();
    if let Some(l) = doc.get("attack_data").and_then(Value::as_sequence) {
        lists.push(l);
    }
    if let Some(tests) = doc.get("tests").and_then(Value::as_sequence) {
        for t in tests {
            if let Some(l) = t.get("attack_data").and_then(Value::as_sequence) {
                lists.push(l);
            }
        }
    }
    for l in lists {
        for d in l {
            if let Some(p) = s(d.get("data")) {
                out.push(Input {
                    path: locate(dir, &p),
                    source: s(d.get("source")),
                    sourcetype: s(d.get("sourcetype")),
                    ..Input::default()
                });
            }
        }
    }
    if out.is_empty() {
        return Err("no `datasets:`, `dataset:` or `attack_data:` list".into());
    }
    Ok(out)
}

/// Old-form `sourcetypes:` entries are often sources (`XmlWinEventLog:Security`): such an entry
/// gives the source, and the part before `:` the sourcetype.
fn split_source(v: &str) -> (Option<String>, Option<String>) {
    match v.split_once(':') {
        Some((st, _)) => (Some(v.to_string()), Some(st.to_string())),
        None => (None, Some(v.to_string())),
    }
}

/// Where the data file named `p` (a URL, a repository path or a relative path) is on disk.
pub fn locate(yaml_dir: &Path, p: &str) -> PathBuf {
    let rel_in_repo = p.find("datasets/").map(|i| &p[i..]);
    let base = p.rsplit(['/', '\\']).next().unwrap_or(p);
    let mut candidates = vec![yaml_dir.join(base)];
    if !p.contains("://") && !p.starts_with('/') {
        candidates.push(yaml_dir.join(p));
    }
    if let Some(rel) = rel_in_repo {
        for anc in yaml_dir.ancestors() {
            candidates.push(anc.join(rel));
        }
    }
    if Path::new(p).is_absolute() {
        candidates.push(PathBuf::from(p));
    }
    candidates
        .iter()
        .find(|c| c.is_file())
        .cloned()
        .unwrap_or_else(|| candidates[0].clone())
}

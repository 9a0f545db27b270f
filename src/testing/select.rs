//! Which detections a `spelunk test` or `spelunk lint` run covers: all of a content checkout,
//! the files and folders named, and (`--changed-since REF`) those changed since a git ref.

use crate::detection::{detection_of_sidecar, find_detections, is_sidecar};
use crate::diagnostic::Diagnostic;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The detection files named by `paths` (files or folders), or every detection of `content`
/// when none is named. A sidecar named on its own stands for its detection.
pub fn detections(paths: &[PathBuf], content: Option<&Path>) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut out = BTreeSet::new();
    if paths.is_empty() {
        let Some(root) = content else {
            return Err(Diagnostic::new(
                "no detection given: name detection files or folders, or give --content DIR",
            ));
        };
        let dir = root.join("detections");
        if !dir.is_dir() {
            return Err(Diagnostic::new(format!(
                "{} has no detections/ folder",
                root.display()
            )));
        }
        out.extend(find_detections(&dir));
    }
    for p in paths {
        if p.is_dir() {
            out.extend(find_detections(p));
        } else if p.is_file() {
            if is_sidecar(p) {
                if let Some(d) = detection_of_sidecar(p) {
                    out.insert(d);
                }
            } else {
                out.insert(p.clone());
            }
        } else {
            return Err(Diagnostic::new(format!(
                "{}: no such file or folder",
                p.display()
            )));
        }
    }
    Ok(out.into_iter().collect())
}

fn git(dir: &Path, args: &[&str]) -> Result<String, Diagnostic> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| Diagnostic::new(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(Diagnostic::new(format!(
            "git {} failed in {}: {}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The files changed since `git_ref` in the repository holding `dir` (`git diff --name-only
/// REF`, the working tree included), plus untracked files, as absolute paths.
pub fn changed_files(dir: &Path, git_ref: &str) -> Result<Vec<PathBuf>, Diagnostic> {
    let top = PathBuf::from(git(dir, &["rev-parse", "--show-toplevel"])?.trim());
    let mut files = BTreeSet::new();
    for line in git(dir, &["diff", "--name-only", git_ref, "--"])?.lines() {
        files.insert(top.join(line.trim()));
    }
    for line in git(
        dir,
        &["ls-files", "--others", "--exclude-standard", "--full-name"],
    )?
    .lines()
    {
        files.insert(top.join(line.trim()));
    }
    Ok(files.into_iter().collect())
}

/// The name a macro or lookup definition file defines (its `name:`, else its file stem).
fn defined_name(path: &Path) -> Option<String> {
    if matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yml" | "yaml")
    ) {
        if let Ok(text) = std::fs::read_to_string(path) {
            if let Ok(v) = serde_norway::from_str::<serde_norway::Value>(&text) {
                if let Some(n) = v.get("name").and_then(|n| n.as_str()) {
                    return Some(n.to_string());
                }
            }
        }
    }
    Some(path.file_stem()?.to_string_lossy().into_owned())
}

/// Of `candidates`, those affected by the changed files: a changed detection or its sidecar, a
/// changed macro its search calls, a changed lookup (definition or CSV) its search names.
pub fn affected(candidates: &[PathBuf], changed: &[PathBuf]) -> Vec<PathBuf> {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let mut direct = BTreeSet::new();
    let mut macros = Vec::new();
    let mut lookups = Vec::new();
    for f in changed {
        let in_dir = |name: &str| {
            f.parent()
                .and_then(|p| p.file_name())
                .is_some_and(|n| n == name)
        };
        if is_sidecar(f) {
            if let Some(d) = detection_of_sidecar(f) {
                direct.insert(canon(&d));
            }
        } else if in_dir("macros") {
            macros.extend(defined_name(f));
        } else if in_dir("lookups") {
            lookups.extend(defined_name(f));
        } else {
            direct.insert(canon(f));
        }
    }
    candidates
        .iter()
        .filter(|c| {
            if direct.contains(&canon(c)) {
                return true;
            }
            if macros.is_empty() && lookups.is_empty() {
                return false;
            }
            let search = crate::detection::Detection::load(c)
                .map(|d| d.search)
                .unwrap_or_default();
            macros.iter().any(|m| search.contains(&format!("`{m}")))
                || lookups.iter().any(|l| search.contains(l.as_str()))
        })
        .cloned()
        .collect()
}

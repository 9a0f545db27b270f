//! Search-language value patterns compiled for speed.
//!
//! A field's value matches `v` case-insensitively, with `*` matching any run of characters
//! (splunk-semantics.md §4). Most patterns are one of four shapes — `abc` (equals), `abc*`
//! (starts with), `*abc` (ends with), `*abc*` (contains) — which need no regular expression.
//! A whole list of patterns on one field (`f IN (...)`, or `f=a OR f=b OR ...`, as Sigma-style
//! rules write them) becomes one [`PatternSet`]: a hash set for the exact values, one
//! Aho-Corasick automaton for every contained literal, prefix and suffix lists, and a regex set
//! only for the patterns that need one. Matching is linear in the value and does not grow with
//! the list's length beyond the automaton's size.

use crate::syntax::ast::{PatternPiece, SearchValue};
use aho_corasick::AhoCorasick;
use std::collections::HashSet;

/// One pattern's shape, its literal parts lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// `*`: any value (including the empty one).
    Any,
    Exact(String),
    Prefix(String),
    Suffix(String),
    Contains(String),
    /// Anything else, as an anchored case-insensitive regular expression.
    Regex(String),
}

/// The shape of a search value.
pub fn shape(v: &SearchValue) -> Shape {
    use PatternPiece::{Literal as L, Wildcard as W};
    let pieces = v.pattern();
    match pieces.as_slice() {
        [] => Shape::Exact(String::new()),
        [W] => Shape::Any,
        [L(s)] => Shape::Exact(s.to_lowercase()),
        [L(s), W] => Shape::Prefix(s.to_lowercase()),
        [W, L(s)] => Shape::Suffix(s.to_lowercase()),
        [W, L(s), W] => Shape::Contains(s.to_lowercase()),
        _ => Shape::Regex(super::search::pattern_regex(v, true, true)),
    }
}

/// Several patterns on one field: a value matches when any of them does.
#[derive(Debug, Clone)]
pub struct PatternSet {
    any: bool,
    exact: HashSet<String>,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
    contains: Option<AhoCorasick>,
    regex: Option<regex::RegexSet>,
}

impl PatternSet {
    /// The set of the given values' patterns. Fails only for a regular expression the regex
    /// engine rejects (never for a literal).
    pub fn new<'a>(
        values: impl IntoIterator<Item = &'a SearchValue>,
    ) -> Result<PatternSet, String> {
        let mut set = PatternSet {
            any: false,
            exact: HashSet::new(),
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            contains: None,
            regex: None,
        };
        let mut contains = Vec::new();
        let mut regexes = Vec::new();
        for v in values {
            match shape(v) {
                Shape::Any => set.any = true,
                Shape::Exact(s) => {
                    set.exact.insert(s);
                }
                Shape::Prefix(s) => set.prefixes.push(s),
                Shape::Suffix(s) => set.suffixes.push(s),
                Shape::Contains(s) => contains.push(s),
                Shape::Regex(r) => regexes.push(r),
            }
        }
        if !contains.is_empty() {
            set.contains = Some(AhoCorasick::new(&contains).map_err(|e| e.to_string())?);
        }
        if !regexes.is_empty() {
            set.regex = Some(regex::RegexSet::new(&regexes).map_err(|e| e.to_string())?);
        }
        Ok(set)
    }

    /// Whether a value matches one of the patterns (case-insensitively).
    pub fn matches(&self, value: &str) -> bool {
        if self.any {
            return true;
        }
        let lower;
        let v: &str = if value.chars().any(|c| c.is_uppercase()) {
            lower = value.to_lowercase();
            &lower
        } else {
            value
        };
        self.exact.contains(v)
            || self.prefixes.iter().any(|p| v.starts_with(p.as_str()))
            || self.suffixes.iter().any(|s| v.ends_with(s.as_str()))
            || self.contains.as_ref().is_some_and(|ac| ac.is_match(v))
            || self.regex.as_ref().is_some_and(|r| r.is_match(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sv(raw: &str) -> SearchValue {
        SearchValue {
            raw: raw.into(),
            quoted: true,
        }
    }

    fn set(raws: &[&str]) -> PatternSet {
        let v: Vec<SearchValue> = raws.iter().map(|r| sv(r)).collect();
        PatternSet::new(&v).unwrap()
    }

    #[test]
    fn shapes() {
        assert_eq!(shape(&sv("CMD.exe")), Shape::Exact("cmd.exe".into()));
        assert_eq!(shape(&sv("C:\\\\Win*")), Shape::Prefix("c:\\win".into()));
        assert_eq!(
            shape(&sv("*\\\\cmd.exe")),
            Shape::Suffix("\\cmd.exe".into())
        );
        assert_eq!(shape(&sv("*mklink*")), Shape::Contains("mklink".into()));
        assert_eq!(shape(&sv("*")), Shape::Any);
        assert!(matches!(shape(&sv("a*b*c")), Shape::Regex(_)));
        // An escaped star is a literal.
        assert_eq!(shape(&sv("a\\*")), Shape::Exact("a*".into()));
    }

    #[test]
    fn matching_is_case_insensitive_and_anchored() {
        let s = set(&[
            "*MKLINK*",
            "powershell.exe",
            "c:\\\\temp\\\\*",
            "*.ps1",
            "a*b*c",
        ]);
        assert!(s.matches("cmd /c mklink /d x"));
        assert!(s.matches("PowerShell.EXE"));
        assert!(!s.matches("powershell.exe2"), "exact values are anchored");
        assert!(s.matches("C:\\Temp\\x.exe"));
        assert!(!s.matches("D:\\C:\\Temp\\x"), "prefixes are anchored");
        assert!(s.matches("RUN.PS1"));
        assert!(s.matches("AxxBxxC"));
        assert!(!s.matches("axxbxxcd"));
        assert!(!s.matches(""));
    }

    #[test]
    fn a_thousand_patterns_stay_fast_and_correct() {
        let raws: Vec<String> = (0..1000).map(|i| format!("*val{i}xyz*")).collect();
        let v: Vec<SearchValue> = raws.iter().map(|r| sv(r)).collect();
        let s = PatternSet::new(&v).unwrap();
        assert!(s.matches("c:\\windows\\cmd.exe /c VAL999XYZ"));
        assert!(!s.matches("c:\\windows\\cmd.exe /c val1000xyz"));
    }
}

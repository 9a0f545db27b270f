//! Search-language value patterns compiled for speed.
//!
//! A field's value matches `v` case-insensitively, with `*` matching any run of characters
//! (splunk-semantics.md §4). Most patterns are one of four shapes — `abc` (equals), `abc*`
//! (starts with), `*abc` (ends with), `*abc*` (contains); any other (`a*b*c`) is a glob: its
//! literal pieces found in order. None needs a regular expression: every pattern is literal
//! comparisons on the value case-folded once (lower-cased into a reused buffer, without
//! allocating, for ASCII values).
//!
//! A whole list of patterns on one field (`f IN (...)`, or `f=a OR f=b OR ...`, as Sigma-style
//! rules write them) becomes one [`PatternSet`]: a hash set for the exact values, one
//! Aho-Corasick automaton for every contained literal, one anchored automaton each for the
//! prefixes and for the (reversed) suffixes, and the globs behind an automaton of their longest
//! piece, so that only the globs whose piece occurs are checked. Matching is linear in the
//! value, and the memory is linear in the list's length.

use crate::syntax::ast::{PatternPiece, SearchValue};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Anchored, Input, MatchKind, StartKind};
use rustc_hash::FxHashSet;
use std::cell::RefCell;

/// A pattern with two or more wildcards between literal pieces (`a*b*c`, `*a*b*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    /// The literal pieces, lower-cased, in order (at least two, none empty).
    pub pieces: Vec<String>,
    /// The first piece starts the value (the pattern does not start with `*`).
    pub anchored_start: bool,
    /// The last piece ends the value (the pattern does not end with `*`).
    pub anchored_end: bool,
}

impl Glob {
    /// Whether a case-folded value matches: the pieces in order, without overlapping.
    fn matches(&self, v: &str) -> bool {
        let n = self.pieces.len();
        let mut rest = v;
        for (i, p) in self.pieces.iter().enumerate() {
            if i == 0 && self.anchored_start {
                match rest.strip_prefix(p.as_str()) {
                    Some(r) => rest = r,
                    None => return false,
                }
            } else if i == n - 1 && self.anchored_end {
                return rest.ends_with(p.as_str());
            } else {
                match memchr::memmem::find(rest.as_bytes(), p.as_bytes()) {
                    Some(at) => rest = &rest[at + p.len()..],
                    None => return false,
                }
            }
        }
        true
    }

    /// The longest piece: every matching value contains it.
    fn longest(&self) -> &str {
        self.pieces
            .iter()
            .max_by_key(|p| p.len())
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// One pattern's shape, its literal parts lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// `*`: any value (including the empty one).
    Any,
    Exact(String),
    Prefix(String),
    Suffix(String),
    Contains(String),
    /// Literal pieces in order, wildcards between them.
    Glob(Glob),
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
        _ => Shape::Glob(Glob {
            anchored_start: !matches!(pieces.first(), Some(W)),
            anchored_end: !matches!(pieces.last(), Some(W)),
            pieces: pieces
                .iter()
                .filter_map(|p| match p {
                    L(s) => Some(s.to_lowercase()),
                    W => None,
                })
                .collect(),
        }),
    }
}

/// Several patterns on one field: a value matches when any of them does.
#[derive(Debug, Clone)]
pub struct PatternSet {
    any: bool,
    exact: FxHashSet<String>,
    /// Bit `n` set: an exact value has `n` bytes (n < 128). With `long_exact`, whether a value
    /// of that length can equal one, so that most values are rejected without being folded.
    exact_lens: u128,
    /// An exact value has 128 bytes or more.
    long_exact: bool,
    /// Only exact values (no prefix, suffix, contained piece or glob).
    only_exact: bool,
    /// Anchored at the value's start.
    prefixes: Option<AhoCorasick>,
    /// Reversed suffixes, anchored at the reversed value's start.
    suffixes: Option<AhoCorasick>,
    contains: Option<AhoCorasick>,
    /// The prefixes, and up to 8 suffixes (not reversed), again, matched ignoring ASCII case:
    /// an ASCII value is compared as it is, without a folded copy. (A non-ASCII literal never
    /// occurs in an ASCII value; non-ASCII values use the folded automata.)
    prefixes_ci: Option<AhoCorasick>,
    suffixes_ci: Vec<String>,
    globs: Vec<Glob>,
    /// The globs' longest pieces (pattern i is glob i's).
    glob_filter: Option<AhoCorasick>,
}

fn anchored(patterns: &[String]) -> Result<Option<AhoCorasick>, String> {
    if patterns.is_empty() {
        return Ok(None);
    }
    AhoCorasickBuilder::new()
        .start_kind(StartKind::Anchored)
        .build(patterns)
        .map(Some)
        .map_err(|e| e.to_string())
}

fn unanchored(patterns: &[String]) -> Result<Option<AhoCorasick>, String> {
    if patterns.is_empty() {
        return Ok(None);
    }
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::Standard)
        .build(patterns)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// An automaton matching ASCII letters of either case.
fn case_blind(patterns: &[String], start: StartKind) -> Result<Option<AhoCorasick>, String> {
    if patterns.is_empty() {
        return Ok(None);
    }
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .start_kind(start)
        .build(patterns)
        .map(Some)
        .map_err(|e| e.to_string())
}

thread_local! {
    /// The case-folded value (reused: no allocation per value).
    static FOLDED: RefCell<String> = const { RefCell::new(String::new()) };
    /// The reversed case-folded value, for suffixes.
    static REVERSED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

impl PatternSet {
    /// The set of the given values' patterns. Fails only if an automaton cannot be built (a
    /// list too large for its state identifiers).
    pub fn new<'a>(
        values: impl IntoIterator<Item = &'a SearchValue>,
    ) -> Result<PatternSet, String> {
        let mut set = PatternSet {
            any: false,
            exact: FxHashSet::default(),
            exact_lens: 0,
            long_exact: false,
            only_exact: false,
            prefixes: None,
            suffixes: None,
            contains: None,
            prefixes_ci: None,
            suffixes_ci: Vec::new(),
            globs: Vec::new(),
            glob_filter: None,
        };
        let (mut prefixes, mut suffixes, mut contains) = (Vec::new(), Vec::new(), Vec::new());
        for v in values {
            match shape(v) {
                Shape::Any => set.any = true,
                Shape::Exact(s) => {
                    set.exact.insert(s);
                }
                // An empty prefix, suffix or piece matches every value.
                Shape::Prefix(s) | Shape::Suffix(s) | Shape::Contains(s) if s.is_empty() => {
                    set.any = true
                }
                Shape::Prefix(s) => prefixes.push(s),
                Shape::Suffix(s) => suffixes.push(s.chars().rev().collect::<String>()),
                Shape::Contains(s) => contains.push(s),
                Shape::Glob(g) => set.globs.push(g),
            }
        }
        set.prefixes = anchored(&prefixes)?;
        set.suffixes = anchored(&suffixes)?;
        set.contains = unanchored(&contains)?;
        set.prefixes_ci = case_blind(&prefixes, StartKind::Anchored)?;
        // A few suffixes are compared at the value's end; many need the reversed automaton.
        if suffixes.len() <= 8 {
            set.suffixes_ci = suffixes
                .iter()
                .map(|r| r.chars().rev().collect::<String>())
                .collect();
        }
        let longest: Vec<String> = set.globs.iter().map(|g| g.longest().to_string()).collect();
        set.glob_filter = unanchored(&longest)?;
        for e in &set.exact {
            if e.len() < 128 {
                set.exact_lens |= 1u128 << e.len();
            } else {
                set.long_exact = true;
            }
        }
        set.only_exact = set.prefixes.is_none()
            && set.suffixes.is_none()
            && set.contains.is_none()
            && set.globs.is_empty();
        Ok(set)
    }

    /// Whether an ASCII value of `len` bytes can equal an exact value (ASCII case folding keeps
    /// the length).
    fn exact_len_possible(&self, len: usize) -> bool {
        if len < 128 {
            self.exact_lens & (1u128 << len) != 0
        } else {
            self.long_exact
        }
    }

    /// Whether a value matches one of the patterns (case-insensitively).
    pub fn matches(&self, value: &str) -> bool {
        if self.any {
            return true;
        }
        if value.is_ascii() {
            return self.matches_ascii(value);
        }
        self.matches_folded(&value.to_lowercase())
    }

    /// Whether an ASCII value matches: exact values only when the length can match, prefixes
    /// and a few suffixes compared ignoring case; one folded copy (in a reused buffer) for
    /// contained literals, many suffixes and globs.
    fn matches_ascii(&self, value: &str) -> bool {
        if !self.exact.is_empty()
            && self.exact_len_possible(value.len())
            && self.with_folded(value, |f| self.exact.contains(f))
        {
            return true;
        }
        if self.only_exact {
            return false;
        }
        if let Some(ac) = &self.prefixes_ci {
            if ac.is_match(Input::new(value).anchored(Anchored::Yes)) {
                return true;
            }
        }
        let few_suffixes = !self.suffixes_ci.is_empty();
        if few_suffixes {
            let b = value.as_bytes();
            if self.suffixes_ci.iter().any(|s| {
                b.len() >= s.len() && b[b.len() - s.len()..].eq_ignore_ascii_case(s.as_bytes())
            }) {
                return true;
            }
        }
        // Contained literals (memmem on the folded value beats a case-blind automaton), many
        // suffixes and globs: one folded copy for all of them.
        let many_suffixes = self.suffixes.is_some() && !few_suffixes;
        (self.contains.is_some() || many_suffixes || !self.globs.is_empty())
            && self.with_folded(value, |f| {
                (many_suffixes && self.suffix_match(f))
                    || self.contains.as_ref().is_some_and(|ac| ac.is_match(f))
                    || self.glob_match(f)
            })
    }

    /// `f` of the ASCII value lower-cased (no copy when it has no upper-case letter).
    fn with_folded(&self, value: &str, f: impl Fn(&str) -> bool) -> bool {
        if !value.bytes().any(|b| b.is_ascii_uppercase()) {
            return f(value);
        }
        FOLDED.with(|buf| {
            let Ok(mut buf) = buf.try_borrow_mut() else {
                return f(&value.to_ascii_lowercase());
            };
            buf.clear();
            buf.push_str(value);
            buf.make_ascii_lowercase();
            f(&buf)
        })
    }

    /// Whether a case-folded value ends with one of the suffixes (reversed automaton).
    fn suffix_match(&self, v: &str) -> bool {
        let Some(ac) = &self.suffixes else {
            return false;
        };
        REVERSED.with(|r| match r.try_borrow_mut() {
            Ok(mut r) => {
                r.clear();
                reverse_into(v, &mut r);
                ac.is_match(Input::new(r.as_slice()).anchored(Anchored::Yes))
            }
            Err(_) => {
                let mut r = Vec::new();
                reverse_into(v, &mut r);
                ac.is_match(Input::new(r.as_slice()).anchored(Anchored::Yes))
            }
        })
    }

    /// Whether a case-folded value matches one of the globs.
    fn glob_match(&self, v: &str) -> bool {
        let Some(ac) = &self.glob_filter else {
            return false;
        };
        ac.find_overlapping_iter(v)
            .any(|m| self.globs[m.pattern().as_usize()].matches(v))
    }

    /// Whether a case-folded value matches.
    fn matches_folded(&self, v: &str) -> bool {
        if !self.exact.is_empty() && self.exact.contains(v) {
            return true;
        }
        if let Some(ac) = &self.prefixes {
            if ac.is_match(Input::new(v).anchored(Anchored::Yes)) {
                return true;
            }
        }
        if self.suffix_match(v) {
            return true;
        }
        if self.contains.as_ref().is_some_and(|ac| ac.is_match(v)) {
            return true;
        }
        self.glob_match(v)
    }
}

/// The UTF-8 bytes of `v`'s characters in reverse order (as the reversed suffixes are).
fn reverse_into(v: &str, out: &mut Vec<u8>) {
    let mut buf = [0u8; 4];
    for c in v.chars().rev() {
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
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
        assert_eq!(
            shape(&sv("a*B*c")),
            Shape::Glob(Glob {
                pieces: vec!["a".into(), "b".into(), "c".into()],
                anchored_start: true,
                anchored_end: true,
            })
        );
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
    fn ascii_values_match_without_folding_as_folded_values_do() {
        let s = set(&["C:\\\\WIN*", "*\\\\CMD.exe", "*MkLink*", "x", "*été*"]);
        for (v, want) in [
            ("c:\\windows\\x", true),
            ("C:\\WINDOWS", true),
            ("d:\\c:\\win", false),
            ("C:\\x\\Cmd.EXE", true),
            ("cmd.exe", false),
            ("\\cmd.exe\\x", false),
            ("md.exe", false),
            ("a MKLINK b", true),
            ("mklin", false),
            ("X", true),
            ("xx", false),
            ("ete", false),
            ("L'ÉTÉ", true),
        ] {
            assert_eq!(s.matches(v), want, "{v}");
        }
    }

    #[test]
    fn a_thousand_patterns_stay_fast_and_correct() {
        let raws: Vec<String> = (0..1000).map(|i| format!("*val{i}xyz*")).collect();
        let v: Vec<SearchValue> = raws.iter().map(|r| sv(r)).collect();
        let s = PatternSet::new(&v).unwrap();
        assert!(s.matches("c:\\windows\\cmd.exe /c VAL999XYZ"));
        assert!(!s.matches("c:\\windows\\cmd.exe /c val1000xyz"));
    }

    #[test]
    fn globs_find_their_pieces_in_order_without_overlap() {
        let s = set(&["*a*b*", "x*yx"]);
        assert!(s.matches("--A--B--"));
        assert!(!s.matches("--B--A--"), "pieces in order");
        assert!(s.matches("xyx"), "`x` then `yx`");
        assert!(!s.matches("xy"), "both anchored ends");
        assert!(!s.matches("yxyx"), "anchored start");
        assert!(s.matches("x--yx"));
        // The filter on the longest piece keeps every glob that could match.
        let s = set(&["*verylong*b*", "*a*zz*", "q*r"]);
        assert!(s.matches("..A..ZZ.."));
        assert!(s.matches("..VeryLong..b"));
        assert!(!s.matches("..zz..a.."));
        assert!(s.matches("QxR"));
    }

    #[test]
    fn many_prefixes_and_suffixes_are_anchored_and_non_ascii_values_fold() {
        let raws: Vec<String> = (0..500)
            .flat_map(|i| [format!("c:\\\\p{i}\\\\*"), format!("*\\\\s{i}.EXE")])
            .collect();
        let v: Vec<SearchValue> = raws.iter().map(|r| sv(r)).collect();
        let s = PatternSet::new(&v).unwrap();
        assert!(s.matches("C:\\P499\\x"));
        assert!(!s.matches("D:\\C:\\P499\\x"));
        assert!(s.matches("d:\\x\\S7.exe"));
        assert!(!s.matches("d:\\x\\S7.exe.txt"));
        let s = set(&["*ÉTÉ*", "*.ps1"]);
        assert!(s.matches("un été chaud"));
        assert!(s.matches("Ünïcödé.PS1"));
        assert!(!s.matches("Ünïcödé.PS2"));
    }
}

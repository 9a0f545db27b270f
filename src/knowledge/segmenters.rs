//! Splunk's segmentation of event text into terms, and bare search terms matched against it.
//!
//! The breakers are data (`knowledge/segmenters.conf`, the `[default]` stanza of Splunk's
//! `segmenters.conf`). Search Manual, "Event segmentation and searching": event text is split
//! into segments by major breakers (spaces, brackets, quotes, ...), and those again by minor
//! breakers (`/ : = @ . - $ # % \ _`); a bare search term matches an event holding that term
//! as a segment, case-insensitively, and a partial term needs a wildcard (`who` does not match
//! `whoami`, `who*` does). `TERM(x)` matches `x` only as a whole major segment (bounded by major
//! breakers, so it may contain minor ones: `TERM(10.0.0.1)` matches `ip 10.0.0.1 port` but not
//! `10.0.0.1:80`, whose major segment is longer); `CASE(x)` matches like a term,
//! case-sensitively.
//!
//! [`TermMatcher`] checks this without a regular expression per event: it finds each literal
//! part of the term (ASCII case folded by the search automaton itself, no copy of the event)
//! and checks breakers on both sides.

use crate::syntax::ast::{PatternPiece, SearchValue};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Input};
use std::sync::OnceLock;

/// The major and minor breakers, by ASCII byte.
#[derive(Debug, Clone)]
pub struct Breakers {
    major: [bool; 128],
    minor: [bool; 128],
}

impl Breakers {
    /// Whether byte `b` is a major breaker.
    pub fn is_major(&self, b: u8) -> bool {
        b < 128 && self.major[b as usize]
    }

    /// Whether byte `b` is a major or minor breaker.
    pub fn is_breaker(&self, b: u8) -> bool {
        b < 128 && (self.major[b as usize] || self.minor[b as usize])
    }

    fn parse(text: &str) -> Breakers {
        let mut out = Breakers {
            major: [false; 128],
            minor: [false; 128],
        };
        for stanza in super::conf::parse(text) {
            if stanza.name != "default" {
                continue;
            }
            for (key, table) in [("MAJOR", &mut out.major), ("MINOR", &mut out.minor)] {
                for tok in stanza.get(key).unwrap_or("").split_whitespace() {
                    let b = match tok {
                        "\\s" => b' ',
                        "\\n" => b'\n',
                        "\\r" => b'\r',
                        "\\t" => b'\t',
                        "\\\\" => b'\\',
                        t if t.len() == 1 => t.as_bytes()[0],
                        _ => continue,
                    };
                    if b < 128 {
                        table[b as usize] = true;
                    }
                }
            }
        }
        out
    }
}

/// Splunk's default breakers (`knowledge/segmenters.conf`).
pub fn default_breakers() -> &'static Breakers {
    static B: OnceLock<Breakers> = OnceLock::new();
    B.get_or_init(|| Breakers::parse(include_str!("../../knowledge/segmenters.conf")))
}

/// How a term is bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// A bare term or `CASE()`: any breaker (major or minor), or the text's ends.
    Segment,
    /// `TERM()`: a major breaker, or the text's ends.
    Major,
}

/// A compiled search term: its literal parts between `*` wildcards.
#[derive(Debug, Clone)]
pub struct TermMatcher {
    /// The literal parts, in order, with an automaton finding each.
    parts: Vec<(Vec<u8>, AhoCorasick)>,
    lead_wild: bool,
    trail_wild: bool,
    /// Non-ASCII literal text matched case-insensitively: the event is lower-cased first.
    fold_text: bool,
    bound: Bound,
    /// The term is only wildcards: it matches every event.
    any: bool,
}

impl TermMatcher {
    /// Compile a term. `case_sensitive` is `CASE()`.
    pub fn new(v: &SearchValue, case_sensitive: bool, bound: Bound) -> TermMatcher {
        let pieces = v.pattern();
        let lead_wild = matches!(pieces.first(), Some(PatternPiece::Wildcard));
        let trail_wild = matches!(pieces.last(), Some(PatternPiece::Wildcard));
        let lits: Vec<String> = pieces
            .iter()
            .filter_map(|p| match p {
                PatternPiece::Literal(s) if !s.is_empty() => Some(s.clone()),
                _ => None,
            })
            .collect();
        let fold_text = !case_sensitive && lits.iter().any(|s| !s.is_ascii());
        let parts = lits
            .into_iter()
            .filter_map(|s| {
                let s = if fold_text { s.to_lowercase() } else { s };
                let ac = AhoCorasickBuilder::new()
                    .ascii_case_insensitive(!case_sensitive)
                    .build([s.as_bytes()])
                    .ok()?;
                Some((s.into_bytes(), ac))
            })
            .collect::<Vec<_>>();
        TermMatcher {
            any: parts.is_empty() && lead_wild,
            parts,
            lead_wild,
            trail_wild,
            fold_text,
            bound,
        }
    }

    fn boundary(&self, b: u8) -> bool {
        let br = default_breakers();
        match self.bound {
            Bound::Segment => br.is_breaker(b),
            Bound::Major => br.is_major(b),
        }
    }

    /// Whether the event text holds the term.
    pub fn matches(&self, text: &str) -> bool {
        if self.any {
            return true;
        }
        if self.parts.is_empty() {
            return false;
        }
        if self.fold_text {
            let lower = text.to_lowercase();
            return self.matches_bytes(lower.as_bytes());
        }
        self.matches_bytes(text.as_bytes())
    }

    fn find(&self, i: usize, hay: &[u8], from: usize) -> Option<(usize, usize)> {
        if from > hay.len() {
            return None;
        }
        let m = self.parts[i]
            .1
            .find(Input::new(hay).span(from..hay.len()))?;
        Some((m.start(), m.end()))
    }

    fn matches_bytes(&self, hay: &[u8]) -> bool {
        let br = default_breakers();
        let first = &self.parts[0].0;
        let last = &self.parts[self.parts.len() - 1].0;
        // A term that starts (ends) with a breaker is bounded there by itself.
        let check_start = !self.lead_wild && first.first().is_some_and(|b| !self.boundary(*b));
        let check_end = !self.trail_wild && last.last().is_some_and(|b| !self.boundary(*b));
        let mut from = 0;
        while let Some((s, e)) = self.find(0, hay, from) {
            from = s + 1;
            if check_start && s > 0 && !self.boundary(hay[s - 1]) {
                continue;
            }
            if self.rest_matches(hay, e, check_end, br) {
                return true;
            }
        }
        false
    }

    /// The parts after the first, from `pos`, within the same major segment; then the end.
    fn rest_matches(&self, hay: &[u8], mut pos: usize, check_end: bool, br: &Breakers) -> bool {
        let n = self.parts.len();
        let ends_ok = |e: usize| !check_end || e == hay.len() || self.boundary(hay[e]);
        if n == 1 {
            return ends_ok(pos);
        }
        // Middle parts: leftmost occurrence (a wildcard does not cross a major breaker).
        for i in 1..n - 1 {
            match self.find(i, hay, pos) {
                Some((s, e)) if !hay[pos..s].iter().any(|b| br.is_major(*b)) => pos = e,
                _ => return false,
            }
        }
        // The last part: any occurrence in the segment whose end is bounded.
        let mut from = pos;
        while let Some((s, e)) = self.find(n - 1, hay, from) {
            if hay[pos..s].iter().any(|b| br.is_major(*b)) {
                return false;
            }
            if ends_ok(e) {
                return true;
            }
            from = s + 1;
        }
        false
    }

    /// The same test as a regular expression (for backends that match with one, e.g. SQL):
    /// `(?i)` unless case-sensitive, breakers as character classes on both sides.
    pub fn regex(v: &SearchValue, case_sensitive: bool, bound: Bound) -> String {
        let br = default_breakers();
        let class = |major_only: bool, negate: bool| {
            let mut c = String::from(if negate { "[^" } else { "[" });
            for b in 0u8..128 {
                let on = if major_only {
                    br.is_major(b)
                } else {
                    br.is_breaker(b)
                };
                if on {
                    match b {
                        b'\n' => c.push_str("\\n"),
                        b'\r' => c.push_str("\\r"),
                        b'\t' => c.push_str("\\t"),
                        b'\\' | b']' | b'[' | b'^' | b'-' => {
                            c.push('\\');
                            c.push(b as char);
                        }
                        _ => c.push(b as char),
                    }
                }
            }
            c.push(']');
            c
        };
        let bound_class = class(bound == Bound::Major, false);
        let pieces = v.pattern();
        let mut re = String::from(if case_sensitive { "(?s)" } else { "(?is)" });
        let is_b = |b: u8| match bound {
            Bound::Segment => br.is_breaker(b),
            Bound::Major => br.is_major(b),
        };
        let starts_with_breaker = matches!(pieces.first(), Some(PatternPiece::Literal(s)) if s.bytes().next().is_some_and(is_b));
        let ends_with_breaker = matches!(pieces.last(), Some(PatternPiece::Literal(s)) if s.bytes().last().is_some_and(is_b));
        if matches!(pieces.first(), Some(PatternPiece::Literal(_))) && !starts_with_breaker {
            re.push_str(&format!("(?:^|{bound_class})"));
        }
        let in_segment = format!("{}*", class(true, true));
        for p in &pieces {
            match p {
                PatternPiece::Literal(s) => re.push_str(&regex::escape(s)),
                PatternPiece::Wildcard => re.push_str(&in_segment),
            }
        }
        if matches!(pieces.last(), Some(PatternPiece::Literal(_))) && !ends_with_breaker {
            re.push_str(&format!("(?:$|{bound_class})"));
        }
        re
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(term: &str) -> TermMatcher {
        TermMatcher::new(
            &SearchValue {
                raw: term.into(),
                quoted: false,
            },
            false,
            Bound::Segment,
        )
    }

    fn both(term: &str, case: bool, bound: Bound, text: &str) -> bool {
        let v = SearchValue {
            raw: term.into(),
            quoted: false,
        };
        let m = TermMatcher::new(&v, case, bound).matches(text);
        let re = regex::Regex::new(&TermMatcher::regex(&v, case, bound)).unwrap();
        assert_eq!(m, re.is_match(text), "{term} on {text}: matcher vs regex");
        m
    }

    #[test]
    fn breakers_are_read_from_the_data() {
        let b = default_breakers();
        for c in [b' ', b'[', b'"', b'\n', b'|', b',', b'\''] {
            assert!(b.is_major(c), "{}", c as char);
        }
        for c in [b'/', b':', b'=', b'.', b'-', b'\\', b'_', b'@'] {
            assert!(b.is_breaker(c) && !b.is_major(c), "{}", c as char);
        }
        assert!(!b.is_breaker(b'a'));
    }

    #[test]
    fn whole_terms_only_unless_wildcarded() {
        let s = Bound::Segment;
        assert!(!both("who", false, s, "ran whoami.exe"));
        assert!(both("whoami", false, s, "ran C:\\Windows\\whoami.exe /all"));
        assert!(both("WHOAMI", false, s, "ran whoami.exe"));
        assert!(both("who*", false, s, "ran whoami.exe"));
        assert!(both("*ami", false, s, "ran whoami.exe"));
        assert!(!both("*ami", false, s, "ran whoamis"));
        assert!(both("w*mi", false, s, "x=whoami"));
        assert!(!both("w*mi", false, s, "w mi"));
        assert!(both("whoami.exe", false, s, "C:\\whoami.exe"));
        assert!(both("exe", false, s, "C:\\whoami.exe"));
        assert!(both("-enc", false, s, "powershell -enc AAA"));
        assert!(!both("-enc", false, s, "powershell -encoded AAA"));
        // The last part may occur again later in the segment.
        assert!(both("a*b", false, s, "abx.b"));
        assert!(t("*").matches(""));
    }

    #[test]
    fn term_and_case() {
        let m = Bound::Major;
        assert!(both("10.0.0.1", false, m, "src 10.0.0.1 port"));
        assert!(!both("0.0.1", false, m, "src 10.0.0.1 port"));
        assert!(both("0.0.1", false, Bound::Segment, "src 10.0.0.1 port"));
        assert!(both("Error", true, Bound::Segment, "an Error here"));
        assert!(!both("Error", true, Bound::Segment, "an error here"));
    }

    #[test]
    fn non_ascii_terms_fold_case() {
        assert!(t("ÉCOLE").matches("une école ici"));
        assert!(!t("écol").matches("une école ici"));
    }
}

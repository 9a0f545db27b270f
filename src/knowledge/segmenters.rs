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

/// The major and minor breakers: single ASCII bytes, and longer sequences (the default lists
/// URL-encoded breakers such as `%20` and `%2C`, and `--`, among the major ones).
#[derive(Debug, Clone)]
pub struct Breakers {
    major: [bool; 128],
    minor: [bool; 128],
    /// Multi-byte major breakers (`%20`, `--`, ...).
    major_seqs: Vec<Vec<u8>>,
    /// Multi-byte minor breakers (none by default).
    minor_seqs: Vec<Vec<u8>>,
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

    /// The multi-byte breakers of a bound: major only, or major and minor.
    fn seqs(&self, major_only: bool) -> impl Iterator<Item = &[u8]> {
        let minor: &[Vec<u8>] = if major_only { &[] } else { &self.minor_seqs };
        self.major_seqs.iter().chain(minor).map(|s| s.as_slice())
    }

    /// Whether a term may start at `s` of `hay`: the text's start, or just after a breaker
    /// (a single byte, or a sequence such as `%20` ending there).
    pub fn boundary_before(&self, hay: &[u8], s: usize, major_only: bool) -> bool {
        if s == 0 {
            return true;
        }
        let b = hay[s - 1];
        (if major_only {
            self.is_major(b)
        } else {
            self.is_breaker(b)
        }) || self.seqs(major_only).any(|q| hay[..s].ends_with(q))
    }

    /// Whether a term may end at `e` of `hay`: the text's end, or just before a breaker.
    pub fn boundary_after(&self, hay: &[u8], e: usize, major_only: bool) -> bool {
        if e >= hay.len() {
            return true;
        }
        let b = hay[e];
        (if major_only {
            self.is_major(b)
        } else {
            self.is_breaker(b)
        }) || self.seqs(major_only).any(|q| hay[e..].starts_with(q))
    }

    /// Whether position `pos` of `hay` falls strictly inside a multi-byte major breaker (the
    /// `20` of `%20`): a term cannot start there, though the `%` before it is a breaker.
    pub fn inside_seq(&self, hay: &[u8], pos: usize) -> bool {
        self.major_seqs
            .iter()
            .any(|q| (pos.saturating_sub(q.len() - 1)..pos).any(|a| hay[a..].starts_with(q)))
    }

    /// The tails of multi-byte breakers that follow a single-byte breaker (`20` of `%20`).
    fn seq_tails(&self) -> impl Iterator<Item = (u8, &[u8])> {
        self.major_seqs
            .iter()
            .filter(|q| q.len() > 1 && self.is_breaker(q[0]))
            .map(|q| (q[0], &q[1..]))
    }

    /// Whether the span `from..to` of `hay` crosses a major breaker: holds a major byte, or a
    /// position where a sequence such as `%20` starts (a wildcard stops before it).
    pub fn crosses_major(&self, hay: &[u8], from: usize, to: usize) -> bool {
        hay[from..to].iter().any(|b| self.is_major(*b))
            || (from..to).any(|i| self.major_seqs.iter().any(|q| hay[i..].starts_with(q)))
    }

    /// The indexed terms of `text`, as `tstats` and `PREFIX()` see them: each major segment and
    /// each minor segment, lower case, once each, in order of appearance. Intermediate majors
    /// (`a.b` of `a.b.c`) are not terms (segmenters.conf `INTERMEDIATE_MAJORS`, default false).
    pub fn terms(&self, text: &str) -> Vec<String> {
        let hay = text.as_bytes();
        let mut majors: Vec<(usize, usize)> = Vec::new();
        let (mut start, mut i) = (0, 0);
        while i < hay.len() {
            let seq = self
                .major_seqs
                .iter()
                .find(|q| hay[i..].starts_with(q))
                .map(|q| q.len());
            let len = match seq {
                Some(n) => n,
                None if self.is_major(hay[i]) => 1,
                None => {
                    i += 1;
                    continue;
                }
            };
            majors.push((start, i));
            i += len;
            start = i;
        }
        majors.push((start, hay.len()));
        let mut out: Vec<String> = Vec::new();
        let mut push = |a: usize, b: usize| {
            if a < b {
                let t = String::from_utf8_lossy(&hay[a..b]).to_lowercase();
                if !out.contains(&t) {
                    out.push(t);
                }
            }
        };
        for (a, b) in majors {
            push(a, b);
            let mut m = a;
            for (j, &byte) in hay.iter().enumerate().take(b).skip(a) {
                if byte < 128 && self.minor[byte as usize] {
                    push(m, j);
                    m = j + 1;
                }
            }
            if m > a {
                push(m, b);
            }
        }
        out
    }

    /// The multi-byte major breakers, as the conf lists them.
    pub fn major_sequences(&self) -> &[Vec<u8>] {
        &self.major_seqs
    }

    fn parse(text: &str) -> Breakers {
        let mut out = Breakers {
            major: [false; 128],
            minor: [false; 128],
            major_seqs: Vec::new(),
            minor_seqs: Vec::new(),
        };
        for stanza in super::conf::parse(text) {
            if stanza.name != "default" {
                continue;
            }
            for (key, table, seqs) in [
                ("MAJOR", &mut out.major, &mut out.major_seqs),
                ("MINOR", &mut out.minor, &mut out.minor_seqs),
            ] {
                for tok in stanza.get(key).unwrap_or("").split_whitespace() {
                    let b = match tok {
                        "\\s" => b' ',
                        "\\n" => b'\n',
                        "\\r" => b'\r',
                        "\\t" => b'\t',
                        "\\\\" => b'\\',
                        t if t.len() == 1 => t.as_bytes()[0],
                        t => {
                            // A sequence (`%20`, `--`): matched as the conf spells it.
                            seqs.push(t.as_bytes().to_vec());
                            continue;
                        }
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

/// Whether `s` starts with `prefix`, ASCII case-insensitively.
fn starts_with_ci(s: &[u8], prefix: &[u8]) -> bool {
    s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix)
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
        let major_only = self.bound == Bound::Major;
        let first = &self.parts[0].0;
        let last = &self.parts[self.parts.len() - 1].0;
        // A term that starts (ends) with a breaker is bounded there by itself.
        let check_start = !self.lead_wild && first.first().is_some_and(|b| !self.boundary(*b));
        let check_end = !self.trail_wild && last.last().is_some_and(|b| !self.boundary(*b));
        let mut from = 0;
        while let Some((s, e)) = self.find(0, hay, from) {
            from = s + 1;
            if check_start && (!br.boundary_before(hay, s, major_only) || br.inside_seq(hay, s)) {
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
        let major_only = self.bound == Bound::Major;
        let ends_ok = |e: usize| !check_end || br.boundary_after(hay, e, major_only);
        if n == 1 {
            return ends_ok(pos);
        }
        // Middle parts: leftmost occurrence (a wildcard does not cross a major breaker).
        for i in 1..n - 1 {
            match self.find(i, hay, pos) {
                Some((s, e)) if !br.crosses_major(hay, pos, s) => pos = e,
                _ => return false,
            }
        }
        // The last part: any occurrence in the segment whose end is bounded.
        let mut from = pos;
        while let Some((s, e)) = self.find(n - 1, hay, from) {
            if br.crosses_major(hay, pos, s) {
                return false;
            }
            if ends_ok(e) {
                return true;
            }
            from = s + 1;
        }
        false
    }

    /// Whether [`TermMatcher::regex`] expresses the term exactly. With `lookahead` (a regex
    /// engine with `(?!...)`, such as Java's), a wildcard between literal parts is written to
    /// stop before a breaker sequence (`%20`, `--`); without it, such a term is not exact.
    /// A term starting with the letters of a sequence's tail (`2C...` after `%`) is not exact
    /// either: which case the text spells decides whether the `%` starts a breaker.
    pub fn regex_exact(v: &SearchValue, lookahead: bool) -> bool {
        let pieces = v.pattern();
        let inner_wild = pieces.iter().enumerate().any(|(i, p)| {
            *p == PatternPiece::Wildcard
                && pieces[..i]
                    .iter()
                    .any(|q| matches!(q, PatternPiece::Literal(s) if !s.is_empty()))
                && pieces[i + 1..]
                    .iter()
                    .any(|q| matches!(q, PatternPiece::Literal(s) if !s.is_empty()))
        });
        let br = default_breakers();
        if inner_wild && !lookahead && !br.major_seqs.is_empty() {
            return false;
        }
        !matches!(pieces.first(), Some(PatternPiece::Literal(l))
            if br.seq_tails().any(|(_, t)| starts_with_ci(l.as_bytes(), t)
                && t.iter().any(|b| b.is_ascii_alphabetic())))
    }

    /// [`TermMatcher::regex`] for an engine without look-ahead (RE2): exact when
    /// [`TermMatcher::regex_exact`] says so without it.
    pub fn regex(v: &SearchValue, case_sensitive: bool, bound: Bound) -> String {
        Self::regex_with(v, case_sensitive, bound, false)
    }

    /// The same test as a regular expression (for backends that match with one, e.g. SQL):
    /// `(?i)` unless case-sensitive, breakers as character classes on both sides.
    pub fn regex_with(
        v: &SearchValue,
        case_sensitive: bool,
        bound: Bound,
        lookahead: bool,
    ) -> String {
        let br = default_breakers();
        let class_without = |major_only: bool, negate: bool, excluded: &[u8]| {
            let mut c = String::from(if negate { "[^" } else { "[" });
            for b in 0u8..128 {
                let on = if major_only {
                    br.is_major(b)
                } else {
                    br.is_breaker(b)
                } && !excluded.contains(&b);
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
        // A single-byte breaker that, before this term, would start a multi-byte one (the `%`
        // of `%20` before `2021`) does not bound it.
        let pieces = v.pattern();
        let excluded: Vec<u8> = match pieces.first() {
            Some(PatternPiece::Literal(l)) => br
                .seq_tails()
                .filter(|(_, t)| starts_with_ci(l.as_bytes(), t))
                .map(|(c, _)| c)
                .collect(),
            _ => Vec::new(),
        };
        let bound_class = class_without(bound == Bound::Major, false, &excluded);
        let mut re = String::from(if case_sensitive { "(?s)" } else { "(?is)" });
        let is_b = |b: u8| match bound {
            Bound::Segment => br.is_breaker(b),
            Bound::Major => br.is_major(b),
        };
        let starts_with_breaker = matches!(pieces.first(), Some(PatternPiece::Literal(s)) if s.bytes().next().is_some_and(is_b));
        let ends_with_breaker = matches!(pieces.last(), Some(PatternPiece::Literal(s)) if s.bytes().last().is_some_and(is_b));
        // Multi-byte breakers (`%20`, `--`) bound a term as well.
        let mut seqs = String::new();
        for q in br.seqs(bound == Bound::Major) {
            seqs.push('|');
            seqs.push_str(&regex::escape(&String::from_utf8_lossy(q)));
        }
        if matches!(pieces.first(), Some(PatternPiece::Literal(_))) && !starts_with_breaker {
            re.push_str(&format!("(?:^|{bound_class}{seqs})"));
        }
        let in_segment = if lookahead && !br.major_seqs.is_empty() {
            let seqs: Vec<String> = br
                .major_seqs
                .iter()
                .map(|q| regex::escape(&String::from_utf8_lossy(q)))
                .collect();
            format!(
                "(?:(?!{}){})*",
                seqs.join("|"),
                class_without(true, true, &[])
            )
        } else {
            format!("{}*", class_without(true, true, &[]))
        };
        for p in &pieces {
            match p {
                PatternPiece::Literal(s) => re.push_str(&regex::escape(s)),
                PatternPiece::Wildcard => re.push_str(&in_segment),
            }
        }
        if matches!(pieces.last(), Some(PatternPiece::Literal(_))) && !ends_with_breaker {
            re.push_str(&format!("(?:$|{bound_class}{seqs})"));
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
        if TermMatcher::regex_exact(&v, false) {
            let re = regex::Regex::new(&TermMatcher::regex(&v, case, bound)).unwrap();
            assert_eq!(m, re.is_match(text), "{term} on {text}: matcher vs regex");
        }
        if TermMatcher::regex_exact(&v, true) {
            // The look-ahead form, as Java's engine (Spark) runs it.
            let re =
                fancy_regex::Regex::new(&TermMatcher::regex_with(&v, case, bound, true)).unwrap();
            assert_eq!(
                m,
                re.is_match(text).unwrap(),
                "{term} on {text}: matcher vs look-ahead regex"
            );
        }
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
    fn url_encoded_and_double_dash_breakers() {
        let (s, m) = (Bound::Segment, Bound::Major);
        assert!(default_breakers()
            .major_sequences()
            .iter()
            .any(|q| q == b"%20"));
        // `%20` is a major breaker: `world` is a term of its own, `20world` is not.
        assert!(both("world", false, s, "GET /a?q=hello%20world"));
        assert!(!both("20world", false, s, "GET /a?q=hello%20world"));
        assert!(!both("2Cb", false, s, "x=a%2Cb"));
        assert!(both("b", false, s, "x=a%2Cb"));
        // TERM() is bounded by it, as by a space.
        assert!(both("hello", false, m, "q=x hello%20world y"));
        assert!(both("world", false, m, "q=x hello%20world y"));
        assert!(both("a", false, m, "a--b"));
        assert!(!both("a", false, m, "a-b"));
        // A wildcard does not cross it.
        assert!(!both("hello*world", false, s, "hello%20world"));
        assert!(both("hello*world", false, s, "hello%2world"));
        assert!(!both("a*b", false, s, "a--b"));
        // It stops where a sequence starts, even one ending in the next literal part.
        assert!(!both("a*0b", false, s, "a%20b"));
        assert!(both("a*0b", false, s, "a%30b"));
        // A term does not start inside one: `2021` is not a term of `q=%2021` (`%20`, `21`).
        assert!(!both("2021", false, s, "q=%2021"));
        assert!(both("2021", false, s, "q=%202021"));
        assert!(both("2021", false, s, "q=a#2021"));
        assert!(both("2021", false, s, "q=a 2021"));
        // `%2520` is one breaker: `20x` is not a term of `%2520x`.
        assert!(!both("20x", false, s, "y%2520x"));
        assert!(both("x", false, s, "y%2520x"));
    }

    #[test]
    fn indexed_terms_are_major_and_minor_segments() {
        let t = default_breakers().terms("GET kbps=10.5 User=Admin q=a%20b");
        for want in [
            "get",
            "kbps=10.5",
            "kbps",
            "10",
            "5",
            "user=admin",
            "q=a",
            "b",
        ] {
            assert!(t.contains(&want.to_string()), "{want} in {t:?}");
        }
        // No intermediate majors, no text across `%20`.
        assert!(!t.contains(&"kbps=10".to_string()), "{t:?}");
        assert!(!t.iter().any(|x| x.contains("%20")), "{t:?}");
    }

    #[test]
    fn non_ascii_terms_fold_case() {
        assert!(t("ÉCOLE").matches("une école ici"));
        assert!(!t("écol").matches("une école ici"));
    }
}

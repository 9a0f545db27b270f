//! Splunk's regular expressions are PCRE; spelunk runs them with Rust's `regex` crate (linear
//! time, no look-around or back-references). This module bridges the syntax differences that
//! occur in detections: PCRE reads a `{` that does not start a quantifier (`{2}`, `{2,}`, `{2,5}`)
//! as a literal brace, Rust's parser rejects it.

/// Rewrite PCRE syntax that Rust's `regex` reads differently; other text is unchanged.
pub fn to_rust(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut i = 0;
    let mut in_class = false;
    let mut open_quantifier = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                out.push(c);
                if let Some(&n) = chars.get(i + 1) {
                    out.push(n);
                    // `\x{202E}`, `\p{L}`: the braces belong to the escape.
                    if matches!(n, 'x' | 'p' | 'P') && chars.get(i + 2) == Some(&'{') {
                        let mut j = i + 2;
                        while j < chars.len() {
                            out.push(chars[j]);
                            j += 1;
                            if chars[j - 1] == '}' {
                                break;
                            }
                        }
                        i = j;
                        continue;
                    }
                }
                i += 2;
                continue;
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                // A `]` or `^]` right after `[` is literal.
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i + 1) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            '[' if in_class => out.push_str("\\["),
            '{' if !in_class => {
                if is_quantifier(&chars[i..]) {
                    open_quantifier = true;
                    out.push(c);
                } else {
                    out.push_str("\\{");
                }
            }
            '}' if !in_class => {
                if open_quantifier {
                    open_quantifier = false;
                    out.push(c);
                } else {
                    out.push_str("\\}");
                }
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// `{n}`, `{n,}` or `{n,m}` at the start of `s`.
fn is_quantifier(s: &[char]) -> bool {
    let mut i = 1;
    let digits = |i: &mut usize| {
        let start = *i;
        while s.get(*i).is_some_and(|c| c.is_ascii_digit()) {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return false;
    }
    if s.get(i) == Some(&',') {
        i += 1;
        digits(&mut i);
    }
    s.get(i) == Some(&'}')
}

/// Compile a Splunk regular expression.
pub fn compile(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::Regex::new(&to_rust(pattern))
}

/// The pattern without its look-around groups (`(?=...)`, `(?!...)`, `(?<=...)`, `(?<!...)`),
/// when that is a pattern Rust's linear engine reads. Look-arounds only restrict where a match
/// may be, so every text the full pattern matches, this one matches too: a text it rejects is
/// rejected without backtracking. None when the pattern has nothing to remove, when a quantifier
/// follows a look-around (removing it would move the quantifier), or when what remains still
/// needs backtracking (back-references).
pub fn relaxed(pattern: &str) -> Option<regex::Regex> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len());
    let mut removed = false;
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            out.push(c);
            if let Some(&n) = chars.get(i + 1) {
                out.push(n);
            }
            i += 2;
            continue;
        }
        if in_class {
            in_class = c != ']';
            out.push(c);
            i += 1;
            continue;
        }
        if c == '[' {
            in_class = true;
            out.push(c);
            // A `]` right after `[` or `[^` is literal.
            if chars.get(i + 1) == Some(&'^') {
                out.push('^');
                i += 1;
            }
            if chars.get(i + 1) == Some(&']') {
                out.push(']');
                i += 1;
            }
            i += 1;
            continue;
        }
        let look = c == '('
            && chars.get(i + 1) == Some(&'?')
            && match chars.get(i + 2) {
                Some('=') | Some('!') => true,
                Some('<') => matches!(chars.get(i + 3), Some('=') | Some('!')),
                _ => false,
            };
        if !look {
            out.push(c);
            i += 1;
            continue;
        }
        // Skip to the group's closing parenthesis.
        let mut depth = 0usize;
        let mut class = false;
        let mut j = i;
        while j < chars.len() {
            match chars[j] {
                '\\' => j += 1,
                '[' if !class => class = true,
                ']' if class => class = false,
                '(' if !class => depth += 1,
                ')' if !class => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        if j >= chars.len() || matches!(chars.get(j + 1), Some('*' | '+' | '?' | '{')) {
            return None;
        }
        removed = true;
        i = j + 1;
    }
    if !removed {
        return None;
    }
    compile(&out).ok()
}

/// A compiled Splunk regular expression: Rust's linear-time engine when it can read the pattern,
/// `fancy-regex` (backtracking) for look-around and back-references, behind the linear
/// [`relaxed`] pattern when there is one (most texts are rejected without backtracking).
#[derive(Clone)]
pub enum Pattern {
    Linear(regex::Regex),
    Backtracking(fancy_regex::Regex, Option<regex::Regex>),
}

impl Pattern {
    /// Compile, preferring the linear-time engine; the error is the linear engine's.
    pub fn new(pattern: &str) -> Result<Pattern, String> {
        match compile(pattern) {
            Ok(re) => Ok(Pattern::Linear(re)),
            Err(e) => fancy_regex::Regex::new(&to_rust(pattern))
                .map(|re| Pattern::Backtracking(re, relaxed(pattern)))
                .map_err(|_| e.to_string()),
        }
    }

    /// Whether the pattern matches somewhere in `text` (a backtracking limit counts as no match).
    pub fn is_match(&self, text: &str) -> bool {
        match self {
            Pattern::Linear(re) => re.is_match(text),
            Pattern::Backtracking(re, pre) => {
                pre.as_ref().is_none_or(|p| p.is_match(text)) && re.is_match(text).unwrap_or(false)
            }
        }
    }

    /// The capture groups' names, by group index (None for unnamed groups and group 0).
    pub fn capture_names(&self) -> Vec<Option<String>> {
        match self {
            Pattern::Linear(re) => re.capture_names().map(|n| n.map(str::to_string)).collect(),
            Pattern::Backtracking(re, _) => {
                re.capture_names().map(|n| n.map(str::to_string)).collect()
            }
        }
    }

    /// The text of group `idx` in each of the first `limit` matches that set it.
    pub fn group_values(&self, text: &str, idx: usize, limit: usize) -> Vec<String> {
        match self {
            Pattern::Linear(re) => re
                .captures_iter(text)
                .take(limit)
                .filter_map(|c| c.get(idx).map(|m| m.as_str().to_string()))
                .collect(),
            Pattern::Backtracking(re, _) => re
                .captures_iter(text)
                .take(limit)
                .filter_map(|c| c.ok()?.get(idx).map(|m| m.as_str().to_string()))
                .collect(),
        }
    }

    /// `text` with the first (or, `global`, every) match replaced; `rep` uses `${1}` references.
    pub fn replace(&self, text: &str, rep: &str, global: bool) -> String {
        match (self, global) {
            (Pattern::Linear(re), true) => re.replace_all(text, rep).into_owned(),
            (Pattern::Linear(re), false) => re.replace(text, rep).into_owned(),
            (Pattern::Backtracking(re, _), true) => re.replace_all(text, rep).into_owned(),
            (Pattern::Backtracking(re, _), false) => re.replace(text, rep).into_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_braces_are_escaped_quantifiers_kept() {
        assert_eq!(
            to_rust(r"(^%{|^)(?P<S>.*?)(}$|$)"),
            r"(^%\{|^)(?P<S>.*?)(\}$|$)"
        );
        assert_eq!(to_rust(r"\d{2,4}x{3}y{1,}"), r"\d{2,4}x{3}y{1,}");
        assert_eq!(to_rust(r"[{}]\{"), r"[{}]\{");
        assert!(compile(r"(^%{|^)(?P<SidHistory>.*?)(}$|$)").is_ok());
        assert_eq!(to_rust(r"\x{202E}\p{L}{2}"), r"\x{202E}\p{L}{2}");
        assert!(compile(r"\x{202E}").is_ok());
        assert!(compile(r"(?<json_field>{.+})").is_ok());
    }

    #[test]
    fn look_around_falls_back_to_backtracking() {
        let p = Pattern::new(r"(?<!\/)\b\w+(\.\w+)?:\w+(\.\w+)?$").unwrap();
        assert!(matches!(p, Pattern::Backtracking(_, Some(_))));
        assert!(p.is_match(r"C:\x\file.txt:hidden.exe"));
        assert!(!p.is_match("nothing here"));
        assert!(matches!(Pattern::new("a+b").unwrap(), Pattern::Linear(_)));
        assert!(Pattern::new("(unclosed").is_err());
    }

    #[test]
    fn the_relaxed_pattern_drops_only_look_arounds() {
        let r = |p: &str| relaxed(p).map(|r| r.as_str().to_string());
        assert_eq!(
            r(r"(\b)\w+(\.\w+)?:\w+(\.\w{2,4})(?!\.)(\b|\s|&)").as_deref(),
            Some(r"(\b)\w+(\.\w+)?:\w+(\.\w{2,4})(\b|\s|&)")
        );
        assert_eq!(r(r"(?<!\/)a(?=[)(])b").as_deref(), Some("ab"));
        // A class holding `(?=` is not a group; named groups stay.
        assert_eq!(r(r"[(?=]x(?<n>y)(?!z)").as_deref(), Some(r"[(?=]x(?<n>y)"));
        // A quantified look-around, nothing to remove, or a back-reference: no prefilter.
        assert_eq!(r(r"a(?=b)?c"), None);
        assert_eq!(r("abc"), None);
        assert_eq!(r(r"(a)(?!b)\1"), None);
        // The prefilter never rejects what the full pattern matches.
        let full = Pattern::new(r"\w+:\w+(\.\w{2,4})(?!\.)(\b|\s|&)").unwrap();
        for t in [
            "x a:b.txt y",
            "a:b.txt.",
            "c:\\w\\x.exe",
            "file.txt:stream.exe",
        ] {
            let relaxed_hit = relaxed(r"\w+:\w+(\.\w{2,4})(?!\.)(\b|\s|&)")
                .unwrap()
                .is_match(t);
            let full_hit = fancy_regex::Regex::new(r"\w+:\w+(\.\w{2,4})(?!\.)(\b|\s|&)")
                .unwrap()
                .is_match(t)
                .unwrap();
            assert!(relaxed_hit || !full_hit, "{t}");
            assert_eq!(full.is_match(t), full_hit, "{t}");
        }
    }

    #[test]
    fn classes_with_literal_brackets() {
        assert_eq!(to_rust(r"[^\]]+\]"), r"[^\]]+\]");
        assert!(compile(r"DisabledPlans=\[(?P<DisabledPlans>[^\]]+)\]").is_ok());
    }
}

//! User-facing errors with a position: `line:column` and a caret under the offending text.
//!
//! Every error that comes from user input (SPL text, macro definitions, files) is a [`Diagnostic`].
//! Rendering is plain text so that it reads well in a terminal, in CI logs and in tests.

use std::fmt;

/// A byte range in a source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
}

/// An error in user input, with the text it refers to so that it can be shown with a caret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// One-line description of what is wrong.
    pub message: String,
    /// Where, in `source`.
    pub span: Option<Span>,
    /// The text the span refers to (the search as typed, or as expanded).
    pub source: String,
    /// What `source` is, e.g. "search" or "expanded search" or a file name.
    pub origin: String,
    /// Extra lines: hints, macro chains, closest names.
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            message: message.into(),
            span: None,
            source: String::new(),
            origin: "search".into(),
            notes: Vec::new(),
        }
    }

    /// Attach the text and the byte range the error points at.
    pub fn at(mut self, source: &str, span: Span) -> Diagnostic {
        self.source = source.to_string();
        self.span = Some(span);
        self
    }

    pub fn origin(mut self, origin: impl Into<String>) -> Diagnostic {
        self.origin = origin.into();
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// 1-based line and column (in characters) of the span's start.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        let span = self.span?;
        Some(line_col(&self.source, span.start))
    }
}

/// 1-based (line, column) of a byte offset; columns count characters.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = text[line_start..offset].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        if let Some(span) = self.span {
            let (line, col) = line_col(&self.source, span.start);
            writeln!(f, "  --> {}:{}:{}", self.origin, line, col)?;
            let start = floor_char_boundary(&self.source, span.start.min(self.source.len()));
            let line_start = self.source[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
            let line_end = self.source[start..]
                .find('\n')
                .map(|i| start + i)
                .unwrap_or(self.source.len());
            let text = self.source[line_start..line_end].trim_end_matches('\r');
            // Long lines (a whole detection on one line) are windowed around the caret.
            let chars: Vec<char> = text.chars().collect();
            let caret_col = col - 1;
            let end = floor_char_boundary(&self.source, span.end.clamp(start, line_end));
            let width = self.source[start..end].chars().count().max(1);
            let (lo, hi) = window(chars.len(), caret_col, 100);
            let shown: String = chars[lo..hi].iter().collect();
            let prefix = if lo > 0 { "..." } else { "" };
            let suffix = if hi < chars.len() { "..." } else { "" };
            let gutter = line.to_string();
            let pad = " ".repeat(gutter.len());
            writeln!(f, "{pad} |")?;
            writeln!(f, "{gutter} | {prefix}{shown}{suffix}")?;
            let caret_pad = " ".repeat(prefix.len() + caret_col - lo);
            let carets = "^".repeat(width.min(hi.saturating_sub(caret_col)).max(1));
            writeln!(f, "{pad} | {caret_pad}{carets}")?;
        }
        for note in &self.notes {
            writeln!(f, "  = {note}")?;
        }
        Ok(())
    }
}

/// A window of at most `max` characters around `at`.
fn window(len: usize, at: usize, max: usize) -> (usize, usize) {
    if len <= max {
        return (0, len);
    }
    let lo = at.saturating_sub(max / 3);
    let hi = (lo + max).min(len);
    let lo = hi.saturating_sub(max);
    (lo, hi)
}

impl std::error::Error for Diagnostic {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_line_column_and_caret() {
        let src = "search a=1\n| stats cuont(x)";
        let d = Diagnostic::new("unknown function").at(src, Span::new(19, 24));
        let out = d.to_string();
        assert!(out.contains("--> search:2:9"), "{out}");
        assert!(out.contains("2 | | stats cuont(x)"), "{out}");
        assert!(out.contains("  |         ^^^^^"), "{out}");
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("é=1 x", 4), (1, 4));
        assert_eq!(line_col("a\nb", 2), (2, 1));
        assert_eq!(line_col("", 10), (1, 1));
    }
}

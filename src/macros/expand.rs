//! Textual macro expansion: comments out, `` `macro(args)` `` calls replaced, recursively.

use super::{macro_key, MacroLibrary};
use crate::diagnostic::{Diagnostic, Span};

/// Limits that keep expansion finite on hostile input.
#[derive(Debug, Clone)]
pub struct ExpandOptions {
    /// Deepest nesting of macro calls.
    pub max_depth: usize,
    /// Largest expanded text, in bytes.
    pub max_len: usize,
}

impl Default for ExpandOptions {
    fn default() -> Self {
        ExpandOptions {
            max_depth: 50,
            max_len: 4 << 20,
        }
    }
}

/// Expand every macro in `text` and remove ```` ```comments``` ````.
///
/// A missing macro whose name ends in `_filter` (security_content's per-detection filter, generated
/// by Splunk's content build) expands to `search *`. Errors name the macro and point at the call.
pub fn expand(text: &str, lib: &MacroLibrary) -> Result<String, Diagnostic> {
    expand_with(text, lib, &ExpandOptions::default())
}

/// [`expand`] with explicit limits.
pub fn expand_with(
    text: &str,
    lib: &MacroLibrary,
    opts: &ExpandOptions,
) -> Result<String, Diagnostic> {
    let mut ex = Expander {
        lib,
        opts,
        chain: Vec::new(),
        out_len: 0,
    };
    let mut out = String::with_capacity(text.len() * 2);
    ex.expand_into(text, "search", &mut out)?;
    Ok(out)
}

struct Expander<'a> {
    lib: &'a MacroLibrary,
    opts: &'a ExpandOptions,
    /// Macro keys being expanded, outermost first (for cycle detection).
    chain: Vec<String>,
    out_len: usize,
}

/// A macro call found in the text.
struct Call<'t> {
    name: &'t str,
    args: Vec<&'t str>,
    /// The whole call including both backticks.
    span: Span,
}

impl Expander<'_> {
    fn expand_into(
        &mut self,
        text: &str,
        origin: &str,
        out: &mut String,
    ) -> Result<(), Diagnostic> {
        let text = strip_comments(text).map_err(|span| {
            Diagnostic::new("unterminated comment: ``` has no closing ```")
                .at(text, span)
                .origin(origin)
        })?;
        let bytes = text.as_bytes();
        let mut i = 0;
        let mut copied = 0;
        let mut in_quotes = false;
        while i < bytes.len() {
            let b = bytes[i];
            if in_quotes {
                if b == b'\\' {
                    i += 2;
                    continue;
                }
                if b == b'"' {
                    in_quotes = false;
                }
                i += 1;
                continue;
            }
            match b {
                // Outside quotes a backslash escapes the next character (`*\"x\"*`).
                b'\\' => i += 2,
                b'"' => {
                    in_quotes = true;
                    i += 1;
                }
                b'`' => {
                    out.push_str(&text[copied..i]);
                    let call = parse_call(&text, i).map_err(|(msg, span)| {
                        Diagnostic::new(msg).at(&text, span).origin(origin)
                    })?;
                    self.expand_call(&text, origin, &call, out)?;
                    i = call.span.end;
                    copied = i;
                }
                _ => i += 1,
            }
        }
        out.push_str(&text[copied..]);
        Ok(())
    }

    fn expand_call(
        &mut self,
        text: &str,
        origin: &str,
        call: &Call<'_>,
        out: &mut String,
    ) -> Result<(), Diagnostic> {
        let key = macro_key(call.name, call.args.len());
        let at = |d: Diagnostic| d.at(text, call.span).origin(origin);
        let Some(def) = self.lib.get(call.name, call.args.len()) else {
            if call.name.ends_with("_filter") && call.args.is_empty() {
                out.push_str("search *");
                return Ok(());
            }
            let arities = self.lib.arities(call.name);
            if !arities.is_empty() {
                let takes: Vec<String> = arities.iter().map(|a| a.to_string()).collect();
                return Err(at(Diagnostic::new(format!(
                    "macro `{}` takes {} argument(s), but is called with {}",
                    call.name,
                    takes.join(" or "),
                    call.args.len()
                ))));
            }
            let mut d = at(Diagnostic::new(format!("undefined macro `{key}`")));
            let close = closest(call.name, self.lib.keys());
            if !close.is_empty() {
                d = d.note(format!("did you mean: {}?", close.join(", ")));
            }
            if !self.chain.is_empty() {
                d = d.note(format!("while expanding {}", self.chain_text()));
            }
            return Err(d);
        };
        if self.chain.contains(&key) {
            let mut chain = self.chain.clone();
            chain.push(key.clone());
            return Err(at(Diagnostic::new(format!(
                "macro cycle: {}",
                chain
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(" -> ")
            ))));
        }
        if self.chain.len() >= self.opts.max_depth {
            return Err(at(Diagnostic::new(format!(
                "macros nested more than {} deep at `{key}`",
                self.opts.max_depth
            ))));
        }
        let mut body = def.definition.clone();
        for (name, value) in def.args.iter().zip(&call.args) {
            body = body.replace(&format!("${name}$"), value);
        }
        let origin = format!("macro `{key}` ({})", def.origin);
        self.chain.push(key);
        let start = out.len();
        let r = self.expand_into(&body, &origin, out);
        self.chain.pop();
        r?;
        self.out_len += out.len() - start;
        if out.len() > self.opts.max_len || self.out_len > self.opts.max_len * 4 {
            return Err(at(Diagnostic::new(format!(
                "macro expansion grows past {} bytes",
                self.opts.max_len
            ))));
        }
        Ok(())
    }

    fn chain_text(&self) -> String {
        self.chain
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(" -> ")
    }
}

/// Remove ```` ```comments``` ```` (replaced by one space so that tokens do not join).
/// Returns the span of an unterminated comment.
fn strip_comments(text: &str) -> Result<std::borrow::Cow<'_, str>, Span> {
    if !text.contains("```") {
        return Ok(std::borrow::Cow::Borrowed(text));
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut offset = 0;
    while let Some(start) = rest.find("```") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 3..];
        match after.find("```") {
            Some(end) => {
                out.push(' ');
                let consumed = start + 3 + end + 3;
                offset += consumed;
                rest = &rest[consumed..];
            }
            None => return Err(Span::new(offset + start, offset + start + 3)),
        }
    }
    out.push_str(rest);
    Ok(std::borrow::Cow::Owned(out))
}

/// Parse the macro call starting at the backtick at `start`.
fn parse_call(text: &str, start: usize) -> Result<Call<'_>, (String, Span)> {
    let bytes = text.as_bytes();
    let name_start = start + 1;
    let mut i = name_start;
    while i < bytes.len() && bytes[i] != b'`' && bytes[i] != b'(' {
        i += 1;
    }
    let unterminated = || {
        (
            "unterminated macro call: ` has no closing `".to_string(),
            Span::new(start, start + 1),
        )
    };
    if i >= bytes.len() {
        return Err(unterminated());
    }
    let name = text[name_start..i].trim();
    let valid_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'));
    if !valid_name {
        let end = if bytes[i] == b'`' { i + 1 } else { i };
        return Err((
            format!("invalid macro name `{name}`"),
            Span::new(start, end.max(start + 1)),
        ));
    }
    if bytes[i] == b'`' {
        return Ok(Call {
            name,
            args: Vec::new(),
            span: Span::new(start, i + 1),
        });
    }
    // Arguments: comma-separated, up to the matching ')', honouring quotes and nested parentheses.
    let mut args = Vec::new();
    let mut depth = 0usize;
    let mut in_quotes = false;
    let mut arg_start = i + 1;
    let mut j = i + 1;
    while j < bytes.len() {
        let b = bytes[j];
        if in_quotes {
            match b {
                b'\\' => j += 1,
                b'"' => in_quotes = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => in_quotes = true,
                b'(' => depth += 1,
                b')' if depth > 0 => depth -= 1,
                b')' => {
                    let last = text[arg_start..j].trim();
                    if !(args.is_empty() && last.is_empty()) {
                        args.push(last);
                    }
                    let close = j + 1;
                    if bytes.get(close) != Some(&b'`') {
                        return Err((
                            format!("macro call `{name}(...)` must end with ` right after `)`"),
                            Span::new(start, close),
                        ));
                    }
                    return Ok(Call {
                        name,
                        args,
                        span: Span::new(start, close + 1),
                    });
                }
                b',' if depth == 0 => {
                    args.push(text[arg_start..j].trim());
                    arg_start = j + 1;
                }
                b'`' => return Err(unterminated()),
                _ => {}
            }
        }
        j += 1;
    }
    Err(unterminated())
}

/// Up to three defined macro keys closest to `name`.
fn closest<'a>(name: &str, keys: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut scored: Vec<(f64, &str)> = keys
        .map(|k| {
            let base = k.split('(').next().unwrap_or(k);
            (strsim::jaro_winkler(name, base), k)
        })
        .filter(|(s, _)| *s > 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored
        .into_iter()
        .take(3)
        .map(|(_, k)| format!("`{k}`"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::macros::{parse_macro_yaml, MacroLibrary};

    fn lib(defs: &[&str]) -> MacroLibrary {
        let mut lib = MacroLibrary::builtin();
        for d in defs {
            lib.insert(parse_macro_yaml(d, "test").unwrap());
        }
        lib
    }

    #[test]
    fn expands_nested_macros_and_arguments() {
        let l = lib(&[]);
        let out = expand(
            "| tstats `security_content_summariesonly` count from datamodel=Endpoint.Processes by Processes.dest | `drop_dm_object_name(Processes)` | `security_content_ctime(firstTime)`",
            &l,
        )
        .unwrap();
        assert_eq!(
            out,
            "| tstats summariesonly=false allow_old_summaries=true fillnull_value=null count from datamodel=Endpoint.Processes by Processes.dest | rename Processes.* AS * | convert timeformat=\"%Y-%m-%dT%H:%M:%S\" ctime(firstTime)"
        );
    }

    #[test]
    fn missing_filter_macro_is_search_star() {
        let out = expand("index=main | `my_detection_filter`", &lib(&[])).unwrap();
        assert_eq!(out, "index=main | search *");
    }

    #[test]
    fn comments_are_removed_and_their_backticks_ignored() {
        let out = expand(
            "index=main ```a `comment` with `backticks``` | stats count ```x```",
            &lib(&[]),
        )
        .unwrap();
        assert_eq!(out, "index=main   | stats count  ");
    }

    #[test]
    fn backticks_inside_quotes_are_literal() {
        let out = expand("| eval x=replace(p, \"`\", \"\")", &lib(&[])).unwrap();
        assert_eq!(out, "| eval x=replace(p, \"`\", \"\")");
    }

    #[test]
    fn escaped_quote_outside_quotes_does_not_open_a_string() {
        let out = expand("a=*\\\"x\\\":true* | `d_filter`", &lib(&[])).unwrap();
        assert_eq!(out, "a=*\\\"x\\\":true* | search *");
    }

    #[test]
    fn undefined_macro_names_itself_and_suggests() {
        let err = expand("| tstats `security_content_sumariesonly` count", &lib(&[])).unwrap_err();
        assert_eq!(
            err.message,
            "undefined macro `security_content_sumariesonly`"
        );
        assert_eq!(err.line_col(), Some((1, 10)));
        assert!(
            err.notes
                .iter()
                .any(|n| n.contains("`security_content_summariesonly`")),
            "{err}"
        );
        let shown = err.to_string();
        assert!(shown.contains("^^^^^"), "{shown}");
    }

    #[test]
    fn wrong_arity_is_an_error() {
        let err = expand("| `drop_dm_object_name(a, b)`", &lib(&[])).unwrap_err();
        assert!(
            err.message
                .contains("macro `drop_dm_object_name` takes 1 argument(s), but is called with 2"),
            "{}",
            err.message
        );
        assert_eq!(err.line_col(), Some((1, 3)));
    }

    #[test]
    fn cycles_show_the_chain() {
        let l = lib(&["name: a\ndefinition: x `b`", "name: b\ndefinition: y `a`"]);
        let err = expand("search `a`", &l).unwrap_err();
        assert_eq!(err.message, "macro cycle: `a` -> `b` -> `a`");
    }

    #[test]
    fn unterminated_backtick_points_at_it() {
        let err = expand("search x | `foo", &lib(&[])).unwrap_err();
        assert!(
            err.message.starts_with("unterminated macro call"),
            "{}",
            err.message
        );
        assert_eq!(err.line_col(), Some((1, 12)));
        let err = expand("search x | `foo(a, b", &lib(&[])).unwrap_err();
        assert!(
            err.message.starts_with("unterminated macro call"),
            "{}",
            err.message
        );
    }

    #[test]
    fn unterminated_comment_is_an_error() {
        let err = expand("search x ```oops", &lib(&[])).unwrap_err();
        assert!(err.message.starts_with("unterminated comment"));
        assert_eq!(err.line_col(), Some((1, 10)));
    }

    #[test]
    fn exponential_expansion_is_bounded() {
        let mut defs = Vec::new();
        for i in 0..40 {
            defs.push(format!(
                "name: m{i}\ndefinition: \"`m{}` `m{}`\"",
                i + 1,
                i + 1
            ));
        }
        defs.push("name: m40\ndefinition: xxxxxxxxxxxxxxxx".to_string());
        let refs: Vec<&str> = defs.iter().map(|s| s.as_str()).collect();
        let err = expand("`m0`", &lib(&refs)).unwrap_err();
        assert!(err.message.contains("grows past"), "{}", err.message);
    }

    #[test]
    fn quoted_arguments_keep_commas() {
        let l = lib(&["name: two\narguments: [a, b]\ndefinition: eval x=$a$ y=$b$"]);
        let out = expand("| `two(\"p,q\", f(1,2))`", &l).unwrap();
        assert_eq!(out, "| eval x=\"p,q\" y=f(1,2)");
    }
}

//! Reader for Splunk `.conf` files (`eventtypes.conf`, `tags.conf`): `[stanza]` headers,
//! `key = value` lines, `#` comments, and `\` at the end of a line continuing it.

/// One stanza: its name and its settings in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Stanza {
    /// The name between the brackets.
    pub name: String,
    /// `key = value` settings.
    pub settings: Vec<(String, String)>,
}

impl Stanza {
    /// The value of a setting.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.settings
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses `.conf` text into stanzas (settings before any stanza go to `default`).
pub fn parse(text: &str) -> Vec<Stanza> {
    let mut out: Vec<Stanza> = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let mut line = line.trim_end().to_string();
        while line.ends_with('\\') {
            line.pop();
            match lines.next() {
                Some(next) => {
                    line.push('\n');
                    line.push_str(next.trim_end());
                }
                None => break,
            }
        }
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if t.starts_with('[') && t.ends_with(']') {
            out.push(Stanza {
                name: t[1..t.len() - 1].trim().to_string(),
                settings: Vec::new(),
            });
            continue;
        }
        if let Some((k, v)) = t.split_once('=') {
            if out.is_empty() {
                out.push(Stanza {
                    name: "default".into(),
                    settings: Vec::new(),
                });
            }
            if let Some(s) = out.last_mut() {
                s.settings
                    .push((k.trim().to_string(), v.trim().to_string()));
            }
        }
    }
    out
}

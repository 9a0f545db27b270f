//! `rename`: rename fields; `rename Processes.* AS *` with the same number of wildcards.

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// A `rename` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rename {
    /// (from, to) pairs, applied left to right.
    pub pairs: Vec<(String, String)>,
}

impl Rename {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Rename> {
        let mut pairs = Vec::new();
        for pair in p
            .clone()
            .into_inner()
            .filter(|c| c.as_rule() == Rule::rename_pair)
        {
            let names: Vec<String> = pair
                .clone()
                .into_inner()
                .filter(|c| c.as_rule() == Rule::field)
                .map(|f| field(&f))
                .collect();
            match names.as_slice() {
                [a, b] => pairs.push((a.clone(), b.clone())),
                _ => return Err(unexpected(&pair)),
            }
        }
        Ok(Rename { pairs })
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn wildcards_quotes_and_glued_quotes() {
        let c = parse_command(
            r#"| rename Processes.* AS *, lastTime as "Last Update Time", "Web".* as *"#,
        );
        let CommandKind::Rename(r) = c.kind else {
            panic!()
        };
        assert_eq!(r.pairs[0], ("Processes.*".into(), "*".into()));
        assert_eq!(r.pairs[1], ("lastTime".into(), "Last Update Time".into()));
        assert_eq!(r.pairs[2], ("Web.*".into(), "*".into()));
    }
}

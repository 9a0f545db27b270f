//! `convert`: convert field values (`ctime(f)`: epoch seconds to text in `timeformat=`, default
//! `%m/%d/%Y %H:%M:%S`; also `mktime`, `dur2sec`, `num`, ...).

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// One `func(field) [AS name]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conversion {
    /// Lower case: `ctime`, `mktime`, `num`, ...
    pub func: String,
    /// The field (may be a wildcard); None for `func()`.
    pub field: Option<String>,
    pub alias: Option<String>,
}

/// A `convert` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Convert {
    pub options: Vec<Opt>,
    pub conversions: Vec<Conversion>,
}

impl Convert {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Convert> {
        let parts = Parts::of(p)?;
        let mut conversions = Vec::new();
        for c in &parts.rest {
            if c.as_rule() != Rule::conversion {
                return Err(unexpected(c));
            }
            let func = child(c, Rule::conv_func)?.as_str().to_ascii_lowercase();
            let names: Vec<String> = c
                .clone()
                .into_inner()
                .filter(|x| x.as_rule() == Rule::field)
                .map(|f| field(&f))
                .collect();
            let has_field = c
                .as_str()
                .split_once('(')
                .map(|(_, r)| !r.trim_start().starts_with(')'))
                .unwrap_or(false);
            let (field, alias) = if has_field {
                (names.first().cloned(), names.get(1).cloned())
            } else {
                (None, names.first().cloned())
            };
            conversions.push(Conversion { func, field, alias });
        }
        Ok(Convert {
            options: parts.options,
            conversions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn timeformat_and_ctime() {
        let c = parse_command(
            r#"| convert timeformat="%Y-%m-%dT%H:%M:%S" ctime(firstTime) ctime(lastTime) AS last"#,
        );
        let CommandKind::Convert(x) = c.kind else {
            panic!()
        };
        assert_eq!(x.options.get_opt("timeformat"), Some("%Y-%m-%dT%H:%M:%S"));
        assert_eq!(
            x.conversions[0],
            Conversion {
                func: "ctime".into(),
                field: Some("firstTime".into()),
                alias: None
            }
        );
        assert_eq!(x.conversions[1].alias.as_deref(), Some("last"));
    }
}

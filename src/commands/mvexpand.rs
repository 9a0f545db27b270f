//! `mvexpand`: one result per value of a multivalue field.

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// One result per value of a multivalue field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mvexpand {
    pub options: Vec<Opt>,
    pub field: String,
}

impl Mvexpand {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Mvexpand> {
        let parts = Parts::of(p)?;
        Ok(Mvexpand {
            field: parts.first_field(p)?,
            options: parts.options,
        })
    }
}

#[cfg(test)]
mod tests {
    #[allow(unused_imports)]
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| mvexpand findings limit=5");
        let CommandKind::Mvexpand(x) = c.kind else {
            panic!("not mvexpand: {c:?}")
        };
        assert_eq!(x.field, "findings");
        assert_eq!(x.options.get_opt("limit"), Some("5"));
    }
}

use crate::diagnostic::Diagnostic;
#[allow(unused_imports)]
use crate::exec::{schema_of, Context};
#[allow(unused_imports)]
use crate::syntax::ast::Command;
#[allow(unused_imports)]
use polars::prelude::{
    col, lit, DataType, IntoLazy, LazyFrame, SortMultipleOptions, UniqueKeepStrategy, NULL,
};

/// Run `mvexpand`: one result per value of a multivalue field (`limit=` values at most).
pub(crate) fn execute(
    mut lf: LazyFrame,
    m: &Mvexpand,
    c: &Command,
    ctx: &Context,
) -> Result<LazyFrame, Diagnostic> {
    let schema = schema_of(&mut lf, "mvexpand", c.span, ctx)?;
    match schema.get(&m.field) {
        Some(DataType::List(_)) => {
            if let Some(limit) = m.options.get_opt("limit") {
                let n: usize = limit
                    .parse()
                    .map_err(|_| ctx.error(format!("invalid limit `{limit}`"), c.span))?;
                lf = lf.with_column(col(m.field.as_str()).list().head(lit(n as i64)));
            }
            let opts = polars::prelude::ExplodeOptions {
                empty_as_null: true,
                keep_nulls: true,
            };
            Ok(lf.explode(polars::prelude::cols([m.field.as_str()]), opts))
        }
        _ => Ok(lf),
    }
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn one_row_per_value() {
        let mv: ListChunked = [
            Some(Series::new("".into(), ["a", "b"])),
            Some(Series::new("".into(), ["c"])),
        ]
        .into_iter()
        .collect();
        let df = DataFrame::new_infer_height(vec![
            mv.with_name("v".into()).into_column(),
            Column::new("k".into(), [1i64, 2]),
        ])
        .unwrap();
        let out = crate::exec::testing::run_on(df, "| mvexpand v");
        assert_eq!(out.height(), 3);
        assert_eq!(out.column("v").unwrap().str().unwrap().get(1), Some("b"));
    }
}

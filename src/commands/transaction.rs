//! `transaction`: group results into transactions by fields and constraints
//! (`startswith=`, `endswith=`, `maxspan=`, `maxpause=`, `connected=`).

#[allow(unused_imports)]
use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// The value of a transaction option.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum TxValue {
    /// `(EventCode=4781)`: a search expression.
    Search(SearchExpr),
    /// `eval(expr)`.
    Eval(EvalExpr),
    /// A plain value (`240m`, `false`, or a quoted search string).
    Text(String),
}

/// A transaction option.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TxOption {
    pub key: String,
    pub value: TxValue,
}

/// A `transaction` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transaction {
    pub fields: Vec<String>,
    pub options: Vec<TxOption>,
}

impl Transaction {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Transaction> {
        let parts = Parts::of(p)?;
        let mut options = Vec::new();
        for c in &parts.rest {
            if c.as_rule() != Rule::option_tx {
                return Err(unexpected(c));
            }
            let key = child(c, Rule::opt_key)?.as_str().to_string();
            let v = c.clone().into_inner().nth(1).ok_or_else(|| unexpected(c))?;
            let value = match v.as_rule() {
                Rule::tx_search => TxValue::Search(search_expr(&child(&v, Rule::search_expr)?)?),
                Rule::tx_eval => TxValue::Eval(eval_expr(&child(&v, Rule::eval_expr)?)?),
                _ => TxValue::Text(field(&v)),
            };
            options.push(TxOption { key, value });
        }
        Ok(Transaction {
            fields: parts.fields,
            options,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn fields_and_search_options() {
        let c = parse_command(
            r#"| transaction ObjectDN AttributeValue startswith=(EventCode=5136 OperationType="%%14674") maxspan=240m"#,
        );
        let CommandKind::Transaction(t) = c.kind else {
            panic!()
        };
        assert_eq!(t.fields, vec!["ObjectDN", "AttributeValue"]);
        assert!(matches!(
            t.options[0].value,
            TxValue::Search(SearchExpr::And(_))
        ));
        assert_eq!(t.options[1].value, TxValue::Text("240m".into()));
    }
}

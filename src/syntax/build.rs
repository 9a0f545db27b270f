//! Building the typed AST from pest pairs: the pieces every command shares.
//!
//! The grammar guarantees the shapes handled here; a shape it does not is reported as an
//! internal error with its position rather than a panic.

use super::ast::*;
use super::Rule;
use crate::diagnostic::{Diagnostic, Span};
use pest::iterators::Pair;

/// Result of building a node.
pub type BuildResult<T> = Result<T, Diagnostic>;

/// The span of a pair.
pub fn span(p: &Pair<'_, Rule>) -> Span {
    let s = p.as_span();
    Span::new(s.start(), s.end())
}

/// An error for a pair whose shape the builder does not expect (a grammar/builder mismatch).
pub fn unexpected(p: &Pair<'_, Rule>) -> Diagnostic {
    Diagnostic::new(format!(
        "internal error: unexpected {:?} `{}` in the syntax tree",
        p.as_rule(),
        p.as_str()
    ))
    .at(p.get_input(), span(p))
}

/// The first inner pair, or an error.
pub fn first<'i>(p: &Pair<'i, Rule>) -> BuildResult<Pair<'i, Rule>> {
    p.clone().into_inner().next().ok_or_else(|| unexpected(p))
}

/// Decode the inside of a double-quoted string: `\"` → `"`, `\\` → `\`; other escapes kept.
pub fn unescape(inner: &str) -> String {
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The text of a `quoted` pair without its quotes, decoded.
pub fn quoted(p: &Pair<'_, Rule>) -> String {
    let s = p.as_str();
    unescape(s.get(1..s.len().saturating_sub(1)).unwrap_or(""))
}

/// A field name: quoted parts unwrapped, glued parts joined (`"Web".*` → `Web.*`).
pub fn field(p: &Pair<'_, Rule>) -> String {
    let mut out = String::new();
    collect_field(p, &mut out);
    out
}

fn collect_field(p: &Pair<'_, Rule>, out: &mut String) {
    match p.as_rule() {
        Rule::quoted => out.push_str(&quoted(p)),
        Rule::single_quoted => {
            let s = p.as_str();
            out.push_str(s.get(1..s.len().saturating_sub(1)).unwrap_or(""));
        }
        Rule::field_word | Rule::opt_word | Rule::e_ident_target | Rule::dm_name => {
            out.push_str(p.as_str())
        }
        _ => {
            let mut any = false;
            for c in p.clone().into_inner() {
                any = true;
                collect_field(&c, out);
            }
            if !any {
                out.push_str(p.as_str());
            }
        }
    }
}

/// A `key=value` option.
pub fn option(p: &Pair<'_, Rule>) -> BuildResult<Opt> {
    let mut key = None;
    let mut value = String::new();
    let mut quoted_value = false;
    for c in p.clone().into_inner() {
        match c.as_rule() {
            Rule::opt_key => key = Some(c.as_str().to_string()),
            Rule::opt_value => {
                for part in c.into_inner() {
                    if part.as_rule() == Rule::quoted {
                        quoted_value = true;
                        value.push_str(&quoted(&part));
                    } else {
                        value.push_str(part.as_str());
                    }
                }
            }
            _ => return Err(unexpected(&c)),
        }
    }
    Ok(Opt {
        key: key.ok_or_else(|| unexpected(p))?,
        value,
        quoted: quoted_value,
    })
}

/// The fields of a `field_list`.
pub fn field_list(p: &Pair<'_, Rule>) -> Vec<String> {
    p.clone().into_inner().map(|f| field(&f)).collect()
}

/// An aggregation.
pub fn aggregate(p: &Pair<'_, Rule>) -> BuildResult<Aggregate> {
    let mut func = String::new();
    let mut arg = None;
    let mut alias = None;
    for c in p.clone().into_inner() {
        match c.as_rule() {
            Rule::agg_func => func = c.as_str().to_ascii_lowercase(),
            // `eval(<expression over aggregations>)` (chart, timechart).
            Rule::agg_eval => {
                func = "eval".into();
                let e = first(&c)?;
                let text = e.as_str().trim().to_string();
                arg = Some(AggArg::Eval(eval_expr(&e)?, text));
            }
            Rule::agg_arg => {
                let inner = first(&c)?;
                arg = Some(match inner.as_rule() {
                    Rule::agg_eval => {
                        let e = first(&inner)?;
                        let text = e.as_str().trim().to_string();
                        AggArg::Eval(eval_expr(&e)?, text)
                    }
                    Rule::prefix_fn => AggArg::Field(prefix_directive(&inner)?),
                    _ => AggArg::Field(field(&inner)),
                });
            }
            Rule::kw_as => {}
            Rule::field | Rule::single_quoted => alias = Some(field(&c)),
            _ => return Err(unexpected(&c)),
        }
    }
    Ok(Aggregate {
        func,
        arg,
        alias,
        span: span(p),
    })
}

/// `PREFIX(kbps=)` (a `tstats` directive) as the field name `tstats` reads: `PREFIX(kbps=)`.
pub fn prefix_directive(p: &Pair<'_, Rule>) -> BuildResult<String> {
    Ok(format!("PREFIX({})", first(p)?.as_str()))
}

/// The aggregations and interleaved options of an `aggregates` pair.
pub fn aggregates(p: &Pair<'_, Rule>, options: &mut Vec<Opt>) -> BuildResult<Vec<Aggregate>> {
    let mut aggs = Vec::new();
    for c in p.clone().into_inner() {
        match c.as_rule() {
            Rule::aggregate => aggs.push(aggregate(&c)?),
            Rule::option => options.push(option(&c)?),
            _ => return Err(unexpected(&c)),
        }
    }
    Ok(aggs)
}

/// The fields of a `BY` clause; options inside it (`span=1h`) go to `options`.
pub fn by_clause(p: &Pair<'_, Rule>, options: &mut Vec<Opt>) -> BuildResult<Vec<String>> {
    let mut fields = Vec::new();
    for c in p.clone().into_inner() {
        match c.as_rule() {
            Rule::kw_by => {}
            Rule::option => options.push(option(&c)?),
            Rule::prefix_fn => fields.push(prefix_directive(&c)?),
            Rule::field => fields.push(field(&c)),
            _ => return Err(unexpected(&c)),
        }
    }
    Ok(fields)
}

/// A subsearch `[ ... ]`.
pub fn subsearch(p: &Pair<'_, Rule>) -> BuildResult<Pipeline> {
    pipeline(&first(p)?)
}

/// A pipeline.
pub fn pipeline(p: &Pair<'_, Rule>) -> BuildResult<Pipeline> {
    let mut commands = Vec::new();
    for c in p.clone().into_inner() {
        match c.as_rule() {
            Rule::leading_pipe_command | Rule::explicit_first_command => {
                commands.push(crate::commands::build_command(&first(&c)?)?)
            }
            Rule::implied_search => {
                let expr = match c.clone().into_inner().next() {
                    Some(e) => Some(search_expr(&e)?),
                    None => None,
                };
                commands.push(Command {
                    name: "search".into(),
                    span: span(&c),
                    kind: CommandKind::Search(crate::commands::search::Search {
                        expr,
                        implied: true,
                    }),
                });
            }
            _ => commands.push(crate::commands::build_command(&c)?),
        }
    }
    Ok(Pipeline {
        commands,
        span: span(p),
    })
}

use crate::commands::CommandKind;

/// A search-language expression (`search_expr` or `ts_expr`, same shapes).
pub fn search_expr(p: &Pair<'_, Rule>) -> BuildResult<SearchExpr> {
    match p.as_rule() {
        Rule::search_expr | Rule::ts_expr => search_expr(&first(p)?),
        Rule::search_and | Rule::ts_and | Rule::search_or | Rule::ts_or => {
            let is_or = matches!(p.as_rule(), Rule::search_or | Rule::ts_or);
            let mut items = Vec::new();
            for c in p.clone().into_inner() {
                if matches!(c.as_rule(), Rule::s_and | Rule::s_or) {
                    continue;
                }
                items.push(search_expr(&c)?);
            }
            Ok(match items.len() {
                1 => items.pop().unwrap_or(SearchExpr::Empty),
                _ if is_or => SearchExpr::Or(items),
                _ => SearchExpr::And(items),
            })
        }
        Rule::search_not | Rule::ts_not => {
            let mut inner = p.clone().into_inner();
            let c = inner.next().ok_or_else(|| unexpected(p))?;
            if c.as_rule() == Rule::s_not {
                let rest = inner.next().ok_or_else(|| unexpected(p))?;
                Ok(SearchExpr::Not(Box::new(search_expr(&rest)?)))
            } else {
                search_expr(&c)
            }
        }
        Rule::search_group | Rule::ts_group => match p.clone().into_inner().next() {
            Some(e) => search_expr(&e),
            None => Ok(SearchExpr::Empty),
        },
        Rule::subsearch => Ok(SearchExpr::Subsearch(Box::new(subsearch(p)?))),
        Rule::search_cmp => {
            let mut it = p.clone().into_inner();
            let f = it.next().ok_or_else(|| unexpected(p))?;
            let op = it.next().ok_or_else(|| unexpected(p))?;
            let value = match it.next() {
                Some(v) => search_value(&v),
                None => SearchValue {
                    raw: String::new(),
                    quoted: false,
                },
            };
            let op = match op.as_str() {
                "=" | "==" => CmpOp::Eq,
                "!=" => CmpOp::Ne,
                "<" => CmpOp::Lt,
                "<=" => CmpOp::Le,
                ">" => CmpOp::Gt,
                ">=" => CmpOp::Ge,
                _ => return Err(unexpected(&op)),
            };
            Ok(SearchExpr::Compare {
                field: field(&f),
                op,
                value,
            })
        }
        Rule::search_in => {
            let mut it = p.clone().into_inner();
            let f = it.next().ok_or_else(|| unexpected(p))?;
            let values = it
                .filter(|c| c.as_rule() == Rule::in_value)
                .map(|c| search_value(&c))
                .collect();
            Ok(SearchExpr::In {
                field: field(&f),
                values,
            })
        }
        Rule::search_term | Rule::ts_term => {
            let c = first(p)?;
            if c.as_rule() == Rule::term_fn {
                let s = c.as_str();
                let func = if s[..4].eq_ignore_ascii_case("TERM") {
                    TermFn::Term
                } else {
                    TermFn::Case
                };
                let arg = c.into_inner().next().map(|a| a.as_str().trim().to_string());
                let text = arg.unwrap_or_default();
                let text = text
                    .strip_prefix('"')
                    .and_then(|t| t.strip_suffix('"'))
                    .map(unescape)
                    .unwrap_or(text);
                Ok(SearchExpr::TermFn { func, text })
            } else {
                Ok(SearchExpr::Term(search_value(&c)))
            }
        }
        _ => Err(unexpected(p)),
    }
}

/// A search value (`svalue` / `in_value`): quoted parts unwrapped, escapes kept.
pub fn search_value(p: &Pair<'_, Rule>) -> SearchValue {
    let mut raw = String::new();
    let mut any_quoted = false;
    for part in p.clone().into_inner() {
        if part.as_rule() == Rule::quoted {
            any_quoted = true;
            let s = part.as_str();
            raw.push_str(s.get(1..s.len().saturating_sub(1)).unwrap_or(""));
        } else {
            raw.push_str(part.as_str());
        }
    }
    SearchValue {
        raw,
        quoted: any_quoted,
    }
}

/// An eval-language expression.
pub fn eval_expr(p: &Pair<'_, Rule>) -> BuildResult<EvalExpr> {
    match p.as_rule() {
        Rule::eval_expr | Rule::e_group => eval_expr(&first(p)?),
        Rule::e_or | Rule::e_and | Rule::e_concat | Rule::e_add | Rule::e_mul => {
            let mut it = p.clone().into_inner();
            let mut lhs = eval_expr(&it.next().ok_or_else(|| unexpected(p))?)?;
            while let Some(op) = it.next() {
                let rhs = eval_expr(&it.next().ok_or_else(|| unexpected(p))?)?;
                let op = match op.as_rule() {
                    Rule::e_kw_or => BinOp::Or,
                    Rule::e_kw_xor => BinOp::Xor,
                    Rule::e_kw_and => BinOp::And,
                    Rule::e_dot => BinOp::Concat,
                    Rule::e_add_op if op.as_str() == "+" => BinOp::Add,
                    Rule::e_add_op => BinOp::Sub,
                    Rule::e_mul_op if op.as_str() == "*" => BinOp::Mul,
                    Rule::e_mul_op if op.as_str() == "/" => BinOp::Div,
                    Rule::e_mul_op => BinOp::Mod,
                    _ => return Err(unexpected(&op)),
                };
                lhs = EvalExpr::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                };
            }
            Ok(lhs)
        }
        Rule::e_not | Rule::e_unary => {
            let mut it = p.clone().into_inner();
            let c = it.next().ok_or_else(|| unexpected(p))?;
            match c.as_rule() {
                Rule::e_kw_not => Ok(EvalExpr::Not(Box::new(eval_expr(
                    &it.next().ok_or_else(|| unexpected(p))?,
                )?))),
                Rule::e_neg => Ok(EvalExpr::Neg(Box::new(eval_expr(
                    &it.next().ok_or_else(|| unexpected(p))?,
                )?))),
                _ => eval_expr(&c),
            }
        }
        Rule::e_cmp => {
            let mut it = p.clone().into_inner();
            let lhs = eval_expr(&it.next().ok_or_else(|| unexpected(p))?)?;
            let Some(op) = it.next() else {
                return Ok(lhs);
            };
            let rhs = it.next().ok_or_else(|| unexpected(p))?;
            if op.as_rule() == Rule::e_kw_in {
                let list = rhs
                    .into_inner()
                    .map(|e| eval_expr(&e))
                    .collect::<BuildResult<Vec<_>>>()?;
                return Ok(EvalExpr::In {
                    expr: Box::new(lhs),
                    list,
                });
            }
            let op = match (op.as_rule(), op.as_str()) {
                (Rule::e_kw_like, _) => BinOp::Like,
                (_, "=") | (_, "==") => BinOp::Eq,
                (_, "!=") => BinOp::Ne,
                (_, "<") => BinOp::Lt,
                (_, "<=") => BinOp::Le,
                (_, ">") => BinOp::Gt,
                (_, ">=") => BinOp::Ge,
                _ => return Err(unexpected(&op)),
            };
            Ok(EvalExpr::Binary {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(eval_expr(&rhs)?),
            })
        }
        Rule::e_in_call => {
            // `in(x, a, b)` is `x IN (a, b)`.
            let mut it = p
                .clone()
                .into_inner()
                .filter(|e| e.as_rule() != Rule::e_kw_in);
            let lhs = eval_expr(&it.next().ok_or_else(|| unexpected(p))?)?;
            let list = it.map(|e| eval_expr(&e)).collect::<BuildResult<Vec<_>>>()?;
            Ok(EvalExpr::In {
                expr: Box::new(lhs),
                list,
            })
        }
        Rule::e_call => {
            let mut it = p.clone().into_inner();
            let name = it
                .next()
                .ok_or_else(|| unexpected(p))?
                .as_str()
                .to_ascii_lowercase();
            let args = it.map(|e| eval_expr(&e)).collect::<BuildResult<Vec<_>>>()?;
            Ok(EvalExpr::Call {
                name,
                args,
                span: span(p),
            })
        }
        Rule::number => {
            let text = p.as_str().to_string();
            let value = text.parse::<f64>().map_err(|_| unexpected(p))?;
            Ok(EvalExpr::Num { value, text })
        }
        Rule::e_string => {
            let s = p.as_str();
            Ok(EvalExpr::Str(unescape(
                s.get(1..s.len().saturating_sub(1)).unwrap_or(""),
            )))
        }
        Rule::e_field => Ok(EvalExpr::Field(field(p))),
        _ => Err(unexpected(p)),
    }
}

/// The first inner pair with the given rule.
pub fn child<'i>(p: &Pair<'i, Rule>, rule: Rule) -> BuildResult<Pair<'i, Rule>> {
    p.clone()
        .into_inner()
        .find(|c| c.as_rule() == rule)
        .ok_or_else(|| unexpected(p))
}

//! Lowering a parsed pipeline to a plan: each command, left to right, lowers itself onto the plan
//! built so far (its `SplCommand::lower`).

use crate::diagnostic::{Diagnostic, Span};
use crate::plan::operator::Operator;
use crate::plan::{Node, Op, Plan, Predicate, Scalar};
use crate::syntax::ast::{Command, EvalExpr, Pipeline, SearchExpr};
use std::sync::Arc;

/// What lowering a command needs: the expanded search text (errors point into it).
pub struct Lower<'t> {
    pub text: &'t str,
}

/// Lower a parsed pipeline to a plan, then resolve its columns (data model datasets against the
/// bundled CIM definitions).
pub fn lower_pipeline(p: &Pipeline, text: &str) -> Result<Plan, Diagnostic> {
    let mut cx = Lower { text };
    let mut root = cx.pipeline(p, Node::empty())?;
    crate::plan::order::drop_unneeded_order(&mut root);
    let mut plan = Plan { root };
    crate::plan::resolve::resolve_with(&mut plan, bundled_catalog());
    Ok(plan)
}

/// The bundled data model definitions as a catalog: a dataset's table has `_time`, `host`,
/// `source`, `sourcetype`, `index` and `<Root>.<field>` for each field. Events are unknown.
struct BundledCatalog {
    datasets: Vec<(String, Vec<String>)>,
}

fn bundled_catalog() -> &'static BundledCatalog {
    static CATALOG: std::sync::OnceLock<BundledCatalog> = std::sync::OnceLock::new();
    CATALOG.get_or_init(|| {
        let mut datasets = Vec::new();
        if let Ok(k) = crate::knowledge::Knowledge::bundled() {
            for ds in &k.datasets {
                let mut cols: Vec<String> = ["_time", "host", "source", "sourcetype", "index"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                for f in &ds.fields {
                    let c = format!("{}.{f}", ds.prefix);
                    if !cols.contains(&c) {
                        cols.push(c);
                    }
                }
                datasets.push((ds.name.clone(), cols));
            }
        }
        BundledCatalog { datasets }
    })
}

impl crate::plan::resolve::Catalog for BundledCatalog {
    fn event_columns(&self) -> Option<Vec<String>> {
        None
    }

    fn datamodel_columns(&self, dataset: &str) -> Option<Vec<String>> {
        let name = if dataset.contains('.') {
            dataset.to_string()
        } else {
            // A model name alone reads its root dataset: the one whose prefix is its own name.
            let prefix = format!("{dataset}.");
            let roots: Vec<&(String, Vec<String>)> = self
                .datasets
                .iter()
                .filter(|(n, _)| n.strip_prefix(&prefix).is_some_and(|ds| !ds.contains('.')))
                .collect();
            match roots.as_slice() {
                [one] => one.0.clone(),
                _ => return None,
            }
        };
        self.datasets
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| c.clone())
    }
}

impl<'t> Lower<'t> {
    /// Lower the commands of a pipeline onto `input`.
    pub fn pipeline(&mut self, p: &Pipeline, input: Node) -> Result<Node, Diagnostic> {
        let mut node = input;
        for c in &p.commands {
            node = c.kind.lower(c, node, self)?;
        }
        Ok(node)
    }

    /// Plan a subsearch (it starts from no input: a first `search` reads events).
    pub fn subsearch(&mut self, p: &Pipeline) -> Result<Plan, Diagnostic> {
        let mut root = self.pipeline(p, Node::empty())?;
        crate::plan::order::drop_unneeded_order(&mut root);
        Ok(Plan { root })
    }

    /// An error at a span of the expanded search.
    pub fn error(&self, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic::new(message)
            .at(self.text, span)
            .origin("expanded search")
    }

    /// An eval expression, its functions checked against the function table.
    pub fn scalar(&self, e: &EvalExpr) -> Result<Scalar, Diagnostic> {
        Scalar::lower(e, self.text).map_err(|d| d.origin("expanded search"))
    }

    /// A search-language expression; subsearches are planned.
    pub fn predicate(&mut self, e: &SearchExpr) -> Result<Predicate, Diagnostic> {
        Predicate::lower(e, &mut |p| self.subsearch(p))
    }

    /// A node of `c` (its SPL text kept for `explain`).
    pub fn node(&self, op: Op, c: &Command) -> Node {
        let mut n = Node::new(op, c.name.clone(), c.span);
        n.spl = self
            .text
            .get(c.span.start..c.span.end)
            .unwrap_or("")
            .trim()
            .to_string();
        n
    }

    /// An opaque node: `operator` transforms `input` itself.
    pub fn opaque(&self, operator: impl Operator + 'static, c: &Command, input: Node) -> Node {
        self.node(
            Op::Opaque {
                input: Box::new(input),
                operator: Arc::new(operator),
            },
            c,
        )
    }

    /// A generating command's scan (`makeresults`, `inputlookup`). Generating commands must come
    /// first, unless they append (`inputlookup append=t`).
    pub fn generator(
        &self,
        operator: impl Operator + 'static,
        c: &Command,
        input: Node,
    ) -> Result<Node, Diagnostic> {
        if !input.is_empty_input() {
            return Err(self.error(
                format!(
                    "`{}` is a generating command: it must be the first command of a search (`| {} ...`)",
                    c.name, c.name
                ),
                c.span,
            ));
        }
        Ok(self.node(
            Op::Scan(crate::plan::Scan::Generator(Arc::new(operator))),
            c,
        ))
    }

    /// The error for a command this engine does not run (yet), pointing at its name.
    pub fn unsupported(&self, c: &Command, why: &str) -> Diagnostic {
        let why = if why.is_empty() {
            match c.name.as_str() {
                "mstats" => ": spelunk stores no metric data",
                "collect" => ": spelunk does not write indexes",
                _ => "",
            }
        } else {
            why
        };
        self.error(
            format!("unsupported command `{}`{why}", c.name),
            Span::new(c.span.start, c.span.start + c.name.len().max(1)),
        )
    }
}

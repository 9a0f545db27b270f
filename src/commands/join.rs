//! `join`: join the results with a subsearch's on the listed fields (`type=inner|outer|left`, `max=`).

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Join the results with a subsearch's on the listed fields (`type=inner|outer|left`, `max=`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Join {
    pub options: Vec<Opt>,
    pub fields: Vec<String>,
    pub subsearch: Pipeline,
}

impl Join {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Join> {
        let mut parts = Parts::of(p)?;
        let subsearch = parts.take_subsearch(p)?;
        Ok(Join {
            options: parts.options,
            fields: parts.fields,
            subsearch,
        })
    }
}

use crate::commands::{Lower, SplCommand};
use crate::diagnostic::Diagnostic;
use crate::plan::{Node, Op};

impl SplCommand for Join {
    const DOC: &'static str = "Join each result with the subsearch's results sharing the join fields (`type=inner|left|outer`, `max=N`, 0 for all); subsearch values win.";
    const OPTIONS: Option<&'static [&'static str]> = Some(&["type", "max"]);
    const EXAMPLES: &'static [crate::commands::Example] = &[crate::commands::Example {
        description: "max=2 joins up to two subsearch results per key",
        search: "| join max=2 k [| makeresults count=3 | streamstats count AS v | eval k=\"a\" | table k v]",
        input: "k,n\na,1\nb,2",
        output: "k,n,v\na,1,1\na,1,2\n",
    }];

    fn options(&self) -> &[Opt] {
        &self.options
    }

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        let kind = match self.options.get_opt("type").map(|t| t.to_ascii_lowercase()) {
            None => crate::plan::JoinKind::Inner,
            Some(t) if t == "inner" => crate::plan::JoinKind::Inner,
            Some(t) if t == "left" || t == "outer" => crate::plan::JoinKind::Left,
            Some(t) => return Err(cx.error(format!("unsupported join type `{t}`"), c.span)),
        };
        let max: u64 = match self.options.get_opt("max") {
            Some(v) => v
                .parse()
                .map_err(|_| cx.error(format!("invalid max `{v}`"), c.span))?,
            None => 1,
        };
        let right = cx.subsearch(&self.subsearch)?;
        Ok(cx.node(
            Op::Join {
                left: Box::new(input),
                right: Box::new(right.root),
                fields: self.fields.clone(),
                kind,
                max,
            },
            c,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| join max=0 dest process_guid type=outer [| tstats count from datamodel=Endpoint.Filesystem by Filesystem.dest]");
        let CommandKind::Join(x) = c.kind else {
            panic!("not join: {c:?}")
        };
        assert_eq!(x.fields, vec!["dest", "process_guid"]);
        assert_eq!(x.options.get_opt("type"), Some("outer"));
        assert_eq!(x.subsearch.commands[0].name, "tstats");
    }
}

#[cfg(test)]
mod exec_tests {
    use polars::prelude::*;

    #[test]
    fn inner_and_left_join_on_text_values() {
        // makeresults' _time (1700000000.0 in tests) renamed to guid joins with the text "1700000000".
        let df = df!("guid" => ["1700000000", "b", "c"], "v" => ["1", "2", "3"]).unwrap();
        let sub = "[| makeresults count=2 | rename _time as guid]";
        let out = crate::testkit::run_on(df.clone(), &format!("| join guid {sub}"));
        assert_eq!(out.height(), 1);
        assert_eq!(out.column("v").unwrap().str().unwrap().get(0), Some("1"));
        let out = crate::testkit::run_on(df.clone(), &format!("| join max=0 guid {sub}"));
        assert_eq!(out.height(), 2);
        let out = crate::testkit::run_on(df.clone(), &format!("| join type=left guid {sub}"));
        assert_eq!(out.height(), 3);
        let out = crate::testkit::run_on(df, "| join nosuch [| makeresults]");
        assert_eq!(out.height(), 0);
    }

    #[test]
    fn keys_filter_the_other_side_without_changing_the_answer() {
        // The join filters the subsearch on the results' keys (left join) or the results on the
        // subsearch's keys (inner join) before the aggregations: the answer is the same rows, in
        // the main search's order, a result without the key kept by a left join.
        let df = df!("k" => [Some("c"), None, Some("a"), Some("q")], "v" => ["1", "2", "3", "4"])
            .unwrap();
        let sub = "[| makeresults count=3 | streamstats count as n \
                   | eval k=case(n=1, \"a\", n=2, \"b\", n=3, \"c\"), w=n*10 | stats max(w) as w by k]";
        let col = |out: &DataFrame, name: &str| -> Vec<Option<String>> {
            let c = out.column(name).unwrap().cast(&DataType::String).unwrap();
            c.str()
                .unwrap()
                .iter()
                .map(|v| v.map(str::to_string))
                .collect()
        };
        let left = crate::testkit::run_on(df.clone(), &format!("| join type=left k {sub}"));
        assert_eq!(
            col(&left, "v"),
            [Some("1"), Some("2"), Some("3"), Some("4")].map(|v| v.map(String::from))
        );
        assert_eq!(
            col(&left, "w"),
            [Some("30.0"), None, Some("10.0"), None].map(|v| v.map(String::from))
        );
        let inner = crate::testkit::run_on(df, &format!("| join k {sub}"));
        assert_eq!(
            col(&inner, "k"),
            [Some("c"), Some("a")].map(|v| v.map(String::from))
        );
        assert_eq!(
            col(&inner, "w"),
            [Some("30.0"), Some("10.0")].map(|v| v.map(String::from))
        );
    }
}

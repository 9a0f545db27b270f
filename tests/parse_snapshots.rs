//! Golden syntax trees (insta snapshots) for the fixture searches in tests/fixtures/spl.
//! Review changes with `cargo insta review` (or set INSTA_UPDATE=always and read the diff).

mod common;

use spelunk::macros::MacroLibrary;

#[test]
fn fixture_searches_parse_to_their_snapshots() {
    let dir = common::project_dir().join("tests/fixtures/spl");
    let lib = MacroLibrary::with_dirs(&[
        common::project_dir().join("tests/fixtures/security_content/macros")
    ])
    .expect("macros");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    assert!(files.len() >= 5);
    for f in files {
        let spl = std::fs::read_to_string(&f).expect("read");
        let name = f.file_stem().expect("stem").to_string_lossy().into_owned();
        let (expanded, pipeline) =
            spelunk::parse_search(&spl, &lib).unwrap_or_else(|e| panic!("{name}: {e}"));
        let tree = serde_json::to_value(&pipeline).expect("json");
        let text = format!(
            "{}\n---\n{}",
            expanded.trim(),
            spelunk::cli::parse::outline(&tree)
        );
        insta::assert_snapshot!(name, text);
    }
}

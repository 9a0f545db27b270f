//! A crafted corpus over crafted events for the SQL differential tests (`tests/sql_fidelity.rs`
//! on DuckDB, `tests/sql_spark.rs` on Spark): templated (`foreach`), appended (`appendpipe`,
//! `inputlookup append=t`) and multivalue results, `addtotals`, `makemv`, lookups.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Searches over templated, appended and multivalue results (each must compile to SQL).
pub const PIPELINE_SEARCHES: &[&str] = &[
    // foreach: the template once per matching field, in column order.
    "id=* | foreach a* [eval joined=mvappend(joined, '<<FIELD>>')] | eval j=mvjoin(joined, \" \") | table id j",
    "id=* | foreach a* [eval n_<<MATCHSTR>>=len('<<FIELD>>')] | table id n_*",
    "id=* | foreach a1 a0 [eval <<FIELD>>=upper(<<FIELD>>)] | table id a0 a1 a2",
    // appendpipe: the sub-pipeline's rows after the results.
    "id=* | stats count by user | appendpipe [stats sum(count) as count | eval user=\"TOTAL\"]",
    "id=* | table id user | appendpipe [where user=\"nobody\"]",
    // A comparison with a multivalue side holds when any value does (numbers as numbers).
    "id=* | eval m=split(tags, \",\") | where m=\"b\" | table id",
    "id=* | eval m=split(tags, \",\") | eval big=if(m>5, \"y\", \"n\") | table id big",
    "id=* | eval m=split(tags, \",\") | where NOT user IN (m) | table id",
    "id=* | eval m=split(tags, \",\") | where m!=\"b\" | table id",
    // addtotals: numeric values of the listed (or all non-internal) fields, text skipped.
    "id=* | eval x=1, y=\"2.5\", z=\"abc\" | addtotals fieldname=Score x y z | table id Score",
    "id=* | eval x=2 | addtotals | table id Total",
    "id=* | eval z=\"abc\" | addtotals fieldname=S z | table id S",
    // makemv: split at the delimiter. Empty values are dropped by default (Search Reference,
    // makemv, allowempty: "if delim="," and field="a,,b", by default does not produce any value
    // for the empty string"); with allowempty=true they are kept.
    "id=* | makemv delim=\",\" tags | eval n=mvcount(tags) | table id tags n",
    "id=* | eval t=a0 . \"  \" . a1 | makemv t | eval n=mvcount(t) | table id t n",
    // inputlookup: the table's rows in file order (empty cells null), where/start/max, append.
    "| inputlookup seen_users",
    "| inputlookup seen_users where user=A* | table user first",
    "| inputlookup seen_users start=1 max=1",
    "id=* | stats count by user | inputlookup append=t seen_users",
    // A field a lookup adds exists only when some result matched, also after `convert` and
    // `fields -`, which do not enumerate the fields present.
    "id=* | stats count min(_time) as t by user | lookup roles user OUTPUT role | convert ctime(t) | fields - count",
    "id=* | stats count min(_time) as t by user id | lookup roles user AS id OUTPUT role | convert ctime(t) | fields - count",
    // min/max over text: numbers rank below text; numbers compare as numbers.
    "id=* | eval lo=min(tags, user), hi=max(split(tags, \",\"), 3), m2=min(split(tags, \",\")) | table id lo hi m2",
    // (appended: the tests index the searches above by position)
    "id=* | eval t=a0 . \"  \" . a1 | makemv allowempty=true t | eval n=mvcount(t) | table id t n",
];

/// Write the events, replay them into `dir/store`, and write one detection per search (and
/// the lookups they read) under `dir/corpus`. Returns (store, corpus).
pub fn write_pipeline_corpus(bin: &str, dir: &Path) -> (PathBuf, PathBuf) {
    let events = [
        "{\"time\":\"2024-03-01T10:01:00Z\",\"id\":\"e1\",\"user\":\"alice\",\"a0\":\"ls\",\"a1\":\"-la\",\"tags\":\"1,b,10\"}",
        "{\"time\":\"2024-03-01T10:02:00Z\",\"id\":\"e2\",\"user\":\"bob\",\"a0\":\"base64\",\"a1\":\"-d\",\"a2\":\"x.txt\",\"tags\":\"2,bob,3\"}",
        "{\"time\":\"2024-03-01T10:03:00Z\",\"id\":\"e3\",\"user\":\"b\",\"a0\":\"id\",\"tags\":\"zeta,alpha\"}",
        "{\"time\":\"2024-03-01T10:04:00Z\",\"id\":\"e4\",\"user\":\"carol\",\"a0\":\"rm\",\"a1\":\"-rf\",\"a2\":\"/\"}",
    ];
    let data = dir.join("events.json");
    std::fs::write(&data, events.join("\n") + "\n").unwrap();
    let store = dir.join("store");
    let out = Command::new(bin)
        .args(["replay", "--sourcetype", "_json", "--store"])
        .arg(&store)
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let corpus = dir.join("corpus");
    std::fs::create_dir_all(corpus.join("lookups")).unwrap();
    std::fs::write(
        corpus.join("lookups/seen_users.yml"),
        "name: seen_users\nfilename: seen_users.csv\ndescription: crafted\n",
    )
    .unwrap();
    std::fs::write(
        corpus.join("lookups/seen_users.csv"),
        "user,first,note\nalice,5,\nzed,7,x\nAnn,,y\n",
    )
    .unwrap();
    std::fs::write(
        corpus.join("lookups/roles.yml"),
        "name: roles\nfilename: roles.csv\ndescription: crafted\n",
    )
    .unwrap();
    std::fs::write(corpus.join("lookups/roles.csv"), "user,role\nalice,admin\n").unwrap();
    write_detections(&corpus, PIPELINE_SEARCHES);
    (store, corpus)
}

/// One detection per search under `corpus/detections/crafted` (with an empty `macros` folder).
pub fn write_detections(corpus: &Path, searches: &[&str]) {
    let dets = corpus.join("detections/crafted");
    std::fs::create_dir_all(&dets).unwrap();
    std::fs::create_dir_all(corpus.join("macros")).unwrap();
    for (i, s) in searches.iter().enumerate() {
        let yaml = format!(
            "name: crafted {i}\nid: 00000000-0000-0000-0000-{i:012}\ntype: TTP\nsearch: {}\n",
            serde_json::to_string(s).unwrap()
        );
        std::fs::write(dets.join(format!("crafted_{i}.yml")), yaml).unwrap();
    }
}

/// `spelunk sql --corpus CORPUS --store STORE --compare ENGINE [extra] --require-identical`:
/// asserts that all `n` detections compile and return the polars engine's rows; the report.
pub fn compare_all(
    bin: &str,
    corpus: &Path,
    store: &Path,
    engine: &str,
    extra: &[&str],
    n: usize,
) -> String {
    let out = Command::new(bin)
        .args(["sql", "--corpus"])
        .arg(corpus)
        .arg("--store")
        .arg(store)
        .args(["--compare", engine])
        .args(extra)
        .arg("--require-identical")
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout).to_string();
    eprintln!("{report}");
    assert!(
        out.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        report.contains(&format!("identical on {engine}: {n} of {n} compiled")),
        "every crafted search compiles and is identical on {engine}:\n{report}"
    );
    report
}

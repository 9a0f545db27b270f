//! The SQL backend's contract without an engine: what compiles, and what is refused with an
//! error that names the command or function and points at it.

use spelunk::macros::MacroLibrary;
use spelunk::sql::{compile, Dialect, Options, Tables};

fn sql(spl: &str, d: Dialect) -> Result<String, String> {
    let (text, plan) = spelunk::plan_search(spl, &MacroLibrary::builtin()).unwrap();
    compile(
        &plan,
        &text,
        &Tables::default(),
        &Options {
            dialect: d,
            now: 0.0,
            lookups: None,
        },
    )
    .map(|q| q.sql)
    .map_err(|e| {
        assert!(e.0.span.is_some(), "{spl}: no position in {e}");
        e.0.message
    })
}

#[test]
fn searches_compile_for_both_dialects() {
    for d in [Dialect::Duckdb, Dialect::Spark] {
        let q = sql(
            r#"| tstats count min(_time) as firstTime from datamodel=Endpoint.Processes where Processes.process_name="cmd.exe" by Processes.dest | rename Processes.* as * | sort - count | head 5"#,
            d,
        )
        .unwrap();
        assert!(q.ends_with("ORDER BY __o"), "{q}");
    }
}

#[test]
fn what_cannot_be_expressed_is_an_error_naming_it() {
    for (spl, what) in [
        (
            "index=main | eval x=cidrmatch(\"10.0.0.0/8\", src)",
            "cidrmatch",
        ),
        ("index=main | spath", "spath"),
        ("index=main | streamstats count", "streamstats"),
        ("index=main | regex _raw=\"(?<=a)b\"", "regex"),
        ("index=main | eval a=1 | lookup foo a OUTPUT b", "lookup"),
    ] {
        let e = sql(spl, Dialect::Duckdb).unwrap_err();
        assert!(e.contains(what), "{spl}: {e}");
    }
    // Without the lookup definitions, `lookup` is refused (with them it compiles:
    // tests/sql_differential.rs).
    let e = sql(
        "index=main | eval a=1 | lookup foo a OUTPUT b | table b",
        Dialect::Spark,
    )
    .unwrap_err();
    assert!(e.contains("lookup"), "{e}");
    // Spark's url_decode reads `+` as a space and fails on a bad escape: both are escaped first.
    let q = sql(
        "| makeresults | eval x=\"a+b\", u=urldecode(x)",
        Dialect::Spark,
    )
    .unwrap();
    assert!(q.contains("'+', '%2B'"), "{q}");
}

#[test]
fn field_names_differing_only_by_case_stay_apart() {
    let q = sql(
        "index=main | eval User=1, user=2 | table User user",
        Dialect::Duckdb,
    )
    .unwrap();
    assert!(q.contains(r#""^user" AS "User""#), "{q}");
    assert!(q.contains(r#""user" AS "user""#), "{q}");
}

#[test]
fn generating_commands_other_than_makeresults_are_refused() {
    assert!(sql("| makeresults count=3 | eval x=1", Dialect::Duckdb).is_ok());
    let e = sql("| inputlookup foo.csv", Dialect::Duckdb).unwrap_err();
    assert!(e.contains("inputlookup"), "{e}");
}

#[test]
fn an_ipv6_cidr_value_in_a_search_is_refused_naming_it() {
    // polars matches the addresses in the range (Search Reference, `search`); SQL matches IPv4
    // ranges (tests/sql_fidelity.rs) and refuses IPv6 ones rather than give a different answer.
    for spl in [
        "index=main DestinationIp=\"2001:db8::/32\"",
        "index=main ip IN (2001:db8::/32, 1.2.3.4)",
    ] {
        for d in [Dialect::Duckdb, Dialect::Spark] {
            let e = sql(spl, d).unwrap_err();
            assert!(e.contains("CIDR"), "{e}");
        }
    }
    for d in [Dialect::Duckdb, Dialect::Spark] {
        assert!(sql("index=main ip=\"10.0.0.0/8\"", d).is_ok());
    }
}

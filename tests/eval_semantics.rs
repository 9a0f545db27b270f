//! The eval language end to end: real SPL `eval`/`where` text, parsed, compiled to polars, run
//! on small frames. Each test pins a Splunk behaviour that a plausible wrong reading breaks.

use polars::prelude::*;
use spelunk::commands::CommandKind;
use spelunk::expr::eval::{apply_eval, compile_predicate, EvalContext};
use spelunk::syntax::ast::EvalExpr;

/// 2023-11-14T22:15:23Z, a Tuesday.
const NOW: f64 = 1_700_000_123.0;

fn show(av: AnyValue) -> String {
    match av {
        AnyValue::Null => "null".into(),
        AnyValue::String(s) => s.into(),
        AnyValue::StringOwned(s) => s.to_string(),
        AnyValue::Boolean(b) => b.to_string(),
        AnyValue::Int64(i) => i.to_string(),
        AnyValue::Float64(f) => format!("{f}"),
        AnyValue::List(s) => {
            let s = s.cast(&DataType::String).unwrap();
            let v: Vec<&str> = s
                .str()
                .unwrap()
                .iter()
                .map(|x| x.unwrap_or("null"))
                .collect();
            format!("[{}]", v.join(","))
        }
        other => format!("{other}"),
    }
}

/// Run `| eval <assignments>` and show column `out` row by row.
fn eval_in(df: &DataFrame, assignments: &str, out: &str) -> Vec<String> {
    let spl = format!("| eval {assignments}");
    let p = spelunk::syntax::parse(&spl).unwrap_or_else(|e| panic!("{e}"));
    let CommandKind::Eval(e) = &p.commands[0].kind else {
        panic!("not eval")
    };
    let lf = apply_eval(df.clone().lazy(), &e.assignments, &spl, NOW, "UTC")
        .unwrap_or_else(|e| panic!("{e}"));
    let res = lf.collect().unwrap_or_else(|e| panic!("{spl}: {e}"));
    let c = res.column(out).unwrap();
    (0..c.len()).map(|i| show(c.get(i).unwrap())).collect()
}

fn eval(df: &DataFrame, expr: &str) -> Vec<String> {
    eval_in(df, &format!("out={expr}"), "out")
}

/// A one-row frame for expressions over literals.
fn one() -> DataFrame {
    df!("x" => ["1"]).unwrap()
}

fn eval1(expr: &str) -> String {
    eval(&one(), expr).remove(0)
}

fn where_expr(spl: &str) -> EvalExpr {
    let p = spelunk::syntax::parse(spl).unwrap_or_else(|e| panic!("{e}"));
    match &p.commands[0].kind {
        CommandKind::Where(w) => w.expr.clone(),
        _ => panic!("not where"),
    }
}

/// Row indexes (column `id`) kept by `| where <cond>`.
fn kept(df: &DataFrame, cond: &str) -> Vec<i32> {
    let spl = format!("| where {cond}");
    let e = where_expr(&spl);
    let schema = df.schema().clone();
    let ctx = EvalContext {
        schema: &schema,
        source: &spl,
        now: NOW,
        tz: "UTC",
    };
    let pred = compile_predicate(&e, &ctx).unwrap_or_else(|e| panic!("{e}"));
    let res = df
        .clone()
        .lazy()
        .filter(pred)
        .collect()
        .unwrap_or_else(|e| panic!("{spl}: {e}"));
    res.column("id")
        .unwrap()
        .i32()
        .unwrap()
        .iter()
        .flatten()
        .collect()
}

fn eval_err(expr: &str) -> String {
    let spl = format!("| eval out={expr}");
    let p = spelunk::syntax::parse(&spl).unwrap_or_else(|e| panic!("{e}"));
    let CommandKind::Eval(e) = &p.commands[0].kind else {
        panic!("not eval")
    };
    match apply_eval(one().lazy(), &e.assignments, &spl, NOW, "UTC") {
        Ok(_) => panic!("{expr} compiled"),
        Err(d) => format!("{} @{:?}", d.message, d.span.map(|s| &spl[s.start..s.end])),
    }
}

fn procs() -> DataFrame {
    df!(
        "id" => [0i32, 1, 2, 3],
        "process_name" => [Some("cmd.exe"), Some("CMD.EXE"), Some("powershell.exe"), None],
        "EventCode" => [Some("4688"), Some("4688"), Some("1"), None],
        "count" => [Some("10"), Some("9"), Some("abc"), None],
        "n" => [Some(10i64), Some(9), Some(3), None],
    )
    .unwrap()
}

#[test]
fn where_equality_is_case_sensitive() {
    assert_eq!(kept(&procs(), r#"process_name="cmd.exe""#), vec![0]);
    assert_eq!(kept(&procs(), r#"process_name=="CMD.EXE""#), vec![1]);
}

#[test]
fn string_field_that_looks_numeric_compares_as_number() {
    assert_eq!(kept(&procs(), "EventCode=4688"), vec![0, 1]);
    // "10" > 5 and "9" > 5 numerically ("10" > "5" is false as text).
    assert_eq!(kept(&procs(), "count > 5"), vec![0, 1, 2]);
    // "abc" is not a number: it compares with "50" as text ("abc" > "50").
    assert_eq!(kept(&procs(), "count < 50"), vec![0, 1]);
    assert_eq!(kept(&procs(), "n >= 9"), vec![0, 1]);
}

#[test]
fn numeric_strings_compare_numerically_others_lexicographically() {
    assert_eq!(eval1(r#"if("10" > "9", "num", "lex")"#), "num");
    assert_eq!(eval1(r#"if("abc" < "abd", "yes", "no")"#), "yes");
    assert_eq!(eval1(r#"if("B" < "a", "bytes", "folded")"#), "bytes");
    let df = df!("id" => [0i32, 1], "a" => ["10", "abc"], "b" => ["9", "abd"]).unwrap();
    assert_eq!(kept(&df, "a > b"), vec![0]);
    assert_eq!(kept(&df, "a < b"), vec![1]);
}

#[test]
fn comparisons_with_null_are_false_including_not_equal() {
    assert_eq!(kept(&procs(), r#"process_name!="cmd.exe""#), vec![1, 2]);
    assert_eq!(kept(&procs(), "missing_field=1"), Vec::<i32>::new());
    assert_eq!(kept(&procs(), "missing_field!=1"), Vec::<i32>::new());
    // NOT reads the null comparison as false, so it keeps the null row.
    assert_eq!(
        kept(&procs(), r#"NOT process_name="cmd.exe""#),
        vec![1, 2, 3]
    );
}

#[test]
fn and_binds_tighter_than_or_at_execution() {
    let df = df!("id" => [0i32, 1, 2], "a" => ["1", "1", "0"], "b" => ["0", "2", "0"], "c" => ["0", "0", "3"]).unwrap();
    // (a=1 AND b=2) OR c=3 keeps 1 and 2; a=1 AND (b=2 OR c=3) would keep only 1.
    assert_eq!(kept(&df, "a=1 AND b=2 OR c=3"), vec![1, 2]);
    assert_eq!(kept(&df, "a=1 XOR c=3"), vec![0, 1, 2]);
}

#[test]
fn in_operator_uses_eval_equality() {
    assert_eq!(
        kept(&procs(), r#"process_name IN ("cmd.exe", "powershell.exe")"#),
        vec![0, 2]
    );
    assert_eq!(kept(&procs(), "EventCode IN (1, 2)"), vec![2]);
}

#[test]
fn mvindex_zero_based_with_negative_indexes_and_inclusive_ranges() {
    let df = df!("x" => ["a,b,c,d"]).unwrap();
    let v = |e: &str| eval_in(&df, &format!("mv=split(x, \",\"), out={e}"), "out").remove(0);
    assert_eq!(v("mvindex(mv, 0)"), "a");
    assert_eq!(v("mvindex(mv, -1)"), "d");
    assert_eq!(v("mvindex(mv, -2)"), "c");
    assert_eq!(v("mvindex(mv, 1, 2)"), "[b,c]");
    assert_eq!(v("mvindex(mv, 1, -1)"), "[b,c,d]");
    assert_eq!(v("mvindex(mv, 7)"), "null");
    // A single value is a one-value multivalue.
    assert_eq!(eval1(r#"mvindex("solo", 0)"#), "solo");
}

#[test]
fn like_percent_and_underscore_case_sensitive() {
    let df = df!("id" => [0i32, 1, 2, 3], "p" => ["C:\\Windows\\cmd.exe", "c:\\windows\\CMD.exe", "ab", "a.b"]).unwrap();
    assert_eq!(kept(&df, r#"like(p, "%\\cmd.exe")"#), vec![0]);
    assert_eq!(kept(&df, r#"p LIKE "a_b""#), vec![3]);
    assert_eq!(kept(&df, r#"like(p, "a%")"#), vec![2, 3]);
    // `.` in the pattern is literal.
    assert_eq!(kept(&df, r#"like(p, "a.%")"#), vec![3]);
}

#[test]
fn match_is_unanchored_regex_with_inline_flags() {
    let df = df!("id" => [0i32, 1, 2], "cmd" => ["powershell -enc AAA", "POWERSHELL -EncodedCommand", "cmd /c"]).unwrap();
    assert_eq!(kept(&df, r#"match(cmd, "-enc")"#), vec![0]);
    assert_eq!(kept(&df, r#"match(cmd, "(?i)-enc")"#), vec![0, 1]);
    assert_eq!(kept(&df, r#"match(cmd, "^cmd\s")"#), vec![2]);
}

#[test]
fn bad_regex_is_a_positioned_error() {
    let e = eval_err(r#"if(match(x, "(unclosed"), 1, 0)"#);
    assert!(e.contains("invalid regular expression in `match`"), "{e}");
    assert!(e.ends_with(r#"@Some("match(x, \"(unclosed\")")"#), "{e}");
}

#[test]
fn replace_converts_backreferences() {
    assert_eq!(
        eval1(r#"replace("2023-11-14", "(\d+)-(\d+)-(\d+)", "\3/\2/\1")"#),
        "14/11/2023"
    );
    let df = df!("d" => [Some("1/2/2023"), None]).unwrap();
    assert_eq!(
        eval(&df, r#"replace(d, "^(\d{1,2})/(\d{1,2})/", "\2/\1/")"#),
        vec!["2/1/2023", "null"]
    );
    // `$` in the replacement is literal.
    assert_eq!(eval(&df, r#"replace(d, "/", "$")"#)[0], "1$2$2023");
}

#[test]
fn if_and_case_with_nulls() {
    let df = df!("v" => [Some("a"), Some("b"), None]).unwrap();
    assert_eq!(
        eval(&df, r#"if(v="a", "yes", "no")"#),
        vec!["yes", "no", "no"]
    );
    assert_eq!(
        eval(&df, r#"if(isnull(v), "none", v)"#),
        vec!["a", "b", "none"]
    );
    assert_eq!(
        eval(&df, r#"case(v="a", 1, v="b", 2)"#),
        vec!["1", "2", "null"]
    );
    assert_eq!(
        eval(&df, r#"case(v="a", "A", true(), "other")"#),
        vec!["A", "other", "other"]
    );
    // Mixed kinds unify to text.
    assert_eq!(eval(&df, r#"if(v="a", 1, "x")"#), vec!["1", "x", "x"]);
    assert_eq!(
        eval(&df, "if(v=\"a\", null(), v)"),
        vec!["null", "b", "null"]
    );
}

#[test]
fn coalesce_takes_first_non_null() {
    let df = df!("a" => [None, Some("x"), None], "b" => [Some("y"), Some("z"), None]).unwrap();
    assert_eq!(
        eval(&df, r#"coalesce(a, b, "dflt")"#),
        vec!["y", "x", "dflt"]
    );
    assert_eq!(eval(&df, "coalesce(nosuch, a, b)"), vec!["y", "x", "null"]);
    assert_eq!(eval(&df, "coalesce(a, 5)"), vec!["5", "x", "5"]);
}

#[test]
fn split_mvcount_mvjoin() {
    let df = df!("x" => [Some("a,b,c"), Some("solo"), None]).unwrap();
    assert_eq!(
        eval(&df, r#"mvcount(split(x, ","))"#),
        vec!["3", "1", "null"]
    );
    assert_eq!(
        eval(&df, r#"mvjoin(split(x, ","), "|")"#),
        vec!["a|b|c", "solo", "null"]
    );
    assert_eq!(eval(&df, "mvcount(x)"), vec!["1", "1", "null"]);
}

#[test]
fn multivalue_comparison_is_any_match() {
    let df = df!("id" => [0i32, 1], "x" => ["a,b,c", "d,e"]).unwrap();
    let spl = "| eval mv=split(x, \",\")";
    let p = spelunk::syntax::parse(spl).unwrap();
    let CommandKind::Eval(e) = &p.commands[0].kind else {
        panic!()
    };
    let df = apply_eval(df.lazy(), &e.assignments, spl, NOW, "UTC")
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(kept(&df, r#"mv="b""#), vec![0]);
    assert_eq!(kept(&df, r#"mv!="a""#), vec![0, 1]);
    assert_eq!(kept(&df, r#"like(mv, "e%")"#), vec![1]);
    assert_eq!(kept(&df, r#"match(mv, "^c$")"#), vec![0]);
}

#[test]
fn strftime_formats_in_utc_with_splunk_codes() {
    assert_eq!(
        eval1(r#"strftime(1700000123.25, "%Y-%m-%dT%H:%M:%S.%3N%z")"#),
        "2023-11-14T22:15:23.250+0000"
    );
    assert_eq!(
        eval1(r#"strftime(1700000123, "%b %d %Y %a %j %s")"#),
        "Nov 14 2023 Tue 318 1700000123"
    );
    let df = df!("_time" => [1_700_000_123.0f64]).unwrap();
    assert_eq!(
        eval(&df, r#"strftime(_time, "%m/%d/%Y %H:%M:%S")"#),
        vec!["11/14/2023 22:15:23"]
    );
}

#[test]
fn strptime_parses_to_epoch() {
    assert_eq!(
        eval1(r#"strptime("2023-11-14T22:15:23", "%Y-%m-%dT%H:%M:%S")"#),
        "1700000123"
    );
    assert_eq!(eval1(r#"strptime("14/11/2023", "%d/%m/%Y")"#), "1699920000");
    assert_eq!(eval1(r#"strptime("nonsense", "%Y")"#), "null");
}

#[test]
fn now_and_relative_time_with_snap() {
    assert_eq!(eval1("now()"), "1700000123");
    // 22:15:23 - 70m = 21:05:23, snapped to the minute.
    assert_eq!(eval1(r#"relative_time(now(), "-70m@m")"#), "1699995900");
    assert_eq!(eval1(r#"relative_time(now(), "-1d@d")"#), "1699833600");
    assert_eq!(eval1(r#"relative_time(now(), "@w1")"#), "1699833600");
    assert_eq!(eval1(r#"relative_time(now(), "+1mon")"#), "1702592123");
    let df = df!("id" => [0i32, 1], "_time" => [NOW - 3600.0, NOW - 90_000.0]).unwrap();
    assert_eq!(
        kept(&df, r#"_time > relative_time(now(), "-24h")"#),
        vec![0]
    );
}

#[test]
fn round_with_and_without_digits() {
    assert_eq!(eval1("round(2.5)"), "3");
    assert_eq!(eval1("round(-2.5)"), "-3");
    assert_eq!(eval1("round(3.14159, 2)"), "3.14");
    let df = df!("v" => [Some("1.005"), Some("abc"), None]).unwrap();
    assert_eq!(eval(&df, "round(v*100, 1)"), vec!["100.5", "null", "null"]);
}

#[test]
fn concatenation_renders_integers_without_fraction() {
    assert_eq!(eval1(r#""n=" . 5"#), "n=5");
    assert_eq!(eval1(r#""r=" . 10/4"#), "r=2.5");
    let df = df!("c" => [Some(3.0f64), Some(0.5), None], "s" => [Some("a"), Some("b"), Some("c")])
        .unwrap();
    assert_eq!(eval(&df, r#"s . ":" . c"#), vec!["a:3", "b:0.5", "null"]);
}

#[test]
fn an_unquoted_period_between_names_concatenates_fields() {
    // Search Reference, eval: `.` concatenates, and a field name with a period is written in
    // single quotes. security_content's detect_rtlo_in_file_name does
    // `eval file_name=RTLO_file_1.RTLO_file_2`. A frame that also has a field named
    // `RTLO_file_1.RTLO_file_2` tells the two readings apart.
    let df = df!(
        "id" => [0i32, 1],
        "RTLO_file_1" => [Some("invoice_"), Some("a")],
        "RTLO_file_2" => [Some("fdp.exe"), None],
        "RTLO_file_1.RTLO_file_2" => [Some("dotted"), Some("dotted")],
    )
    .unwrap();
    assert_eq!(
        eval(&df, "RTLO_file_1.RTLO_file_2"),
        vec!["invoice_fdp.exe", "null"]
    );
    assert_eq!(
        eval(&df, "'RTLO_file_1.RTLO_file_2'"),
        vec!["dotted", "dotted"]
    );
    assert_eq!(
        eval(&df, "RTLO_file_1 . RTLO_file_2 . '_id'"),
        vec!["null", "null"]
    );
    assert_eq!(
        kept(&df, r#"RTLO_file_1.RTLO_file_2="invoice_fdp.exe""#),
        vec![0]
    );
    assert_eq!(
        kept(&df, r#"'RTLO_file_1.RTLO_file_2'="dotted""#),
        vec![0, 1]
    );
    // A number keeps its decimal point; a name then a number concatenates.
    assert_eq!(eval1("1.5 + 1"), "2.5");
    assert_eq!(eval(&df, "RTLO_file_1.5"), vec!["invoice_5", "a5"]);
}

#[test]
fn plus_adds_numbers_and_concatenates_strings() {
    let df = df!("a" => ["5", "x"], "b" => ["3", "y"]).unwrap();
    assert_eq!(eval(&df, "a + b"), vec!["8", "xy"]);
    assert_eq!(eval(&df, "a + 1"), vec!["6", "null"]);
    assert_eq!(eval1("7 - 2 * 3"), "1");
    assert_eq!(eval1("7 % 3"), "1");
    assert_eq!(eval1("-7 % 3"), "-1");
}

#[test]
fn division_by_zero_is_null() {
    let df = df!("a" => [4i64, 4], "b" => [0i64, 2]).unwrap();
    assert_eq!(eval(&df, "a / b"), vec!["null", "2"]);
    assert_eq!(eval1("1/0"), "null");
}

#[test]
fn unknown_functions_and_wrong_arity_are_positioned_errors() {
    let e = eval_err("lower(frobnicate(x))");
    assert_eq!(
        e,
        "unsupported eval function `frobnicate` @Some(\"frobnicate(x)\")"
    );
    let e = eval_err(r#"if(searchmatch("x"), 1, 0)"#);
    assert!(
        e.starts_with("unsupported eval function `searchmatch`"),
        "{e}"
    );
    let e = eval_err("if(x, 1)");
    assert_eq!(e, "`if` takes 3 arguments, got 2 @Some(\"if(x, 1)\")");
    let e = eval_err("case(x)");
    assert!(e.contains("pairs"), "{e}");
}

#[test]
fn eval_assignments_run_left_to_right_and_null_clears() {
    let df = df!("x" => ["1", "2"]).unwrap();
    assert_eq!(
        eval_in(&df, "a=x*2, b=a+1, out=b . \"!\"", "out"),
        vec!["3!", "5!"]
    );
    assert_eq!(
        eval_in(&df, "x=null(), out=isnull(x)", "out"),
        vec!["true", "true"]
    );
}

#[test]
fn null_true_false_isnull_isnotnull() {
    let df = df!("v" => [Some("a"), None]).unwrap();
    assert_eq!(eval(&df, "if(isnotnull(v), 1, 0)"), vec!["1", "0"]);
    assert_eq!(eval(&df, "if(isnull(v), 1, 0)"), vec!["0", "1"]);
    assert_eq!(
        eval(&df, "if(isnull(nosuch), true(), false())"),
        vec!["true", "true"]
    );
    assert_eq!(eval(&df, "null()"), vec!["null", "null"]);
}

#[test]
fn text_functions() {
    assert_eq!(eval1(r#"upper("MiXed")"#), "MIXED");
    assert_eq!(eval1(r#"lower("MiXed")"#), "mixed");
    assert_eq!(eval1(r#"trim("  pad  ")"#), "pad");
    assert_eq!(eval1(r#"trim("xxpadxx", "x")"#), "pad");
    assert_eq!(eval1(r#"ltrim("  pad  ")"#), "pad  ");
    assert_eq!(eval1(r#"rtrim("--pad--", "-")"#), "--pad");
    assert_eq!(eval1(r#"len("héllo")"#), "5");
    assert_eq!(
        eval1(r#"urldecode("http%3A%2F%2Fx.com%2Fa%20b")"#),
        "http://x.com/a b"
    );
    assert_eq!(eval1(r#"substr("splunk", 1, 3)"#), "spl");
    assert_eq!(eval1(r#"substr("splunk", -3)"#), "unk");
    assert_eq!(eval1(r#"substr("splunk", 2)"#), "plunk");
    let df = df!("p" => [Some("C:\\A\\B.EXE"), None]).unwrap();
    assert_eq!(eval(&df, "lower(p)"), vec!["c:\\a\\b.exe", "null"]);
    assert_eq!(eval(&df, "len(p)"), vec!["10", "null"]);
    assert_eq!(eval(&df, r#"trim(p, "C:")"#), vec!["\\A\\B.EXE", "null"]);
    assert_eq!(eval(&df, "urldecode(p)"), vec!["C:\\A\\B.EXE", "null"]);
}

#[test]
fn text_functions_apply_to_each_value_of_a_multivalue() {
    let df = df!("x" => ["A, B"]).unwrap();
    assert_eq!(
        eval_in(&df, r#"mv=split(x, ","), out=lower(trim(mv))"#, "out"),
        vec!["[a,b]"]
    );
}

#[test]
fn min_max_numeric_when_numbers_else_lexicographic() {
    assert_eq!(eval1(r#"max(3, 7, "10")"#), "10");
    assert_eq!(eval1(r#"min(3, 7, "10")"#), "3");
    assert_eq!(eval1(r#"max(3, 7, "10", "abc")"#), "abc");
    assert_eq!(eval1(r#"min("b", "a")"#), "a");
    let df = df!("a" => [Some(5i64), None], "b" => [Some(2i64), Some(4)]).unwrap();
    assert_eq!(eval(&df, "max(a, b)"), vec!["5", "4"]);
}

#[test]
fn multivalue_functions() {
    let df = df!("x" => [Some("b,a,b"), None], "y" => [Some("1,2,3"), Some("9")]).unwrap();
    let v = |e: &str| {
        eval_in(
            &df,
            &format!(r#"m=split(x, ","), n=split(y, ","), out={e}"#),
            "out",
        )
    };
    assert_eq!(
        v(r#"mvappend(m, "z", nosuch, n)"#),
        vec!["[b,a,b,z,1,2,3]", "[z,9]"]
    );
    assert_eq!(v(r#"mvfind(m, "^a")"#), vec!["1", "null"]);
    assert_eq!(v("mvdedup(m)"), vec!["[b,a]", "null"]);
    assert_eq!(v("mvzip(m, n)"), vec!["[b,1,a,2,b,3]", "null"]);
    assert_eq!(v(r#"mvzip(m, n, "=")"#), vec!["[b=1,a=2,b=3]", "null"]);
    assert_eq!(v(r#"mvfilter(m!="b")"#), vec!["[a]", "null"]);
    assert_eq!(v(r#"mvfilter(match(n, "[13]"))"#), vec!["[1,3]", "null"]);
    assert_eq!(v(r#"mvfilter(n="7")"#), vec!["null", "null"]);
    assert_eq!(v(r#"mvmap(n, n*10)"#), vec!["[10,20,30]", "[90]"]);
    assert_eq!(
        v(r#"mvmap(m, "<" . m . ">")"#),
        vec!["[<b>,<a>,<b>]", "null"]
    );
    assert_eq!(v("mvsort(m)"), vec!["[a,b,b]", "null"]);
}

#[test]
fn tostring_and_tonumber() {
    assert_eq!(eval1("tostring(255, \"hex\")"), "0xFF");
    assert_eq!(eval1("tostring(1234567.891, \"commas\")"), "1,234,567.89");
    assert_eq!(eval1("tostring(1234567, \"commas\")"), "1,234,567");
    assert_eq!(eval1("tostring(93784, \"duration\")"), "1+02:03:04");
    assert_eq!(eval1("tostring(65, \"duration\")"), "00:01:05");
    assert_eq!(eval1("tostring(5)"), "5");
    assert_eq!(eval1("tostring(1==1)"), "True");
    assert_eq!(eval1(r#"tonumber("0A4", 16)"#), "164");
    assert_eq!(eval1(r#"tonumber("0xff", 16)"#), "255");
    assert_eq!(eval1(r#"tonumber("12.5") + 1"#), "13.5");
    assert_eq!(eval1(r#"tonumber("abc")"#), "null");
}

#[test]
fn type_predicates() {
    let df = df!("f" => [Some("42"), Some("4.2"), Some("abc"), None]).unwrap();
    assert_eq!(
        eval(&df, "typeof(f)"),
        vec!["Number", "Number", "String", "Invalid"]
    );
    assert_eq!(eval(&df, "if(isnum(f), 1, 0)"), vec!["1", "1", "0", "0"]);
    assert_eq!(eval(&df, "if(isint(f), 1, 0)"), vec!["1", "0", "0", "0"]);
    assert_eq!(eval(&df, "if(isstr(f), 1, 0)"), vec!["0", "0", "1", "0"]);
    assert_eq!(eval1(r#"typeof("42")"#), "String");
    assert_eq!(eval1("typeof(42)"), "Number");
    assert_eq!(eval1("typeof(1==1)"), "Boolean");
}

#[test]
fn math_functions() {
    assert_eq!(eval1("exact(0.1 + 0.2) > 0.3"), "true");
    assert_eq!(eval1("abs(-4)"), "4");
    assert_eq!(eval1("sqrt(16)"), "4");
    assert_eq!(eval1("sqrt(-1)"), "null");
    assert_eq!(eval1("floor(2.7)"), "2");
    assert_eq!(eval1("ceil(2.1)"), "3");
    assert_eq!(eval1("ceiling(-2.1)"), "-2");
    assert_eq!(eval1("pow(2, 10)"), "1024");
    assert_eq!(eval1("log(1000)"), "3");
    assert_eq!(eval1("log(8, 2)"), "3");
    assert_eq!(eval1("ln(exp(2))"), "2");
    let df = df!("v" => [Some("-2.5"), None]).unwrap();
    assert_eq!(eval(&df, "abs(v)"), vec!["2.5", "null"]);
}

#[test]
fn hashes() {
    assert_eq!(eval1(r#"md5("abc")"#), "900150983cd24fb0d6963f7d28e17f72");
    assert_eq!(
        eval1(r#"sha1("abc")"#),
        "a9993e364706816aba3e25717850c26c9cd0d89d"
    );
    assert_eq!(
        eval1(r#"sha256("abc")"#),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn printf_basic_conversions() {
    assert_eq!(
        eval1(r#"printf("%s has %d items, %.2f%%", "box", 3.7, 12.345)"#),
        "box has 3 items, 12.35%"
    );
    assert_eq!(
        eval1(r#"printf("[%5s|%-4d|%04d|%x]", "ab", 7, 42, 255)"#),
        "[   ab|7   |0042|ff]"
    );
}

#[test]
fn json_extract_and_spath_paths() {
    let df = df!("j" => [r#"{"a":{"b":[{"c":"x"},{"c":"y"}],"n":5},"s":"t"}"#]).unwrap();
    assert_eq!(eval(&df, r#"json_extract(j, "s")"#), vec!["t"]);
    assert_eq!(eval(&df, r#"json_extract(j, "a.n")"#), vec!["5"]);
    assert_eq!(eval(&df, r#"json_extract(j, "a.b{1}.c")"#), vec!["y"]);
    assert_eq!(eval(&df, r#"spath(j, "a.b{}.c")"#), vec!["[x,y]"]);
    assert_eq!(eval(&df, r#"json_extract(j, "nope")"#), vec!["null"]);
}

#[test]
fn cidrmatch_v4_and_v6() {
    let df = df!("id" => [0i32, 1, 2, 3], "ip" => [Some("10.1.2.3"), Some("192.168.0.1"), Some("fe80::1"), None]).unwrap();
    assert_eq!(kept(&df, r#"cidrmatch("10.0.0.0/8", ip)"#), vec![0]);
    assert_eq!(kept(&df, r#"cidrmatch("fe80::/10", ip)"#), vec![2]);
    assert_eq!(
        kept(&df, r#"NOT cidrmatch("10.0.0.0/8", ip)"#),
        vec![1, 2, 3]
    );
}

#[test]
fn time_zone_is_used_by_strftime() {
    let spl = r#"| eval out=strftime(1700000123, "%H:%M %Z")"#;
    let p = spelunk::syntax::parse(spl).unwrap();
    let CommandKind::Eval(e) = &p.commands[0].kind else {
        panic!()
    };
    let res = apply_eval(one().lazy(), &e.assignments, spl, NOW, "America/New_York")
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(
        show(res.column("out").unwrap().get(0).unwrap()),
        "17:15 EST"
    );
    assert!(apply_eval(one().lazy(), &e.assignments, spl, NOW, "Mars/Base").is_err());
}

#[test]
fn pcre_literal_braces_are_accepted() {
    let df = df!("id" => [0i32, 1, 2], "raw" => ["${jndi:ldap", "%7bjndi", "aa"]).unwrap();
    assert_eq!(
        kept(&df, r#"match(raw, "(?i)(\$|%24)?({|%7b)jndi")"#),
        vec![0, 1]
    );
    assert_eq!(kept(&df, r#"match(raw, "a{2}")"#), vec![2]);
}

#[test]
fn look_around_patterns_work_in_replace_and_match() {
    // From windows_known_abused_dll_loaded_suspiciously: PCRE look-ahead, which Rust's linear
    // engine rejects; the backtracking engine takes it.
    let df = df!("p" => [r"C:\Windows\System32\evil.dll", "noslash"]).unwrap();
    assert_eq!(
        eval(&df, r#"replace(p, "(.*\\\\)(?=.*(\.\w*)$|(\w+)$)", "")"#),
        ["evil.dll", "noslash"]
    );
    assert_eq!(
        eval(&df, r#"if(match(p, "evil(?=\.dll)"), "y", "n")"#),
        ["y", "n"]
    );
}

#[test]
fn mvmap_reading_another_field_maps_each_value_of_each_result() {
    // From o365_external_identity_policy_changed: the values added and removed between two
    // multivalue fields of the same result.
    let mv = |v: &[&str]| Series::new("".into(), v);
    let new: ListChunked = [Some(mv(&["a", "b", "c"])), Some(mv(&["x"])), None]
        .into_iter()
        .collect();
    let old: ListChunked = [Some(mv(&["b", "z"])), Some(mv(&["x"])), Some(mv(&["q"]))]
        .into_iter()
        .collect();
    let df = DataFrame::new_infer_height(vec![
        new.with_name("new".into()).into_column(),
        old.with_name("old".into()).into_column(),
    ])
    .unwrap();
    assert_eq!(
        eval(&df, "mvmap(new, if(isnull(mvfind(old, new)), new, null))"),
        ["[a,c]", "null", "null"]
    );
    assert_eq!(
        eval(&df, "mvmap(old, if(isnull(mvfind(new, old)), old, null))"),
        ["[z]", "null", "[q]"]
    );
    // Numbers read as Splunk writes them; a single value maps to a single value.
    let df = df!("n" => ["1", "2"], "k" => [10i64, 20]).unwrap();
    assert_eq!(eval(&df, "mvmap(n, n * k)"), ["10", "40"]);
    let split = eval_in(&df, r#"m=split("1,2", ","), out=mvmap(m, m * k)"#, "out");
    assert_eq!(split, ["[10,20]", "[20,40]"]);
}

#[test]
fn the_in_function_is_the_in_operator() {
    // Search Reference, Comparison and Conditional functions: `in(field, "a", "b")`.
    let df = df!("s" => ["a", "c", "b"]).unwrap();
    assert_eq!(
        eval(&df, r#"if(in(s, "a", "b"), "yes", "no")"#),
        ["yes", "no", "yes"]
    );
    assert_eq!(eval(&df, r#"if(s IN ("a", "b"), 1, 0)"#), ["1", "0", "1"]);
}

//! Property test: random and mutated searches never make the macro expander or the parser panic
//! or hang. 100,000 cases, deterministic (fixed seed), so a failure reproduces.
//!
//! Seeds are the corpus searches when ../shared is present (CI), and the project's own fixture
//! searches always.

mod common;

use spelunk::macros::MacroLibrary;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// splitmix64: small, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const PIECES: &[&str] = &[
    "|",
    "[",
    "]",
    "(",
    ")",
    "\"",
    "'",
    "\\",
    "`",
    "```",
    "=",
    "!=",
    "<",
    ">=",
    "*",
    ",",
    ".",
    "$",
    " ",
    "\n",
    "\r\n",
    "\t",
    "AND",
    "OR",
    "NOT",
    "IN",
    " by ",
    " as ",
    "eval(",
    "count",
    "| stats ",
    "| tstats ",
    "| eval x=",
    "| where ",
    "| search ",
    "[| inputlookup x]",
    "`sysmon`",
    "`drop_dm_object_name(",
    "<<FIELD>>",
    "%",
    "é",
    "\u{0}",
    "\u{a0}",
    "🦀",
    "0",
    "-1",
    "1e9",
    "\"\\\"",
    "((((((((",
    "))))",
    "[[[[",
    "x=",
    "NOT NOT NOT",
    "`a(b,c)`",
];

fn boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn mutate(rng: &mut Rng, seeds: &[String]) -> String {
    let base = &seeds[rng.below(seeds.len())];
    // Mostly windows of a search (cheap), sometimes the whole search.
    let mut s = if rng.below(20) == 0 || base.len() < 60 {
        base.clone()
    } else {
        let start = boundary(base, rng.below(base.len()));
        let end = boundary(base, start + 20 + rng.below(300));
        base[start..end].to_string()
    };
    for _ in 0..1 + rng.below(4) {
        let a = boundary(&s, rng.below(s.len() + 1));
        let b = boundary(&s, a + rng.below(30));
        match rng.below(6) {
            0 => s.replace_range(a..b, ""),
            1 => s.insert_str(a, PIECES[rng.below(PIECES.len())]),
            2 => {
                let piece = s[a..b].to_string();
                s.insert_str(b, &piece);
            }
            3 => s.truncate(a),
            4 => {
                let other = &seeds[rng.below(seeds.len())];
                let o = boundary(other, rng.below(other.len() + 1));
                let tail: String = other[o..].chars().take(200).collect();
                s.truncate(a);
                s.push_str(&tail);
            }
            _ => {
                let c = char::from_u32(rng.below(0x3000) as u32).unwrap_or('x');
                s.insert(a, c);
            }
        }
    }
    s
}

#[test]
fn expander_and_parser_survive_100k_mutated_searches() {
    let mut seeds: Vec<String> = Vec::new();
    let mut dirs = Vec::new();
    let fixtures = common::project_dir().join("tests/fixtures/spl");
    for e in std::fs::read_dir(&fixtures).expect("fixtures").flatten() {
        seeds.push(std::fs::read_to_string(e.path()).expect("fixture"));
    }
    dirs.push(common::project_dir().join("tests/fixtures/security_content/macros"));
    if let Some(shared) = common::shared_dir() {
        let root = shared.join("corpus/security_content");
        for f in spelunk::detection::find_detections(&root) {
            if let Ok(d) = spelunk::detection::Detection::load(&f) {
                seeds.push(d.search);
            }
        }
        dirs.push(root.join("macros"));
    }
    let lib = MacroLibrary::with_dirs(&dirs).expect("macros");
    let mut rng = Rng(0x5EED_5EED);
    let (mut expanded_ok, mut parsed_ok) = (0usize, 0usize);
    const CASES: usize = 100_000;
    for case in 0..CASES {
        let input = mutate(&mut rng, &seeds);
        let result = catch_unwind(AssertUnwindSafe(|| {
            let mut n = (0, 0);
            if let Ok(x) = spelunk::macros::expand(&input, &lib) {
                n.0 = 1;
                if spelunk::syntax::parse(&x).is_ok() {
                    n.1 = 1;
                }
            }
            // The parser also sees the unexpanded text (backticks and all).
            let _ = spelunk::syntax::parse(&input).map_err(|e| e.to_string());
            n
        }));
        match result {
            Ok((e, p)) => {
                expanded_ok += e;
                parsed_ok += p;
            }
            Err(_) => panic!("case {case} panicked on input {input:?}"),
        }
    }
    eprintln!("{CASES} cases: {expanded_ok} expanded, {parsed_ok} parsed");
    // Mutations must exercise both the success and the error paths.
    assert!(
        expanded_ok > CASES / 10 && expanded_ok < CASES,
        "{expanded_ok}"
    );
    assert!(
        parsed_ok > CASES / 20 && parsed_ok < expanded_ok,
        "{parsed_ok}"
    );
}

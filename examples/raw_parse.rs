use pest::Parser;
use spelunk::syntax::{Rule, SplParser};
fn main() {
    let mut fails = 0;
    let mut n = 0;
    let mut entries: Vec<_> = std::fs::read_dir("/tmp/expanded").unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        n += 1;
        let s = std::fs::read_to_string(&p).unwrap();
        if let Err(e) = SplParser::parse(Rule::search_string, &s) {
            fails += 1;
            if fails <= 25 {
                let pos = match e.location { pest::error::InputLocation::Pos(p) => p, pest::error::InputLocation::Span((a, _)) => a };
                let lo = pos.saturating_sub(60); let hi = (pos + 40).min(s.len());
                let lo = (0..=lo).rev().find(|i| s.is_char_boundary(*i)).unwrap();
                let hi = (hi..=s.len()).find(|i| s.is_char_boundary(*i)).unwrap();
                println!("{}: ...{}<<HERE>>{}...  [{:?}]", p.file_name().unwrap().to_string_lossy(), &s[lo..pos], &s[pos..hi], e.variant.message().chars().take(150).collect::<String>());
            }
        }
    }
    println!("parsed {}/{}", n - fails, n);
}

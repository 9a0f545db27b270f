fn main() {
    let mut fails = 0;
    let mut n = 0;
    let mut entries: Vec<_> = std::fs::read_dir("/tmp/expanded").unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        n += 1;
        let s = std::fs::read_to_string(&p).unwrap();
        if let Err(e) = spelunk::syntax::parse(&s) {
            fails += 1;
            if fails <= 10 { println!("{}: {e}", p.display()); }
        }
    }
    println!("parsed {}/{}", n - fails, n);
}

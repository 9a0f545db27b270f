//! Prints the first records of an EVTX file as spelunk stores them (`_raw` and fields).
//! Usage: cargo run --example dump_evtx -- FILE [N]
use spelunk::ingest::{self, Input, ReaderOptions, Record};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: dump_evtx FILE [N]");
        std::process::exit(1);
    };
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    for rec in ingest::open(&Input::new(path), &ReaderOptions::default()).take(n) {
        match rec {
            Record::Event(e) => {
                println!(
                    "_time={} host={:?} source={:?}\n_raw={}",
                    e.time, e.host, e.source, e.raw
                );
                for (k, v) in &e.fields {
                    println!("  {k} = {v:?}");
                }
            }
            Record::Rejected(r) => println!("rejected: {r}"),
        }
    }
}

//! Writes a synthetic XmlWinEventLog file of about the given size (see
//! `spelunk::ingest::generate`).
//! Usage: cargo run --release --example generate -- OUT.log [SIZE, e.g. 1GB] [SEED]
use std::io::BufWriter;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(out), size) = (
        args.get(1),
        args.get(2).map(String::as_str).unwrap_or("1MB"),
    ) else {
        eprintln!("usage: generate OUT.log [SIZE] [SEED]");
        return std::process::ExitCode::from(1);
    };
    let Some(bytes) = spelunk::ingest::generate::parse_size(size) else {
        eprintln!("bad size {size:?} (e.g. 1GB, 500MB, 64KB)");
        return std::process::ExitCode::from(1);
    };
    let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(42);
    let result = std::fs::File::create(out).and_then(|f| {
        let mut w = BufWriter::new(f);
        spelunk::ingest::generate::generate(&mut w, bytes, seed)
    });
    match result {
        Ok(n) => {
            eprintln!("wrote {n} events to {out}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("generate: {out}: {e}");
            std::process::ExitCode::from(1)
        }
    }
}

//! Benchmark of XmlWinEventLog ingest (not a test). Three passes over the same file:
//! 1. baseline: read the file and split it at `<Event` starts (the least any reader must do);
//! 2. reader: split and extract every field (spelunk's XmlWinEventLog reader);
//! 3. replay: the whole path into an on-disk store (knowledge layer, data model tables, Parquet).
//!
//! Prints MB/s and events/s of each, the ratios to the baseline, and the peak memory (VmHWM).
//!
//! Usage (one core, as quoted in the closing note):
//!   cargo run --release --example generate -- /tmp/bench.log 1GB
//!   POLARS_MAX_THREADS=1 taskset -c 0 cargo run --release --example ingest_bench -- /tmp/bench.log
//!
//! `--repeat N` runs the replay pass N times and prints the median and best (timings on a
//! shared machine vary by several percent from run to run); `--skip-replay` and
//! `--only-replay` run only the first two passes, or only the replay.
use spelunk::ingest::xml::XmlReader;
use spelunk::ingest::{Input, ReaderOptions, Record};
use spelunk::store::{ReplayOptions, Store};
use std::io::Read;
use std::time::Instant;

/// The same allocator as the `spelunk` binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn vm_hwm_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn report(name: &str, bytes: u64, events: u64, secs: f64, base: Option<f64>) -> f64 {
    let mbs = bytes as f64 / 1e6 / secs;
    let ratio = base
        .map(|b| format!(" ({:.2}x of baseline)", mbs / b))
        .unwrap_or_default();
    println!(
        "{name:<9} {:>8.1} MB/s {:>10.0} events/s  {secs:>7.2}s  peak RSS so far {:>7.1} MB{ratio}",
        mbs,
        events as f64 / secs,
        vm_hwm_mb()
    );
    mbs
}

fn main() -> std::process::ExitCode {
    // As src/main.rs: keep freed pages (mimalloc's purge delay, option 15, set to never).
    // SAFETY: sets a process-wide allocator option; no memory is touched.
    unsafe { libmimalloc_sys::mi_option_set(15, -1) };
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: ingest_bench FILE.log [--skip-replay | --only-replay] [--repeat N]");
        return std::process::ExitCode::from(1);
    };
    let skip_replay = std::env::args().any(|a| a == "--skip-replay");
    // For profiling the replay alone.
    let only_replay = std::env::args().any(|a| a == "--only-replay");
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!("file {path}: {:.1} MB", bytes as f64 / 1e6);

    let args: Vec<String> = std::env::args().collect();
    let repeat = args
        .iter()
        .position(|a| a == "--repeat")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let base = (!only_replay).then(|| passes(&path, bytes));
    if skip_replay {
        return std::process::ExitCode::SUCCESS;
    }
    let mut rates = Vec::new();
    for _ in 0..repeat {
        match replay(&path, bytes, base) {
            Some(r) => rates.push(r),
            None => return std::process::ExitCode::from(1),
        }
    }
    if repeat > 1 {
        rates.sort_by(f64::total_cmp);
        println!(
            "replay x{repeat}: median {:.1} MB/s, best {:.1} MB/s",
            rates[rates.len() / 2],
            rates[rates.len() - 1]
        );
    }
    std::process::ExitCode::SUCCESS
}

/// The baseline and reader passes; returns the baseline's MB/s.
fn passes(path: &str, bytes: u64) -> f64 {
    // 1. baseline: read and split.
    let t = Instant::now();
    let Ok(mut f) = std::fs::File::open(path) else {
        eprintln!("{path}: cannot open");
        return f64::NAN;
    };
    let finder = memchr::memmem::Finder::new(b"<Event ");
    let mut buf = vec![0u8; 1 << 20];
    let mut carry = Vec::new();
    let mut n_split = 0u64;
    loop {
        let n = f.read(&mut buf).unwrap_or(0);
        if n == 0 {
            break;
        }
        carry.extend_from_slice(&buf[..n]);
        n_split += finder.find_iter(&carry).count() as u64;
        let keep = carry.len().saturating_sub(6);
        carry.drain(..keep);
    }
    let base = report("baseline", bytes, n_split, t.elapsed().as_secs_f64(), None);

    // 2. reader: every field extracted.
    let t = Instant::now();
    let mut n_events = 0u64;
    let mut n_fields = 0u64;
    let reader = match XmlReader::open(std::path::Path::new(path), &ReaderOptions::default()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{path}: {e}");
            return f64::NAN;
        }
    };
    for rec in reader {
        if let Record::Event(e) = rec {
            n_events += 1;
            n_fields += e.fields.len() as u64;
        }
    }
    report(
        "reader",
        bytes,
        n_events,
        t.elapsed().as_secs_f64(),
        Some(base),
    );
    println!("          {n_events} events, {n_fields} fields");
    base
}

/// The whole replay into an on-disk store; returns its MB/s.
fn replay(path: &str, bytes: u64, base: Option<f64>) -> Option<f64> {
    let dir = std::env::temp_dir().join(format!("spelunk-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let t = Instant::now();
    let result = Store::open(&dir)
        .and_then(|mut s| s.replay(&[Input::new(path)], &ReplayOptions::default()));
    let secs = t.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(s) => {
            let rate = report("replay", bytes, s.events_stored, secs, base);
            println!(
                "          {} stored, {} rejected, data models {:?}",
                s.events_stored, s.events_rejected, s.datamodels
            );
            Some(rate)
        }
        Err(e) => {
            eprintln!("replay: {e}");
            None
        }
    }
}

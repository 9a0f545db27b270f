"""spelunk's benchmark harness (run it through benches/run.sh, which builds spelunk and installs
the Python packages).

Generates XmlWinEventLog data of the given size with spelunk's generator, replays it into a store,
and times, side by side over the same parquet files:
  - spelunk end to end: the CLI (`spelunk run`), process start to exit;
  - spelunk in-process: the planning + store + search stages of `spelunk run --timing`;
  - DuckDB in-process: the SQL `spelunk sql --dialect duckdb` writes for the same search
    (Python `duckdb` package, 2 threads as spelunk's polars);
  - polars in-process: a hand-written lazy query (Python `polars` package).
Queries: the seed detection, a tstats group-by, an event search, a 10- and a 1,000-value wildcard
IN list (over a second store of about 100,000 process events, with peak memory), and the
Endpoint.Processes detection list (`spelunk check`, against DuckDB running the detections that
compile to SQL). Prints medians of --repeat runs and the ratios spelunk / DuckDB and
spelunk / polars (under 1.0: spelunk is faster).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests/fixtures/security_content/detections/endpoint/credential_dumping_via_symlink_to_shadow_copy.yml"


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def timed_v(cmd, ok=(0, 2)):
    """Runs cmd under /usr/bin/time -v: (seconds, peak RSS MB, stdout, stderr)."""
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True)
    dt = time.perf_counter() - t
    if p.returncode not in ok:
        raise RuntimeError(f"{cmd[:3]} failed ({p.returncode}): {p.stderr[-2000:]}")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    return dt, (int(m.group(1)) / 1024 if m else float("nan")), p.stdout, p.stderr


def median_of(n, f):
    xs = [f() for _ in range(n)]
    return statistics.median(xs)


def generate(spelunk_gen, out, size):
    if out.exists():
        log(f"reusing {out}")
        return
    log(f"generating {size} into {out}")
    sh([str(spelunk_gen), str(out), size])


def replay(spelunk, data, store):
    saved = store.parent / (store.name + "-ingest.json")
    if (store / "manifest.json").exists():
        log(f"reusing store {store}")
        return json.load(open(saved)) if saved.exists() else None
    dt, mb, out, err = timed_v([spelunk, "replay", "--no-progress", "--store", str(store), str(data)])
    size = data.stat().st_size / 1e6
    events = int(re.search(r"events: (\d+) read", out).group(1))
    r = {"seconds": dt, "mb_per_s": size / dt, "events_per_s": events / dt, "peak_mb": mb,
         "events": events, "input_mb": size}
    json.dump(r, open(saved, "w"))
    return r


def table_files(store, kind, table):
    m = json.load(open(store / "manifest.json"))
    return [str(store / c["file"]) for c in m["chunks"] if c["kind"] == kind and c["table"] == table]


EVENT_FIXED = ["_time", "_raw", "host", "source", "sourcetype", "index", "eventtype", "tag"]
DM_FIXED = ["_time", "host", "source", "sourcetype", "index"]


def scan(pl, store, kind, table):
    """A polars lazy scan of a store table with its manifest schema (missing columns as nulls)."""
    m = json.load(open(store / "manifest.json"))
    files = table_files(store, kind, table)
    cols = next(t["columns"] for t in m["tables"] if t["kind"] == kind and t["table"] == table)
    ty = lambda n: pl.Float64 if n == "_time" else (pl.List(pl.String) if n in ("eventtype", "tag") else pl.String)
    schema = {n: ty(n) for n in (EVENT_FIXED if kind == "events" else DM_FIXED)}
    for n, t in cols:
        schema[n] = pl.List(pl.String) if t == "List" else pl.String
    return pl.scan_parquet(files, schema=schema, missing_columns="insert")


def run_cli(spelunk, store, search):
    """The CLI end to end; search: [SPL] or ["-f", detection]."""
    def once():
        t = time.perf_counter()
        sh([spelunk, "run", "--store", str(store), "--format", "csv", *search])
        return time.perf_counter() - t
    return once


def run_inproc(spelunk, store, search):
    """The planning, store and search stages that `spelunk run --timing` reports."""
    def once():
        p = sh([spelunk, "run", "--timing", "--store", str(store), "--format", "csv", *search])
        laps = dict(re.findall(r"(\w+) ([\d.]+)", p.stderr.split("timing (ms):")[1].split(";")[0]))
        return sum(float(laps[k]) for k in ("plan", "store", "search")) / 1e3
    return once


def sql_of(spelunk, store, search):
    return sh([spelunk, "sql", "--dialect", "duckdb", "--store", str(store), *search]).stdout


def run_duckdb(con, sql):
    def once():
        t = time.perf_counter()
        con.execute(sql).fetchall()
        return time.perf_counter() - t
    return once


def run_polars(q):
    def once():
        t = time.perf_counter()
        q().collect()
        return time.perf_counter() - t
    return once


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="1500MB", help="generated XmlWinEventLog size (1500MB: about 1M events)")
    ap.add_argument("--in-size", default="300MB", help="size of the IN-list data (about 100,000 process events)")
    ap.add_argument("--work", default="/tmp/spelunk-bench")
    ap.add_argument("--spelunk", required=True)
    ap.add_argument("--generate", required=True, help="the generator example binary")
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared/corpus/security_content"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-list", action="store_true", help="skip the detection list")
    ap.add_argument("--store", help="use this existing store (e.g. benches/spark_scale.sh's 10M-event store) "
                    "instead of generating --size and replaying it")
    args = ap.parse_args()

    import duckdb
    import polars as pl

    spelunk = args.spelunk
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    n = args.repeat
    report = {"size": args.size}

    if args.store:
        store = Path(args.store)
        ingest = None
        report["store"] = str(store)
    else:
        data = work / f"gen-{args.size}.log"
        store = work / f"store-{args.size}"
        generate(args.generate, data, args.size)
        ingest = replay(spelunk, data, store)
    report["ingest"] = ingest
    if ingest:
        log(f"replay: {ingest['events']} events, {ingest['mb_per_s']:.1f} MB/s, peak {ingest['peak_mb']:.0f} MB")

    con = duckdb.connect()
    con.execute("SET threads = 2")
    pl_threads = pl.thread_pool_size()
    P = lambda: scan(pl, store, "datamodel", "Endpoint.Processes")
    E = lambda: scan(pl, store, "events", "main")
    lc = lambda c: pl.col(c).str.to_lowercase()

    seed_cols = ["Processes.dest", "Processes.user", "Processes.process_name", "Processes.process",
                 "Processes.parent_process", "Processes.parent_process_name",
                 "Processes.original_file_name", "Processes.process_id", "Processes.parent_process_id"]
    queries = [
        ("seed detection", ["-f", str(SEED)], None,
         lambda: P().filter(((lc("Processes.process_name") == "cmd.exe") | (lc("Processes.original_file_name") == "cmd.exe"))
                            & lc("Processes.process").str.contains("mklink", literal=True)
                            & lc("Processes.process").str.contains("harddiskvolumeshadowcopy", literal=True))
                    .group_by(seed_cols).agg(pl.len().alias("count"), pl.col("_time").min().alias("firstTime"),
                                             pl.col("_time").max().alias("lastTime"))),
        ("tstats group-by", [], "| tstats count from datamodel=Endpoint.Processes by Processes.dest Processes.process_name",
         lambda: P().group_by(["Processes.dest", "Processes.process_name"]).agg(pl.len().alias("count"))),
        ("event search", [], 'EventID=1 Image="*\\\\cmd.exe" | stats count by Computer',
         lambda: E().filter((pl.col("EventID") == "1") & lc("Image").str.ends_with("\\cmd.exe"))
                    .group_by("Computer").agg(pl.len().alias("count"))),
    ]
    rows = []
    for name, extra, spl, pq in queries:
        search = extra + ([spl] if spl is not None else [])
        r = {"query": name,
             "spelunk_cli": median_of(n, run_cli(spelunk, store, search)),
             "spelunk_inproc": median_of(n, run_inproc(spelunk, store, search)),
             "duckdb": median_of(n, run_duckdb(con, sql_of(spelunk, store, search))),
             "polars": median_of(n, run_polars(pq))}
        log(f"{name}: {r}")
        rows.append(r)

    # Wildcard IN lists over about 100,000 process events (EventID=1).
    in_data = work / f"gen-{args.in_size}.log"
    in_store = work / f"store-{args.in_size}"
    generate(args.generate, in_data, args.in_size)
    replay(spelunk, in_data, in_store)
    n_proc = scan(pl, in_store, "events", "main").filter(pl.col("EventID") == "1").select(pl.len()).collect().item()
    report["in_list_process_events"] = n_proc
    for k in (10, 1000):
        pats = [f"tok{i}x" for i in range(k - 2)] + ["mklink", "whoami"]
        values = ", ".join(f'"*{p}*"' for p in pats)
        spl = f"EventID=1 CommandLine IN ({values}) | stats count"
        cli_t = median_of(n, run_cli(spelunk, in_store, [spl]))
        _, peak, out, _ = timed_v([spelunk, "run", "--store", str(in_store), "--format", "csv", spl])
        sql = sql_of(spelunk, in_store, [spl])
        inproc = median_of(n, run_inproc(spelunk, in_store, [spl]))
        pq = lambda: scan(pl, in_store, "events", "main").filter(
            (pl.col("EventID") == "1") & lc("CommandLine").str.contains_any(pats)).select(pl.len().alias("count"))
        r = {"query": f"{k}-value wildcard IN ({n_proc} process events)", "spelunk_cli": cli_t,
             "spelunk_inproc": inproc, "duckdb": median_of(n, run_duckdb(con, sql)),
             "polars": median_of(n, run_polars(pq)), "spelunk_peak_mb": peak}
        log(f"{r['query']}: {r}")
        rows.append(r)

    # The Endpoint.Processes detection list.
    listf = Path(args.corpus) / "endpoint_processes_sysmon.tsv"
    if not args.skip_list and listf.exists():
        dt, peak, out, _ = timed_v([spelunk, "check", "--format", "json", "--corpus", args.corpus, "--list", str(listf),
                                    "--store", str(store)], ok=(0, 1))
        checked = json.loads(out)
        ran = f"{checked['ran']} of {checked['total']} ran"
        inproc = checked.get("seconds", float("nan"))
        # DuckDB: the detections that compile to SQL, in one connection.
        sqls = []
        paths = [l.split("\t")[0] for l in listf.read_text().splitlines()[1:] if l.strip()]
        for p in paths:
            q = subprocess.run([spelunk, "sql", "--dialect", "duckdb", "--store", str(store), "-f", str(Path(args.corpus) / p)],
                               capture_output=True, text=True)
            if q.returncode == 0:
                sqls.append(q.stdout)
        t = time.perf_counter()
        failed = 0
        for q in sqls:
            try:
                con.execute(q).fetchall()
            except Exception:  # noqa: BLE001 - counted
                failed += 1
        duck = time.perf_counter() - t
        r = {"query": f"detection list ({len(paths)}; {len(sqls)} compile to SQL)", "spelunk_cli": dt,
             "spelunk_inproc": inproc, "duckdb": duck, "polars": float("nan"), "spelunk_peak_mb": peak,
             "check": ran, "duckdb_failed": failed}
        log(f"list: {r}")
        rows.append(r)

    report["rows"] = rows
    json.dump(report, open(work / f"report-{args.size}.json", "w"), indent=1)
    if args.store:
        m = json.load(open(store / "manifest.json"))
        events = sum(c["rows"] for c in m["chunks"] if c["kind"] == "events")
        head = f"store {store} ({events} events)"
    else:
        head = f"{args.size} generated ({ingest['events'] if ingest else '?'} events)"
    print(f"\n{head}; median of {n}; seconds; "
          f"ratio = spelunk / engine (under 1.0: spelunk faster); duckdb and polars with 2 threads "
          f"(polars pool {pl_threads})\n")
    if ingest:
        print(f"ingest: {ingest['input_mb']:.0f} MB, {ingest['events']} events in {ingest['seconds']:.1f} s: "
              f"{ingest['mb_per_s']:.1f} MB/s, {ingest['events_per_s']:.0f} events/s, peak {ingest['peak_mb']:.0f} MB\n")
    hdr = f"| {'query':<52} | {'spelunk CLI':>11} | {'in-process':>10} | {'DuckDB':>8} | {'polars':>8} | {'CLI/DuckDB':>10} | {'in-proc/DuckDB':>14} | {'in-proc/polars':>14} | {'peak MB':>7} |"
    print(hdr)
    print("|" + "|".join("-" * (len(c)) for c in hdr.split("|")[1:-1]) + "|")
    f = lambda x: "-" if x != x else f"{x:.3f}"
    ratio = lambda a, b: "-" if (a != a or b != b or b == 0) else f"{a / b:.2f}"
    for r in rows:
        print(f"| {r['query']:<52} | {f(r['spelunk_cli']):>11} | {f(r['spelunk_inproc']):>10} | {f(r['duckdb']):>8} | "
              f"{f(r['polars']):>8} | {ratio(r['spelunk_cli'], r['duckdb']):>10} | {ratio(r['spelunk_inproc'], r['duckdb']):>14} | "
              f"{ratio(r['spelunk_inproc'], r['polars']):>14} | {r.get('spelunk_peak_mb', float('nan')):>7.0f} |")


if __name__ == "__main__":
    main()

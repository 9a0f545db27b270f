#!/usr/bin/env bash
# spelunk's benchmark harness: builds spelunk (release), installs the Python packages DuckDB and
# polars if missing (pip, user site), then runs benches/bench.py: generate data of a given size,
# replay it, and time spelunk (CLI and in-process), DuckDB and hand-written polars side by side.
#
# Usage: benches/run.sh [--size 1500MB] [--in-size 300MB] [--work /tmp/spelunk-bench] [--repeat 3]
#                       [--corpus ../shared/corpus/security_content] [--skip-list] [--store DIR]
# (1500MB of generated XmlWinEventLog is about 1M events; 300MB about 100,000 process events.)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
target="${CARGO_TARGET_DIR:-$here/target}"
cargo build --release --quiet --bin spelunk --example generate
for pkg in duckdb polars; do
  python3 -c "import $pkg" 2>/dev/null || python3 -m pip install --quiet --user "$pkg"
done
exec python3 benches/bench.py --spelunk "$target/release/spelunk" \
  --generate "$target/release/examples/generate" "$@"

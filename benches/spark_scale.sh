#!/usr/bin/env bash
# The SQL issue's scale run: a generated store of about 10M events, the seed detection and the
# 449 `Endpoint.Processes` detections on Spark (`local[2]` by default) against the polars
# engine on the same machine. Prints each step's wall time; figures go into BENCHMARKS.md.
#
#   benches/spark_scale.sh [--work DIR] [--files N] [--master URL] [--skip-list] [--skip-check]
#                          [--spark-conf KEY=VALUE]...
#
# local mode runs Spark's tasks in its driver: at 10M events give it more than its default 1 GB
# (the default here is spark.driver.memory=6g).
#
# Needs: a release build (built here), ../shared beside the project, spark-submit (pyspark) and
# Java 17, about 16 GB of disk for the generated XmlWinEventLog files plus 8 GB for the store
# (the generated files are deleted once replayed unless --keep).
set -euo pipefail
cd "$(dirname "$0")/.."

WORK=/tmp/spelunk-scale
FILES=11          # 11 files of 1,500 MB: about 10.7M events
MASTER='local[2]'
SKIP_LIST=0
SKIP_CHECK=0
KEEP=0
CONF=()
while [ $# -gt 0 ]; do
  case "$1" in
    --work) WORK="$2"; shift 2 ;;
    --files) FILES="$2"; shift 2 ;;
    --master) MASTER="$2"; shift 2 ;;
    --skip-list) SKIP_LIST=1; shift ;;
    --skip-check) SKIP_CHECK=1; shift ;;
    --spark-conf) CONF+=(--spark-conf "$2"); shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[ ${#CONF[@]} -gt 0 ] || CONF=(--spark-conf spark.driver.memory=6g)

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/spelunk-release}"
cargo build --release --quiet --bin spelunk --example generate
BIN="$CARGO_TARGET_DIR/release/spelunk"
GEN="$CARGO_TARGET_DIR/release/examples/generate"
SC=../shared/corpus/security_content
SEED="$SC/detections/endpoint/credential_dumping_via_symlink_to_shadow_copy.yml"
LIST="$SC/endpoint_processes_sysmon.tsv"
mkdir -p "$WORK"
STORE="$WORK/store"

step() { echo "== $*" >&2; }
timed() { /usr/bin/time -f "%e s wall, %M KB peak" "$@"; }

if [ ! -f "$STORE/manifest.json" ]; then
  files=()
  for i in $(seq 1 "$FILES"); do
    step "generate $WORK/gen$i.log (1500MB, seed $i)"
    "$GEN" "$WORK/gen$i.log" 1500MB "$i"
    files+=("$WORK/gen$i.log")
  done
  step "replay ${#files[@]} files into $STORE"
  timed "$BIN" replay --no-progress --store "$STORE" "${files[@]}"
  [ "$KEEP" = 1 ] || rm -f "${files[@]}"
fi

step "seed detection, polars engine (3 runs)"
for _ in 1 2 3; do timed "$BIN" run --store "$STORE" --format csv -f "$SEED" > "$WORK/seed-polars.csv"; done
step "seed detection, Spark $MASTER (one application)"
timed "$BIN" run --engine spark --master "$MASTER" "${CONF[@]}" --store "$STORE" --format csv -f "$SEED" > "$WORK/seed-spark.csv"
if cmp -s "$WORK/seed-polars.csv" "$WORK/seed-spark.csv"; then echo "seed: identical output" >&2; else echo "seed: OUTPUT DIFFERS" >&2; fi

[ "$SKIP_LIST" = 1 ] && exit 0
if [ "$SKIP_CHECK" = 0 ]; then
  step "449-detection list, polars engine (spelunk check)"
  timed "$BIN" check --corpus "$SC" --list "$LIST" --store "$STORE" | head -n 6
fi
step "449-detection list on Spark $MASTER, each compared with the polars engine's rows"
timed "$BIN" sql --corpus "$SC" --store "$STORE" --list "$LIST" --compare spark --master "$MASTER" "${CONF[@]}" | tee "$WORK/list-spark.txt" | head -n 12

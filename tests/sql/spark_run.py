"""Run SQL queries on Spark and write their rows as Splunk text values (spelunk run --engine
spark, spelunk sql --compare spark).

Submitted with Spark's own `spark-submit` (so `--master` may be local[*], a standalone cluster,
YARN or Kubernetes); spelunk never links Spark.

Input (argv[1]): a JSON list of {"id": ..., "sql": ..., "parquet": optional URI}. Output
(argv[2], a local file written by the driver): a JSON object id -> {"columns": [...],
"types": [Spark type per column], "rows": [[[values...] per cell] per row]} or {"error": "..."}.
Each cell is the list of its values as text: [] for null, one value for a single value, several
for a multivalue field; numbers as Splunk writes them (5, not 5.0), as tests/sql/duckdb_run.py
does. With "parquet", the result is also written there as parquet by Spark (one file, rows in
the result's order).
"""
import json
import math
import sys

from pyspark.sql import SparkSession


def text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isfinite(v) and v == int(v) and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    return str(v)


def cell(v):
    if v is None:
        return []
    if isinstance(v, (list, tuple)):
        return [text(x) for x in v if x is not None]
    return [text(v)]


def reason(e):
    """The first line that says what failed (a Java exception's own message, not py4j's)."""
    lines = [x.strip() for x in str(e).strip().splitlines() if x.strip()]
    for x in lines:
        if ("Exception:" in x or "Error:" in x) and "o" not in x.split(".")[0][:2]:
            return x[:400]
    for x in lines:
        if "Exception" in x or "Error" in x:
            return x[:400]
    return (lines[0] if lines else type(e).__name__)[:400]


def main():
    queries = json.load(open(sys.argv[1]))
    spark = SparkSession.builder.appName("spelunk").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    out = {}
    for q in queries:
        try:
            df = spark.sql(q["sql"])
            cols = df.columns
            types = [f.dataType.simpleString() for f in df.schema.fields]
            if q.get("parquet"):
                # coalesce(1) keeps the sorted order in one file (no shuffle).
                df.coalesce(1).write.mode("overwrite").parquet(q["parquet"])
            rows = [[cell(v) for v in r] for r in df.collect()]
            out[q["id"]] = {"columns": cols, "types": types, "rows": rows}
        except Exception as e:  # noqa: BLE001 - reported per query
            out[q["id"]] = {"error": reason(e)}
    with open(sys.argv[2], "w") as f:
        json.dump(out, f)
    spark.stop()


if __name__ == "__main__":
    main()

"""Run SQL queries on DuckDB and write their rows as Splunk text values (spelunk sql --compare).

Input (argv[1]): a JSON list of {"id": ..., "sql": ...}. Output (argv[2]): a JSON object
id -> {"columns": [...], "rows": [[[values...] per cell] per row]} or {"error": "..."}.
Each cell is the list of its values as text: [] for null, one value for a single value, several
for a multivalue field; numbers as Splunk writes them (5, not 5.0). Run as an external process:
spelunk never links DuckDB.
"""
import json
import math
import sys

import duckdb


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


def main():
    queries = json.load(open(sys.argv[1]))
    out = {}
    con = duckdb.connect()
    con.execute("SET threads = 2")
    for q in queries:
        try:
            cur = con.execute(q["sql"])
            cols = [d[0] for d in cur.description]
            rows = [[cell(v) for v in r] for r in cur.fetchall()]
            out[q["id"]] = {"columns": cols, "rows": rows}
        except Exception as e:  # noqa: BLE001 - reported per query
            out[q["id"]] = {"error": str(e).splitlines()[0][:300]}
    json.dump(out, open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()

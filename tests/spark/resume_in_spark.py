#!/usr/bin/env python3
"""Interop direction (b): a query started by spate is resumed by Spark, then by spate again.

Usage (PySpark 4.0.1 in a scratch venv outside the repo, Java 17 on the PATH, spate built):
    /tmp/pyspark-venv/bin/python tests/spark/resume_in_spark.py [--spate target/debug/spate] [--keep]

Steps, all on one checkpoint (<warehouse>/_checkpoints/t):
  1. spate runs `CREATE STREAMING TABLE t ... read_files(landing, maxFilesPerTrigger => 1)` with
     available-now over 12 files (batches 0..11; its source log compacts at 9.compact);
  2. 8 more files land; Spark 4.0.1 resumes the checkpoint (same JSON source and options, a
     foreachBatch sink recording each batch's files and ids, availableNow) and must read exactly
     those 8, as batches 12..19, under spate's query id (its source log compacts at 19.compact,
     over spate's entries);
  3. 3 more files land; spate resumes after Spark and must read exactly those 3 (batches 20..22).
File names include characters Spark percent-encodes (space, %, #, NBSP) or keeps literal (ü).
Prints a JSON report and exits 1 if any check fails. Not run in CI (see tests/spark/README.md).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from pyspark.sql import SparkSession
from pyspark.sql.functions import input_file_name

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA = "id BIGINT, v STRING"
PIPELINE = ("CREATE STREAMING TABLE t AS SELECT id, v FROM STREAM read_files('${landing}', format => 'json', "
            "schema => 'id BIGINT, v STRING', maxFilesPerTrigger => 1);\n")
SPATE_FILES = ["s-00.json", "s-01 with space.json", "s-02-100%.json", "s-03-ü.json", "s-04-#hash.json",
               "s-05-nbsp\u00a0x.json"] + [f"s-{i:02d}.json" for i in range(6, 12)]
SPARK_FILES = [f"k-{i:02d}.json" for i in range(8)]
SPATE_AGAIN_FILES = ["z-00.json", "z-01 ü.json", "z-02.json"]


class Landing:
    """Writes files atomically with increasing mtimes (one second apart), so oldest-first is deterministic."""

    def __init__(self, path):
        self.path = path
        self.n = 0
        self.start = int(time.time()) - 3600
        self.rows = {}

    def add(self, name, prefix):
        k = self.n
        self.n += 1
        rows = [{"id": k * 100 + j, "v": f"{prefix}-{k}-{j}"} for j in range(3)]
        tmp = os.path.join(self.path, "." + name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(r, separators=(",", ":"), ensure_ascii=False) + "\n" for r in rows)
        os.utime(tmp, (self.start + k, self.start + k))
        os.rename(tmp, os.path.join(self.path, name))
        self.rows[name] = rows
        return name


def run_spate(spate, root, landing, warehouse):
    out = subprocess.run([spate, "run", "pipeline.sql", "--trigger", "available-now", "--warehouse", warehouse,
                          "--var", f"landing={landing}", "--progress-json", os.path.join(root, "progress.jsonl")],
                         cwd=root, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"spate failed ({out.returncode}):\n{out.stderr}")
    return out.stderr


def source_log(checkpoint):
    """Every entry of sources/0 (latest .compact plus later plain files), as {id: [paths]}."""
    d = os.path.join(checkpoint, "sources", "0")
    names = [n for n in os.listdir(d) if not n.startswith(".")]
    compact = sorted(int(n.split(".")[0]) for n in names if n.endswith(".compact"))
    plain = sorted(int(n) for n in names if n.isdigit())
    files = ([f"{compact[-1]}.compact"] if compact else []) + [str(i) for i in plain if not compact or i > compact[-1]]
    entries = {}
    for n in files:
        with open(os.path.join(d, n), encoding="utf-8") as f:
            lines = f.read().split("\n")
        assert lines[0] == "v1", (n, lines[0])
        for l in lines[1:]:
            e = json.loads(l)
            entries.setdefault(e["batchId"], []).append(e["path"])
    return entries, sorted(names)


def ids(d):
    return sorted(int(n) for n in os.listdir(d) if n.isdigit())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spate", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target")),
                                                    "debug", "spate"))
    ap.add_argument("--keep", action="store_true", help="keep the temp folder")
    args = ap.parse_args()
    spate = os.path.abspath(args.spate)
    root = tempfile.mkdtemp(prefix="spate-spark-b-")
    landing_dir, warehouse = os.path.join(root, "landing"), os.path.join(root, "warehouse")
    os.makedirs(landing_dir)
    with open(os.path.join(root, "pipeline.sql"), "w") as f:
        f.write(PIPELINE)
    checkpoint = os.path.join(warehouse, "_checkpoints", "t")
    landing = Landing(landing_dir)
    report = {"root": root, "checks": {}}
    failures = []

    def check(name, ok, detail):
        report["checks"][name] = "ok" if ok else {"failed": detail}
        if not ok:
            failures.append(name)

    # 1. spate: 12 files, batches 0..11.
    for n in SPATE_FILES:
        landing.add(n, "spate")
    run_spate(spate, root, landing_dir, warehouse)
    with open(os.path.join(checkpoint, "metadata")) as f:
        query_id = json.load(f)["id"]
    spate_log, _ = source_log(checkpoint)
    report["spate_run_1"] = {"query_id": query_id, "offsets": ids(checkpoint + "/offsets"),
                             "commits": ids(checkpoint + "/commits"), "source_log": sorted(os.listdir(checkpoint + "/sources/0"))}

    # 2. Spark resumes over 8 new files.
    for n in SPARK_FILES:
        landing.add(n, "spark")
    spark = (SparkSession.builder.master("local[1]").appName("spate-resume").config("spark.ui.enabled", "false")
             .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    record = os.path.join(root, "spark_batches.jsonl")

    def sink(df, batch_id):
        rows = df.select("id", "v", input_file_name().alias("file")).collect()
        with open(record, "a", encoding="utf-8") as out:
            out.write(json.dumps({"batch": batch_id, "files": sorted({r.file for r in rows}),
                                  "rows": sorted(({"id": r.id, "v": r.v} for r in rows), key=lambda r: r["id"])},
                                 ensure_ascii=False) + "\n")

    q = (spark.readStream.format("json").schema(SCHEMA).option("maxFilesPerTrigger", 1).load(landing_dir)
         .writeStream.foreachBatch(sink).option("checkpointLocation", checkpoint)
         .trigger(availableNow=True).start())
    q.awaitTermination()
    spark_qid = q.id
    description = q.lastProgress["sources"][0]["description"] if q.lastProgress else None
    spark.stop()
    with open(record, encoding="utf-8") as f:
        spark_batches = [json.loads(l) for l in f]
    all_log, names = source_log(checkpoint)
    report["spark"] = {
        "query_id": spark_qid,
        "description": description,
        "batches": [{"batch": b["batch"], "files": [p.rsplit("/", 1)[1] for p in b["files"]],
                     "ids": [r["id"] for r in b["rows"]]} for b in spark_batches],
        "source_log_files": names,
    }
    check("spark kept spate's query id", spark_qid == query_id, [spark_qid, query_id])
    check("spark batch ids continue spate's", [b["batch"] for b in spark_batches] == list(range(12, 20)),
          [b["batch"] for b in spark_batches])
    spark_rows = sorted((r for b in spark_batches for r in b["rows"]), key=lambda r: r["id"])
    want = sorted((r for n in SPARK_FILES for r in landing.rows[n]), key=lambda r: r["id"])
    check("spark read exactly the files spate had not", spark_rows == want,
          {"got_ids": [r["id"] for r in spark_rows], "want_ids": [r["id"] for r in want]})
    check("spark's source log continues spate's ids", sorted(all_log) == list(range(0, 20)), sorted(all_log))
    check("spark compacted over spate's entries", "19.compact" in names and "9.compact" in names, names)
    check("spate's entries are unchanged in spark's compact file",
          all(all_log[i] == spate_log[i] for i in range(12)), {i: all_log[i] for i in range(12)})

    # 3. spate resumes after Spark over 3 more files.
    for n in SPATE_AGAIN_FILES:
        landing.add(n, "again")
    run_spate(spate, root, landing_dir, warehouse)
    final_log, names = source_log(checkpoint)
    with open(os.path.join(root, "progress.jsonl")) as f:
        progress = [json.loads(l) for l in f]
    spate_batches = [p["batchId"] for p in progress]
    report["spate_run_2"] = {
        "batches": spate_batches[12:],
        "files": {i: [p.rsplit("/", 1)[1] for p in final_log[i]] for i in range(20, 23) if i in final_log},
    }
    check("spate continued after spark's batches", spate_batches == list(range(12)) + [20, 21, 22], spate_batches)
    check("spate read exactly the 3 newest files",
          [final_log.get(i) for i in range(20, 23)] == [[f"file://{landing_dir}/" + n.replace(" ", "%20")] for n in SPATE_AGAIN_FILES],
          {i: final_log.get(i) for i in range(20, 23)})
    check("spate kept the query id", all(p["id"] == query_id for p in progress), sorted({p["id"] for p in progress}))

    # spate's Delta table holds the files of its two runs only (Spark wrote its batches elsewhere).
    reader = os.path.join(REPO, ".venv", "bin", "python")
    if os.path.exists(reader):
        out = subprocess.run([reader, os.path.join(REPO, "tests", "py", "read_delta.py"), os.path.join(warehouse, "t")],
                             capture_output=True, text=True, check=True)
        got = sorted(r["id"] for r in json.loads(out.stdout)["duckdb"])
        want = sorted(r["id"] for n in SPATE_FILES + SPATE_AGAIN_FILES for r in landing.rows[n])
        report["spate_table_rows"] = len(got)
        check("spate's Delta table holds exactly its own files' rows", got == want, {"got": got, "want": want})

    report["failures"] = failures
    print(json.dumps(report, indent=1, ensure_ascii=False))
    if not args.keep and not failures:
        shutil.rmtree(root, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

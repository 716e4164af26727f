#!/usr/bin/env python3
"""Regenerates the golden Spark checkpoints under tests/spark/golden/ with real PySpark 4.0.1.

Usage (PySpark lives in a scratch venv outside the repo; Java 17 must be on the PATH):
    python3 -m venv /tmp/pyspark-venv && /tmp/pyspark-venv/bin/pip install pyspark==4.0.1
    /tmp/pyspark-venv/bin/python tests/spark/make_golden.py

What it does: writes 12 JSON Lines files (3 rows each, unique ids, fixed mtimes one minute apart,
some names with characters Spark percent-encodes) to the fixed folder
/tmp/spate-spark-golden/landing, then runs a Spark file-source query over them
(`maxFilesPerTrigger` 1, `trigger(availableNow=True)`, a foreachBatch sink that records each
batch's files and ids) twice, with two checkpoints:

  committed    all 12 batches (0..11) ran and were committed;
  uncommitted  the sink fails in batch 11, so offsets/11 and sources/0/11 exist without
               commits/11: a Spark query that died mid-batch.

Each checkpoint is copied byte for byte (Hadoop's .crc side files included) to
tests/spark/golden/<case>/checkpoint/, and tests/spark/golden/manifest.json records the landing
files (name, mtime, content), the landing URI prefix Spark recorded (the Rust test replaces it with
its own landing folder), the query ids and what each Spark batch read.
Spark cannot record a path below the repo portably, hence the fixed /tmp landing folder.
"""
import json
import os
import shutil
import sys

from pyspark.sql import SparkSession
from pyspark.sql.functions import input_file_name

ROOT = "/tmp/spate-spark-golden"
LANDING = ROOT + "/landing"
# What Spark 4.0.1 (Hadoop 3.4) records for files below LANDING.
LANDING_URI = "file://" + LANDING
HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "golden")
SCHEMA = "id BIGINT, v STRING"
NUM_FILES = 12
ROWS_PER_FILE = 3
FAIL_BATCH = 11
# 2025-01-01T00:00:00Z: fixed mtimes keep the golden files identical across regenerations.
BASE_MTIME_S = 1735689600

# Names Spark quotes in its URIs (space, %, #, NBSP) or keeps (ü, +=,;$&@!~'()), but no glob
# characters ([]{}*?\): in a batch of several files Spark 4.0.1 then reads files more than once.
NAMES = [
    "part-00.json",
    "part-01 with space.json",
    "part-02-100%.json",
    "part-03-ü.json",
    "part-04-#hash.json",
    "part-05-+=,;$&@!~'().json",
    "part-06-nbsp\u00a0x.json",
    "part-07.json",
    "part-08.json",
    "part-09.json",
    "part-10.json",
    "part-11.json",
]


def landing_files():
    files = []
    for i, name in enumerate(NAMES[:NUM_FILES]):
        rows = [{"id": i * 100 + j, "v": f"spark-{i}-{j}"} for j in range(ROWS_PER_FILE)]
        content = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows)
        files.append({"name": name, "mtime_ms": (BASE_MTIME_S + 60 * i) * 1000, "content": content})
    return files


def write_landing(files):
    shutil.rmtree(ROOT, ignore_errors=True)
    os.makedirs(LANDING)
    for f in files:
        path = os.path.join(LANDING, f["name"])
        with open(path, "w", encoding="utf-8") as out:
            out.write(f["content"])
        os.utime(path, ns=(f["mtime_ms"] * 1_000_000, f["mtime_ms"] * 1_000_000))


def run_case(spark, case, fail_batch=None):
    checkpoint = f"{ROOT}/{case}/checkpoint"
    record = f"{ROOT}/{case}/batches.jsonl"
    os.makedirs(os.path.dirname(record), exist_ok=True)

    def sink(df, batch_id):
        if batch_id == fail_batch:
            raise RuntimeError(f"golden: simulated failure in batch {batch_id}")
        rows = df.select("id", input_file_name().alias("file")).collect()
        with open(record, "a", encoding="utf-8") as out:
            out.write(json.dumps({
                "batch": batch_id,
                "files": sorted({r.file for r in rows}),
                "ids": sorted(r.id for r in rows),
            }, ensure_ascii=False) + "\n")

    q = (spark.readStream.format("json").schema(SCHEMA).option("maxFilesPerTrigger", 1).load(LANDING)
         .writeStream.foreachBatch(sink).option("checkpointLocation", checkpoint)
         .trigger(availableNow=True).start())
    query_id = q.id
    try:
        q.awaitTermination()
    except Exception as e:  # the uncommitted case fails on purpose
        if fail_batch is None:
            raise
        print(f"{case}: query stopped as planned: {str(e).splitlines()[0][:120]}", file=sys.stderr)
    batches = []
    if os.path.exists(record):
        with open(record, encoding="utf-8") as f:
            batches = [json.loads(l) for l in f]
    dest = os.path.join(GOLDEN, case, "checkpoint")
    shutil.rmtree(os.path.join(GOLDEN, case), ignore_errors=True)
    shutil.copytree(checkpoint, dest)
    return {"query_id": query_id, "spark_batches": batches,
            "offsets": sorted(int(n) for n in os.listdir(dest + "/offsets") if n.isdigit()),
            "commits": sorted(int(n) for n in os.listdir(dest + "/commits") if n.isdigit())}


def main():
    files = landing_files()
    write_landing(files)
    spark = (SparkSession.builder.master("local[1]").appName("spate-golden")
             .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    cases = {
        "committed": run_case(spark, "committed"),
        "uncommitted": run_case(spark, "uncommitted", fail_batch=FAIL_BATCH),
    }
    manifest = {
        "generator": "tests/spark/make_golden.py",
        "spark_version": spark.version,
        "landing_uri": LANDING_URI,
        "schema": SCHEMA,
        "files": files,
        "cases": cases,
    }
    spark.stop()
    with open(os.path.join(GOLDEN, "manifest.json"), "w", encoding="utf-8") as out:
        json.dump(manifest, out, indent=1, ensure_ascii=False)
        out.write("\n")
    for case, c in cases.items():
        print(f"{case}: query {c['query_id']}, offsets {c['offsets']}, commits {c['commits']}, "
              f"{len(c['spark_batches'])} batches recorded")


if __name__ == "__main__":
    main()

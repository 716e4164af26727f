"""Goldens for streaming de-duplication and watermarks (issue 8), from real PySpark 4.0.1.

Each case is a folder of JSON Lines files read one file per batch (maxFilesPerTrigger 1,
Trigger.AvailableNow) through a de-duplication, written with foreachBatch. For every batch the
golden records the rows it emitted, the checkpoint's watermarks (offsets/N batchWatermarkMs,
commits/N nextBatchWatermarkMs) and the progress numbers (input rows, state rows, late rows,
duplicates). spate's test (tests/it/stateful.rs) replays the same files through the matching
pipeline SQL and compares batch by batch.

Usage: /tmp/pyspark-venv/bin/python tests/spark/stateful/make_golden.py
Writes tests/spark/stateful/golden.json.
"""
import json
import os
import shutil
import tempfile

from pyspark.sql import SparkSession

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = "id STRING, v BIGINT, ts TIMESTAMP"

# Files land 1 s apart (mtime), so Spark reads them in this order.
FILES = [
    ['{"id":"a","v":1,"ts":"2024-01-01 00:00:10"}', '{"id":"b","v":2,"ts":"2024-01-01 00:00:12"}',
     '{"id":"a","v":1,"ts":"2024-01-01 00:00:10"}'],
    ['{"id":"a","v":3,"ts":"2024-01-01 00:00:15"}', '{"id":"c","v":4,"ts":"2024-01-01 00:00:40"}'],
    ['{"id":"b","v":2,"ts":"2024-01-01 00:00:12"}', '{"id":"d","v":5,"ts":"2024-01-01 00:00:35"}',
     '{"id":"a","v":6,"ts":"2024-01-01 00:00:50"}'],
    ['{"id":"e","v":7,"ts":"2024-01-01 00:00:20"}', '{"id":"a","v":8,"ts":"2024-01-01 00:01:30"}',
     '{"id":"c","v":4,"ts":"2024-01-01 00:00:40"}'],
    ['{"id":"b","v":9,"ts":"2024-01-01 00:01:31"}', '{"id":"a","v":1,"ts":"2024-01-01 00:00:10"}'],
]

# name -> (PySpark transformation, spate's pipeline SELECT over the source)
CASES = {
    "distinct": (
        lambda df: df.dropDuplicates(),
        "SELECT DISTINCT id, v, ts FROM STREAM read_files('${landing}', format => 'json', schema => '"
        + SCHEMA + "', maxFilesPerTrigger => 1)",
    ),
    "dedup_columns": (
        lambda df: df.dropDuplicates(["id"]),
        "SELECT id, v, ts FROM STREAM read_files('${landing}', format => 'json', schema => '"
        + SCHEMA + "', maxFilesPerTrigger => 1) QUALIFY row_number() OVER (PARTITION BY id) = 1",
    ),
    "dedup_event_time_key": (
        lambda df: df.withWatermark("ts", "10 seconds").dropDuplicates(["id", "ts"]),
        "SELECT id, v, ts FROM STREAM read_files('${landing}', format => 'json', schema => '"
        + SCHEMA + "', maxFilesPerTrigger => 1) WATERMARK ts DELAY OF INTERVAL 10 SECONDS "
        "QUALIFY row_number() OVER (PARTITION BY id, ts) = 1",
    ),
    "dedup_within_watermark": (
        lambda df: df.withWatermark("ts", "10 seconds").dropDuplicatesWithinWatermark(["id"]),
        "SELECT id, v, ts FROM STREAM read_files('${landing}', format => 'json', schema => '"
        + SCHEMA + "', maxFilesPerTrigger => 1) WATERMARK ts DELAY OF INTERVAL 10 SECONDS "
        "QUALIFY row_number() OVER (PARTITION BY id) = 1",
    ),
    "distinct_with_watermark": (
        lambda df: df.withWatermark("ts", "10 seconds").dropDuplicates(),
        "SELECT DISTINCT id, v, ts FROM STREAM read_files('${landing}', format => 'json', schema => '"
        + SCHEMA + "', maxFilesPerTrigger => 1) WATERMARK ts DELAY OF INTERVAL 10 SECONDS",
    ),
}


def log_json(path):
    """The JSON lines of a checkpoint log file after the version line."""
    with open(path) as f:
        lines = f.read().split("\n")
    return [json.loads(l) for l in lines[1:] if l.strip()]


def run_stream(spark, root, name, transform, mode, row, files=FILES):
    """Runs `transform` over `files`, one file per batch, in output `mode`; returns the rows each
    batch emitted (made by `row`, sorted), the result's columns, the checkpoint and the progress."""
    landing = os.path.join(root, name, "landing")
    ckpt = os.path.join(root, name, "checkpoint")
    os.makedirs(landing)
    base = 1_735_689_600
    for i, lines in enumerate(files):
        p = os.path.join(landing, f"part-{i:02d}.json")
        with open(p, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.utime(p, (base + i, base + i))
    out = {}
    columns = []

    def collect(df, batch_id):
        columns[:] = df.columns
        out[batch_id] = sorted((row(r) for r in df.collect()), key=json.dumps)

    src = spark.readStream.schema(SCHEMA).option("maxFilesPerTrigger", 1).json(landing)
    q = (transform(src).writeStream.outputMode(mode).foreachBatch(collect)
         .option("checkpointLocation", ckpt).trigger(availableNow=True).start())
    q.awaitTermination()
    return out, columns, ckpt, {p["batchId"]: p for p in q.recentProgress}


def batch_record(ckpt, batch_id, rows, progress):
    """What every golden records of a batch: rows, watermarks and the state operator's numbers."""
    offsets = log_json(os.path.join(ckpt, "offsets", str(batch_id)))
    commit = log_json(os.path.join(ckpt, "commits", str(batch_id)))
    ops = progress.get("stateOperators") or [{}]
    return {
        "batchId": batch_id,
        "rows": rows,
        "numInputRows": progress.get("numInputRows"),
        "batchWatermarkMs": offsets[0]["batchWatermarkMs"],
        "nextBatchWatermarkMs": commit[0]["nextBatchWatermarkMs"],
        "operatorName": ops[0].get("operatorName"),
        "numRowsTotal": ops[0].get("numRowsTotal"),
        "numRowsUpdated": ops[0].get("numRowsUpdated"),
        "numRowsRemoved": ops[0].get("numRowsRemoved"),
    }


def write_golden(app, file_name, run_cases):
    """Starts a local Spark, runs `run_cases(spark, root)` and writes the golden `file_name`."""
    spark = (SparkSession.builder.master("local[2]").appName(app)
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.shuffle.partitions", "2")
             .config("spark.ui.enabled", "false").getOrCreate())
    root = tempfile.mkdtemp(prefix=app + "-")
    try:
        golden = {"spark": spark.version, "schema": SCHEMA, "files": FILES,
                  "cases": run_cases(spark, root)}
    finally:
        spark.stop()
        shutil.rmtree(root, ignore_errors=True)
    with open(os.path.join(HERE, file_name), "w") as f:
        json.dump(golden, f, indent=1, sort_keys=True)
        f.write("\n")


def run_case(spark, root, name, transform, spate_sql):
    out, _, ckpt, progress = run_stream(
        spark, root, name, transform, "append",
        lambda r: [r["id"], r["v"], r["ts"].strftime("%Y-%m-%d %H:%M:%S")])
    batches = []
    for b in sorted(out):
        p = progress.get(b, {})
        rec = batch_record(ckpt, b, out[b], p)
        ops = p.get("stateOperators") or [{}]
        rec["numRowsDroppedByWatermark"] = ops[0].get("numRowsDroppedByWatermark")
        rec["numDroppedDuplicateRows"] = (ops[0].get("customMetrics") or {}).get(
            "numDroppedDuplicateRows")
        rec["eventTime"] = p.get("eventTime")
        batches.append(rec)
    return {"pipeline": spate_sql, "batches": batches}


def main():
    write_golden("spate-stateful-golden", "golden.json", lambda spark, root: {
        n: run_case(spark, root, n, t, s) for n, (t, s) in CASES.items()})


if __name__ == "__main__":
    main()

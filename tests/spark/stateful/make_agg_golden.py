"""Goldens for streaming aggregations and output modes (issue 8), from real PySpark 4.0.1.

Same files and batching as make_golden.py (one file per batch, Trigger.AvailableNow), through
`groupBy(window(...)).agg(...)` in append (with a watermark), update and complete modes, written
with foreachBatch. Per batch the golden records the rows the mode emitted and the checkpoint's
watermarks; tests/it/aggregate.rs replays the same files through the matching pipeline SQL.

Usage: /tmp/pyspark-venv/bin/python tests/spark/stateful/make_agg_golden.py
Writes tests/spark/stateful/agg_golden.json.
"""
import json
import os
import shutil
import tempfile

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from make_golden import FILES, SCHEMA, log_json

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = ("FROM STREAM read_files('${landing}', format => 'json', schema => '" + SCHEMA
          + "', maxFilesPerTrigger => 1)")
WM = " WATERMARK ts DELAY OF INTERVAL 10 SECONDS"


def aggs():
    return [F.count("*").alias("n"), F.sum("v").alias("total"), F.min("v").alias("lo"),
            F.max("v").alias("hi"), F.avg("v").alias("mean"),
            F.approx_count_distinct("id").alias("ids")]


AGG_SQL = ("count(*) AS n, sum(v) AS total, min(v) AS lo, max(v) AS hi, avg(v) AS mean, "
           "approx_count_distinct(id) AS ids")


def windowed(df, *w):
    return (df.groupBy(F.window("ts", *w)).agg(*aggs())
            .select(F.col("window.start").alias("wstart"), F.col("window.end").alias("wend"),
                    "n", "total", "lo", "hi", "mean", "ids"))


def window_sql(w, mode, watermark=True):
    call = "window(ts, " + ", ".join(f"'{x}'" for x in w) + ")"
    return (f"SELECT {call}.start AS wstart, {call}.end AS wend, {AGG_SQL} {SOURCE}"
            + (WM if watermark else "") + f" GROUP BY {call}", mode)


# name -> (PySpark transformation, output mode, (spate SELECT, spate.outputMode))
CASES = {
    "tumbling_append": (lambda df: windowed(df.withWatermark("ts", "10 seconds"), "10 seconds"),
                        "append", window_sql(["10 seconds"], "append")),
    "tumbling_update": (lambda df: windowed(df.withWatermark("ts", "10 seconds"), "10 seconds"),
                        "update", window_sql(["10 seconds"], "update")),
    "tumbling_complete": (lambda df: windowed(df, "10 seconds"), "complete",
                          window_sql(["10 seconds"], "complete", watermark=False)),
    "sliding_append": (lambda df: windowed(df.withWatermark("ts", "10 seconds"), "20 seconds",
                                           "10 seconds"),
                       "append", window_sql(["20 seconds", "10 seconds"], "append")),
    "sliding_update": (lambda df: windowed(df.withWatermark("ts", "10 seconds"), "20 seconds",
                                           "10 seconds", "5 seconds"),
                       "update", window_sql(["20 seconds", "10 seconds", "5 seconds"], "update")),
    "by_id_complete": (lambda df: df.groupBy("id").agg(F.count("*").alias("n"),
                                                         F.sum("v").alias("total")),
                       "complete", ("SELECT id, count(*) AS n, sum(v) AS total " + SOURCE
                                    + " GROUP BY id", "complete")),
}


def cell(v):
    if hasattr(v, "strftime"):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    return v


def run_case(spark, root, name, transform, mode, spate):
    landing = os.path.join(root, name, "landing")
    ckpt = os.path.join(root, name, "checkpoint")
    os.makedirs(landing)
    base = 1_735_689_600
    for i, lines in enumerate(FILES):
        p = os.path.join(landing, f"part-{i:02d}.json")
        with open(p, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.utime(p, (base + i, base + i))
    out = {}
    columns = []

    def collect(df, batch_id):
        columns[:] = df.columns
        out[batch_id] = sorted(([cell(x) for x in r] for r in df.collect()), key=json.dumps)

    src = spark.readStream.schema(SCHEMA).option("maxFilesPerTrigger", 1).json(landing)
    q = (transform(src).writeStream.outputMode(mode).foreachBatch(collect)
         .option("checkpointLocation", ckpt).trigger(availableNow=True).start())
    q.awaitTermination()
    progress = {p["batchId"]: p for p in q.recentProgress}
    batches = []
    for b in sorted(out):
        offsets = log_json(os.path.join(ckpt, "offsets", str(b)))
        commit = log_json(os.path.join(ckpt, "commits", str(b)))
        p = progress.get(b, {})
        ops = p.get("stateOperators") or [{}]
        batches.append({
            "batchId": b,
            "rows": out[b],
            "numInputRows": p.get("numInputRows"),
            "batchWatermarkMs": offsets[0]["batchWatermarkMs"],
            "nextBatchWatermarkMs": commit[0]["nextBatchWatermarkMs"],
            "operatorName": ops[0].get("operatorName"),
            "numRowsTotal": ops[0].get("numRowsTotal"),
            "numRowsUpdated": ops[0].get("numRowsUpdated"),
            "numRowsRemoved": ops[0].get("numRowsRemoved"),
        })
    sql, spate_mode = spate
    return {"pipeline": sql, "outputMode": spate_mode, "columns": columns, "batches": batches}


def main():
    spark = (SparkSession.builder.master("local[2]").appName("spate-agg-golden")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.shuffle.partitions", "2")
             .config("spark.ui.enabled", "false").getOrCreate())
    root = tempfile.mkdtemp(prefix="spate-agg-")
    try:
        golden = {
            "spark": spark.version,
            "schema": SCHEMA,
            "files": FILES,
            "cases": {n: run_case(spark, root, n, t, m, s) for n, (t, m, s) in CASES.items()},
        }
    finally:
        spark.stop()
        shutil.rmtree(root, ignore_errors=True)
    with open(os.path.join(HERE, "agg_golden.json"), "w") as f:
        json.dump(golden, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()

"""Goldens for streaming aggregations and output modes (issue 8), from real PySpark 4.0.1.

Same files and batching as make_golden.py (one file per batch, Trigger.AvailableNow), through
`groupBy(window(...)).agg(...)` in append (with a watermark), update and complete modes, written
with foreachBatch. Per batch the golden records the rows the mode emitted and the checkpoint's
watermarks; tests/it/aggregate.rs replays the same files through the matching pipeline SQL.

Usage: /tmp/pyspark-venv/bin/python tests/spark/stateful/make_agg_golden.py
Writes tests/spark/stateful/agg_golden.json.
"""

from pyspark.sql import functions as F

from make_golden import SCHEMA, batch_record, run_stream, write_golden

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
    out, columns, ckpt, progress = run_stream(
        spark, root, name, transform, mode, lambda r: [cell(x) for x in r])
    batches = [batch_record(ckpt, b, out[b], progress.get(b, {})) for b in sorted(out)]
    sql, spate_mode = spate
    return {"pipeline": sql, "outputMode": spate_mode, "columns": columns, "batches": batches}


def main():
    write_golden("spate-agg-golden", "agg_golden.json", lambda spark, root: {
        n: run_case(spark, root, n, t, m, s) for n, (t, m, s) in CASES.items()})


if __name__ == "__main__":
    main()

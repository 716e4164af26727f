"""Goldens for streaming aggregations and output modes (issue 8), from real PySpark 4.0.1.

Same files and batching as make_golden.py (one file per batch, Trigger.AvailableNow), through
`groupBy(window(...)).agg(...)` in append (with a watermark), update and complete modes, and
`groupBy(key, session_window(...))` in append and complete (Spark refuses update for sessions),
written with foreachBatch. Per batch the golden records the rows the mode emitted and the
checkpoint's watermarks; tests/it/aggregate.rs replays the same files through the matching
pipeline SQL. Cases with their own `files` (the shared files plus a file of late rows) also record
each batch's `numRowsDroppedByWatermark`.

Usage: /tmp/pyspark-venv/bin/python tests/spark/stateful/make_agg_golden.py
Writes tests/spark/stateful/agg_golden.json.
"""

from pyspark.sql import functions as F

from make_golden import FILES, SCHEMA, batch_record, run_stream, write_golden

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


def sessions(df, key, gap, name=None):
    return (df.groupBy(key, F.session_window("ts", gap)).agg(*aggs())
            .select(name or key, F.col("session_window.start").alias("sstart"),
                    F.col("session_window.end").alias("send"),
                    "n", "total", "lo", "hi", "mean", "ids"))


# A last file of rows the watermark (80 s by then) finds late: two in one 10 s window, so late
# rows and late windows count differently.
LATE_FILES = FILES + [
    ['{"id":"x","v":1,"ts":"2024-01-01 00:00:11"}', '{"id":"y","v":1,"ts":"2024-01-01 00:00:12"}',
     '{"id":"z","v":1,"ts":"2024-01-01 00:00:30"}'],
]
BOUNDS = "session_window.start AS sstart, session_window.end AS send"
DYNAMIC_GAP = "CASE WHEN id = 'a' THEN '5 seconds' ELSE '20 seconds' END"

# name -> (PySpark transformation, output mode, (spate SELECT, spate.outputMode)[, files])
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
    # The late test is the row's own session end (ts + gap <= watermark): with a 15 s gap, e at
    # 00:20 is not late under watermark 00:30, though its time is.
    "session_append": (lambda df: sessions(df.withWatermark("ts", "10 seconds"), "id",
                                           "15 seconds"),
                       "append",
                       ("SELECT id, session_window(ts, '15 seconds').start AS sstart, "
                        "session_window(ts, '15 seconds').end AS send, " + AGG_SQL + " " + SOURCE
                        + WM + " GROUP BY id, session_window(ts, '15 seconds')", "append"),
                       LATE_FILES),
    # One key for every row: d at 00:35 joins the session starting at 00:40, which moves its start.
    "session_merge_append": (
        lambda df: sessions(df.withWatermark("ts", "10 seconds"),
                            F.length("id").alias("len"), "10 seconds", "len"),
        "append",
        ("SELECT length(id) AS len, " + BOUNDS + ", " + AGG_SQL + " " + SOURCE + WM
         + " GROUP BY length(id), session_window(ts, '10 seconds')", "append"),
        LATE_FILES),
    "session_complete": (lambda df: sessions(df.withWatermark("ts", "10 seconds"), "id",
                                             "10 seconds"),
                         "complete",
                         ("SELECT id, " + BOUNDS + ", " + AGG_SQL + " " + SOURCE + WM
                          + " GROUP BY id, session_window(ts, '10 seconds')", "complete"),
                         LATE_FILES),
    "session_dynamic_gap": (
        lambda df: sessions(df.withWatermark("ts", "10 seconds"), "id", F.expr(DYNAMIC_GAP)),
        "append",
        ("SELECT id, " + BOUNDS + ", " + AGG_SQL + " " + SOURCE + WM
         + f" GROUP BY id, session_window(ts, {DYNAMIC_GAP})", "append"),
        LATE_FILES),
    # Spark counts late windows, not late rows: the last file's three rows are four windows.
    "sliding_append_late": (lambda df: windowed(df.withWatermark("ts", "10 seconds"), "20 seconds",
                                                "10 seconds"),
                            "append",
                            ("SELECT window.start AS wstart, window.end AS wend, " + AGG_SQL + " "
                             + SOURCE + WM + " GROUP BY window(ts, '20 seconds', '10 seconds')",
                             "append"),
                            LATE_FILES),
}


def cell(v):
    if hasattr(v, "strftime"):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    return v


def run_case(spark, root, name, transform, mode, spate, files=None):
    out, columns, ckpt, progress = run_stream(
        spark, root, name, transform, mode, lambda r: [cell(x) for x in r], files or FILES)
    batches = []
    for b in sorted(out):
        rec = batch_record(ckpt, b, out[b], progress.get(b, {}))
        if files:
            ops = progress.get(b, {}).get("stateOperators") or [{}]
            rec["numRowsDroppedByWatermark"] = ops[0].get("numRowsDroppedByWatermark")
        batches.append(rec)
    sql, spate_mode = spate
    case = {"pipeline": sql, "outputMode": spate_mode, "columns": columns, "batches": batches}
    if files:
        case["files"] = files
    return case


def main():
    write_golden("spate-agg-golden", "agg_golden.json", lambda spark, root: {
        n: run_case(spark, root, n, *c) for n, c in CASES.items()})


if __name__ == "__main__":
    main()

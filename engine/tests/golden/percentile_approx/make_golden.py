#!/usr/bin/env python3
"""Regenerates golden.json: Spark's own answers for percentile_approx / approx_percentile.

The Rust tests in engine/src/sql/functions/percentile_approx.rs run the same SQL over the same
tables and must give exactly these answers.

    python3 -m venv /tmp/pyspark-venv && /tmp/pyspark-venv/bin/pip install pyspark==4.0.1
    TZ=UTC /tmp/pyspark-venv/bin/python make_golden.py   # Java 17 on PATH

Tables:
  small      -- the rows in SMALL_ROWS below (stored in golden.json), in two partitions: the first
                and the second half of the rows (`parallelize(rows, 2)` slices contiguously), so
                group 12 is split between two partial aggregates. At the default accuracy every
                group is far smaller than the 1 / (2 * relativeError) rows at which Spark's
                QuantileSummaries starts to lose information; the accuracy 1, 3 and 100 cases are
                lossy and so depend on that split, which the Rust test reproduces.
  big_*      -- generated from a formula (see big_table) in both Spark and Rust, never stored.
                With these sizes the summaries are lossy, so the answer depends on which rows each
                partial aggregate sees: Spark reads `spark.range(0, n, 1, partitions)`, which gives
                each partition a contiguous slice of ids, and the Rust test builds the same slices.
                The values are distinct (a bijection modulo 2^31), so merging two partials gives
                the same result in either order.
"""

import datetime
import json
import logging
import os
import sys
from decimal import Decimal

from pyspark.sql import SparkSession
from pyspark.sql import types as T

HERE = os.path.dirname(os.path.abspath(__file__))

# (g, x, d, dec, dt, ts): groups of 1, 2, 3, 4, 5 and 10 values, duplicates, negatives, nulls.
SMALL_ROWS = []


def _group(g, xs):
    for i, x in enumerate(xs):
        if x is None:
            SMALL_ROWS.append((g, None, None, None, None, None))
            continue
        d = x / 4.0 + 0.125
        dec = "%d.%02d" % (x // 4, (x % 4) * 25) if x >= 0 else "-%d.%02d" % ((-x) // 4, ((-x) % 4) * 25)
        dt = (datetime.date(2024, 2, 27) + datetime.timedelta(days=x)).isoformat()
        ts = (datetime.datetime(2024, 3, 30, 12, 0, 0) + datetime.timedelta(hours=x)).strftime("%Y-%m-%d %H:%M:%S")
        SMALL_ROWS.append((g, x, d, dec, dt, ts))


_group(1, [7])
_group(2, [3, 1])
_group(3, [5, 2, 9])
_group(4, [4, 8, 1, 6])
_group(5, [50, 10, 40, 20, 30])
_group(6, [13, -2, 7, 7, 0, 21, -15, 7, 4, 100])
_group(7, [2, 2, 2, 2, 5, 5, 9])
_group(8, [-1, -5, -3, -100, -7, -2])
_group(9, [None, None])
_group(10, [None, 4, None, 1, 3])
_group(11, [(i * 37) % 101 - 50 for i in range(101)])
_group(12, [i % 7 for i in range(250)])

PCTS = "array(0.0, 0.01, 0.1, 0.2, 0.25, 0.3, 0.333, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 0.99, 1.0)"
# Unsorted, with repeats: Spark answers them in sorted order and puts them back.
PCTS_UNSORTED = "array(0.9, 0.1, 0.5, 0.5, 0.0, 1.0, 0.25)"

BIG_TABLES = {
    "big_50k_p1": (50_000, 1),
    "big_50k_p2": (50_000, 2),
    "big_120k_p1": (120_000, 1),
    "big_120k_p2": (120_000, 2),
}

BIG_FORMULA = {
    "id": "id",
    "g": "id % 4",
    "v": "(id * 1103515245 + 12345) % 2147483648",
    "w": "((id * 1103515245 + 12345) % 2147483648) % 1000",
    # d = v / 1000 in IEEE double, computed the same way in Rust.
    "d": "CAST((id * 1103515245 + 12345) % 2147483648 AS DOUBLE) / CAST(1000 AS DOUBLE)",
}

CASES = [
    # name, table, sql
    ("small_array", "small",
     f"SELECT g, percentile_approx(x, {PCTS}) FROM small GROUP BY g ORDER BY g"),
    ("small_median", "small",
     "SELECT g, percentile_approx(x, 0.5) FROM small GROUP BY g ORDER BY g"),
    ("small_unsorted_percentages", "small",
     f"SELECT g, percentile_approx(x, {PCTS_UNSORTED}) FROM small GROUP BY g ORDER BY g"),
    ("small_alias_accuracy_100", "small",
     f"SELECT g, approx_percentile(x, {PCTS}, 100) FROM small GROUP BY g ORDER BY g"),
    ("small_accuracy_1_and_3", "small",
     f"SELECT g, percentile_approx(x, {PCTS}, 1), percentile_approx(x, {PCTS}, 3) FROM small GROUP BY g ORDER BY g"),
    # Accuracies near the group sizes, where G-K's deltas decide which sample answers.
    ("small_accuracy_5_10_30", "small",
     f"SELECT g, percentile_approx(x, {PCTS}, 5), percentile_approx(x, {PCTS}, 10), "
     f"percentile_approx(x, {PCTS}, 30) FROM small GROUP BY g ORDER BY g"),
    ("small_types", "small",
     "SELECT g, percentile_approx(CAST(x AS TINYINT), 0.5), percentile_approx(CAST(x AS SMALLINT), 0.3), "
     "percentile_approx(CAST(x AS BIGINT), 0.7), percentile_approx(CAST(d AS FLOAT), 0.5), "
     "percentile_approx(d, 0.25), percentile_approx(dec, 0.5), percentile_approx(dt, 0.5), "
     "percentile_approx(ts, 0.75) FROM small GROUP BY g ORDER BY g"),
    ("small_types_array", "small",
     f"SELECT g, percentile_approx(d, {PCTS}), percentile_approx(dec, {PCTS}), percentile_approx(dt, {PCTS}) "
     "FROM small GROUP BY g ORDER BY g"),
    ("small_global", "small",
     f"SELECT percentile_approx(x, {PCTS}), percentile_approx(d, 0.5), count(x) FROM small"),
    ("small_empty", "small",
     "SELECT percentile_approx(x, 0.5), percentile_approx(x, array(0.5)) FROM small WHERE g > 100"),
    ("small_all_null", "small",
     "SELECT percentile_approx(x, 0.5), percentile_approx(d, array(0.1, 0.9)) FROM small WHERE g = 9"),
]

for table, (n, parts) in BIG_TABLES.items():
    CASES += [
        (f"{table}_v", table,
         f"SELECT percentile_approx(v, {PCTS}), percentile_approx(v, {PCTS}, 100), "
         f"percentile_approx(v, {PCTS}, 1000) FROM {table}"),
        (f"{table}_d", table, f"SELECT percentile_approx(d, {PCTS}), percentile_approx(d, 0.5, 50) FROM {table}"),
        (f"{table}_grouped", table,
         f"SELECT g, percentile_approx(v, {PCTS}), percentile_approx(d, {PCTS}, 100), count(*) "
         f"FROM {table} GROUP BY g ORDER BY g"),
    ]
    if parts == 1:
        # Ties between two partials are merged in arrival order, so duplicate-heavy columns are
        # only compared where there is a single partial.
        CASES.append((f"{table}_w", table,
                      f"SELECT percentile_approx(w, {PCTS}), percentile_approx(w, {PCTS}, 100) FROM {table}"))

ERRORS = [
    ("percentage_too_big", "SELECT percentile_approx(x, 1.5) FROM small"),
    ("percentage_negative", "SELECT percentile_approx(x, -0.1) FROM small"),
    ("percentage_array_out_of_range", "SELECT percentile_approx(x, array(0.5, 1.5)) FROM small"),
    ("accuracy_zero", "SELECT percentile_approx(x, 0.5, 0) FROM small"),
    ("accuracy_negative", "SELECT percentile_approx(x, 0.5, -5) FROM small"),
    ("percentage_not_constant", "SELECT percentile_approx(x, CAST(x AS DOUBLE)) FROM small"),
    ("accuracy_not_constant", "SELECT percentile_approx(x, 0.5, x) FROM small"),
]


def to_json(v):
    """Spark value -> JSON: ints, floats (repr round-trips), decimals and dates as strings."""
    if v is None:
        return None
    if isinstance(v, list):
        return [to_json(e) for e in v]
    if isinstance(v, bool):
        return v
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, datetime.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S") + (".%06d" % v.microsecond if v.microsecond else "")
    if isinstance(v, datetime.date):
        return v.isoformat()
    return v


def main():
    if os.environ.get("TZ") != "UTC":
        sys.exit("run with TZ=UTC so that collected timestamps are not shifted")
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    # PySpark logs every analysis error of the ERRORS cases as JSON on stderr.
    logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)

    schema = T.StructType([
        T.StructField("g", T.IntegerType()),
        T.StructField("x", T.IntegerType()),
        T.StructField("d", T.DoubleType()),
        T.StructField("dec", T.DecimalType(10, 2)),
        T.StructField("dt", T.DateType()),
        T.StructField("ts", T.TimestampType()),
    ])
    typed = [
        (g, x, d, Decimal(dec) if dec is not None else None,
         datetime.date.fromisoformat(dt) if dt is not None else None,
         datetime.datetime.fromisoformat(ts) if ts is not None else None)
        for (g, x, d, dec, dt, ts) in SMALL_ROWS
    ]
    rdd = spark.sparkContext.parallelize(typed, 2)
    half = len(typed) // 2
    assert rdd.glom().collect() == [typed[:half], typed[half:]], "parallelize slices contiguously"
    small = spark.createDataFrame(rdd, schema)
    assert small.rdd.getNumPartitions() == 2
    small.createOrReplaceTempView("small")

    for table, (n, parts) in BIG_TABLES.items():
        cols = ", ".join(f"{expr} AS {name}" for name, expr in BIG_FORMULA.items())
        df = spark.range(0, n, 1, parts).selectExpr(*[f"{expr} AS {name}" for name, expr in BIG_FORMULA.items()])
        assert df.rdd.getNumPartitions() == parts, cols
        df.createOrReplaceTempView(table)

    cases = []
    for name, table, sql in CASES:
        rows = [[to_json(v) for v in row] for row in spark.sql(sql).collect()]
        types = [f.dataType.simpleString() for f in spark.sql(sql).schema.fields]
        cases.append({"name": name, "table": table, "sql": sql, "types": types, "rows": rows})
        print(name, file=sys.stderr)

    # Exact lower percentiles (the value at rank ceil(p * n)) of the big columns, to show where
    # Spark's approximation differs from the exact answer.
    exact = {}
    for table in BIG_TABLES:
        for col in ("v", "d"):
            values = sorted(r[0] for r in spark.sql(f"SELECT {col} FROM {table}").collect())
            n = len(values)
            exact[f"{table}.{col}.median"] = values[max(0, -(-n // 2) - 1)]

    errors = []
    for name, sql in ERRORS:
        try:
            spark.sql(sql).collect()
            sys.exit(f"{name}: Spark accepted {sql}")
        except Exception as e:  # AnalysisException
            cond = getattr(e, "getCondition", None)
            errors.append({
                "name": name,
                "sql": sql,
                "condition": cond() if cond else None,
                "message": str(e).split("\n")[0],
            })

    golden = {
        "spark_version": spark.version,
        "percentages_note": "Spark literals such as 0.5 are DECIMAL and cast to DOUBLE",
        "small_columns": ["g", "x", "d", "dec", "dt", "ts"],
        "small_rows": SMALL_ROWS,
        "big_tables": {t: {"rows": n, "partitions": p} for t, (n, p) in BIG_TABLES.items()},
        "big_formula": BIG_FORMULA,
        "cases": cases,
        "exact": exact,
        "errors": errors,
    }
    with open(os.path.join(HERE, "golden.json"), "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    spark.stop()


if __name__ == "__main__":
    main()

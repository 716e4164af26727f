#!/usr/bin/env python3
"""Regenerates the Spark golden files under tests/golden/ with real PySpark 4.0.1.

Usage (PySpark lives in a scratch venv outside the repo; Java 17 must be on the PATH):
    python3 -m venv /tmp/pyspark-venv && /tmp/pyspark-venv/bin/pip install pyspark==4.0.1
    /tmp/pyspark-venv/bin/python tests/golden/generate.py            # every area
    /tmp/pyspark-venv/bin/python tests/golden/generate.py json_read  # one area

The cases live in cases_<area>.py next to this file. Each case is run through Spark (local[2],
session time zone UTC, the case's confs, e.g. spark.sql.ansi.enabled) and written with its result
to <area>.golden.json: one JSON object per line, inside a JSON array. The Rust test
engine/tests/spark_golden.rs reads those files and runs the same cases through spate.

A case:
  name      unique within its area
  input     JSON Lines text written to a file Spark reads as the view `t` (with `schema` and
            `options`); `input_hex` instead when the bytes are not UTF-8. No input: the SQL
            stands alone (inline VALUES).
  schema    DDL or StructType JSON (StructType JSON is parsed by the JVM's DataType.fromJson)
  options   JSON reader options
  conf      Spark confs set for the case (and passed to spate's Settings)
  sql       the query; its result is the golden answer
  error_contains  substrings spate's error message must contain when Spark fails
  unordered compare rows as a multiset

Cases where spate still differs from Spark are listed, with a one-line reason, in
known_gaps.json ("<area>/<case>": "reason"); it is edited by hand, not generated.

The result: `schema` = [[column name, Spark type as simpleString]], `rows` = one JSON array per
row, values encoded by type: integers as numbers, FLOAT/DOUBLE as Java's Float/Double.toString
text ("1.0E10", "NaN"), DECIMAL as plain text with the type's scale, DATE "yyyy-MM-dd",
TIMESTAMP and TIMESTAMP_NTZ "yyyy-MM-dd HH:mm:ss.SSSSSS" in UTC, BINARY as base64, ARRAY as a
list, STRUCT as an object, MAP as a list of [key, value] pairs. Failures record the error
condition (class) and the first part of the message instead: `error` = {class, message}.
Values are read back through Spark's own to_json, so numbers keep Spark's text.
"""
import base64
import decimal
import importlib
import json
import os
import re
import shutil
import sys
import tempfile
import time

os.environ["TZ"] = "UTC"
time.tzset()

from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402
from pyspark.sql import types as T  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
AREAS = ["json_read", "schema", "sql_functions", "casts"]
TS_FORMAT = "yyyy-MM-dd HH:mm:ss.SSSSSS"
ALLOWED_KEYS = {"name", "input", "input_hex", "schema", "options", "conf", "sql", "error_contains", "unordered", "note"}


def spark_session():
    return (
        SparkSession.builder.master("local[2]")
        .appName("spate-golden")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
        .getOrCreate()
    )


def quote_if_needed(name):
    plain = name != "" and all(c.isascii() and (c.isalnum() or c == "_") for c in name) and not name.isdigit()
    return name if plain else "`" + name.replace("`", "``") + "`"


def type_name(dt):
    """Spark's simpleString, with struct field names quoted like spate's spark_type_name."""
    if isinstance(dt, T.StructType):
        return "struct<" + ",".join(quote_if_needed(f.name) + ":" + type_name(f.dataType) for f in dt.fields) + ">"
    if isinstance(dt, T.ArrayType):
        return "array<" + type_name(dt.elementType) + ">"
    if isinstance(dt, T.MapType):
        return "map<" + type_name(dt.keyType) + "," + type_name(dt.valueType) + ">"
    return dt.simpleString()


INTEGRAL = (T.ByteType, T.ShortType, T.IntegerType, T.LongType)


def encode(v, dt):
    """A value parsed from Spark's to_json text, in the golden encoding for type dt."""
    if v is None:
        return None
    if isinstance(dt, INTEGRAL):
        return int(v)
    if isinstance(dt, (T.FloatType, T.DoubleType)):
        return str(v)
    if isinstance(dt, T.DecimalType):
        d = decimal.Decimal(str(v))
        return format(d.quantize(decimal.Decimal(1).scaleb(-dt.scale)), "f") if dt.scale else format(d, "f")
    if isinstance(dt, T.ArrayType):
        return [encode(x, dt.elementType) for x in v]
    if isinstance(dt, T.MapType):
        return [[encode(k, dt.keyType), encode(x, dt.valueType)] for k, x in v]
    if isinstance(dt, T.StructType):
        return {f.name: encode(x, f.dataType) for (_, x), f in zip(v, dt.fields)}
    return v  # boolean, string, date, timestamp, binary (base64): already in the encoding


def clean_message(msg, tmp):
    msg = (msg or "").split("\n\nJVM stacktrace:")[0]
    msg = msg.replace(tmp, "<dir>").replace("file://", "").replace("file:", "").strip()
    msg = re.sub(r"\s+", " ", msg)
    return msg[:600] + "..." if len(msg) > 600 else msg


def error_of(e, tmp):
    """The error condition (class) and message; for a Py4J-wrapped JVM exception, the cause chain."""
    jex = getattr(e, "java_exception", None)
    if jex is not None:
        chain = []
        while jex is not None and len(chain) < 6:
            cond = None
            try:
                cond = jex.getCondition()
            except Exception:  # noqa: BLE001 - not a SparkThrowable
                cond = None
            chain.append({"class": cond or jex.getClass().getSimpleName(), "message": clean_message(jex.getMessage(), tmp)})
            jex = jex.getCause()
        out = dict(chain[0])
        # The innermost Spark condition says what actually failed (e.g. MALFORMED_RECORD_IN_PARSING).
        if len(chain) > 1:
            out["causes"] = [c["class"] for c in chain[1:]]
        return out
    cls = None
    fn = getattr(e, "getCondition", None)
    if fn:
        try:
            cls = fn()
        except Exception:  # noqa: BLE001
            cls = None
    msg = clean_message(str(e), tmp)
    if cls is None:
        m = re.match(r"\[([A-Z_.]+)\]", msg)
        cls = m.group(1) if m else type(e).__name__
    return {"class": cls, "message": msg}


def run_case(spark, case, tmp):
    confs = case.get("conf", {})
    for k, v in confs.items():
        spark.conf.set(k, v)
    try:
        if "input" in case or "input_hex" in case:
            data = bytes.fromhex(case["input_hex"]) if "input_hex" in case else case["input"].encode("utf-8")
            path = os.path.join(tmp, case["name"] + ".json")
            with open(path, "wb") as f:
                f.write(data)
            reader = spark.read.format("json")
            schema = case.get("schema")
            if schema is not None:
                if schema.lstrip().startswith("{"):
                    jdt = spark._jvm.org.apache.spark.sql.types.DataType.fromJson(schema)
                    reader = reader.schema(T._parse_datatype_json_string(jdt.json()))
                else:
                    reader = reader.schema(schema)
            for k, v in case.get("options", {}).items():
                reader = reader.option(k, v)
            reader.load(path).createOrReplaceTempView("t")
        df = spark.sql(case["sql"])
        fields = df.schema.fields
        renamed = df.toDF(*["c%d" % i for i in range(len(fields))])
        js = renamed.select(F.to_json(F.struct(*renamed.columns), {
            "timestampFormat": TS_FORMAT,
            "timestampNTZFormat": TS_FORMAT,
            "dateFormat": "yyyy-MM-dd",
            "timeZone": "UTC",
            "ignoreNullFields": "false",
        }).alias("j"))
        rows = []
        for r in js.collect():
            pairs = json.loads(r["j"], parse_float=str, parse_constant=str, object_pairs_hook=list)
            rows.append([encode(v, f.dataType) for (_, v), f in zip(pairs, fields)])
        return {"schema": [[f.name, type_name(f.dataType)] for f in fields], "rows": rows}
    except Exception as e:  # noqa: BLE001 - every failure is a golden answer
        return {"error": error_of(e, tmp)}
    finally:
        for k in confs:
            spark.conf.unset(k)
        spark.catalog.dropTempView("t")


def check(area, cases):
    names = set()
    for c in cases:
        unknown = set(c) - ALLOWED_KEYS
        assert not unknown, f"{area}/{c.get('name')}: unknown keys {unknown}"
        assert c["name"] not in names, f"{area}: duplicate case name {c['name']}"
        assert re.fullmatch(r"[a-z0-9_]+", c["name"]), f"{area}: bad case name {c['name']}"
        names.add(c["name"])


def main():
    areas = sys.argv[1:] or AREAS
    sys.path.insert(0, HERE)
    spark = spark_session()
    spark.sparkContext.setLogLevel("OFF")
    assert spark.version == "4.0.1", f"PySpark {spark.version}: the goldens are from 4.0.1"
    tmp = tempfile.mkdtemp(prefix="spate-golden-")
    try:
        for area in areas:
            cases = importlib.import_module("cases_" + area).CASES
            check(area, cases)
            out = []
            t0 = time.time()
            for c in cases:
                c = dict(c)
                c.setdefault("sql", "SELECT * FROM t")
                c["expected"] = run_case(spark, c, tmp)
                out.append(c)
            path = os.path.join(HERE, area + ".golden.json")
            with open(path, "w", encoding="utf-8") as f:
                f.write("[\n")
                f.write(",\n".join(json.dumps(c, ensure_ascii=False, sort_keys=False) for c in out))
                f.write("\n]\n")
            errors = sum(1 for c in out if "error" in c["expected"])
            print(f"{area}: {len(out)} cases ({errors} Spark errors) in {time.time() - t0:.1f}s -> {path}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        spark.stop()


if __name__ == "__main__":
    main()

"""Read a Delta table back with DuckDB's delta_scan and with the deltalake package.

Usage: read_delta.py TABLE_DIR|s3://BUCKET/TABLE [SQL]
Prints one JSON object: {"duckdb": [rows...], "deltalake": [rows...], "version": N, "sql": [rows]}
       read_delta.py TABLE_DIR --versions
Prints every version's rows (deltalake) and the streaming batch id its commit's txn names:
[{"version": N, "batch": B or null, "rows": [rows...]}, ...].
Rows are sorted by their JSON text so comparisons do not depend on file order.
An s3:// table is read where it is by deltalake, with the endpoint and keys of the AWS_*
environment (moto in the tests), and by DuckDB from a downloaded copy (no httpfs offline).
"""
import json
import os
import sys

import duckdb
import deltalake


def extension_dir():
    import importlib.util
    spec = importlib.util.find_spec("duckdb_ext")
    base = list(spec.submodule_search_locations)[0]
    return os.path.join(base, "extensions")


def rows_of(cursor):
    cols = [d[0] for d in cursor.description]
    return [dict(zip(cols, r)) for r in cursor.fetchall()]


def norm(rows):
    return sorted((json.loads(json.dumps(r, default=str, sort_keys=True)) for r in rows),
                  key=lambda r: json.dumps(r, sort_keys=True))


def connect():
    """A DuckDB connection with the delta extension from the duckdb-ext-delta package, in UTC."""
    con = duckdb.connect()
    con.execute("SET extension_directory = ?", (extension_dir(),))
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("LOAD delta")
    return con


def s3_storage_options():
    """deltalake storage options for the S3 endpoint and keys in the environment."""
    keys = ["AWS_ENDPOINT_URL", "AWS_ALLOW_HTTP", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]
    return {k: os.environ[k] for k in keys if k in os.environ}


def download_s3_table(url, dest):
    """Copies every object below s3://bucket/prefix into the local folder dest."""
    from pyarrow import fs
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    scheme, _, host = endpoint.partition("://")
    s3 = fs.S3FileSystem(
        access_key=os.environ.get("AWS_ACCESS_KEY_ID"),
        secret_key=os.environ.get("AWS_SECRET_ACCESS_KEY"),
        region=os.environ.get("AWS_REGION", "us-east-1"),
        endpoint_override=host or None,
        scheme=scheme or "https",
    )
    fs.copy_files(url[len("s3://"):].rstrip("/"), dest, source_filesystem=s3,
                  destination_filesystem=fs.LocalFileSystem())


def describe(local_path, dt, extra_sql):
    """Rows by DuckDB (from a local copy) and by deltalake (from `dt`), version, schema, columns."""
    con = connect()
    out = {"duckdb": norm(rows_of(con.execute("SELECT * FROM delta_scan(?)", (local_path,))))}
    if extra_sql:
        con.execute("CREATE VIEW t AS SELECT * FROM delta_scan(?)", (local_path,))
        out["sql"] = norm(rows_of(con.execute(extra_sql)))
    out["version"] = dt.version()
    table_data = dt.to_pyarrow_table()
    out["deltalake"] = norm(table_data.to_pylist())
    out["schema"] = {f.name: str(f.type) for f in table_data.schema}
    out["columns"] = [f.name for f in table_data.schema]
    return out


def main_s3(url, extra_sql):
    """main() for a table on S3: deltalake reads S3, DuckDB a downloaded copy (no httpfs offline)."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        local = os.path.join(tmp, "table")
        download_s3_table(url, local)
        out = describe(local, deltalake.DeltaTable(url, storage_options=s3_storage_options()), extra_sql)
    print(json.dumps(out, default=str))
    # pyarrow's S3 filesystem can abort ("terminate called without an active exception")
    # while it is torn down at interpreter exit; the answer is out, so skip the teardown.
    sys.stdout.flush()
    os._exit(0)


def versions(table):
    """Each version's rows and the batch id of its commit's `txn` action (None without one)."""
    latest = deltalake.DeltaTable(table).version()
    out = []
    for v in range(latest + 1):
        batch = None
        with open(os.path.join(table, "_delta_log", f"{v:020d}.json")) as f:
            for line in f:
                action = json.loads(line)
                if "txn" in action:
                    batch = action["txn"]["version"]
        rows = deltalake.DeltaTable(table, version=v).to_pyarrow_table().to_pylist()
        out.append({"version": v, "batch": batch, "rows": norm(rows)})
    return out


def main():
    if len(sys.argv) > 2 and sys.argv[2] == "--versions":
        print(json.dumps(versions(os.path.abspath(sys.argv[1])), default=str))
        # As in main_s3: pyarrow can abort while tearing down its threads; the answer is out.
        sys.stdout.flush()
        os._exit(0)
    if sys.argv[1].startswith("s3://"):
        return main_s3(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
    table = os.path.abspath(sys.argv[1])
    extra_sql = sys.argv[2] if len(sys.argv) > 2 else None
    print(json.dumps(describe(table, deltalake.DeltaTable(table), extra_sql), default=str))


if __name__ == "__main__":
    main()

"""Read a Delta table back with DuckDB's delta_scan and with the deltalake package.

Usage: read_delta.py TABLE_DIR [SQL]
Prints one JSON object: {"duckdb": [rows...], "deltalake": [rows...], "version": N, "sql": [rows]}
Rows are sorted by their JSON text so comparisons do not depend on file order.
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


def main():
    table = os.path.abspath(sys.argv[1])
    extra_sql = sys.argv[2] if len(sys.argv) > 2 else None
    con = connect()
    out = {"duckdb": norm(rows_of(con.execute("SELECT * FROM delta_scan(?)", (table,))))}
    if extra_sql:
        con.execute("CREATE VIEW t AS SELECT * FROM delta_scan(?)", (table,))
        out["sql"] = norm(rows_of(con.execute(extra_sql)))
    dt = deltalake.DeltaTable(table)
    out["version"] = dt.version()
    table_data = dt.to_pyarrow_table()
    out["deltalake"] = norm(table_data.to_pylist())
    out["schema"] = {f.name: str(f.type) for f in table_data.schema}
    out["columns"] = [f.name for f in table_data.schema]
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()

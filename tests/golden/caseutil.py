"""Helpers shared by the cases_*.py modules."""


def lines(*ls, end="\n"):
    """JSON Lines text: the lines joined by \\n, with a final newline unless end says otherwise."""
    return "\n".join(ls) + end


def case(name, sql="SELECT * FROM t", **kw):
    c = {"name": name, "sql": sql}
    c.update(kw)
    return c


def rows_input(rows):
    """JSON Lines for a list of dicts (a table for the SQL cases)."""
    import json
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


ANSI_OFF = {"spark.sql.ansi.enabled": "false"}


def col(name, expr, values, typ="STRING", column="s", ansi=True, **kw):
    """`SELECT s, <expr> AS r FROM t` over one typed column holding `values`."""
    conf = dict(kw.pop("conf", {}))
    if not ansi:
        conf.update(ANSI_OFF)
    if conf:
        kw["conf"] = conf
    return case(name, sql=f"SELECT {column}, {expr} AS r FROM t", input=rows_input([{column: v} for v in values]),
                schema=f"{column} {typ}", **kw)


def lit(name, sql, ansi=True, **kw):
    """A query with no input table."""
    conf = dict(kw.pop("conf", {}))
    if not ansi:
        conf.update(ANSI_OFF)
    if conf:
        kw["conf"] = conf
    return case(name, sql=sql, **kw)


def tbl(name, sql, rows, schema, ansi=True, **kw):
    """A query over `t` built from a list of dicts with a DDL schema."""
    conf = dict(kw.pop("conf", {}))
    if not ansi:
        conf.update(ANSI_OFF)
    if conf:
        kw["conf"] = conf
    return case(name, sql=sql, input=rows_input(rows), schema=schema, **kw)

"""The tables a Tableau data source reads: its relations, and the tables its custom SQL reads.

A relation ``type='table'`` names ``[schema].[table]`` (or ``[table]``); a
relation ``type='text'`` holds custom SQL, read with sqlglot (a SQL parser:
comments, sub-selects, unions, and CTE names, which are no tables). An
unqualified name takes the connection's schema, else the database's default
(``public``, ``dbo``, the MySQL database).
"""

from __future__ import annotations

import re
from typing import NamedTuple

DIALECTS = {
    "postgres": "postgres", "redshift": "redshift", "greenplum": "postgres", "vertica": "postgres",
    "sqlserver": "tsql", "azure_sql_dw": "tsql", "mysql": "mysql", "snowflake": "snowflake", "bigquery": "bigquery",
    "oracle": "oracle", "teradata": "teradata", "databricks": "databricks", "spark": "spark", "hive": "hive",
    "presto": "presto", "athena": "athena",
}  # fmt: skip
FILE_CLASSES = {
    "excel-direct",
    "excel",
    "textscan",
    "hyper",
    "dataengine",
    "ogrdirect",
    "textclean",
    "pdf",
    "json",
    "statfile",
}
_PARAMETER = re.compile(r"<\s*\[?Parameters\]?\.[^<>]*>")


class Connection(NamedTuple):
    """What a relation's connection says: its class, database and schema (if given)."""

    kind: str
    database: str
    schema: str


def default_schema(conn: Connection) -> str:
    """The schema of an unqualified name.

    >>> default_schema(Connection("mysql", "TestV1", "")), default_schema(Connection("sqlserver", "x", ""))
    ('testv1', 'dbo')
    """
    if conn.schema:
        return conn.schema.lower()
    if conn.kind == "mysql":
        return conn.database.lower()
    return "dbo" if conn.kind in ("sqlserver", "azure_sql_dw") else "public"


def bracketed(table: str, conn: Connection) -> str | None:
    """``schema.table`` (lower-case) of a relation's ``table`` attribute; None for an extract or a published source.

    >>> bracketed("[dbo].[Orders]", Connection("sqlserver", "db", ""))
    'dbo.orders'
    >>> bracketed("[xy]", Connection("mysql", "TestV1", ""))
    'testv1.xy'
    >>> bracketed("[Extract].[Extract]", Connection("hyper", "", "")) is None
    True
    """
    parts = re.findall(r"\[((?:[^\]]|\]\])*)\]", table) or table.split(".")
    parts = [p.replace("]]", "]") for p in parts]
    if not parts or [p.lower() for p in parts] in (["extract", "extract"], ["sqlproxy"]):
        return None
    name = parts[-1].lower()
    schema = parts[-2].lower() if len(parts) > 1 else default_schema(conn)
    return f"{schema}.{name}"


def sql_tables(sql: str, conn: Connection) -> tuple[list[str], str | None]:
    """``schema.table`` of every table custom SQL reads (CTE names left out), and the parser's complaint if any.

    >>> sql = "WITH a AS (SELECT * FROM users) -- a comment naming nope\\nSELECT * FROM a JOIN Sites s ON 1=1"
    >>> sql_tables(sql, Connection("postgres", "w", ""))
    (['public.sites', 'public.users'], None)
    """
    import sqlglot  # a tenth of a second to import: only for a workbook with custom SQL
    from sqlglot import exp

    text = (
        _PARAMETER.sub("NULL", sql).replace("<<", "<").replace(">>", ">")
    )  # Tableau doubles a literal < and > (one alone marks a parameter)
    try:
        statements = sqlglot.parse(text, read=DIALECTS.get(conn.kind))
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError) as exc:
        return [], str(exc).splitlines()[0][:200]
    found: set[str] = set()
    for statement in statements:
        if statement is None:
            continue
        ctes = {cte.alias_or_name.lower() for cte in statement.find_all(exp.CTE)}
        for table in statement.find_all(exp.Table):
            name = table.name.lower()
            if not name or (not table.db and name in ctes):
                continue
            schema = table.db.lower() if table.db else default_schema(conn)
            found.add(f"{schema}.{name}")
    return sorted(found), None

"""Query coverage: each common query runs under EXPLAIN on the seeded proof database.

A query is covered when an index condition constrains the leading column of some index: a
secondary index, or the primary key when the query itself filters the key with a value. A
partial index the planner picks counts too (it does so only when the WHERE implies the index's
predicate), and a query without any filter is covered when an index hands over its rows in
ORDER BY order.
Statements that read nothing to find (INSERT ... VALUES) need no index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot import exp

from agent.proof.binds import aliases, bind_values, constant_filters, parse, substitute
from agent.proof.catalog import Catalog, IndexInfo
from agent.proof.database import Database
from agent.proof.finding import Finding
from agent.proof.seed import quote

_MYSQL_LOOKUPS = {"const", "eq_ref", "ref", "range", "ref_or_null", "index_merge", "fulltext"}
_SQLITE_INDEX = re.compile(
    r"USING (?:COVERING )?INDEX (\S+)(?: \((.*)\))?|USING (?:INTEGER )?PRIMARY KEY(?: \((.*)\))?"
)


@dataclass(frozen=True)
class IndexUse:
    """One index access in a plan: the index, its table, and the condition it evaluates."""

    index: str
    table: str | None
    condition: str | None


def prepare(database: Database, catalog: Catalog) -> None:
    """Make the planner show what an index could serve, even on tables of a few rows."""
    if database.dialect == "postgresql":
        # Statistics of the seeded rows keep the planner from guessing selectivities.
        tables = ", ".join(quote(name, "postgresql") for name in sorted(catalog.tables))
        if tables:
            database.execute(f"ANALYZE {tables}")
        database.execute("SET enable_seqscan = off")
    elif database.dialect == "mysql":
        database.execute("SET SESSION max_seeks_for_key = 1")


def check_query(database: Database, catalog: Catalog, sql: str, path: str) -> list[Finding]:
    """Return the findings of one common query: a failure to plan, or no index serving it."""
    try:
        tree = parse(sql, database.dialect)
    except Exception as error:
        return [Finding("query-parse-error", path, f"cannot parse the query: {error}")]
    if isinstance(tree, exp.Insert) and not tree.find(exp.Select):
        return []

    statement = substitute(sql.strip().rstrip(";"), bind_values(tree, database, catalog))
    try:
        uses = _plan(database, statement, aliases(tree))
    except Exception as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        return [Finding("query-failed", path, f"EXPLAIN failed: {message}")]

    filtered, has_filter = constant_filters(tree, catalog), _filters(tree)
    if covered(uses, catalog, filtered, has_filter):
        return []
    if database.dialect == "postgresql":
        # An ordered scan can beat a lookup on a few rows; bitmap scans only show the lookups.
        uses += _bitmap_only(database, statement)
        if covered(uses, catalog, filtered, has_filter):
            return []
    names = sorted({use.index for use in uses}) or ["none"]
    return [
        Finding(
            "query-uncovered",
            path,
            "no index condition serves this query (indexes the planner touched: "
            f"{', '.join(names)}): add an index whose leading column the WHERE or JOIN "
            "compares, or fix the query",
        )
    ]


def covered(
    uses: list[IndexUse],
    catalog: Catalog,
    filtered: set[tuple[str, str]],
    has_filter: bool,
) -> bool:
    """Decide coverage from the index accesses of a plan."""
    for use in uses:
        index = _find(catalog, use)
        if index is None:
            continue
        if use.condition is None:
            # A partial index is only chosen when the WHERE implies its predicate: it filters.
            if (index.partial or not has_filter) and not index.primary:
                return True
            continue
        if not _constrains_leading(index, use.condition):
            continue
        if not index.primary or (index.table, index.leading) in filtered:
            return True
    return False


def _find(catalog: Catalog, use: IndexUse) -> IndexInfo | None:
    if use.table and f"{use.table}.{use.index}" in catalog.indexes:
        return catalog.indexes[f"{use.table}.{use.index}"]
    if use.index == "PRIMARY KEY" and use.table in catalog.tables:
        return next(
            (i for i in catalog.indexes.values() if i.table == use.table and i.primary),
            IndexInfo(
                "PRIMARY KEY", use.table, catalog.tables[use.table].primary_key, True, True, ""
            ),
        )
    return catalog.index_named(use.index)


def _constrains_leading(index: IndexInfo, condition: str) -> bool:
    leading = index.leading
    if leading is None or condition == "*":
        return True
    names = {"rowid", leading} if index.primary else {leading}
    return any(re.search(rf'(?<![\w."]){re.escape(n)}(?![\w"])', condition) for n in names) or any(
        f'"{n}"' in condition for n in names
    )


def _filters(tree: exp.Expression) -> bool:
    return tree.find(exp.Where) is not None or any(
        j.args.get("on") for j in tree.find_all(exp.Join)
    )


def _plan(database: Database, statement: str, names: dict[str, str]) -> list[IndexUse]:
    if database.dialect == "postgresql":
        rows = database.query(f"EXPLAIN (FORMAT JSON) {statement}")
        uses: list[IndexUse] = []
        _walk_postgres(rows[0][0][0]["Plan"], uses)
        return uses
    if database.dialect == "sqlite":
        return _sqlite_uses(database.query(f"EXPLAIN QUERY PLAN {statement}"), names)
    return _mysql_uses(database, statement, names)


def _bitmap_only(database: Database, statement: str) -> list[IndexUse]:
    database.execute("SET enable_indexscan = off")
    database.execute("SET enable_indexonlyscan = off")
    try:
        rows = database.query(f"EXPLAIN (FORMAT JSON) {statement}")
    finally:
        database.execute("RESET enable_indexscan")
        database.execute("RESET enable_indexonlyscan")
    uses: list[IndexUse] = []
    _walk_postgres(rows[0][0][0]["Plan"], uses)
    return uses


def _walk_postgres(node: dict[str, object], uses: list[IndexUse]) -> None:
    if "Index Name" in node:
        condition = node.get("Index Cond")
        uses.append(IndexUse(str(node["Index Name"]), None, str(condition) if condition else None))
    for child in node.get("Plans", []) or []:  # type: ignore[attr-defined]
        _walk_postgres(child, uses)


def _sqlite_uses(rows: list[tuple[object, ...]], names: dict[str, str]) -> list[IndexUse]:
    uses = []
    for row in rows:
        detail = str(row[-1])
        match = _SQLITE_INDEX.search(detail)
        if match is None:
            continue
        words = detail.split()
        table = names.get(words[1], words[1]) if len(words) > 1 else None
        if match.group(1):
            uses.append(IndexUse(match.group(1), table, match.group(2)))
        else:
            uses.append(IndexUse("PRIMARY KEY", table, match.group(3)))
    return uses


def _mysql_uses(database: Database, statement: str, names: dict[str, str]) -> list[IndexUse]:
    cursor = database.connection.cursor()
    try:
        cursor.execute(f"EXPLAIN {statement}")
        columns = [d[0].lower() for d in cursor.description]
        rows = cursor.fetchall()
    finally:
        cursor.close()

    uses = []
    for row in rows:
        record = dict(zip(columns, row, strict=False))
        if not record.get("key"):
            continue
        table = names.get(str(record.get("table")), str(record.get("table")))
        condition = "*" if record.get("type") in _MYSQL_LOOKUPS else None
        for key in str(record["key"]).split(","):
            uses.append(IndexUse(key, table, condition))
    return uses

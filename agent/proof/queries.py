"""Static checks of the common queries: they parse for the dialect and name what exists."""

from __future__ import annotations

import re
from typing import Any

from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError
from sqlglot.optimizer.qualify import qualify

from agent.plan import DatabasePlan
from agent.proof.binds import SQLGLOT_DIALECT, parse, substitute
from agent.proof.finding import Finding

_PLACEHOLDER = re.compile(r"(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)")


def query_checks(plan: DatabasePlan, dialect: str) -> list[Finding]:
    """Return findings for queries that do not parse or name unknown tables or columns."""
    schema = _schema(plan)
    index_keys = {(i.table, tuple(c.name for c in i.columns)) for i in plan.indexes}
    findings = []
    for q, query in enumerate(plan.queries):
        path = f"queries[{q}].sql"
        problem = _postgres_problem(query.sql) if dialect == "postgresql" else None
        tree, parse_problem = _tree(query.sql, dialect)
        problem = problem or (parse_problem if dialect != "postgresql" else None)
        if problem:
            findings.append(Finding("query-parse-error", path, problem))
            continue
        if tree is not None:
            findings += _names(tree, schema, dialect, path)
        used = set(_PLACEHOLDER.findall(query.sql))
        if query.parameters and used != set(query.parameters):
            findings.append(
                Finding(
                    "query-parameters",
                    f"queries[{q}].parameters",
                    f"parameters {sorted(query.parameters)} differ from the :names the SQL uses "
                    f"{sorted(used)}",
                    "warning",
                )
            )
        for r, ref in enumerate(query.indexes):
            if (ref.table, tuple(ref.columns)) not in index_keys:
                findings.append(
                    Finding(
                        "query-index-unknown",
                        f"queries[{q}].indexes[{r}]",
                        f"the query relies on an index on {ref.table} ({', '.join(ref.columns)}) "
                        "that the index list does not have",
                    )
                )
    return findings


def _schema(plan: DatabasePlan) -> dict[str, dict[str, str]]:
    return {e.table: {c.name: "TEXT" for c in e.columns} for e in plan.entities}


def _postgres_problem(sql: str) -> str | None:
    """Return pglast's complaint about `sql` (binds replaced by $n), or None."""
    import pglast

    names: dict[str, str] = {}
    for name in _PLACEHOLDER.findall(sql):
        names.setdefault(name, f"${len(names) + 1}")
    try:
        statements = pglast.parse_sql(substitute(sql, names))
    except pglast.parser.ParseError as error:
        return f"PostgreSQL cannot parse the query: {error}"
    if len(statements) != 1:
        return f"write one statement per query, not {len(statements)}"
    return None


def _tree(sql: str, dialect: str) -> tuple[exp.Expression | None, str | None]:
    try:
        tree = parse(sql, dialect)
    except ParseError as error:
        return None, f"cannot parse the query for {dialect}: {str(error).splitlines()[0]}"
    if isinstance(tree, exp.Command):
        return None, f"{dialect} query not understood (parsed only as an opaque command)"
    return tree, None


def _names(tree: exp.Expression, schema: dict[str, Any], dialect: str, path: str) -> list[Finding]:
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    unknown = sorted(
        {
            t.name
            for t in tree.find_all(exp.Table)
            if t.name not in schema and t.name not in ctes and t.name
        }
    )
    if unknown:
        return [
            Finding(
                "query-unknown-table",
                path,
                f"the query reads table(s) {', '.join(unknown)}, which the design does not have",
            )
        ]
    try:
        qualify(
            tree.copy(),
            schema=schema,
            dialect=SQLGLOT_DIALECT[dialect],
            validate_qualify_columns=True,
        )
    except OptimizeError as error:
        message = str(error).splitlines()[0]
        if "column" in message.lower():
            return [Finding("query-unknown-column", path, f"{message}: use a column of the design")]
    except Exception:  # sqlglot cannot follow every construct; the database run still EXPLAINs it
        return []
    return []

"""Static checks of the common queries: one DML statement each that names what exists."""

from __future__ import annotations

import re
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError, TokenError
from sqlglot.optimizer.qualify import qualify
from sqlglot.tokens import TokenType

from agent.plan import DatabasePlan
from agent.proof.binds import SQLGLOT_DIALECT, parse, substitute
from agent.proof.finding import Finding

_PLACEHOLDER = re.compile(r"(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)")
# A common query reads or writes rows; WITH and a parenthesis may lead into one.
_DML_LEADS = {
    TokenType.SELECT,
    TokenType.INSERT,
    TokenType.UPDATE,
    TokenType.DELETE,
    TokenType.WITH,
    TokenType.L_PAREN,
}
_DML_NODES = {"SelectStmt", "InsertStmt", "UpdateStmt", "DeleteStmt"}
_DML_TREES = (exp.Query, exp.Insert, exp.Update, exp.Delete)


def query_checks(plan: DatabasePlan, dialect: str) -> list[Finding]:
    """Return findings for queries that are not one DML statement, or name what does not exist."""
    schema = _schema(plan)
    index_keys = {(i.table, tuple(c.name for c in i.columns)) for i in plan.indexes}
    findings = []
    for q, query in enumerate(plan.queries):
        path = f"queries[{q}].sql"
        lead = _lead(query.sql, dialect)
        problem = _not_dml(lead) if lead else None
        if problem is None and dialect == "postgresql":
            problem = _postgres_problem(query.sql)
        # On PostgreSQL pglast has the last word; sqlglot only feeds the name checks.
        tree, parse_problem = (None, None) if problem else _tree(query.sql, dialect)
        problem = problem or (parse_problem if dialect != "postgresql" else None)
        if problem:
            findings.append(Finding(problem[0], path, problem[1]))
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


def _lead(sql: str, dialect: str) -> str | None:
    """Return the leading keyword of `sql` when it cannot start a common query, else None."""
    try:
        tokens = sqlglot.Dialect.get_or_raise(SQLGLOT_DIALECT[dialect]).tokenize(sql)
    except TokenError:
        return None  # the parse names what is wrong
    if not tokens or tokens[0].token_type in _DML_LEADS:
        return None
    return tokens[0].text.upper()


def _not_dml(kind: str) -> tuple[str, str]:
    return (
        "query-not-dml",
        f"{kind} is not a common query: write a SELECT, INSERT, UPDATE or DELETE (a WITH may "
        f"lead into one), or move the {kind} out of the queries",
    )


def _postgres_problem(sql: str) -> tuple[str, str] | None:
    """Return (code, pglast's complaint) about `sql` (binds replaced by $n), or None."""
    import pglast

    names: dict[str, str] = {}
    for name in _PLACEHOLDER.findall(sql):
        names.setdefault(name, f"${len(names) + 1}")
    try:
        statements = pglast.parse_sql(substitute(sql, names))
    except pglast.parser.ParseError as error:
        return "query-parse-error", f"PostgreSQL cannot parse the query: {error}"
    if len(statements) != 1:
        return "query-parse-error", f"write one statement per query, not {len(statements)}"
    node = type(statements[0].stmt).__name__
    return None if node in _DML_NODES else _not_dml(_kind(node.removesuffix("Stmt")))


def _tree(sql: str, dialect: str) -> tuple[exp.Expression | None, tuple[str, str] | None]:
    """Return sqlglot's tree of `sql`, or (code, message) of why it is not a common query."""
    try:
        tree = parse(sql, dialect)
    except (ParseError, TokenError) as error:
        first = str(error).splitlines()[0]
        return None, ("query-parse-error", f"cannot parse the query for {dialect}: {first}")
    if isinstance(tree, exp.Block):
        count = len(tree.expressions)
        return None, ("query-parse-error", f"write one statement per query, not {count}")
    if isinstance(tree, exp.Command):
        return None, (
            "query-parse-error",
            f"{dialect} query not understood (parsed only as an opaque command)",
        )
    if not isinstance(tree, _DML_TREES):
        return None, _not_dml(_kind(type(tree).__name__))
    return tree, None


def _kind(name: str) -> str:
    """Return a statement kind for messages: 'VariableShow' -> 'VARIABLE SHOW'."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).upper()


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
                f"the query reads table(s) {', '.join(unknown)}, which the design does not have: "
                "use a table of the design or add the missing one",
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

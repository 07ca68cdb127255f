"""Checks without a database: references, order of creation, indexes, raw steps, dialect rules.

Each finding carries the path of the offending item in the plan (`entities[2].columns[3]
.foreign_key`), so the model can fix exactly that item.
"""

from __future__ import annotations

import re

from sqlalchemy.dialects import mysql, postgresql, sqlite

from agent.plan import DatabasePlan, Dialect
from agent.proof.finding import Finding
from agent.proof.queries import query_checks
from agent.sql import PlanSQLError, migrations_sql
from agent.sql.ledger import BASELINE, build_ledger, index_key

_DDL = re.compile(r"^\s*(CREATE|ALTER|DROP|COMMENT|GRANT|RENAME)\b", re.IGNORECASE | re.MULTILINE)
_TYPE_FAMILY = {"bigint": "integer", "string": "text"}
_RESERVED = {
    "postgresql": postgresql.dialect().identifier_preparer.reserved_words,
    "mysql": mysql.dialect().identifier_preparer.reserved_words,
    "sqlite": sqlite.dialect().identifier_preparer.reserved_words,
}


def static_checks(plan: DatabasePlan, dialect: Dialect | str | None = None) -> list[Finding]:
    """Return the findings that need no database, for `dialect` (default: the plan's)."""
    chosen = str(dialect or plan.overview.database)
    findings = _foreign_keys(plan) + _order(plan) + _indexes(plan) + _raw_steps(plan, chosen)
    findings += _identifiers(plan, chosen)
    if chosen == "mysql":
        findings += _mysql_defaults(plan)
    findings += query_checks(plan, chosen)
    if not any(f.severity == "error" for f in findings):
        try:
            migrations_sql(plan, chosen)  # type: ignore[arg-type]
        except PlanSQLError as error:
            findings.append(Finding("sql-unwritable", "migrations", str(error)))
    return findings


def _foreign_keys(plan: DatabasePlan) -> list[Finding]:
    findings = []
    tables = {e.table: e for e in plan.entities}
    for i, entity in enumerate(plan.entities):
        for j, column in enumerate(entity.columns):
            fk = column.foreign_key
            if fk is None:
                continue
            path = f"entities[{i}].columns[{j}].foreign_key"
            target = tables.get(fk.table)
            ref = next((c for c in target.columns if c.name == fk.column), None) if target else None
            if ref is None:
                what = f"table {fk.table}" if target is None else f"column {fk.table}.{fk.column}"
                findings.append(
                    Finding(
                        "fk-target-missing",
                        path,
                        f"{what} does not exist in the design: add it or point the foreign key at "
                        "an existing one",
                    )
                )
                continue
            if _TYPE_FAMILY.get(column.type, column.type) != _TYPE_FAMILY.get(ref.type, ref.type):
                findings.append(
                    Finding(
                        "fk-type-mismatch",
                        path,
                        f"{entity.table}.{column.name} is {column.type} but "
                        f"{fk.table}.{fk.column} is {ref.type}: use the same type",
                    )
                )
            if fk.on_delete == "SET NULL" and not column.nullable:
                findings.append(
                    Finding(
                        "fk-set-null-not-nullable",
                        path,
                        f"ON DELETE SET NULL needs {entity.table}.{column.name} nullable: make it "
                        "nullable or choose another action",
                    )
                )
            if not _leads_index(plan, entity.table, column.name):
                findings.append(
                    Finding(
                        "fk-unindexed",
                        path,
                        f"no index leads with {entity.table}.{column.name}: add an index on "
                        f"({column.name}, ...) so joins and cascades do not scan {entity.table}",
                    )
                )
    return findings


def _leads_index(plan: DatabasePlan, table: str, column: str) -> bool:
    entity = plan.entity(table)
    keys = [c.name for c in entity.columns if c.primary_key]
    if keys and keys[0] == column:
        return True
    if any(c.name == column and c.unique for c in entity.columns):
        return True
    return any(i.table == table and i.columns[0].name == column for i in plan.indexes)


def _order(plan: DatabasePlan) -> list[Finding]:
    """Report every table, column or index used by an operation before it is created."""
    ledger = build_ledger(plan)
    raw_tables = _raw_created_tables(plan)
    findings = []
    for i, entity in enumerate(plan.entities):
        if entity.table not in ledger.tables and entity.table not in raw_tables:
            findings.append(
                Finding(
                    "table-not-created",
                    f"entities[{i}]",
                    f"no migration creates the new table {entity.table}: add a create_table "
                    "operation",
                )
            )
        for j, column in enumerate(entity.columns):
            fk = column.foreign_key
            home = ledger.constraints.get((entity.table, column.name, "foreign_key"))
            if fk is None or home is None:
                continue
            target = ledger.columns.get((fk.table, fk.column))
            if target is not None and target > home:
                findings.append(
                    Finding(
                        "migration-order",
                        f"entities[{i}].columns[{j}].foreign_key",
                        f"{entity.table}.{column.name} references {fk.table}.{fk.column} before "
                        f"{_where(target)} creates it: create {fk.table} first",
                    )
                )

    for m, migration in enumerate(plan.migrations):
        for o, op in enumerate(migration.operations):
            path = f"migrations[{m}].operations[{o}]"
            if op.action == "raw_sql" or not op.table:
                continue
            if op.table not in ledger.tables:
                findings.append(
                    Finding(
                        "migration-unknown-table",
                        path,
                        f"{op.action} names table {op.table}, which the design does not create",
                    )
                )
                continue
            needed = [ledger.tables[op.table]] if op.action != "create_table" else []
            needed += [ledger.columns.get((op.table, c)) or BASELINE for c in (op.columns or [])]
            later = [p for p in needed if p[0] > m]
            if later:
                findings.append(
                    Finding(
                        "migration-order",
                        path,
                        f"{op.action} on {op.table} runs before {_where(max(later))} creates what "
                        "it uses: move it after",
                    )
                )
    return findings


def _raw_created_tables(plan: DatabasePlan) -> set[str]:
    """Return the tables a raw step creates itself (e.g. a partitioned table)."""
    pattern = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?[\"`]?(\w+)", re.IGNORECASE)
    return {
        name
        for migration in plan.migrations
        for op in migration.operations
        if op.action == "raw_sql"
        for name in pattern.findall(op.sql or "")
    }


def _where(position: tuple[int, int]) -> str:
    return "the baseline" if position == BASELINE else f"migrations[{position[0]}]"


def _indexes(plan: DatabasePlan) -> list[Finding]:
    ledger = build_ledger(plan)
    findings = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for k, index in enumerate(plan.indexes):
        path, key = f"indexes[{k}]", index_key(index)
        entity = next((e for e in plan.entities if e.table == index.table), None)
        missing = [c for c in key[1] if entity and c not in {col.name for col in entity.columns}]
        if entity is None or missing:
            what = (
                f"table {index.table}"
                if entity is None
                else f"column(s) {', '.join(missing)} of {index.table}"
            )
            findings.append(
                Finding(
                    "index-unknown-column",
                    path,
                    f"the index names {what}, which the design does not have",
                )
            )
        elif key not in ledger.indexes:
            findings.append(
                Finding(
                    "index-not-created",
                    path,
                    f"no migration creates the index on {index.table} ({', '.join(key[1])}): add "
                    "a create_index operation",
                )
            )
        if key in seen:
            findings.append(
                Finding(
                    "index-duplicate",
                    path,
                    f"the index on {index.table} ({', '.join(key[1])}) is listed twice: keep one",
                )
            )
        seen.add(key)
        if not index.purpose.strip():
            findings.append(
                Finding(
                    "index-purpose-missing", path, "state the query this index serves in purpose"
                )
            )

    listed = {index_key(i) for i in plan.indexes}
    for m, migration in enumerate(plan.migrations):
        for o, op in enumerate(migration.operations):
            if op.action == "create_index" and (op.table, tuple(op.columns or [])) not in listed:
                findings.append(
                    Finding(
                        "index-unknown",
                        f"migrations[{m}].operations[{o}]",
                        f"create_index names ({', '.join(op.columns or [])}) on {op.table}, which "
                        "the index list does not have: add it to indexes",
                    )
                )
    return findings


def _raw_steps(plan: DatabasePlan, dialect: str) -> list[Finding]:
    findings = []
    for m, migration in enumerate(plan.migrations):
        for o, op in enumerate(migration.operations):
            if op.action != "raw_sql" or op.dialect not in ("any", dialect):
                continue
            path = f"migrations[{m}].operations[{o}]"
            if _DDL.search(op.sql or "") and not (op.down_sql or "").strip():
                findings.append(
                    Finding(
                        "raw-down-missing",
                        f"{path}.down_sql",
                        "the raw step changes the schema but has no Down: write the statements "
                        "that undo it",
                    )
                )
            for field, text in (("sql", op.sql), ("down_sql", op.down_sql)):
                problem = _unparsable(text or "", dialect)
                if problem:
                    findings.append(Finding("raw-sql-parse-error", f"{path}.{field}", problem))
    return findings


def _unparsable(sql: str, dialect: str) -> str | None:
    """Return why `sql` does not parse for `dialect`, or None."""
    if not sql.strip():
        return None
    if dialect == "postgresql":
        import pglast

        try:
            pglast.parse_sql(sql)
        except pglast.parser.ParseError as error:
            return f"PostgreSQL cannot parse it: {error}"
        return None
    # sqlglot reads few dialect-specific DDL forms (triggers, procedures); the database run
    # judges those raw steps instead.
    return None


def _identifiers(plan: DatabasePlan, dialect: str) -> list[Finding]:
    reserved = _RESERVED[dialect]
    findings = []
    for i, entity in enumerate(plan.entities):
        names = [(f"entities[{i}].table", entity.table)]
        names += [
            (f"entities[{i}].columns[{j}].name", c.name) for j, c in enumerate(entity.columns)
        ]
        for path, name in names:
            if name.lower() in reserved:
                findings.append(
                    Finding(
                        "identifier-reserved",
                        path,
                        f"{name!r} is a reserved word on {dialect}: every query must quote it; "
                        "prefer another name",
                        "warning",
                    )
                )
            if dialect == "mysql" and len(name) > 64:
                findings.append(
                    Finding(
                        "identifier-too-long",
                        path,
                        f"{name!r} is longer than MySQL's 64 characters",
                    )
                )
    return findings


def _mysql_defaults(plan: DatabasePlan) -> list[Finding]:
    """MySQL (unlike MariaDB) rejects a literal DEFAULT on TEXT, BLOB and JSON columns."""
    findings = []
    for i, entity in enumerate(plan.entities):
        for j, column in enumerate(entity.columns):
            if (
                column.type in ("text", "json")
                and column.default
                and column.default.kind == "value"
            ):
                findings.append(
                    Finding(
                        "mysql-text-default",
                        f"entities[{i}].columns[{j}].default",
                        f"MySQL cannot give the {column.type} column {entity.table}.{column.name} "
                        "a literal default: use string with a length, or drop the default",
                    )
                )
    return findings

"""The SQL of every migration, Up and Down, compiled by SQLAlchemy for one database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Dialect as SADialect
from sqlalchemy.schema import (
    DDL,
    AddConstraint,
    CreateIndex,
    CreateTable,
    DropConstraint,
    DropIndex,
    DropTable,
)

from agent.plan import DatabasePlan, Dialect, Operation
from agent.sql import live, naming
from agent.sql.ledger import BASELINE, CONSTRAINT_KINDS, Ledger, Position, build_ledger, fk_order
from agent.sql.schema import PlanSQLError, build_metadata, column_constraint

_DIALECTS: dict[str, SADialect] = {
    "postgresql": postgresql.dialect(),
    "mysql": mysql.dialect(),
    "sqlite": sqlite.dialect(),
}


@dataclass(frozen=True)
class MigrationSQL:
    """One migration's statements (no trailing ';').

    `down` undoes `up` in exact reverse, except that parts on a table this migration creates
    go with that table's DROP. `notes` says what this database could not take as written.
    """

    id: str
    title: str
    up: list[str]
    down: list[str]
    notes: list[str] = field(default_factory=list)


@dataclass
class _Step:
    up: list[str] = field(default_factory=list)
    down: list[str] = field(default_factory=list)

    def add(self, up: str, down: str | None) -> None:
        self.up.append(up)
        if down:
            self.down.insert(0, down)


class _Writer:
    """Compiles the parts created at one position of the ledger."""

    def __init__(self, plan: DatabasePlan, dialect: Dialect, ledger: Ledger) -> None:
        self.plan, self.dialect, self.ledger = plan, dialect, ledger
        self.sa_dialect = _DIALECTS[dialect]
        self.notes: list[str] = []
        self.final = build_metadata(plan, dialect)

    def compile(self, element: Any) -> str:
        return str(element.compile(dialect=self.sa_dialect)).strip()

    def step(self, position: Position, operation: Operation | None) -> _Step:
        """Return the statements of the operation at `position` (None: the baseline)."""
        md = build_metadata(self.plan, self.dialect, self.ledger, position)
        step = _Step()
        self._enums(step, position)
        if operation is None:
            self._baseline(step, md)
        elif operation.action == "create_table":
            self._create_table(step, md, position, operation.table or "")
        elif operation.action == "add_column":
            self._add_column(step, md, position, operation.table or "", operation.column or "")
        elif operation.action == "create_index":
            self._indexes(step, md, position, operation.table or "")
        elif operation.action == "add_constraint":
            self._add_constraint(step, md, position, operation)

        table = operation.table if operation and operation.action != "create_table" else None
        if table and self._born_earlier_in_migration(table, position):
            # Dropping the table in this migration's Down removes the part with it; a separate
            # drop could even fail (MySQL keeps indexes that foreign keys use).
            step.down = []
        return step

    def _born_earlier_in_migration(self, table: str, position: Position) -> bool:
        home = self.ledger.tables.get(table)
        return home is not None and home[0] == position[0] and home < position

    def _enum_birth(self, table: str, home: Position) -> Position:
        """Return where a column's enum type must exist: with its table when that is newer."""
        return self.ledger.tables[table] if self._born_earlier_in_migration(table, home) else home

    def _enums(self, step: _Step, position: Position) -> None:
        if self.dialect != "postgresql":
            return
        for enum in self._enums_born_at(position):
            step.add(
                self.compile(postgresql.CreateEnumType(enum)),
                self.compile(postgresql.DropEnumType(enum)),
            )

    def _enums_born_at(self, position: Position) -> list[sa.Enum]:
        first_use: dict[str, Position] = {}
        types: dict[str, sa.Enum] = {}
        for (table, name), home in self.ledger.columns.items():
            column = self.final.tables[table].c.get(name)
            if column is not None and isinstance(column.type, sa.Enum) and column.type.name:
                born = self._enum_birth(table, home)
                first_use[column.type.name] = min(born, first_use.get(column.type.name, born))
                types[column.type.name] = column.type
        return [types[name] for name in sorted(types) if first_use[name] == position]

    def _baseline(self, step: _Step, md: sa.MetaData) -> None:
        for entity in _tables_at(self.ledger, BASELINE, self.plan):
            step.add(self.compile(CreateTable(md.tables[entity])), None)
            for index in sorted(md.tables[entity].indexes, key=lambda i: str(i.name)):
                step.add(self.compile(CreateIndex(index)), None)

    def _create_table(self, step: _Step, md: sa.MetaData, position: Position, table: str) -> None:
        if self.ledger.tables.get(table) != position:
            raise PlanSQLError(
                f"create_table {table}: the table exists already (status existing/changed, or an "
                "earlier create_table): remove this operation"
            )
        sa_table = md.tables[table]
        step.add(self.compile(CreateTable(sa_table)), self.compile(DropTable(sa_table)))
        indexes = _Step()
        self._indexes(indexes, md, position, table)
        step.up.extend(indexes.up)

    def _add_column(
        self, step: _Step, md: sa.MetaData, position: Position, table: str, name: str
    ) -> None:
        sa_table = _table(md, table)
        if name not in sa_table.c:
            raise PlanSQLError(f"add_column {table}.{name}: the entity has no such column: add it")
        column = sa_table.c[name]
        compiler = self.sa_dialect.ddl_compiler(self.sa_dialect, DDL(""))
        spec = compiler.get_column_specification(column)
        born_here = [
            constraint
            for kind in CONSTRAINT_KINDS
            if self.ledger.constraints.get((table, name, kind)) == position
            and (constraint := _find_constraint(self.plan, sa_table, name, kind)) is not None
        ]
        if self.dialect == "sqlite":
            # An enum's CHECK belongs to its column's type and arrives with the column.
            enum_check = naming.enum_check_name(table, name)
            typed = [c for c in sa_table.constraints if c.name == enum_check]
            inlined = [c for c in born_here if _inlinable(c)] + typed
            spec += "".join(" " + _inline(compiler, c) for c in inlined)
        quoted = compiler.preparer.format_table(sa_table)
        step.add(
            f"ALTER TABLE {quoted} ADD COLUMN {spec}",
            f"ALTER TABLE {quoted} DROP COLUMN {compiler.preparer.format_column(column)}",
        )
        # Indexes before constraints, so the Down drops a foreign key before the index that
        # MySQL would keep for it.
        self._indexes(step, md, position, table)
        for constraint in born_here:
            if not (self.dialect == "sqlite" and _inlinable(constraint)):
                self._constraint(step, sa_table, constraint)

    def _add_constraint(
        self, step: _Step, md: sa.MetaData, position: Position, operation: Operation
    ) -> None:
        table, name, kind = operation.table or "", operation.column or "", operation.constraint
        sa_table = _table(md, table)
        constraint = _find_constraint(self.plan, sa_table, name, kind or "")
        if constraint is not None:
            self._constraint(step, sa_table, constraint)
            return
        raise PlanSQLError(
            f"add_constraint {table}.{name} {kind}: the column declares no {kind} constraint: "
            f"set it on the column or remove the operation"
        )

    def _constraint(self, step: _Step, table: sa.Table, constraint: sa.Constraint) -> None:
        if self._live(str(table.name)):
            pairs, note = live.constraint_steps(self.compile, table, constraint)
            for up, down in pairs:
                step.add(up, down)
            self.notes.append(note)
            return
        if self.dialect != "sqlite":
            step.add(
                self.compile(AddConstraint(constraint)), self.compile(DropConstraint(constraint))
            )
            return
        if not isinstance(constraint, sa.UniqueConstraint):
            raise PlanSQLError(
                f"{table.name}: SQLite cannot add a {_kind(constraint)} constraint to an existing "
                "table: add it with the column (add_column) or in create_table"
            )
        # SQLite enforces uniqueness through an index; an ALTER TABLE form does not exist.
        index = sa.Index(str(constraint.name), *constraint.columns, unique=True)
        step.add(self.compile(CreateIndex(index)), self.compile(DropIndex(index)))

    def _indexes(self, step: _Step, md: sa.MetaData, position: Position, table: str) -> None:
        sa_table = _table(md, table)
        for index in sorted(sa_table.indexes, key=lambda i: str(i.name)):
            key = (table, tuple(str(c.name) for c in index.columns))
            if self.ledger.indexes.get(key) != position:
                continue
            if (
                self.dialect == "mysql"
                and index.unique
                and index.dialect_options["postgresql"]["where"] is not None
            ):
                raise PlanSQLError(
                    f"index {index.name}: MySQL has no partial indexes, and a unique one cannot "
                    "be widened: drop its where or its uniqueness"
                )
            if self.dialect == "mysql" and index.dialect_options["postgresql"]["where"] is not None:
                self.notes.append(
                    f"index {index.name}: MySQL has no partial indexes; covers all rows"
                )
            if self._live(table):
                self.notes.append(live.concurrently(index, table))
            step.add(self.compile(CreateIndex(index)), self.compile(DropIndex(index)))

    def _live(self, table: str) -> bool:
        """Return whether `table` holds rows before the migrations (PostgreSQL only matters)."""
        return self.dialect == "postgresql" and self.ledger.tables.get(table) == BASELINE


def _table(md: sa.MetaData, table: str) -> sa.Table:
    if table not in md.tables:
        raise PlanSQLError(f"table {table!r} is named by a migration but has no entity: add it")
    return md.tables[table]


def _tables_at(ledger: Ledger, position: Position, plan: DatabasePlan) -> list[str]:
    """Return the tables created at `position`, referenced tables first."""
    return fk_order(
        plan, [e.table for e in plan.entities if ledger.tables.get(e.table) == position]
    )


def _find_constraint(
    plan: DatabasePlan, table: sa.Table, column: str, kind: str
) -> sa.Constraint | None:
    """Return the constraint of `kind` that the plan declares on `column`, as built on `table`."""
    entity = next((e for e in plan.entities if e.table == table.name), None)
    declared = next((c for c in entity.columns if c.name == column), None) if entity else None
    wanted = column_constraint(table.name, declared, kind) if declared else None
    if wanted is None:
        return None
    return next((c for c in table.constraints if c.name == wanted.name), None)


def _kind(constraint: sa.Constraint) -> str:
    if isinstance(constraint, sa.UniqueConstraint):
        return "unique"
    if isinstance(constraint, sa.CheckConstraint):
        return "check"
    return "foreign_key"


def _inlinable(constraint: sa.Constraint) -> bool:
    return isinstance(constraint, sa.CheckConstraint | sa.ForeignKeyConstraint)


def _inline(compiler: Any, constraint: sa.Constraint) -> str:
    """Return a column-constraint clause for SQLite's ALTER TABLE ... ADD COLUMN."""
    if isinstance(constraint, sa.CheckConstraint):
        return str(compiler.visit_check_constraint(constraint)).strip()
    assert isinstance(constraint, sa.ForeignKeyConstraint)
    remote = compiler.define_constraint_remote_table(
        constraint, constraint.elements[0].column.table, compiler.preparer
    )
    columns = ", ".join(compiler.preparer.quote(e.column.name) for e in constraint.elements)
    name = compiler.preparer.format_constraint(constraint)
    cascades = compiler.define_constraint_cascades(constraint)
    return f"CONSTRAINT {name} REFERENCES {remote} ({columns}){cascades}"


def migrations_sql(plan: DatabasePlan, dialect: Dialect) -> list[MigrationSQL]:
    """Return each migration's Up and Down statements for `dialect`, in apply order."""
    ledger = build_ledger(plan)
    writer = _Writer(plan, dialect, ledger)
    result = []
    for m, (migration, operations) in enumerate(
        zip(plan.migrations, ledger.operations, strict=True)
    ):
        whole = _Step()
        notes: list[str] = []
        writer.notes = notes
        for o, operation in enumerate(operations):
            if operation.action == "raw_sql":
                step = _raw(operation, dialect, notes, migration.id)
            else:
                step = writer.step((m, o), operation)
            whole.up.extend(step.up)
            whole.down[:0] = step.down
        result.append(MigrationSQL(migration.id, migration.title, whole.up, whole.down, notes))
    return result


def _raw(operation: Operation, dialect: Dialect, notes: list[str], migration: str) -> _Step:
    step = _Step()
    if operation.dialect not in ("any", dialect):
        notes.append(f"migration {migration}: raw SQL for {operation.dialect} skipped on {dialect}")
        return step
    up = (operation.sql or "").strip().rstrip(";").strip()
    down = (operation.down_sql or "").strip().rstrip(";").strip()
    step.add(up, down or None)
    return step


def baseline_sql(plan: DatabasePlan, dialect: Dialect) -> list[str]:
    """Return CREATE statements of the existing tables as they are before the migrations."""
    ledger = build_ledger(plan)
    return _Writer(plan, dialect, ledger).step(BASELINE, None).up

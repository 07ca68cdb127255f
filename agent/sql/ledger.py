"""Where each part of the design comes into being: the baseline, or one migration operation.

A part is a table, a column, a column's constraint or an index. An operation creates what it
names; create_table also creates every part of its entity that no later operation names, and
the baseline (entities that already exist) holds the parts of existing entities that no
operation names. An index nobody names arrives with the last of its columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.plan import DatabasePlan, Entity, Index, Operation

Position = tuple[int, int]
BASELINE: Position = (-1, -1)
CONSTRAINT_KINDS = ("unique", "check", "foreign_key")

TableKey = str
ColumnKey = tuple[str, str]
ConstraintKey = tuple[str, str, str]
IndexKey = tuple[str, tuple[str, ...]]


def index_key(index: Index) -> IndexKey:
    """Return the key that identifies `index` (its table and column names)."""
    return index.table, tuple(column.name for column in index.columns)


def column_constraints(entity: Entity, column_name: str) -> list[str]:
    """Return the constraint kinds the named column of `entity` declares."""
    column = next(c for c in entity.columns if c.name == column_name)
    kinds = []
    if column.unique:
        kinds.append("unique")
    if column.check is not None:
        kinds.append("check")
    if column.foreign_key is not None:
        kinds.append("foreign_key")
    return kinds


@dataclass
class Ledger:
    """Operations in the order they apply, and the position that creates each part."""

    operations: list[list[Operation]]
    tables: dict[TableKey, Position] = field(default_factory=dict)
    columns: dict[ColumnKey, Position] = field(default_factory=dict)
    constraints: dict[ConstraintKey, Position] = field(default_factory=dict)
    indexes: dict[IndexKey, Position] = field(default_factory=dict)


def build_ledger(plan: DatabasePlan) -> Ledger:
    """Return the ledger of `plan`; parts that nothing creates are absent from it."""
    ledger = Ledger(operations=[_fk_ordered(plan, m.operations) for m in plan.migrations])
    named_columns, named_constraints, named_indexes = _named_parts(ledger)

    for entity in plan.entities:
        if entity.status != "new":
            ledger.tables[entity.table] = BASELINE
    for position, operation in _positions(ledger):
        if operation.action == "create_table" and operation.table:
            ledger.tables.setdefault(operation.table, position)

    for entity in plan.entities:
        table_home = ledger.tables.get(entity.table)
        for column in entity.columns:
            key = (entity.table, column.name)
            home = named_columns.get(key, table_home)
            if home is None:
                continue
            ledger.columns[key] = home
            for kind in column_constraints(entity, column.name):
                ledger.constraints[(*key, kind)] = named_constraints.get((*key, kind), home)

    for index in plan.indexes:
        ikey = index_key(index)
        homes = [ledger.columns.get((index.table, name)) for name in ikey[1]]
        if ikey in named_indexes:
            ledger.indexes[ikey] = named_indexes[ikey]
        elif homes and all(home is not None for home in homes):
            ledger.indexes[ikey] = max(home for home in homes if home is not None)
    return ledger


def _positions(ledger: Ledger) -> list[tuple[Position, Operation]]:
    return [
        ((m, o), operation)
        for m, operations in enumerate(ledger.operations)
        for o, operation in enumerate(operations)
    ]


def _named_parts(
    ledger: Ledger,
) -> tuple[dict[ColumnKey, Position], dict[ConstraintKey, Position], dict[IndexKey, Position]]:
    """Return the columns, constraints and indexes that operations name, with their positions."""
    columns: dict[ColumnKey, Position] = {}
    constraints: dict[ConstraintKey, Position] = {}
    indexes: dict[IndexKey, Position] = {}
    for position, op in _positions(ledger):
        if op.action == "add_column" and op.table and op.column:
            columns.setdefault((op.table, op.column), position)
        elif op.action == "add_constraint" and op.table and op.column and op.constraint:
            constraints.setdefault((op.table, op.column, op.constraint), position)
        elif op.action == "create_index" and op.table and op.columns:
            indexes.setdefault((op.table, tuple(op.columns)), position)
    return columns, constraints, indexes


def _fk_ordered(plan: DatabasePlan, operations: list[Operation]) -> list[Operation]:
    """Return `operations` with each run of create_table steps in foreign-key order."""
    result: list[Operation] = []
    run: list[Operation] = []
    for operation in [*operations, None]:
        if operation is not None and operation.action == "create_table":
            run.append(operation)
            continue
        result.extend(_sorted_tables(plan, run))
        run = []
        if operation is not None:
            result.append(operation)
    return result


def _sorted_tables(plan: DatabasePlan, run: list[Operation]) -> list[Operation]:
    """Order create_table steps so referenced tables come first."""
    order = fk_order(plan, [op.table or "" for op in run])
    return sorted(run, key=lambda op: order.index(op.table or ""))


def fk_order(plan: DatabasePlan, tables: list[str]) -> list[str]:
    """Return `tables` with referenced tables first, keeping the given order on ties."""
    pending = list(dict.fromkeys(tables))
    done: list[str] = []
    while pending:
        ready = next((t for t in pending if not (_references(plan, t) & set(pending))), None)
        if ready is None:
            # A reference cycle has no order that works; keep the given order and let the
            # proof report it.
            return done + pending
        done.append(ready)
        pending.remove(ready)
    return done


def _references(plan: DatabasePlan, table: str) -> set[str]:
    """Return the other tables that `table` references through foreign keys."""
    try:
        entity = plan.entity(table)
    except KeyError:
        return set()
    targets = {c.foreign_key.table for c in entity.columns if c.foreign_key is not None}
    return set(targets - {table})

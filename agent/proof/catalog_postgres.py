"""The catalog of a PostgreSQL schema, read from pg_catalog."""

from __future__ import annotations

from agent.proof.catalog import Catalog, ColumnInfo, ForeignKeyInfo, IndexInfo, TableInfo
from agent.proof.database import Database

_SCHEMA = "n.nspname = current_schema()"

_COLUMNS = f"""
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid), a.attidentity <> '' OR a.attgenerated <> ''
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE {_SCHEMA} AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum
"""

_CONSTRAINTS = f"""
SELECT c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid),
       ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num
             ORDER BY k.ord),
       f.relname,
       ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num
             ORDER BY k.ord),
       con.confdeltype
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class f ON f.oid = con.confrelid
WHERE {_SCHEMA} AND con.contype IN ('p', 'u', 'f', 'c', 'x')
ORDER BY c.relname, con.conname
"""

_INDEXES = f"""
SELECT t.relname, i.relname, ix.indisunique, ix.indisprimary, pg_get_indexdef(ix.indexrelid),
       ARRAY(SELECT a.attname FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(num, ord)
             LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.num
             WHERE k.ord <= ix.indnkeyatts ORDER BY k.ord)
FROM pg_index ix
JOIN pg_class i ON i.oid = ix.indexrelid
JOIN pg_class t ON t.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE {_SCHEMA}
"""

_ENUMS = f"""
SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)
FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE {_SCHEMA} GROUP BY t.typname
"""

_OBJECTS = f"""
SELECT 'domain ' || t.typname, format_type(t.typbasetype, t.typtypmod)
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE {_SCHEMA} AND t.typtype = 'd'
UNION ALL
SELECT 'sequence ' || c.relname, format_type(s.seqtypid, NULL)
FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {_SCHEMA}
UNION ALL
SELECT 'function ' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       pg_get_function_result(p.oid) || ' body ' || md5(p.prosrc)
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {_SCHEMA}
UNION ALL
SELECT 'trigger ' || c.relname || '.' || t.tgname, pg_get_triggerdef(t.oid)
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {_SCHEMA} AND NOT t.tgisinternal
UNION ALL
SELECT 'view ' || c.relname, pg_get_viewdef(c.oid)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE {_SCHEMA} AND c.relkind IN ('v', 'm')
UNION ALL
SELECT 'extension ' || extname, extversion FROM pg_extension WHERE extname <> 'plpgsql'
"""

_ON_DELETE = {
    "a": "NO ACTION",
    "r": "RESTRICT",
    "c": "CASCADE",
    "n": "SET NULL",
    "d": "SET DEFAULT",
}


def snapshot_postgres(database: Database) -> Catalog:
    """Read tables, keys, indexes, enum types and other objects of the current schema."""
    catalog = Catalog()
    for table, name, type_, nullable, default, generated in database.query(_COLUMNS):
        info = catalog.tables.setdefault(table, TableInfo(table))
        info.columns[name] = ColumnInfo(name, type_, nullable, default, bool(generated))

    for row in database.query(_CONSTRAINTS):
        table, name, kind, definition, columns, ref_table, ref_columns, on_delete = row
        info = catalog.tables.setdefault(table, TableInfo(table))
        if kind == "p":
            info.primary_key = tuple(columns)
        elif kind == "u":
            info.uniques[name] = tuple(columns)
        elif kind == "f":
            info.foreign_keys.append(
                ForeignKeyInfo(
                    name, tuple(columns), ref_table, tuple(ref_columns), _ON_DELETE[on_delete]
                )
            )
        else:
            info.checks[name] = definition

    for table, name, unique, primary, definition, columns in database.query(_INDEXES):
        catalog.indexes[f"{table}.{name}"] = IndexInfo(
            name, table, tuple(columns), bool(unique), bool(primary), definition
        )
    catalog.enums = {name: tuple(labels) for name, labels in database.query(_ENUMS)}
    catalog.objects = {key: value or "" for key, value in database.query(_OBJECTS)}
    return catalog

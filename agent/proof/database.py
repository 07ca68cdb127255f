"""Proof databases: a fresh scratch database per proof, on any dialect, always removed after.

PostgreSQL runs on an embedded server unless a DSN names one; MySQL/MariaDB needs a DSN;
SQLite runs in memory. On a server given by DSN the proof creates a database with a unique
name and drops it afterwards, so the server is left as it was found.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

from agent.proof.finding import ProofUnavailable
from agent.proof.server import EmbeddedPostgres, terminate_as_exit

logger = logging.getLogger(__name__)

_SCHEMES = {
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "postgresql+psycopg": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
    "mysql+pymysql": "mysql",
    "sqlite": "sqlite",
}


class Database:
    """One open connection in autocommit mode, with the dialect's parameter marker."""

    def __init__(self, connection: Any, dialect: str, label: str) -> None:
        self.connection = connection
        self.dialect = dialect
        self.label = label
        self.marker = "?" if dialect == "sqlite" else "%s"

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        """Run one statement."""
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, params) if params is not None else cursor.execute(sql)
        finally:
            cursor.close()

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run one statement and return its rows."""
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, params) if params is not None else cursor.execute(sql)
            return list(cursor.fetchall()) if cursor.description else []
        finally:
            cursor.close()


def dialect_of(dsn: str) -> str:
    """Return the dialect a DSN names; ProofUnavailable when the scheme is unknown."""
    scheme = urlsplit(dsn).scheme.lower()
    if scheme not in _SCHEMES:
        raise ProofUnavailable(
            f"unknown database DSN scheme {scheme!r}: use postgresql://, mysql:// or sqlite://"
        )
    return _SCHEMES[scheme]


@contextlib.contextmanager
def scratch(dialect: str, dsn: str | None = None) -> Iterator[Database]:
    """Yield a connection to a fresh, empty database that is removed on exit."""
    with terminate_as_exit():
        if dialect == "sqlite":
            yield _sqlite()
        elif dialect == "mysql":
            if dsn is None:
                raise ProofUnavailable(
                    "proving on MySQL/MariaDB needs a server: pass a mysql://user@host/db DSN"
                )
            with _mysql_scratch(dsn) as database:
                yield database
        elif dsn is not None:
            with _postgres_scratch(dsn, label="PostgreSQL") as database:
                yield database
        else:
            # The whole server is thrown away, so its own database serves as the scratch one.
            with EmbeddedPostgres() as server, _postgres_direct(server.dsn) as database:
                yield database


def _sqlite() -> Database:
    connection = sqlite3.connect(":memory:", isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    return Database(connection, "sqlite", f"SQLite {sqlite3.sqlite_version} (in memory)")


def _scratch_name() -> str:
    return f"proof_{secrets.token_hex(6)}"


@contextlib.contextmanager
def _postgres_direct(dsn: str) -> Iterator[Database]:
    import psycopg

    try:
        connection = psycopg.connect(dsn, autocommit=True, connect_timeout=5)
    except psycopg.Error as error:
        raise ProofUnavailable(
            f"cannot connect to the embedded PostgreSQL: {_one_line(error)}"
        ) from error
    with connection:
        version = connection.info.server_version // 10000
        yield Database(connection, "postgresql", f"embedded PostgreSQL {version}")


@contextlib.contextmanager
def _postgres_scratch(dsn: str, label: str) -> Iterator[Database]:
    import psycopg
    from psycopg.conninfo import make_conninfo

    dsn = dsn.replace("postgresql+psycopg://", "postgresql://", 1)
    try:
        admin = psycopg.connect(dsn, autocommit=True, connect_timeout=5)
    except psycopg.Error as error:
        raise ProofUnavailable(
            f"cannot connect to PostgreSQL at {_safe(dsn)}: {_one_line(error)}"
        ) from error

    name = _scratch_name()
    with admin:
        try:
            admin.execute(f'CREATE DATABASE "{name}"')
        except psycopg.Error as error:
            raise ProofUnavailable(
                f"cannot create a scratch database: {_one_line(error)}"
            ) from error
        try:
            connection = psycopg.connect(make_conninfo(dsn, dbname=name), autocommit=True)
            version = connection.info.server_version // 10000
            try:
                yield Database(connection, "postgresql", f"{label} {version} ({name})")
            finally:
                connection.close()
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def _mysql_scratch(dsn: str) -> Iterator[Database]:
    import pymysql

    parts = urlsplit(dsn)
    settings: dict[str, Any] = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 3306,
        "user": unquote(parts.username or "root"),
        "password": unquote(parts.password or ""),
        "autocommit": True,
        "connect_timeout": 5,
    }
    try:
        admin = pymysql.connect(**settings)
    except pymysql.Error as error:
        raise ProofUnavailable(
            f"cannot connect to MySQL at {_safe(dsn)}: {_one_line(error)}"
        ) from error

    name = _scratch_name()
    with admin:
        try:
            admin.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        except pymysql.Error as error:
            raise ProofUnavailable(
                f"cannot create a scratch database: {_one_line(error)}"
            ) from error
        try:
            connection = pymysql.connect(database=name, **settings)
            version = connection.get_server_info()
            try:
                yield Database(connection, "mysql", f"MySQL {version} ({name})")
            finally:
                connection.close()
        finally:
            admin.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")


def _safe(dsn: str) -> str:
    """Return the DSN without its password, for messages."""
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn
    return dsn.replace(f":{parts.password}@", ":***@", 1)


def _one_line(error: Exception) -> str:
    """Return the driver's message on one line (libpq continues it on tab-indented lines)."""
    return " ".join(str(error).split())

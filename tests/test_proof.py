"""The proof on real databases: broken designs get exactly their finding, good ones pass."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.plan import DatabasePlan
from agent.proof import ProofReport, ProofUnavailable, prove, static_checks
from agent.proof.server import EmbeddedPostgres
from tests.proof_support import (
    DEFECTS,
    STATIC_DEFECTS,
    broken,
    good_design,
    plan_of,
    static_broken,
)

ROOT = Path(__file__).resolve().parents[1]
CI_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
CI_MARIADB = "mysql://root@127.0.0.1:3306/test"
FIXTURES = sorted(
    p for p in (ROOT / "fixtures" / "designs").glob("*.json") if "-broken" not in p.name
)


def reachable(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def embedded() -> Iterator[EmbeddedPostgres]:
    """One embedded server for the session; each proof gets its own scratch database."""
    with EmbeddedPostgres() as server:
        yield server


def errors(report: ProofReport) -> list[str]:
    return [f.code for f in report.findings if f.severity == "error"]


@pytest.mark.parametrize("defect", DEFECTS)
def test_broken_design_gets_exactly_its_finding(embedded: EmbeddedPostgres, defect: str) -> None:
    plan, code = broken(defect)
    report = prove(plan, dsn=embedded.dsn)
    assert errors(report) == [code], [str(f) for f in report.findings]
    assert not report.passed


@pytest.mark.parametrize("defect", STATIC_DEFECTS)
def test_static_defect_gets_exactly_its_finding(defect: str) -> None:
    plan, expected = static_broken(defect)
    findings = static_checks(plan, expected.dialect)
    found = [(f.code, f.path, f.severity) for f in findings]
    assert found == [(expected.code, expected.path, expected.severity)], found
    assert "\n" not in findings[0].message


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_text_default_is_a_defect_on_mysql_only(dialect: str) -> None:
    plan, _ = static_broken("mysql-text-default")
    assert static_checks(plan, dialect) == []


def test_reserved_identifier_warns_but_the_proof_passes() -> None:
    plan, _ = static_broken("identifier-reserved")
    report = prove(plan, dialect="sqlite")
    assert report.passed and report.ran_database, [str(f) for f in report.findings]
    assert [f.code for f in report.findings] == ["identifier-reserved"]


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite"])
def test_opaque_statements_are_refused_without_sqlglot_warnings(
    dialect: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="sqlglot")
    data = good_design(dialect)
    data["queries"] = [
        {"name": sql, "sql": sql, "parameters": []}
        for sql in ("VACUUM posts", "SHOW search_path", "SELECT id FROM tags; VACUUM tags")
    ]
    codes = [f.code for f in static_checks(plan_of(data), dialect)]
    assert codes == ["query-not-dml", "query-not-dml", "query-parse-error"]
    assert [r.getMessage() for r in caplog.records if r.name.startswith("sqlglot")] == []


def test_good_design_passes_on_embedded_server_started_by_prove() -> None:
    report = prove(plan_of(good_design()))
    assert report.passed, [str(f) for f in report.findings]
    assert report.ran_database and report.database.startswith("embedded PostgreSQL")
    codes = {f.code for f in report.findings}
    assert codes <= {"design-mismatch"}  # the raw expression index, named on purpose


def test_good_design_passes_on_sqlite() -> None:
    report = prove(plan_of(good_design("sqlite")))
    assert report.passed, [str(f) for f in report.findings]
    assert report.dialect == "sqlite"


@pytest.mark.skipif(not reachable(5432), reason="no PostgreSQL server on 127.0.0.1:5432")
def test_good_design_passes_on_ci_postgres_and_leaves_no_database() -> None:
    import psycopg

    def databases() -> set[str]:
        with psycopg.connect(CI_POSTGRES) as connection:
            return {row[0] for row in connection.execute("SELECT datname FROM pg_database")}

    before = databases()
    report = prove(plan_of(good_design()), dsn=CI_POSTGRES)
    assert report.passed, [str(f) for f in report.findings]
    assert databases() == before


@pytest.mark.skipif(not reachable(3306), reason="no MariaDB server on 127.0.0.1:3306")
def test_good_design_passes_on_ci_mariadb_and_leaves_no_database() -> None:
    import pymysql

    def databases() -> set[str]:
        connection = pymysql.connect(host="127.0.0.1", user="root", database="test")
        with connection.cursor() as cursor:
            cursor.execute("SHOW DATABASES")
            names = {row[0] for row in cursor.fetchall()}
        connection.close()
        return names

    before = databases()
    report = prove(plan_of(good_design("mysql")), dsn=CI_MARIADB)
    assert report.passed, [str(f) for f in report.findings]
    assert databases() == before


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fixture_designs_pass(embedded: EmbeddedPostgres, path: Path) -> None:
    plan = DatabasePlan.model_validate_json(path.read_text())
    dsn = embedded.dsn if plan.overview.database == "postgresql" else None
    if plan.overview.database == "mysql":
        if not reachable(3306):
            pytest.skip("no MariaDB server on 127.0.0.1:3306")
        dsn = CI_MARIADB
    report = prove(plan, dsn=dsn)
    assert report.passed, [str(f) for f in report.findings]


def test_static_errors_stop_before_the_database() -> None:
    plan, _ = broken("raw-without-down")
    report = prove(plan)
    assert not report.ran_database
    assert report.database.startswith("none")


@pytest.mark.parametrize(
    ("database", "dsn"),
    [
        ("postgresql", "postgresql://postgres@127.0.0.1:1/postgres"),
        ("mysql", "mysql://root@127.0.0.1:1/test"),
    ],
)
def test_unreachable_server_is_unavailable_in_one_line(database: str, dsn: str) -> None:
    with pytest.raises(ProofUnavailable, match="cannot connect") as caught:
        prove(plan_of(good_design(database)), dsn=dsn)
    assert "\n" not in str(caught.value)
    assert "127.0.0.1" in str(caught.value)


def test_mismatched_dsn_is_refused() -> None:
    with pytest.raises(ProofUnavailable, match="DSN is for mysql"):
        prove(plan_of(good_design()), dialect="postgresql", dsn=CI_MARIADB)


def test_embedded_server_folder_is_removed_on_failure() -> None:
    server = EmbeddedPostgres()
    with pytest.raises(RuntimeError), server:
        folder = server.folder
        assert folder is not None and folder.exists()
        raise RuntimeError("boom")
    assert folder is not None and not folder.exists()
    assert server.process is None

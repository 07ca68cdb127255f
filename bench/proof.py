"""Print the proof's wall time per fixture design and for a ten-table plan (server start included).

Run: .venv/bin/python bench/proof.py   (each PostgreSQL proof starts its own embedded server)
"""

from __future__ import annotations

import copy
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.plan import DatabasePlan  # noqa: E402
from agent.proof import prove  # noqa: E402
from tests.proof_support import good_design, index, op, plan_of  # noqa: E402


def ten_tables() -> DatabasePlan:
    """Return the test design grown to ten tables (six extra children of users)."""
    data = copy.deepcopy(good_design())
    users = data["entities"][0]
    for n in range(6):
        table = f"notes_{n}"
        data["entities"].append(
            {
                "table": table,
                "class_name": f"Note{n}",
                "columns": [
                    {"name": "id", "type": "bigint", "primary_key": True},
                    {
                        "name": "user_id",
                        "type": "uuid",
                        "foreign_key": {"table": users["table"], "column": "id"},
                    },
                    {"name": "body", "type": "text"},
                    {"name": "created_at", "type": "timestamp", "default": {"kind": "now"}},
                ],
            }
        )
        data["indexes"].append(index(table, ["user_id", "created_at"], "A user's notes"))
        data["migrations"].append(
            {
                "id": f"{4 + n:03d}",
                "title": f"Create {table}",
                "operations": [op("create_table", table=table)],
            }
        )
    return plan_of(data)


def measure(name: str, plan: DatabasePlan) -> None:
    began = time.perf_counter()
    report = prove(plan)
    wall = time.perf_counter() - began
    verdict = "passed" if report.passed else f"failed ({len(report.errors)} errors)"
    print(f"{name:<28} {wall:6.2f} s  {report.database:<30} {verdict}")


def main() -> None:
    print(f"{'design':<28} {'wall':>8}  database")
    for path in sorted((ROOT / "fixtures" / "designs").glob("*.json")):
        if "-broken" not in path.name:
            measure(path.stem, DatabasePlan.model_validate_json(path.read_text()))
    measure("ten-table (postgresql)", ten_tables())


if __name__ == "__main__":
    main()

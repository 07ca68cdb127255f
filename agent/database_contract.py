"""The planner-database contract: a ``DatabasePlan`` that passes the proof, written as two files.

The model submits the design; this contract validates its shape, proves it on a real database,
and sends back every finding with its path when it fails. An accepted design becomes
``plan/database.md`` (rendered by code) and ``plan/database.json`` (the design itself).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from agent.contract import Verdict, submit_tool, validation_problems
from agent.plan import DatabasePlan

MARKDOWN = "plan/database.md"
DESIGN = "plan/database.json"

TOOL_DESCRIPTION = (
    "Submit the database design. Give the design only: the runner derives the SQL of every "
    "migration (Up and Down), the ORM classes, the entity diagram and the tables of "
    f"`{MARKDOWN}` from it, then applies, rolls back and re-applies the migrations on a real "
    "database and runs every common query under EXPLAIN. Problems come back with the path of "
    "the item to fix."
)


@dataclass
class DatabaseContract:
    """Judges submitted designs by schema and proof; writes the document and the design."""

    dsn: str | None = None
    dialect: str | None = None

    def tool(self) -> dict[str, Any]:
        return submit_tool(TOOL_DESCRIPTION, DatabasePlan.tool_schema())

    def judge(self, arguments: dict[str, Any]) -> Verdict:
        try:
            plan = DatabasePlan.model_validate(arguments)
        except ValidationError as error:
            return Verdict(problems=validation_problems(error))
        return self.prove(plan)

    def prove(self, plan: DatabasePlan) -> Verdict:
        """Prove ``plan``; a proof that cannot run at all is a ContractFailure."""
        from agent.contract import ContractFailure
        from agent.proof import ProofUnavailable, prove

        try:
            report = prove(plan, dialect=self.dialect, dsn=self.dsn)
        except ProofUnavailable as error:
            raise ContractFailure(f"the proof database is unavailable: {error}") from None

        findings = [finding.to_dict() for finding in report.findings]
        problems = [str(finding) for finding in report.errors]
        return Verdict(
            value=plan if report.passed else None,
            problems=problems,
            findings=findings,
            proof=report.to_dict(),
        )

    def outputs(self, value: Any, model: str) -> dict[str, str]:
        from agent.render import render_markdown

        plan: DatabasePlan = value
        # Absent rather than null, as the schema in schemas/ describes optional values.
        design = json.loads(plan.model_dump_json(exclude_none=True))
        return {
            MARKDOWN: render_markdown(plan, model=model),
            DESIGN: json.dumps(design, indent=2, ensure_ascii=False) + "\n",
        }

    def summary(self, value: Any) -> str:
        plan: DatabasePlan = value
        return (
            f"Wrote {MARKDOWN} and {DESIGN}: {len(plan.entities)} tables, "
            f"{len(plan.indexes)} indexes, {len(plan.migrations)} migrations, "
            f"{len(plan.queries)} queries ({plan.overview.database})."
        )

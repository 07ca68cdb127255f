"""``python -m agent prove FILE``: the proof of a saved ``plan/database.json``, on its own."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pydantic import ValidationError

from agent.contract import validation_problems
from agent.plan import DIALECTS, DatabasePlan


def prove_main(argv: list[str]) -> int:
    """Prove a saved design; exit 0 when it passes, 1 when it fails, 2 for bad input."""
    parser = argparse.ArgumentParser(
        prog="python -m agent prove", description="Prove a saved plan/database.json."
    )
    parser.add_argument("design", help="path to a plan/database.json")
    parser.add_argument("--dialect", choices=DIALECTS, help="prove for this database kind")
    parser.add_argument("--dsn", help="prove on this server (postgresql://... or mysql://...)")
    parser.add_argument("--output-format", choices=("text", "json"), default="text")
    options = parser.parse_args(argv)

    plan = _load(Path(options.design))
    if plan is None:
        return 2

    from agent.proof import ProofUnavailable, prove

    try:
        report = prove(plan, dialect=options.dialect, dsn=options.dsn)
    except ProofUnavailable as error:
        print(f"error: the proof database is unavailable: {error}", file=sys.stderr)
        return 1

    if options.output_format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        for finding in report.findings:
            print(finding)
        verdict = "passed" if report.passed else "failed"
        print(f"proof {verdict} on {report.database} in {report.duration_s:.2f} s")
    return 0 if report.passed else 1


def _load(path: Path) -> DatabasePlan | None:
    try:
        return DatabasePlan.model_validate_json(path.read_bytes())
    except OSError as error:
        print(
            f"error: cannot read {path} ({error.strerror}); pass a plan/database.json",
            file=sys.stderr,
        )
    except ValidationError as error:
        first = validation_problems(error, limit=1)[0]
        print(
            f"error: {path} is not a valid design ({first}); fix it or re-run the planner",
            file=sys.stderr,
        )
    return None

"""Size of each design's JSON against the markdown rendered from it (target: at most 1/2).

Run: .venv/bin/python bench/plan_size.py [DESIGN.json ...]
Prints, per design, the JSON the model writes (compact, every key present as the strict tool
schema requires), the same without default values, the markdown, and both ratios.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.plan import DatabasePlan  # noqa: E402
from agent.render import render_markdown  # noqa: E402

TARGET = 0.5


def sizes(path: Path) -> tuple[int, int, int]:
    """Characters of the compact design JSON, of it without defaults, and of its markdown."""
    plan = DatabasePlan.model_validate_json(path.read_text(encoding="utf-8"))
    markdown = render_markdown(plan, model="claude-opus-5-5")
    full = len(plan.model_dump_json())
    lean = len(plan.model_dump_json(exclude_defaults=True))
    return full, lean, len(markdown)


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(
        [*ROOT.glob("fixtures/designs/*.json"), *ROOT.glob("tests/data/plan_*.json")]
    )
    print(f"{'design':<24} {'json':>7} {'lean':>7} {'md':>7} {'json/md':>8} {'lean/md':>8}")
    for path in paths:
        full, lean, markdown = sizes(path)
        print(
            f"{path.stem:<24} {full:>7} {lean:>7} {markdown:>7} "
            f"{full / markdown:>8.2f} {lean / markdown:>8.2f}"
        )
    print(f"target: json/md <= {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

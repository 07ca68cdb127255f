"""Size of each design's JSON against the markdown rendered from it (target: at most 1/2).

Run: .venv/bin/python bench/plan_size.py [DESIGN.json ...]
Prints, per design (the fixture designs by default), the lean JSON the model writes (compact,
keys at their default left out, as the tool schema allows), the markdown rendered from it,
their ratio, and for reference the compact JSON with every key written out.
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
    """Characters of the lean design JSON, of its markdown, and of the JSON with every key."""
    plan = DatabasePlan.model_validate_json(path.read_text(encoding="utf-8"))
    markdown = render_markdown(plan, model="claude-opus-5-5")
    lean = len(plan.model_dump_json(exclude_defaults=True))
    return lean, len(markdown), len(plan.model_dump_json())


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(ROOT.glob("fixtures/designs/*.json"))
    print(f"{'design':<20} {'lean json':>9} {'markdown':>9} {'lean/md':>8} {'all keys':>9}")
    for path in paths:
        lean, markdown, full = sizes(path)
        print(f"{path.stem:<20} {lean:>9} {markdown:>9} {lean / markdown:>8.3f} {full:>9}")
    print(f"target: lean/md <= {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

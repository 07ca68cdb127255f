"""Entity diagrams of a plan: Unicode boxes joined by crow's-foot lines, and Mermaid erDiagram.

The drawer (`draw`) is a pure function over boxes and links, so it knows nothing of the plan
schema; `entity_diagram` and `mermaid_er` adapt a DatabasePlan to it.

Layout: boxes sit in rows of up to three, in the plan's table order. A link is drawn as a line
only where its two boxes touch (side by side in a row, or one above the other in a column);
every link, drawn or not, is also listed under the drawing, because wiring lines across a grid
of 5-12 boxes crosses other boxes and stops being readable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from agent.plan import Column, DatabasePlan, Entity
from agent.relations import relations

GAP = 7
MAX_COLUMNS = 3
MIN_INNER = 15


@dataclass(frozen=True)
class Box:
    """One table: its name and one label per column, e.g. `id (PK)`, `user_id (FK)`."""

    name: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Link:
    """A foreign key from `child.column` to the parent's key; one_to_one when it is unique."""

    parent: str
    child: str
    column: str
    one_to_one: bool = False


def draw(
    boxes: Sequence[Box],
    links: Sequence[Link],
    *,
    max_width: int = 100,
    joins: Sequence[tuple[str, str, str]] = (),
) -> str:
    """Draw the boxes in rows, join touching related boxes, and list every link below.

    `joins` are many-to-many pairs (a, b, junction), listed after the links.
    """
    if not boxes:
        return "(no tables)"
    inner = max(MIN_INNER, *(len(b.name) + 2 for b in boxes), *(_label_width(b) for b in boxes))
    width = inner + 2
    columns = max(1, min(MAX_COLUMNS, (max_width + GAP) // (width + GAP), len(boxes)))
    rows = [list(boxes[i : i + columns]) for i in range(0, len(boxes), columns)]

    out = _paint(rows, links, width)
    listing = relationship_lines(links, joins)
    if listing:
        out += ["", "Relationships:", *listing]
    return "\n".join(out)


def relationship_lines(
    links: Sequence[Link], joins: Sequence[tuple[str, str, str]] = ()
) -> list[str]:
    """Aligned lines: `users 1──< posts (user_id)` per link, `posts >──< tags (via post_tags)`."""
    rows = [
        (link.parent, "1──1" if link.one_to_one else "1──<", link.child, link.column)
        for link in links
    ]
    rows += [(a, ">──<", b, f"via {junction}") for a, b, junction in joins]
    if not rows:
        return []
    left = max(len(row[0]) for row in rows)
    right = max(len(row[2]) for row in rows)
    return [f"{a:<{left}} {arrow} {b:<{right}} ({via})" for a, arrow, b, via in rows]


def box_lines(box: Box, width: int) -> list[str]:
    """The lines of one box, all exactly `width` characters wide."""
    inner = width - 2
    body = [f"│ {label:<{inner - 1}}│" for label in box.labels]
    return [
        "┌" + "─" * inner + "┐",
        "│" + box.name.center(inner) + "│",
        "├" + "─" * inner + "┤",
        *body,
        "└" + "─" * inner + "┘",
    ]


def _label_width(box: Box) -> int:
    return max((len(label) + 2 for label in box.labels), default=0)


def _link_between(a: Box, b: Box, links: Sequence[Link]) -> Link | None:
    """The first link joining two boxes, in either direction (a self-link never joins two)."""
    for link in links:
        if {link.parent, link.child} == {a.name, b.name} and a.name != b.name:
            return link
    return None


def _anchor(box: Box, link: Link) -> int:
    """The line (inside the box) a horizontal connector leaves from: the FK label or the PK."""
    if box.name == link.child:
        wanted = link.column.split(",")[0].strip()
        for i, label in enumerate(box.labels):
            if label.split(" ")[0] == wanted:
                return 3 + i
    for i, label in enumerate(box.labels):
        if "PK" in label:
            return 3 + i
    return 1


def _offsets(row: Sequence[Box], links: Sequence[Link]) -> tuple[list[int], list[int | None]]:
    """Vertical shift of each box so joined labels share a line, and each connector's line."""
    shift = [0] * len(row)
    for i in range(len(row) - 1):
        link = _link_between(row[i], row[i + 1], links)
        if link is not None:
            shift[i + 1] = shift[i] + _anchor(row[i], link) - _anchor(row[i + 1], link)
        else:
            shift[i + 1] = shift[i]
    lowest = min(shift)
    shift = [s - lowest for s in shift]

    wires: list[int | None] = []
    for i in range(len(row) - 1):
        link = _link_between(row[i], row[i + 1], links)
        wires.append(None if link is None else shift[i] + _anchor(row[i], link))
    return shift, wires


def _connector(left: Box, link: Link) -> str:
    if link.one_to_one:
        return "──1:1──"
    return "──────<" if link.parent == left.name else ">──────"


class _Canvas:
    """A grid of characters that boxes and wires are painted on."""

    def __init__(self, width: int, height: int) -> None:
        self.cells = [[" "] * width for _ in range(height)]

    def text(self, x: int, y: int, text: str) -> None:
        self.cells[y][x : x + len(text)] = list(text)

    def render(self) -> list[str]:
        return ["".join(row).rstrip() for row in self.cells]


def _row_tops(rows: list[list[Box]], links: Sequence[Link]) -> list[int]:
    """The top line of each row; rows joined by a vertical arrow leave three lines for it."""
    tops, y = [], 0
    for index, row in enumerate(rows):
        tops.append(y)
        below = rows[index + 1] if index + 1 < len(rows) else []
        vertical = any(_link_between(a, b, links) for a, b in zip(row, below, strict=False))
        y += _row_height(row, links) + (3 if vertical else 1)
    return tops


def _paint(rows: list[list[Box]], links: Sequence[Link], width: int) -> list[str]:
    """Paint every box, the connectors inside each row and the arrows between rows."""
    tops = _row_tops(rows, links)
    total_width = max(len(r) for r in rows) * (width + GAP) - GAP
    canvas = _Canvas(total_width, tops[-1] + _row_height(rows[-1], links))
    placed: dict[tuple[int, int], tuple[int, int]] = {}

    for r, row in enumerate(rows):
        shift, wires = _offsets(row, links)
        for c, box in enumerate(row):
            x, y = c * (width + GAP), tops[r] + shift[c]
            placed[r, c] = (y, y + len(box.labels) + 3)
            for dy, line in enumerate(box_lines(box, width)):
                canvas.text(x, y + dy, line)
        for c, wire in enumerate(wires):
            link = _link_between(row[c], row[c + 1], links)
            if wire is not None and link is not None:
                canvas.text(c * (width + GAP) + width, tops[r] + wire, _connector(row[c], link))

    for r in range(len(rows) - 1):
        for c, (upper, lower) in enumerate(zip(rows[r], rows[r + 1], strict=False)):
            link = _link_between(upper, lower, links)
            if link is not None:
                x = c * (width + GAP) + width // 2
                _arrow(canvas, x, placed[r, c][1] + 1, placed[r + 1, c][0] - 1, link, upper)
    return canvas.render()


def _row_height(row: list[Box], links: Sequence[Link]) -> int:
    shift, _ = _offsets(row, links)
    return max(s + len(b.labels) + 4 for s, b in zip(shift, row, strict=True))


def _arrow(canvas: _Canvas, x: int, start: int, end: int, link: Link, upper: Box) -> None:
    """A vertical wire from line start to end, the arrow head touching the child box."""
    for y in range(start, end + 1):
        canvas.text(x, y, "│")
    if link.one_to_one:
        canvas.text(x + 2, (start + end) // 2, "1:1")
    elif link.parent == upper.name:
        canvas.text(x, end, "▼")
        canvas.text(x + 2, end - 1, "1:N")
    else:
        canvas.text(x, start, "▲")
        canvas.text(x + 2, start + 1, "N:1")


def boxes(plan: DatabasePlan) -> list[Box]:
    """One box per entity, in plan order, each column labelled with its PK / FK / UNIQUE marks."""
    result = []
    for entity in plan.entities:
        labels = []
        for column in entity.columns:
            marks = [m for m, on in _MARKS if on(column)]
            labels.append(f"{column.name} ({', '.join(marks)})" if marks else column.name)
        result.append(Box(entity.table, tuple(labels)))
    return result


def links(plan: DatabasePlan) -> list[Link]:
    """One link per foreign key column (the DDL's truth), one-to-one when the column is unique."""
    return [
        Link(
            column.foreign_key.table, entity.table, column.name, one_to_one=_single(entity, column)
        )
        for entity in plan.entities
        for column in entity.columns
        if column.foreign_key is not None
    ]


def joins(plan: DatabasePlan) -> list[tuple[str, str, str]]:
    """The many-to-many pairs of the plan's relationships, with their junction table."""
    return [(r.parent, r.child, r.through) for r in relations(plan) if r.through]


def entity_diagram(plan: DatabasePlan) -> str:
    """The box drawing of the plan, with its relationship list."""
    return draw(boxes(plan), links(plan), joins=joins(plan))


def mermaid_er(plan: DatabasePlan) -> str:
    """A Mermaid erDiagram of the plan: entities with typed, keyed attributes and relationships."""
    lines = ["erDiagram"]
    for entity in plan.entities:
        for column in entity.columns:
            fk = column.foreign_key
            if fk is None:
                continue
            left = "|o" if column.nullable else "||"
            right = "o|" if _single(entity, column) else "o{"
            lines.append(f'    {fk.table} {left}--{right} {entity.table} : "{column.name}"')

    for entity in plan.entities:
        lines.append(f"    {entity.table} {{")
        for column in entity.columns:
            keys = ", ".join(k for k, on in _MERMAID_KEYS if on(column))
            kind = column.enum if column.type == "enum" else column.type
            lines.append(f"        {kind} {column.name}{' ' + keys if keys else ''}")
        lines.append("    }")
    return "\n".join(lines)


def _single(entity: Entity, column: Column) -> bool:
    """True when at most one row may hold a value: a unique column, or the whole primary key."""
    keys = [c.name for c in entity.columns if c.primary_key]
    return column.unique or keys == [column.name]


_MARKS: tuple[tuple[str, Callable[[Column], bool]], ...] = (
    ("PK", lambda c: c.primary_key),
    ("FK", lambda c: c.foreign_key is not None),
    ("UNIQUE", lambda c: c.unique),
)
_MERMAID_KEYS = (("PK", _MARKS[0][1]), ("FK", _MARKS[1][1]), ("UK", _MARKS[2][1]))

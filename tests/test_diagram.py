"""The entity diagram: boxes stay intact and aligned, every link is drawn or listed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.diagram import Box, Link, box_lines, draw, relationship_lines

USERS = Box("users", ("id (PK)", "email (UNIQUE)", "password_hash", "created_at"))
TOKENS = Box("tokens", ("id (PK)", "user_id (FK)", "token", "expires_at"))
POSTS = Box("posts", ("id (PK)", "user_id (FK)", "title"))
TAGS = Box("tags", ("id (PK)", "name (UNIQUE)"))


def find_boxes(drawing: str) -> dict[str, tuple[int, int, int, int]]:
    """Every intact rectangle in a drawing by title: (top, left, bottom, right)."""
    grid = drawing.split("\n")
    width = max(len(line) for line in grid)
    grid = [line.ljust(width) for line in grid]
    found = {}
    for top, line in enumerate(grid):
        for left, char in enumerate(line):
            if char != "┌":
                continue
            right = line.index("┐", left)
            assert set(line[left + 1 : right]) == {"─"}, f"broken top edge at line {top}"
            bottom = top + 1
            while grid[bottom][left] != "└":
                assert grid[bottom][left] in "│├", f"broken left edge at line {bottom}"
                assert grid[bottom][right] in "│┤", f"broken right edge at line {bottom}"
                bottom += 1
            assert grid[bottom][left : right + 1] == "└" + "─" * (right - left - 1) + "┘"
            found[grid[top + 1][left + 1 : right].strip()] = (top, left, bottom, right)
    return found


def test_box_lines_share_one_width() -> None:
    lines = box_lines(USERS, 20)

    assert {len(line) for line in lines} == {20}
    assert lines[1].strip("│").strip() == "users"
    assert len(lines) == len(USERS.labels) + 4


def test_parent_and_child_side_by_side_are_joined_on_the_key_lines() -> None:
    drawing = draw([USERS, TOKENS], [Link("users", "tokens", "user_id")])

    joined = [line for line in drawing.split("\n") if "──────<" in line]
    assert len(joined) == 1
    assert "id (PK)" in joined[0].split("──────<")[0]
    assert "user_id (FK)" in joined[0].split("──────<")[1]


def test_child_left_of_parent_points_the_crows_foot_left() -> None:
    drawing = draw([TOKENS, USERS], [Link("users", "tokens", "user_id")])

    joined = [line for line in drawing.split("\n") if ">──────" in line]
    assert len(joined) == 1
    assert "user_id (FK)" in joined[0].split(">──────")[0]


def test_box_over_its_child_gets_a_downward_arrow() -> None:
    drawing = draw([USERS, TAGS, Box("x", ("a",)), POSTS], [Link("users", "posts", "user_id")])
    boxes = find_boxes(drawing)
    lines = drawing.split("\n")

    users_bottom, posts_top = boxes["users"][2], boxes["posts"][0]
    between = lines[users_bottom + 1 : posts_top]
    assert any("▼" in line for line in between)
    assert any("1:N" in line for line in between)


def test_one_to_one_link_is_marked_both_ways() -> None:
    link = Link("users", "profiles", "user_id", one_to_one=True)
    drawing = draw([USERS, Box("profiles", ("id (PK)", "user_id (FK, UNIQUE)"))], [link])

    assert "──1:1──" in drawing
    assert relationship_lines([link]) == ["users 1──1 profiles (user_id)"]


def test_every_link_is_listed_aligned_below_the_drawing() -> None:
    links = [Link("users", "posts", "user_id"), Link("tags", "posts", "tag_id")]
    drawing = draw([USERS, POSTS, TAGS], links)

    listing = drawing.split("Relationships:\n")[1].split("\n")
    assert listing == ["users 1──< posts (user_id)", "tags  1──< posts (tag_id)"]


def test_rows_hold_at_most_three_boxes_and_wrap_on_width() -> None:
    many = [Box(f"table_{i}", ("id (PK)",)) for i in range(7)]

    wide = find_boxes(draw(many, []))
    narrow = find_boxes(draw(many, [], max_width=40))

    assert len({top for top, *_ in wide.values()}) == 3
    assert len({top for top, *_ in narrow.values()}) == 7


def test_no_tables_says_so() -> None:
    assert draw([], []) == "(no tables)"


names = st.sampled_from([f"t{i}" for i in range(8)])


@st.composite
def schemas(draw_: st.DrawFn) -> tuple[list[Box], list[Link]]:
    tables = draw_(st.lists(names, min_size=1, max_size=8, unique=True))
    boxes = []
    for name in tables:
        extra = draw_(st.lists(st.sampled_from(["a", "bb_long_name", "c (UNIQUE)"]), max_size=4))
        fks = [f"{other}_id (FK)" for other in tables if draw_(st.booleans())]
        boxes.append(Box(name, ("id (PK)", *fks, *extra)))
    links = [
        Link(label.split("_id")[0], box.name, label.split(" ")[0], draw_(st.booleans()))
        for box in boxes
        for label in box.labels
        if "(FK)" in label
    ]
    return boxes, links


@settings(max_examples=150, deadline=None)
@given(schemas())
def test_any_schema_draws_every_box_intact_and_lists_every_link(
    schema: tuple[list[Box], list[Link]],
) -> None:
    boxes, links = schema
    drawing = draw(boxes, links)

    assert set(find_boxes(drawing)) == {box.name for box in boxes}
    for box in boxes:
        for label in box.labels:
            assert f"│ {label} " in drawing
    listed = drawing.split("Relationships:\n")[1].split("\n") if links else []
    assert len(listed) == len(links)

"""The design schema: validation of shape, and the strict JSON Schema the model is given."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import agent.plan
from agent.plan import SCHEMA_PATH, Column, DatabasePlan, Operation, schema_text

SMALL = Path(__file__).parent / "data" / "plan_small.json"

# Keywords outside what strict tool schemas accept (numeric and length bounds, composition
# the grammar does not take).
FORBIDDEN = {
    "oneOf",
    "not",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "maxItems",
    "uniqueItems",
    "patternProperties",
    "discriminator",
}


def small() -> dict[str, Any]:
    return json.loads(SMALL.read_text(encoding="utf-8"))


def test_small_plan_validates_with_its_sections() -> None:
    plan = DatabasePlan.model_validate(small())

    assert [e.table for e in plan.entities] == ["users", "posts", "post_tags", "tags"]
    assert [m.id for m in plan.migrations] == ["001", "002"]
    assert plan.entity("post_tags").columns[0].primary_key
    assert sum(c.primary_key for c in plan.entity("post_tags").columns) == 2
    assert plan.enums[0].values == ["draft", "published", "archived"]
    assert plan.indexes[1].where == "is_active = true"


def test_plan_round_trips_through_json() -> None:
    plan = DatabasePlan.model_validate(small())

    again = DatabasePlan.model_validate_json(plan.model_dump_json())

    assert again == plan


def test_defaults_fill_what_a_hand_written_plan_leaves_out() -> None:
    plan = DatabasePlan.model_validate(
        {
            "overview": {"database": "sqlite"},
            "entities": [
                {
                    "table": "notes",
                    "class_name": "Note",
                    "columns": [{"name": "id", "type": "uuid", "primary_key": True}],
                }
            ],
            "migrations": [
                {
                    "id": "001",
                    "title": "Create notes",
                    "operations": [{"action": "create_table", "table": "notes"}],
                }
            ],
        }
    )

    assert plan.overview.orm == "sqlmodel"
    assert plan.entities[0].status == "new"
    assert plan.entities[0].columns[0].nullable is False


def test_exported_schema_matches_the_model() -> None:
    written = SCHEMA_PATH.read_text(encoding="utf-8")

    assert written == schema_text(), "schema drifted: run `python -m agent.plan` to regenerate"


def _walk(node: Any, path: str = "$") -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        found.append((path, node))
        for key, value in node.items():
            if key in ("properties", "$defs"):
                for name, item in value.items():
                    found.extend(_walk(item, f"{path}.{key}.{name}"))
            else:
                found.extend(_walk(value, f"{path}.{key}"))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found.extend(_walk(item, f"{path}[{i}]"))
    return found


def _models() -> dict[str, type[BaseModel]]:
    """Return the plan's Pydantic classes by name, as they appear in the schema's $defs."""
    return {
        name: value
        for name, value in vars(agent.plan).items()
        if isinstance(value, type) and issubclass(value, BaseModel)
    }


def test_schema_keeps_strict_tool_rules() -> None:
    schema = DatabasePlan.tool_schema()
    nodes = _walk(schema)
    objects = [(p, n) for p, n in nodes if n.get("type") == "object" or "properties" in n]

    assert schema["type"] == "object"
    assert len(objects) == 18
    for path, node in objects:
        assert node.get("additionalProperties") is False, path
    for path, node in nodes:
        bad = FORBIDDEN & set(node)
        assert not bad, f"{path} uses {bad}"
        if "minItems" in node:
            assert node["minItems"] in (0, 1), path


def test_schema_requires_exactly_the_fields_without_a_default() -> None:
    schema = DatabasePlan.tool_schema()
    models = _models()
    objects = {"DatabasePlan": schema, **schema["$defs"]}

    for name, node in objects.items():
        fields = models[name].model_fields
        without_default = [field for field, info in fields.items() if info.is_required()]
        assert node["required"] == without_default, name
        assert list(node["properties"]) == list(fields), name
    assert schema["required"] == ["overview", "entities", "migrations"]
    assert objects["Column"]["required"] == ["name", "type"]
    assert objects["Operation"]["required"] == ["action"]


def test_optional_properties_offer_no_null() -> None:
    schema = DatabasePlan.tool_schema()
    nullable = [
        f"{path}.{name}"
        for path, node in _walk(schema)
        for name, prop in node.get("properties", {}).items()
        if name not in node["required"]
        and any(n.get("type") == "null" or "null" in n.get("type", []) for _, n in _walk(prop))
    ]
    unions = [
        f"{path}.{name}"
        for path, node in _walk(schema)
        for name, prop in node.get("properties", {}).items()
        if "anyOf" in prop or isinstance(prop.get("type"), list)
    ]

    assert nullable == []
    # Only a literal default may be a string, a number or a boolean.
    assert unions == ["$.$defs.Default.value"]


def test_omitted_and_null_optional_fields_validate_alike() -> None:
    bare = {"name": "x", "type": "string", "length": 10}
    with_nulls = {**bare, "enum": None, "default": None, "check": None, "foreign_key": None}

    assert Column.model_validate(bare) == Column.model_validate(with_nulls)
    assert Column.model_validate(bare).description == ""


def test_schema_has_no_recursion() -> None:
    schema = DatabasePlan.tool_schema()
    defs = schema["$defs"]

    def refs(node: Any) -> set[str]:
        return {n["$ref"].rsplit("/", 1)[1] for _, n in _walk(node) if "$ref" in n}

    def reaches(start: str, seen: frozenset[str]) -> bool:
        return any(name in seen or reaches(name, seen | {name}) for name in refs(defs[start]))

    assert all(not reaches(name, frozenset({name})) for name in defs)


def test_every_property_tells_the_model_what_it_is() -> None:
    schema = DatabasePlan.tool_schema()
    undocumented = [
        f"{path}.{name}"
        for path, node in _walk(schema)
        for name, prop in node.get("properties", {}).items()
        if not isinstance(prop, dict) or not prop.get("description")
    ]

    assert undocumented == []


def column(**fields: Any) -> dict[str, Any]:
    return {"name": "x", "type": "text", **fields}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"type": "string"}, "length goes with type 'string'"),
        ({"type": "text", "length": 10}, "length goes with type 'string'"),
        ({"type": "numeric", "precision": 4, "scale": 6}, r"numeric\(4, 6\)"),
        ({"type": "numeric", "precision": 4}, "precision and scale"),
        ({"type": "enum"}, "enum names a type"),
        ({"default": {"kind": "now"}}, "default 'now' needs type"),
        ({"type": "integer", "default": {"kind": "new_uuid"}}, "default 'new_uuid'"),
        ({"default": {"kind": "value"}}, "needs a value"),
        ({"name": "has space"}, "not a plain identifier"),
        ({"name": "c" * 64}, "shorten it to 63"),
        ({"check": "  "}, "check is empty"),
    ],
)
def test_column_shape_errors_name_the_fix(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Column.model_validate(column(**fields))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"action": "add_column", "table": "t"}, "needs column"),
        ({"action": "create_table", "table": "t", "column": "c"}, "takes no column"),
        ({"action": "create_index", "table": "t", "columns": []}, "empty columns"),
        ({"action": "raw_sql", "dialect": "any", "sql": "SELECT 1"}, "needs down_sql"),
        ({"action": "add_constraint", "table": "t", "column": "c"}, "needs constraint"),
    ],
)
def test_operation_fields_follow_the_action(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Operation.model_validate(fields)


def test_plan_level_shape_errors() -> None:
    data = small()
    data["entities"].append(data["entities"][0])
    with pytest.raises(ValidationError, match="entity table appears more than once: users"):
        DatabasePlan.model_validate(data)

    data = small()
    data["migrations"].reverse()
    with pytest.raises(ValidationError, match="not in id order"):
        DatabasePlan.model_validate(data)

    data = small()
    data["enums"][0]["values"] = []
    with pytest.raises(ValidationError, match="enum has no values"):
        DatabasePlan.model_validate(data)

    data = small()
    data["entities"][0]["columns"][0]["primary_key"] = False
    with pytest.raises(ValidationError, match="'users' has no primary key"):
        DatabasePlan.model_validate(data)


def test_unknown_keys_are_refused() -> None:
    data = small()
    data["entities"][0]["columns"][0]["autoincrement"] = True

    with pytest.raises(ValidationError, match="autoincrement"):
        DatabasePlan.model_validate(data)

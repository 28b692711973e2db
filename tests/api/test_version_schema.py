"""PATCH /api/v1/models/{name}/versions/{ref}/schema: a data scientist edits a version's input schema
(required or not, allowed values, description); every refusal names its field."""

from __future__ import annotations

from typing import Any

import pytest

from modelport.columns import ColumnSpec, ModelSchema
from modelport.errors import InvalidArgument
from modelport.schemas import Role, SchemaEdit
from modelport.services.catalog import apply_schema_edit
from tests.conftest import add_user
from tests.mixed import PLANS, Mixed

URL = "/api/v1/models/plans/versions/1/schema"


def _columns(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in body["input_schema"]["columns"]}


def test_edit_then_read_back_and_audit(mixed: Mixed) -> None:
    c = mixed.client
    edit = {
        "columns": [
            {
                "name": "zip",
                "nullable": False,
                "description": "Postal code",
                "categories": ["01234", "2A004"],
            },
            {"name": "plan", "categories": None},
        ]
    }
    response = c.patch(URL, json=edit, headers=mixed.ds.headers)
    assert response.status_code == 200, response.text
    changed = _columns(response.json())
    assert changed["zip"]["nullable"] is False and changed["zip"]["description"] == "Postal code"
    assert changed["zip"]["categories"] == ["01234", "2A004"]
    assert changed["plan"].get("categories") is None  # null removes them
    assert changed["tenure"]["nullable"] is True  # columns left out are left as they were
    again = c.get("/api/v1/models/plans/versions/champion", headers=mixed.viewer.headers).json()
    assert _columns(again) == changed
    admin = add_user(mixed.ctx, "root", Role.admin)
    events = c.get("/api/v1/audit", params={"action": "version.schema"}, headers=admin.headers).json()[
        "items"
    ]
    assert len(events) == 1
    assert events[0]["actor"] == "ds" and events[0]["target"] == "plans"
    assert events[0]["details"]["version"] == 1
    assert events[0]["details"]["columns"] == {
        "zip": ["categories", "description", "nullable"],
        "plan": ["categories"],
    }


def test_allowed_values_on_a_number_column_are_refused(mixed: Mixed) -> None:
    response = mixed.client.patch(
        URL, json={"columns": [{"name": "tenure", "categories": ["1"]}]}, headers=mixed.ds.headers
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "columns[0].categories"
    assert "type number" in error["message"]


def test_allowed_values_of_an_integer_column_are_integers() -> None:
    schema = ModelSchema(columns=[ColumnSpec(name="store", type="integer")])
    edit = SchemaEdit.model_validate({"columns": [{"name": "store", "categories": ["+7", " 12", "007"]}]})
    edited, changed = apply_schema_edit(schema, edit)
    assert edited.columns[0].categories == ["7", "12"]
    assert changed == {"store": ["categories"]}
    with pytest.raises(InvalidArgument, match="'x' is not one") as caught:
        apply_schema_edit(
            schema, SchemaEdit.model_validate({"columns": [{"name": "store", "categories": ["x"]}]})
        )
    assert caught.value.field == "columns[0].categories"


@pytest.mark.parametrize(
    ("edit", "field", "text"),
    [
        (
            {"columns": [{"name": "plan"}, {"name": "colour", "nullable": True}]},
            "columns[1].name",
            "'colour'",
        ),
        ({"columns": [{"name": "plan"}, {"name": "plan"}]}, "columns[1].name", "given twice"),
        ({"columns": [{"name": "plan", "categories": ["a", "a"]}]}, "columns[0].categories", "'a'"),
        ({"columns": [{"name": "autopay", "categories": ["x"]}]}, "columns[0].categories", "boolean"),
        ({"columns": [{"name": "plan", "categories": []}]}, "columns.0.categories", ""),
        ({"columns": [{"name": "plan", "colour": 1}]}, "columns.0.colour", ""),
        ({"columns": []}, "columns", ""),
    ],
)
def test_refusals_name_the_field(mixed: Mixed, edit: dict[str, Any], field: str, text: str) -> None:
    response = mixed.client.patch(URL, json=edit, headers=mixed.ds.headers)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == field
    assert text in error["message"]
    plan = _columns(mixed.client.get(URL.removesuffix("/schema"), headers=mixed.ds.headers).json())["plan"]
    assert plan["categories"] == PLANS  # nothing half-written


def test_who_may_edit(mixed: Mixed) -> None:
    c = mixed.client
    edit = {"columns": [{"name": "plan", "description": "x"}]}
    assert c.patch(URL, json=edit, headers=mixed.analyst.headers).status_code == 403
    assert c.patch(URL, json=edit, headers=mixed.viewer.headers).status_code == 403
    outsider = add_user(mixed.ctx, "other-ds", Role.data_scientist, "finance")
    assert c.patch(URL, json=edit, headers=outsider.headers).status_code == 403
    colleague = add_user(mixed.ctx, "colleague", Role.data_scientist, "marketing")
    assert c.patch(URL, json=edit, headers=colleague.headers).status_code == 200
    admin = add_user(mixed.ctx, "root", Role.admin)
    assert c.patch(URL, json=edit, headers=admin.headers).status_code == 200
    missing = c.patch("/api/v1/models/plans/versions/9/schema", json=edit, headers=admin.headers)
    assert missing.status_code == 404

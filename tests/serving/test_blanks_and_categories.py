"""Online predictions with blanks, booleans as people write them, and values the model does not know:
the schema inferred at registration, and its edit by a data scientist, decide what is scored."""

from __future__ import annotations

from typing import Any

from tests.mixed import PLANS, Mixed


def _predict(mixed: Mixed, *rows: dict[str, Any]) -> Any:
    return mixed.client.post(
        "/api/v1/deployments/plans-fr/predict", json={"inputs": list(rows)}, headers=mixed.analyst.headers
    )


def _row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"tenure": 12, "plan": "basic", "autopay": True, "zip": "01234"}
    row.update(changes)
    return row


def test_the_inferred_schema(mixed: Mixed) -> None:
    version = mixed.client.get("/api/v1/models/plans/versions/champion", headers=mixed.viewer.headers).json()
    columns = {c["name"]: c for c in version["input_schema"]["columns"]}
    assert {name: (c["type"], c["nullable"]) for name, c in columns.items()} == {
        "tenure": ("number", True),  # imputed by the pipeline (and blank once in the sample)
        "plan": ("string", True),  # one-hot encoded, unknown values ignored
        "autopay": ("boolean", False),  # passed through to a logistic regression
        "zip": ("string", True),  # not used by the model
    }
    assert columns["plan"]["categories"] == PLANS and columns["plan"]["on_unknown_category"] == "flag"
    assert columns["zip"].get("categories") is None


def test_a_blank_the_pipeline_imputes_is_scored(mixed: Mixed) -> None:
    answer = _predict(mixed, _row(tenure=None), _row())
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert len(body["predictions"]) == 2 and body["warnings"] == []


def test_a_blank_the_model_cannot_take_is_refused(mixed: Mixed) -> None:
    answer = _predict(mixed, _row(autopay=None))
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "inputs[0].autopay"


def test_booleans_in_their_usual_spellings(mixed: Mixed) -> None:
    spellings = ["true", "FALSE", "yes", "No", "Y", "n", "1", "0", 1, 0, "vrai", "faux", "oui", "non"]
    answer = _predict(mixed, *[_row(autopay=value) for value in spellings])
    assert answer.status_code == 200, answer.text
    reference = _predict(mixed, *[_row(autopay=value) for value in [True, False] * 7]).json()
    assert answer.json()["probabilities"] == reference["probabilities"]
    refused = _predict(mixed, _row(autopay="maybe"))
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "inputs[0].autopay"


def test_an_unknown_plan_is_scored_with_a_warning(mixed: Mixed) -> None:
    answer = _predict(mixed, _row(), _row(plan="enterprise"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert len(body["predictions"]) == 2
    assert body["warnings"] == [
        {
            "row": 1,
            "column": "plan",
            "value": "enterprise",
            "reason": "not one of the 3 known values ('basic', 'plus', 'pro')",
        }
    ]


def test_the_data_scientist_edits_the_schema(mixed: Mixed) -> None:
    c = mixed.client
    edit = {
        "columns": [
            {"name": "plan", "categories": [*PLANS, "enterprise"], "description": "Subscription plan"},
            {"name": "tenure", "nullable": False},
        ]
    }
    response = c.patch("/api/v1/models/plans/versions/champion/schema", json=edit, headers=mixed.ds.headers)
    assert response.status_code == 200, response.text
    columns = {col["name"]: col for col in response.json()["input_schema"]["columns"]}
    assert columns["plan"]["categories"] == [*PLANS, "enterprise"]
    assert columns["plan"]["description"] == "Subscription plan"
    assert columns["tenure"]["nullable"] is False
    # the online path sees the change at once (its cache is cleared on commit)
    assert _predict(mixed, _row(plan="enterprise")).json()["warnings"] == []
    refused = _predict(mixed, _row(tenure=None))
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "inputs[0].tenure"

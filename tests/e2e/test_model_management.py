"""Everyday management of a model in the web app, in Chromium, against a real server (issue 8).

A data scientist edits a model's card and its input schema (a column made optional, allowed values
set) and sees both on the model page and in the run form; deleting the model is refused while a
deployment uses it, with the message naming it; a viewer is offered none of it. Every user reaches
their own API tokens from the user menu; an admin sets a user's department.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Locator, Page, expect
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from tests.e2e.conftest import Api
from tests.e2e.helpers import check_accessibility, screenshot, sign_in, url_matching

MODEL = "e2e-store-promo"
DEPLOYMENT = "e2e-store-promo-fr"
TITLE = "Store promotion response"


def _register(ds_api: Api, folder: Path) -> None:
    """A model whose pipeline one-hot encodes `channel` and leaves `region` out, deployed for FR."""
    rng = np.random.default_rng(3)
    n = 200
    frame = pd.DataFrame(
        {
            "shelf_price": rng.uniform(1, 10, n).round(2),
            "promo_depth": rng.uniform(0, 0.5, n).round(3),
            "channel": rng.choice(["web", "shop"], n),
            "region": [f"r{i:03d}" for i in range(n)],
        }
    )
    target = (frame["promo_depth"] * 10 + (frame["channel"] == "web") + rng.normal(0, 1, n) > 2.5).astype(int)
    pipeline = Pipeline(
        [
            (
                "prep",
                ColumnTransformer(
                    [
                        ("channel", OneHotEncoder(handle_unknown="ignore"), ["channel"]),
                        ("numbers", "passthrough", ["shelf_price", "promo_depth"]),
                    ],
                    remainder="drop",
                ),
            ),
            ("model", LogisticRegression(max_iter=500)),
        ]
    ).fit(frame, target)
    model_file = folder / "store-promo.joblib"
    joblib.dump(pipeline, model_file)
    sample = folder / "sample.csv"
    frame.head(10).to_csv(sample, index=False)

    res = ds_api.post(
        "/api/v1/models",
        json={"name": MODEL, "title": "Store promo", "department": "marketing", "markets": ["FR"]},
    )
    assert res.status_code == 201, res.text
    with model_file.open("rb") as f, sample.open("rb") as s:
        res = ds_api.post(
            f"/api/v1/models/{MODEL}/versions",
            files={"file": (model_file.name, f), "sample": (sample.name, s, "text/csv")},
            data={"meta": json.dumps({"aliases": ["champion"]})},
        )
    assert res.status_code == 201, res.text
    res = ds_api.post(
        "/api/v1/deployments", json={"name": DEPLOYMENT, "model": MODEL, "alias": "champion", "market": "FR"}
    )
    assert res.status_code == 201, res.text


@pytest.fixture(scope="module")
def managed_model(ds_api: Api, tmp_path_factory: pytest.TempPathFactory) -> str:
    if ds_api.get(f"/api/v1/models/{MODEL}").status_code == 404:
        _register(ds_api, tmp_path_factory.mktemp("store-promo"))
    return MODEL


def _schema_row(page: Page, column: str) -> Locator:
    inputs = page.get_by_role("heading", name="Inputs", exact=True).locator("xpath=..")
    return inputs.get_by_role("row").filter(has=page.locator("code", has_text=column))


def test_data_scientist_edits_the_card_and_the_schema(
    page: Page, app_url: str, output_path: str, ds_api: Api, managed_model: str
) -> None:
    before = ds_api.get(f"/api/v1/models/{managed_model}/versions/champion").json()["input_schema"]["columns"]
    region = next(c for c in before if c["name"] == "region")
    assert region["categories"] is None, "a sample of 10 rows gives no allowed values"
    channel = next(c for c in before if c["name"] == "channel")
    assert channel["categories"] == ["shop", "web"], "the one-hot encoder's categories"

    sign_in(page, app_url, "ds", f"/models/{managed_model}")
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=1)).to_have_text("Store promo")

    # The card: title, description (Markdown), use case.
    main.get_by_role("button", name="Edit the card").click()
    dialog = page.get_by_role("dialog", name=f"Edit the card of {managed_model}")
    dialog.get_by_test_id("field-title").fill(TITLE)
    dialog.get_by_test_id("field-description").fill("## Purpose\n\nRanks the **promotions** stores propose.")
    dialog.get_by_label("Use case").fill("Trade promotion planning")
    check_accessibility(page, "edit the card")
    screenshot(page, output_path, "edit-card")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_have_count(0)
    expect(main.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(main.get_by_role("heading", name="Purpose")).to_be_visible()
    expect(main.locator("strong", has_text="promotions")).to_be_visible()
    expect(main).to_contain_text("Trade promotion planning")

    # The schema: shelf_price made optional; region's allowed values set, and described.
    main.get_by_role("button", name="Edit the inputs").click()
    editor = page.get_by_role("dialog", name=f"Inputs of {managed_model} v1")
    required = editor.get_by_role("switch", name="shelf_price is required")
    expect(required).to_be_checked()
    required.click()
    expect(required).not_to_be_checked()
    values = editor.get_by_role("combobox", name="Allowed values of region")
    values.fill("north")
    values.press("Enter")
    values.fill("south")
    values.press("Enter")
    editor.get_by_role("textbox", name="Description of region").fill("Sales region of the store")
    # Allowed values apply to text and integer columns only.
    expect(editor.get_by_role("combobox", name="Allowed values of shelf_price")).to_have_count(0)
    check_accessibility(page, "schema editor")
    screenshot(page, output_path, "schema-editor")
    editor.get_by_role("button", name="Save").click()
    expect(editor).to_have_count(0)

    expect(_schema_row(page, "shelf_price").get_by_role("cell").last).to_have_text("Yes")
    row = _schema_row(page, "region")
    expect(row).to_contain_text("north, south")
    expect(row).to_contain_text("Sales region of the store")
    after = {
        c["name"]: c
        for c in ds_api.get(f"/api/v1/models/{managed_model}/versions/champion").json()["input_schema"][
            "columns"
        ]
    }
    assert after["region"]["categories"] == ["north", "south"]
    assert after["region"]["description"] == "Sales region of the store"
    assert after["shelf_price"]["nullable"] is True
    assert after["promo_depth"]["nullable"] is False
    check_accessibility(page, "model page after the edits")
    screenshot(page, output_path, "model-page-edited")

    # The run form: the allowed values as a list, shelf_price no longer required.
    page.goto(f"{app_url}/models/{managed_model}/run")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Run {TITLE}")
    expect(page.get_by_role("spinbutton", name="shelf_price")).to_have_js_property("required", False)
    expect(page.get_by_role("spinbutton", name="promo_depth")).to_have_js_property("required", True)
    page.get_by_role("combobox", name="region").click()
    options = page.get_by_role("listbox").get_by_role("option")
    expect(options.filter(has_text="north")).to_have_count(1)
    expect(options.filter(has_text="south")).to_have_count(1)
    page.get_by_role("option", name="south").click()
    page.get_by_role("combobox", name="channel").click()
    expect(page.get_by_role("listbox").get_by_role("option").filter(has_text="web")).to_have_count(1)
    page.get_by_role("option", name="web").click()
    page.get_by_role("button", name="Predict").click()
    predictions = page.get_by_test_id("predictions")
    expect(predictions).to_contain_text("Answered by version 1")
    expect(page.get_by_role("button", name="Predict")).to_be_enabled()
    # Probabilities rounded for display: at most 4 significant digits.
    cell = predictions.get_by_role("row").nth(1).get_by_role("cell").nth(1)
    expect(cell).to_have_text(re.compile(r"^\d{1,3}(\.\d{1,3})? %$"))
    screenshot(page, output_path, "run-form-after-edits")


def test_delete_is_refused_while_a_deployment_uses_the_model(
    page: Page, app_url: str, output_path: str, managed_model: str
) -> None:
    sign_in(page, app_url, "ds", f"/models/{managed_model}")
    main = page.get_by_role("main")
    main.get_by_role("button", name="More actions").click()
    page.get_by_role("menuitem", name="Delete").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Delete").click()
    expect(dialog.get_by_role("alert")).to_have_text(
        f"Deployments use this model: {DEPLOYMENT}. Delete them first."
    )
    expect(dialog.get_by_role("link", name=DEPLOYMENT)).to_have_attribute(
        "href", f"/deployments/{DEPLOYMENT}"
    )
    screenshot(page, output_path, "delete-refused")
    dialog.get_by_role("button", name="Cancel").click()
    expect(main.get_by_role("heading", level=1)).to_be_visible()


def test_viewer_sees_no_edit_buttons(page: Page, app_url: str, output_path: str, managed_model: str) -> None:
    sign_in(page, app_url, "viewer", f"/models/{managed_model}")
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=1)).to_be_visible()
    expect(main.get_by_test_id("lineage")).to_be_visible()
    for name in ("Edit the card", "Edit the inputs", "More actions"):
        expect(main.get_by_role("button", name=name)).to_have_count(0)
    screenshot(page, output_path, "viewer-model-page")


def test_a_user_manages_their_own_tokens(page: Page, app_url: str, output_path: str) -> None:
    sign_in(page, app_url, "analyst")
    page.get_by_test_id("current-user").click()
    page.get_by_role("menuitem", name="My API tokens").click()
    expect(page).to_have_url(url_matching(app_url, r"/me/tokens$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My API tokens")
    page.get_by_role("button", name="New token").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("For user (empty: yourself)")).to_have_count(0)
    dialog.get_by_label("Token name").fill("e2e-analyst-laptop")
    dialog.get_by_role("button", name="Create").click()
    expect(page.get_by_test_id("new-token")).to_have_value(url_matching("", r"mp_.+"))
    page.get_by_role("dialog").get_by_role("button", name="Close").click()
    table = page.get_by_test_id("tokens-table")
    row = table.get_by_role("row").filter(has_text="e2e-analyst-laptop")
    expect(row).to_have_count(1)
    check_accessibility(page, "my tokens")
    screenshot(page, output_path, "my-tokens")
    row.get_by_role("button", name="Revoke").click()
    page.get_by_role("dialog").get_by_role("button", name="Revoke").click()
    expect(row).to_contain_text("Revoked")


def test_admin_sets_a_users_department(page: Page, app_url: str, output_path: str) -> None:
    admin = Api(app_url, "admin")
    res = admin.post(
        "/api/v1/users",
        json={"username": "e2e-dept", "role": "data_scientist", "password": "a-long-enough-password"},
    )
    assert res.status_code in (201, 409), res.text
    sign_in(page, app_url, "admin", "/admin")
    page.get_by_role("button", name="Change the department of e2e-dept").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("combobox", name="Department").fill("finance")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("department-e2e-dept")).to_have_text("finance")
    users = admin.get("/api/v1/users", params={"page_size": 200}).json()["items"]
    assert next(u for u in users if u["username"] == "e2e-dept")["department"] == "finance"
    admin.http.close()
    screenshot(page, output_path, "admin-department")

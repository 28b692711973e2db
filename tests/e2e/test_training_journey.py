"""From a CSV to predictions in Chromium (issue 10, "Done when"): a data scientist uploads a churn file
in the web app, reads how it was parsed and its profile, fixes two columns, trains for 60 s while the
leaderboard fills, registers the best as a new model, deploys it to a market and runs it.

The data scientist (the demo's ``ds``) plays the analyst of the issue: training and registering are
the data scientist's role, uploading and cleaning are open to business users too. The API is asked,
beside the pages, whether the registered version knows its dataset, its training and its reference data.
"""

from __future__ import annotations

import datetime
import random
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Api
from tests.e2e.helpers import check_accessibility, screenshot, sign_in, url_matching

# The budget. The wizard offers 10 s at least; 60 s is what the issue names, and it leaves the
# leaderboard time to be seen filling over several polls of the page (every 2 s) on a busy machine.
BUDGET_S = 60
DATASET = "customers-churn"
MODEL = f"{DATASET}-churned"
TITLE = "Customer churn (trained in modelport)"
ROWS = 400
MISSING = [i for i in range(ROWS) if i % 23 == 5]


def churn_csv(path: Path) -> None:
    """A churn file as a spreadsheet in a French locale writes it: `;` between columns, decimal commas,
    `?` for an unknown tenure, a header with spaces around a name, a customer ID and a signup date."""
    rng = random.Random(7)
    start = datetime.date(2021, 1, 1)
    lines = ["customer_id;  tenure_months ;monthly_charges;plan;support_calls;signup_date;region;churned"]
    for i in range(ROWS):
        tenure = rng.randint(1, 72)
        plan = rng.choice(["basic", "plus", "premium"])
        calls = rng.randint(0, 6)
        charges = round(rng.uniform(15, 120), 2)
        risk = 1.5 - tenure / 20 + calls * 0.45 + (charges - 60) / 50 + (0.6 if plan == "basic" else 0)
        churned = "yes" if risk + rng.gauss(0, 0.8) > 1.9 else "no"
        signup = start + datetime.timedelta(days=rng.randint(0, 900))
        region = rng.choice(["north", "south", "east", "west"])
        shown_tenure = "?" if i in MISSING else str(tenure)
        charges_text = f"{charges:.2f}".replace(".", ",")
        cells = [f"C{10000 + i}", shown_tenure, charges_text, plan, str(calls), signup.isoformat(), region]
        lines.append(";".join([*cells, churned]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _leaderboard_size(page: Page) -> int:
    """Candidates on the leaderboard: its rows, or the count its "Show all" button gives past 15."""
    show_all = page.get_by_role("button", name=re.compile(r"^Show all \d+$"))
    if show_all.count():
        return int(show_all.inner_text().split()[-1])
    return page.get_by_role("table", name="Leaderboard", exact=True).get_by_role("row").count() - 1


@pytest.fixture
def leaves_no_trace(ds_api: Api) -> Iterator[None]:
    """The browser tests share one server: what the journey made (deployment, model, dataset) is deleted
    after it, pass or fail, so the catalog the other tests count is as the demo made it."""
    yield
    for path in (f"/api/v1/deployments/{MODEL}-fr", f"/api/v1/models/{MODEL}", f"/api/v1/datasets/{DATASET}"):
        gone = ds_api.delete(path)
        assert gone.status_code in (204, 404), (path, gone.status_code, gone.text)


@pytest.mark.usefixtures("leaves_no_trace")
def test_csv_to_a_deployed_model_in_the_browser(
    page: Page, app_url: str, ds_api: Api, output_path: str, tmp_path: Path
) -> None:
    timings: dict[str, float] = {}
    began = time.monotonic()

    def lap(name: str) -> None:
        timings[name] = round(time.monotonic() - began - sum(timings.values()), 1)

    data = tmp_path / f"{DATASET}.csv"
    churn_csv(data)

    # Upload.
    sign_in(page, app_url, "ds")
    page.get_by_role("navigation").get_by_role("link", name="Datasets").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Datasets")
    page.get_by_role("button", name="Upload a dataset").first.click()
    dialog = page.get_by_role("dialog", name="Upload a dataset")
    with page.expect_file_chooser() as chooser:
        dialog.get_by_role("button", name="choose a file").click()
    chooser.value.set_files(str(data))
    expect(dialog.get_by_label("Name")).to_have_value(DATASET)
    dialog.get_by_label("Description").fill("Loyalty customers, 2021-2023, with who left")
    dialog.get_by_role("button", name="Upload", exact=True).click()
    expect(page).to_have_url(url_matching(app_url, rf"/datasets/{DATASET}$"), timeout=30_000)
    expect(page.get_by_role("heading", level=1)).to_have_text(DATASET)
    expect(page.get_by_role("alert").filter(has_text="is stored")).to_contain_text(f"{DATASET} v1 is stored")
    lap("upload")

    # Parse report: opened after an upload.
    report = page.get_by_test_id("parse-report")
    expect(report).to_contain_text("1 header renamed")
    expect(report).to_contain_text(f"{len(MISSING)} cells read as missing")
    renamed = report.get_by_role("table").filter(has_text="Spaces around the name")
    expect(renamed.get_by_role("row").filter(has_text="tenure_months")).to_contain_text('"  tenure_months "')
    expect(report.get_by_text(f'"?": {len(MISSING)}')).to_be_visible()
    expect(report).to_contain_text("semicolon (;)")
    expect(report).to_contain_text("comma (,)")
    expect(report).to_contain_text(f"{ROWS} × 8")

    # Profile: computed on the worker, asked for by the page.
    expect(page.get_by_role("heading", name="1 warning")).to_be_visible(timeout=60_000)
    warning = page.get_by_role("alert").filter(has_text="Looks like an identifier")
    expect(warning).to_contain_text("customer_id")
    expect(page.get_by_role("link", name="Train on churned")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(r"^Distribution of monthly_charges: "))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(r"^Most frequent values of plan: "))).to_be_visible()
    # tenure_months is the one column with missing values: 18 of 400.
    expect(page.get_by_role("progressbar", name=re.compile(r"^Missing: [1-9]"))).to_have_accessible_name(
        re.compile(r"^Missing: 4\.5")
    )
    check_accessibility(page, "dataset page with its profile")
    screenshot(page, output_path, "dataset")
    lap("profile")

    # Clean: drop the ID, split the date; the preview follows.
    page.get_by_role("link", name="Clean", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Clean {DATASET}")
    counts = page.get_by_test_id("preview-counts")
    expect(counts).to_have_text(f"{ROWS} rows before, {ROWS} after · 8 columns", timeout=20_000)
    preview = page.get_by_role("table").filter(has=page.get_by_role("columnheader", name="customer_id"))
    expect(preview).to_be_visible()

    page.get_by_label("Operation").click()
    page.get_by_role("option", name="Drop columns").click()
    page.get_by_label("Columns", exact=True).click()
    page.get_by_role("option", name="customer_id").click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Add the step").click()
    expect(page.get_by_test_id("cleaning-step").nth(0)).to_contain_text("Drop customer_id")
    expect(counts).to_have_text(f"{ROWS} rows before, {ROWS} after · 7 columns", timeout=20_000)
    expect(page.get_by_role("columnheader", name="customer_id")).to_have_count(0)

    page.get_by_label("Operation").click()
    page.get_by_role("option", name="Split a date into parts").click()
    page.get_by_label("Column", exact=True).click()
    page.get_by_role("option", name="signup_date").click()
    page.get_by_role("button", name="Add the step").click()
    expect(page.get_by_test_id("cleaning-step").nth(1)).to_contain_text(
        "Split signup_date into year, month, day and weekday"
    )
    # Four parts in place of the date: 7 - 1 + 4 columns.
    expect(counts).to_have_text(f"{ROWS} rows before, {ROWS} after · 10 columns", timeout=20_000)
    expect(page.get_by_role("columnheader", name="signup_date_month")).to_be_visible()
    expect(page.get_by_role("columnheader", name="signup_date", exact=True)).to_have_count(0)
    check_accessibility(page, "cleaning page with two steps")
    screenshot(page, output_path, "cleaning")
    page.get_by_role("button", name="Save the steps").click()
    expect(page).to_have_url(url_matching(app_url, rf"/datasets/{DATASET}\?version=1$"))
    expect(page.get_by_role("alert").filter(has_text="Cleaning steps saved.")).to_be_visible()
    expect(page.get_by_role("link", name="2 cleaning steps recorded")).to_be_visible()
    lap("clean")

    # Train wizard: target picked; task, metric and budget left as proposed.
    page.get_by_role("main").get_by_role("link", name="Train a model").first.click()
    expect(page).to_have_url(url_matching(app_url, rf"/trainings/new\?dataset={DATASET}&version=1$"))
    expect(page.get_by_role("heading", name="What should the model predict?")).to_be_visible()
    target = page.get_by_role("radio", name=re.compile(r"^churned\b"))
    expect(page.get_by_role("radio").first).to_have_accessible_name(re.compile(r"^churned\b"))
    target.check()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Which task, scored how?")).to_be_visible()
    expect(page.get_by_label("Task")).to_have_text("Detect it (probably Binary classification)")
    expect(page.get_by_label("Metric")).to_have_text(re.compile(r"^The usual one \(.+\)$"))
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="How long may it search?")).to_be_visible()
    expect(page.get_by_role("slider", name="Time budget")).to_have_attribute("aria-valuetext", "1 min")
    page.get_by_role("button", name="Next").click()
    review = page.get_by_test_id("train-review")
    expect(review).to_contain_text(f"{DATASET} v1")
    expect(review).to_contain_text("1 min")
    expect(review).to_contain_text("2 steps")
    page.get_by_role("button", name="Start training").click()
    expect(page).to_have_url(url_matching(app_url, r"/trainings/\d+$"))
    training_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Training #{training_id}: churned")
    lap("wizard")

    # The leaderboard fills while it runs.
    status = page.get_by_test_id("training-summary").get_by_test_id("run-status")
    live = page.get_by_role("heading", name="Leaderboard (live)")
    expect(status).to_have_text("Running", timeout=30_000)
    seen_live = 0
    deadline = time.monotonic() + BUDGET_S
    while time.monotonic() < deadline:
        # The heading turns from live to final once: a count read between two live readings is live.
        if live.is_visible():
            size = _leaderboard_size(page)
            if size >= 1 and live.is_visible():
                seen_live = size
                break
        page.wait_for_timeout(250)
    assert seen_live >= 1, "no candidate on the leaderboard while the training ran"
    expect(status).to_have_text("Running")
    screenshot(page, output_path, "training-live")
    lap("first candidate")

    expect(status).to_have_text("Succeeded", timeout=(BUDGET_S + 90) * 1000)
    expect(page.get_by_role("heading", name="Leaderboard", exact=True)).to_be_visible()
    final = _leaderboard_size(page)
    assert final > seen_live, f"{final} candidates at the end, {seen_live} seen while it ran"
    board = page.get_by_role("table", name="Leaderboard", exact=True)
    best = board.get_by_role("row").filter(has=page.get_by_text("Best", exact=True))
    expect(best).to_have_count(1)
    expect(best.get_by_role("cell").first).to_have_text("1")
    lap("training")

    # Evaluation on the holdout.
    expect(page.get_by_role("heading", name="Evaluation on the holdout")).to_be_visible()
    metrics = page.get_by_role("table", name="Holdout metrics")
    expect(metrics.get_by_role("row", name=re.compile(r"^ROC-AUC \d"))).to_be_visible()
    expect(metrics.get_by_role("row", name=re.compile(r"^Accuracy \d"))).to_be_visible()
    expect(page.get_by_role("table", name="Confusion matrix")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(r"^ROC curve of \d+ points"))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(r"^Most important columns: "))).to_be_visible()
    expect(page.get_by_test_id("training-steps")).to_contain_text("Drop customer_id")
    check_accessibility(page, "training page, succeeded")
    screenshot(page, output_path, "training-succeeded")

    # Register the best as a new model.
    page.get_by_role("button", name="Register the best").click()
    dialog = page.get_by_role("dialog", name=f"Register the best of training #{training_id}")
    expect(dialog.get_by_role("combobox", name="Model")).to_have_value(MODEL)
    expect(dialog).to_contain_text("A new model: give it a title and a department.")
    dialog.get_by_label("Title").fill(TITLE)
    dialog.get_by_label("Department").click()
    page.get_by_role("option", name="marketing").click()
    dialog.get_by_label("Description").fill("Who may leave the loyalty programme next quarter")
    dialog.get_by_role("button", name="Register", exact=True).click()
    done = page.get_by_role("dialog", name=f"Registered as {MODEL} v1")
    expect(done).to_contain_text(f"Version 1 of {MODEL} is in the catalog.", timeout=60_000)
    done.get_by_role("link", name=f"Open {MODEL}").click()
    lap("register")

    # The model page: its lineage names the dataset.
    expect(page).to_have_url(url_matching(app_url, rf"/models/{MODEL}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_test_id("lineage")).to_contain_text(f"dataset {DATASET} version 1")

    version = ds_api.get(f"/api/v1/models/{MODEL}/versions/1").json()
    lineage, reference = version["lineage"], version["reference"]
    assert (lineage["dataset"], lineage["dataset_version"], lineage["training"]) == (DATASET, 1, training_id)
    assert lineage["target"] == "churned"
    assert [s["op"] for s in lineage["steps"]] == ["drop_columns", "date_parts"]
    assert re.fullmatch(r"[0-9a-f]{64}", lineage["dataset_sha256"])
    assert re.fullmatch(r"[0-9a-f]{64}", reference["sample_sha256"]) and reference["rows"] > 0
    assert {c["name"] for c in reference["stats"]} >= {"tenure_months", "monthly_charges", "plan"}
    # The served model takes the raw columns: the cleaning steps are inside the pipeline.
    inputs = [c["name"] for c in version["input_schema"]["columns"]]
    assert "signup_date" in inputs and "churned" not in inputs and "customer_id" not in inputs, inputs
    training = ds_api.get(f"/api/v1/trainings/{training_id}").json()
    assert (training["status"], training["budget_s"], training["task"]) == ("succeeded", BUDGET_S, "binary")
    assert [(r["model"], r["version"]) for r in training["registered"]] == [(MODEL, 1)]
    assert lineage["dataset_sha256"] == training["dataset_sha256"]

    # Deploy it to a market.
    page.get_by_role("main").get_by_role("link", name="Deploy", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Deploy {TITLE}")
    markets = page.get_by_role("combobox", name="Markets")
    markets.fill("FR")
    markets.press("Enter")
    expect(page.get_by_label("Deployment name")).to_have_value(f"{MODEL}-fr")
    page.get_by_role("button", name="Deploy", exact=True).click()
    expect(page).to_have_url(url_matching(app_url, rf"/deployments/{MODEL}-fr$"))
    flash = page.get_by_role("alert").filter(has_text="created")
    expect(flash).to_have_text(f"Deployment {MODEL}-fr created.")
    lap("deploy")

    # Run it on typed rows (the form starts from a row of the training data).
    page.get_by_role("main").get_by_role("link", name="Run", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Run {TITLE}")
    expect(page.get_by_role("combobox", name="plan")).not_to_have_text("")
    expect(page.get_by_role("textbox", name="signup_date")).not_to_have_value("")
    # The cleaning drops customer_id before anything reads it: the model does not ask for it.
    expect(page.get_by_role("textbox", name="customer_id")).to_have_count(0)
    # A new customer who calls support a lot.
    page.get_by_role("spinbutton", name="tenure_months").fill("2")
    page.get_by_role("spinbutton", name="support_calls").fill("6")
    page.get_by_role("button", name="Predict").click()
    predictions = page.get_by_test_id("predictions")
    expect(predictions).to_contain_text("Answered by version 1", timeout=30_000)
    table = predictions.get_by_role("table")
    expect(table.get_by_role("columnheader", name=re.compile(r"^P\("))).to_have_count(2)
    rows = table.get_by_role("row")
    expect(rows).to_have_count(2)
    expect(rows.nth(1).get_by_role("cell").first).to_have_text("true")
    screenshot(page, output_path, "predictions")
    lap("run")
    print(f"journey timings (s): {timings}, total {round(time.monotonic() - began, 1)}")

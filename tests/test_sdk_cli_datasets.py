"""Datasets through the SDK and the CLI against a real ``uvicorn`` server on loopback with a worker
(SQLite, local folder): upload a file or a DataFrame, the parse report, versions, search, the profile,
and clear refusals."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import modelport
from modelport.cli.main import app as cli
from modelport.context import Context
from modelport.errors import InvalidArgument, NotFound
from modelport.schemas import (
    Dataset,
    DatasetProfile,
    DropColumnsStep,
    Execution,
    FilterRowsStep,
    Role,
)
from tests.conftest import Actor, add_user
from tests.served import churn_frame, ctx, flat, free_port, server

__all__ = ["ctx", "server"]

HOSTILE_CSV = (
    "Customer ;Amount;Amount;city\r\n"
    "001;1.234,50;2;Paris\r\n"
    "002;?;3;Lyon\r\n"
    "\r\n"
    "003;12,5;-;Nice\r\n"
    "004;7,25;4;none\r\n"
)


@pytest.fixture
def analyst(ctx: Context) -> Actor:
    return add_user(ctx, "ana", Role.business_user, "marketing")


def test_sdk_uploads_a_file_and_a_dataframe_as_versions_with_a_parse_report(
    server: str, analyst: Actor, tmp_path: Path
) -> None:
    hostile = tmp_path / "Ventes Q3.csv"
    hostile.write_bytes(HOSTILE_CSV.encode("latin-1"))
    with modelport.Client(server, analyst.token) as client:
        sales = client.upload_dataset(hostile, name="sales", description="Q3 sales")
        assert isinstance(sales, Dataset)
        assert (sales.name, sales.version, sales.description, sales.rows) == ("sales", 1, "Q3 sales", 4)
        report = sales.parse_report
        assert report is not None and (report.format, report.delimiter, report.decimal) == ("csv", ";", ",")
        assert {r.original for r in report.renamed_headers} >= {"Customer ", "Amount"}
        assert report.missing_tokens.get("?") == 1
        assert len(sales.sha256) == 64

        frame = churn_frame(120)
        first = client.upload_dataset(frame, name="churn")
        assert (first.name, first.version, first.rows) == ("churn", 1, 120)
        assert first.columns == list(frame.columns)
        again = client.upload_dataset(frame.head(60), "churn")
        assert (again.version, again.latest_version, again.rows) == (2, 2, 60)
        assert client.dataset("churn").version == 2
        assert client.dataset("churn", 1).rows == 120

        mixed = pd.DataFrame({"code": [1, "A7", 3.5, None], "n": [1, 2, 3, 4]})  # Parquet cannot hold it
        assert client.upload_dataset(mixed, name="mixed").rows == 4

        plain = client.upload_dataset(hostile)  # the name comes from the file's
        assert plain.name != "sales" and plain.version == 1

        page = client.datasets()
        assert page.total == 4
        assert {d.name for d in page.items} == {"sales", "churn", "mixed", plain.name}
        assert [d.name for d in client.datasets("Q3 sales").items] == ["sales"]


def test_sdk_profiles_a_dataset_on_the_worker(server: str, analyst: Actor) -> None:
    with modelport.Client(server, analyst.token) as client:
        client.upload_dataset(churn_frame(200), name="churn")
        seen: list[float] = []
        profile = client.profile_dataset("churn", progress=lambda e: seen.append(e.progress))
        assert isinstance(profile, DatasetProfile)
        assert profile.rows == 200
        assert [c.name for c in profile.columns] == [
            "tenure_months",
            "monthly_spend",
            "support_calls",
            "plan",
            "churned",
        ]
        plan = next(c for c in profile.columns if c.name == "plan")
        assert plan.kind == "category" and plan.missing > 0
        assert "churned" in profile.suggested_targets
        assert seen and seen[-1] == 1.0
        assert client.dataset("churn").profile == profile

        queued = client.profile_dataset("churn", 1, wait=False)
        assert isinstance(queued, Execution) and queued.kind == "profile"
        assert client.wait(queued.id, timeout=120).status == "succeeded"


def test_sdk_reads_rows_previews_and_saves_cleaning_steps(server: str, analyst: Actor) -> None:
    frame = churn_frame(100)
    steps = [
        DropColumnsStep(columns=["plan"]),
        FilterRowsStep(column="support_calls", operator="<", value=5),
    ]
    with modelport.Client(server, analyst.token) as client:
        client.upload_dataset(frame, name="churn")
        rows = client.dataset_rows("churn", page_size=10)
        assert rows.columns == list(frame.columns) and len(rows.rows) == 10
        assert rows.rows[0]["tenure_months"] == frame["tenure_months"][0]

        preview = client.preview_cleaning("churn", steps)
        assert "plan" not in preview.columns
        assert (preview.rows_before, preview.rows_after) == (100, int((frame["support_calls"] < 5).sum()))
        assert [e.op for e in preview.effects] == ["drop_columns", "filter_rows"]
        with pytest.raises(InvalidArgument, match="colour") as bad:
            client.preview_cleaning("churn", [{"op": "cast", "column": "colour", "to": "number"}])
        assert bad.value.field == "steps[0].column"

        saved = client.save_steps("churn", steps, version=1)
        assert saved.steps == steps
        assert client.dataset("churn").steps == steps
        assert client.update_dataset("churn", description="Churn history").description == "Churn history"
        client.delete_dataset("churn")
        with pytest.raises(NotFound):
            client.dataset("churn")


def test_sdk_refusals_name_the_problem(server: str, analyst: Actor, tmp_path: Path) -> None:
    binary = tmp_path / "photo.csv"
    binary.write_bytes(bytes(range(256)) * 40)
    header_only = tmp_path / "empty.csv"
    header_only.write_text("a,b,c\n")
    with modelport.Client(server, analyst.token) as client:
        with pytest.raises(InvalidArgument) as refused:
            client.upload_dataset(binary)
        assert refused.value.field == "file"
        with pytest.raises(InvalidArgument) as empty:
            client.upload_dataset(header_only)
        assert empty.value.field == "file"
        with pytest.raises(InvalidArgument, match="no file") as missing:
            client.upload_dataset(tmp_path / "absent.csv")
        assert missing.value.field == "file"
        with pytest.raises(NotFound):
            client.dataset("absent")
        with pytest.raises(NotFound):
            client.profile_dataset("absent")
        assert client.datasets().total == 0


def test_cli_datasets_upload_list_show_profile(server: str, analyst: Actor, tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"MODELPORT_URL": server, "MODELPORT_TOKEN": analyst.token, "COLUMNS": "200"}
    hostile = tmp_path / "sales.csv"
    hostile.write_bytes(HOSTILE_CSV.encode("latin-1"))
    churn = tmp_path / "churn.csv"
    churn_frame(150).to_csv(churn, index=False)

    uploaded = runner.invoke(cli, ["datasets", "upload", str(hostile), "--description", "Q3"], env=env)
    assert uploaded.exit_code == 0, uploaded.output
    out = flat(uploaded.output)
    assert "dataset sales version 1: 4 rows x 4 columns (sales.csv)" in out
    assert "decimal ','" in out and "'?' x1" in out and "header 'Customer '" in out
    assert runner.invoke(cli, ["datasets", "upload", str(churn), "--name", "churn"], env=env).exit_code == 0

    listed = runner.invoke(cli, ["datasets", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    assert "2 datasets (page 1)" in listed.output and "churn.csv" in listed.output
    as_json = runner.invoke(cli, ["datasets", "list", "sales", "-o", "json"], env=env)
    assert as_json.exit_code == 0, as_json.output
    assert '"name": "sales"' in as_json.output and '"churn"' not in as_json.output

    before = runner.invoke(cli, ["datasets", "show", "churn"], env=env)
    assert before.exit_code == 0, before.output
    assert "no profile yet: modelport datasets profile churn" in flat(before.output)

    profiled = runner.invoke(cli, ["datasets", "profile", "churn"], env=env)
    assert profiled.exit_code == 0, profiled.output
    assert "150 rows" in profiled.output and "suggested targets:" in profiled.output
    assert "tenure_months" in profiled.output and "category" in profiled.output
    shown = runner.invoke(cli, ["datasets", "show", "churn", "--version", "1"], env=env)
    assert "no profile yet" not in shown.output and "suggested targets:" in shown.output

    deleted = runner.invoke(cli, ["datasets", "delete", "sales", "--yes"], env=env)
    assert deleted.exit_code == 0, deleted.output
    assert "sales" not in runner.invoke(cli, ["datasets", "list"], env=env).output


def test_cli_datasets_bad_input_is_one_line_and_a_non_zero_exit(
    server: str, analyst: Actor, tmp_path: Path
) -> None:
    runner = CliRunner()
    env = {"MODELPORT_URL": server, "MODELPORT_TOKEN": analyst.token}
    binary = tmp_path / "data.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    cases = [
        (["datasets", "upload", str(binary)], "error (file):"),
        (["datasets", "upload", str(tmp_path / "absent.csv")], "no file"),
        (["datasets", "show", "absent"], "error (dataset): no dataset named 'absent'"),
        (["datasets", "profile", "absent"], "no dataset named 'absent'"),
    ]
    for args, message in cases:
        result = runner.invoke(cli, args, env=env)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output, (args, result.output)
        assert isinstance(result.exception, SystemExit), result.exception  # no traceback

    unreachable = f"http://127.0.0.1:{free_port()}"
    result = runner.invoke(cli, ["datasets", "list", "--url", unreachable], env=env)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert f"cannot reach the server at {unreachable}" in flat(result.output)

"""The Spark batch engine: the same predictions as the local engine, end to end through a worker, errors.

Needs pyspark and Java 17; skipped without them unless MODELPORT_REQUIRE_SPARK=1 (then they fail).
One Spark session (``local[2]``) is built for the whole module; the end-to-end test's worker child
process builds its own.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from modelport.batch.base import BatchJob, BatchResult, Cancelled
from modelport.batch.local import LocalEngine
from modelport.batch.worker import Worker
from modelport.columns import ModelSchema
from modelport.db.migrate import upgrade
from modelport.errors import InvalidArgument
from modelport.flavors import inspect_model
from tests.conftest import make_context
from tests.factories import FEATURES, joblib_file, training_frame
from tests.runs import RunSetup, setup_runs

pytestmark = pytest.mark.spark

REQUIRE_SPARK = os.environ.get("MODELPORT_REQUIRE_SPARK") == "1"
MASTER = "local[2]"


def _unavailable(reason: str) -> None:
    if REQUIRE_SPARK:
        pytest.fail(f"Spark is required (MODELPORT_REQUIRE_SPARK=1): {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """The test process's Spark session, shared by the engine (it reuses the process's session)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        _unavailable("pyspark is not installed: pip install 'modelport[spark]'")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        _unavailable("Java (17) is not installed: the Spark engine needs a JVM")
    from modelport.batch.spark import spark_session, stop_session

    try:
        session = spark_session(MASTER)
    except Exception as exc:  # noqa: BLE001 - any failure to start Spark is reported the same way
        _unavailable(f"Spark could not start: {exc}")
    yield session
    stop_session()


class Recorder:
    """A Reporter that remembers what it was told, and cancels when asked to."""

    def __init__(self, cancel: bool = False) -> None:
        self.logs: list[str] = []
        self.progressed: list[tuple[int, int]] = []
        self.cancel = cancel

    def progress(self, rows_read: int, rows_written: int) -> None:
        self.progressed.append((rows_read, rows_written))

    def log(self, message: str) -> None:
        self.logs.append(message)

    def cancelled(self) -> bool:
        return self.cancel


@pytest.fixture(scope="module")
def churn(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ModelSchema]:
    folder = tmp_path_factory.mktemp("model")
    model = joblib_file(folder)
    x, _ = training_frame(rows=50)
    return model, inspect_model(model, model.name, x).input_schema


def _rows(count: int, seed: int = 3) -> pd.DataFrame:
    x, _ = training_frame(rows=count, seed=seed)
    x.insert(0, "id", np.arange(count))
    x["segment"] = ["gold" if i % 7 == 0 else None if i % 11 == 0 else "std" for i in range(count)]
    x["visits"] = pd.array([None if i % 13 == 0 else i % 5 for i in range(count)], dtype="Int64")
    return x


def _job(churn: tuple[Path, ModelSchema], source: Path, fmt: str, out: Path, **kw: Any) -> BatchJob:
    model, schema = churn
    return BatchJob(
        input_path=source,
        input_format=fmt,
        model_path=model,
        flavor="sklearn",
        schema=schema,
        output_path=out,
        output_format=str(kw.pop("output_format", "parquet")),
        chunk_rows=int(kw.pop("chunk_rows", 1000)),
        options={"spark_master": MASTER},
    )


def _read(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


def _assert_same_results(local: pd.DataFrame, spark: pd.DataFrame) -> None:
    assert list(spark.columns) == list(local.columns)
    assert spark["id"].tolist() == local["id"].tolist() == list(range(len(local)))  # input order kept
    local, spark = local.sort_values("id", ignore_index=True), spark.sort_values("id", ignore_index=True)
    assert (spark["prediction"] == local["prediction"]).all()
    for column in ("probability_0", "probability_1"):
        assert np.allclose(spark[column], local[column], rtol=0, atol=1e-12)
    for column in ("tenure_months", "monthly_spend", "segment", "visits"):
        pd.testing.assert_series_equal(spark[column], local[column], check_dtype=False)


@pytest.mark.parametrize(
    ("fmt", "output_format"), [("csv", "parquet"), ("parquet", "csv"), ("semicolon-csv", "csv")]
)
def test_both_engines_give_the_same_results(
    spark: Any, churn: tuple[Path, ModelSchema], tmp_path: Path, fmt: str, output_format: str
) -> None:
    frame = _rows(5000)
    source = tmp_path / f"input.{'parquet' if fmt == 'parquet' else 'csv'}"
    if fmt == "parquet":
        frame.to_parquet(source, row_group_size=700)
    elif fmt == "csv":
        frame.to_csv(source, index=False)
    else:  # what Excel writes in France: ';' and decimal commas, Latin-1
        source.write_bytes(frame.to_csv(index=False, sep=";", decimal=",").encode("latin-1"))
    results: dict[str, BatchResult] = {}
    outputs: dict[str, pd.DataFrame] = {}
    # Small splits: several Spark tasks, whose part files must be merged back in the input's order.
    spark.conf.set("spark.sql.files.maxPartitionBytes", "24k")
    spark.conf.set("spark.sql.files.openCostInBytes", "1k")
    try:
        for engine in (LocalEngine(), _spark_engine()):
            out = tmp_path / engine.name / f"results.{output_format}"
            out.parent.mkdir()
            reporter = Recorder()
            results[engine.name] = engine.run(
                _job(churn, source, fmt.removeprefix("semicolon-"), out, output_format=output_format),
                reporter,
            )
            outputs[engine.name] = _read(out)
            assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # no leftovers
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
        spark.conf.unset("spark.sql.files.openCostInBytes")
    assert results["spark"].rows_read == results["spark"].rows_written == 5000
    assert results["spark"].summary == results["local"].summary
    _assert_same_results(outputs["local"], outputs["spark"])
    tasks = [re.search(r"\((\d+) tasks\)", line) for line in reporter.logs]
    assert any(t and int(t.group(1)) > 1 for t in tasks), reporter.logs  # several part files were merged
    assert reporter.progressed[-1] == (5000, 5000)


def test_awkward_columns_and_types(spark: Any, churn: tuple[Path, ModelSchema], tmp_path: Path) -> None:
    """Names Spark parses (dots, backticks), a column named like an output, nanosecond timestamps and an
    all-empty column (types Spark's Parquet reader refuses), a file of one big row group."""
    frame = _rows(3000)
    frame["a.b"] = 1.5
    frame["we`ird name"] = "x"
    frame["prediction"] = "an input column"
    frame["empty"] = None
    frame["when"] = pd.date_range("2024-01-01", periods=len(frame), freq="h", tz="UTC")
    frame["naive"] = pd.date_range("2024-01-01", periods=len(frame), freq="h")
    source = tmp_path / "input.parquet"
    frame.to_parquet(source)
    outputs = {}
    for engine in (LocalEngine(), _spark_engine()):
        out = tmp_path / f"{engine.name}.parquet"
        engine.run(_job(churn, source, "parquet", out, chunk_rows=500), Recorder())
        outputs[engine.name] = pd.read_parquet(out)
    local, spark_result = outputs["local"], outputs["spark"]
    assert list(spark_result.columns) == list(local.columns)
    assert "prediction_input" in local.columns
    _assert_same_results(local, spark_result)
    for column in ("a.b", "we`ird name", "prediction_input", "when", "naive"):
        pd.testing.assert_series_equal(spark_result[column], local[column], check_dtype=False)
    assert spark_result["empty"].isna().all()


def _spark_engine() -> Any:
    from modelport.batch.spark import SparkEngine

    return SparkEngine()


def test_a_missing_column_fails_before_spark_runs(
    spark: Any, churn: tuple[Path, ModelSchema], tmp_path: Path
) -> None:
    source = tmp_path / "input.csv"
    _rows(300).drop(columns=["support_calls"]).to_csv(source, index=False)
    out = tmp_path / "out" / "results.parquet"
    out.parent.mkdir()
    with pytest.raises(InvalidArgument, match="support_calls"):
        _spark_engine().run(_job(churn, source, "csv", out), Recorder())
    assert list(out.parent.iterdir()) == []


def test_a_bad_row_deep_in_the_file_fails_with_its_row_number(
    spark: Any, churn: tuple[Path, ModelSchema], tmp_path: Path
) -> None:
    frame = _rows(5000)
    frame.loc[4321, "monthly_spend"] = np.nan  # row 4322 of the data: a value is required
    source = tmp_path / "input.parquet"
    frame.to_parquet(source)
    out = tmp_path / "out" / "results.csv"
    out.parent.mkdir()
    with pytest.raises(InvalidArgument) as caught:
        _spark_engine().run(_job(churn, source, "parquet", out, output_format="csv"), Recorder())
    message = caught.value.message
    assert message.startswith("input row 4322, column 'monthly_spend'"), message
    first = caught.value.details[0]
    assert first["row"] == 4322 and first["message"].startswith("input row 4322, column 'monthly_spend'")
    assert list(out.parent.iterdir()) == []  # nothing half-written, no temporary folder left


def test_cancelled_before_scoring_leaves_nothing(
    spark: Any, churn: tuple[Path, ModelSchema], tmp_path: Path
) -> None:
    source = tmp_path / "input.csv"
    _rows(100).to_csv(source, index=False)
    out = tmp_path / "out" / "results.parquet"
    out.parent.mkdir()
    with pytest.raises(Cancelled):
        _spark_engine().run(_job(churn, source, "csv", out), Recorder(cancel=True))
    assert list(out.parent.iterdir()) == []


@pytest.fixture
def spark_runs(spark: Any, tmp_path: Path) -> Iterator[RunSetup]:
    ctx = make_context(tmp_path, f"sqlite:///{tmp_path / 'modelport.db'}", spark_master=MASTER)
    upgrade(ctx.db)
    try:
        yield from setup_runs(ctx, tmp_path)
    finally:
        ctx.db.dispose()


def test_a_spark_deployment_runs_a_file_through_a_worker(spark_runs: RunSetup) -> None:
    c, ds, analyst = spark_runs.client, spark_runs.ds, spark_runs.analyst
    body = {"name": "churn-fr-spark", "model": "churn", "alias": "champion", "market": "FR"}
    body["engine"] = "spark"
    created = c.post("/api/v1/deployments", json=body, headers=ds.headers)
    assert created.status_code == 201, created.text
    assert created.json()["engine"] == "spark"
    frame = _rows(2000)
    frame.insert(1, "customer", [f"Société {i}" for i in range(len(frame))])
    data = frame.to_csv(index=False, sep=";", decimal=",").encode("latin-1")
    queued = c.post(
        "/api/v1/deployments/churn-fr-spark/executions",
        files={"file": ("clients.csv", data)},
        headers=analyst.headers,
    )
    assert queued.status_code == 202, queued.text
    execution = queued.json()
    assert execution["engine"] == "spark"

    assert Worker(spark_runs.ctx).run_once() is True  # a child process, with its own Spark session
    done = c.get(f"/api/v1/executions/{execution['id']}", headers=analyst.headers).json()
    assert done["status"] == "succeeded", done
    assert done["rows_read"] == done["rows_written"] == 2000 and done["progress"] == 1.0
    assert done["summary"]["kind"] == "categorical" and done["summary"]["count"] == 2000
    logs = c.get(f"/api/v1/executions/{execution['id']}/logs", headers=analyst.headers).json()
    messages = [line["message"] for line in logs]
    assert any("spark engine" in m for m in messages), messages
    assert any(m.startswith("spark: scored 2000 rows") for m in messages), messages

    download = c.get(
        f"/api/v1/executions/{execution['id']}/results/download",
        params={"format": "csv"},
        headers=analyst.headers,
    )
    assert download.status_code == 200
    results = pd.read_csv(io.BytesIO(download.content))
    assert len(results) == 2000 and results["customer"].iloc[1234] == "Société 1234"
    assert list(results.columns[-3:]) == ["prediction", "probability_0", "probability_1"]
    # The same rows through the local engine's deployment give the same predictions.
    local = c.post(
        "/api/v1/deployments/churn-fr/predict",
        json={"inputs": frame[FEATURES].iloc[:50].to_dict(orient="records")},
        headers=analyst.headers,
    ).json()
    assert results["prediction"].iloc[:50].tolist() == local["predictions"]


def test_both_engines_flag_unknown_categories_and_keep_text(spark: Any, tmp_path: Path) -> None:
    """The plans model (tests/mixed.py): an unknown plan is scored and flagged, a postal code stays text,
    booleans in words are read, by either engine alike."""
    import skops.io

    from tests.mixed import plans_frame, plans_pipeline

    model = tmp_path / "plans.skops"
    skops.io.dump(plans_pipeline(), model)
    sample, _ = plans_frame(40, seed=1)
    schema = inspect_model(model, model.name, sample).input_schema
    lines = ["id,tenure,plan,autopay,zip"] + [
        f"{i},{i % 50},{'enterprise' if i % 9 == 0 else 'basic'},{'oui' if i % 2 else 'non'},0{i % 9000:04d}"
        for i in range(3000)
    ]
    source = tmp_path / "input.csv"
    source.write_text("\n".join(lines) + "\n")
    outputs: dict[str, pd.DataFrame] = {}
    results: dict[str, BatchResult] = {}
    for engine in (LocalEngine(), _spark_engine()):
        out = tmp_path / engine.name / "results.parquet"
        out.parent.mkdir()
        job = _job((model, schema), source, "csv", out)
        results[engine.name] = engine.run(job, Recorder())
        outputs[engine.name] = _read(out)
    local, spark_out = outputs["local"], outputs["spark"]
    assert list(spark_out.columns) == list(local.columns)
    assert local["_unknown_categories"].tolist()[:2] == ["plan", ""]
    assert spark_out["_unknown_categories"].tolist() == local["_unknown_categories"].tolist()
    assert spark_out["zip"].tolist() == local["zip"].tolist() and local["zip"][1] == "00001"
    assert np.allclose(spark_out["probability_1"], local["probability_1"], rtol=0, atol=1e-12)
    assert results["local"].summary["unknown_category_rows"] == 334
    skip = _job((model, schema), source, "csv", tmp_path / "skip" / "results.parquet")
    skip.on_bad_rows = "skip"
    with pytest.raises(InvalidArgument, match="does not skip bad rows") as refused:
        _spark_engine().run(skip, Recorder())
    assert refused.value.field == "on_bad_rows"

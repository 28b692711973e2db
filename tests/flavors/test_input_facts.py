"""Blanks and categories read from fitted models and samples: which columns may be left empty, which
values a column knows, and that a blank or an unknown value is then really scored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightgbm
import numpy as np
import pandas as pd
import pytest
import skops.io
import xgboost
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from modelport.columns import ModelSchema
from modelport.errors import InvalidArgument
from modelport.flavors import Inspection, inspect_model, load_model
from modelport.tabular.validation import to_frame, unknown_categories


def _frame(rows: int = 200, seed: int = 3) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "age": rng.normal(40, 10, rows),
            "visits": rng.integers(0, 20, rows).astype(float),
            "channel": rng.choice(["web", "shop", "phone"], rows),
        }
    )
    y = pd.Series((frame["age"] + 3 * (frame["channel"] == "web") > 41).astype(int))
    return frame, y


def _inspect(model: Any, folder: Path, sample: pd.DataFrame | None = None) -> Inspection:
    path = folder / "model.skops"
    skops.io.dump(model, path)
    return inspect_model(path, path.name, sample=sample)


def _facts(inspection: Inspection) -> dict[str, tuple[bool, list[str] | None, str]]:
    return {
        c.name: (c.nullable, c.categories, c.on_unknown_category) for c in inspection.input_schema.columns
    }


def _score(inspection: Inspection, folder: Path, rows: list[dict[str, Any]]) -> np.ndarray:
    frame = to_frame(rows, inspection.input_schema)
    return load_model(folder / "model.skops", "sklearn").predict(frame).predictions


def test_imputers_in_column_transformer_branches(tmp_path: Path) -> None:
    frame, y = _frame()
    prepare = ColumnTransformer(
        [
            ("age", make_pipeline(SimpleImputer(), StandardScaler()), ["age"]),
            (
                "channel",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")
                ),
                ["channel"],
            ),
            ("raw", "passthrough", ["visits"]),
        ]
    )
    model = Pipeline([("prepare", prepare), ("model", LogisticRegression())]).fit(frame, y)
    inspection = _inspect(model, tmp_path, frame.head(5))
    assert _facts(inspection) == {
        "age": (True, None, "flag"),
        "visits": (False, None, "flag"),  # passed through to a model that refuses NaN
        "channel": (True, ["phone", "shop", "web"], "flag"),
    }
    predictions = _score(inspection, tmp_path, [{"age": None, "visits": 3.0, "channel": None}])
    assert len(predictions) == 1
    with pytest.raises(InvalidArgument, match="column 'visits': a value is required"):
        to_frame([{"age": 1.0, "visits": None, "channel": "web"}], inspection.input_schema)


def test_passthrough_into_a_model_that_takes_missing_values(tmp_path: Path) -> None:
    """The demo's channel pipeline: one-hot channel, numbers passed through to HistGradientBoosting."""
    frame, _ = _frame()
    target = frame["age"] * 2
    prepare = ColumnTransformer(
        [
            ("channel", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["channel"]),
            ("numeric", "passthrough", ["age", "visits"]),
        ]
    )
    model = Pipeline([("prepare", prepare), ("model", HistGradientBoostingRegressor(max_iter=5))])
    model.fit(frame, target)
    inspection = _inspect(model, tmp_path, frame.head(5))
    facts = _facts(inspection)
    assert facts["age"] == facts["visits"] == (True, None, "flag")
    assert facts["channel"] == (True, ["phone", "shop", "web"], "flag")
    rows = [{"age": None, "visits": 2.0, "channel": "fax"}]
    checked = to_frame(rows, inspection.input_schema)
    assert [(u.row, u.column, u.value) for u in unknown_categories(checked, inspection.input_schema)] == [
        (0, "channel", "fax")
    ]
    assert np.isfinite(_score(inspection, tmp_path, rows)).all()


@pytest.mark.parametrize(
    ("final", "nullable"),
    [(HistGradientBoostingRegressor(max_iter=5), True), (RandomForestClassifier(n_estimators=3), True)],
)
def test_scalers_let_missing_values_through_to_the_model(tmp_path: Path, final: Any, nullable: bool) -> None:
    frame, y = _frame()
    numbers = frame[["age", "visits"]]
    model = make_pipeline(StandardScaler(), final).fit(numbers, y)
    facts = _facts(_inspect(model, tmp_path, numbers.head(5)))
    assert {name: fact[0] for name, fact in facts.items()} == {"age": nullable, "visits": nullable}


def test_a_model_without_imputer_needs_every_value(tmp_path: Path) -> None:
    frame, y = _frame()
    numbers = frame[["age", "visits"]]
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(numbers, y)
    facts = _facts(_inspect(model, tmp_path, numbers.head(5)))
    assert facts == {"age": (False, None, "flag"), "visits": (False, None, "flag")}


def test_an_imputer_first_covers_every_column(tmp_path: Path) -> None:
    frame, y = _frame()
    numbers = frame[["age", "visits"]]
    model = make_pipeline(SimpleImputer(), LogisticRegression()).fit(numbers, y)
    facts = _facts(_inspect(model, tmp_path, numbers.head(5)))
    assert all(fact[0] for fact in facts.values())


def test_an_encoder_that_refuses_unknown_values_makes_them_refused(tmp_path: Path) -> None:
    frame, y = _frame()
    # OrdinalEncoder's handle_unknown is "error": the model cannot score another channel
    prepare = ColumnTransformer([("channel", OrdinalEncoder(), ["channel"])], remainder="passthrough")
    model = make_pipeline(prepare, LogisticRegression()).fit(frame, y)
    inspection = _inspect(model, tmp_path, frame.head(5))
    assert _facts(inspection)["channel"] == (False, ["phone", "shop", "web"], "reject")
    with pytest.raises(
        InvalidArgument, match="row 0, column 'channel': expected one of 'phone', 'shop', 'web'"
    ):
        to_frame([{"age": 1.0, "visits": 1.0, "channel": "fax"}], inspection.input_schema)


def test_the_sample_gives_blanks_and_few_distinct_strings(tmp_path: Path) -> None:
    frame, y = _frame()
    frame["segment"] = np.where(frame["age"] > 40, "gold", "silver")
    prepare = ColumnTransformer(
        [("segment", OneHotEncoder(handle_unknown="ignore"), ["segment"])], remainder="drop"
    )
    model = make_pipeline(prepare, LogisticRegression()).fit(frame, y)
    sample = frame.head(40).copy()
    sample.loc[3, "age"] = np.nan
    inspection = _inspect(model, tmp_path, sample)
    facts = _facts(inspection)
    assert facts["age"][0] is True  # a blank in the sample (and a dropped column anyway)
    assert facts["channel"] == (True, ["phone", "shop", "web"], "flag")  # 40 rows, 3 values: the sample
    assert facts["segment"] == (True, ["gold", "silver"], "flag")  # from the encoder


def test_a_sample_of_ids_gives_no_categories(tmp_path: Path) -> None:
    frame, y = _frame()
    model = make_pipeline(SimpleImputer(), LogisticRegression()).fit(frame[["age"]], y)
    sample = frame[["age"]].head(30).assign(customer=[f"c{i}" for i in range(30)])
    inspection = inspect_model(_dump(model, tmp_path), "model.skops", sample=sample[["age"]])
    assert inspection.input_schema.columns[0].categories is None


def _dump(model: Any, folder: Path) -> Path:
    path = folder / "model.skops"
    skops.io.dump(model, path)
    return path


def test_lightgbm_takes_missing_values_and_knows_its_categories(tmp_path: Path) -> None:
    frame, y = _frame()
    typed = frame.astype({"channel": "category"})
    model = lightgbm.LGBMClassifier(n_estimators=5, num_leaves=4, min_child_samples=5, verbose=-1)
    model.fit(typed, y)
    path = tmp_path / "model.txt"
    model.booster_.save_model(path)
    inspection = inspect_model(path, path.name)
    facts = {c.name: (c.nullable, c.categories) for c in inspection.input_schema.columns}
    assert facts == {"age": (True, None), "visits": (True, None), "channel": (True, ["phone", "shop", "web"])}


def test_xgboost_categories_flagged_and_scored(tmp_path: Path) -> None:
    frame, y = _frame()
    typed = frame.astype({"channel": "category"})
    model = xgboost.XGBClassifier(n_estimators=5, enable_categorical=True, tree_method="hist", n_jobs=1)
    model.fit(typed, y)
    path = tmp_path / "model.ubj"
    model.get_booster().save_model(path)
    inspection = inspect_model(path, path.name)
    schema: ModelSchema = inspection.input_schema
    channel = schema.columns[2]
    assert (channel.type, channel.nullable, channel.categories) == ("string", True, ["phone", "shop", "web"])
    rows = [
        {"age": 30.0, "visits": None, "channel": "web"},
        {"age": 30.0, "visits": 1.0, "channel": "fax"},  # unknown: flagged, scored as a missing value
    ]
    checked = to_frame(rows, schema)
    assert [(u.row, u.column) for u in unknown_categories(checked, schema)] == [(1, "channel")]
    loaded = load_model(path, "xgboost")
    prediction = loaded.predict(checked)
    assert prediction.probabilities is not None and np.isfinite(prediction.probabilities).all()
    # a known value scores as the training frame's codes do, whatever other values the request holds
    alone = loaded.predict(to_frame(rows[:1], schema)).probabilities
    assert alone is not None
    np.testing.assert_allclose(alone[0], prediction.probabilities[0])

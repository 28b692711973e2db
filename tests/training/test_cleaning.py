"""Cleaning steps: checks that name the step and column, each step's effect, the Cleaner learnt on
training rows and replayed on new ones (and in a skops file), and the preview."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from modelport.errors import InvalidArgument
from modelport.flavors.sklearn import SklearnFlavor, check_skops_types
from modelport.schemas import CastStep, DropColumnsStep, FilterRowsStep, ImputeStep
from modelport.training import cleaning
from modelport.training.cleaning import (
    Cleaner,
    apply_rows,
    check_steps,
    column_steps,
    columns_after,
    preview,
    row_steps,
    split_target,
)


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "age": [10.0, np.nan, 30.0, 40.0, 1000.0, 30.0],
            "price": ["1,5", "2,5", "?", "4", "x", "2,5"],
            "ok": ["yes", "no", "Y", None, "vrai", "no"],
            "when": ["2020-01-02", "2021-03-04 10:00", None, "2022-12-31", "bad", "2021-03-04 10:00"],
            "city": ["Paris", "Lyon", "Paris", "-", "Nice", "Lyon"],
        }
    )


def _refused(columns: list[str], steps: list[dict[str, Any]]) -> InvalidArgument:
    with pytest.raises(InvalidArgument) as caught:
        check_steps(columns, steps)
    return caught.value


# --- check_steps ---------------------------------------------------------------------------------


def test_check_accepts_a_sequence_that_uses_columns_it_creates() -> None:
    check_steps(
        ["when", "x"],
        [
            {"op": "date_parts", "column": "when", "parts": ["year"]},
            {"op": "filter_rows", "column": "when_year", "operator": ">", "value": 2020},
            DropColumnsStep(columns=["x"]),
        ],
    )


def test_check_names_an_unknown_column() -> None:
    error = _refused(
        ["a"], [{"op": "cast", "column": "a", "to": "number"}, {"op": "cast", "column": "b", "to": "text"}]
    )
    assert error.field == "steps[1].column"
    assert error.message == "step 2 (cast): there is no column 'b'"


def test_check_names_a_column_an_earlier_step_dropped() -> None:
    error = _refused(
        ["a", "b"],
        [{"op": "drop_columns", "columns": ["b"]}, {"op": "impute", "column": "b", "strategy": "mean"}],
    )
    assert error.field == "steps[1].column"
    assert error.message == "step 2 (impute): there is no column 'b' (step 1 removed it)"
    after_parts = _refused(
        ["d"],
        [{"op": "date_parts", "column": "d"}, {"op": "filter_rows", "column": "d", "operator": "is_missing"}],
    )
    assert after_parts.field == "steps[1].column"
    assert "(step 1 removed it)" in after_parts.message


def test_check_names_unknown_columns_of_lists() -> None:
    assert _refused(["a"], [{"op": "drop_columns", "columns": ["a", "z"]}]).field == "steps[0].columns"
    assert _refused(["a"], [{"op": "drop_duplicates", "columns": ["z"]}]).field == "steps[0].columns"
    assert (
        _refused(["a"], [{"op": "missing_tokens", "column": "z", "tokens": ["?"]}]).field == "steps[0].column"
    )


@pytest.mark.parametrize(
    ("step", "field", "words"),
    [
        ({"op": "clip", "column": "a", "lower": 5, "upper": 1}, "steps[0].lower", "is above the upper bound"),
        ({"op": "clip", "column": "a", "upper": 1.5, "quantiles": True}, "steps[0].upper", "between 0 and 1"),
        (
            {"op": "clip", "column": "a", "lower": -0.1, "quantiles": True},
            "steps[0].lower",
            "between 0 and 1",
        ),
        ({"op": "clip", "column": "a"}, "steps[0].lower", "lower or an upper bound"),
        ({"op": "impute", "column": "a", "strategy": "constant"}, "steps[0].value", "needs a value"),
        ({"op": "filter_rows", "column": "a", "operator": "in", "value": 3}, "steps[0].value", "list"),
        ({"op": "filter_rows", "column": "a", "operator": ">"}, "steps[0].value", "needs one value"),
        ({"op": "date_parts", "column": "a", "parts": ["year"]}, "steps[0].parts", "'a_year' already exists"),
        ({"op": "squash", "column": "a"}, "steps[0].op", "step 1"),
        ({"op": "cast", "column": "a", "to": "complex"}, "steps[0].to", "step 1 (cast)"),
        ({"op": "impute", "column": "a"}, "steps[0].strategy", "Field required"),
    ],
)
def test_check_refuses_a_step_that_cannot_apply(step: dict[str, Any], field: str, words: str) -> None:
    error = _refused(["a", "a_year"], [step])
    assert error.field == field
    assert words in error.message


def test_row_and_column_steps_split_into_plain_dicts() -> None:
    steps = [
        CastStep(column="a", to="number"),
        FilterRowsStep(column="a", operator=">", value=1),
        {"op": "date_parts", "column": "d"},
        {"op": "drop_duplicates"},
    ]
    assert column_steps(steps) == [
        {"op": "cast", "column": "a", "to": "number"},
        {"op": "date_parts", "column": "d", "parts": ["year", "month", "day", "weekday"], "drop": True},
    ]
    assert row_steps(steps) == [
        {"op": "filter_rows", "column": "a", "operator": ">", "value": 1},
        {"op": "drop_duplicates", "columns": None},
    ]


def test_columns_after_the_steps() -> None:
    steps = [
        {"op": "drop_columns", "columns": ["x"]},
        {"op": "date_parts", "column": "when", "parts": ["year", "month"]},
        {"op": "filter_rows", "column": "when_year", "operator": ">", "value": 2020},
    ]
    assert columns_after(["x", "when", "y"], steps) == ["y", "when_year", "when_month"]


def test_split_target_keeps_the_target_out_of_the_cleaner() -> None:
    steps = [
        {"op": "missing_tokens", "tokens": ["?"]},
        {"op": "cast", "column": "churn", "to": "boolean"},
        {"op": "impute", "column": "age", "strategy": "median"},
        {"op": "filter_rows", "column": "churn", "operator": "not_missing"},
    ]
    features, target = split_target(steps, "churn")
    assert [s["op"] for s in features] == ["missing_tokens", "impute"]
    assert target == [
        {"op": "missing_tokens", "column": None, "tokens": ["?"]},
        {"op": "cast", "column": "churn", "to": "boolean"},
    ]
    frame = pd.DataFrame({"age": [1.0, None, 3.0], "churn": ["yes", "?", "no"]})
    assert Cleaner(features).fit_transform(frame[["age"]])["age"].tolist() == [1.0, 2.0, 3.0]
    assert Cleaner(target).fit_transform(frame[["churn"]])["churn"].tolist() == [True, pd.NA, False]
    with pytest.raises(InvalidArgument) as dropped:
        split_target([{"op": "drop_columns", "columns": ["a", "churn"]}], "churn")
    assert (dropped.value.field, dropped.value.message) == (
        "steps[0].columns",
        "step 1 (drop_columns) drops the target 'churn'",
    )
    with pytest.raises(InvalidArgument) as parts:
        split_target([{"op": "date_parts", "column": "churn"}], "churn")
    assert parts.value.field == "steps[0].column"


# --- column steps --------------------------------------------------------------------------------


def _clean(frame: pd.DataFrame, *steps: dict[str, Any]) -> pd.DataFrame:
    return Cleaner(list(steps)).fit_transform(frame)


def test_cast_to_number_reads_decimal_commas_and_separators() -> None:
    frame = pd.DataFrame({"x": ["1,5", "1 234,5", "1,234.5", "12 €", "x", None, "-3e2"]})
    out = _clean(frame, {"op": "cast", "column": "x", "to": "number"})
    assert out["x"].dtype == np.float64
    assert out["x"].tolist()[:4] == [1.5, 1234.5, 1234.5, 12.0]
    assert math.isnan(out["x"][4]) and math.isnan(out["x"][5])
    assert out["x"][6] == -300.0


def test_cast_to_integer_rounds_and_keeps_missing() -> None:
    out = _clean(
        pd.DataFrame({"x": ["3", "4,0", "2.6", None]}), {"op": "cast", "column": "x", "to": "integer"}
    )
    assert str(out["x"].dtype) == "Int64"
    assert out["x"].tolist()[:3] == [3, 4, 3]
    assert out["x"].isna().tolist() == [False, False, False, True]


def test_cast_to_boolean_reads_english_and_french_spellings() -> None:
    values = ["true", "False", "yes", "NO", "1", "0", "y", "n", "vrai", "faux", "maybe", None]
    out = _clean(pd.DataFrame({"b": values}), {"op": "cast", "column": "b", "to": "boolean"})
    assert str(out["b"].dtype) == "boolean"
    expected = [True, False, True, False, True, False, True, False, True, False]
    assert out["b"][:10].tolist() == expected
    assert out["b"][10:].isna().all()


def test_cast_to_category_text_and_date() -> None:
    frame = pd.DataFrame(
        {
            "code": [1.0, 2.0, np.nan, 2.5],
            "note": [1, 2, 3, 4],
            "day": ["2020-01-02", "03/04/2021 10:00", "2021-05-06T10:00:00+02:00", "soon"],
        }
    )
    out = _clean(
        frame,
        {"op": "cast", "column": "code", "to": "category"},
        {"op": "cast", "column": "note", "to": "text"},
        {"op": "cast", "column": "day", "to": "date"},
    )
    assert out["code"].tolist()[:2] == ["1", "2"] and out["code"][3] == "2.5" and pd.isna(out["code"][2])
    assert out["note"].tolist() == ["1", "2", "3", "4"]
    assert str(out["day"].dtype) == "datetime64[ns, UTC]"
    assert out["day"][:3].tolist() == [
        pd.Timestamp("2020-01-02", tz="UTC"),
        pd.Timestamp("2021-03-04 10:00", tz="UTC"),
        pd.Timestamp("2021-05-06 08:00", tz="UTC"),
    ]
    assert pd.isna(out["day"][3])


def test_missing_tokens_in_text_and_numbers() -> None:
    frame = pd.DataFrame({"a": ["?", "x", " N/A ", "-"], "n": [1.0, -999.0, 3.0, -999.0]})
    out = _clean(frame, {"op": "missing_tokens", "tokens": ["?", "n/a", "-999"]})
    assert out["a"].isna().tolist() == [True, False, True, False]
    assert out["n"].isna().tolist() == [False, True, False, True]
    only_a = _clean(frame, {"op": "missing_tokens", "column": "a", "tokens": ["-"]})
    assert only_a["a"].isna().tolist() == [False, False, False, True]
    assert only_a["n"].notna().all()


def test_impute_strategies_learn_on_fit_and_replay_on_new_rows() -> None:
    train = pd.DataFrame(
        {
            "m": [1.0, 2.0, 6.0, np.nan],
            "c": ["a", "b", "b", None],
            "k": [1, 2, 3, 4],
            "s": ["x", None, "y", "y"],
        }
    )
    cleaner = Cleaner(
        [
            {"op": "impute", "column": "m", "strategy": "mean"},
            {"op": "impute", "column": "k", "strategy": "median"},
            {"op": "impute", "column": "c", "strategy": "most_frequent"},
            {"op": "impute", "column": "s", "strategy": "constant", "value": "none"},
        ]
    ).fit(train)
    assert cleaner.learnt_ == [{"value": 3.0}, {"value": 2.5}, {"value": "b"}, {"value": "none"}]
    new = pd.DataFrame({"m": [np.nan, 10.0], "c": [None, "z"], "k": [np.nan, np.nan], "s": [None, "q"]})
    out = cleaner.transform(new)
    assert out["m"].tolist() == [3.0, 10.0]
    assert out["c"].tolist() == ["b", "z"]
    assert out["k"].tolist() == [2.5, 2.5]
    assert out["s"].tolist() == ["none", "q"]


def test_impute_mean_of_text_is_refused_naming_the_step() -> None:
    with pytest.raises(InvalidArgument) as caught:
        _clean(pd.DataFrame({"t": ["a", "b"]}), {"op": "impute", "column": "t", "strategy": "mean"})
    assert caught.value.field == "steps[0].column"
    assert caught.value.message == "step 1 (impute): column 't' is not numeric; cast it to number first"


def test_clip_absolute_and_quantile_bounds() -> None:
    train = pd.DataFrame({"v": [float(i) for i in range(101)]})
    cleaner = Cleaner([{"op": "clip", "column": "v", "lower": 0.1, "upper": 0.9, "quantiles": True}]).fit(
        train
    )
    assert cleaner.learnt_ == [{"lower": 10.0, "upper": 90.0}]
    assert cleaner.transform(pd.DataFrame({"v": [-5.0, 50.0, 500.0]}))["v"].tolist() == [10.0, 50.0, 90.0]
    absolute = _clean(train, {"op": "clip", "column": "v", "upper": 3})
    assert absolute["v"].max() == 3.0 and absolute["v"].min() == 0.0


def test_date_parts_split_and_drop_the_source() -> None:
    frame = pd.DataFrame({"d": ["2024-02-29 13:45", None], "x": [1, 2]})
    out = _clean(
        frame,
        {
            "op": "date_parts",
            "column": "d",
            "parts": ["year", "month", "day", "weekday", "hour", "dayofyear"],
        },
    )
    assert list(out.columns) == ["d_year", "d_month", "d_day", "d_weekday", "d_hour", "d_dayofyear", "x"]
    assert out.iloc[0].tolist() == [2024.0, 2.0, 29.0, 3.0, 13.0, 60.0, 1.0]
    assert out.iloc[1, :6].isna().all()
    kept = _clean(frame, {"op": "date_parts", "column": "d", "parts": ["year"], "drop": False})
    assert list(kept.columns) == ["d", "d_year", "x"]


def test_drop_columns() -> None:
    out = _clean(_frame(), {"op": "drop_columns", "columns": ["ok", "city"]})
    assert list(out.columns) == ["age", "price", "when"]


# --- row steps -----------------------------------------------------------------------------------


def test_drop_duplicates_on_all_or_some_columns() -> None:
    frame = pd.DataFrame({"a": [1, 1, 1, 2], "b": ["x", "x", "y", "y"]})
    assert apply_rows(frame, [{"op": "drop_duplicates"}]).index.tolist() == [0, 2, 3]
    assert apply_rows(frame, [{"op": "drop_duplicates", "columns": ["a"]}]).index.tolist() == [0, 3]


def test_filter_rows_compares_in_the_column_type() -> None:
    frame = pd.DataFrame(
        {
            "n": [1.0, 5.0, np.nan, 10.0],
            "t": ["9", "10", "100", None],
            "d": pd.to_datetime(["2020-01-01", "2021-06-01", None, "2023-01-01"], utc=True),
            "b": pd.array([True, False, None, True], dtype="boolean"),
            "c": ["FR", "DE", None, "IT"],
        }
    )

    def kept(column: str, operator: str, value: Any = None) -> list[int]:
        step = {"op": "filter_rows", "column": column, "operator": operator, "value": value}
        return apply_rows(frame, [step]).index.tolist()

    assert kept("n", ">=", "5") == [1, 3]
    assert kept("n", "!=", 5) == [0, 2, 3]  # a missing value is "not equal"
    assert kept("t", ">", 9) == [1, 2]  # text holding numbers compares as numbers
    assert kept("t", "==", 10) == [1]
    assert kept("d", "<", "2021-12-31") == [0, 1]
    assert kept("b", "==", "yes") == [0, 3]
    assert kept("c", "in", ["FR", "IT"]) == [0, 3]
    assert kept("c", "not_in", ["FR"]) == [1, 2, 3]
    assert kept("c", "is_missing") == [2]
    assert kept("n", "not_missing") == [0, 1, 3]


def test_filter_rows_with_a_value_of_the_wrong_type_names_the_field() -> None:
    frame = pd.DataFrame({"n": [1.0, 2.0]})
    with pytest.raises(InvalidArgument) as caught:
        apply_rows(
            frame,
            [
                {"op": "cast", "column": "n", "to": "number"},
                {"op": "filter_rows", "column": "n", "operator": ">", "value": "abc"},
            ],
        )
    assert caught.value.field == "steps[1].value"
    assert "step 2 (filter_rows)" in caught.value.message and "'abc' is not a number" in caught.value.message


def test_a_row_step_sees_the_columns_earlier_steps_made() -> None:
    frame = pd.DataFrame({"price": ["1,5", "20,5", "3"], "when": ["2020-01-01", "2021-01-01", "2022-01-01"]})
    steps = [
        {"op": "cast", "column": "price", "to": "number"},
        {"op": "filter_rows", "column": "price", "operator": "<", "value": 10},
        {"op": "date_parts", "column": "when", "parts": ["year"]},
        {"op": "filter_rows", "column": "when_year", "operator": ">", "value": 2020},
    ]
    rows = apply_rows(frame, steps)
    assert rows.index.tolist() == [2]
    assert rows.to_dict("list") == {"price": ["3"], "when": ["2022-01-01"]}  # raw columns


# --- the Cleaner as a pipeline stage ---------------------------------------------------------------

_STEPS: list[dict[str, Any]] = [
    {"op": "missing_tokens", "tokens": ["?", "-"]},
    {"op": "cast", "column": "price", "to": "number"},
    {"op": "cast", "column": "ok", "to": "boolean"},
    {"op": "impute", "column": "age", "strategy": "median"},
    {"op": "clip", "column": "age", "upper": 0.8, "quantiles": True},
    {"op": "date_parts", "column": "when", "parts": ["year", "month"]},
    {"op": "impute", "column": "city", "strategy": "most_frequent"},
]


def test_cleaner_adds_missing_columns_drops_extra_ones_and_reads_served_text() -> None:
    frame = _frame()
    before = frame.copy()
    cleaner = Cleaner(_STEPS).fit(frame)
    pd.testing.assert_frame_equal(frame, before)  # the input is left as it was
    names = ["age", "price", "ok", "when_year", "when_month", "city"]
    assert cleaner.get_feature_names_out().tolist() == names
    served = pd.DataFrame({"age": ["5000"], "when": ["2024-02-03"], "extra": [1]})
    out = cleaner.transform(served)
    assert list(out.columns) == names
    assert out["age"][0] == cleaner.learnt_[4]["upper"]  # text read as a number, then clipped
    assert math.isnan(out["price"][0]) and pd.isna(out["ok"][0])
    assert out["when_year"][0] == 2024.0
    assert out["city"][0] == cleaner.learnt_[6]["value"] == "Lyon"


def test_cleaner_refuses_row_steps_and_clones() -> None:
    with pytest.raises(InvalidArgument) as caught:
        Cleaner([{"op": "drop_duplicates"}]).fit(_frame())
    assert caught.value.field == "steps[0].op"
    cleaner = Cleaner(_STEPS)
    assert clone(cleaner).get_params() == {"steps": _STEPS}


def test_cleaner_state_round_trips_through_skops(tmp_path: Path) -> None:
    frame = _frame()
    cleaner = Cleaner(_STEPS).fit(frame)
    path = tmp_path / "cleaner.skops"
    skops.io.dump(cleaner, path)
    untrusted = skops.io.get_untrusted_types(file=path)
    assert untrusted == ["modelport.training.cleaning.Cleaner"]
    check_skops_types(untrusted)
    loaded = skops.io.load(path, trusted=untrusted)
    assert loaded.learnt_ == cleaner.learnt_
    pd.testing.assert_frame_equal(loaded.transform(frame), cleaner.transform(frame))


def test_a_pipeline_with_the_cleaner_loads_as_a_safe_model_and_scores_raw_rows(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "amount": [f"{v:.2f}".replace(".", ",") for v in rng.normal(50, 10, 200)],
            "when": pd.date_range("2020-01-01", periods=200, freq="D").strftime("%Y-%m-%d"),
        }
    )
    target = (frame["amount"].str.replace(",", ".").astype(float) > 50).astype(int)
    steps = [
        {"op": "cast", "column": "amount", "to": "number"},
        {"op": "impute", "column": "amount", "strategy": "median"},
        {"op": "date_parts", "column": "when", "parts": ["month"]},
    ]
    pipeline = Pipeline([("clean", Cleaner(steps)), ("model", LogisticRegression())]).fit(frame, target)
    path = tmp_path / "model.skops"
    skops.io.dump(pipeline, path)
    model = SklearnFlavor().load(path)
    assert model.safe
    prediction = model.predict(pd.DataFrame({"amount": ["80,0", None], "when": ["2021-05-01", "2021-06-01"]}))
    assert prediction.predictions.tolist()[0] == 1
    assert prediction.probabilities is not None and prediction.probabilities.shape == (2, 2)


# --- preview -------------------------------------------------------------------------------------


def test_preview_says_what_each_step_did_and_returns_json_ready_rows() -> None:
    steps = [
        *_STEPS,
        {"op": "filter_rows", "column": "price", "operator": ">=", "value": "2"},
        {"op": "drop_duplicates"},
    ]
    result = preview(_frame(), steps)
    assert result.rows_before == 6 and result.rows_after == 2
    assert [(e.step, e.op) for e in result.effects] == [(i, s["op"]) for i, s in enumerate(steps)]
    messages = [e.message for e in result.effects]
    assert messages == [
        "1 cell set to missing (city: 1)",
        "column 'price' cast to number",
        "column 'ok' cast to boolean",
        "1 cell of 'age' imputed with the median 40",
        "0 cells of 'age' clipped to [-inf, 40] (quantiles - and 0.8)",
        "added when_year, when_month; dropped 'when'",
        "1 cell of 'city' imputed with the most frequent 'Lyon'",
        "kept the rows where price >= '2': 3 rows removed",
        "1 duplicated row removed",
    ]
    assert result.columns == ["age", "price", "ok", "when_year", "when_month", "city"]
    assert result.rows == [
        {"age": 40.0, "price": 2.5, "ok": False, "when_year": 2021.0, "when_month": 3.0, "city": "Lyon"},
        {"age": 40.0, "price": 4.0, "ok": None, "when_year": 2022.0, "when_month": 12.0, "city": "Lyon"},
    ]
    json.dumps(result.model_dump(), allow_nan=False)


def test_preview_rows_hold_no_nan_or_timestamps() -> None:
    frame = pd.DataFrame({"d": ["2020-01-02", None, "x"], "v": [1.0, np.nan, np.inf]})
    result = preview(frame, [{"op": "cast", "column": "d", "to": "date"}], limit=2)
    assert (
        result.effects[0].message == "column 'd' cast to date; 1 value could not be read and became missing"
    )
    assert result.rows == [{"d": "2020-01-02T00:00:00+00:00", "v": 1.0}, {"d": None, "v": None}]
    assert result.rows_after == 3
    json.dumps(result.rows, allow_nan=False)


def test_preview_of_no_steps_and_of_bad_steps() -> None:
    assert preview(_frame(), []).rows_after == 6
    with pytest.raises(InvalidArgument) as caught:
        preview(_frame(), [{"op": "cast", "column": "nope", "to": "number"}])
    assert caught.value.field == "steps[0].column"


def _preview_refused(frame: pd.DataFrame, steps: list[Any]) -> InvalidArgument:
    with pytest.raises(InvalidArgument) as caught:
        preview(frame, steps, limit=0)
    return caught.value


def test_preview_names_the_users_step_after_a_row_step() -> None:
    frame = pd.DataFrame({"a": [1.0, 2, 3, None], "t": ["x", "y", None, "z"], "y": [0, 1, 0, 1]})
    steps = [
        FilterRowsStep(column="a", operator=">=", value=0),
        ImputeStep(column="t", strategy="mean"),
    ]
    error = _preview_refused(frame, steps)
    assert error.field == "steps[1].column"
    assert error.message.startswith("step 2 (impute): column 't' is not numeric")


def test_preview_names_the_users_step_with_a_row_step_between_column_steps() -> None:
    frame = pd.DataFrame(
        {"a": ["1", "2", "x", None], "b": [None, 2.0, 3, 4], "d": ["2020-01-02", "x", "y", "z"]}
    )
    # the date parts (step 4) see a date on every row but only non-dates on the rows kept
    steps: list[Any] = [
        {"op": "cast", "column": "a", "to": "number"},
        {"op": "filter_rows", "column": "a", "operator": "not_missing"},
        {"op": "filter_rows", "column": "d", "operator": "!=", "value": "2020-01-02"},
        {"op": "date_parts", "column": "d", "parts": ["year"]},
    ]
    error = _preview_refused(frame, steps)
    assert error.field == "steps[3].column"
    assert error.message.startswith("step 4 (date_parts): column 'd' holds no date")

    steps = [
        {"op": "cast", "column": "a", "to": "number"},
        {"op": "filter_rows", "column": "a", "operator": "not_missing"},
        {"op": "impute", "column": "b", "strategy": "constant", "value": "maybe"},
    ]
    error = _preview_refused(frame, steps)
    assert error.field == "steps[2].value"
    assert error.message.startswith("step 3 (impute): 'maybe' does not fit column 'b'")

    steps[2] = {"op": "impute", "column": "b", "strategy": "constant", "value": 0}
    steps.append({"op": "clip", "column": "a", "upper": 1})
    result = preview(frame, steps, limit=0)
    assert [(e.step, e.op) for e in result.effects] == [
        (0, "cast"),
        (1, "filter_rows"),
        (2, "impute"),
        (3, "clip"),
    ]
    assert [e.message for e in result.effects] == [
        "column 'a' cast to number",  # on the rows kept, as a training fits the Cleaner
        "kept the rows where a not missing: 2 rows removed",
        "1 cell of 'b' imputed with the constant 0",
        "1 cell of 'a' clipped to [-inf, 1]",
    ]
    assert result.rows_after == 2 and result.rows == []


def test_a_cleaner_fitted_alone_names_its_own_positions() -> None:
    frame = pd.DataFrame({"t": ["x", "y"]})
    with pytest.raises(InvalidArgument) as caught:
        Cleaner([{"op": "impute", "column": "t", "strategy": "mean"}]).fit(frame)
    assert caught.value.field == "steps[0].column"
    assert caught.value.message.startswith("step 1 (impute)")


def test_a_repeated_index_is_kept() -> None:
    frame = pd.DataFrame({"a": ["1", "2", "2", None], "d": ["2020-01-01"] * 4}, index=[7, 7, 8, 8])
    steps = [
        {"op": "cast", "column": "a", "to": "number"},
        {"op": "impute", "column": "a", "strategy": "mean"},
        {"op": "date_parts", "column": "d", "parts": ["year"]},
    ]
    cleaner = Cleaner(steps)
    out = cleaner.fit_transform(frame)
    assert out.index.tolist() == [7, 7, 8, 8]
    assert out.to_dict("list") == {"a": [1.0, 2.0, 2.0, 5 / 3], "d_year": [2020.0] * 4}
    pd.testing.assert_frame_equal(cleaner.transform(frame), out)
    kept = apply_rows(frame, [{"op": "drop_duplicates"}])
    assert kept.index.tolist() == [7, 7, 8]


def test_unread_columns_are_those_dropped_before_anything_reads_them() -> None:
    steps = [
        {"op": "date_parts", "column": "signed", "drop": False},
        {"op": "drop_columns", "columns": ["customer_id", "signed", "signed_year"]},
        {"op": "cast", "column": "plan", "to": "category"},
        {"op": "drop_columns", "columns": ["plan"]},
    ]
    columns = ["customer_id", "signed", "plan", "spend"]
    # signed feeds the date parts (the served model needs it); signed_year is no raw column
    assert cleaning.unread_columns(columns, steps) == ["customer_id", "plan"]
    assert cleaning.unread_columns(columns, []) == []

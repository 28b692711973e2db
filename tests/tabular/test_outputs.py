"""Prediction outputs: JSON answers, batch result frames, and summaries that merge across chunks."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelport.columns import ColumnSpec, ModelSchema
from modelport.flavors.base import Prediction
from modelport.tabular.outputs import (
    HISTOGRAM_BINS,
    SummaryAccumulator,
    class_labels,
    prediction_frame,
    prediction_records,
    summarize,
)


def strict_json(value: Any) -> Any:
    """Round-trip through JSON as an API answer would (no NaN, no numpy types)."""
    return json.loads(json.dumps(value, allow_nan=False))


# ---------------------------------------------------------------------------------------------- records


@pytest.mark.parametrize(
    ("values", "expected", "kind"),
    [
        (np.array([1, 2], dtype=np.int64), [1, 2], int),
        (np.array([1, 2], dtype=np.uint8), [1, 2], int),
        (np.array([0.5, 1.5], dtype=np.float32), [0.5, 1.5], float),
        (np.array([True, False]), [True, False], bool),
        (np.array(["a", "bc"]), ["a", "bc"], str),
        (np.array([np.int64(3), "x"], dtype=object), [3, "x"], None),
    ],
)
def test_predictions_become_python_scalars(
    values: np.ndarray, expected: list[Any], kind: type | None
) -> None:
    predictions, probabilities = prediction_records(Prediction(values))
    assert predictions == expected and probabilities is None
    assert [type(v) for v in predictions] == [kind or type(e) for e in expected]
    assert strict_json(predictions) == expected


def test_nan_and_infinity_become_none() -> None:
    values = np.array([1.0, np.nan, np.inf, -np.inf])
    assert prediction_records(Prediction(values))[0] == [1.0, None, None, None]
    objects = np.array([None, np.float64("nan"), 2.5], dtype=object)
    assert prediction_records(Prediction(objects))[0] == [None, None, 2.5]


def test_datetimes_become_iso_strings() -> None:
    values = np.array(["2024-05-01T10:00", "NaT"], dtype="datetime64[ns]")
    assert prediction_records(Prediction(values))[0] == ["2024-05-01T10:00:00", None]


def test_multi_output_predictions_are_lists_per_row() -> None:
    values = np.array([[1.0, 2.0], [3.0, np.nan]])
    assert prediction_records(Prediction(values))[0] == [[1.0, 2.0], [3.0, None]]
    column = np.array([[1.0], [2.0]])
    assert prediction_records(Prediction(column))[0] == [1.0, 2.0]


@pytest.mark.parametrize(
    ("classes", "keys"),
    [
        ([np.int64(0), np.int64(1)], ["0", "1"]),
        (["no", "yes"], ["no", "yes"]),
        (np.array(["no", "yes"]), ["no", "yes"]),
        ([False, True], ["False", "True"]),
        ([1.5, 2.5], ["1.5", "2.5"]),
        (None, ["0", "1"]),
    ],
)
def test_probabilities_per_row_keyed_by_class(classes: Any, keys: list[str]) -> None:
    prediction = Prediction(
        np.array([1, 0]),
        np.array([[0.25, 0.75], [0.5, np.nan]], dtype=np.float32),
        list(classes) if classes is not None else None,
    )
    predictions, probabilities = prediction_records(prediction)
    assert probabilities == [{keys[0]: 0.25, keys[1]: 0.75}, {keys[0]: 0.5, keys[1]: None}]
    assert all(type(p) is float for row in probabilities for p in row.values() if p is not None)
    assert strict_json(probabilities) == probabilities
    assert class_labels(prediction) == keys


def test_probabilities_that_do_not_fit_the_classes() -> None:
    prediction = Prediction(np.array([1]), np.array([[0.2, 0.3, 0.5]]), [0, 1])
    with pytest.raises(ValueError, match="3 probability columns for 2 classes"):
        prediction_records(prediction)
    with pytest.raises(ValueError, match="2 probability rows for 1 rows"):
        prediction_records(Prediction(np.array([1]), np.array([[0.5, 0.5], [0.1, 0.9]]), [0, 1]))


def test_output_schema_casts_where_nothing_is_lost() -> None:
    schema = ModelSchema(columns=[ColumnSpec(name="prediction", type="integer")])
    values = np.array([2.0, 3.5, np.nan])
    assert prediction_records(Prediction(values), schema)[0] == [2, 3.5, None]
    assert [type(v) for v in prediction_records(Prediction(values), schema)[0]] == [int, float, type(None)]
    strings = ModelSchema(columns=[ColumnSpec(name="prediction", type="string")])
    assert prediction_records(Prediction(np.array([1, 2])), strings)[0] == ["1", "2"]
    numbers = ModelSchema(columns=[ColumnSpec(name="prediction_1", type="number")])
    assert prediction_records(Prediction(np.array([[1, 2]])), numbers)[0] == [[1, 2.0]]
    booleans = ModelSchema(columns=[ColumnSpec(name="prediction", type="boolean")])
    assert prediction_records(Prediction(np.array([1, 0, 2])), booleans)[0] == [True, False, 2]


# ---------------------------------------------------------------------------------------------- frames


def test_prediction_frame_adds_outputs_after_inputs() -> None:
    inputs = pd.DataFrame({"x": [1.0, 2.0, 3.0], "id": ["a", "b", "c"]}, index=[7, 8, 9])
    before = inputs.copy()
    prediction = Prediction(
        np.array(["no", "yes", "no"]), np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]), ["no", "yes"]
    )
    frame = prediction_frame(inputs, prediction)
    assert list(frame.columns) == ["x", "id", "prediction", "probability_no", "probability_yes"]
    assert frame.index.tolist() == [7, 8, 9]
    assert frame["prediction"].tolist() == ["no", "yes", "no"]
    assert frame["probability_yes"].tolist() == [0.1, 0.8, 0.4]
    pd.testing.assert_frame_equal(inputs, before)
    frame.loc[7, "x"] = 100.0
    assert inputs.loc[7, "x"] == 1.0
    assert not np.shares_memory(frame["x"].to_numpy(), inputs["x"].to_numpy())


def test_prediction_frame_multi_output_and_name_clashes() -> None:
    inputs = pd.DataFrame({"prediction_0": [1, 2], "prediction_0_input": [3, 4], "z": [5, 6]})
    frame = prediction_frame(inputs, Prediction(np.array([[0.1, 0.2], [0.3, 0.4]])))
    assert list(frame.columns) == [
        "prediction_0_input_input",
        "prediction_0_input",
        "z",
        "prediction_0",
        "prediction_1",
    ]
    assert frame["prediction_0_input_input"].tolist() == [1, 2]
    assert frame["prediction_1"].tolist() == [0.2, 0.4]
    assert list(inputs.columns) == ["prediction_0", "prediction_0_input", "z"]


def test_prediction_frame_int_classes_and_duplicate_index() -> None:
    inputs = pd.DataFrame({"x": [1, 2]}, index=[0, 0])
    frame = prediction_frame(
        inputs, Prediction(np.array([[1], [0]]), np.array([[0.3, 0.7], [0.6, 0.4]]), [0, 1])
    )
    assert list(frame.columns) == ["x", "prediction", "probability_0", "probability_1"]
    assert frame.index.tolist() == [0, 0]
    assert frame["prediction"].tolist() == [1, 0]


def test_prediction_frame_length_mismatch() -> None:
    with pytest.raises(ValueError, match="3 predictions for 2 rows"):
        prediction_frame(pd.DataFrame({"x": [1, 2]}), Prediction(np.array([1, 2, 3])))


# ---------------------------------------------------------------------------------------------- summaries


def test_numeric_summary() -> None:
    values = np.random.default_rng(1).normal(10, 2, size=5000)
    values[:7] = np.nan
    values[7] = np.inf
    summary = summarize(pd.Series(values))
    finite = values[np.isfinite(values)]
    assert summary["kind"] == "numeric"
    assert summary["count"] == len(finite) and summary["missing"] == 8
    assert summary["mean"] == pytest.approx(finite.mean())
    assert summary["std"] == pytest.approx(finite.std())
    assert summary["min"] == finite.min() and summary["max"] == finite.max()
    edges, counts = summary["histogram"]["edges"], summary["histogram"]["counts"]
    assert len(edges) == HISTOGRAM_BINS + 1 and len(counts) == HISTOGRAM_BINS
    assert edges[0] == finite.min() and edges[-1] == finite.max()
    assert counts == np.histogram(finite, bins=HISTOGRAM_BINS)[0].tolist()
    assert strict_json(summary) == summary


def test_constant_and_empty_numeric_summaries() -> None:
    summary = summarize(np.array([3.0, 3.0]))
    assert summary["min"] == summary["max"] == 3.0 and summary["std"] == 0.0
    assert sum(summary["histogram"]["counts"]) == 2
    assert summary["histogram"]["edges"][0] < 3.0 < summary["histogram"]["edges"][-1]
    empty = summarize(np.array([], dtype=float))
    assert empty["count"] == 0 and empty["mean"] is None and empty["histogram"] == {"edges": [], "counts": []}
    assert summarize(np.array([np.nan]))["missing"] == 1


def test_categorical_summary() -> None:
    values = np.array(["b", "a", "b", "c", None, "b", "a"], dtype=object)
    summary = summarize(values)
    assert summary == {
        "kind": "categorical",
        "count": 6,
        "missing": 1,
        "distinct": 3,
        "counts": {"b": 3, "a": 2, "c": 1},
        "other": 0,
    }
    top = summarize(values, max_classes=2)
    assert top["counts"] == {"b": 3, "a": 2} and top["other"] == 1


def test_integer_and_boolean_labels_are_categorical() -> None:
    assert summarize(np.array([0, 1, 1], dtype=np.int64))["counts"] == {"1": 2, "0": 1}
    assert summarize(np.array([True, False, True]))["counts"] == {"True": 2, "False": 1}
    numeric = summarize(np.array([0, 1, 1]), kind="numeric")
    assert numeric["kind"] == "numeric" and numeric["mean"] == pytest.approx(2 / 3)
    assert summarize(np.array([1.0, 2.0]), kind="categorical")["counts"] == {"1.0": 1, "2.0": 1}


def test_two_dimensional_predictions_are_summarised_together() -> None:
    assert summarize(np.array([[1.0, 2.0], [3.0, 4.0]]))["count"] == 4


CHUNKS = st.lists(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False) | st.just(float("nan")), max_size=30),
    min_size=1,
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(CHUNKS)
def test_numeric_accumulator_equals_summary_of_the_concatenation(chunks: list[list[float]]) -> None:
    accumulator = SummaryAccumulator(kind="numeric")
    for chunk in chunks:
        accumulator.add(np.array(chunk, dtype=float))
    merged = accumulator.result()
    whole = summarize(np.array([v for chunk in chunks for v in chunk], dtype=float), kind="numeric")
    for key in ("kind", "count", "missing", "min", "max"):
        assert merged[key] == whole[key]
    if whole["count"]:
        assert merged["mean"] == pytest.approx(whole["mean"], rel=1e-9, abs=1e-6)
        assert merged["std"] == pytest.approx(whole["std"], rel=1e-6, abs=1e-3)
        edges, counts = merged["histogram"]["edges"], merged["histogram"]["counts"]
        assert sum(counts) == whole["count"] and len(counts) == HISTOGRAM_BINS
        assert edges[0] <= whole["min"] and whole["max"] <= edges[-1]
    assert strict_json(merged) == merged


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(["a", "b", "c", None]) | st.integers(0, 3), max_size=20),
        min_size=1,
        max_size=6,
    )
)
def test_categorical_accumulator_equals_summary_of_the_concatenation(chunks: list[list[Any]]) -> None:
    accumulator = SummaryAccumulator(kind="categorical", max_classes=3)
    for chunk in chunks:
        accumulator.add(np.array(chunk, dtype=object))
    whole = summarize(
        np.array([v for chunk in chunks for v in chunk], dtype=object), max_classes=3, kind="categorical"
    )
    assert accumulator.result() == whole


def test_accumulator_histogram_widens_to_later_chunks() -> None:
    accumulator = SummaryAccumulator()
    accumulator.add(np.linspace(0.0, 1.0, 101))
    accumulator.add(np.array([5.0, -3.0]))
    result = accumulator.result()
    edges, counts = result["histogram"]["edges"], result["histogram"]["counts"]
    assert edges[0] <= -3.0 and edges[-1] >= 5.0 and sum(counts) == 103
    width = edges[1] - edges[0]
    assert width <= 2 * (5.0 - -3.0) / HISTOGRAM_BINS * 2  # at most twice as wide as needed (plus the start)
    assert all(math.isclose(b - a, width) for a, b in zip(edges, edges[1:], strict=False))


def test_accumulator_bounds_the_classes_it_tracks() -> None:
    accumulator = SummaryAccumulator(max_classes=5, max_distinct=100)
    for start in range(0, 1000, 250):
        accumulator.add(
            np.array([f"id{i}" for i in range(start, start + 250)] + ["common"] * 10, dtype=object)
        )
    result = accumulator.result()
    assert len(accumulator._counts) <= 100
    assert result["count"] == 1040 == sum(result["counts"].values()) + result["other"]
    assert result["counts"]["common"] == 40
    assert result["distinct"] == 1001

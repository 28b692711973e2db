"""Prediction request bodies and their check against an input schema: every refusal names row and column."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from modelport.columns import ColumnSpec, ModelSchema
from modelport.errors import InvalidArgument
from modelport.serving.body import parse_body
from modelport.tabular import validation
from modelport.tabular.validation import MAX_PROBLEMS, VECTOR_MIN_ROWS, to_frame

SCHEMA = ModelSchema(
    columns=[
        ColumnSpec(name="age", type="integer", minimum=0, maximum=130),
        ColumnSpec(name="price", type="number"),
        ColumnSpec(name="member", type="boolean"),
        ColumnSpec(name="colour", type="string", categories=["red", "green"], on_unknown_category="reject"),
        ColumnSpec(name="seen", type="datetime"),
        ColumnSpec(name="score", type="number", nullable=True, minimum=0.0, maximum=1.0),
    ]
)


def good_row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "age": 42,
        "price": 9.5,
        "member": True,
        "colour": "red",
        "seen": "2024-05-01T10:00:00Z",
        "score": 0.25,
    }
    row.update(changes)
    return row


def refused(rows: Any, schema: ModelSchema = SCHEMA) -> InvalidArgument:
    with pytest.raises(InvalidArgument) as caught:
        to_frame(rows, schema)
    return caught.value


# ---------------------------------------------------------------------------------------------- parse_body


def test_inputs_records() -> None:
    rows = [good_row(), good_row(age=1)]
    assert parse_body({"inputs": rows}, 10) == rows


def test_inputs_single_object_is_one_row() -> None:
    assert parse_body({"inputs": good_row()}, 10) == [good_row()]


def test_dataframe_split() -> None:
    body = {"dataframe_split": {"columns": ["a", "b"], "data": [[1, "x"], [2, None]], "index": [7, 8]}}
    assert parse_body(body, 10) == [{"a": 1, "b": "x"}, {"a": 2, "b": None}]
    del body["dataframe_split"]["index"]
    assert parse_body(body, 10) == [{"a": 1, "b": "x"}, {"a": 2, "b": None}]


def test_dataframe_records() -> None:
    assert parse_body({"dataframe_records": [{"a": 1}, {"a": 2}]}, 10) == [{"a": 1}, {"a": 2}]


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "inputs",
        {},
        {"instances": [[1, 2]]},
        {"inputs": [{"a": 1}], "params": {}},
        {"inputs": [{"a": 1}], "dataframe_records": [{"a": 1}]},
    ],
)
def test_other_bodies_name_the_accepted_shapes(body: Any) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_body(body, 10)
    assert caught.value.field == "body"
    for shape in ("inputs", "dataframe_split", "dataframe_records"):
        assert shape in caught.value.message


@pytest.mark.parametrize(
    "body",
    [
        {"inputs": []},
        {"dataframe_records": []},
        {"dataframe_split": {"columns": ["a"], "data": []}},
    ],
)
def test_no_rows(body: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument, match="no rows") as caught:
        parse_body(body, 10)
    assert caught.value.field == "inputs"


@pytest.mark.parametrize(
    "body",
    [
        {"inputs": [{"a": 1}] * 4},
        {"dataframe_records": [{"a": 1}] * 4},
        {"dataframe_split": {"columns": ["a"], "data": [[1]] * 4}},
    ],
)
def test_too_many_rows_names_the_limit(body: dict[str, Any]) -> None:
    assert len(parse_body(body, 4)) == 4
    with pytest.raises(InvalidArgument, match="4 in one request, the limit is 3") as caught:
        parse_body(body, 3)
    assert caught.value.field == "inputs"


def test_split_row_of_the_wrong_length_names_the_row() -> None:
    data = [[1, 2], [3, 4], [5, 6], [7], [8, 9]]
    with pytest.raises(
        InvalidArgument, match=r"row 3: expected a list of 2 values .* got 1 values"
    ) as caught:
        parse_body({"dataframe_split": {"columns": ["a", "b"], "data": data}}, 10)
    assert caught.value.field == "dataframe_split.data[3]"
    with pytest.raises(InvalidArgument) as caught:
        parse_body({"dataframe_split": {"columns": ["a", "b"], "data": [[1, 2], {"a": 1}]}}, 10)
    assert caught.value.field == "dataframe_split.data[1]"


@pytest.mark.parametrize(
    ("split", "field", "words"),
    [
        ([1], "dataframe_split", "must be an object"),
        ({"columns": ["a"], "data": [[1]], "dtypes": {}}, "dataframe_split.dtypes", "unknown key 'dtypes'"),
        ({"data": [[1]]}, "dataframe_split.columns", "list of column names"),
        ({"columns": ["a", 1], "data": [[1, 2]]}, "dataframe_split.columns", "list of column names"),
        ({"columns": ["a", "b", "a"], "data": [[1, 2, 3]]}, "dataframe_split.columns", "'a' twice"),
        ({"columns": ["a"], "data": {"a": [1]}}, "dataframe_split.data", "list of rows"),
        ({"columns": ["a"], "data": [[1]], "index": [0, 1]}, "dataframe_split.index", "list of 1 labels"),
    ],
)
def test_bad_split(split: Any, field: str, words: str) -> None:
    with pytest.raises(InvalidArgument, match=words) as caught:
        parse_body({"dataframe_split": split}, 10)
    assert caught.value.field == field


@pytest.mark.parametrize("key", ["inputs", "dataframe_records"])
def test_record_that_is_not_an_object(key: str) -> None:
    with pytest.raises(InvalidArgument, match="row 1: expected an object") as caught:
        parse_body({key: [{"a": 1}, [1, 2]]}, 10)
    assert caught.value.field == f"{key}[1]"
    with pytest.raises(InvalidArgument, match="must be a list") as caught:
        parse_body({key: "a,b"}, 10)
    assert caught.value.field == key


def test_dataframe_records_must_be_a_list() -> None:
    with pytest.raises(InvalidArgument, match="must be a list of objects"):
        parse_body({"dataframe_records": {"a": 1}}, 10)


# ------------------------------------------------------------------------------------------ to_frame: results


def test_valid_row_gives_schema_columns_in_order_with_dtypes() -> None:
    row = good_row()
    shuffled = {key: row[key] for key in reversed(list(row))}
    frame = to_frame([shuffled], SCHEMA)
    assert list(frame.columns) == SCHEMA.names()
    assert frame.dtypes.astype(str).to_dict() == {
        "age": "int64",
        "price": "float64",
        "member": "bool",
        "colour": "object",
        "seen": "datetime64[ns, UTC]",
        "score": "float64",
    }
    assert frame.iloc[0].to_dict() == {
        "age": 42,
        "price": 9.5,
        "member": True,
        "colour": "red",
        "seen": pd.Timestamp("2024-05-01T10:00:00Z"),
        "score": 0.25,
    }
    assert isinstance(frame.index, pd.RangeIndex)
    assert shuffled == {key: row[key] for key in reversed(list(row))}  # not modified


def test_many_rows_same_as_one_by_one() -> None:
    rows = [good_row(age=i, price=i / 3, member=i % 2 == 0, score=None if i % 5 else 0.5) for i in range(100)]
    frame = to_frame(rows, SCHEMA)
    assert len(frame) == 100
    singles = pd.concat([to_frame([row], SCHEMA) for row in rows], ignore_index=True)
    pd.testing.assert_frame_equal(frame, singles)
    assert frame["age"].tolist() == list(range(100))
    assert frame["score"].isna().sum() == 80


def test_integer_given_as_integral_float() -> None:
    frame = to_frame([good_row(age=2.0)], SCHEMA)
    assert frame["age"].dtype == np.int64 and frame["age"][0] == 2


def test_number_accepts_ints() -> None:
    frame = to_frame([good_row(price=3)], SCHEMA)
    assert frame["price"].dtype == np.float64 and frame["price"][0] == 3.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01", "2024-05-01T00:00:00Z"),
        ("2024-05-01T10:00:00", "2024-05-01T10:00:00Z"),
        ("2024-05-01T10:00:00Z", "2024-05-01T10:00:00Z"),
        ("2024-05-01T10:00:00+02:00", "2024-05-01T08:00:00Z"),
        ("2024-05-01 10:00:00.123456-05:30", "2024-05-01T15:30:00.123456Z"),
    ],
)
def test_datetimes_become_utc(text: str, expected: str) -> None:
    frame = to_frame([good_row(seen=text)], SCHEMA)
    assert frame["seen"][0] == pd.Timestamp(expected)


def test_nullable_columns_and_their_dtypes() -> None:
    schema = ModelSchema(
        columns=[
            ColumnSpec(name=name, type=kind, nullable=True)  # type: ignore[arg-type]
            for name, kind in [
                ("i", "integer"),
                ("n", "number"),
                ("b", "boolean"),
                ("s", "string"),
                ("t", "datetime"),
            ]
        ]
    )
    full = {"i": 1, "n": 1.5, "b": True, "s": "x", "t": "2024-01-01"}
    empty = dict.fromkeys(full)
    frame = to_frame([full, empty], schema)
    assert frame.dtypes.astype(str).tolist() == [
        "float64",
        "float64",
        "object",
        "object",
        "datetime64[ns, UTC]",
    ]
    assert frame.iloc[1].isna().all()
    assert frame["b"].tolist()[0] is True
    assert frame["i"][0] == 1.0
    # no nulls: the plain dtypes
    frame = to_frame([full], schema)
    assert frame.dtypes.astype(str).tolist() == ["int64", "float64", "bool", "object", "datetime64[ns, UTC]"]
    # NaN counts as null in a nullable number column
    assert math.isnan(to_frame([{**full, "n": float("nan")}], schema)["n"][0])


def test_boundaries_are_inclusive() -> None:
    frame = to_frame([good_row(age=0, score=0.0), good_row(age=130, score=1.0)], SCHEMA)
    assert frame["age"].tolist() == [0, 130]
    assert frame["score"].tolist() == [0.0, 1.0]


def test_int64_limits() -> None:
    schema = ModelSchema(columns=[ColumnSpec(name="i", type="integer")])
    frame = to_frame([{"i": 2**63 - 1}, {"i": -(2**63)}], schema)
    assert frame["i"].tolist() == [2**63 - 1, -(2**63)]
    error = refused([{"i": 2**63}], schema)
    assert "row 0, column 'i': expected an integer within the 64-bit range" in error.message


def test_empty_list_gives_an_empty_typed_frame() -> None:
    frame = to_frame([], SCHEMA)
    assert len(frame) == 0 and list(frame.columns) == SCHEMA.names()
    assert frame["age"].dtype == np.int64 and str(frame["seen"].dtype) == "datetime64[ns, UTC]"


def test_frames_behave_like_ordinary_frames() -> None:
    frame = to_frame([good_row()], SCHEMA)
    reference = pd.DataFrame(
        {
            "age": np.array([42], dtype=np.int64),
            "price": [9.5],
            "member": [True],
            "colour": np.array(["red"], dtype=object),
            "seen": pd.to_datetime(["2024-05-01T10:00:00Z"], utc=True),
            "score": [0.25],
        }
    )
    pd.testing.assert_frame_equal(frame, reference)
    copy = frame.copy()
    copy["price"] = 1.0
    copy.columns.name = "renamed"
    assert frame["price"][0] == 9.5 and frame.columns.name is None
    assert to_frame([good_row()], SCHEMA).columns.name is None  # the shared column index is untouched
    assert frame.to_numpy().shape == (1, 6)
    assert len(pd.concat([frame, frame])) == 2


def test_public_constructor_fallback_gives_the_same_frames() -> None:
    rows = [good_row(), good_row(age=3, score=None)]
    fast_one, fast_two = to_frame(rows[:1], SCHEMA), to_frame(rows, SCHEMA)
    with mock.patch.object(validation, "_FAST_FRAMES", False):
        pd.testing.assert_frame_equal(to_frame(rows[:1], SCHEMA), fast_one)
        pd.testing.assert_frame_equal(to_frame(rows, SCHEMA), fast_two)


def test_plan_cache_follows_schema_values() -> None:
    schema = ModelSchema(columns=[ColumnSpec(name="x", type="number", maximum=10)])
    assert to_frame([{"x": 5}], schema)["x"][0] == 5.0
    same = ModelSchema.model_validate(schema.model_dump())
    assert validation._plan(same) is validation._plan(schema)
    schema.columns[0].maximum = 1
    with pytest.raises(InvalidArgument, match="expected a value <= 1, got 5"):
        to_frame([{"x": 5}], schema)


# ----------------------------------------------------------------------------------------- to_frame: refusals


def test_missing_column() -> None:
    row = good_row()
    del row["price"]
    error = refused([good_row(), good_row(), row])
    assert error.message == "row 2: column 'price' is missing"
    assert error.field == "inputs[2].price"
    assert error.details == [{"row": 2, "column": "price", "message": "row 2: column 'price' is missing"}]


def test_missing_nullable_column_is_still_missing() -> None:
    row = good_row()
    del row["score"]
    assert refused([row]).message == "row 0: column 'score' is missing"


def test_unknown_column_lists_the_expected_ones() -> None:
    error = refused([good_row(color="red")])
    assert error.message.startswith(
        "row 0: unknown column 'color' (expected: age, price, member, colour, seen, score)"
    )
    assert "did you mean 'colour'?" in error.message
    assert error.field == "inputs[0].color"
    assert error.details[0]["column"] == "color"


@pytest.mark.parametrize(
    ("column", "value", "text"),
    [
        ("price", "abc", "expected a number, got 'abc'"),
        ("price", "3.5", "expected a number, got '3.5'"),
        ("price", True, "expected a number, got true"),
        ("price", [1.0], "expected a number, got a list of 1 values"),
        ("price", {"v": 1}, "expected a number, got an object"),
        ("price", 10**400, "expected a number, got an integer of 1329 bits (too large)"),
        ("age", 2.5, "expected an integer, got 2.5"),
        ("age", "2", "expected an integer, got '2'"),
        ("age", False, "expected an integer, got false"),
        ("age", float("inf"), "expected an integer, got inf"),
        ("age", 1e20, "expected an integer within the 64-bit range, got 1e+20"),
        ("member", 2, "expected true or false (or yes/no, 1/0), got 2"),
        ("member", 0.5, "expected true or false (or yes/no, 1/0), got 0.5"),
        ("member", "maybe", "expected true or false (or yes/no, 1/0), got 'maybe'"),
        ("member", "", "expected true or false (or yes/no, 1/0), got ''"),
        ("colour", 3, "expected a string, got 3"),
        ("colour", "blue", "expected one of 'green', 'red', got 'blue'"),
        ("seen", "yesterday", "expected an ISO 8601 date-time, got 'yesterday'"),
        ("seen", 1714557600, "expected an ISO 8601 date-time string, got 1714557600"),
        (
            "seen",
            "1500-01-01",
            "date-time out of the supported range (1677-09-22 to 2262-04-11), got '1500-01-01'",
        ),
        ("seen", "9999-12-31T23:59:59", "date-time out of the supported range"),
        ("price", float("inf"), "expected a finite number, got inf"),
        ("score", float("-inf"), "expected a finite number, got -inf"),
        ("age", -1, "expected a value >= 0, got -1"),
        ("age", 131, "expected a value <= 130, got 131"),
        ("score", 1.5, "expected a value <= 1, got 1.5"),
        ("score", -0.1, "expected a value >= 0, got -0.1"),
    ],
)
def test_wrong_values(column: str, value: Any, text: str) -> None:
    for rows, row_number in (
        ([good_row(**{column: value})], 0),
        ([good_row(), good_row(**{column: value})], 1),
    ):
        error = refused(rows)
        prefix = f"row {row_number}, column '{column}': "
        assert error.message.startswith(prefix + text), error.message
        assert error.field == f"inputs[{row_number}].{column}"
        assert error.details == [{"row": row_number, "column": column, "message": error.message}]


@pytest.mark.parametrize(("value", "shown"), [(None, "null"), (float("nan"), "NaN")])
def test_null_where_not_nullable(value: Any, shown: str) -> None:
    rows = [good_row() for _ in range(5)]
    rows[4]["price"] = value
    error = refused(rows)
    assert error.message == f"row 4, column 'price': a value is required (got {shown})"
    assert error.field == "inputs[4].price"


def test_every_problem_is_reported_in_row_order() -> None:
    rows = [good_row(), good_row(price="x", member="maybe"), good_row(), good_row(colour="blue")]
    del rows[2]["age"]
    rows[3]["extra"] = 1
    error = refused(rows)
    assert error.message.startswith("row 1, column 'price': expected a number, got 'x' (and 4 more problems")
    assert error.field == "inputs[1].price"
    assert [(d["row"], d["column"]) for d in error.details] == [
        (1, "price"),
        (1, "member"),
        (2, "age"),
        (3, "colour"),
        (3, "extra"),
    ]
    assert all(d["message"].startswith(f"row {d['row']}") for d in error.details)


@pytest.mark.parametrize("rows", [30, VECTOR_MIN_ROWS + 10, 500])
def test_problems_are_capped_but_counted(rows: int) -> None:
    data = [good_row(price="x", age=-5) for _ in range(rows)]
    error = refused(data)
    assert len(error.details) == MAX_PROBLEMS
    assert f"(and {2 * rows - 1} more problems; the first {MAX_PROBLEMS} are in details)" in error.message
    assert [(d["row"], d["column"]) for d in error.details] == [
        (row, column) for row in range(MAX_PROBLEMS // 2) for column in ("age", "price")
    ]


def test_one_bad_value_among_many_rows() -> None:
    rows = [good_row(age=i % 100) for i in range(1000)]
    rows[757]["score"] = 2.0
    error = refused(rows)
    assert error.message == "row 757, column 'score': expected a value <= 1, got 2.0"
    assert error.field == "inputs[757].score"


def test_rows_must_be_objects_in_a_list() -> None:
    error = refused([good_row(), [1, 2, 3]])
    assert error.message == "row 1: expected an object of column values, got a list of 3 values"
    assert error.field == "inputs[1]"
    assert error.details == [{"row": 1, "column": None, "message": error.message}]
    for rows in ({"a": 1}, "rows", 3, None):
        assert refused(rows).field == "inputs"


# ------------------------------------------------------------------------------------------- to_frame: frames


def test_frame_input_is_checked_by_dtype_and_not_modified() -> None:
    source = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "score": [0.5, np.nan, 1.0],
            "age": [1.0, 2.0, 3.0],
            "price": np.array([1, 2, 3], dtype=np.int32),
            "member": [True, False, True],
            "colour": ["red", "green", "red"],
            "seen": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
        },
        index=[10, 11, 12],
    )
    before = source.copy()
    frame = to_frame(source, SCHEMA, allow_extra=True)
    pd.testing.assert_frame_equal(source, before)
    assert list(frame.columns) == SCHEMA.names()
    assert frame["age"].dtype == np.int64 and frame["price"].dtype == np.float64
    assert frame["seen"][0] == pd.Timestamp("2024-01-01T00:00:00Z")
    assert frame.index.tolist() == [0, 1, 2]
    frame.loc[0, "price"] = 99.0
    assert source["price"].tolist() == [1, 2, 3]
    with pytest.raises(InvalidArgument, match="unknown column 'id'"):
        to_frame(source, SCHEMA)


def test_frame_input_problems() -> None:
    source = pd.DataFrame([good_row() for _ in range(40)])
    source["age"] = source["age"].astype(float)
    source.loc[33, "age"] = 2.5
    source.loc[35, "price"] = np.nan
    error = refused(source)
    assert error.message.startswith("row 33, column 'age': expected an integer, got 2.5 (and 1 more problem,")
    assert error.details[1]["message"] == "row 35, column 'price': a value is required (got NaN)"
    error = refused(source.drop(columns=["member"]))
    assert error.message.startswith("column 'member' is missing")
    assert error.field == "inputs[0].member"


def test_frame_with_nullable_extension_dtypes() -> None:
    schema = ModelSchema(
        columns=[
            ColumnSpec(name="i", type="integer", nullable=True),
            ColumnSpec(name="s", type="string", nullable=True),
        ]
    )
    source = pd.DataFrame(
        {"i": pd.array([1, None], dtype="Int64"), "s": pd.array(["a", None], dtype="string")}
    )
    frame = to_frame(source, schema)
    assert frame["i"].dtype == np.float64 and frame["i"][0] == 1.0 and math.isnan(frame["i"][1])
    assert frame["s"][0] == "a" and pd.isna(frame["s"][1])


# ---------------------------------------------------------------------------------------------- properties

NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=12)
BOUND = (
    st.none() | st.integers(-1000, 1000).map(float) | st.floats(-1e6, 1e6).map(lambda b: b + 0.0)
)  # no -0.0
CATEGORIES = st.none() | st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=5, unique=True)
LIMIT = 2**63


@st.composite
def column_specs(draw: st.DrawFn, name: str) -> ColumnSpec:
    kind = draw(st.sampled_from(["integer", "number", "boolean", "string", "datetime"]))
    minimum = maximum = None
    categories = None
    if kind in ("integer", "number"):
        low, high = draw(BOUND), draw(BOUND)
        if low is not None and high is not None and low > high:
            low, high = high, low
        if kind == "integer" and low is not None and high is not None and math.ceil(low) > math.floor(high):
            high = None
        minimum, maximum = low, high
    if kind == "string":
        categories = draw(CATEGORIES)
    return ColumnSpec(
        name=name,
        type=kind,
        nullable=draw(st.booleans()),
        minimum=minimum,
        maximum=maximum,
        categories=categories,
    )


@st.composite
def schemas(draw: st.DrawFn) -> ModelSchema:
    names = draw(st.lists(NAMES, min_size=1, max_size=15, unique=True))
    return ModelSchema(columns=[draw(column_specs(name)) for name in names])


OFFSETS = st.none() | st.integers(-23 * 60, 23 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))


def valid_values(spec: ColumnSpec) -> st.SearchStrategy[Any]:
    if spec.type == "number":
        low = spec.minimum if spec.minimum is not None else None
        high = spec.maximum if spec.maximum is not None else None
        values: st.SearchStrategy[Any] = st.floats(low, high, allow_nan=False, allow_infinity=False)
        ints_low = math.ceil(low) if low is not None else -(10**18)
        ints_high = math.floor(high) if high is not None else 10**18
        if ints_low <= ints_high:
            values = values | st.integers(ints_low, ints_high)
    elif spec.type == "integer":
        ints_low = max(math.ceil(spec.minimum), -LIMIT) if spec.minimum is not None else -LIMIT
        ints_high = min(math.floor(spec.maximum), LIMIT - 1) if spec.maximum is not None else LIMIT - 1
        ints = st.integers(ints_low, ints_high)
        values = ints | ints.filter(lambda i: abs(i) < 2**53).map(float)
    elif spec.type == "boolean":
        values = st.booleans()
    elif spec.type == "string":
        values = st.sampled_from(spec.categories) if spec.categories else st.text(max_size=20)
    else:
        values = st.datetimes(dt.datetime(1700, 1, 1), dt.datetime(2200, 1, 1), timezones=OFFSETS).map(
            lambda moment: moment.isoformat()
        )
    return st.none() | values if spec.nullable else values


@st.composite
def schema_and_rows(draw: st.DrawFn) -> tuple[ModelSchema, list[dict[str, Any]]]:
    schema = draw(schemas())
    count = draw(st.integers(1, 4))
    rows = [{spec.name: draw(valid_values(spec)) for spec in schema.columns} for _ in range(count)]
    if draw(st.booleans()):  # past VECTOR_MIN_ROWS: the bulk numpy path
        rows = [dict(rows[i % count]) for i in range(VECTOR_MIN_ROWS + 3)]
    return schema, rows


def expected_cell(spec: ColumnSpec, value: Any) -> Any:
    if value is None:
        return None
    if spec.type in ("integer", "number"):
        return float(value) if spec.type == "number" else int(value)
    if spec.type == "datetime":
        moment = dt.datetime.fromisoformat(value)
        stamp = pd.Timestamp(moment)
        return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return value


PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(schema_and_rows())
def test_valid_rows_are_accepted_and_round_trip(case: tuple[ModelSchema, list[dict[str, Any]]]) -> None:
    schema, rows = case
    frame = to_frame(rows, schema)
    assert list(frame.columns) == schema.names()
    assert len(frame) == len(rows)
    for spec in schema.columns:
        column = frame[spec.name]
        has_null = any(row[spec.name] is None for row in rows)
        expected_dtype = {
            "integer": "float64" if has_null else "int64",
            "number": "float64",
            "boolean": "object" if has_null else "bool",
            "string": "object",
            "datetime": "datetime64[ns, UTC]",
        }[spec.type]
        assert str(column.dtype) == expected_dtype
        for i, row in enumerate(rows):
            want = expected_cell(spec, row[spec.name])
            got = column.iloc[i]
            if want is None:
                assert pd.isna(got)
            elif spec.type == "integer" and has_null:
                assert got == float(want)
            else:
                assert got == want


WRONG_TYPES: dict[str, list[Any]] = {
    "integer": ["1", True, 2.5, [1], {"a": 1}, float("inf")],
    "number": ["1.5", False, [1.5], {"a": 1.0}, float("inf")],
    "boolean": [2, -1, "maybe", "", 0.5, [True]],
    "string": [1, 2.5, True, ["a"]],
    "datetime": ["not a date", 1714557600, True, ["2024-01-01"], "2024-13-01"],
}


@PROPERTY
@given(schema_and_rows(), st.data())
def test_one_corrupted_cell_is_refused_naming_row_and_column(
    case: tuple[ModelSchema, list[dict[str, Any]]], data: st.DataObject
) -> None:
    schema, rows = case
    row_number = data.draw(st.integers(0, len(rows) - 1))
    spec = data.draw(st.sampled_from(schema.columns))
    kinds = ["wrong type", "missing", "extra column"] + ([] if spec.nullable else ["null"])
    corruption = data.draw(st.sampled_from(kinds))
    row = rows[row_number]
    column = spec.name
    if corruption == "wrong type":
        row[column] = data.draw(st.sampled_from(WRONG_TYPES[spec.type]))
    elif corruption == "missing":
        del row[column]
    elif corruption == "null":
        row[column] = data.draw(st.sampled_from([None, float("nan")]))
    else:
        column = data.draw(NAMES.filter(lambda name: name not in schema.names()))
        row[column] = data.draw(st.none() | st.integers() | st.text())
    with pytest.raises(InvalidArgument) as caught:
        to_frame(rows, schema)
    error = caught.value
    assert error.message.startswith((f"row {row_number}: ", f"row {row_number}, ")), error.message
    assert repr(column) in error.message
    assert error.field == f"inputs[{row_number}].{column}"
    assert error.details == [{"row": row_number, "column": column, "message": error.message}]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@contextmanager
def vector_rows(threshold: int) -> Iterator[None]:
    with mock.patch.object(validation, "VECTOR_MIN_ROWS", threshold):
        yield


def outcome(rows: Any, schema: ModelSchema) -> Any:
    try:
        return to_frame(rows, schema)
    except InvalidArgument as error:
        return (error.message, error.field, error.details)


@PROPERTY
@given(schemas(), st.data())
def test_arbitrary_json_raises_only_invalid_argument(schema: ModelSchema, data: st.DataObject) -> None:
    cells = JSON | st.sampled_from([float("nan"), float("inf"), 2**64, -(2**70), "2024-01-01", "1e5", ""])
    keys = st.sampled_from(schema.names()) | st.text(max_size=8)
    mostly_valid = st.fixed_dictionaries(
        {
            spec.name: st.one_of(valid_values(spec), valid_values(spec), valid_values(spec), cells)
            for spec in schema.columns
        }
    )
    rows = data.draw(
        JSON
        | st.lists(st.dictionaries(keys, cells, max_size=16), max_size=6)
        | st.lists(mostly_valid, min_size=1, max_size=6)
    )
    event("accepted" if isinstance(outcome(rows, schema), pd.DataFrame) else "refused")
    try:
        parsed = parse_body(rows, 100)
    except InvalidArgument:
        pass
    else:
        assert isinstance(parsed, list)
    # the plain loop and the numpy path agree on every input, accepted or refused
    with vector_rows(10**9):
        plain = outcome(rows, schema)
    with vector_rows(2):
        bulk = outcome(rows, schema)
    if isinstance(plain, pd.DataFrame):
        assert isinstance(bulk, pd.DataFrame)
        pd.testing.assert_frame_equal(plain, bulk)
    else:
        assert plain == bulk
        message, field, details = plain
        assert message and field.startswith("inputs")
        assert details is None or 1 <= len(details) <= MAX_PROBLEMS


# ---------------------------------------------------------------------------------------------- booleans


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        ("FALSE", False),
        (" Yes ", True),
        ("no", False),
        ("Y", True),
        ("n", False),
        ("1", True),
        ("0", False),
        ("vrai", True),
        ("Faux", False),
        ("OUI", True),
        ("non", False),
        (1, True),
        (0, False),
        (1.0, True),
        (np.int64(0), False),
    ],
)
def test_booleans_in_their_usual_spellings(value: Any, expected: bool) -> None:
    schema = ModelSchema(columns=[ColumnSpec(name="member", type="boolean")])
    assert to_frame([{"member": value}], schema)["member"].tolist() == [expected]
    many = to_frame([{"member": value}] * (VECTOR_MIN_ROWS + 1), schema)
    assert many["member"].dtype == bool and set(many["member"]) == {expected}


def test_boolean_text_column_of_a_file_chunk() -> None:
    schema = ModelSchema(columns=[ColumnSpec(name="member", type="boolean", nullable=True)])
    chunk = pd.DataFrame({"member": ["oui", "non", None, "TRUE", "n"], "id": [1, 2, 3, 4, 5]})
    frame = to_frame(chunk, schema, allow_extra=True)
    assert frame["member"].tolist()[:2] == [True, False] and pd.isna(frame["member"][2])
    assert frame["member"].tolist()[3:] == [True, False]


# ---------------------------------------------------------------------------------------------- categories

FLAGGED = ModelSchema(
    columns=[
        ColumnSpec(name="channel", type="string", categories=["web", "shop"], nullable=True),
        ColumnSpec(name="store", type="integer", categories=["10", "20"]),
        ColumnSpec(name="x", type="number"),
    ]
)


@pytest.mark.parametrize("copies", [1, VECTOR_MIN_ROWS + 1])
def test_values_outside_the_categories_are_accepted_and_reported(copies: int) -> None:
    rows = [
        {"channel": "web", "store": 10, "x": 1.0},
        {"channel": "phone", "store": 30, "x": 2.0},
        {"channel": None, "store": 20, "x": 3.0},
    ] * copies
    frame = to_frame(rows, FLAGGED)
    assert len(frame) == 3 * copies
    found = validation.unknown_categories(frame, FLAGGED)
    assert [(u.row, u.column, u.value) for u in found[:2]] == [(1, "channel", "phone"), (1, "store", 30)]
    assert len(found) == 2 * copies
    assert found[0].reason == "not one of the 2 known values ('shop', 'web')"
    assert type(found[1].value) is int


def test_no_report_without_categories() -> None:
    schema = ModelSchema(columns=[ColumnSpec(name="x", type="string")])
    assert validation.unknown_categories(to_frame([{"x": "anything"}], schema), schema) == []


def test_rejecting_categories_of_an_integer_column() -> None:
    schema = ModelSchema(
        columns=[
            ColumnSpec(name="store", type="integer", categories=["10", "20"], on_unknown_category="reject")
        ]
    )
    assert to_frame([{"store": 20}], schema)["store"].tolist() == [20]
    error = refused([{"store": 20}, {"store": 30}], schema)
    assert error.message == "row 1, column 'store': expected one of 10, 20, got 30"


# ---------------------------------------------------------------------------------------------- split_rows


def test_split_rows_keeps_the_good_rows_and_lists_every_problem() -> None:
    schema = ModelSchema(
        columns=[
            ColumnSpec(name="age", type="integer", minimum=0),
            ColumnSpec(name="member", type="boolean"),
            ColumnSpec(name="zip", type="string", nullable=True),
        ]
    )
    chunk = pd.DataFrame(
        {
            "id": range(40),
            "age": [30.0] * 40,
            "member": ["yes"] * 40,
            "zip": ["01234"] * 40,
        }
    )
    chunk.loc[3, "age"] = np.nan
    chunk.loc[3, "member"] = "maybe"
    chunk.loc[7, "age"] = -2.0
    chunk.loc[39, "age"] = 2.5
    good, kept, problems = validation.split_rows(chunk, schema)
    assert kept.tolist() == [i for i in range(40) if i not in (3, 7, 39)]
    assert len(good) == 37 and good["zip"].tolist()[0] == "01234" and good["age"].dtype == np.int64
    assert [(p.row, p.column) for p in problems] == [(3, "age"), (3, "member"), (7, "age"), (39, "age")]
    assert problems[1].value == "maybe" and problems[1].reason.startswith("expected true or false")
    assert problems[0].reason == "a value is required (the cell is empty)"
    assert problems[2].reason == "expected a value >= 0, got -2"


def test_split_rows_of_a_clean_chunk_and_of_a_chunk_lacking_a_column() -> None:
    schema = ModelSchema(columns=[ColumnSpec(name="a", type="number")])
    good, kept, problems = validation.split_rows(pd.DataFrame({"a": [1.0, 2.0]}), schema)
    assert kept.tolist() == [0, 1] and problems == [] and good["a"].tolist() == [1.0, 2.0]
    with pytest.raises(InvalidArgument, match="column 'a' is missing"):
        validation.split_rows(pd.DataFrame({"b": [1.0]}), schema)


def test_split_rows_when_every_row_is_bad() -> None:
    schema = ModelSchema(columns=[ColumnSpec(name="a", type="number")])
    good, kept, problems = validation.split_rows(pd.DataFrame({"a": ["x", "y"]}), schema)
    assert len(good) == 0 and list(good.columns) == ["a"] and kept.tolist() == []
    assert [p.row for p in problems] == [0, 1]

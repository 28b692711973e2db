"""Dataset profiles: kinds, statistics, each warning on small hand-built frames, the leak check,
suggested targets and progress."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from modelport.errors import InvalidArgument
from modelport.schemas import DatasetProfile
from modelport.tabular.parsing import read_dataset
from modelport.training.profile import column_stats, profile_frame
from tests.tabular import corpus


def _codes(profile: DatasetProfile) -> list[tuple[str, str | None]]:
    return [(w.code, w.column) for w in profile.warnings]


def _kinds(frame: pd.DataFrame) -> dict[str, str]:
    return {c.name: c.kind for c in column_stats(frame)}


def _shuffled_customers(rows: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "customer_id": rng.permutation(np.arange(1000, 1000 + rows)),
            "code": [f"C-{i:05d}" for i in rng.permutation(rows)],
            "age": rng.integers(18, 80, rows),
            "income": rng.normal(3000, 500, rows).round(2),
            "city": rng.choice(["Paris", "Lyon", "Nice"], rows),
            "signed": pd.Timestamp("2020-01-01", tz="UTC")
            + pd.to_timedelta(rng.integers(0, 900, rows), unit="D"),
            "signed_text": (
                pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, rows), unit="D")
            ).strftime("%d/%m/%Y"),
            "comment": [f"the customer called about invoice {i} and was happy" for i in range(rows)],
            "vip": rng.random(rows) < 0.3,
            "newsletter": rng.choice(["yes", "No", "no"], rows),
            "paid": rng.integers(0, 2, rows),
            "amount_text": [f"{v:.2f}".replace(".", ",") for v in rng.normal(50, 5, rows)],
        }
    )


def test_kinds_are_read_from_the_values() -> None:
    assert _kinds(_shuffled_customers()) == {
        "customer_id": "id",
        "code": "id",
        "age": "integer",
        "income": "number",
        "city": "category",
        "signed": "date",
        "signed_text": "date",
        "comment": "text",
        "vip": "boolean",
        "newsletter": "boolean",
        "paid": "boolean",
        "amount_text": "number",
    }


def test_number_statistics() -> None:
    values = np.arange(0.0, 1000.0, 10.0)
    frame = pd.DataFrame({"v": [*values, np.nan, np.nan, np.nan, np.nan]})
    (column,) = column_stats(frame)
    assert column.kind == "integer"
    assert column.dtype == "float64"
    assert (column.missing, column.distinct) == (4, 100)
    assert column.missing_share == pytest.approx(4 / 104)
    assert (column.min, column.max, column.mean) == (0.0, 990.0, 495.0)
    assert column.std == pytest.approx(np.std(values, ddof=1))
    expected = np.quantile(values, [0.05, 0.25, 0.5, 0.75, 0.95])
    assert column.quantiles == pytest.approx(
        dict(zip(["p5", "p25", "p50", "p75", "p95"], expected, strict=True))
    )
    assert column.histogram is not None and len(column.histogram) == 20
    assert [b.count for b in column.histogram] == [5] * 20
    assert column.histogram[0].start == 0.0 and column.histogram[-1].end == 990.0
    assert column.top_values is None


def test_a_row_counter_is_an_id_but_a_shuffled_measure_is_not() -> None:
    kinds = _kinds(pd.DataFrame({"row": range(1, 101), "rank": np.random.default_rng(0).permutation(100)}))
    assert kinds == {"row": "id", "rank": "integer"}


def test_words_among_numbers_are_mixed_types_not_a_row_counter() -> None:
    qty = [str(i) for i in range(30)]
    qty[7], qty[20] = "unknown", "ten"
    order_no = [*qty[:7], "n/k", *qty[8:]]
    profile = profile_frame(pd.DataFrame({"qty": qty, "order_no": order_no}))
    assert {c.name: c.kind for c in profile.columns} == {"qty": "integer", "order_no": "id"}
    assert _codes(profile) == [("mixed_types", "qty"), ("id_like", "order_no")]
    messages = {(w.code, w.column): w.message for w in profile.warnings}
    assert messages["mixed_types", "qty"] == (
        "qty mixes numbers (28 rows) and text (2 rows); cast it to number or category to decide"
    )


def test_small_integer_ranges_get_one_bin_per_value() -> None:
    (column,) = column_stats(pd.DataFrame({"stars": [1, 2, 2, 3, 3, 3, 5] * 3}))
    assert column.histogram is not None
    assert [(b.start, b.end, b.count) for b in column.histogram] == [
        (0.5, 1.5, 3),
        (1.5, 2.5, 6),
        (2.5, 3.5, 9),
        (3.5, 4.5, 0),
        (4.5, 5.5, 3),
    ]


def test_dates_categories_and_booleans_statistics() -> None:
    frame = pd.DataFrame(
        {
            "day": pd.to_datetime(["2021-01-01", "2021-06-01", None, "2022-01-01"], utc=True),
            "colour": ["red", "blue", "red", None],
            "ok": [True, False, True, True],
        }
    )
    day, colour, ok = column_stats(frame)
    assert (day.kind, day.min, day.max) == ("date", "2021-01-01T00:00:00+00:00", "2022-01-01T00:00:00+00:00")
    assert (
        day.histogram is not None
        and day.histogram[0].start == pd.Timestamp("2021-01-01", tz="UTC").timestamp()
    )
    assert sum(b.count for b in day.histogram) == 3
    assert colour.kind == "category" and colour.missing == 1
    assert [(v.value, v.count) for v in colour.top_values or []] == [("red", 2), ("blue", 1)]
    assert [(v.value, v.count) for v in ok.top_values or []] == [("true", 3), ("false", 1)]


def test_top_values_stop_at_ten() -> None:
    frame = pd.DataFrame({"c": [f"v{i % 15}" for i in range(300)]})
    (column,) = column_stats(frame)
    assert column.kind == "category" and column.distinct == 15
    assert len(column.top_values or []) == 10


def test_column_warnings() -> None:
    rows = 40
    frame = pd.DataFrame(
        {
            "same": ["x"] * rows,
            "empty": [None] * rows,
            "sparse": [1.5 if i % 3 == 0 else None for i in range(rows)],
            "order_id": [f"A{i:04d}" for i in range(rows)],
            "size": ["S", "M", "10", "12"] * (rows // 4),
            "ratio": [np.inf if i == 3 else -np.inf if i == 5 else float(i % 7) / 3 for i in range(rows)],
        }
    )
    profile = profile_frame(frame)
    assert _codes(profile) == [
        ("constant", "same"),
        ("all_missing", "empty"),
        ("many_missing", "sparse"),
        ("constant", "sparse"),
        ("id_like", "order_id"),
        ("mixed_types", "size"),
        ("infinities", "ratio"),
    ]
    messages = {(w.code, w.column): w.message for w in profile.warnings}
    assert messages["infinities", "ratio"] == "ratio holds 2 infinite values"
    assert messages["mixed_types", "size"] == (
        "size mixes numbers (20 rows) and text (20 rows); cast it to number or category to decide"
    )
    assert messages["many_missing", "sparse"] == "sparse is missing in 65% of the rows"


def test_high_cardinality_and_duplicated_rows() -> None:
    frame = pd.DataFrame({"town": [f"town {i % 150}" for i in range(600)], "n": [i % 3 for i in range(600)]})
    profile = profile_frame(frame)
    assert profile.duplicated_rows == 450
    assert _codes(profile) == [("high_cardinality", "town"), ("duplicated_rows", None)]
    assert profile.warnings[1].message == "450 rows repeat an earlier row (75.0% of the rows)"


def test_class_imbalance_of_the_target() -> None:
    frame = pd.DataFrame({"x": range(200), "fraud": ["Yes"] * 9 + ["no"] * 191})
    profile = profile_frame(frame)
    assert profile.target == "fraud"
    imbalance = [w for w in profile.warnings if w.code == "class_imbalance"]
    assert [(w.column, w.message) for w in imbalance] == [
        ("fraud", "the rarest class of fraud, 'yes', is 4.5% of the rows: prefer F1 or ROC-AUC to accuracy")
    ]
    balanced = profile_frame(pd.DataFrame({"x": range(200), "label": ["a", "b"] * 100}))
    assert "class_imbalance" not in [w.code for w in balanced.warnings]


def _leaky(rows: int = 2000) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    churn = rng.random(rows) < 0.3
    return pd.DataFrame(
        {
            "tenure": rng.integers(1, 60, rows),
            "spend": rng.normal(100, 20, rows),
            "plan": rng.choice(["basic", "plus", "pro"], rows),
            # Known only once a customer has left: a leak.
            "closed_reason": np.where(churn, rng.choice(["price", "moved"], rows), "none"),
            "days_since_exit": np.where(churn, rng.integers(1, 30, rows), -1),
            "churned": churn,
        }
    )


def test_a_column_that_alone_predicts_the_target_is_a_suspected_leak() -> None:
    profile = profile_frame(_leaky(), target="churned")
    leaks = [w for w in profile.warnings if w.code == "target_leak"]
    assert [w.column for w in leaks] == ["closed_reason", "days_since_exit"]
    assert leaks[0].message.startswith(
        "closed_reason alone predicts churned almost perfectly (balanced accuracy 1.000"
    )


def test_a_leak_on_a_regression_target() -> None:
    rng = np.random.default_rng(3)
    price = rng.normal(200, 50, 1000)
    frame = pd.DataFrame(
        {
            "rooms": rng.integers(1, 6, 1000),
            "price_eur_cents": price * 100,
            "noise": rng.random(1000),
            "price": price,
        }
    )
    profile = profile_frame(frame, target="price")
    assert [(w.code, w.column) for w in profile.warnings if w.code == "target_leak"] == [
        ("target_leak", "price_eur_cents")
    ]
    assert "R² 1.000" in [w for w in profile.warnings if w.code == "target_leak"][0].message


def test_no_leak_on_noise_or_on_too_few_rows() -> None:
    rng = np.random.default_rng(5)
    noise = pd.DataFrame(
        {
            "a": rng.normal(size=3000),
            "b": rng.choice(list("abcdef"), 3000),
            "target": rng.integers(0, 2, 3000),
        }
    )
    assert "target_leak" not in [w.code for w in profile_frame(noise).warnings]
    few = _leaky(rows=30)  # too few held-out rows to tell a leak from luck
    assert "target_leak" not in [w.code for w in profile_frame(few, target="churned").warnings]


def test_a_sample_of_20k_rows_is_enough_for_the_leak_check() -> None:
    frame = pd.concat([_leaky()] * 15, ignore_index=True)  # 30k rows
    leaks = [w.column for w in profile_frame(frame, target="churned").warnings if w.code == "target_leak"]
    assert leaks == ["closed_reason", "days_since_exit"]


def test_suggested_targets() -> None:
    frame = _shuffled_customers()
    frame["outcome"] = ["won", "lost"] * 30
    frame["score"] = np.linspace(0, 1, 60)
    profile = profile_frame(frame)
    assert profile.suggested_targets == ["outcome", "score", "vip", "newsletter", "paid", "city"]
    assert profile.target == "outcome"
    ids_dates_text_only = pd.DataFrame(
        {
            "id": range(30),
            "when": pd.date_range("2020-01-01", periods=30),
            "note": ["a long sentence with many words"] * 30,
        }
    )
    assert profile_frame(ids_dates_text_only).suggested_targets == []


def test_unknown_target_is_refused() -> None:
    with pytest.raises(InvalidArgument) as caught:
        profile_frame(pd.DataFrame({"a": [1]}), target="b")
    assert caught.value.field == "target"


def test_progress_goes_up_to_one_and_the_profile_is_json() -> None:
    seen: list[float] = []
    frame = _shuffled_customers()
    frame["ratio"] = [np.inf] + [1.0] * 59
    frame["empty"] = np.nan
    profile = profile_frame(frame, on_progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= len(frame.columns)
    assert profile.rows == 60 and [c.name for c in profile.columns] == list(frame.columns)
    json.loads(profile.model_dump_json())
    json.dumps(profile.model_dump(), allow_nan=False)


def test_an_empty_frame_has_a_profile() -> None:
    profile = profile_frame(pd.DataFrame({"a": pd.Series([], dtype=float), "b": pd.Series([], dtype=object)}))
    assert profile.rows == 0 and profile.duplicated_rows == 0
    assert [c.missing_share for c in profile.columns] == [0.0, 0.0]
    assert profile.warnings == [] and profile.suggested_targets == []


def test_odd_values_and_dtypes_profile_without_error() -> None:
    frame = pd.DataFrame(
        {
            "objects": [1, "a", 2.5, None, pd.Timestamp("2020-01-01"), "b"],
            "huge": [1e308, -1e308, 0.0, 1.0, 2.0, -0.0],
            "inf": [np.inf] * 6,
            "nullable_int": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
            "nullable_bool": pd.array([True, None, False, True, True, False], dtype="boolean"),
            "categorical": pd.Categorical(["a", "b", None, "a", "b", "a"]),
            "strings": pd.array(["1", "2", None, "4", "5", "6"], dtype="string"),
            "long": ["x" * (1 << 20)] + ["y"] * 5,
        }
    )
    profile = profile_frame(frame)
    kinds = {c.name: c.kind for c in profile.columns}
    assert kinds == {
        "objects": "category",
        "huge": "integer",
        "inf": "number",
        "nullable_int": "integer",
        "nullable_bool": "boolean",
        "categorical": "category",
        "strings": "integer",
        "long": "text",
    }
    huge = profile.columns[1]
    assert (huge.min, huge.max, huge.histogram) == (-1e308, 1e308, [])
    messages = {(w.code, w.column): w.message for w in profile.warnings}
    assert messages["constant", "inf"] == "inf holds a single value (inf): it cannot help a model"
    assert ("infinities", "inf") in messages and ("mixed_types", "objects") in messages
    json.dumps(profile.model_dump(), allow_nan=False)


# Warnings each corpus file must get (present) and must not get (absent), as (code, column).
CORPUS_WARNINGS: dict[str, tuple[set[tuple[str, str | None]], set[tuple[str, str | None]]]] = {
    "mixed_types": ({("mixed_types", "qty")}, {("id_like", "qty")}),
    "inf_nan_negative_zero": ({("infinities", "x")}, set()),
    "zero_padded_ids": ({("id_like", "postcode"), ("id_like", "customer")}, {("id_like", "amount")}),
    "quoted_newlines": ({("id_like", "id")}, {("id_like", "comment")}),
}


@pytest.mark.parametrize("case", corpus.parseable(), ids=lambda c: c.id)
def test_every_corpus_file_profiles(tmp_path: Path, case: corpus.Case) -> None:
    frame, _ = read_dataset(corpus.write(case, tmp_path), case.filename)
    profile = profile_frame(frame, target=case.target)
    assert [c.name for c in profile.columns] == [str(c) for c in frame.columns]
    assert profile.rows == len(frame)
    if case.target is not None:
        assert profile.target == case.target
    json.dumps(profile.model_dump(), allow_nan=False)
    present, absent = CORPUS_WARNINGS.get(case.id, (set(), set()))
    codes = set(_codes(profile))
    assert present <= codes and not absent & codes


def test_the_corpus_warnings_name_corpus_files() -> None:
    assert set(CORPUS_WARNINGS) <= {case.id for case in corpus.parseable()}

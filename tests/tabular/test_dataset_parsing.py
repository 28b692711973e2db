"""Datasets read whole: the hostile corpus, the normalized Parquet copy, random text."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelport.errors import InvalidArgument
from modelport.tabular.parsing import read_dataset, read_parquet, write_parquet
from tests.tabular import corpus

CASES = corpus.cases()


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 25
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", [c for c in CASES if c.refused is None], ids=lambda c: c.id)
def test_parsed(tmp_path: Path, case: corpus.Case) -> None:
    path = corpus.write(case, tmp_path)
    frame, report = read_dataset(path, case.filename)
    assert case.dtypes is not None
    assert {name: str(dtype) for name, dtype in frame.dtypes.items()} == case.dtypes
    assert list(frame.columns) == list(case.dtypes)
    assert (report.rows, report.columns) == frame.shape
    assert frame.index.equals(pd.RangeIndex(len(frame)))
    if case.check is not None:
        case.check(frame, report)


@pytest.mark.parametrize("case", [c for c in CASES if c.refused is not None], ids=lambda c: c.id)
def test_refused(tmp_path: Path, case: corpus.Case) -> None:
    path = corpus.write(case, tmp_path)
    with pytest.raises(InvalidArgument) as info:
        read_dataset(path, case.filename)
    assert info.value.field == "file"
    assert case.refused is not None and case.refused in info.value.message


@pytest.mark.parametrize("case", [c for c in CASES if c.refused is None], ids=lambda c: c.id)
def test_the_normalized_copy_round_trips(tmp_path: Path, case: corpus.Case) -> None:
    frame, _ = read_dataset(corpus.write(case, tmp_path), case.filename)
    write_parquet(frame, tmp_path / "copy.parquet")
    pd.testing.assert_frame_equal(read_parquet(tmp_path / "copy.parquet"), frame)


def test_object_columns_with_mixed_content_are_stored_as_strings(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "mixed": pd.Series([1, "a", 2.5, True, None, np.nan, dt.date(2024, 1, 2)], dtype=object),
            "texts": pd.Series(["x", None, "z", "", "01", "é", "1e3"], dtype=object),
            "ints": np.arange(7, dtype=np.int64),
            "nullable": pd.array([1, None, 3, 4, 5, 6, 7], dtype="Int64"),
            "flags": pd.array([True, None, False, True, True, False, None], dtype="boolean"),
            "when": pd.date_range("2024-03-01", periods=7, freq="D", tz="UTC"),
            "kind": pd.Categorical(list("abcabca")),
            "span": pd.to_timedelta(np.arange(7), unit="s"),
            3: np.linspace(0, 1, 7),
        }
    )
    write_parquet(frame, tmp_path / "copy.parquet")
    back = read_parquet(tmp_path / "copy.parquet")
    expected = frame.copy()
    expected.columns = pd.Index([str(name) for name in frame.columns])
    expected["mixed"] = pd.Series(["1", "a", "2.5", "True", np.nan, np.nan, "2024-01-02"], dtype=object)
    expected["texts"] = pd.Series(["x", np.nan, "z", "", "01", "é", "1e3"], dtype=object)
    pd.testing.assert_frame_equal(back, expected)


CSV_ALPHABET = st.sampled_from(
    list("ab1209.,;|\t\"' \r\n-+eE$€%?")
    + ["\u202f", "\u00a0", "é", "NA", "null", "inf", "true", "2021-03-04"]
)
# Cells people write, for tables of random shape: numbers in local formats, tokens, dates, words.
CELLS = st.sampled_from(
    ["1", "-0", "01234", "1.5", "1,5", "1 234,5", "1,234.50", "(12.00)", "€3", "12 %", "inf", "NaN", "?", "-"]
    + [
        "",
        " ",
        "none",
        "N/A",
        "true",
        "no",
        "Y",
        "vrai",
        "2021-03-04",
        "04/03/2021",
        "2021-03-04T10:00:00+02:00",
    ]
    + ["text", "a b", '"quoted, comma"', '"two\nlines"', '"open', "é", "Zürich", "99999999999999999999"]
)


def _read_or_refuse(data: bytes, filename: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / filename
        path.write_bytes(data)
        try:
            frame, report = read_dataset(path, filename)
        except InvalidArgument as exc:
            refusal: InvalidArgument | None = exc
        else:
            refusal = None
    if refusal is not None:
        assert refusal.field == "file" and refusal.message
        return
    assert (report.rows, report.columns) == frame.shape and len(frame) > 0
    assert frame.columns.is_unique and all(isinstance(name, str) for name in frame.columns)
    assert frame.index.equals(pd.RangeIndex(len(frame)))


@settings(max_examples=300, deadline=None)
@given(st.lists(CSV_ALPHABET, max_size=120).map("".join), st.sampled_from(["utf-8", "utf-16", "latin-1"]))
def test_random_csv_text_is_read_or_refused(text: str, encoding: str) -> None:
    _read_or_refuse(text.encode(encoding, errors="replace"), "random.csv")


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda width: st.lists(
            st.lists(CELLS, min_size=width - 1, max_size=width + 1), min_size=1, max_size=12
        )
    ),
    st.sampled_from([",", ";", "\t", "|"]),
    st.sampled_from(["\n", "\r\n"]),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
)
def test_random_tables_are_read_or_refused(
    rows: list[list[str]], delimiter: str, newline: str, encoding: str
) -> None:
    text = newline.join(delimiter.join(row) for row in rows) + newline
    _read_or_refuse(text.encode(encoding, errors="replace"), "table.csv")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(
            st.none()
            | st.booleans()
            | st.integers(-(10**6), 10**6)
            | st.floats(allow_nan=False, allow_infinity=False, width=32)
            | st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1))
            | CELLS,
            max_size=4,
        ),
        max_size=8,
    )
)
def test_random_workbooks_are_read_or_refused(rows: list[list[object]]) -> None:
    _read_or_refuse(corpus._workbook(rows), "book.xlsx")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200), st.sampled_from(["random.csv", "random.xlsx", "random.parquet", "random"]))
def test_random_bytes_are_read_or_refused(data: bytes, filename: str) -> None:
    _read_or_refuse(data, filename)

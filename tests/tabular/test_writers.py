"""Batch outputs: written chunk by chunk, visible under their name only once committed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from modelport.errors import InvalidArgument
from modelport.tabular.readers import iter_batches
from modelport.tabular.writers import BatchWriter, convert, write_table


def chunk(start: int, n: int, **extra: object) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"id": np.arange(start, start + n), "score": np.linspace(0, 1, n), "label": ["yes", "no"] * (n // 2)}
    )
    for name, value in extra.items():
        frame[name] = value
    return frame


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_chunks_are_appended_and_appear_on_commit(tmp_path: Path, fmt: str) -> None:
    dest = tmp_path / f"results.{fmt}"
    first = chunk(0, 4, count=[1, 2, 3, 4])
    second = chunk(4, 4, count=[5.0, np.nan, 7.0, np.nan])  # integers that became floats because of NaN
    third = chunk(8, 2, count=[9, 10])
    writer = BatchWriter(dest, fmt)  # type: ignore[arg-type]
    for part in (first, second, third):
        writer.write(part)
        assert not dest.exists()
        assert [p.name for p in tmp_path.iterdir()] == [writer.partial_path.name]
        assert writer.partial_path.name.startswith(".results.") and writer.partial_path.suffix == ".partial"
    assert writer.rows_written == 10
    assert writer.commit() == dest
    assert leftovers(tmp_path) == [dest.name]
    back = pd.concat(iter_batches(dest, fmt, 100))  # type: ignore[arg-type]
    assert back["id"].tolist() == list(range(10))
    assert back["count"].tolist()[:4] == [1, 2, 3, 4] and np.isnan(back["count"][5])
    assert back["label"].tolist() == ["yes", "no"] * 5
    if fmt == "parquet":
        assert pq.ParquetFile(dest).schema_arrow.field("count").type == pa.int64()
        assert pq.ParquetFile(dest).metadata.num_row_groups == 3


def test_parquet_widens_types_when_a_later_chunk_needs_it(tmp_path: Path) -> None:
    dest = tmp_path / "r.parquet"
    with BatchWriter(dest, "parquet") as writer:
        writer.write(chunk(0, 2, k=[1, 2], note=[None, None], flag=[True, False]))
        writer.write(chunk(2, 2, k=[3.5, 4.0], note=[None, None], flag=[True, True]))  # int -> float
        writer.write(chunk(4, 2, k=[5, 6], note=["late", None], flag=["maybe", None]))  # all-null -> text
        writer.commit()
    assert leftovers(tmp_path) == ["r.parquet"]
    table = pq.read_table(dest)
    assert table.schema.field("k").type == pa.float64()
    assert table.schema.field("note").type == pa.string()
    assert table.column("k").to_pylist() == [1.0, 2.0, 3.5, 4.0, 5.0, 6.0]
    assert table.column("note").to_pylist() == [None, None, None, None, "late", None]
    assert table.column("flag").to_pylist() == ["true", "false", "true", "true", "maybe", None]


def test_mixed_python_objects_are_written_as_text(tmp_path: Path) -> None:
    dest = tmp_path / "r.parquet"
    with BatchWriter(dest, "parquet") as writer:
        writer.write(pd.DataFrame({"v": [1, "two", None, 3.5]}))
        writer.commit()
    assert pq.read_table(dest).column("v").to_pylist() == ["1", "two", None, "3.5"]


def test_columns_must_not_change(tmp_path: Path) -> None:
    writer = BatchWriter(tmp_path / "r.csv", "csv")
    writer.write(chunk(0, 2))
    with pytest.raises(ValueError, match="differ from the first chunk"):
        writer.write(chunk(2, 2).rename(columns={"label": "other"}))
    writer.abort()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_abort_leaves_nothing_and_is_idempotent(tmp_path: Path, fmt: str) -> None:
    writer = BatchWriter(tmp_path / f"r.{fmt}", fmt)  # type: ignore[arg-type]
    writer.write(chunk(0, 4))
    writer.abort()
    writer.abort()
    assert leftovers(tmp_path) == []
    with pytest.raises(RuntimeError, match="aborted"):
        writer.write(chunk(4, 2))
    with pytest.raises(RuntimeError, match="aborted"):
        writer.commit()


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_exception_inside_with_leaves_nothing(tmp_path: Path, fmt: str) -> None:
    dest = tmp_path / f"r.{fmt}"

    def run() -> None:
        with BatchWriter(dest, fmt) as writer:  # type: ignore[arg-type]
            writer.write(chunk(0, 4))
            raise KeyError("model failed")

    with pytest.raises(KeyError):
        run()
    assert leftovers(tmp_path) == []


def test_leaving_with_normally_neither_commits_nor_aborts(tmp_path: Path) -> None:
    dest = tmp_path / "r.csv"
    with BatchWriter(dest, "csv") as writer:
        writer.write(chunk(0, 2))
    assert not dest.exists()
    writer.commit()
    writer.abort()  # after commit: nothing happens
    assert dest.read_text().splitlines() == ['"id","score","label"', '0,0,"yes"', '1,1,"no"']


def test_commit_replaces_an_older_result(tmp_path: Path) -> None:
    dest = tmp_path / "r.parquet"
    dest.write_bytes(b"old")
    writer = BatchWriter(dest, "parquet")
    writer.write(chunk(0, 2))
    assert dest.read_bytes() == b"old"
    writer.commit()
    assert pq.read_table(dest).num_rows == 2


def test_commit_with_nothing_written(tmp_path: Path) -> None:
    assert pq.read_table(BatchWriter(tmp_path / "r.parquet", "parquet").commit()).num_rows == 0
    assert BatchWriter(tmp_path / "r.csv", "csv").commit().read_bytes() == b""


def test_csv_text(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "name": ["Zürich", 'say "hi", twice', "two\nlines", None],
            "x": [0.1, 1e-05, np.nan, 2.0],
            "when": pd.to_datetime(
                ["2024-01-01", "2024-01-01 10:00:01", None, "2024-03-01"], format="ISO8601"
            ),
        }
    )
    dest = write_table(frame, tmp_path / "r.csv", "csv")
    assert dest.read_text(encoding="utf-8") == (
        '"name","x","when"\n'
        '"Zürich",0.1,2024-01-01 00:00:00\n'
        '"say ""hi"", twice",0.00001,2024-01-01 10:00:01\n'
        '"two\nlines",,\n'
        ",2,2024-03-01 00:00:00\n"
    )
    back = pd.concat(iter_batches(dest, "csv", 10))
    assert back["name"].tolist()[:3] == frame["name"].tolist()[:3]


def test_write_table_xlsx(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "client": ["Société Générale", "Zürich\x01", None],
            "n": [1, 2, 3],
            "p": [0.25, np.nan, 1.0],
            "at": pd.to_datetime(["2024-01-01 10:00", "2024-01-02 00:00", None]).tz_localize("Europe/Paris"),
            "ok": [True, False, True],
        }
    )
    dest = write_table(frame, tmp_path / "r.xlsx", "xlsx")
    assert leftovers(tmp_path) == ["r.xlsx"]
    back = pd.read_excel(dest)
    assert back["client"].tolist()[:2] == ["Société Générale", "Zürich"] and pd.isna(back["client"][2])
    assert back["n"].tolist() == [1, 2, 3]
    assert back["p"][0] == 0.25 and pd.isna(back["p"][1])
    assert back["at"][0].to_pydatetime() == dt.datetime(2024, 1, 1, 9, 0)  # UTC
    assert back["ok"].tolist() == [True, False, True]


def test_xlsx_row_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from modelport.tabular import writers

    monkeypatch.setattr(writers, "EXCEL_MAX_ROWS", 5)
    with pytest.raises(InvalidArgument, match="Excel holds at most") as info:
        convert([chunk(0, 2), chunk(2, 2), chunk(4, 2)], tmp_path / "r.xlsx", "xlsx")
    assert info.value.field == "format"
    assert leftovers(tmp_path) == []


def test_convert_streams_a_parquet_result(tmp_path: Path) -> None:
    source = tmp_path / "r.parquet"
    pq.write_table(pa.Table.from_pandas(chunk(0, 1000), preserve_index=False), source, row_group_size=300)
    for fmt in ("csv", "xlsx", "parquet"):
        dest = convert(iter_batches(source, "parquet", 250), tmp_path / "out" / f"r.{fmt}", fmt)  # type: ignore[arg-type]
        back = pd.concat(iter_batches(dest, fmt, 400))  # type: ignore[arg-type]
        pd.testing.assert_frame_equal(back, chunk(0, 1000))

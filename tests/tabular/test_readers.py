"""Batch inputs: real CSV, Excel and Parquet files as people make them, read in chunks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from modelport.errors import InvalidArgument
from modelport.tabular import readers
from modelport.tabular.readers import (
    CsvDialect,
    count_rows,
    detect_format,
    iter_batches,
    preview,
    sniff_csv,
)

PLACES = ["Société Générale", "Zürich", "Málaga", "Kraków", "Œuvre & Cie"]


def write(path: Path, data: bytes | str, encoding: str = "utf-8") -> Path:
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def read_all(path: Path, chunk_rows: int = 1000, **kwargs: object) -> pd.DataFrame:
    return pd.concat(list(iter_batches(path, "csv", chunk_rows, **kwargs)))  # type: ignore[arg-type]


def file_error(path: Path, fmt: readers.FileFormat = "csv", chunk_rows: int = 1000) -> InvalidArgument:
    with pytest.raises(InvalidArgument) as info:
        for _ in iter_batches(path, fmt, chunk_rows):
            pass
    assert info.value.field == "file"
    return info.value


# --- formats --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("data.csv", "csv"),
        ("DATA.CSV", "csv"),
        ("export.txt", "csv"),
        ("export.tsv", "csv"),
        ("book.xlsx", "xlsx"),
        ("Book.XLSX", "xlsx"),
        ("t.parquet", "parquet"),
        ("folder/t.pq", "parquet"),
    ],
)
def test_detect_format_by_extension(name: str, fmt: str) -> None:
    assert detect_format(name) == fmt


@pytest.mark.parametrize("name", ["notes.docx", "data", "archive.csv.gz"])
def test_unknown_extension_lists_the_accepted_ones(name: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        detect_format(name)
    assert info.value.field == "file"
    assert ".csv" in info.value.message and ".xlsx" in info.value.message and ".parquet" in info.value.message


def test_legacy_excel_gets_a_hint() -> None:
    with pytest.raises(InvalidArgument, match=r"save the sheet as \.xlsx"):
        detect_format("old.xls")


# --- dialects ---------------------------------------------------------------------------------------------


def test_sniff_utf8_comma(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "name,value\nZürich,1.5\n")
    assert sniff_csv(path) == CsvDialect(encoding="utf-8", delimiter=",", decimal=".", has_bom=False)


def test_sniff_bom(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "\ufeffname;value\nZürich;1,5\n")
    assert sniff_csv(path) == CsvDialect(encoding="utf-8-sig", delimiter=";", decimal=",", has_bom=True)


def test_sniff_latin1(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "name;value\nSociété Générale;1,5\n", "latin-1")
    dialect = sniff_csv(path)
    assert dialect.encoding in ("cp1252", "latin-1") and dialect.delimiter == ";" and dialect.decimal == ","
    # a byte Windows-1252 leaves undefined: plain Latin-1
    assert sniff_csv(write(tmp_path / "b.csv", b"a,b\n1,\x81\n")).encoding == "latin-1"


def test_sniff_tab_and_pipe(tmp_path: Path) -> None:
    assert sniff_csv(write(tmp_path / "a.txt", "a\tb\tc\n1\t2,5\t3\n")).delimiter == "\t"
    assert sniff_csv(write(tmp_path / "b.csv", "a|b\n1|x,y\n")).delimiter == "|"


def test_sniff_ignores_delimiters_inside_quotes(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", 'id;text\n1;"a, b, c"\n2;"d, e"\n3;"f, g, h, i"\n')
    assert sniff_csv(path).delimiter == ";"


def test_semicolon_with_dot_decimals_keeps_the_dot(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "a;b\n1.5;2\n2.25;3\n")
    assert sniff_csv(path).decimal == "."
    assert read_all(path)["a"].tolist() == [1.5, 2.25]


# --- reading real CSV files -----------------------------------------------------------------------------


def test_utf8_accents(tmp_path: Path) -> None:
    text = "place,amount\n" + "".join(f"{p},{i}.5\n" for i, p in enumerate(PLACES))
    frame = read_all(write(tmp_path / "a.csv", text))
    assert frame["place"].tolist() == PLACES
    assert frame["amount"].tolist() == [0.5, 1.5, 2.5, 3.5, 4.5]


def test_utf8_with_bom_has_clean_column_names(tmp_path: Path) -> None:
    frame = read_all(write(tmp_path / "a.csv", "\ufeffplace,amount\nZürich,3\n"))
    assert list(frame.columns) == ["place", "amount"]
    assert frame.to_dict("records") == [{"place": "Zürich", "amount": 3}]


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_latin1_accents(tmp_path: Path, encoding: str) -> None:
    text = "client;ville;montant\n" + "".join(f"{p};Genève;{i},25\n" for i, p in enumerate(PLACES[:3]))
    frame = read_all(write(tmp_path / "a.csv", text, encoding))
    assert frame["client"].tolist() == PLACES[:3]
    assert set(frame["ville"]) == {"Genève"}
    assert frame["montant"].tolist() == [0.25, 1.25, 2.25]


def test_semicolon_and_decimal_commas(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "a;b;c\n1,5;2;x\n-0,25;3;y\n10;4;z\n")
    frame = read_all(path)
    assert frame["a"].tolist() == [1.5, -0.25, 10.0]
    assert frame["a"].dtype == np.float64 and frame["b"].dtype == np.int64


def test_tab_separated(tmp_path: Path) -> None:
    path = write(tmp_path / "a.tsv", "a\tb\tc\n1\thello, world\t2.5\n2\tsemi;colon\t3\n")
    frame = read_all(path)
    assert frame.to_dict("list") == {"a": [1, 2], "b": ["hello, world", "semi;colon"], "c": [2.5, 3.0]}


def test_quoted_newlines_delimiters_and_quotes(tmp_path: Path) -> None:
    text = 'id,comment,score\n1,"first line\nsecond line",0.5\n2,"a, b and ""c""",1\n3,"x\r\ny",2\n'
    frame = read_all(write(tmp_path / "a.csv", text), chunk_rows=2)
    assert frame["comment"].tolist() == ["first line\nsecond line", 'a, b and "c"', "x\r\ny"]
    assert frame["score"].tolist() == [0.5, 1.0, 2.0]


def test_missing_values_dates_and_names_follow_pandas(tmp_path: Path) -> None:
    text = "a,a,,day,flag\n1,NA,x,2024-01-31,true\n,2,,2024-02-01 10:00:00,False\n3,n/a,z,,\n"
    path = write(tmp_path / "a.csv", text)
    frame = read_all(path)
    expected = pd.read_csv(path)
    assert list(frame.columns) == list(expected.columns) == ["a", "a.1", "Unnamed: 2", "day", "flag"]
    assert frame["day"].tolist()[:2] == ["2024-01-31", "2024-02-01 10:00:00"]  # dates stay text
    pd.testing.assert_frame_equal(frame, expected)


def test_crlf_and_blank_lines(tmp_path: Path) -> None:
    frame = read_all(write(tmp_path / "a.csv", b"a,b\r\n1,2\r\n\r\n3,4\r\n\r\n"))
    assert frame.to_dict("list") == {"a": [1, 3], "b": [2, 4]}


def test_large_csv_in_chunks_equals_pandas(tmp_path: Path) -> None:
    n = 200_000
    rng = np.random.default_rng(7)
    source = pd.DataFrame(
        {
            "id": np.arange(n),
            "x": rng.normal(size=n).round(6),
            "k": rng.integers(0, 1000, size=n),
            "city": rng.choice(PLACES, size=n),
        }
    )
    source.loc[source.index % 997 == 5, "x"] = np.nan
    path = tmp_path / "big.csv"
    source.to_csv(path, index=False)
    chunks = list(iter_batches(path, "csv", 50_000))
    assert [len(c) for c in chunks] == [50_000] * 4
    assert [c.index[0] for c in chunks] == [0, 50_000, 100_000, 150_000]
    pd.testing.assert_frame_equal(pd.concat(chunks), pd.read_csv(path))


def test_columns_are_picked_and_ordered(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "a,b,c\n1,2,3\n4,5,6\n7,8,9\n")
    chunks = list(iter_batches(path, "csv", 2, columns=["c", "a"]))
    assert [list(c.columns) for c in chunks] == [["c", "a"], ["c", "a"]]
    assert pd.concat(chunks).to_dict("list") == {"c": [3, 6, 9], "a": [1, 4, 7]}


def test_missing_column_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "a,b\n1,2\n")
    with pytest.raises(InvalidArgument, match="no column 'tenure'") as info:
        next(iter_batches(path, "csv", 10, columns=["a", "tenure"]))
    assert info.value.details == {"missing": ["tenure"]}


def test_types_widen_when_a_late_block_disagrees(tmp_path: Path) -> None:
    """Integers for megabytes, then a decimal and a word: read on, as pandas' chunks do."""
    n = 300_000
    lines = ["i,num,code,empty"] + [f"{i},{i % 100},{i % 7}," for i in range(n - 2)]
    lines += [f"{n - 2},3.5,x,late", f"{n - 1},7,8,"]
    path = write(tmp_path / "a.csv", "\n".join(lines) + "\n")
    chunks = list(iter_batches(path, "csv", 1000))
    assert sum(len(c) for c in chunks) == n
    assert chunks[0]["num"].dtype == np.int64  # what was yielded before the change keeps its type
    last = chunks[-1]
    assert last["num"].tolist()[-2:] == [3.5, 7.0]
    assert last["code"].tolist()[-2:] == ["x", "8"]
    assert last["empty"].tolist()[-2] == "late"
    assert pd.concat(chunks)["i"].tolist() == list(range(n))


def test_a_field_longer_than_a_read_block(tmp_path: Path) -> None:
    huge = "y" * (3 << 20)
    path = write(tmp_path / "a.csv", f'a,b\n1,"{huge}"\n2,short\n')
    frame = read_all(path)
    assert frame["a"].tolist() == [1, 2] and len(frame["b"][0]) == len(huge)


def test_pandas_fallback_reads_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "client;montant\n" + "".join(f"{p};{i},5\n" for i, p in enumerate(PLACES))
    path = write(tmp_path / "a.csv", text, "cp1252")
    expected = read_all(path, chunk_rows=2)

    def refuse(*args: object, **kwargs: object) -> None:
        raise pa.ArrowNotImplementedError("not here")

    monkeypatch.setattr(pacsv, "open_csv", refuse)
    chunks = list(iter_batches(path, "csv", 2))
    assert [len(c) for c in chunks] == [2, 2, 1]
    pd.testing.assert_frame_equal(pd.concat(chunks), expected)
    assert "line 3" in file_error(write(tmp_path / "b.csv", "a,b\n1,2\n3,4,5\n")).message


def test_preview_reads_only_the_start(tmp_path: Path) -> None:
    lines = ["a,b"] + [f"{i},{i}" for i in range(200_000)] + ["1,2,3"]  # the bad line is 2 MB in
    path = write(tmp_path / "a.csv", "\n".join(lines) + "\n")
    head = preview(path, "csv", rows=5)
    assert head["a"].tolist() == [0, 1, 2, 3, 4]


# --- CSV problems, with their line numbers -------------------------------------------------------------


def test_extra_field_at_line_57(tmp_path: Path) -> None:
    lines = ["a,b,c"] + [f"{i},{i},{i}" for i in range(2, 57)] + ["57,1,2,3"] + ["58,1,2"]
    error = file_error(write(tmp_path / "a.csv", "\n".join(lines) + "\n"))
    assert error.message.startswith("line 57: expected 3 fields like the header, found 4")
    assert error.details == {"line": 57, "expected": 3, "found": 4}


def test_missing_field_deep_in_a_big_file(tmp_path: Path) -> None:
    lines = ["a,b,c"] + [f"{i},{i},x" for i in range(2, 150_001)] + ["150001,1"]
    lines.insert(10, '9,"two\nlines",x')  # a record on two physical lines: the bad one is line 150003
    error = file_error(write(tmp_path / "a.csv", "\n".join(lines) + "\n"), chunk_rows=10_000)
    assert error.message.startswith("line 150003: expected 3 fields like the header, found 2")


@pytest.mark.parametrize("line", [6_000, 120_000])
def test_bad_utf8_byte_after_the_sniffed_prefix(tmp_path: Path, line: int) -> None:
    """The first 64 KiB are UTF-8, so the file is read as UTF-8; a stray Latin-1 byte is named."""
    rows = [f"{i},Zürich {i}".encode() for i in range(2, 130_000)]
    rows[line - 2] = f"{line},".encode() + "Genève".encode("latin-1")
    path = write(tmp_path / "a.csv", b"id,city\n" + b"\n".join(rows) + b"\n")
    assert sniff_csv(path).encoding == "utf-8"
    error = file_error(path)
    assert error.message.startswith(
        f"line {line}: byte 0xE8 at character {len(str(line)) + 5} is not valid UTF-8"
    )
    assert error.details["line"] == line


def test_unclosed_quote_at_the_end(tmp_path: Path) -> None:
    error = file_error(write(tmp_path / "a.csv", 'a,b\n1,2\n3,"four\n5,6\n'))
    assert error.message.startswith("line 3: a quoted field opened on this line is never closed")


@pytest.mark.parametrize("text", ['a,b,c\n1,2,3\n4,"5,6\n7,8,9\n10,11,12\n', 'a;b;c\n1;2;3\n"4;5;6\n'])
def test_unclosed_quote_swallowing_the_rest(tmp_path: Path, text: str) -> None:
    error = file_error(write(tmp_path / "a.csv", text))
    assert error.message.startswith("line 3: a quoted field opened on this line is never closed")


def test_unclosed_quote_in_the_middle(tmp_path: Path) -> None:
    text = 'a,b,c\n1,2,3\n4,"5,6\n7,8,9\n10,11,"12"\n13,14,15\n'
    error = file_error(write(tmp_path / "a.csv", text))
    assert error.message.startswith("line 3: expected 3 fields like the header, found 2")
    assert "runs on to line 5: a quote opened on line 3 is probably never closed" in error.message


def test_literal_quote_inside_a_value_is_fine(tmp_path: Path) -> None:
    frame = read_all(write(tmp_path / "a.csv", 'screen,n\n15.6",1\n13",2\n'))
    assert frame["screen"].tolist() == ['15.6"', '13"']


def test_empty_file(tmp_path: Path) -> None:
    assert file_error(write(tmp_path / "a.csv", b"")).message.startswith("the file has no rows")


@pytest.mark.parametrize("text", ["a,b,c\n", "a,b,c", "\ufeffa;b\r\n\r\n"])
def test_header_only(tmp_path: Path, text: str) -> None:
    assert file_error(write(tmp_path / "a.csv", text)).message.startswith("the file has no rows")


def test_workbook_named_csv(tmp_path: Path) -> None:
    book = tmp_path / "a.xlsx"
    pd.DataFrame({"a": [1]}).to_excel(book, index=False)
    csv_named = write(tmp_path / "a.csv", book.read_bytes())
    assert "zip archive" in file_error(csv_named).message


def test_utf16_is_refused_with_advice(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "a\tb\n1\t2\n", "utf-16")
    assert "UTF-16" in file_error(path).message


# --- Parquet ------------------------------------------------------------------------------------------------


def test_parquet_chunks_across_row_groups(tmp_path: Path) -> None:
    source = pd.DataFrame({"a": np.arange(10_000), "b": np.linspace(0, 1, 10_000), "c": ["x", "y"] * 5_000})
    path = tmp_path / "t.parquet"
    pq.write_table(pa.Table.from_pandas(source, preserve_index=False), path, row_group_size=3_000)
    chunks = list(iter_batches(path, "parquet", 4_000))
    assert [len(c) for c in chunks] == [4_000, 4_000, 2_000]
    pd.testing.assert_frame_equal(pd.concat(chunks), source)
    assert count_rows(path, "parquet") == 10_000
    assert list(preview(path, "parquet", 3)["a"]) == [0, 1, 2]
    assert list(next(iter_batches(path, "parquet", 10, columns=["c", "a"])).columns) == ["c", "a"]


def test_parquet_drops_pandas_index_columns(tmp_path: Path) -> None:
    source = pd.DataFrame({"a": [1, 2, 3]}, index=[10, 20, 30])
    path = tmp_path / "t.parquet"
    source.to_parquet(path)
    frame = next(iter_batches(path, "parquet", 10))
    assert list(frame.columns) == ["a"] and list(frame.index) == [0, 1, 2]


def test_parquet_that_is_text(tmp_path: Path) -> None:
    path = write(tmp_path / "t.parquet", "a,b\n1,2\n")
    assert "not a readable Parquet file" in file_error(path, "parquet").message
    with pytest.raises(InvalidArgument, match="not a readable Parquet file"):
        count_rows(path, "parquet")


def test_empty_parquet(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"a": pa.array([], pa.int64())}), path)
    assert file_error(path, "parquet").message.startswith("the file has no rows")


def test_count_rows_unknown_for_text(tmp_path: Path) -> None:
    assert count_rows(write(tmp_path / "a.csv", "a\n1\n"), "csv") is None


# --- Excel --------------------------------------------------------------------------------------------------


def test_xlsx_in_chunks(tmp_path: Path) -> None:
    source = pd.DataFrame(
        {
            "client": PLACES,
            "n": [1, 2, 3, 4, 5],
            "amount": [1.5, None, 3.25, 4.0, 5.5],
            "day": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-02-01", "2024-03-01"]),
            "ok": [True, False, True, True, False],
        }
    )
    path = tmp_path / "book.xlsx"
    source.to_excel(path, index=False)
    chunks = list(iter_batches(path, "xlsx", 2))
    assert [len(c) for c in chunks] == [2, 2, 1]
    frame = pd.concat(chunks)
    assert frame["client"].tolist() == PLACES
    assert frame["n"].tolist() == [1, 2, 3, 4, 5]
    assert frame["amount"].tolist()[2:] == [3.25, 4.0, 5.5] and np.isnan(frame["amount"].iloc[1])
    assert [d.date() for d in frame["day"]][0] == dt.date(2024, 1, 1)
    assert frame["ok"].tolist() == [True, False, True, True, False]
    assert list(preview(path, "xlsx", 2)["n"]) == [1, 2]
    assert list(next(iter_batches(path, "xlsx", 10, columns=["n", "client"])).columns) == ["n", "client"]


def test_xlsx_blank_rows_and_value_beyond_the_header(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([])
    sheet.append(["a", "b"])
    sheet.append([1, 2])
    sheet.append([])
    sheet.append([3, 4])
    book.save(tmp_path / "ok.xlsx")
    frame = pd.concat(iter_batches(tmp_path / "ok.xlsx", "xlsx", 10))
    assert frame.to_dict("list") == {"a": [1, 3], "b": [2, 4]}
    sheet.append([5, 6, 7])
    book.save(tmp_path / "bad.xlsx")
    error = file_error(tmp_path / "bad.xlsx", "xlsx")
    assert error.message.startswith("line 6: sheet 'Sheet', row 6 has a value in column C")
    assert error.details == {"line": 6}


def test_xlsx_empty_and_header_only(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.save(tmp_path / "empty.xlsx")
    assert file_error(tmp_path / "empty.xlsx", "xlsx").message.startswith("the file has no rows")
    sheet = book.active
    assert sheet is not None
    sheet.append(["a", "b"])
    book.save(tmp_path / "header.xlsx")
    assert file_error(tmp_path / "header.xlsx", "xlsx").message.startswith("the file has no rows")


def test_xlsx_that_is_text(tmp_path: Path) -> None:
    path = write(tmp_path / "book.xlsx", "a,b\n1,2\n")
    assert "not a readable Excel .xlsx workbook" in file_error(path, "xlsx").message


def test_xlsx_read_from_a_file_named_otherwise(tmp_path: Path) -> None:
    """Uploads and cached datasets have no .xlsx name: the workbook is read by its content."""
    book = tmp_path / "book.xlsx"
    pd.DataFrame({"code": ["01234", "A7"], "n": [1, 2]}).to_excel(book, index=False)
    renamed = write(tmp_path / "data", book.read_bytes())
    frame = pd.concat(iter_batches(renamed, "xlsx", 10))
    assert frame.to_dict("list") == {"code": ["01234", "A7"], "n": [1, 2]}


def test_xlsx_numbers_in_a_string_column_become_their_text(tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    pd.DataFrame({"code": [1234, 56.5, None], "n": [1, 2, 3]}).to_excel(book, index=False)
    frame = pd.concat(iter_batches(book, "xlsx", 10, types={"code": "string", "n": "integer"}))
    assert frame["code"].tolist() == ["1234", "56.5", None]
    assert frame["n"].tolist() == [1, 2, 3]


@pytest.mark.parametrize(("content", "fmt"), [("xlsx", "xlsx"), ("parquet", "parquet"), ("csv", "csv")])
def test_detect_format_by_content_when_the_name_does_not_say(tmp_path: Path, content: str, fmt: str) -> None:
    frame = pd.DataFrame({"a": [1, 2]})
    path = tmp_path / "upload"
    if content == "xlsx":
        frame.to_excel(path.with_suffix(".xlsx"), index=False)
        path.write_bytes(path.with_suffix(".xlsx").read_bytes())
    elif content == "parquet":
        frame.to_parquet(path)
    else:
        path.write_text("a\n1\n2\n")
    assert detect_format("export", path) == fmt
    if content == "csv":  # text under an unknown extension is not guessed to be CSV
        with pytest.raises(InvalidArgument, match="unsupported file type '.bin'"):
            detect_format("export.bin", path)
    else:
        assert detect_format("export.bin", path) == fmt


def test_detect_format_keeps_refusing_legacy_workbooks_whatever_the_content(tmp_path: Path) -> None:
    path = tmp_path / "upload"
    pd.DataFrame({"a": [1]}).to_excel(path.with_suffix(".xlsx"), index=False)
    path.write_bytes(path.with_suffix(".xlsx").read_bytes())
    with pytest.raises(InvalidArgument, match=r"\.xlsm workbooks are not read"):
        detect_format("book.xlsm", path)


# --- column types from the model's schema ----------------------------------------------------------------


def test_string_columns_stay_strings(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "zip,flag,n\n01234,yes,1\n75001,NO,2\n,true,3\n")
    frame = read_all(path, types={"zip": "string", "flag": "boolean", "n": "number"})
    assert frame["zip"].tolist() == ["01234", "75001", None]
    assert frame["flag"].tolist() == ["yes", "NO", "true"]
    assert frame["n"].dtype == np.float64 and frame["n"].tolist() == [1.0, 2.0, 3.0]
    untyped = read_all(path)
    assert untyped["zip"].tolist()[:2] == [1234, 75001]  # what the schema-less reading would do


def _late_decimal_file(path: Path, rows: int = 150_000) -> Path:
    """An integer column for well over the first MiB, then 7.25, then integers again."""
    lines = ["id,tenure,label"] + [f"{i},{i % 60},c{i % 3}" for i in range(rows)]
    lines.insert(rows - 10, f"{rows},7.25,late")
    return write(path, "\n".join(lines) + "\n")


@pytest.mark.parametrize("types", [None, {"tenure": "number"}])
def test_a_decimal_after_the_first_mib(tmp_path: Path, types: dict[str, str] | None) -> None:
    path = _late_decimal_file(tmp_path / "a.csv")
    assert path.read_bytes().index(b"7.25") > 1 << 20
    chunks = list(iter_batches(path, "csv", 50_000, types=types))  # type: ignore[arg-type]
    frame = pd.concat(chunks)
    assert len(frame) == 150_001
    assert 7.25 in frame["tenure"].tolist()
    if types:  # a number column is read as floats from the start: nothing to widen
        assert all(c["tenure"].dtype == np.float64 for c in chunks)
    assert frame["id"].tolist()[:3] == [0, 1, 2]


def test_a_decimal_after_the_first_mib_with_one_pyarrow_thread(tmp_path: Path) -> None:
    path = _late_decimal_file(tmp_path / "a.csv")
    before = pa.cpu_count()
    pa.set_cpu_count(1)
    try:
        frame = pd.concat(iter_batches(path, "csv", 50_000))
    finally:
        pa.set_cpu_count(before)
    assert len(frame) == 150_001 and 7.25 in frame["tenure"].tolist()


@pytest.mark.parametrize("threads", ["1", None])
def test_a_decimal_after_the_first_mib_under_both_thread_settings(
    tmp_path: Path, threads: str | None
) -> None:
    """In a fresh process, as `modelport serve` (OMP_NUM_THREADS=1) and as a default shell run it."""
    import os
    import subprocess
    import sys

    path = _late_decimal_file(tmp_path / "a.csv")
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    if threads is not None:
        env["OMP_NUM_THREADS"] = threads
    script = (
        "import sys, pandas as pd\n"
        "from modelport.tabular.readers import iter_batches\n"
        "for types in (None, {'tenure': 'number'}):\n"
        "    frame = pd.concat(iter_batches(sys.argv[1], 'csv', 50_000, types=types))\n"
        "    assert len(frame) == 150_001 and 7.25 in frame['tenure'].tolist(), types\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_text_in_a_number_column_is_left_for_the_validation(tmp_path: Path) -> None:
    lines = ["n,x"] + [f"{i},{i}" for i in range(120_000)] + ["abc,1", "1,5"]
    path = write(tmp_path / "a.csv", "\n".join(lines) + "\n")
    frame = pd.concat(iter_batches(path, "csv", 40_000, types={"n": "number"}))
    assert frame["n"].tolist()[-2:] == ["abc", "1"]  # the chunk holding 'abc' is text; rows are named later


def test_comma_decimals_widen_after_the_first_mib(tmp_path: Path) -> None:
    lines = ["a;b;c"] + [f"{i};{i % 10};{i % 10},5" for i in range(200_000)] + ["1;2,5;0,5"]
    path = write(tmp_path / "a.csv", "\n".join(lines) + "\n")
    last = list(iter_batches(path, "csv", 100_000))[-1]
    assert last["b"].tolist() == [2.5] and last["c"].tolist()[-1] == 0.5

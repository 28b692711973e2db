"""A corpus of hostile dataset files, as people make them, with what reading each must give.

Each :class:`Case` is a file name and its bytes, built here (no fixture files), and either the
columns and dtypes :func:`modelport.tabular.parsing.read_dataset` must return (plus a ``check`` of
values and report entries) or the words its refusal must hold. Other tests reuse it:
``parseable()`` for the files a dataset can be made of (``target`` names a column to train on, when
the file has one that makes sense), ``refused()`` for the others, ``write(case, folder)`` to put one
on disk.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from modelport.schemas import HeaderRename, ParseReport

Check = Callable[[pd.DataFrame, ParseReport], None]

NNBSP = "\u202f"  # narrow no-break space: the French thousands separator
NBSP = "\u00a0"


@dataclass(frozen=True)
class Case:
    """One file of the corpus and what reading it must give."""

    id: str
    filename: str
    content: bytes
    dtypes: dict[str, str] | None = None
    """Expected columns, in order, and their pandas dtypes (None for a refused file)."""
    refused: str | None = None
    """Words the refusal's message holds (None for a parseable file)."""
    check: Check | None = None
    """More assertions on the frame and the report."""
    target: str | None = None
    """A column to train on, for the tests that train on every parseable file."""


def write(case: Case, folder: Path) -> Path:
    """The case's file written in ``folder`` under its file name."""
    path = folder / case.filename
    path.write_bytes(case.content)
    return path


def _rows(n: int, row: Callable[[int], str]) -> str:
    return "".join(row(i) for i in range(n))


# --- text encodings and dialects -----------------------------------------------------------------------

CITIES = ["Société Générale", "Zürich", "Málaga", "Œuvre & Cie", "Kraków"]


def _latin1() -> Case:
    text = "city,amount,churn\n" + _rows(40, lambda i: f"{CITIES[i % 3]},{i * 1.5},{i % 2}\n")

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        assert report.encoding == "cp1252"
        assert set(frame["city"]) == set(CITIES[:3])
        assert any("not UTF-8" in note for note in report.notes)

    return Case(
        "latin1",
        "latin1.csv",
        text.encode("latin-1"),
        {"city": "object", "amount": "float64", "churn": "int64"},
        check=check,
        target="churn",
    )


def _utf8_bom() -> Case:
    text = "\ufeffid,city,score\n" + _rows(30, lambda i: f"{i},{CITIES[i % 5]},{i % 7}\n")

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        assert report.encoding == "utf-8-sig"
        assert frame.columns[0] == "id"
        assert frame["city"].iloc[3] == "Œuvre & Cie"

    return Case(
        "utf8_bom",
        "bom.csv",
        text.encode("utf-8"),
        {"id": "int64", "city": "object", "score": "int64"},
        check=check,
        target="score",
    )


def _utf16() -> Case:
    # Excel's "Unicode text" export: UTF-16 with a BOM, tab-separated.
    text = "name\tprice\tsold\r\n" + _rows(
        30, lambda i: f"{CITIES[i % 5]}\t{i}.25\t{'yes' if i % 3 else 'no'}\r\n"
    )

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        assert (report.encoding, report.delimiter) == ("utf-16", "\t")
        assert frame["price"].iloc[2] == 2.25
        assert frame["name"].iloc[4] == "Kraków"

    return Case(
        "utf16",
        "unicode.txt",
        text.encode("utf-16"),
        {"name": "object", "price": "float64", "sold": "bool"},
        check=check,
        target="sold",
    )


def _semicolon_decimal_comma() -> Case:
    text = "region;revenue;rate;units\n" + _rows(
        30, lambda i: f"{'Nord' if i % 2 else 'Sud'};{100 + i},{i % 10}5;0,{i % 9 + 1};{i}\n"
    )

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        assert (report.delimiter, report.decimal) == (";", ",")
        assert frame["revenue"].iloc[3] == 103.35
        assert frame["rate"].iloc[0] == 0.1

    return Case(
        "semicolon_decimal_comma",
        "fr.csv",
        text.encode(),
        {"region": "object", "revenue": "float64", "rate": "float64", "units": "int64"},
        check=check,
        target="revenue",
    )


def _tabs_in_csv() -> Case:
    text = "a\tb\tlabel\n" + _rows(30, lambda i: f"{i}\t{i * 2}\t{'x' if i % 2 else 'y'}\n")

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        assert report.delimiter == "\t"

    return Case(
        "tabs_in_csv",
        "tabs.csv",
        text.encode(),
        {"a": "int64", "b": "int64", "label": "object"},
        check=check,
        target="label",
    )


def _pipes() -> Case:
    text = "a|b|c\n" + _rows(20, lambda i: f"{i}|{i % 3}|t{i}\n")
    return Case(
        "pipes",
        "pipes.csv",
        text.encode(),
        {"a": "int64", "b": "int64", "c": "object"},
        check=lambda frame, report: _equal(report.delimiter, "|"),
        target="b",
    )


def _quoted_newlines() -> Case:
    text = "id,comment,score\n" + _rows(
        20, lambda i: f'{i},"line one, with a comma\nline two ""quoted""",{i % 4}\n'
    )

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        assert len(frame) == 20
        assert frame["comment"].iloc[0] == 'line one, with a comma\nline two "quoted"'

    return Case(
        "quoted_newlines",
        "notes.csv",
        text.encode(),
        {"id": "int64", "comment": "object", "score": "int64"},
        check=check,
        target="score",
    )


def _ragged_short() -> Case:
    text = "a,b,c\n1,2,3\n4,5\n6,7,8\n9\n10,11,12\n"

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        assert frame["c"].isna().tolist() == [False, True, False, True, False]
        assert any("2 rows with fewer fields" in note and "line 3" in note for note in report.notes)

    return Case(
        "ragged_short",
        "short.csv",
        text.encode(),
        {"a": "int64", "b": "float64", "c": "float64"},
        check=check,
    )


def _ragged_long() -> Case:
    text = "a,b,c\n1,2,3\n4,5,6\n7,8,9,10\n"
    return Case(
        "ragged_long", "long.csv", text.encode(), refused="line 4: expected 3 fields like the header, found 4"
    )


def _headers() -> Case:
    text = " name ,name,,Name,price  ,name_2\n" + _rows(10, lambda i: f"a{i},b{i},{i},c{i},{i}.5,{i}\n")

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        assert report.renamed_headers == [
            HeaderRename(original=" name ", name="name", reason="padding"),
            HeaderRename(original="name", name="name_3", reason="duplicate"),
            HeaderRename(original="", name="column_3", reason="empty"),
            HeaderRename(original="price  ", name="price", reason="padding"),
        ]

    return Case(
        "duplicate_padded_empty_headers",
        "headers.csv",
        text.encode(),
        {
            "name": "object",
            "name_3": "object",
            "column_3": "int64",
            "Name": "object",
            "price": "float64",
            "name_2": "int64",
        },
        check=check,
        target="price",
    )


def _blank_and_whitespace_lines() -> Case:
    # Lines of spaces and lines of delimiters only, between rows: skipped and counted, not padded.
    text = "a;b;c\n1;2;3\n   \n4;5;6\n;;\n\n7;8;9\n \t \n"

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        assert frame["a"].tolist() == [1, 4, 7]
        assert report.skipped_rows == 4 and report.notes == []

    return Case(
        "blank_and_whitespace_lines",
        "gaps.csv",
        text.encode(),
        {"a": "int64", "b": "int64", "c": "int64"},
        check=check,
    )


def _empty() -> Case:
    return Case("empty", "empty.csv", b"", refused="the file is empty")


def _blank_lines_only() -> Case:
    return Case("blank_lines_only", "blank.csv", b"\r\n\r\n  \n", refused="the file is empty")


def _header_only() -> Case:
    return Case(
        "header_only", "header.csv", b"id,name,amount\r\n", refused="the file has a header but no rows"
    )


def _one_column() -> Case:
    text = "amount\n" + _rows(25, lambda i: f"{i},5\n")

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        assert frame["amount"].iloc[1] == 1.5

    return Case("one_column", "one.csv", text.encode(), {"amount": "float64"}, check=check)


def _all_empty_column() -> Case:
    text = "a,empty,b,dashes\n" + _rows(20, lambda i: f"{i},,{i % 2},-\n")

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        assert report.dropped_empty_columns == ["empty", "dashes"]

    return Case(
        "all_empty_column", "sparse.csv", text.encode(), {"a": "int64", "b": "int64"}, check=check, target="b"
    )


def _missing_tokens() -> Case:
    tokens = ["?", "-", "--", "none", "null", "NA", "N/A", "nan", "#N/A", "(blank)", "NULL"]
    xs = tokens + [str(i) for i in range(20)]
    cats = ["?", "?", "?", ""] + [f"k{i % 2}" for i in range(4, len(xs))]
    text = "x,cat,y\n" + "".join(
        f"{x},{cat},{i % 2}\n" for i, (x, cat) in enumerate(zip(xs, cats, strict=True))
    )

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        assert frame["x"].isna().sum() == 11 and frame["cat"].isna().sum() == 4
        assert report.missing_tokens == {token: 4 if token == "?" else 1 for token in tokens}

    return Case(
        "missing_tokens",
        "tokens.csv",
        text.encode(),
        {"x": "float64", "cat": "object", "y": "int64"},
        check=check,
        target="y",
    )


def _mixed_types() -> Case:
    text = "qty,label\n" + _rows(
        30, lambda i: f"{'unknown' if i == 7 else ('ten' if i == 20 else i)},{i % 2}\n"
    )

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        assert frame["qty"].iloc[7] == "unknown" and frame["qty"].iloc[20] == "ten"
        assert frame["qty"].iloc[3] == "3"

    return Case(
        "mixed_types",
        "mixed.csv",
        text.encode(),
        {"qty": "object", "label": "int64"},
        check=check,
        target="label",
    )


def _one_mib_field() -> Case:
    blob = "lorem ipsum " * ((1 << 20) // 12 + 1)
    text = "id,text,y\n" + f'0,"{blob}",1\n' + _rows(20, lambda i: f"{i + 1},short {i},{i % 2}\n")

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        assert len(frame) == 21
        assert len(frame["text"].iloc[0]) >= (1 << 20) - 12

    return Case(
        "one_mib_field",
        "long_field.csv",
        text.encode(),
        {"id": "int64", "text": "object", "y": "int64"},
        check=check,
    )


def _thousands_and_currencies() -> Case:
    rows = [
        (f"1{NNBSP}234,5", "1.234,50 €", "$1,234.50", "12,5 %", f"1{NBSP}000"),
        ("12,25", "€3,00", "$12.00", "3 %", "12"),
        ("2 345 678,0", "−5,00 €", "-$7.25", "100 %", f"4{NBSP}567"),
        ("0,5", "1.000.000,00 €", "$1,000,000", "0,5 %", "8"),
    ]
    text = "fr;de_eur;us_usd;pct;spaces\n" + "".join(";".join(row) + "\n" for row in rows * 5)

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        assert frame["fr"].tolist()[:4] == [1234.5, 12.25, 2345678.0, 0.5]
        assert frame["de_eur"].tolist()[:4] == [1234.5, 3.0, -5.0, 1000000.0]
        assert frame["us_usd"].tolist()[:4] == [1234.5, 12.0, -7.25, 1000000.0]
        assert frame["pct"].tolist()[:4] == [12.5, 3.0, 100.0, 0.5]
        assert frame["spaces"].tolist()[:4] == [1000, 12, 4567, 8]
        assert report.decimal == "," and report.thousands == " "
        assert any("€ signs removed" in note for note in report.notes)

    return Case(
        "thousands_and_currencies",
        "money.csv",
        text.encode(),
        {"fr": "float64", "de_eur": "float64", "us_usd": "float64", "pct": "float64", "spaces": "int64"},
        check=check,
        target="fr",
    )


def _mixed_dates() -> Case:
    values = [
        "2021-03-04",
        "2021-03-05T10:00:00+02:00",
        "2021-03-06 23:30:00-05:00",
        "25/03/2021",
        '"March 7, 2021"',
        '"Thu, 08 Apr 2021 10:00:00 +0200"',
        "2021-04-09T12:00:00Z",
        "",
    ]
    text = "when,amount,note\n" + _rows(24, lambda i: f"{values[i % 8]},{i},{'d' + str(i % 2)}\n")

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        when = frame["when"]
        assert when.iloc[0] == pd.Timestamp("2021-03-04", tz="UTC")
        assert when.iloc[1] == pd.Timestamp("2021-03-05 08:00", tz="UTC")
        assert when.iloc[2] == pd.Timestamp("2021-03-07 04:30", tz="UTC")
        assert when.iloc[3] == pd.Timestamp("2021-03-25", tz="UTC")
        assert when.iloc[5] == pd.Timestamp("2021-04-08 08:00", tz="UTC")
        assert pd.isna(when.iloc[7])
        assert any("converted to UTC" in note for note in report.notes)

    return Case(
        "mixed_dates_offsets",
        "dates.csv",
        text.encode(),
        {"when": "datetime64[ns, UTC]", "amount": "int64", "note": "object"},
        check=check,
        target="amount",
    )


def _not_quite_dates() -> Case:
    text = "when,y\n" + _rows(10, lambda i: f"{'2021-03-0' + str(i) if i else 'soon'},{i}\n")
    return Case(
        "dates_with_words",
        "not_dates.csv",
        text.encode(),
        {"when": "object", "y": "int64"},
        check=lambda frame, report: _equal(frame["when"].iloc[0], "soon"),
    )


def _accounting_negatives() -> Case:
    text = "account;balance\n" + _rows(
        12, lambda i: f"A{i};{'(' if i % 2 else ''}${i},{i:02d}0.50{')' if i % 2 else ''}\n"
    )

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        assert frame["balance"].tolist()[:2] == [0.5, -1010.5]
        assert any("parentheses read as negative" in note for note in report.notes)

    return Case(
        "accounting_negatives",
        "ledger.csv",
        text.encode(),
        {"account": "object", "balance": "float64"},
        check=check,
        target="balance",
    )


def _inf_nan_negative_zero() -> Case:
    values = ["inf", "NaN", "-0", "-inf", "1.5", "1e3", "Infinity", "+2"]
    text = "x,y\n" + _rows(24, lambda i: f"{values[i % 8]},{i % 3}\n")

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        x = frame["x"].tolist()
        assert x[0] == math.inf and math.isnan(x[1]) and x[3] == -math.inf and x[7] == 2.0
        assert x[2] == 0 and math.copysign(1, x[2]) == -1
        assert report.missing_tokens == {"NaN": 3}

    return Case(
        "inf_nan_negative_zero",
        "inf.csv",
        text.encode(),
        {"x": "float64", "y": "int64"},
        check=check,
        target="y",
    )


def _crlf_blank_lines_trailing() -> Case:
    text = (
        "a,b,c,\r\n"
        + _rows(20, lambda i: f"{i},{i % 4},k{i % 2},\r\n" + ("\r\n" if i % 5 == 0 else ""))
        + ",,,\r\n"
    )

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        assert len(frame) == 20
        assert report.skipped_rows == 5
        assert report.dropped_empty_columns == ["column_4"]
        assert report.renamed_headers == []

    return Case(
        "crlf_blank_lines_trailing_delimiters",
        "crlf.csv",
        text.encode(),
        {"a": "int64", "b": "int64", "c": "object"},
        check=check,
        target="c",
    )


def _trailing_delimiter_rows_only() -> Case:
    # The header has no trailing delimiter but the rows do (an export quirk): the extra field is empty.
    text = "a,b\n" + _rows(10, lambda i: f"{i},{i % 2},\n")

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        assert any("trailing delimiters" in note for note in report.notes)

    return Case(
        "trailing_delimiter_rows", "trail.csv", text.encode(), {"a": "int64", "b": "int64"}, check=check
    )


def _booleans() -> Case:
    spellings = [("true", "yes", "Y", "vrai", "1", "oui"), ("false", "no", "N", "faux", "0", "")]
    text = "en,yn,letter,fr,one_zero,with_missing\n" + _rows(20, lambda i: ",".join(spellings[i % 2]) + "\n")

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        assert frame["en"].tolist()[:2] == [True, False]
        assert frame["one_zero"].tolist()[:2] == [1, 0]
        assert frame["with_missing"].isna().sum() == 10

    return Case(
        "booleans",
        "flags.csv",
        text.encode(),
        {
            "en": "bool",
            "yn": "bool",
            "letter": "bool",
            "fr": "bool",
            "one_zero": "int64",
            "with_missing": "boolean",
        },
        check=check,
        target="en",
    )


def _zero_padded_ids() -> Case:
    text = "postcode,customer,amount\n" + _rows(20, lambda i: f"0{1000 + i},{i:06d},{i}.5\n")

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        assert frame["postcode"].iloc[0] == "01000"
        assert frame["customer"].iloc[1] == "000001"

    return Case(
        "zero_padded_ids",
        "codes.csv",
        text.encode(),
        {"postcode": "object", "customer": "object", "amount": "float64"},
        check=check,
        target="amount",
    )


def _huge_integers() -> Case:
    text = "account,y\n" + _rows(10, lambda i: f"{98765432109876543210 + i},{i}\n")
    return Case(
        "huge_integers",
        "accounts.csv",
        text.encode(),
        {"account": "object", "y": "int64"},
        check=lambda frame, report: _equal(frame["account"].iloc[0], "98765432109876543210"),
    )


# --- refused text ---------------------------------------------------------------------------------------


def _binary() -> Case:
    rng = np.random.default_rng(3)
    return Case(
        "binary_renamed",
        "photo.csv",
        bytes(rng.integers(0, 256, 4096, dtype=np.uint8)),
        refused="binary data",
    )


def _gzip() -> Case:
    import gzip

    data = gzip.compress(b"a,b\n" + b"1,2\n" * 100, mtime=0)
    return Case("gzip_renamed", "export.csv", data, refused="binary data")


def _control_characters() -> Case:
    return Case("control_characters", "noise.csv", bytes(range(1, 256)) * 16, refused="binary data")


def _html() -> Case:
    data = b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Session expired</body></html>\n"
    return Case("html_renamed", "download.csv", data, refused="HTML or XML")


def _utf16_without_bom() -> Case:
    text = "id\tname\n" + _rows(10, lambda i: f"{i}\t{CITIES[i % 5]}\n")

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        assert report.encoding == "utf-16" and frame["name"].iloc[1] == "Zürich"

    return Case(
        "utf16_without_bom",
        "export.tsv",
        text.encode("utf-16-le"),
        {"id": "int64", "name": "object"},
        check=check,
    )


def _json() -> Case:
    data = b'[\n  {"id": 1, "name": "a"},\n  {"id": 2, "name": "b"}\n]\n'
    return Case("json_renamed", "records.csv", data, refused="JSON")


def _unclosed_quote() -> Case:
    text = 'a,b\n1,x\n2,"never closed\n3,y\n'
    return Case(
        "unclosed_quote", "quote.csv", text.encode(), refused="line 3: a quoted field opened on this line"
    )


def _mixed_encodings() -> Case:
    data = "name,n\nZürich,1\n".encode() + "Málaga,2\n".encode("latin-1")
    return Case("mixed_encodings", "mixed_enc.csv", data, refused="line 3: byte 0xE1 is not valid UTF-8")


def _xlsx_renamed_csv() -> Case:
    return Case("xlsx_renamed_csv", "book.csv", _workbook([["a", "b"], [1, 2]]), refused="zip archive")


# --- Excel and Parquet ----------------------------------------------------------------------------------


def _workbook(rows: list[list[object]], merge: str | None = None, more_sheets: tuple[str, ...] = ()) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    for name in more_sheets:
        book.create_sheet(name).append(["other", "data"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_title_row() -> Case:
    start = dt.datetime(2023, 1, 1, 8, 30)
    rows: list[list[object]] = [
        ["Sales report 2023 - all regions", None, None, None, None],
        [None, None, None, None, None],
        ["region", "amount", "day", "closed", "code"],
    ]
    rows += [
        [f"R{i % 3}", i * 10.5 if i != 4 else "?", start + dt.timedelta(days=i), i % 2 == 0, f"0{i:03d}"]
        for i in range(20)
    ]

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        assert report.skipped_rows == 2
        assert any("Sales report 2023" in note for note in report.notes)
        assert any("2 sheets: the first, 'Sheet', was read" in note for note in report.notes)
        assert math.isnan(frame["amount"].iloc[4]) and report.missing_tokens == {"?": 1}
        assert frame["day"].iloc[0] == pd.Timestamp("2023-01-01 08:30", tz="UTC")
        assert frame["code"].iloc[1] == "0001"

    return Case(
        "xlsx_title_row",
        "sales.xlsx",
        _workbook(rows, merge="A1:E1", more_sheets=("Notes",)),
        {
            "region": "object",
            "amount": "float64",
            "day": "datetime64[ns, UTC]",
            "closed": "bool",
            "code": "object",
        },
        check=check,
        target="amount",
    )


def _xlsx_plain() -> Case:
    rows: list[list[object]] = [["id", "score", "label", "  padded  "]]
    rows += [[i, i / 4, " yes " if i % 2 else "no", None if i % 5 == 0 else f"t{i}"] for i in range(20)]
    rows[4][3] = "  N/A "

    def check(frame: pd.DataFrame, report: ParseReport) -> None:
        assert report.format == "xlsx" and report.encoding is None
        assert report.renamed_headers == [
            HeaderRename(original="  padded  ", name="padded", reason="padding")
        ]
        assert frame["label"].tolist()[:2] == [False, True] and report.missing_tokens == {"N/A": 1}

    return Case(
        "xlsx_plain",
        "plain.xlsx",
        _workbook(rows),
        {"id": "int64", "score": "float64", "label": "bool", "padded": "object"},
        check=check,
        target="label",
    )


def _xlsx_unreadable() -> Case:
    data = _workbook([["a"], [1]])
    return Case(
        "xlsx_unreadable",
        "broken.xlsx",
        data[: len(data) // 2],
        refused="not a readable Excel .xlsx workbook",
    )


def _xlsx_of_text() -> Case:
    return Case("xlsx_of_text", "text.xlsx", b"a,b\n1,2\n", refused="not a readable Excel .xlsx workbook")


def _parquet() -> Case:
    frame = pd.DataFrame(
        {
            "n": pd.array([1, None, 3] * 7, dtype="Int64"),
            "x": np.linspace(0, 1, 21),
            "kind": pd.Categorical(["a", "b", "a"] * 7),
            "when": pd.date_range("2024-01-01", periods=21, freq="h", tz="Europe/Paris"),
            "flag": [True, False, True] * 7,
            "code": ["01", "02", "?"] * 7,
        }
    )
    table = pa.Table.from_pandas(frame, preserve_index=False)
    out = io.BytesIO()
    pq.write_table(table, out)

    def check(result: pd.DataFrame, report: ParseReport) -> None:
        pd.testing.assert_frame_equal(result, frame)
        assert report.missing_tokens == {}

    return Case(
        "parquet_as_is",
        "stored.parquet",
        out.getvalue(),
        {
            "n": "Int64",
            "x": "float64",
            "kind": "category",
            "when": "datetime64[ns, Europe/Paris]",
            "flag": "bool",
            "code": "object",
        },
        check=check,
        target="x",
    )


def _parquet_damaged() -> Case:
    return Case(
        "parquet_damaged", "broken.parquet", b"PAR1" + b"\x00" * 64, refused="not a readable Parquet file"
    )


def _equal(actual: object, expected: object) -> None:
    assert actual == expected, (actual, expected)


BUILDERS: list[Callable[[], Case]] = [
    _latin1,
    _utf8_bom,
    _utf16,
    _semicolon_decimal_comma,
    _tabs_in_csv,
    _pipes,
    _quoted_newlines,
    _ragged_short,
    _ragged_long,
    _headers,
    _blank_and_whitespace_lines,
    _empty,
    _blank_lines_only,
    _header_only,
    _one_column,
    _all_empty_column,
    _missing_tokens,
    _mixed_types,
    _one_mib_field,
    _thousands_and_currencies,
    _mixed_dates,
    _not_quite_dates,
    _accounting_negatives,
    _inf_nan_negative_zero,
    _crlf_blank_lines_trailing,
    _trailing_delimiter_rows_only,
    _booleans,
    _zero_padded_ids,
    _huge_integers,
    _binary,
    _gzip,
    _control_characters,
    _html,
    _utf16_without_bom,
    _json,
    _unclosed_quote,
    _mixed_encodings,
    _xlsx_renamed_csv,
    _xlsx_title_row,
    _xlsx_plain,
    _xlsx_unreadable,
    _xlsx_of_text,
    _parquet,
    _parquet_damaged,
]


def cases() -> list[Case]:
    """Every case of the corpus."""
    return [build() for build in BUILDERS]


def parseable() -> list[Case]:
    """The files a dataset can be made of."""
    return [case for case in cases() if case.refused is None]


def refused() -> list[Case]:
    """The files that must be refused."""
    return [case for case in cases() if case.refused is not None]

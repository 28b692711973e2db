"""Datasets read whole: CSV, Excel (.xlsx) and Parquet files as people make them, typed, with a report.

:func:`read_dataset` loads a file in memory (the caller caps its size) and returns a typed pandas
frame with a :class:`~modelport.schemas.ParseReport` of what reading it changed or guessed:

* **CSV**: the encoding (UTF-8, UTF-8 with a BOM, UTF-16 with or without a BOM, else Windows-1252 or
  Latin-1 for the whole file; a file mixing UTF-8 with another encoding is refused with the line), the
  delimiter (``,`` ``;`` tab ``|``) and decimal mark (sniffed by :mod:`modelport.tabular.readers`),
  quoted newlines, fields of any size. Blank lines, lines of blanks and rows with no value at all are
  skipped and counted. A row with fewer fields than the header is padded with missing values; a row
  with more is refused with its line number, unless the extra fields are empty (trailing delimiters:
  ignored, and noted). A quoted field still open at the end of the file is refused with its line.
* **Excel**: the first sheet; empty rows are skipped, a title above the header (a row of one text
  cell, often merged across the table, above a row of text headers) is skipped and noted; the table
  is as wide as its widest row (a value right of the header gets a ``column_N``).
* **Parquet**: read as stored (the index, when it is not a plain row number, becomes columns).

Headers are stripped of padding, empty ones named ``column_N`` (N: the 1-based position), duplicates
``a_2``, ``a_3`` (each reported as a :class:`~modelport.schemas.HeaderRename`). Cells are stripped
and each text column is typed by :func:`modelport.tabular.inference.type_text_column` (missing
tokens, booleans, numbers in local formats, dates to UTC, codes kept as text); columns with no value
are dropped and reported. An Excel column whose cells Excel typed alike (numbers, booleans, dates)
keeps that type.

Refused, with an :class:`~modelport.errors.InvalidArgument` (``field="file"``) that names the problem:
an empty file, a header without rows, binary data, JSON or a web page named ``.csv``, an unreadable
workbook or Parquet file, the ragged rows and open quotes above. :func:`write_parquet` and
:func:`read_parquet` keep the normalized copy of a dataset.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from modelport.errors import InvalidArgument
from modelport.schemas import HeaderRename, ParseReport
from modelport.tabular import readers
from modelport.tabular.inference import Column, Findings, type_text_column

__all__ = ["read_dataset", "read_parquet", "write_parquet"]

_MARKUP_START = re.compile(r"(?i)^(?:<!doctype html|<html|<\?xml|<head|<body|<table)")
_JSON_START = re.compile(r'^(?:\{\s*(?:"|\})|\[\s*(?:[\[{"\]]|-?\d|true\b|false\b|null\b))')
_BLANK_LINE = re.compile(rb"(?:\r\n|\n|\r(?!\n))(?=[\r\n])")
_LEADING_BLANK_LINES = re.compile(rb"\A(?:[ \t]*(?:\r\n|\n|\r))+")
_NEWLINE = re.compile(rb"\r\n|\n|\r")
_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+\Z")
_NOT_BLANK = re.compile(rb"\S")
_BLOCK = 4 << 20


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _file_error(message: str, line: int | None = None) -> InvalidArgument:
    return InvalidArgument(message, field="file", details={"line": line} if line is not None else None)


# --- entry point ----------------------------------------------------------------------------------------


def read_dataset(path: Path, filename: str) -> tuple[pd.DataFrame, ParseReport]:
    """Read a whole CSV, Excel or Parquet file as a typed frame, with the report of what was done.

    The format comes from ``filename`` (else the content), as for batch inputs. See the module's
    documentation for the rules. Raises :class:`InvalidArgument` (``field="file"``) for a file that
    cannot be read as a dataset: empty, a header without rows, binary data or JSON named ``.csv``,
    an unreadable workbook or Parquet file, a row with more fields than the header.
    """
    path = Path(path)
    fmt = readers.detect_format(filename, path)
    try:
        if fmt == "parquet":
            return _read_parquet_dataset(path)
        findings = Findings()
        if fmt == "xlsx":
            raw_names, columns = _read_xlsx(path, findings)
            encoding = delimiter = None
        else:
            raw_names, columns, encoding, delimiter = _read_csv(path, findings)
            pa.default_memory_pool().release_unused()
        frame, renames = _build(raw_names, columns, findings)
    except InvalidArgument:
        raise
    except (pa.ArrowException, csv.Error, UnicodeError, OverflowError) as exc:
        raise _file_error(f"the file cannot be read as {fmt.upper()}: {exc}") from None
    report = ParseReport(
        format=fmt,
        encoding=encoding,
        delimiter=delimiter,
        decimal="," if "," in findings.decimals else ".",
        thousands=findings.thousands[0] if findings.thousands else None,
        rows=len(frame),
        columns=len(frame.columns),
        renamed_headers=renames,
        missing_tokens=dict(sorted(findings.tokens.items(), key=lambda item: (-item[1], item[0]))),
        dropped_empty_columns=findings.dropped,
        skipped_rows=findings.skipped,
        notes=findings.notes,
    )
    return frame, report


def _build(
    raw_names: list[str], columns: list[Column | pd.Series], findings: Findings
) -> tuple[pd.DataFrame, list[HeaderRename]]:
    """The typed frame from the header's names and the raw columns; renames of the kept columns."""
    names, renames = _clean_names(raw_names)
    if not columns or len(columns[0]) == 0:
        raise _file_error("the file has a header but no rows")
    typed: dict[str, pd.Series] = {}
    kept: set[str] = set()
    columns.reverse()
    for name in names:
        column = columns.pop()  # each raw column is released once typed (the list is the caller's)
        series = column if isinstance(column, pd.Series) else type_text_column(name, column, findings)
        del column
        if series is None or bool(series.isna().all()):
            findings.dropped.append(name)
            continue
        typed[name] = series.reset_index(drop=True)
        kept.add(name)
    if not typed:
        raise _file_error("every column of the file is empty")
    frame = pd.DataFrame(typed, copy=False)
    del typed
    pa.default_memory_pool().release_unused()
    frame.index = pd.RangeIndex(len(frame))
    return frame, [rename for rename in renames if rename.name in kept]


def _clean_names(raw: list[str]) -> tuple[list[str], list[HeaderRename]]:
    """Headers stripped; empty ones ``column_N`` (1-based); duplicates ``a_2``, ``a_3``..."""
    stripped = [name.replace("\ufeff", "").strip() for name in raw]
    reserved = {name for name in stripped if name}
    used: set[str] = set()
    names: list[str] = []
    renames: list[HeaderRename] = []
    for position, (original, base) in enumerate(zip(raw, stripped, strict=True), start=1):
        reason = "empty" if not base else ("padding" if base != original else None)
        base = base or f"column_{position}"
        name = base
        if name in used:
            suffix = 2
            while f"{base}_{suffix}" in used or f"{base}_{suffix}" in reserved:
                suffix += 1
            name = f"{base}_{suffix}"
            reason = reason if reason == "empty" else "duplicate"
        used.add(name)
        names.append(name)
        if reason is not None:
            renames.append(HeaderRename(original=original, name=name, reason=reason))
    return names, renames


# --- CSV ------------------------------------------------------------------------------------------------


def _read_csv(path: Path, findings: Findings) -> tuple[list[str], list[Column], str, str]:
    """The header's raw names, the columns as text (blank rows removed), the encoding and delimiter."""
    data, encoding = _utf8(path.read_bytes(), findings)
    leading = _LEADING_BLANK_LINES.match(data)
    start = leading.end() if leading else 0
    if _NOT_BLANK.search(data, start) is None:
        raise _file_error("the file is empty")
    head = data[start : start + readers.SNIFF_BYTES + 1]
    truncated = len(head) > readers.SNIFF_BYTES
    text = codecs.getincrementaldecoder("utf-8")().decode(head[: readers.SNIFF_BYTES], final=not truncated)
    if _MARKUP_START.match(text.lstrip()):
        raise _file_error("the file holds HTML or XML (a web page?), not CSV text")
    if _JSON_START.match(text.lstrip()):
        raise _file_error(
            "the file holds JSON, not CSV text: export the data as CSV, Excel (.xlsx) or Parquet"
        )
    _refuse_control_characters(text)
    if truncated and "\n" in text:
        text = text[: text.rindex("\n") + 1]
    delimiter = readers.sniff_delimiter(text, truncated, prefer_tab=path.suffix.lower() == ".tsv")
    findings.decimal_hint = readers.sniff_decimal(text, delimiter, truncated)
    blank = len(_NEWLINE.findall(data, 0, start))
    body = data[start:] if start else data  # a copy only after leading blank lines
    del data
    odd_quotes = body.count(b'"') % 2 == 1
    table = None if odd_quotes else _arrow_table(body, delimiter)
    if table is None:
        raw_names, columns, skipped = _python_records(body, delimiter, findings, blank + 1, odd_quotes)
        findings.skipped += blank + skipped
    else:
        raw_names = [str(table.column(i)[0].as_py()) for i in range(table.num_columns)]
        columns = [table.column(i).slice(1) for i in range(table.num_columns)]
        del table
        findings.skipped += blank + _count_blank_lines(body, delimiter)
    del body
    columns = _drop_blank_rows(columns, findings)
    return raw_names, columns, encoding, delimiter


def _utf8(raw: bytes, findings: Findings) -> tuple[bytes, str]:
    """The file's bytes as UTF-8 (without a byte-order mark) and the encoding it was read in."""
    codec = "utf-16" if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else _utf16_order(raw)
    if codec is not None:
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError as exc:
            raise _file_error(
                f"the file starts as UTF-16 text but byte {exc.start} is not valid UTF-16: "
                "save it as 'CSV UTF-8' and upload it again"
            ) from None
        if "\x00" in text:
            raise _file_error("the file holds binary data (NUL characters), not CSV text")
        return text.encode("utf-8"), "utf-16"
    if _NOT_BLANK.search(raw) is None:
        raise _file_error("the file is empty")
    readers.reject_non_text(raw[: readers.SNIFF_BYTES])
    if b"\x00" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        raise _file_error(f"line {line}: the file holds binary data (NUL bytes), not CSV text", line)
    encoding = "utf-8"
    if raw.startswith(codecs.BOM_UTF8):
        raw, encoding = raw[len(codecs.BOM_UTF8) :], "utf-8-sig"
    bad = _invalid_utf8(raw)
    if bad is None:
        return raw, encoding
    line = raw.count(b"\n", 0, bad) + 1
    if encoding == "utf-8-sig" or not raw[:bad].isascii():
        raise _file_error(
            f"line {line}: byte 0x{raw[bad]:02X} is not valid UTF-8 while the lines before are UTF-8: "
            "save the whole file in one encoding, preferably 'CSV UTF-8'",
            line,
        )
    try:
        text, encoding = raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, encoding = raw.decode("latin-1"), "latin-1"
    label = "Windows-1252" if encoding == "cp1252" else "Latin-1"
    findings.notes.append(f"the file is not UTF-8 (line {line}): read as {label}")
    return text.encode("utf-8"), encoding


def _invalid_utf8(raw: bytes) -> int | None:
    """The offset of the first byte that is not valid UTF-8, or None; decoded 1 MiB at a time so
    that checking a big file does not hold its text."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(raw)
    step = 1 << 20
    for offset in range(0, len(raw), step):
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(view[offset : offset + step], final=offset + step >= len(raw))
        except UnicodeDecodeError as exc:
            return offset - pending + exc.start
    return None


def _utf16_order(raw: bytes) -> str | None:
    """UTF-16 without a byte-order mark: text where nearly every other byte is NUL (the high byte
    of Latin characters) and nearly none of the others; its byte order, else None."""
    head = raw[:4096]
    if len(head) < 4 or len(raw) % 2:
        return None
    even, odd = head[0::2].count(0) / len(head[0::2]), head[1::2].count(0) / len(head[1::2])
    if odd >= 0.9 and even <= 0.1:
        return "utf-16-le"
    if even >= 0.9 and odd <= 0.1:
        return "utf-16-be"
    return None


def _refuse_control_characters(text: str) -> None:
    controls = sum(
        1 for char in text if (ord(char) < 32 and char not in "\t\n\r\f\v") or 0x7F <= ord(char) < 0xA0
    )
    if controls and controls > len(text) // 100:
        raise _file_error("the file holds binary data (control characters), not CSV text")


def _arrow_table(body: bytes, delimiter: str) -> pa.Table | None:
    """All fields as text with pyarrow (header included as row 0); None when a record is ragged or
    pyarrow cannot read the file (the csv module then reads it, or names the line)."""
    first = _first_record(body, delimiter)
    if first is None:
        raise _file_error("the file is empty")
    names = [f"c{i}" for i in range(len(first))]
    ragged: list[int] = []

    def on_invalid(row: Any) -> str:
        ragged.append(row.actual_columns)
        return "skip"

    buffer = pa.py_buffer(body)
    for block_size in (_BLOCK, max(_BLOCK, len(body) + 1)):
        try:
            table = pacsv.read_csv(
                pa.BufferReader(buffer),
                read_options=pacsv.ReadOptions(column_names=names, block_size=block_size),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter,
                    quote_char='"',
                    double_quote=True,
                    escape_char=False,
                    newlines_in_values=b'"' in body,
                    ignore_empty_lines=True,
                    invalid_row_handler=on_invalid,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    null_values=[],
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                    check_utf8=False,
                ),
            )
        except pa.ArrowInvalid:
            continue
        return None if ragged or table.num_rows == 0 else table
    return None


def _first_record(body: bytes, delimiter: str) -> list[str] | None:
    try:
        for row in csv.reader(_Lines(body), delimiter=delimiter, quotechar='"'):
            if row:
                return row
    except csv.Error:
        return [""]
    return None


class _Lines:
    """The decoded lines of a text, with a flag set once a reader asked for one past the last."""

    def __init__(self, body: bytes, skip: int = 0) -> None:
        self._body = body
        self._skip = skip
        self.exhausted = False

    def __iter__(self) -> Iterator[str]:
        for number, line in enumerate(_LINE.finditer(self._body)):
            if number >= self._skip:
                yield line.group().decode("utf-8")
        self.exhausted = True


def _python_records(
    body: bytes, delimiter: str, findings: Findings, start_line: int, odd_quotes: bool
) -> tuple[list[str], list[Column], int]:
    """The file read with the csv module: the header, the columns, and the blank lines skipped.

    Short rows are padded with empty fields; long rows are refused with their line unless the
    extra fields are empty. A quoted field still open at the end of the file is refused.
    """
    reader = csv.reader(_Lines(body), delimiter=delimiter, quotechar='"')
    header: list[str] | None = None
    cells: list[list[str]] = []
    blank = short = trailing = 0
    first_short = 0
    end = 0
    line = start_line
    for row in reader:
        line, end = start_line + end, reader.line_num
        if not any(value.strip() for value in row):  # a blank line, or only blanks and delimiters
            blank += 1
            continue
        if header is None:
            header = row
            cells = [[] for _ in header]
            continue
        width = len(header)
        if len(row) < width:
            short += 1
            first_short = first_short or line
            row = row + [""] * (width - len(row))
        elif len(row) > width:
            if any(value.strip() for value in row[width:]):
                name = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}[delimiter]
                raise _file_error(
                    f"line {line}: expected {width} field{'s' if width > 1 else ''} like the header, "
                    f"found {len(row)} (is there an unquoted {name} in a value?)",
                    line,
                )
            trailing += 1
            row = row[:width]
        for column, value in zip(cells, row, strict=True):
            column.append(value)
    if odd_quotes and _open_quote_at_end(body, delimiter, line - start_line):
        raise _file_error(
            f"line {line}: a quoted field opened on this line is never closed (the file ends inside it)",
            line,
        )
    if header is None:
        raise _file_error("the file is empty")
    if short:
        findings.notes.append(
            f"{_count(short, 'row')} with fewer fields than the header (the first on line "
            f"{first_short}): their last fields are read as missing"
        )
    if trailing:
        findings.notes.append(
            f"{_count(trailing, 'row')} with extra empty fields at the end (trailing delimiters): ignored"
        )
    return header, [pa.array(column, pa.string()) for column in cells], blank


def _open_quote_at_end(body: bytes, delimiter: str, skip: int) -> bool:
    """Whether the record starting after ``skip`` lines runs into the end of the file inside quotes
    (the strict csv reader then asks for a line past the last one)."""
    lines = _Lines(body, skip)
    try:
        for _ in csv.reader(lines, delimiter=delimiter, quotechar='"', strict=True):
            pass
    except csv.Error:
        return lines.exhausted
    return False


def _count_blank_lines(body: bytes, delimiter: str) -> int:
    """Blank lines after the header's start, which pyarrow skipped; the csv module counts them when
    quoted values could hold blank lines themselves."""
    if not any(pair in body for pair in (b"\n\n", b"\n\r\n", b"\r\r")):
        return 0  # a quick look first: bytes.find is far faster than a regular expression
    found = len(_BLANK_LINE.findall(body))
    if found == 0 or b'"' not in body:
        return found
    return sum(1 for row in csv.reader(_Lines(body), delimiter=delimiter) if not row)


def _drop_blank_rows(columns: list[Column], findings: Findings) -> list[Column]:
    """Columns stripped of surrounding blanks, without the rows that have no value at all."""
    stripped = columns  # replaced one by one, so that each original is released once stripped
    for i, column in enumerate(columns):
        stripped[i] = pc.utf8_trim_whitespace(column)
    if not stripped or len(stripped[0]) == 0:
        return stripped
    blank = pc.equal(stripped[0], "")
    for column in stripped[1:]:
        blank = pc.and_(blank, pc.equal(column, ""))
    count = int(pc.sum(blank).as_py() or 0)
    if count:
        findings.skipped += count
        keep = pc.invert(blank)
        stripped = [pc.filter(column, keep) for column in stripped]
    return stripped


# --- Excel ----------------------------------------------------------------------------------------------


def _read_xlsx(path: Path, findings: Findings) -> tuple[list[str], list[Column | pd.Series]]:
    import openpyxl

    try:
        with open(path, "rb") as handle:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
            try:
                if not book.worksheets:
                    raise _file_error("the workbook has no sheet")
                sheet = book.worksheets[0]
                sheet.reset_dimensions()
                title = sheet.title
                if len(book.worksheets) > 1:
                    findings.notes.append(
                        f"the workbook has {len(book.worksheets)} sheets: the first, {title!r}, was read"
                    )
                rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
            finally:
                book.close()
    except InvalidArgument:
        raise
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged or foreign file
        raise _file_error(f"the file is not a readable Excel .xlsx workbook: {exc}") from None
    filled = [(number, row) for number, row in enumerate(rows, start=1) if any(map(_is_value, row))]
    if not filled:
        raise _file_error(f"the file is empty: sheet {title!r} has no values")
    findings.skipped += (filled[-1][0] - filled[0][0] + 1) - len(filled)
    titles = 0
    while titles < 3 and len(filled) > 1 and _is_title(filled[0][1], filled[1][1]):
        number, row = filled.pop(0)
        value = next(v for v in row if _is_value(v))
        findings.notes.append(f"row {number}: the title {str(value)!r} above the header was skipped")
        findings.skipped += 1
        titles += 1
    header, data = filled[0][1], [row for _, row in filled[1:]]
    width = max(_width(row) for _, row in filled)
    names = [_header_text(header[i]) if i < len(header) else "" for i in range(width)]
    columns: list[Column | pd.Series] = []
    for i in range(width):
        cells = [row[i] if i < len(row) else None for row in data]
        columns.append(_xlsx_column(cells))
    return names, columns


def _is_value(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _width(row: tuple[Any, ...]) -> int:
    return max((i + 1 for i, value in enumerate(row) if _is_value(value)), default=0)


def _is_title(row: tuple[Any, ...], following: tuple[Any, ...]) -> bool:
    """A title above the header: one text cell, followed by a row of two or more text cells."""
    values = [v for v in row if _is_value(v)]
    headers = [v for v in following if _is_value(v)]
    return (
        len(values) == 1
        and isinstance(values[0], str)
        and len(headers) >= 2
        and all(isinstance(v, str) for v in headers)
    )


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    text = readers.cell_text(value)
    return text if isinstance(text, str) else str(value)


def _xlsx_column(cells: list[Any]) -> Column | pd.Series:
    """A column of cells: typed as Excel typed it when all its values share one type (numbers,
    booleans, dates), else as text through the same rules as CSV."""
    values = [v for v in cells if _is_value(v)]
    missing = len(values) < len(cells)
    if values and all(isinstance(v, bool) for v in values):
        flags = [v if _is_value(v) else None for v in cells]
        return pd.Series(pd.array(flags, dtype="boolean")) if missing else pd.Series(flags, dtype=bool)
    if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        if not missing and all(isinstance(v, int) for v in values):
            return pd.Series(values, dtype=np.int64)
        return pd.Series([float(v) if _is_value(v) else np.nan for v in cells], dtype=np.float64)
    if values and all(isinstance(v, dt.datetime | dt.date) for v in values):
        stamps = pd.to_datetime(
            pd.Series([v if _is_value(v) else None for v in cells], dtype=object), utc=True
        )
        return stamps.astype("datetime64[ns, UTC]")
    return pc.utf8_trim_whitespace(
        pa.array([None if v is None else _cell_string(v) for v in cells], pa.string())
    )


def _cell_string(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    text = readers.cell_text(value)
    return text if isinstance(text, str) else str(text)


# --- Parquet --------------------------------------------------------------------------------------------


def _read_parquet_dataset(path: Path) -> tuple[pd.DataFrame, ParseReport]:
    try:
        table = pq.read_table(path)
        frame = table.to_pandas()
    except (pa.ArrowException, OSError, ValueError, TypeError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise _file_error(f"the file is not a readable Parquet file: {exc}") from None
    notes: list[str] = []
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
        notes.append("the stored index was turned into columns")
    if len(frame.columns) == 0:
        raise _file_error("the file is empty: it has no columns")
    if len(frame) == 0:
        raise _file_error("the file has columns but no rows")
    names, renames = _clean_names([str(name) for name in frame.columns])
    frame.columns = pd.Index(names)
    frame.index = pd.RangeIndex(len(frame))
    report = ParseReport(
        format="parquet", rows=len(frame), columns=len(frame.columns), renamed_headers=renames, notes=notes
    )
    return frame, report


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write a dataset's normalized copy: every dtype kept; object columns stored as strings (each
    value's ``str``, missing values null), column names as strings, the index not stored."""
    copy = frame.copy(deep=False)
    copy.columns = pd.Index([str(name) for name in copy.columns])
    for name in copy.columns:
        column = copy[name]
        if column.dtype == object:
            copy[name] = pd.Series(
                [None if _missing(v) else (v if isinstance(v, str) else str(v)) for v in column.tolist()],
                index=column.index,
                dtype=object,
            )
    table = pa.Table.from_pandas(copy, preserve_index=False)
    pq.write_table(table, path)


def read_parquet(path: Path) -> pd.DataFrame:
    """Read a normalized copy written by :func:`write_parquet` (missing text values are NaN)."""
    frame = pq.read_table(path).to_pandas()
    for name in frame.columns:
        if frame[name].dtype == object:
            column = frame[name]
            frame[name] = column.where(column.notna(), np.nan)
    return frame


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and value != value

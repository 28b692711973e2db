"""Batch inputs: CSV, Excel (.xlsx) and Parquet files read in chunks with bounded memory.

:func:`iter_batches` is the one entry point of the batch engines. Whatever the format, it yields
pandas DataFrames of at most ``chunk_rows`` rows (exactly ``chunk_rows`` except the last), with the
same columns in every chunk, and an index that is the 0-based position of the row among the file's
data rows (so chunk 2 of 50,000-row chunks has the index 50000..99999).

CSV files as people really make them are read with pyarrow's streaming reader after
:func:`sniff_csv` has guessed the encoding (UTF-8 with or without BOM, else Windows-1252/Latin-1),
the delimiter (``,`` ``;`` tab ``|``) and the decimal mark (``,`` in a ``;``, tab or ``|`` file
whose numbers read ``1,5``). Quoted fields may hold delimiters and newlines. Column types follow
pandas.read_csv: the same missing-value markers, no date parsing (dates stay strings), duplicate
and empty header names renamed as pandas does (``x.1``, ``Unnamed: 3``). When a column's type
changes in the middle of a big file (integers, then ``3.5``, then text), the column is widened and
reading resumes: chunks read before keep the narrower type, as with pandas' ``chunksize``. The
columns of a model's schema are read with the schema's type from the start (``types``): a number
column as floats, a string column as text (``01234`` stays ``"01234"``). These decisions look at the
data and its types only, never at a library's error messages (they change with versions and
thread counts).

Everything a user can get wrong in a file is an :class:`~modelport.errors.InvalidArgument` with
``field="file"``; for CSV and Excel the message starts with the 1-based line (row) number of the
problem, which is also in ``details["line"]``.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from modelport.columns import ColumnType
from modelport.errors import InvalidArgument

FileFormat = Literal["csv", "xlsx", "parquet"]

#: File extensions (lower case) and the format they are read as.
FORMAT_BY_EXTENSION: dict[str, FileFormat] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
}

SNIFF_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")
#: The strings read as missing values, as pandas.read_csv does by default.
NA_VALUES = [
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
]
#: pyarrow reads about 40 blocks ahead of the consumer: 1 MiB blocks bound that to ~40-80 MiB, and
#: larger ones are no faster. A record longer than a block makes the block grow (x4 each time).
_BLOCK = 1 << 20
_GIVE_UP_BLOCK = 1 << 30
# The csv module (used to find the line of a problem) refuses fields over 128 KiB by default, which
# pyarrow reads: raise its limit (process-wide, never lowered) to the largest block read.
csv.field_size_limit(max(csv.field_size_limit(), _GIVE_UP_BLOCK))
_COMMA_DECIMAL = re.compile(r"^[+-]?\d+,\d+$")
_DOT_DECIMAL = re.compile(r"^[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?$")
_PANDAS_INDEX = re.compile(r"^__index_level_\d+__$")

#: What the readers return: a generator of chunks (closing it releases the file).
Chunks = Generator[pd.DataFrame, None, None]


def _file_error(message: str, line: int | None = None, **details: Any) -> InvalidArgument:
    if line is not None:
        details = {"line": line, **details}
    return InvalidArgument(message, field="file", details=details or None)


# --- format -----------------------------------------------------------------------------------------


def detect_format(filename: str, path: Path | None = None) -> FileFormat:
    """The format of a file from its name's extension (case-insensitive), else from its content.

    ``.csv``/``.txt``/``.tsv`` are CSV, ``.xlsx`` is Excel, ``.parquet``/``.pq`` is Parquet. A name
    without one of these extensions is recognised by the content of ``path`` when given: a zip
    archive holding ``xl/workbook.xml`` is Excel, a file starting with ``PAR1`` is Parquet, and a file
    without any extension whose start is text is CSV. Anything else (and ``.xls``, ``.xlsm``,
    ``.xlsb``, ``.ods`` always) is an :class:`InvalidArgument` (``field="file"``) that lists the
    accepted extensions.
    """
    suffix = PurePath(filename).suffix.lower()
    fmt = FORMAT_BY_EXTENSION.get(suffix)
    if fmt is not None:
        return fmt
    legacy = suffix in (".xls", ".xlsm", ".xlsb", ".ods")
    if path is not None and not legacy:
        fmt = sniff_format(path, text_is_csv=suffix == "")
        if fmt is not None:
            return fmt
    accepted = ", ".join(FORMAT_BY_EXTENSION)
    if legacy:
        hint = f"{suffix} workbooks are not read: save the sheet as .xlsx or as CSV"
    else:
        hint = f"unsupported file type {suffix or '(no extension)'!r}"
    raise InvalidArgument(
        f"{hint}; accepted file types: {accepted}",
        field="file",
        details={"accepted": list(FORMAT_BY_EXTENSION)},
    )


def sniff_format(path: Path, *, text_is_csv: bool = True) -> FileFormat | None:
    """The format of a file from its first bytes: an Excel workbook (a zip archive holding
    ``xl/workbook.xml``), Parquet (``PAR1``), or (with ``text_is_csv``) CSV for a start without NUL
    bytes; None when none fits."""
    import zipfile

    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                return "xlsx" if "xl/workbook.xml" in archive.namelist() else None
        except (zipfile.BadZipFile, OSError):
            return None
    if head.startswith(b"PAR1"):
        return "parquet"
    if text_is_csv and head and b"\x00" not in head:
        return "csv"
    return None


# --- CSV dialect --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is written.

    ``encoding`` is a Python codec name: ``utf-8``, ``utf-8-sig`` (UTF-8 with a byte-order mark,
    then ``has_bom`` is true), ``cp1252`` (Windows' Latin-1) or ``latin-1``. ``delimiter`` is one of
    ``,`` ``;`` tab ``|``; ``decimal`` is ``.`` or ``,``. Quotes are always ``"``, doubled inside a
    quoted field.
    """

    encoding: str
    delimiter: str
    decimal: str
    has_bom: bool


def sniff_csv(path: Path) -> CsvDialect:
    """Guess a CSV file's dialect from its first 64 KiB.

    Encoding: a UTF-8 byte-order mark means ``utf-8-sig``; else the prefix is tried as strict UTF-8,
    then Windows-1252, then Latin-1 (which never fails). A UTF-8 file whose first invalid byte lies
    after the prefix is therefore sniffed as UTF-8, and reading it reports that byte's line.
    Delimiter: the candidate (``,`` ``;`` tab ``|``) that splits the header into the most consistent
    number of fields over the prefix's records, quotes respected; a ``.tsv`` file prefers tab.
    Decimal: ``,`` when the delimiter is not a comma and numbers such as ``1,5`` outnumber ``1.5``.
    A UTF-16 file or a binary file (an Excel workbook or Parquet file renamed ``.csv``) is an
    :class:`InvalidArgument`.
    """
    path = Path(path)
    with open(path, "rb") as fh:
        raw = fh.read(SNIFF_BYTES + 1)
    truncated = len(raw) > SNIFF_BYTES
    raw = raw[:SNIFF_BYTES]
    reject_non_text(raw)
    has_bom = raw.startswith(codecs.BOM_UTF8)
    text, encoding = _decode_prefix(raw[3:] if has_bom else raw, truncated)
    if has_bom:
        encoding = "utf-8-sig"
    if truncated and "\n" in text:
        text = text[: text.rindex("\n") + 1]
    delimiter = sniff_delimiter(text, truncated, prefer_tab=path.suffix.lower() == ".tsv")
    decimal = sniff_decimal(text, delimiter, truncated)
    return CsvDialect(encoding=encoding, delimiter=delimiter, decimal=decimal, has_bom=has_bom)


def reject_non_text(raw: bytes) -> None:
    """Refuse (InvalidArgument, field "file") a file whose first bytes are UTF-16 or binary."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _file_error("the file is UTF-16 text: save it as 'CSV UTF-8' (or Latin-1) and upload it again")
    if b"\x00" not in raw:
        return
    if raw.startswith(b"PK\x03\x04"):
        raise _file_error("the file is a zip archive (an Excel workbook?), not CSV text: name it .xlsx")
    if raw.startswith(b"PAR1"):
        raise _file_error("the file is a Parquet file, not CSV text: name it .parquet")
    raise _file_error("the file holds binary data (NUL bytes), not CSV text")


def _decode_prefix(raw: bytes, truncated: bool) -> tuple[str, str]:
    try:
        # A truncated prefix may end in the middle of a multi-byte character: an incremental decoder
        # keeps such an incomplete sequence pending instead of refusing it (invalid bytes still fail).
        text = codecs.getincrementaldecoder("utf-8")().decode(raw, final=not truncated)
        return text, "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def _records(text: str, delimiter: str, truncated: bool, limit: int = 2000) -> list[list[str]]:
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"'):
            if row:
                rows.append(row)
            if len(rows) > limit:
                break
    except csv.Error:
        pass
    if truncated and len(rows) > 1:
        rows.pop()  # possibly cut in the middle
    return rows


def sniff_delimiter(text: str, truncated: bool, *, prefer_tab: bool) -> str:
    """The delimiter giving the most consistent field count over ``text``'s records (``truncated``:
    the text is a prefix whose last record may be cut)."""
    order = ("\t", ",", ";", "|") if prefer_tab else DELIMITERS
    best: tuple[float, int, int] | None = None
    chosen = order[0]
    for priority, delimiter in enumerate(order):
        rows = _records(text, delimiter, truncated)
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        consistency = sum(1 for row in rows if len(row) == width) / len(rows)
        score = (round(consistency, 2), width, -priority)
        if best is None or score > best:
            best, chosen = score, delimiter
    if best is None:  # one column: a delimiter that splits no record, as values may read "1,5" or "a;b"
        for delimiter in order:
            if all(len(row) == 1 for row in _records(text, delimiter, truncated)):
                return delimiter
    return chosen


def sniff_decimal(text: str, delimiter: str, truncated: bool) -> str:
    """``,`` when the delimiter is not a comma and numbers such as ``1,5`` outnumber ``1.5``, else ``.``."""
    if delimiter == ",":
        return "."
    commas = dots = 0
    for row in _records(text, delimiter, truncated)[1:]:
        for value in row:
            value = value.strip()
            if _COMMA_DECIMAL.match(value):
                commas += 1
            elif _DOT_DECIMAL.match(value):
                dots += 1
    return "," if commas > dots else "."


# --- CSV header and problems -------------------------------------------------------------------------


def _pandas_names(raw: list[str]) -> list[str]:
    """Header names made unique the way pandas.read_csv does: ``Unnamed: i``, then ``x.1``, ``x.2``."""
    names = [name if name != "" else f"Unnamed: {i}" for i, name in enumerate(raw)]
    counts: dict[str, int] = {}
    for i, name in enumerate(names):
        count = counts.get(name, 0)
        while count > 0:
            counts[name] = count + 1
            name = f"{name}.{count}"
            count = counts.get(name, 0)
        names[i] = name
        counts[name] = count + 1
    return names


def _read_header(path: Path, dialect: CsvDialect) -> tuple[list[str], int]:
    """The header's raw names and the number of physical lines up to its end (blank lines included)."""
    lines = _Lines(path, dialect)
    reader = csv.reader(lines, delimiter=dialect.delimiter, quotechar='"')
    try:
        for row in reader:
            if lines.bad is not None:
                break
            if row:
                return row, reader.line_num
    except csv.Error as exc:
        raise _file_error(
            f"line {reader.line_num}: the header cannot be read: {exc}", reader.line_num
        ) from None
    finally:
        lines.close()
    if lines.bad is not None:
        raise lines.bad
    raise _file_error("the file has no rows: it is empty")


def _has_rows(path: Path, dialect: CsvDialect) -> bool:
    """Whether a non-empty record follows the header."""
    lines = _Lines(path, dialect)
    try:
        records = (row for row in csv.reader(lines, delimiter=dialect.delimiter, quotechar='"') if row)
        return next(records, None) is not None and next(records, None) is not None
    except csv.Error:
        return True
    finally:
        lines.close()


class _Lines:
    """The decoded physical lines of a file, counted; stops at the first undecodable one (``bad``)."""

    def __init__(self, path: Path, dialect: CsvDialect, start: int = 1) -> None:
        self._fh = open(path, "rb")  # closed by close()
        if dialect.has_bom:
            self._fh.read(len(codecs.BOM_UTF8))
        self._encoding = "utf-8" if dialect.encoding == "utf-8-sig" else dialect.encoding
        self._label = {"utf-8": "UTF-8", "cp1252": "Windows-1252", "latin-1": "Latin-1"}.get(
            self._encoding, self._encoding
        )
        self._start = start
        self.line = 0
        self.bad: InvalidArgument | None = None
        self.exhausted = False
        """True once a reader asked for a line after the last one."""

    def __iter__(self) -> Iterator[str]:
        yield from self._decoded()
        if self.bad is None:
            self.exhausted = True

    def _decoded(self) -> Iterator[str]:
        for raw in self._fh:
            self.line += 1
            if self.line < self._start:
                continue
            try:
                yield raw.decode(self._encoding)
            except UnicodeDecodeError as exc:
                byte = raw[exc.start : exc.start + 1].hex().upper()
                column = len(raw[: exc.start].decode(self._encoding, errors="replace")) + 1
                self.bad = _file_error(
                    f"line {self.line}: byte 0x{byte} at character {column} is not valid {self._label} "
                    f"(the start of the file was read as {self._label}): save the whole file in one "
                    "encoding, preferably 'CSV UTF-8'",
                    self.line,
                    encoding=self._encoding,
                )
                return

    def close(self) -> None:
        self._fh.close()


def _csv_problem(path: Path, dialect: CsvDialect, reason: str) -> InvalidArgument:
    """Find the first line pyarrow could not read, re-reading the file with the csv module.

    Checks, in the order of the lines: bytes the encoding cannot decode, records whose number of
    fields differs from the header's, and a quoted field still open at the end of the file.
    ``reason`` (pyarrow's message) is used when no line can be blamed.
    """
    lines = _Lines(path, dialect)
    reader = csv.reader(lines, delimiter=dialect.delimiter, quotechar='"', strict=False)
    width: int | None = None
    previous_end = 0
    last_start = 0
    try:
        for row in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if lines.bad is not None:
                return lines.bad
            if not row:
                continue
            if width is None:
                width = len(row)
                continue
            last_start = start
            if len(row) != width:
                end = reader.line_num
                last = all(not more for more in reader) and lines.bad is None
                if last and _open_quote_at_end(path, dialect, start):
                    break
                message = f"line {start}: expected {width} fields like the header, found {len(row)}"
                if end > start:
                    message += (
                        f"; this record runs on to line {end}: a quote opened on line {start} "
                        "is probably never closed"
                    )
                elif len(row) > width:
                    message += f" (is there an unquoted {_delimiter_name(dialect.delimiter)} in a value?)"
                return _file_error(message, start, expected=width, found=len(row))
    except csv.Error as exc:
        line = previous_end + 1
        return _file_error(f"line {line}: {exc}", line)
    finally:
        lines.close()
    if lines.bad is not None:
        return lines.bad
    if last_start and _open_quote_at_end(path, dialect, last_start):
        return _file_error(
            f"line {last_start}: a quoted field opened on this line is never closed "
            "(the file ends inside it)",
            last_start,
        )
    return _file_error(f"the file cannot be read as CSV: {reason}")


def _open_quote_at_end(path: Path, dialect: CsvDialect, start: int) -> bool:
    """Whether a quoted field opened at or after line ``start`` is still open at the end of the file.

    The strict csv reader stops at the first malformed record; when it stopped because it asked for
    a line after the last one, a quoted field was still open (any other problem stops it earlier).
    """
    lines = _Lines(path, dialect, start=start)
    try:
        for _ in csv.reader(lines, delimiter=dialect.delimiter, quotechar='"', strict=True):
            pass
    except csv.Error:
        return lines.exhausted
    finally:
        lines.close()
    return False


def _delimiter_name(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(delimiter, repr(delimiter))


# --- CSV reading ------------------------------------------------------------------------------------------


class _CountingFile(io.RawIOBase):
    """A file that counts the double quotes it hands out (an odd count: a quote may be left open)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._fh = open(path, "rb")  # closed by close()
        self.quotes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._fh.readinto(buffer)
        self.quotes += bytes(memoryview(buffer)[:n]).count(b'"')
        return n

    def read(self, size: int | None = -1) -> bytes:
        data = self._fh.read(-1 if size is None else size)
        self.quotes += data.count(b'"')
        return data

    def close(self) -> None:
        self._fh.close()
        super().close()


def _widen(kind: pa.DataType) -> pa.DataType | None:
    """The next type to try for a column whose values stopped fitting ``kind``; None: nothing wider."""
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return None
    if pa.types.is_null(kind) or pa.types.is_integer(kind):
        return pa.float64()
    return pa.string()


class _Rechunker:
    """Cuts a stream of record batches into tables of exactly ``rows`` rows (the last one shorter)."""

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self._batches: list[pa.RecordBatch] = []
        self._count = 0

    def push(self, batch: pa.RecordBatch) -> Iterator[pa.Table]:
        if batch.num_rows == 0:
            return
        self._batches.append(batch)
        self._count += batch.num_rows
        while self._count >= self.rows:
            table = pa.Table.from_batches(self._batches)
            rest = table.slice(self.rows)
            self._batches, self._count = rest.to_batches(), rest.num_rows
            yield table.slice(0, self.rows)

    def flush(self) -> pa.Table | None:
        if self._count == 0:
            return None
        table = pa.Table.from_batches(self._batches)
        self._batches, self._count = [], 0
        return table


def _to_frame(table: pa.Table, first_row: int) -> pd.DataFrame:
    """A pandas chunk: all-null columns become float NaN (as pandas reads them), index = row positions."""
    for i, column in enumerate(table.schema):
        if pa.types.is_null(column.type):
            table = table.set_column(i, column.name, table.column(i).cast(pa.float64()))
    frame = table.replace_schema_metadata(None).to_pandas()
    frame.index = pd.RangeIndex(first_row, first_row + len(frame))
    return frame


def _check_columns(names: list[str], columns: list[str] | None) -> list[str] | None:
    if columns is None:
        return None
    missing = [c for c in columns if c not in names]
    if missing:
        shown = ", ".join(names[:30]) + (", ..." if len(names) > 30 else "")
        raise _file_error(
            f"the file has no column {', '.join(repr(c) for c in missing)}; its columns are: {shown}",
            missing=missing,
        )
    if len(set(columns)) != len(columns):
        raise ValueError(f"columns named twice in {columns!r}")
    return list(columns)


def _open_arrow_csv(
    source: _CountingFile,
    dialect: CsvDialect,
    names: list[str],
    header_lines: int,
    block_size: int,
    types: dict[str, pa.DataType] | None,
    include: list[str] | None,
) -> pacsv.CSVStreamingReader:
    return pacsv.open_csv(
        source,
        read_options=pacsv.ReadOptions(
            encoding="utf8" if dialect.encoding.startswith("utf-8") else dialect.encoding,
            block_size=block_size,
            column_names=names,
            skip_rows=header_lines,
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=dialect.delimiter,
            quote_char='"',
            double_quote=True,
            escape_char=False,
            newlines_in_values=True,
            ignore_empty_lines=True,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=types or {},
            include_columns=include or [],
            null_values=NA_VALUES,
            strings_can_be_null=True,
            decimal_point=dialect.decimal,
            check_utf8=True,
        ),
    )


def _arrow_hints(types: Mapping[str, ColumnType] | None, names: list[str]) -> dict[str, pa.DataType]:
    """The Arrow types the schema asks for, by column: text for string, boolean and datetime columns
    (read as written: ``01234`` stays ``"01234"``, booleans are parsed in all their spellings by the
    validation), float64 for number, int64 for integer columns."""
    hints: dict[str, pa.DataType] = {}
    for name, kind in (types or {}).items():
        if name in names:
            hints[name] = _HINTED[kind]
    return hints


_HINTED: dict[str, pa.DataType] = {
    "string": pa.string(),
    "boolean": pa.string(),
    "datetime": pa.string(),
    "number": pa.float64(),
    "integer": pa.int64(),
}


def _settle(inferred: pa.DataType, hint: pa.DataType | None) -> pa.DataType:
    """A column's type from the first block's inference and the schema's hint, chosen so that the
    first block's values fit it: dates stay text (as pandas reads them); a numeric hint wins over an
    inferred null, integer or (for number columns) float type, and gives way to text the first block
    already holds (the validation then names the rows)."""
    if pa.types.is_temporal(inferred):
        inferred = pa.string()
    if hint is None or pa.types.is_string(hint):
        return hint or inferred
    if pa.types.is_floating(hint):
        numeric = (
            pa.types.is_null(inferred) or pa.types.is_integer(inferred) or pa.types.is_floating(inferred)
        )
        return hint if numeric else pa.string()
    if pa.types.is_null(inferred) or pa.types.is_integer(inferred):
        return hint
    return pa.float64() if pa.types.is_floating(inferred) else pa.string()


def _from_text(table: pa.Table, types: dict[str, pa.DataType], decimal: str) -> pa.Table:
    """A table read as text, converted column by column to ``types``, widening (and remembering in
    ``types``) a column whose values do not all convert: integer -> float -> text."""
    for i, name in enumerate(table.schema.names):
        column = table.column(i)
        target: pa.DataType | None = types.get(name, pa.string())
        while target is not None and not pa.types.is_string(target):
            values = column
            if decimal == "," and pa.types.is_floating(target):
                values = pc.replace_substring(column, ",", ".")
            try:
                table = table.set_column(i, name, values.cast(target))
                break
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                target = _widen(target)
                types[name] = target or pa.string()
    return table


class _Structure:
    """What to do when pyarrow cannot parse the file: blame a line, or read with bigger blocks.

    pyarrow refuses a record larger than its read block, as it refuses a malformed one. The file is
    checked once with the csv module: a line it blames is the error; when it blames none, the records
    are well formed and the block grows (x4), up to the file's size.
    """

    def __init__(self, path: Path, dialect: CsvDialect) -> None:
        self.path, self.dialect = path, dialect
        self._size = path.stat().st_size
        self._checked = False

    def grow(self, block_size: int, reason: str) -> int:
        """The next block size to try; raises the file's problem when growing cannot help."""
        if not self._checked:
            problem = _csv_problem(self.path, self.dialect, reason)
            if problem.details and "line" in problem.details:
                raise problem
            self._checked = True
        if block_size >= min(self._size, _GIVE_UP_BLOCK):
            raise _csv_problem(self.path, self.dialect, reason)
        return block_size * 4


def _iter_csv(
    path: Path, chunk_rows: int, columns: list[str] | None, types: Mapping[str, ColumnType] | None
) -> Chunks:
    """pyarrow's streaming reader with each column's type fixed after the first block.

    A later block whose values do not fit a fixed type makes pyarrow stop; the file is then opened
    again (skipping the rows already yielded) with every column read as text, and each chunk is
    converted here, column by column, widening what does not fit. Decisions are taken on the data and
    its types, never on pyarrow's messages, whose wording changes with versions and thread counts.
    """
    dialect = sniff_csv(path)
    raw_names, header_lines = _read_header(path, dialect)
    names = _pandas_names(raw_names)
    include = _check_columns(names, columns)
    hints = _arrow_hints(types, include or names)
    text_hints = {name: kind for name, kind in hints.items() if pa.types.is_string(kind)}
    structure = _Structure(path, dialect)
    block_size = _BLOCK
    fixed: dict[str, pa.DataType] | None = None  # from the first block; widened in text mode
    as_text = False  # pyarrow refused a block with the fixed types: read text, convert here
    emitted = 0
    while True:
        source = _CountingFile(path)
        reader: pacsv.CSVStreamingReader | None = None
        try:
            if fixed is None:
                given: dict[str, pa.DataType] = text_hints
            elif as_text:
                given = {name: pa.string() for name in fixed}
            else:
                given = fixed
            try:
                reader = _open_arrow_csv(source, dialect, names, header_lines, block_size, given, include)
            except pa.ArrowNotImplementedError:
                if fixed is not None:
                    raise
                source.close()
                yield from _iter_csv_pandas(path, dialect, chunk_rows, include, types)
                return
            except pa.ArrowInvalid as exc:
                if fixed is not None and not as_text:
                    as_text = True
                    continue
                if not _has_rows(path, dialect):
                    raise _file_error("the file has no rows: it holds only a header") from None
                block_size = structure.grow(block_size, str(exc))
                continue
            if fixed is None:
                # The first block decides the types; a column read as bytes holds bytes the encoding
                # cannot decode. Then read again with these types given: the same values, but
                # pyarrow's typed converters parse 40% faster than its inferring ones (1,000,000 rows
                # x 20 numbers: 0.9 s of CPU instead of 1.45 s).
                schema = reader.schema
                if any(pa.types.is_binary(f.type) or pa.types.is_large_binary(f.type) for f in schema):
                    raise _csv_problem(path, dialect, "invalid UTF-8 data")
                fixed = {f.name: _settle(f.type, hints.get(f.name)) for f in schema}
                continue
            chunks = _Rechunker(chunk_rows)
            skip = emitted
            try:
                for batch in reader:
                    if skip:
                        if batch.num_rows <= skip:
                            skip -= batch.num_rows
                            continue
                        batch, skip = batch.slice(skip), 0
                    for table in chunks.push(batch):
                        if as_text:
                            table = _from_text(table, fixed, dialect.decimal)
                        yield _to_frame(table, emitted)
                        emitted += table.num_rows
            except pa.ArrowInvalid as exc:
                if not as_text:
                    as_text = True  # a value that does not fit its column's type, or a bad record
                    continue
                block_size = structure.grow(block_size, str(exc))
                continue
            if source.quotes % 2:
                # pyarrow silently ends a quoted field at the end of the file: look for that.
                problem = _csv_problem(path, dialect, "odd number of quotes")
                if problem.details and "line" in problem.details:
                    raise problem
            rest = chunks.flush()
            if rest is not None:
                if as_text:
                    rest = _from_text(rest, fixed, dialect.decimal)
                yield _to_frame(rest, emitted)
                emitted += rest.num_rows
            if emitted == 0:
                raise _file_error("the file has no rows: it holds only a header")
            return
        finally:
            if reader is not None:
                reader.close()
            source.close()


def _iter_csv_pandas(
    path: Path,
    dialect: CsvDialect,
    chunk_rows: int,
    include: list[str] | None,
    types: Mapping[str, ColumnType] | None = None,
) -> Chunks:
    """The fallback reader (pandas' C parser) for what pyarrow cannot read; same contract."""
    emitted = 0
    text = {name: str for name, kind in (types or {}).items() if kind in ("string", "boolean", "datetime")}
    try:
        with pd.read_csv(
            path,
            sep=dialect.delimiter,
            decimal=dialect.decimal,
            encoding=dialect.encoding,
            quotechar='"',
            engine="c",
            chunksize=chunk_rows,
            usecols=include,
            skip_blank_lines=True,
            dtype=text or None,
        ) as reader:
            for frame in reader:
                if include is not None:
                    frame = frame[include]
                frame.index = pd.RangeIndex(emitted, emitted + len(frame))
                emitted += len(frame)
                yield frame
    except pd.errors.EmptyDataError:
        raise _file_error("the file has no rows: it is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise _csv_problem(path, dialect, str(exc)) from None
    if emitted == 0:
        raise _file_error("the file has no rows: it holds only a header")


# --- Parquet --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _parquet_file(path: Path) -> Iterator[pq.ParquetFile]:
    try:
        handle = pq.ParquetFile(path)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise _file_error(f"the file is not a readable Parquet file: {exc}") from None
    try:
        yield handle
    finally:
        handle.close()


def _iter_parquet(path: Path, chunk_rows: int, columns: list[str] | None) -> Chunks:
    with _parquet_file(path) as handle:
        names = [n for n in handle.schema_arrow.names if not _PANDAS_INDEX.match(n)]
        include = _check_columns(names, columns) or names
        if handle.metadata.num_rows == 0:
            raise _file_error("the file has no rows")
        chunks = _Rechunker(chunk_rows)
        emitted = 0
        try:
            for batch in handle.iter_batches(
                batch_size=chunk_rows, columns=include, use_pandas_metadata=False
            ):
                for table in chunks.push(batch):
                    yield _to_frame(table, emitted)
                    emitted += table.num_rows
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as exc:
            raise _file_error(f"the Parquet file is damaged after row {emitted}: {exc}") from None
        rest = chunks.flush()
        if rest is not None:
            yield _to_frame(rest, emitted)


# --- Excel ----------------------------------------------------------------------------------------------


def _iter_xlsx(
    path: Path, chunk_rows: int, columns: list[str] | None, types: Mapping[str, ColumnType] | None
) -> Chunks:
    import zipfile

    import openpyxl
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import InvalidFileException

    # Opened through a file object: openpyxl refuses a path whose name does not end in .xlsx (an
    # uploaded or cached file may have another name), but reads any file object.
    handle = open(path, "rb")  # noqa: SIM115 - closed in the finally below, after the workbook
    try:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        handle.close()
        raise _file_error(f"the file is not a readable Excel .xlsx workbook: {exc}") from None
    except BaseException:
        handle.close()
        raise
    text = [name for name, kind in (types or {}).items() if kind == "string"]
    try:
        if not book.worksheets:
            raise _file_error("the workbook has no sheet")
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # some writers store wrong dimensions; read what is there
        where = f"sheet {sheet.title!r}"
        rows: Iterator[tuple[int, tuple[Any, ...]]] = enumerate(sheet.iter_rows(values_only=True), start=1)
        names: list[str] | None = None
        width = 0
        for _, values in rows:
            if any(v is not None for v in values):
                width = max(i for i, v in enumerate(values) if v is not None) + 1
                names = _pandas_names(["" if v is None else str(v) for v in values[:width]])
                break
        if names is None:
            raise _file_error(f"the file has no rows: {where} is empty")
        include = _check_columns(names, columns)
        positions = [names.index(c) for c in include] if include is not None else None
        emitted = 0
        buffer: list[tuple[Any, ...]] = []
        for number, values in rows:
            if len(values) > width and any(v is not None for v in values[width:]):
                column = next(i for i in range(width, len(values)) if values[i] is not None)
                raise _file_error(
                    f"line {number}: {where}, row {number} has a value in column "
                    f"{get_column_letter(column + 1)}, right of the header's last column "
                    f"{get_column_letter(width)}",
                    number,
                )
            if not any(v is not None for v in values):
                continue
            buffer.append(tuple(values[:width]) + (None,) * (width - len(values)))
            if len(buffer) == chunk_rows:
                yield _xlsx_frame(buffer, names, positions, emitted, text)
                emitted += len(buffer)
                buffer = []
        if buffer:
            yield _xlsx_frame(buffer, names, positions, emitted, text)
            emitted += len(buffer)
        if emitted == 0:
            raise _file_error(f"the file has no rows: {where} holds only a header")
    finally:
        book.close()
        handle.close()


def _xlsx_frame(
    rows: list[tuple[Any, ...]],
    names: list[str],
    positions: list[int] | None,
    first_row: int,
    text: list[str],
) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=names)
    if positions is not None:
        frame = frame.iloc[:, positions]
    frame = frame.infer_objects()
    for name in text:  # a number typed in a text column of the schema: its text, 1234 not 1234.0
        if name in frame.columns:
            frame[name] = [cell_text(v) for v in frame[name].tolist()]
    frame.index = pd.RangeIndex(first_row, first_row + len(frame))
    return frame


def cell_text(value: Any) -> Any:
    """A number read from a cell as its text (``1234``, not ``1234.0``); other values as they are."""
    if value is None or isinstance(value, str) or isinstance(value, bool):
        return value
    if isinstance(value, float):
        if value != value:
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, int):
        return str(value)
    return value


# --- entry points ---------------------------------------------------------------------------------------


def iter_batches(
    path: Path,
    fmt: FileFormat,
    chunk_rows: int,
    columns: list[str] | None = None,
    types: Mapping[str, ColumnType] | None = None,
) -> Chunks:
    """Stream a file as pandas DataFrames of ``chunk_rows`` rows (the last one may be shorter).

    Memory stays bounded, whatever the file's size, for CSV and Parquet: about two chunks plus
    pyarrow's read-ahead (a few dozen 1 MiB blocks for CSV; one row group for Parquet).
    ``columns`` picks and orders the columns (every chunk has them in that order); a name the file
    lacks is an :class:`InvalidArgument` naming it. Each chunk's index is the 0-based
    position of its rows among the file's data rows.

    ``types`` gives the logical type of some columns (a model's input schema): a CSV file's
    ``string``, ``boolean`` and ``datetime`` columns are read as text (``01234`` stays ``"01234"``;
    booleans are parsed by :mod:`modelport.tabular.validation` in all their spellings), ``number``
    columns as floats and ``integer`` columns as integers, widened as above when values do not fit
    (the validation then names the offending rows); an Excel file's numbers in a ``string`` column
    become their text (``1234``). Parquet files keep their stored types.

    - **parquet**: pyarrow ``ParquetFile.iter_batches``; pandas' stored index columns are dropped.
    - **csv**: dialect from :func:`sniff_csv`, then pyarrow's streaming reader (see the module doc);
      pandas' C parser is the fallback for what pyarrow does not implement.
    - **xlsx**: the first sheet through openpyxl's read-only mode; the first non-empty row is the
      header, empty rows are skipped, cells keep Excel's types (numbers, text, dates, booleans).
      Rows are streamed, but openpyxl holds the workbook's shared-string table in memory and reads
      some 100,000 cells per second: Excel suits files of up to a few hundred thousand rows; larger
      inputs should be CSV or Parquet.

    Errors (:class:`InvalidArgument`, ``field="file"``): an unreadable line of a CSV file, such as a
    record with more or fewer fields than the header, a quoted field never closed, or bytes that are
    not valid in the file's encoding, gives ``"line N: what is wrong"`` with ``details["line"] == N``
    (1-based physical line, the header being line 1 when it is the first line); an empty file or one
    with only a header gives ``"the file has no rows: ..."``; a file that is not of its format (a
    ``.parquet`` file of text, a damaged workbook) is named as such. Errors may come before the first
    chunk or after some chunks have been yielded (CSV and Excel problems are found as they are read).
    """
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be at least 1, not {chunk_rows}")
    path = Path(path)
    if fmt == "csv":
        return _iter_csv(path, chunk_rows, columns, types)
    if fmt == "parquet":
        return _iter_parquet(path, chunk_rows, columns)
    if fmt == "xlsx":
        return _iter_xlsx(path, chunk_rows, columns, types)
    raise ValueError(f"unknown file format {fmt!r}")


def count_rows(path: Path, fmt: FileFormat) -> int | None:
    """The number of data rows when it is cheap to know (Parquet: from the footer), else None.

    CSV and Excel files give None: their rows are only known by reading them all.
    A Parquet file that cannot be read is an :class:`InvalidArgument`.
    """
    if fmt == "parquet":
        with _parquet_file(Path(path)) as handle:
            return int(handle.metadata.num_rows)
    return None


def preview(path: Path, fmt: FileFormat, rows: int = 20) -> pd.DataFrame:
    """The first ``rows`` data rows of a file, read as :func:`iter_batches` reads it.

    Only the start of the file is read (for CSV, the first read block: 1 MiB or more), so a problem
    there is reported and one further down is not. Errors are those of :func:`iter_batches` (an
    empty or header-only file included).
    """
    with contextlib.closing(iter_batches(path, fmt, rows)) as chunks:
        return next(chunks)

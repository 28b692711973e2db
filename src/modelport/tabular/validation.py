"""Rows checked against a model's input schema: online request rows and batch chunks alike.

Raises :class:`~modelport.errors.InvalidArgument` (HTTP 422) and nothing else for bad input (the rows
of an online request come from :func:`modelport.serving.body.parse_body`):

* :func:`to_frame` checks every row against a :class:`~modelport.columns.ModelSchema` and returns a pandas
  frame with exactly the schema's columns, in schema order, with one dtype per logical type.

The checks are strict, because JSON has real numbers, booleans and nulls:

* ``number``: a JSON number (int or float), finite; ``"3.5"`` (a string) is refused, ``true`` is refused
  (Python's ``bool`` is an ``int``: it is checked for), ``NaN`` counts as null, ``±inf`` is always refused.
* ``integer``: an int, or a float with no fractional part (``2.0``), within the int64 range.
* ``boolean``: ``true`` or ``false``; also the numbers ``1``/``0`` and the strings of
  :data:`TRUE_WORDS`/:data:`FALSE_WORDS` in any case (``"yes"``, ``"N"``, ``"vrai"``, ``"oui"``...), as
  files and forms write them.
* ``string``: a JSON string (``123`` is refused for a string column).
* ``datetime``: an ISO 8601 string (``2024-05-01``, ``2024-05-01T10:00:00Z``, ``...+02:00``); a string
  without an offset is taken as UTC; within pandas' nanosecond range (1677-09-22 to 2262-04-11).
* null (``None``, ``NaN``, ``pandas.NA``/``NaT``) only where the column is ``nullable``; a nullable column
  must still be present in every row (give ``null``).
* ``minimum``/``maximum`` apply to integer and number columns. A string (or integer) column's
  ``categories`` are its known values: a value outside them is refused only where the column says
  ``on_unknown_category="reject"`` (the model cannot score it); otherwise it is accepted and reported by
  :func:`unknown_categories` (the online answer's warnings, a flag column in batch results).

Every problem is reported (up to :data:`MAX_PROBLEMS` in the error's ``details``), in row order, as
``{"row", "column", "message"}``; the error's message is the first problem's text (which names its row,
0-based, and its column) and its ``field`` is ``inputs[<row>].<column>``.

Frame dtypes: integer -> ``int64`` (``float64`` with NaN where a nullable column has nulls), number ->
``float64``, boolean -> ``bool`` (``object`` holding True/False/NaN where a nullable column has nulls),
string -> ``object`` (NaN for nulls), datetime -> ``datetime64[ns, UTC]`` (NaT for nulls). Nulls thus look
the way ``pandas.read_csv`` shows missing values, which is how most models were trained.

Speed: one row of 20 columns is checked with plain Python loops and assembled straight into pandas blocks
(the path pyarrow uses), ~30-80 microseconds; from :data:`VECTOR_MIN_ROWS` rows on, each column is first
checked in bulk with numpy and only re-walked value by value when it holds a problem or a null (10,000 rows
of 20 columns: ~20 ms, about what ``pandas.DataFrame(rows)`` alone takes). A frame (a batch chunk) is checked
from its dtypes where they settle it (float/int/bool/datetime64 columns: numpy only); object columns, and
datetime strings always, are checked value by value (~1 microsecond a value). Per-schema work is cached by
the schema's value, so a schema rebuilt from JSON for every request costs nothing more.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy
import pandas

from modelport.columns import ColumnSpec, ModelSchema
from modelport.errors import InvalidArgument

_DatetimeArray: Any = pandas.arrays.DatetimeArray
_UTC: Final = pandas.DatetimeTZDtype("ns", "UTC")

try:  # the block path pyarrow uses to build frames; the plain constructor is the fallback
    from pandas.core.internals import BlockManager as _BlockManager
    from pandas.core.internals.api import make_block as _make_block

    _FAST_FRAMES = hasattr(pandas.DataFrame, "_from_mgr")
except ImportError:  # pragma: no cover - a pandas without these internals
    _FAST_FRAMES = False

__all__ = [
    "FALSE_WORDS",
    "MAX_PROBLEMS",
    "TRUE_WORDS",
    "VECTOR_MIN_ROWS",
    "RowProblem",
    "UnknownValue",
    "show",
    "split_rows",
    "to_frame",
    "unknown_categories",
]

MAX_PROBLEMS: Final = 20
"""At most this many problems are listed in an error's ``details`` (all are counted in its message)."""

VECTOR_MIN_ROWS: Final = 32
"""From this many rows on, columns are checked with numpy first (fewer rows: a plain loop is faster)."""

TRUE_WORDS: Final = frozenset({"true", "t", "yes", "y", "1", "vrai", "v", "oui", "o"})
"""Strings read as true in a boolean column (compared without case and surrounding blanks)."""

FALSE_WORDS: Final = frozenset({"false", "f", "no", "n", "0", "faux", "non"})
"""Strings read as false in a boolean column (compared without case and surrounding blanks)."""

# ---------------------------------------------------------------------------------------------- values


def show(value: Any) -> str:
    """A short, JSON-like rendering of ``value`` for error messages."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, numpy.generic):
        try:
            return show(value.item())
        except (ValueError, OverflowError):  # pragma: no cover - exotic numpy scalars
            return f"a {type(value).__name__}"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        if value.bit_length() > 96:
            return f"an integer of {value.bit_length()} bits"
        return str(value)
    if isinstance(value, str):
        return repr(value) if len(value) <= 50 else repr(value[:50])[:-1] + "...'"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)} values"
    if isinstance(value, dict):
        return "an object"
    if value is pandas.NA or value is pandas.NaT:
        return "null"
    return f"a {type(value).__name__}"


def _bound(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


# ---------------------------------------------------------------------------------------------- converters

_NULL: Final = object()
"""Returned by a converter for a null value (None, NaN, pandas.NA, NaT)."""

_MISSING: Final = object()
"""Stands for the value of a column missing from a row (already reported)."""

_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1
_NAT: Final = _INT64_MIN
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_RANGE: Final = "1677-09-22 to 2262-04-11"
_OBJECT: Final = numpy.dtype(object)
_DTYPES: Final = {"number": numpy.float64, "integer": numpy.int64, "boolean": numpy.bool_, "string": object}


class _Bad(Exception):
    """A value that does not fit its column; ``text`` says why (without the row/column prefix)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _is_null(value: Any) -> bool:
    """None, NaN (Python or numpy), pandas.NA, NaT."""
    if value is None or value is pandas.NA or value is pandas.NaT:
        return True
    if isinstance(value, float | numpy.floating):
        return bool(value != value)
    if isinstance(value, numpy.datetime64):
        return bool(numpy.isnat(value))
    return False


class _Column:
    """How one schema column is checked and converted."""

    __slots__ = (
        "categories",
        "convert",
        "known",
        "maximum",
        "minimum",
        "name",
        "nullable",
        "position",
        "type",
    )

    def __init__(self, spec: ColumnSpec, position: int) -> None:
        self.name = spec.name
        self.position = position
        self.type = spec.type
        self.nullable = spec.nullable
        numeric = spec.type in ("integer", "number")
        self.minimum = float(spec.minimum) if numeric and spec.minimum is not None else None
        self.maximum = float(spec.maximum) if numeric and spec.maximum is not None else None
        known = _known_values(spec)
        rejecting = spec.on_unknown_category == "reject"
        self.categories = known if rejecting else None
        """Values outside these are refused."""
        self.known = None if rejecting else known
        """Values outside these are accepted and flagged (:func:`unknown_categories`)."""
        self.convert: Callable[[Any], Any] = getattr(self, f"_{spec.type}")

    # Each converter returns the converted Python value, or _NULL, or raises _Bad.

    def _range(self, value: float) -> None:
        if self.minimum is not None and value < self.minimum:
            raise _Bad(f"expected a value >= {_bound(self.minimum)}, got {show(value)}")
        if self.maximum is not None and value > self.maximum:
            raise _Bad(f"expected a value <= {_bound(self.maximum)}, got {show(value)}")

    def _number(self, value: Any) -> Any:
        kind = type(value)
        if kind is float:
            result = value
        elif kind is int:
            try:
                result = float(value)
            except OverflowError:
                raise _Bad(f"expected a number, got {show(value)} (too large)") from None
        elif isinstance(value, bool | numpy.bool_):
            raise _Bad(f"expected a number, got {show(value)}")
        elif isinstance(value, int | float | numpy.integer | numpy.floating):
            try:
                result = float(value)
            except OverflowError:
                raise _Bad(f"expected a number, got {show(value)} (too large)") from None
        elif _is_null(value):
            return _NULL
        else:
            raise _Bad(f"expected a number, got {show(value)}")
        if result != result:
            return _NULL
        if result == math.inf or result == -math.inf:
            raise _Bad(f"expected a finite number, got {show(result)}")
        if self.minimum is not None or self.maximum is not None:
            self._range(result)
        return result

    def _integer(self, value: Any) -> Any:
        kind = type(value)
        if kind is int:
            result = value
        elif isinstance(value, bool | numpy.bool_):
            raise _Bad(f"expected an integer, got {show(value)}")
        elif isinstance(value, float | numpy.floating):
            number = float(value)
            if number != number:
                return _NULL
            if not number.is_integer():
                raise _Bad(f"expected an integer, got {show(number)}")
            result = int(number)
        elif isinstance(value, int | numpy.integer):
            result = int(value)
        elif _is_null(value):
            return _NULL
        else:
            raise _Bad(f"expected an integer, got {show(value)}")
        if result < _INT64_MIN or result > _INT64_MAX:
            raise _Bad(f"expected an integer within the 64-bit range, got {show(value)}")
        if self.minimum is not None or self.maximum is not None:
            self._range(result)
        if self.categories is not None and result not in self.categories:
            raise _Bad(f"expected one of {_categories(self.categories)}, got {show(value)}")
        return result

    def _boolean(self, value: Any) -> Any:
        if value is True or value is False:
            return value
        if isinstance(value, numpy.bool_):
            return bool(value)
        if isinstance(value, str):
            word = value.strip().casefold()
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
        elif _is_null(value):
            return _NULL
        elif isinstance(value, int | float | numpy.integer | numpy.floating) and value in (0, 1):
            return bool(value)
        raise _Bad(f"expected true or false (or yes/no, 1/0), got {show(value)}")

    def _string(self, value: Any) -> Any:
        if type(value) is not str:
            if isinstance(value, str):
                value = str(value)
            elif _is_null(value):
                return _NULL
            else:
                raise _Bad(f"expected a string, got {show(value)}")
        if self.categories is not None and value not in self.categories:
            raise _Bad(f"expected one of {_categories(self.categories)}, got {show(value)}")
        return value

    def _datetime(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                parsed = dt.datetime.fromisoformat(value)
            except ValueError:
                raise _Bad(f"expected an ISO 8601 date-time, got {show(value)}") from None
            return _nanoseconds(parsed, value)
        if _is_null(value):
            return _NULL
        if isinstance(value, numpy.datetime64 | pandas.Timestamp):
            try:
                stamp = pandas.Timestamp(value)
                stamp = stamp if stamp.tzinfo is not None else stamp.tz_localize("UTC")
                return int(stamp.as_unit("ns").value)
            except (OverflowError, ValueError):
                raise _Bad(f"date-time out of the supported range ({_RANGE}), got {value}") from None
        if isinstance(value, dt.datetime):
            return _nanoseconds(value, value)
        if isinstance(value, dt.date):
            return _nanoseconds(dt.datetime(value.year, value.month, value.day), value)
        raise _Bad(f"expected an ISO 8601 date-time string, got {show(value)}")


def _known_values(spec: ColumnSpec) -> frozenset[Any] | None:
    """A column's categories as the values its converter returns: strings, or ints for an integer
    column (categories that are not integers are dropped there); None for other types."""
    if not spec.categories or spec.type not in ("string", "integer"):
        return None
    if spec.type == "string":
        return frozenset(spec.categories)
    values: set[Any] = set()
    for category in spec.categories:
        try:
            values.add(int(category))
        except ValueError:
            try:
                number = float(category)
            except ValueError:
                continue
            if number.is_integer():
                values.add(int(number))
    return frozenset(values)


def _categories(categories: frozenset[Any]) -> str:
    names = sorted(categories, key=str)
    shown = ", ".join(repr(c) for c in names[:10])
    return shown + (f", ... ({len(names)} in all)" if len(names) > 10 else "")


def _nanoseconds(moment: dt.datetime, original: Any) -> int:
    """Nanoseconds since the epoch (UTC) of ``moment``; naive means UTC."""
    try:
        aware = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
        delta = aware - _EPOCH
    except (OverflowError, ValueError):
        delta = None
    if delta is not None:
        nanoseconds = (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000
        if _INT64_MIN < nanoseconds <= _INT64_MAX:
            return nanoseconds
    shown = show(original) if isinstance(original, str) else str(original)
    raise _Bad(f"date-time out of the supported range ({_RANGE}), got {shown}")


# ---------------------------------------------------------------------------------------------- problems

_Problem = tuple[int, int, str | None, str]
"""(row, column position for sorting, column name, full message)."""


class _Checked:
    """One column's converted values (a list or a 1-d array) and its problems."""

    __slots__ = ("has_null", "problems", "total", "values")

    def __init__(self, values: Any, problems: list[_Problem], total: int, has_null: bool) -> None:
        self.values = values
        self.problems = problems
        self.total = total
        self.has_null = has_null


def _walk(column: _Column, values: Sequence[Any]) -> _Checked:
    """Check and convert ``values`` one by one (the reference behaviour, and the error path)."""
    out: list[Any] = []
    append = out.append
    problems: list[_Problem] = []
    total = 0
    has_null = False
    convert = column.convert
    for row, value in enumerate(values):
        if value is _MISSING:
            append(_NULL)
            has_null = True
            continue
        try:
            result = convert(value)
        except _Bad as bad:
            total += 1
            if len(problems) < MAX_PROBLEMS:
                text = f"row {row}, column {column.name!r}: {bad.text}"
                problems.append((row, column.position, column.name, text))
            append(_NULL)
            has_null = True
            continue
        if result is _NULL:
            has_null = True
            if not column.nullable:
                total += 1
                if len(problems) < MAX_PROBLEMS:
                    text = f"row {row}, column {column.name!r}: a value is required (got {show(value)})"
                    problems.append((row, column.position, column.name, text))
        append(result)
    return _Checked(out, problems, total, has_null)


_FLOAT_INT: Final = frozenset((float, int))


def _bulk(column: _Column, values: Sequence[Any]) -> _Checked | None:
    """Check a long column at numpy speed when it is clean; None sends it to :func:`_walk`."""
    kinds = set(map(type, values))
    kind = column.type
    try:
        if kind == "number" and kinds <= _FLOAT_INT:
            array = numpy.array(values, dtype=numpy.float64)
            if not numpy.isfinite(array).all():
                return None
        elif kind == "integer" and kinds == {int}:
            if column.categories is not None and not column.categories.issuperset(values):
                return None
            array = numpy.array(values, dtype=numpy.int64)
        elif kind == "boolean" and kinds == {bool}:
            return _Checked(numpy.array(values, dtype=bool), [], 0, False)
        elif kind == "string" and kinds == {str}:
            if column.categories is not None and not column.categories.issuperset(values):
                return None
            array = numpy.empty(len(values), dtype=object)
            array[:] = values
            return _Checked(array, [], 0, False)
        else:
            return None
    except (OverflowError, ValueError, TypeError):
        return None
    return _Checked(array, [], 0, False) if _in_range(column, array) else None


def _in_range(column: _Column, array: numpy.ndarray) -> bool:
    if column.minimum is not None and bool((array < column.minimum).any()):
        return False
    return column.maximum is None or not bool((array > column.maximum).any())


def _from_series(column: _Column, series: pandas.Series) -> _Checked:
    """Check a frame's column, from its dtype where that settles it (batch chunks), else value by value."""
    dtype = series.dtype
    kind = column.type
    if isinstance(dtype, numpy.dtype):
        if kind == "number" and dtype.kind in "iuf":
            floats = series.to_numpy(dtype=numpy.float64, copy=True)
            nulls = numpy.isnan(floats)
            has_null = bool(nulls.any())
            if (
                not bool(numpy.isinf(floats).any())
                and (column.nullable or not has_null)
                and _in_range(column, floats)
            ):
                return _Checked(floats, [], 0, has_null)
        elif kind == "integer" and dtype.kind in "iu" and column.categories is None:
            if dtype.kind == "i" or len(series) == 0 or int(series.max()) <= _INT64_MAX:
                ints = series.to_numpy(dtype=numpy.int64, copy=True)
                if _in_range(column, ints):
                    return _Checked(ints, [], 0, False)
        elif kind == "integer" and dtype.kind == "f" and column.categories is None:
            floats = series.to_numpy(dtype=numpy.float64, copy=True)
            nulls = numpy.isnan(floats)
            has_null = bool(nulls.any())
            present = floats[~nulls]
            if (
                bool((present == numpy.floor(present)).all())  # also False for +-inf
                and bool((present >= -(2.0**63)).all())
                and bool((present < 2.0**63).all())
                and (column.nullable or not has_null)
                and _in_range(column, present)
            ):
                return _Checked(floats if has_null else floats.astype(numpy.int64), [], 0, has_null)
        elif kind == "boolean" and dtype.kind == "b":
            return _Checked(series.to_numpy(dtype=bool, copy=True), [], 0, False)
    if kind == "datetime" and pandas.api.types.is_datetime64_any_dtype(dtype):
        try:
            stamps = pandas.DatetimeIndex(series)
            stamps = stamps.tz_localize("UTC") if stamps.tz is None else stamps.tz_convert("UTC")
            stamps = stamps.as_unit("ns")
        except (OverflowError, ValueError):  # out of the nanosecond range: walked, for the messages
            pass
        else:
            has_null = bool(stamps.isna().any())
            if column.nullable or not has_null:
                return _Checked(stamps.array.copy(), [], 0, has_null)
    values = series.tolist()
    return (len(values) >= VECTOR_MIN_ROWS and _bulk(column, values)) or _walk(column, values)


# ---------------------------------------------------------------------------------------------- to_frame


def to_frame(
    rows: list[dict[str, Any]] | pandas.DataFrame, schema: ModelSchema, *, allow_extra: bool = False
) -> pandas.DataFrame:
    """Check ``rows`` against ``schema`` and return them as a frame of the schema's columns, typed.

    ``rows`` is a list of ``{column: value}`` dicts (from :func:`modelport.serving.body.parse_body`)
    or a pandas frame (a batch chunk: columns whose dtype already settles the check are checked with
    numpy). The result has a fresh
    ``RangeIndex``, exactly the schema's columns in schema order, and the dtypes described in this
    module's docstring; ``rows`` is never modified. ``allow_extra=True`` ignores columns that are not in
    the schema (batch files carry ids and other columns) instead of refusing them.

    Raises InvalidArgument (and nothing else, whatever ``rows`` holds): ``rows`` not a list of objects;
    a row that is not an object; a missing column; an unknown column; a value of the wrong type; a null
    where the column is not nullable; a value outside ``minimum``/``maximum`` or ``categories``. The
    message is the first problem (``"row 1, column 'age': expected a number, got 'abc'"``, ``"row 2:
    column 'x' is missing"``, ``"row 0: unknown column 'colour' (expected: a, b, c)"``) and says how many
    more there are; ``field`` is ``inputs[<row>].<column>``; ``details`` lists up to :data:`MAX_PROBLEMS`
    problems as ``{"row", "column", "message"}``.
    """
    plan = _plan(schema)
    columns = plan.columns
    if isinstance(rows, pandas.DataFrame):
        return _frame_to_frame(rows, plan, allow_extra)
    if not isinstance(rows, list | tuple):
        raise InvalidArgument(
            f"the inputs must be a list of rows (objects of column values), got {show(rows)}",
            field="inputs",
        )
    n = len(rows)
    if n == 1:
        frame = _one_row(rows[0], plan)
        if frame is not None:
            return frame
    structure: list[_Problem] = []
    total = 0
    table = _transpose(rows, plan) if n > 1 else None
    if table is None:  # some row is not a plain dict of exactly the schema's columns
        for row_number, row in enumerate(rows):
            for problem in _row_problems(row_number, row, columns, plan.expected, allow_extra):
                total += 1
                if len(structure) < MAX_PROBLEMS:
                    structure.append(problem)
        table = [
            [row.get(column.name, _MISSING) if isinstance(row, dict) else _MISSING for row in rows]
            for column in columns
        ]
    vector = n >= VECTOR_MIN_ROWS
    checked: list[_Checked] = []
    for column, values in zip(columns, table, strict=True):
        result = (vector and _bulk(column, values)) or _walk(column, values)
        checked.append(result)
        total += result.total
    if total:
        _raise(structure, checked, total)
    return _assemble(plan, checked, n)


@dataclass(frozen=True)
class UnknownValue:
    """A value outside its column's known categories (accepted, and reported)."""

    row: int
    """0-based position of the row in the checked frame."""
    column: str
    value: Any
    reason: str


def unknown_categories(frame: pandas.DataFrame, schema: ModelSchema) -> list[UnknownValue]:
    """The values of ``frame`` (a frame returned by :func:`to_frame` for ``schema``) outside the known
    categories of their column, in row order, then column order; nulls are not reported. Costs nothing
    for a schema without categories; a few microseconds a row otherwise (numpy from 32 rows on)."""
    flagged = _plan(schema).flagged
    if not flagged:
        return []
    found: list[UnknownValue] = []
    for column in flagged:
        known = column.known
        assert known is not None
        series = frame[column.name]
        if len(series) < VECTOR_MIN_ROWS:
            rows = [i for i, v in enumerate(series.tolist()) if v == v and v is not None and v not in known]
        else:
            rows = numpy.flatnonzero((series.notna() & ~series.isin(list(known))).to_numpy()).tolist()
        if rows:
            values = series.to_numpy()
            reason = f"not one of the {len(known)} known values ({_categories(known)})"
            found.extend(UnknownValue(row, column.name, _plain(values[row]), reason) for row in rows)
    found.sort(key=lambda u: u.row)
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, numpy.floating) and float(value).is_integer():
        return int(value)
    return value.item() if isinstance(value, numpy.generic) else value


@dataclass(frozen=True)
class RowProblem:
    """Why a row of a frame does not fit the schema: its 0-based position, the column, the value."""

    row: int
    column: str
    value: Any
    reason: str


def split_rows(
    frame: pandas.DataFrame, schema: ModelSchema
) -> tuple[pandas.DataFrame, numpy.ndarray, list[RowProblem]]:
    """Check a frame (a batch chunk; columns beyond the schema's are ignored) row by row: the rows that
    fit, as :func:`to_frame` returns them; the positions of those rows in ``frame``; and every problem
    of the other rows (all of them, not only the first :data:`MAX_PROBLEMS`), in row order.

    Problems of the frame as a whole (a schema column missing or twice) still raise InvalidArgument,
    as :func:`to_frame` does. A clean frame costs what :func:`to_frame` costs; the rows of a frame
    with problems are walked value by value (about a microsecond a value).
    """
    try:
        return to_frame(frame, schema, allow_extra=True), numpy.arange(len(frame)), []
    except InvalidArgument as error:
        refusal = error
    plan = _plan(schema)
    problems: list[tuple[int, int, RowProblem]] = []
    labels = list(frame.columns)
    if any(labels.count(column.name) != 1 for column in plan.columns):
        raise refusal  # a column missing or twice: the frame as a whole is wrong
    for column in plan.columns:
        for row, value in enumerate(frame[column.name].tolist()):
            try:
                result = column.convert(value)
            except _Bad as bad:
                problems.append((row, column.position, RowProblem(row, column.name, value, bad.text)))
                continue
            if result is _NULL and not column.nullable:
                reason = "a value is required (the cell is empty)"
                problems.append((row, column.position, RowProblem(row, column.name, value, reason)))
    if not problems:
        raise refusal
    problems.sort(key=lambda p: (p[0], p[1]))
    refused_rows = numpy.unique(numpy.fromiter((p[0] for p in problems), dtype=numpy.int64))
    keep = numpy.setdiff1d(numpy.arange(len(frame)), refused_rows)
    good = to_frame(frame.iloc[keep], schema, allow_extra=True)
    return good, keep, [p[2] for p in problems]


class _Plan:
    """What checking rows against one schema needs, computed once per distinct schema."""

    __slots__ = ("columns", "expected", "flagged", "getter", "groups", "index", "names")

    def __init__(self, specs: Sequence[ColumnSpec]) -> None:
        self.columns = [_Column(spec, position) for position, spec in enumerate(specs)]
        self.flagged = [column for column in self.columns if column.known is not None]
        self.names = [column.name for column in self.columns]
        self.expected = frozenset(self.names)
        self.index = pandas.Index(self.names, dtype=object)
        """Shared by the plan's frames through ``view()`` (a new Index object: its ``name`` is theirs)."""
        self.getter = operator.itemgetter(*self.names) if len(self.names) > 1 else None
        self.groups: dict[Any, list[int]] = {}
        """Column positions by dtype when no column holds a null (datetime columns: the key None)."""
        for column in self.columns:
            dtype = None if column.type == "datetime" else numpy.dtype(_DTYPES[column.type])
            self.groups.setdefault(dtype, []).append(column.position)


_PLANS: dict[Any, _Plan] = {}
_PLANS_MAX: Final = 256
_SPEC_FIELDS: Final = operator.attrgetter(
    "name", "type", "nullable", "minimum", "maximum", "on_unknown_category"
)
_SPEC_CATEGORIES: Final = operator.attrgetter("categories")


def _plan(schema: ModelSchema) -> _Plan:
    """The plan of ``schema``, cached by value (a schema rebuilt from JSON on every request still hits)."""
    specs = schema.columns
    categories: tuple[Any, ...] = tuple(map(_SPEC_CATEGORIES, specs))
    if any(categories):
        categories = tuple(tuple(c) if c is not None else None for c in categories)
    try:
        key = (tuple(map(_SPEC_FIELDS, specs)), categories)
        plan = _PLANS.get(key)
    except TypeError:  # pragma: no cover - an unhashable field on a hand-built spec
        return _Plan(specs)
    if plan is None:
        if len(_PLANS) >= _PLANS_MAX:
            _PLANS.clear()
        plan = _PLANS[key] = _Plan(specs)
    return plan


def _transpose(rows: Sequence[Any], plan: _Plan) -> list[Sequence[Any]] | None:
    """The rows' values column by column, at C speed, when every row is a dict of exactly the schema's
    columns (None otherwise: the caller then finds and reports what is wrong row by row)."""
    width = len(plan.expected)
    if plan.getter is None or len(plan.names) != width:  # fewer than 2 columns, or duplicate names
        return None
    if set(map(type, rows)) != {dict} or set(map(len, rows)) != {width}:
        return None
    try:
        tuples = list(map(plan.getter, rows))
    except KeyError:
        return None
    return list(zip(*tuples, strict=True))


def _one_row(row: Any, plan: _Plan) -> pandas.DataFrame | None:
    """The hot path: one clean row with no nulls, straight into blocks; None sends it the general way."""
    if not _FAST_FRAMES or type(row) is not dict or row.keys() != plan.expected:
        return None
    values: list[Any] = []
    append = values.append
    for column in plan.columns:
        try:
            result = column.convert(row[column.name])
        except _Bad:
            return None
        if result is _NULL:
            return None
        append(result)
    blocks = []
    for dtype, positions in plan.groups.items():
        if dtype is None:
            for position in positions:
                stamps = numpy.array([values[position]], dtype=numpy.int64).view("M8[ns]")
                blocks.append(_make_block(_utc_stamps(stamps), placement=[position]))
        elif dtype == _OBJECT:
            block = numpy.empty((len(positions), 1), dtype=object)
            block[:, 0] = [values[p] for p in positions]
            blocks.append(_make_block(block, placement=positions))
        else:
            block = numpy.array([[values[p]] for p in positions], dtype=dtype)
            blocks.append(_make_block(block, placement=positions))
    manager = _BlockManager(tuple(blocks), [plan.index.view(), pandas.RangeIndex(1)])
    return pandas.DataFrame._from_mgr(manager, axes=manager.axes)


def _row_problems(
    row_number: int, row: Any, columns: list[_Column], expected: frozenset[str], allow_extra: bool
) -> list[_Problem]:
    if not isinstance(row, dict):
        text = f"row {row_number}: expected an object of column values, got {show(row)}"
        return [(row_number, -1, None, text)]
    problems: list[_Problem] = []
    for column in columns:
        if column.name not in row:
            text = f"row {row_number}: column {column.name!r} is missing"
            problems.append((row_number, column.position, column.name, text))
    if not allow_extra:
        unknown = [key for key in row if key not in expected]
        for offset, key in enumerate(unknown):
            text = f"row {row_number}: unknown column {show(key) if isinstance(key, str) else repr(key)}"
            text += _expected_names(key, columns)
            problems.append((row_number, len(columns) + offset, str(key), text))
    return problems


def _expected_names(key: Any, columns: list[_Column]) -> str:
    names = [column.name for column in columns]
    shown = ", ".join(names[:30]) + (f", ... ({len(names)} in all)" if len(names) > 30 else "")
    text = f" (expected: {shown})" if names else " (the schema has no columns)"
    if isinstance(key, str):
        close = difflib.get_close_matches(key, names, n=1)
        if close:
            text += f"; did you mean {close[0]!r}?"
    return text


def _frame_to_frame(frame: pandas.DataFrame, plan: _Plan, allow_extra: bool) -> pandas.DataFrame:
    columns = plan.columns
    labels = list(frame.columns)
    problems: list[_Problem] = []
    total = 0
    expected = frozenset(column.name for column in columns)
    duplicated = (
        {label for label in labels if labels.count(label) > 1} if frame.columns.has_duplicates else set()
    )
    for column in columns:
        if column.name not in labels:
            problems.append((0, column.position, column.name, f"column {column.name!r} is missing"))
        elif column.name in duplicated:
            problems.append((0, column.position, column.name, f"column {column.name!r} appears twice"))
    if not allow_extra:
        unknown = [label for label in labels if label not in expected]
        for offset, label in enumerate(unknown):
            text = f"unknown column {show(label) if isinstance(label, str) else repr(label)}"
            problems.append((0, len(columns) + offset, str(label), text + _expected_names(label, columns)))
    total = len(problems)
    problems = problems[:MAX_PROBLEMS]
    n = len(frame)
    checked: list[_Checked] = []
    for column in columns:
        if column.name in labels and column.name not in duplicated:
            result = _from_series(column, frame[column.name])
        else:
            result = _Checked([_NULL] * n, [], 0, True)
        checked.append(result)
        total += result.total
    if total:
        _raise(problems, checked, total)
    return _assemble(plan, checked, n)


def _raise(structure: list[_Problem], checked: list[_Checked], total: int) -> None:
    problems = list(structure)
    for result in checked:
        problems.extend(result.problems)
    problems.sort(key=lambda p: (p[0], p[1]))
    problems = problems[:MAX_PROBLEMS]
    row, _, column, first = problems[0]
    message = first
    if total > 1:
        listed = len(problems)
        more = total - 1
        message += f" (and {more} more problem{'s' if more > 1 else ''}"
        message += ", all listed in details)" if listed == total else f"; the first {listed} are in details)"
    field = f"inputs[{row}]" if column is None else f"inputs[{row}].{column}"
    details = [{"row": r, "column": c, "message": text} for r, _, c, text in problems]
    raise InvalidArgument(message, field=field, details=details)


# ---------------------------------------------------------------------------------------------- assembly

_NAN: Final = float("nan")


def _utc_stamps(stamps: numpy.ndarray) -> Any:
    """A ``datetime64[ns, UTC]`` array over ``stamps`` (``M8[ns]`` holding UTC times), without a copy."""
    if _FAST_FRAMES:
        try:
            return _DatetimeArray._simple_new(stamps, dtype=_UTC)
        except (TypeError, ValueError, AttributeError):  # pragma: no cover - pandas changed
            pass
    return pandas.array(stamps).tz_localize("UTC")  # pragma: no cover - same result, 20x slower


def _final(column: _Column, result: _Checked) -> Any:
    """The column's values in their final dtype: a 1-d array, a DatetimeArray, or a list plus its dtype."""
    values = result.values
    if isinstance(values, numpy.ndarray | pandas.api.extensions.ExtensionArray):
        return values
    kind = column.type
    if kind == "datetime":
        ints = numpy.array([_NAT if v is _NULL else v for v in values], dtype=numpy.int64)
        return _utc_stamps(ints.view("M8[ns]"))
    if result.has_null:
        return [_NAN if v is _NULL else v for v in values]
    return values


def _dtype(column: _Column, result: _Checked, values: Any) -> Any:
    if isinstance(values, numpy.ndarray):
        return values.dtype
    if result.has_null and column.type == "integer":
        return numpy.dtype(numpy.float64)
    if result.has_null and column.type == "boolean":
        return numpy.dtype(object)
    return numpy.dtype(_DTYPES[column.type])


def _assemble(plan: _Plan, checked: list[_Checked], n: int) -> pandas.DataFrame:
    finals: list[tuple[Any, Any]] = []  # (values, numpy dtype), or (extension array, None)
    for column, result in zip(plan.columns, checked, strict=True):
        values = _final(column, result)
        if isinstance(values, pandas.api.extensions.ExtensionArray):
            finals.append((values, None))
        else:
            finals.append((values, _dtype(column, result, values)))
    if _FAST_FRAMES:
        try:
            return _from_blocks(plan.index.view(), finals, n)
        except (TypeError, ValueError, AttributeError, AssertionError):  # pragma: no cover - pandas changed
            pass
    return _from_dict(plan.index.view(), finals, n)


def _stack(members: list[Any], dtype: Any, n: int) -> numpy.ndarray:
    """A (len(members), n) array of ``dtype`` from columns given as lists or 1-d arrays."""
    if dtype == _OBJECT:
        block = numpy.empty((len(members), n), dtype=object)
        for i, values in enumerate(members):
            block[i, :] = values
        return block
    return numpy.array(members, dtype=dtype).reshape(len(members), n)


def _from_blocks(index: pandas.Index, finals: list[tuple[Any, Any]], n: int) -> pandas.DataFrame:
    """One pandas block per dtype, placed at the columns' positions: no per-column frame building."""
    groups: dict[Any, tuple[list[int], list[Any]]] = {}
    blocks = []
    for position, (values, dtype) in enumerate(finals):
        if dtype is None:
            blocks.append(_make_block(values, placement=[position]))
        else:
            positions, members = groups.setdefault(dtype, ([], []))
            positions.append(position)
            members.append(values)
    for dtype, (positions, members) in groups.items():
        blocks.append(_make_block(_stack(members, dtype, n), placement=positions))
    manager = _BlockManager(tuple(blocks), [index, pandas.RangeIndex(n)])
    return pandas.DataFrame._from_mgr(manager, axes=manager.axes)


def _from_dict(index: pandas.Index, finals: list[tuple[Any, Any]], n: int) -> pandas.DataFrame:
    """The same frame through the public constructor (slower for few rows)."""
    data = {
        position: values if dtype is None else _stack([values], dtype, n)[0]
        for position, (values, dtype) in enumerate(finals)
    }
    frame = pandas.DataFrame(data, index=pandas.RangeIndex(n))
    frame.columns = index
    return frame

"""Reading a column's values as numbers, booleans, dates or text, as people write them.

Shared by the profile (which guesses a column's kind) and the cleaning steps (which cast a column).
Object columns are converted through their distinct values, so a 100k-row column of a few hundred
spellings costs a few hundred conversions. Whatever cannot be read becomes missing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = [
    "FALSE_WORDS",
    "TRUE_WORDS",
    "StorageKind",
    "parse_bool",
    "parse_number",
    "storage_kind",
    "text_of",
    "to_bools",
    "to_dates",
    "to_numbers",
    "to_text",
]

StorageKind = Literal["number", "bool", "datetime", "object"]

TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "vrai", "oui", "v", "o"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", "faux", "non"})
"""Boolean spellings (lower case): English and French words, their initials, 1 and 0."""

_SPACES = re.compile(r"[\s\u00a0\u202f'\u2019_]")
_CURRENCY = "€$£¥"
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def storage_kind(series: pd.Series) -> StorageKind:
    """How a column is stored: numbers, booleans, datetimes or Python objects (text, mixed)."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    return "object"


def parse_number(text: str) -> float:
    """``text`` as a number (``1 234,5``, ``1,234.5``, ``1.234.567``, ``12 €``), NaN when it is not one.

    With both marks, the last one is the decimal mark; a lone comma is a decimal comma (``1,5``);
    a mark repeated is a thousands separator.
    """
    value = _SPACES.sub("", text).strip(_CURRENCY)
    if not value:
        return math.nan
    commas, dots = value.count(","), value.count(".")
    if commas and dots:
        thousands = "," if value.rfind(",") < value.rfind(".") else "."
        value = value.replace(thousands, "")
        value = value.replace(",", ".")
    elif commas:
        value = value.replace(",", "") if commas > 1 else value.replace(",", ".")
    elif dots > 1:
        value = value.replace(".", "")
    if _NUMBER.fullmatch(value):
        return float(value)
    lowered = value.lower()
    if lowered in ("inf", "+inf", "infinity", "+infinity"):
        return math.inf
    if lowered in ("-inf", "-infinity"):
        return -math.inf
    return math.nan


def parse_bool(value: Any) -> bool | None:
    """A boolean spelling (``yes``, ``N``, ``vrai``, ``1``...) as a bool, None when it is not one."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating):
        return True if value == 1 else False if value == 0 else None
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    return None


def text_of(value: Any) -> str:
    """How a value reads as text: ``3`` for the number 3.0, ISO 8601 for a timestamp."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating) and math.isfinite(value) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return str(value.isoformat())
    if isinstance(value, np.generic):
        return str(value.item())
    return str(value)


def _map_distinct(series: pd.Series, convert: Callable[[Any], Any], missing: Any, dtype: Any) -> np.ndarray:
    """``convert`` applied to each distinct non-missing value of ``series``, spread back to its rows."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    out = np.full(len(series), missing, dtype=dtype)
    if len(uniques):
        mapped = np.array([convert(u) for u in uniques], dtype=dtype)
        present = codes >= 0
        out[present] = mapped[codes[present]]
    return out


def _number_of(value: Any) -> float:
    if isinstance(value, str):
        return parse_number(value)
    if isinstance(value, bool | np.bool_ | int | float | np.integer | np.floating):
        return float(value)
    return math.nan


def to_numbers(series: pd.Series) -> pd.Series:
    """The column as float64: numbers as they are, booleans 1/0, dates in seconds since 1970, text read
    by :func:`parse_number`."""
    kind = storage_kind(series)
    if kind in ("number", "bool"):
        return pd.Series(series.to_numpy(dtype=float, na_value=np.nan), index=series.index, name=series.name)
    if kind == "datetime":
        seconds = series.to_numpy(dtype="datetime64[ns]").astype("int64") / 1e9
        seconds[series.isna().to_numpy()] = np.nan
        return pd.Series(seconds, index=series.index, name=series.name)
    values = _map_distinct(series, _number_of, np.nan, float)
    return pd.Series(values, index=series.index, name=series.name)


def to_bools(series: pd.Series) -> pd.Series:
    """The column as pandas' nullable ``boolean``: spellings read by :func:`parse_bool`."""
    if storage_kind(series) == "bool":
        return series.astype("boolean")
    values = _map_distinct(series, parse_bool, None, object)
    return pd.Series(pd.array(values, dtype="boolean"), index=series.index, name=series.name)


def to_dates(series: pd.Series) -> pd.Series:
    """The column as ``datetime64[ns, UTC]``: ISO 8601 first, then any format pandas can read (mixed
    formats and offsets); numbers are read as text (``2020``, ``20200131``)."""
    kind = storage_kind(series)
    if kind == "datetime":
        if getattr(series.dtype, "tz", None) is None:
            return series.dt.tz_localize("UTC")
        return series.dt.tz_convert("UTC")
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if not len(uniques):
        return pd.Series(pd.NaT, index=series.index, name=series.name, dtype="datetime64[ns, UTC]")
    texts = pd.Index([text_of(u).strip() for u in uniques], dtype=object)
    parsed = pd.Series(pd.to_datetime(texts, format="ISO8601", utc=True, errors="coerce"))
    failed = parsed.isna().to_numpy()
    if failed.any():
        parsed[failed] = pd.to_datetime(texts[failed], format="mixed", utc=True, errors="coerce")
    values = parsed.array.take(codes, allow_fill=True)
    return pd.Series(values, index=series.index, name=series.name)


def to_text(series: pd.Series) -> pd.Series:
    """The column as Python strings (:func:`text_of`); missing values stay NaN."""
    values = _map_distinct(series, text_of, np.nan, object)
    return pd.Series(values, index=series.index, name=series.name, dtype=object)

"""Types of a dataset's text columns, decided on all their values: missing tokens, booleans,
numbers in local formats, dates, codes.

:func:`type_text_column` takes a column of stripped text cells (as read from a CSV file, or an Excel
column of mixed cells) and returns it typed. The tokens of :data:`MISSING_TOKENS` (any case) are read
as missing and counted per spelling; a column with no value left is None (the caller drops it). The
column is then typed, in this order:

1. **boolean** when every value is a spelling of :data:`TRUE_WORDS`/:data:`FALSE_WORDS` (``1``/``0``
   alone stay numbers): ``bool``, or pandas' nullable ``boolean`` when some are missing;
2. **text** when a value is a zero-padded code such as ``01234`` (ID-like: the zeros are kept);
3. **numbers** when every value is one: ``inf``, ``-0`` and exponents included; thousands separators
   (``1,234.5``, ``1.234,5``, ``1 234,5`` with plain, no-break or narrow no-break spaces,
   ``1'234.5``), decimal commas, currency signs before or after (``€ $ £ ¥``), a ``%`` suffix (the
   number kept as written: ``12%`` is 12) and accounting negatives (``(5.00)``) are read and
   reported. The file's decimal mark decides ``1,234`` (1.234 in a file of decimal commas, else
   1234). ``int64`` when all are integers and none is missing, else ``float64``; integers too large
   for 64 bits stay text;
4. **dates** when every value looks like a date (ISO 8601, ``03/04/2021``, ``04.03.2021``,
   ``4 Mar 2021``, ``March 4, 2021``, RFC 2822, with or without a time and an offset):
   ``datetime64[ns, UTC]``; values without an offset are taken as UTC; day-first or month-first is
   decided from values such as ``25/03/2021`` (else day first in a file of decimal commas, and noted);
5. **text** otherwise (``object`` strings, missing values NaN): a column of numbers with a few words
   keeps the words, for the profile to flag.

Big columns stay fast: the work is done by Arrow kernels, and a pattern is tried on the column's head
before the whole column (most columns that do not fit a type show it early).
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Final, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from modelport.tabular.validation import FALSE_WORDS, TRUE_WORDS

__all__ = ["MISSING_TOKENS", "Column", "Findings", "type_text_column"]

#: Cell values read as missing, compared in lower case after stripping blanks. Empty cells are
#: missing too, and not counted as a token.
MISSING_TOKENS: Final = frozenset(
    {
        "?",
        "-",
        "--",
        "---",
        ".",
        "none",
        "null",
        "(null)",
        "na",
        "n/a",
        "n.a.",
        "nan",
        "-nan",
        "<na>",
        "#na",
        "#n/a",
        "#n/a n/a",
        "(blank)",
        "(empty)",
        "1.#ind",
        "-1.#ind",
        "1.#qnan",
        "-1.#qnan",
        "#null!",
        "#div/0!",
        "#value!",
        "#ref!",
        "#num!",
        "#name?",
    }
)

_TOKENS = pa.array(sorted(MISSING_TOKENS), pa.string())
_BOOLEANS = pa.array(sorted(TRUE_WORDS | FALSE_WORDS), pa.string())
_TRUE = pa.array(sorted(TRUE_WORDS), pa.string())
_ZERO_ONE = pa.array(["0", "1"], pa.string())
_SPACES = r"[ \x{00A0}\x{202F}\x{2009}]"
_ZERO_PADDED = r"^0[0-9]+$"
_INTEGER = r"^[+-]?[0-9]+$"
_CURRENCY = "€$£¥"
_SIGN_BEFORE = rf"^([+-]?){_SPACES}*[{_CURRENCY}]{_SPACES}*"
_PARENTHESES = r"^\((.+)\)$"
_SIGN_AFTER = rf"{_SPACES}*[{_CURRENCY}%]$"
_SPACE_NAME = "space"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE = (
    r"(?i)^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?"
    r"(?:[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}"
    r"|[0-9]{1,2}[-/][0-9]{1,2}[-/][0-9]{2,4}"
    r"|[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}"
    rf"|[0-9]{{1,2}}[ -]{_MONTH}[ ,-]*[0-9]{{2,4}}"
    rf"|{_MONTH}\s+[0-9]{{1,2}}(?:st|nd|rd|th)?,?\s+[0-9]{{4}})"
    r"(?:(?:T|\s+)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?(?:\s*[ap]\.?m\.?)?)?"
    r"(?:\s*(?:Z|UTC|GMT|[+-][0-9]{2}(?::?[0-9]{2})?))?$"
)
_DAY_MONTH = r"^(?:[a-z]+,?\s+)?(?P<first>[0-9]{1,2})[-/.](?P<second>[0-9]{1,2})[-/.][0-9]{2,4}"
_OFFSET = r"(?i)(?:Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$"
_SAMPLE = 2000


Column: TypeAlias = pa.Array | pa.ChunkedArray
"""A column of text as pyarrow holds it."""


@dataclass
class Findings:
    """What reading found, gathered for the report (``decimal_hint``: the file's decimal mark)."""

    decimal_hint: str = "."
    tokens: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    decimals: set[str] = field(default_factory=set)
    thousands: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    skipped: int = 0


def type_text_column(name: str, column: Column, findings: Findings) -> pd.Series | None:
    """A column of text cells (stripped; null = empty) typed; None when no value is left."""
    column = pc.fill_null(column, "")
    lower = pc.ascii_lower(column)  # the tokens and boolean words are ASCII
    tokens = pc.is_in(lower, value_set=_TOKENS)
    missing = pc.or_(tokens, pc.equal(column, ""))
    present = pc.invert(missing)
    values = pc.filter(column, present)
    if len(values) == 0:
        return None
    if pc.any(tokens).as_py():
        for item in pc.value_counts(pc.filter(column, tokens)).to_pylist():
            findings.tokens[item["values"]] += item["counts"]
    with_nulls = pc.if_else(missing, pa.scalar(None, pa.string()), column)
    has_missing = len(values) < len(column)
    present_lower = pc.filter(lower, present)
    if _all_in(present_lower, _BOOLEANS) and not _all_in(present_lower, _ZERO_ONE):
        flags = pc.if_else(missing, pa.scalar(None, pa.bool_()), pc.is_in(lower, value_set=_TRUE))
        return (
            pd.Series(pd.array(flags.to_pylist(), dtype="boolean"))
            if has_missing
            else pd.Series(flags.to_numpy(zero_copy_only=False), dtype=bool)
        )
    if not _zero_padded(values):
        numbers = _numbers(name, values, with_nulls, findings)
        if numbers is not None:
            return numbers
    dates = _dates(name, values, with_nulls, findings)
    if dates is not None:
        return dates
    texts = with_nulls.to_numpy(zero_copy_only=False)
    if has_missing:
        texts[pc.is_null(with_nulls).to_numpy(zero_copy_only=False)] = np.nan
    return pd.Series(texts, dtype=object)


def _zero_padded(values: Column) -> bool:
    """Whether a value is a code such as ``01234`` (only values starting with 0 are looked at)."""
    leading = pc.filter(values, pc.starts_with(values, "0"))
    return len(leading) > 0 and bool(pc.any(pc.match_substring_regex(leading, _ZERO_PADDED)).as_py())


def _all_match(values: Column, pattern: str) -> bool:
    """Whether every value matches a regular expression (the head is tried first: most columns that
    do not fit a type show it early)."""
    head = values.slice(0, _SAMPLE)
    if len(values) > _SAMPLE and not pc.all(pc.match_substring_regex(head, pattern)).as_py():
        return False
    return bool(pc.all(pc.match_substring_regex(values, pattern)).as_py())


def _all_in(values: Column, words: Column) -> bool:
    """Whether every value is one of ``words`` (the head tried first)."""
    head = values.slice(0, _SAMPLE)
    if len(values) > _SAMPLE and not pc.all(pc.is_in(head, value_set=words)).as_py():
        return False
    return bool(pc.all(pc.is_in(values, value_set=words)).as_py())


def _numbers(name: str, values: Column, with_nulls: Column, findings: Findings) -> pd.Series | None:
    """The column as numbers when every present value is one (see the module doc); else None."""
    decimal, thousands, signs = ".", None, ""
    if not _plain_numbers(values, findings.decimal_hint):
        if pc.any(pc.match_substring(values, "\u2212")).as_py():  # the typographic minus sign
            values, with_nulls = (pc.replace_substring(a, "\u2212", "-") for a in (values, with_nulls))
        if pc.any(pc.match_substring_regex(values, _PARENTHESES)).as_py():  # accounting: (5.00) is -5
            values, with_nulls = (
                pc.replace_substring_regex(a, _PARENTHESES, r"-\1") for a in (values, with_nulls)
            )
            signs += "()"
        if pc.any(pc.match_substring_regex(values, rf"[{_CURRENCY}%]")).as_py():
            signs += "".join(s for s in _CURRENCY + "%" if pc.any(pc.match_substring(values, s)).as_py())
            values, with_nulls = (
                pc.replace_substring_regex(
                    pc.replace_substring_regex(a, _SIGN_BEFORE, r"\1"), _SIGN_AFTER, ""
                )
                for a in (values, with_nulls)
            )
        for decimal, thousands in _formats(findings.decimal_hint):
            if _all_match(values, _number_pattern(decimal, thousands)):
                normalized = _normalized(values, decimal, thousands)
                if _plain_numbers(normalized, "."):
                    break
        else:
            return None
        decimal = decimal if pc.any(pc.match_substring(values, decimal)).as_py() else "."
        if (
            thousands is not None
            and not pc.any(pc.match_substring_regex(values, _separator(thousands))).as_py()
        ):
            thousands = None
        values, with_nulls = normalized, _normalized(with_nulls, decimal, thousands)
    series = _typed_numbers(values, with_nulls)
    if series is None:
        return None
    if decimal == "," or thousands or signs:
        findings.decimals.add(decimal)
        if thousands:
            findings.thousands.append(" " if thousands == _SPACE_NAME else thousands)
        findings.notes.append(_number_note(name, decimal, thousands, signs))
    return series


def _plain_numbers(values: Column, decimal_hint: str) -> bool:
    """Whether every value is a number as Arrow writes them (``1.5``, ``-0``, ``1e3``, ``inf``); in a
    file whose decimal mark is a comma, ``1.234`` is taken for a thousands separator instead."""
    try:
        pc.cast(values, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return decimal_hint == "." or not pc.any(pc.match_substring(values, ".")).as_py()


def _formats(decimal_hint: str) -> list[tuple[str, str | None]]:
    """The (decimal mark, thousands separator) pairs to try, the file's decimal mark first."""
    comma: list[tuple[str, str | None]] = [(",", None), (",", "."), (",", _SPACE_NAME)]
    dot: list[tuple[str, str | None]] = [(".", None), (".", ","), (".", _SPACE_NAME), (".", "'")]
    return comma + dot if decimal_hint == "," else dot + comma


def _separator(thousands: str) -> str:
    return _SPACES if thousands == _SPACE_NAME else re.escape(thousands)


def _number_pattern(decimal: str, thousands: str | None) -> str:
    d = re.escape(decimal)
    number = rf"[0-9]+(?:{d}[0-9]*)?|{d}[0-9]+"
    if thousands is not None:
        number = rf"[0-9]{{1,3}}(?:{_separator(thousands)}[0-9]{{3}})+(?:{d}[0-9]*)?|{number}"
    return rf"^[+-]?(?:{number}|(?i:inf|infinity))$"


def _normalized(values: Column, decimal: str, thousands: str | None) -> Column:
    """Numbers written as Arrow reads them: no thousands separator, a decimal point."""
    if thousands == _SPACE_NAME:
        values = pc.replace_substring_regex(values, _SPACES, "")
    elif thousands is not None:
        values = pc.replace_substring(values, thousands, "")
    return pc.replace_substring(values, ",", ".") if decimal == "," else values


def _typed_numbers(values: Column, with_nulls: Column) -> pd.Series | None:
    """int64 when every value is an integer and none is missing, else float64; None for integers
    too large for 64 bits (kept as text: account numbers and the like lose digits as floats)."""
    try:
        integers = pc.cast(pc.utf8_ltrim(values, "+"), pa.int64())
    except pa.ArrowInvalid:
        if _all_match(values, _INTEGER):
            return None
        integers = None
    if integers is not None and len(values) == len(with_nulls):
        return pd.Series(integers.to_numpy(), dtype=np.int64)
    floats = pc.cast(with_nulls, pa.float64())
    return pd.Series(floats.to_numpy(zero_copy_only=False), dtype=np.float64)


def _number_note(name: str, decimal: str, thousands: str | None, signs: str) -> str:
    parts = []
    if thousands:
        parts.append(f"thousands separator {thousands if thousands == _SPACE_NAME else repr(thousands)}")
    if decimal == ",":
        parts.append("decimal comma")
    if "()" in signs:
        parts.append("values in parentheses read as negative")
    currencies = [sign for sign in signs if sign in _CURRENCY + "%"]
    if currencies:
        parts.append(f"{' '.join(currencies)} signs removed" + ("; 12% read as 12" if "%" in signs else ""))
    return f"column {name!r}: read as numbers ({', '.join(parts)})"


def _dates(name: str, values: Column, with_nulls: Column, findings: Findings) -> pd.Series | None:
    """The column as UTC datetimes when every present value looks like a date and parses; else None."""
    if not _all_match(values, _DATE):
        return None
    parsed, offsets = _iso_dates(with_nulls)
    if parsed is None:
        dayfirst, ambiguous = _day_first(values, findings.decimal_hint)
        parsed = _parsed_dates(with_nulls, dayfirst)
        if parsed is None:
            return None
        if ambiguous is not None:
            order = "day first" if dayfirst else "month first"
            findings.notes.append(f"column {name!r}: dates such as {ambiguous} are ambiguous: read {order}")
        offsets = bool(pc.any(pc.match_substring_regex(values, _OFFSET)).as_py())
    if offsets:
        findings.notes.append(f"column {name!r}: dates with time-zone offsets converted to UTC")
    return parsed


def _iso_dates(with_nulls: Column) -> tuple[pd.Series | None, bool]:
    """ISO 8601 dates all with an offset, or all without one (taken as UTC), parsed by Arrow (100x
    faster than pandas), and whether they had offsets; None when they are not such dates."""
    for kind in (pa.timestamp("us", "UTC"), pa.timestamp("us")):
        try:
            stamps = pc.cast(with_nulls, kind).to_pandas()
            if kind.tz is None:
                stamps = stamps.dt.tz_localize("UTC")
            return stamps.astype("datetime64[ns, UTC]"), kind.tz is not None
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError, OverflowError):
            continue
    return None, False


def _day_first(values: Column, decimal_hint: str) -> tuple[bool, str | None]:
    """Whether dates such as 03/04/2021 are day first, and one of them when no value settles it."""
    parts = pc.extract_regex(pc.utf8_lower(values), _DAY_MONTH)
    matched = pc.drop_null(parts)
    if len(matched) == 0:
        return False, None
    first = pc.max(pc.cast(pc.struct_field(matched, "first"), pa.int32())).as_py()
    second = pc.max(pc.cast(pc.struct_field(matched, "second"), pa.int32())).as_py()
    if first > 12 or second > 12:
        return first > 12, None
    example = pc.filter(values, pc.is_valid(parts))[0].as_py()
    return decimal_hint == ",", example


def _parsed_dates(with_nulls: Column, dayfirst: bool) -> pd.Series | None:
    """Dates in any format pandas reads (ISO 8601, then each value's own format); None when one
    does not parse."""
    series = pd.Series(with_nulls.to_numpy(zero_copy_only=False), dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fmt in ("ISO8601", "mixed"):
            try:
                parsed = pd.to_datetime(series, utc=True, format=fmt, dayfirst=dayfirst)
            except (ValueError, OverflowError, TypeError):
                continue
            return parsed.astype("datetime64[ns, UTC]")
    return None

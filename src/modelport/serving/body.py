"""The body of an online prediction request: its three accepted shapes, parsed into rows.

:func:`parse_body` accepts the three body shapes of ``POST /deployments/{id}/predict`` and returns the
rows as a list of ``{column: value}`` dicts; their values are checked against the model's input schema
afterwards, by :func:`modelport.tabular.validation.to_frame`. Raises
:class:`~modelport.errors.InvalidArgument` (HTTP 422) and nothing else for a bad body.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

import numpy
import orjson

from modelport.errors import InvalidArgument
from modelport.tabular.validation import show

__all__ = [
    "BODY_SHAPES",
    "MAX_JSON_DEPTH",
    "check_json_depth",
    "json_depth_exceeds",
    "parse_body",
    "parse_json",
]

BODY_SHAPES: Final = (
    '{"inputs": [{"column": value, ...}, ...]}, '
    '{"dataframe_split": {"columns": [...], "data": [[...], ...]}} or '
    '{"dataframe_records": [{"column": value, ...}, ...]}'
)
"""The accepted request bodies, as shown in error messages."""

MAX_JSON_DEPTH: Final = 64
"""Deepest nesting of arrays and objects accepted in a JSON body (a prediction body needs 4 levels).

Deeper bodies are refused before they are parsed: Python's ``json`` recurses once per level (a
``RecursionError`` past ~1,000), orjson stops at 1,024, and pydantic cannot write back a value nested
more than a few hundred levels deep."""

_JSON_STRING: Final = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET: Final = bytes(b for b in range(256) if b not in b"[]{}")
_LONG_INTEGER: Final = re.compile(rb"[0-9]{19}")
_DEPTH_CHUNK: Final = 1 << 20


def json_depth_exceeds(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays and objects nest more than ``limit`` levels deep in the JSON text ``raw``.

    A linear scan without recursion, in bounded memory whatever the size: strings are removed (so
    brackets inside them do not count), then the running depth of the remaining brackets is summed in
    chunks, stopping at the first level past ``limit``. Meant to run before a parser that recurses; on
    text that is not JSON the answer is only an estimate, and the parser reports the error.
    """
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKET)
    depth = 0
    for start in range(0, len(brackets), _DEPTH_CHUNK):
        piece = numpy.frombuffer(brackets, numpy.uint8, min(_DEPTH_CHUNK, len(brackets) - start), start)
        steps = numpy.where((piece == ord("[")) | (piece == ord("{")), 1, -1)
        levels = numpy.cumsum(steps) + depth
        if int(levels.max()) > limit:
            return True
        depth = int(levels[-1])
    return False


def check_json_depth(raw: bytes, field: str = "body") -> None:
    """Raise InvalidArgument (``field``) when ``raw`` nests deeper than :data:`MAX_JSON_DEPTH`."""
    if json_depth_exceeds(raw):
        raise InvalidArgument(
            f"the JSON {field} nests arrays or objects more than {MAX_JSON_DEPTH} levels deep", field=field
        )


def parse_json(raw: bytes | str, field: str = "body") -> Any:
    """The value of the JSON text ``raw``, or InvalidArgument (``field``) saying why it is not one.

    orjson parses it when it can (fast); the standard library when it holds what orjson would change
    or refuse: integers of 19 digits or more (orjson turns those past 64 bits into floats, so that
    ``-9223372036854775809`` would become ``-2**63`` and be scored), ``NaN`` and ``Infinity`` literals
    (read as missing values by the checks), or nesting past orjson's limit. Before the standard
    library's recursive parser runs, the nesting is bounded (:func:`check_json_depth`).
    """
    data = raw.encode() if isinstance(raw, str) else raw
    if not _LONG_INTEGER.search(data):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    check_json_depth(data, field)
    try:
        return json.loads(data)
    except ValueError as exc:  # UnicodeDecodeError is a ValueError
        raise InvalidArgument(f"the {field} is not valid JSON: {exc}", field=field) from None


def parse_body(body: Any, max_rows: int) -> list[dict[str, Any]]:
    """The rows of a prediction request body, as ``{column: value}`` dicts (values untouched).

    Accepted bodies, with exactly one key:

    * ``{"inputs": [{"col": value, ...}, ...]}`` (or one object as ``"inputs"``: one row);
    * MLflow's ``{"dataframe_split": {"columns": [...], "data": [[...], ...], "index": [...]}}``
      (``index`` optional and ignored: rows are numbered by position from 0);
    * MLflow's ``{"dataframe_records": [{...}, ...]}``.

    Raises InvalidArgument: any other body (``field="body"``, the message lists the accepted shapes);
    no rows (``field="inputs"``); more than ``max_rows`` rows (``field="inputs"``, the message gives the
    limit); a row that is not an object (``field="inputs[3]"`` / ``"dataframe_records[3]"``); a
    ``dataframe_split`` whose columns are not unique strings or whose row ``i`` is not a list of
    ``len(columns)`` values (``field="dataframe_split.data[i]"``). Column names and values are checked
    later, against the schema, by :func:`to_frame`.
    """
    if not isinstance(body, dict):
        raise InvalidArgument(
            f"the body must be a JSON object, got {show(body)}: expected {BODY_SHAPES}", field="body"
        )
    keys = list(body)
    if len(keys) != 1 or keys[0] not in ("inputs", "dataframe_split", "dataframe_records"):
        given = ", ".join(repr(k) for k in keys[:10]) or "none"
        raise InvalidArgument(
            f"the body must have exactly one of the keys 'inputs', 'dataframe_split' or 'dataframe_records' "
            f"(given: {given}): expected {BODY_SHAPES}",
            field="body",
        )
    key = keys[0]
    value = body[key]
    if key == "dataframe_split":
        return _parse_split(value, max_rows)
    if key == "inputs" and isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        what = "a list of objects (one per row) or one object" if key == "inputs" else "a list of objects"
        raise InvalidArgument(f"'{key}' must be {what}, got {show(value)}", field=key)
    _check_count(len(value), max_rows)
    for i, row in enumerate(value):
        if not isinstance(row, dict):
            raise InvalidArgument(
                f"row {i}: expected an object of column values, got {show(row)}", field=f"{key}[{i}]"
            )
    return value


def _check_count(count: int, max_rows: int) -> None:
    if count == 0:
        raise InvalidArgument("no rows: give at least one input row", field="inputs")
    if count > max_rows:
        raise InvalidArgument(
            f"too many rows: {count} in one request, the limit is {max_rows} "
            "(run a batch execution on a file for more)",
            field="inputs",
        )


def _parse_split(split: Any, max_rows: int) -> list[dict[str, Any]]:
    field = "dataframe_split"
    if not isinstance(split, dict):
        raise InvalidArgument(
            f"'dataframe_split' must be an object with 'columns' and 'data', got {show(split)}",
            field=field,
        )
    unknown = [k for k in split if k not in ("columns", "data", "index")]
    if unknown:
        raise InvalidArgument(
            f"'dataframe_split' has unknown key {unknown[0]!r}: expected 'columns', 'data' and optionally "
            "'index'",
            field=f"{field}.{unknown[0]}",
        )
    columns = split.get("columns")
    data = split.get("data")
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise InvalidArgument(
            f"'dataframe_split.columns' must be a list of column names, got {show(columns)}",
            field=f"{field}.columns",
        )
    if len(set(columns)) != len(columns):
        seen: set[str] = set()
        for name in columns:
            if name in seen:
                raise InvalidArgument(
                    f"'dataframe_split.columns' names column {name!r} twice", field=f"{field}.columns"
                )
            seen.add(name)
    if not isinstance(data, list):
        raise InvalidArgument(
            f"'dataframe_split.data' must be a list of rows (lists of values), got {show(data)}",
            field=f"{field}.data",
        )
    _check_count(len(data), max_rows)
    index = split.get("index")
    if index is not None and (not isinstance(index, list) or len(index) != len(data)):
        raise InvalidArgument(
            f"'dataframe_split.index' must be a list of {len(data)} labels (one per row), got {show(index)}",
            field=f"{field}.index",
        )
    width = len(columns)
    rows: list[dict[str, Any]] = []
    for i, values in enumerate(data):
        if not isinstance(values, list) or len(values) != width:
            got = f"{len(values)} values" if isinstance(values, list) else show(values)
            raise InvalidArgument(
                f"row {i}: expected a list of {width} values (one per column), got {got}",
                field=f"{field}.data[{i}]",
            )
        rows.append(dict(zip(columns, values, strict=True)))
    return rows

"""The body of an online prediction request: its three accepted shapes, parsed into rows.

:func:`parse_body` accepts the three body shapes of ``POST /deployments/{id}/predict`` and returns the
rows as a list of ``{column: value}`` dicts; their values are checked against the model's input schema
afterwards, by :func:`modelport.tabular.validation.to_frame`. Raises
:class:`~modelport.errors.InvalidArgument` (HTTP 422) and nothing else for a bad body.
"""

from __future__ import annotations

from typing import Any, Final

from modelport.errors import InvalidArgument
from modelport.tabular.validation import show

__all__ = ["BODY_SHAPES", "parse_body"]

BODY_SHAPES: Final = (
    '{"inputs": [{"column": value, ...}, ...]}, '
    '{"dataframe_split": {"columns": [...], "data": [[...], ...]}} or '
    '{"dataframe_records": [{"column": value, ...}, ...]}'
)
"""The accepted request bodies, as shown in error messages."""


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

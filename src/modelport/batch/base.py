"""The batch engine interface: a job, its result, how an engine reports, and the column checks every
engine applies to a chunk. Engines: :mod:`modelport.batch.local` (``local``) and
:mod:`modelport.batch.spark` (``spark``); :mod:`modelport.batch.engines` picks one by name."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from modelport.columns import ModelSchema
from modelport.errors import InvalidArgument


class Cancelled(Exception):
    """The execution was cancelled while it ran."""


class Reporter(Protocol):
    """How an engine tells the world what it is doing."""

    def progress(self, rows_read: int, rows_written: int) -> None: ...

    def log(self, message: str) -> None: ...

    def cancelled(self) -> bool: ...


@dataclass
class BatchJob:
    input_path: Path
    input_format: str
    model_path: Path
    flavor: str
    schema: ModelSchema
    output_path: Path
    output_format: str
    chunk_rows: int
    total_rows: int | None = None
    options: dict[str, Any] = field(default_factory=dict)
    on_bad_rows: str = "reject"
    """``reject``: a row that does not fit the schema fails the run; ``skip``: it is left out of the
    results and written to ``errors_path`` (local engine)."""
    errors_path: Path | None = None
    """Where a ``skip`` run writes its rejected rows (CSV: row, column, value, reason)."""


@dataclass
class BatchResult:
    rows_read: int
    rows_written: int
    summary: dict[str, Any]
    rejected_rows: int = 0
    """Rows left out by ``on_bad_rows="skip"`` (listed in the job's ``errors_path``)."""


class BatchEngine(ABC):
    name: str

    @abstractmethod
    def run(self, job: BatchJob, reporter: Reporter) -> BatchResult:
        """Score ``job.input_path`` into ``job.output_path``; the output exists only if this returns."""


def select_columns(chunk: Any, schema: ModelSchema, first_row: int) -> Any:
    """The schema's columns of a chunk, checked; a row that does not fit raises InvalidArgument naming
    the first such row (1-based data row in the whole file) and column, with up to 20 problems, in
    row order, in its details."""
    features, _, refused = check_chunk(chunk, schema, first_row, skip=True)
    if refused:
        row, column, _, reason = refused[0]
        more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
        raise InvalidArgument(
            f"data row {row}, column {column!r}: {reason}{more}",
            field="file",
            details=[{"row": r, "column": c, "message": m} for r, c, _, m in refused[:20]],
        )
    return features


ERROR_COLUMNS = ["row", "column", "value", "reason"]
"""The columns of a run's errors file: the data row (1 = the first row after the header), the column,
the value as the file gives it, and why it was refused."""


def check_chunk(chunk: Any, schema: ModelSchema, first_row: int, skip: bool) -> tuple[Any, Any, list[Any]]:
    """The schema's columns of a chunk, checked: the features to score, the positions (in ``chunk``)
    of the rows they are, and the refused rows as ``[row, column, value, reason]`` lists (``row``:
    1-based data row in the whole file).

    Without ``skip``, a refused row raises InvalidArgument (as :func:`select_columns`); with it, the
    rows that fit are kept and every problem of the others is listed. A column missing from the file
    raises either way.
    """
    import numpy

    from modelport.tabular.validation import split_rows

    if not skip:
        return select_columns(chunk, schema, first_row), numpy.arange(len(chunk)), []
    _check_present(chunk, schema)
    # One walk finds every problem, in row order (the text in a number column as the rest).
    found: list[Any] = []
    parsed = parse_text_numbers(chunk, schema, found)
    # Rows with text in a number column are refused as such (their value became missing when parsed).
    rest = numpy.setdiff1d(numpy.arange(len(chunk)), [row for row, _, _, _ in found])
    good, kept, problems = split_rows(parsed.iloc[rest], schema)
    refused = found + [(int(rest[p.row]), p.column, p.value, p.reason) for p in problems]
    order = {name: i for i, name in enumerate(schema.names())}
    refused.sort(key=lambda r: (r[0], order.get(r[1], 0)))
    listed = [
        [first_row + row + 1, column, _as_text(value), reason] for row, column, value, reason in refused
    ]
    return good, rest[kept], listed


def _as_text(value: Any) -> str:
    """A refused value as the errors file shows it: missing values empty, others as text."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return value if isinstance(value, str) else str(value)


def _check_present(chunk: Any, schema: ModelSchema) -> None:
    missing = [c for c in schema.names() if c not in chunk.columns]
    if missing:
        raise InvalidArgument(f"the input lacks the column(s) {', '.join(missing)}", field="file")


def parse_text_numbers(chunk: Any, schema: ModelSchema, refused: list[Any] | None = None) -> Any:
    """A file is text: a numeric column that a reader left as text (one odd value makes the whole
    column text) is parsed here. A value that is not a number raises InvalidArgument whose details
    name its row (0-based within ``chunk``) and column, as :func:`to_frame` does; or, when ``refused``
    is given, is appended to it as ``(row, column, value, reason)`` and becomes missing."""
    import pandas as pd

    numeric = [
        c.name for c in schema.columns if c.type in ("number", "integer") and chunk[c.name].dtype == object
    ]
    if not numeric:
        return chunk
    chunk = chunk.copy()
    problems: list[dict[str, Any]] = []
    for name in numeric:
        text = chunk[name]
        parsed = pd.to_numeric(text, errors="coerce")
        bad = (parsed.isna() & text.notna() & (text.astype(str).str.strip() != "")).to_numpy().nonzero()[0]
        if refused is not None:
            for position in bad:
                value = text.iloc[position]
                refused.append((int(position), name, value, f"expected a number, got {value!r}"))
        for position in bad[:20]:
            message = f"row {position}, column {name!r}: expected a number, got {text.iloc[position]!r}"
            problems.append({"row": int(position), "column": name, "message": message})
        chunk[name] = parsed
    if problems and refused is None:
        problems.sort(key=lambda p: p["row"])
        raise InvalidArgument(problems[0]["message"], field="file", details=problems[:20])
    return chunk

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


@dataclass
class BatchResult:
    rows_read: int
    rows_written: int
    summary: dict[str, Any]


class BatchEngine(ABC):
    name: str

    @abstractmethod
    def run(self, job: BatchJob, reporter: Reporter) -> BatchResult:
        """Score ``job.input_path`` into ``job.output_path``; the output exists only if this returns."""


def select_columns(chunk: Any, schema: ModelSchema, first_row: int) -> Any:
    """The schema's columns of a chunk, checked; errors name the data row in the whole file (1-based)."""
    from modelport.tabular.validation import to_frame

    missing = [c for c in schema.names() if c not in chunk.columns]
    if missing:
        raise InvalidArgument(f"the input lacks the column(s) {', '.join(missing)}", field="file")
    try:
        return to_frame(parse_text_numbers(chunk, schema), schema, allow_extra=True)
    except InvalidArgument as exc:
        problems = []
        for detail in exc.details or []:
            row = first_row + int(detail["row"]) + 1
            reason = str(detail["message"]).split(": ", 1)[-1]
            problems.append({"row": row, "column": detail["column"], "message": reason})
        if not problems:
            raise
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InvalidArgument(
            f"data row {first['row']}, column {first['column']!r}: {first['message']}{more}",
            field="file",
            details=problems,
        ) from None


def parse_text_numbers(chunk: Any, schema: ModelSchema) -> Any:
    """A file is text: a numeric column that a reader left as text (one odd value makes the whole
    column text) is parsed here. A value that is not a number raises InvalidArgument whose details
    name its row (0-based within ``chunk``) and column, as :func:`to_frame` does."""
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
        for position in bad[:20]:
            message = f"row {position}, column {name!r}: expected a number, got {text.iloc[position]!r}"
            problems.append({"row": int(position), "column": name, "message": message})
        chunk[name] = parsed
    if problems:
        problems.sort(key=lambda p: p["row"])
        raise InvalidArgument(problems[0]["message"], field="file", details=problems[:20])
    return chunk

"""Cleaning steps: checked against a dataset's columns, previewed, replayed in a trained pipeline.

Column steps (drop_columns, cast, missing_tokens, impute, clip, date_parts) make the :class:`Cleaner`,
the first stage of a trained pipeline: it learns impute values and quantile bounds on fit and replays
them on the raw columns a served model receives. Row steps (drop_duplicates, filter_rows, which keeps
the rows where its condition holds) apply to the training data only (:func:`apply_rows`).

Steps run in their order: a row step sees the columns as the column steps before it left them (a
filter after a cast compares numbers), and a step may not name a column that an earlier step dropped.
A training runs ``apply_rows`` on the dataset, then fits the Cleaner on the rows kept; :func:`preview`
does exactly that, so what a user previews is what the model learns from.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, TypeAdapter, ValidationError
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from modelport.errors import InvalidArgument
from modelport.flavors.base import to_python
from modelport.schemas import (
    CleaningPreview,
    CleaningStep,
    ClipStep,
    DatePartsStep,
    DropColumnsStep,
    DropDuplicatesStep,
    FilterRowsStep,
    ImputeStep,
    MissingTokensStep,
    StepEffect,
)
from modelport.training.steps import ROW_OPS, Step, column_step, fmt, row_step, step_name
from modelport.training.values import (
    storage_kind,
    to_bools,
    to_dates,
    to_numbers,
    to_text,
)

__all__ = [
    "ROW_OPS",
    "Cleaner",
    "apply_rows",
    "check_steps",
    "column_steps",
    "columns_after",
    "preview",
    "row_steps",
    "split_target",
    "unread_columns",
]

StepInput = CleaningStep | Mapping[str, Any]

_ADAPTER: TypeAdapter[CleaningStep] = TypeAdapter(CleaningStep)


def _parse(steps: Sequence[StepInput]) -> list[Step]:
    parsed: list[Step] = []
    for i, raw in enumerate(steps):
        if isinstance(raw, BaseModel):
            parsed.append(raw)
            continue
        if not isinstance(raw, Mapping):
            raise InvalidArgument(f"step {i + 1}: a step is an object with an 'op'", field=f"steps[{i}]")
        try:
            parsed.append(_ADAPTER.validate_python(dict(raw)))
        except ValidationError as exc:
            error = exc.errors()[0]
            loc = [str(p) for p in error["loc"]]
            if loc and loc[0] == str(raw.get("op")):
                loc = loc[1:]
            if error["type"].startswith("union_tag"):
                loc = ["op"]
            field = f"steps[{i}]" + "".join(f".{p}" for p in loc)
            where = f" ({raw.get('op')})" if isinstance(raw.get("op"), str) else ""
            about = f"{'.'.join(loc)}: " if loc else ""
            raise InvalidArgument(f"step {i + 1}{where}: {about}{error['msg']}", field=field) from None
    return parsed


def _as_dicts(steps: Sequence[StepInput], row: bool) -> list[dict[str, Any]]:
    return [s.model_dump(mode="json") for s in _parse(steps) if (s.op in ROW_OPS) == row]


def column_steps(steps: Sequence[StepInput]) -> list[dict[str, Any]]:
    """The column steps, as plain dicts (what :class:`Cleaner` takes)."""
    return _as_dicts(steps, row=False)


def row_steps(steps: Sequence[StepInput]) -> list[dict[str, Any]]:
    """The row steps (drop_duplicates, filter_rows), as plain dicts."""
    return _as_dicts(steps, row=True)


# --- checking ------------------------------------------------------------------------------------


def check_steps(columns: Sequence[str], steps: Sequence[StepInput]) -> None:
    """Refuse steps that cannot apply to a frame with ``columns``: an unknown column (or one an earlier
    step dropped), clip bounds in the wrong order or quantiles outside 0-1, a constant impute without a
    value, a filter without a value. InvalidArgument names the step and its field (``steps[2].column``).
    Whether a cast reads every value is only known on the data (:func:`preview`)."""
    _columns_after(columns, _parse(steps))


def columns_after(columns: Sequence[str], steps: Sequence[StepInput]) -> list[str]:
    """The columns that a frame with ``columns`` has after the steps (checked as by :func:`check_steps`)."""
    return _columns_after(columns, _parse(steps))


def unread_columns(columns: Sequence[str], steps: Sequence[StepInput]) -> list[str]:
    """The raw ``columns`` that a pipeline cleaned by ``steps`` never reads: dropped by a drop_columns step
    before any date_parts step took parts from them. A served model does not need them (its Cleaner adds
    a missing column), so the version's input schema leaves them out."""
    read: set[str] = set()
    unread: list[str] = []
    for step in _parse(steps):
        if isinstance(step, DatePartsStep):
            read.add(step.column)
        elif isinstance(step, DropColumnsStep):
            unread += [c for c in step.columns if c in columns and c not in read and c not in unread]
    return unread


def split_target(
    steps: Sequence[StepInput], target: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The column steps of a training on ``target``, as plain dicts, in two lists: the features' (the
    Cleaner of the trained pipeline, which never sees the target) and the target's own (cast, missing
    tokens, impute, clip, to apply to the target column before training). A missing_tokens step on every
    column goes to both. InvalidArgument when a step drops the target or splits it into date parts."""
    features: list[dict[str, Any]] = []
    own: list[dict[str, Any]] = []
    for i, step in enumerate(_parse(steps)):
        data = step.model_dump(mode="json")
        if step.op in ROW_OPS:
            continue
        if isinstance(step, DropColumnsStep) and target in step.columns:
            raise InvalidArgument(
                f"{step_name(i, step)} drops the target {target!r}", field=f"steps[{i}].columns"
            )
        if isinstance(step, DatePartsStep) and step.column == target:
            raise InvalidArgument(
                f"{step_name(i, step)}: the target {target!r} cannot be split into date parts",
                field=f"steps[{i}].column",
            )
        if isinstance(step, MissingTokensStep) and step.column is None:
            features.append(data)
            own.append(data)
        elif getattr(step, "column", None) == target:
            own.append(data)
        else:
            features.append(data)
    return features, own


def _columns_after(columns: Sequence[str], steps: list[Step]) -> list[str]:
    present = list(columns)
    dropped: dict[str, int] = {}

    def need(i: int, step: Step, column: str, field: str) -> None:
        if column in present:
            return
        why = f" (step {dropped[column] + 1} removed it)" if column in dropped else ""
        raise InvalidArgument(f"{step_name(i, step)}: there is no column {column!r}{why}", field=field)

    for i, step in enumerate(steps):
        where = f"steps[{i}]"
        if isinstance(step, DropColumnsStep | DropDuplicatesStep):
            for column in step.columns or []:
                need(i, step, column, f"{where}.columns")
            if isinstance(step, DropColumnsStep):
                for column in step.columns:
                    if column in present:
                        present.remove(column)
                        dropped[column] = i
        elif isinstance(step, MissingTokensStep):
            if step.column is not None:
                need(i, step, step.column, f"{where}.column")
        else:
            need(i, step, step.column, f"{where}.column")
        if isinstance(step, ImputeStep) and step.strategy == "constant" and step.value is None:
            raise InvalidArgument(
                f"{step_name(i, step)}: a constant impute needs a value", field=f"{where}.value"
            )
        if isinstance(step, ClipStep):
            _check_clip(i, step)
        if isinstance(step, FilterRowsStep):
            _check_filter(i, step)
        if isinstance(step, DatePartsStep):
            for part in step.parts:
                name = f"{step.column}_{part}"
                if name in present:
                    raise InvalidArgument(
                        f"{step_name(i, step)}: the column {name!r} already exists", field=f"{where}.parts"
                    )
                present.append(name)
                dropped.pop(name, None)
            if step.drop:
                present.remove(step.column)
                dropped[step.column] = i
    return present


def _check_clip(i: int, step: ClipStep) -> None:
    where = f"steps[{i}]"
    if step.lower is None and step.upper is None:
        raise InvalidArgument(f"{step_name(i, step)}: give a lower or an upper bound", field=f"{where}.lower")
    for label, bound in (("lower", step.lower), ("upper", step.upper)):
        if bound is None:
            continue
        if not math.isfinite(bound):
            raise InvalidArgument(
                f"{step_name(i, step)}: the {label} bound must be a number", field=f"{where}.{label}"
            )
        if step.quantiles and not 0 <= bound <= 1:
            raise InvalidArgument(
                f"{step_name(i, step)}: the {label} quantile must be between 0 and 1, not {fmt(bound)}",
                field=f"{where}.{label}",
            )
    if step.lower is not None and step.upper is not None and step.lower > step.upper:
        raise InvalidArgument(
            f"{step_name(i, step)}: the lower bound {fmt(step.lower)} is above the upper bound "
            f"{fmt(step.upper)}",
            field=f"{where}.lower",
        )


def _check_filter(i: int, step: FilterRowsStep) -> None:
    field = f"steps[{i}].value"
    if step.operator in ("is_missing", "not_missing"):
        return
    if step.operator in ("in", "not_in"):
        if not isinstance(step.value, list) or not step.value:
            raise InvalidArgument(
                f"{step_name(i, step)}: '{step.operator}' needs a list of values", field=field
            )
    elif step.value is None or isinstance(step.value, list | dict):
        raise InvalidArgument(f"{step_name(i, step)}: '{step.operator}' needs one value", field=field)


def _apply_rows(frame: pd.DataFrame, steps: list[Step]) -> tuple[pd.DataFrame, dict[int, str]]:
    kept, view = frame, frame
    messages: dict[int, str] = {}
    last_row = max((i for i, s in enumerate(steps) if s.op in ROW_OPS), default=-1)
    for i, step in enumerate(steps[: last_row + 1]):
        if step.op in ROW_OPS:
            keep, messages[i] = row_step(view, i, step)
            if not keep.all():
                kept, view = kept[keep], view[keep]
        else:
            view, _, _ = column_step(view, i, step, fit=True, learnt=None)
    return kept, messages


def apply_rows(frame: pd.DataFrame, steps: Sequence[StepInput]) -> pd.DataFrame:
    """The rows of ``frame`` that the row steps keep (raw columns, index kept); column steps are only
    used to show each row step the columns as they are at its place in the sequence."""
    return _apply_rows(frame, _parse(steps))[0]


# --- the transformer -----------------------------------------------------------------------------


def _empty_column(dtype: str, index: pd.Index) -> pd.Series:
    if dtype.startswith(("int", "uint", "float")):
        return pd.Series(np.nan, index=index, dtype=float)
    if dtype == "bool":
        dtype = "boolean"
    return pd.Series(np.nan if dtype == "object" else None, index=index, dtype=dtype)


def _align(series: pd.Series, trained: str) -> pd.Series:
    """A served column read in the kind of storage the Cleaner was fitted on (JSON gives text, numbers
    and None where the training data had dates or booleans)."""
    if storage_kind(series) == trained:
        return series
    if trained == "number":
        return to_numbers(series)
    if trained == "bool":
        return to_bools(series)
    if trained == "datetime":
        return to_dates(series)
    return to_text(series)


class Cleaner(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """The column steps of a dataset as the first stage of a pipeline, from raw columns to cleaned ones.

    ``steps`` are plain dicts (:func:`column_steps`). Fit learns impute values and quantile bounds;
    transform replays them. A column missing at transform time is added as missing, extra columns are
    left out, and a column that arrives as text where the training data had numbers, booleans or dates
    is read in that type. The fitted state is builtins and numpy arrays only (a skops file holds it).
    """

    def __init__(self, steps: list[dict[str, Any]] | None = None) -> None:
        self.steps = steps

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        return tags

    def _steps(self) -> list[Step]:
        return _parse(self.steps or [])

    def fit(self, X: pd.DataFrame, y: Any = None) -> Cleaner:
        """Learn the impute values and quantile bounds of the steps on ``X``."""
        self._fit(X)
        return self

    def fit_transform(self, X: pd.DataFrame, y: Any = None, **fit_params: Any) -> pd.DataFrame:
        """Fit on ``X`` and return it cleaned."""
        return self._fit(X)[0]

    def _fit(self, X: pd.DataFrame, at: Sequence[int] | None = None) -> tuple[pd.DataFrame, list[str]]:
        """The cleaned frame and what each step did. ``at``: the user's index of each step, for the
        refusals that depend on the data (:func:`preview`, whose caller has checked the whole list);
        the Cleaner's own positions otherwise."""
        if not isinstance(X, pd.DataFrame):
            raise TypeError("Cleaner takes a pandas DataFrame")
        steps = self._steps()
        for i, step in enumerate(steps):
            if step.op in ROW_OPS:
                raise InvalidArgument(
                    f"{step_name(i, step)} removes rows: it is not a column step", field=f"steps[{i}].op"
                )
        names = [str(c) for c in X.columns]
        check_steps(names, steps)
        frame = X.copy(deep=False)
        frame.columns = names
        self.feature_names_in_ = np.asarray(names, dtype=object)
        self.n_features_in_ = len(names)
        self.dtypes_in_ = [str(t) for t in X.dtypes]
        self.kinds_in_ = [storage_kind(frame[c]) for c in names]
        learnt: list[dict[str, Any] | None] = []
        messages: list[str] = []
        for i, step in enumerate(steps):
            frame, state, message = column_step(
                frame, i if at is None else at[i], step, fit=True, learnt=None
            )
            learnt.append(state)
            messages.append(message)
        self.learnt_ = learnt
        self.feature_names_out_ = np.asarray([str(c) for c in frame.columns], dtype=object)
        return frame, messages

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Clean ``X`` with what fit learnt."""
        check_is_fitted(self, "learnt_")
        if not isinstance(X, pd.DataFrame):
            raise TypeError("Cleaner takes a pandas DataFrame")
        columns: dict[str, Any] = {}
        for name, dtype, kind in zip(self.feature_names_in_, self.dtypes_in_, self.kinds_in_, strict=True):
            if name in X.columns:
                columns[name] = _align(X[name], kind).array
            else:
                columns[name] = _empty_column(dtype, X.index).array
        frame = pd.DataFrame(columns, index=X.index)  # arrays: no alignment on a repeated index
        for i, step in enumerate(self._steps()):
            frame, _, _ = column_step(frame, i, step, fit=False, learnt=self.learnt_[i])
        return frame

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The cleaned columns' names."""
        check_is_fitted(self, "feature_names_out_")
        return np.asarray(self.feature_names_out_, dtype=object)


# --- preview -------------------------------------------------------------------------------------


def preview(frame: pd.DataFrame, steps: Sequence[StepInput], limit: int = 50) -> CleaningPreview:
    """The first ``limit`` rows after every step (JSON-ready values), the row counts before and after,
    and what each step did, as a training would run them (row steps, then the Cleaner on the rows kept).
    """
    parsed = _parse(steps)
    check_steps([str(c) for c in frame.columns], parsed)
    kept, messages = _apply_rows(frame, parsed)
    at = [i for i, s in enumerate(parsed) if s.op not in ROW_OPS]
    cleaner = Cleaner([parsed[i].model_dump(mode="json") for i in at])
    cleaned, said = cleaner._fit(kept, at=at)
    column_messages = iter(said)
    effects = [
        StepEffect(step=i, op=s.op, message=messages[i] if s.op in ROW_OPS else next(column_messages))
        for i, s in enumerate(parsed)
    ]
    head = cleaned.head(limit)
    names = [str(c) for c in head.columns]
    rows = [
        {name: to_python(value) for name, value in zip(names, values, strict=True)}
        for values in head.itertuples(index=False, name=None)
    ]
    return CleaningPreview(
        columns=names, rows=rows, rows_before=len(frame), rows_after=len(cleaned), effects=effects
    )

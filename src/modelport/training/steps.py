"""What each cleaning step does to a frame: the row steps' masks and the column steps' changes.

:mod:`modelport.training.cleaning` orders them (checks, preview, the Cleaner); each function here
returns, with its result, a sentence saying what it did ("3 rows removed").
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from modelport.errors import InvalidArgument
from modelport.flavors.base import to_python
from modelport.schemas import (
    CastStep,
    ClipStep,
    DatePartsStep,
    DropColumnsStep,
    DropDuplicatesStep,
    FilterRowsStep,
    ImputeStep,
    MissingTokensStep,
)
from modelport.training.values import (
    parse_bool,
    parse_number,
    storage_kind,
    text_of,
    to_bools,
    to_dates,
    to_numbers,
    to_text,
)

__all__ = ["ROW_OPS", "Step", "column_step", "fmt", "row_step", "step_name"]

Step = (
    DropColumnsStep
    | CastStep
    | MissingTokensStep
    | ImputeStep
    | ClipStep
    | DatePartsStep
    | DropDuplicatesStep
    | FilterRowsStep
)

ROW_OPS = frozenset({"drop_duplicates", "filter_rows"})
"""Steps that remove rows: they apply to training data, never to a served row."""


def step_name(i: int, step: Step) -> str:
    return f"step {i + 1} ({step.op})"


def fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value) if isinstance(value, str) else str(value)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


# --- row steps -----------------------------------------------------------------------------------


def _typed(series: pd.Series, value: Any, i: int, step: FilterRowsStep) -> Any:
    """``value`` in the type of ``series``, for a comparison."""
    kind = storage_kind(series)
    typed: Any
    if kind == "number":
        typed = parse_number(value) if isinstance(value, str) else value
        if isinstance(typed, bool) or not isinstance(typed, int | float) or math.isnan(typed):
            typed = None
    elif kind == "bool":
        typed = parse_bool(value)
    elif kind == "datetime":
        try:
            typed = pd.Timestamp(value)
        except (TypeError, ValueError):
            typed = None
        if typed is not None and not pd.isna(typed):
            tz = getattr(series.dtype, "tz", None)
            if typed.tzinfo is None and tz is not None:
                typed = typed.tz_localize(tz)
            elif typed.tzinfo is not None and tz is None:
                typed = typed.tz_convert(None)
        else:
            typed = None
    else:
        typed = text_of(value)
    if typed is None:
        expected = {"number": "a number", "bool": "true or false", "datetime": "a date"}[kind]
        raise InvalidArgument(
            f"{step_name(i, step)}: column {step.column!r} holds {kind} values; {value!r} is not {expected}",
            field=f"steps[{i}].value",
        )
    return typed


_COMPARE = {
    "==": lambda s, v: s == v,
    "!=": lambda s, v: s != v,
    "<": lambda s, v: s < v,
    "<=": lambda s, v: s <= v,
    ">": lambda s, v: s > v,
    ">=": lambda s, v: s >= v,
}


def _keep(frame: pd.DataFrame, i: int, step: FilterRowsStep) -> np.ndarray:
    series = frame[step.column]
    if step.operator == "is_missing":
        return np.asarray(series.isna(), dtype=bool)
    if step.operator == "not_missing":
        return np.asarray(series.notna(), dtype=bool)
    if storage_kind(series) == "object":
        numbers = to_numbers(series)
        values = step.value if isinstance(step.value, list) else [step.value]
        numeric_values = [parse_number(v) if isinstance(v, str) else v for v in values]
        if (
            step.operator in ("<", "<=", ">", ">=")
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in numeric_values)
            and not (numbers.isna() & series.notna()).any()
        ):
            series = numbers  # text holding numbers is compared as numbers
        else:
            series = to_text(series)
    if step.operator in ("in", "not_in"):
        found = series.isin([_typed(series, v, i, step) for v in step.value])
        mask = found if step.operator == "in" else ~found
    else:
        mask = _COMPARE[step.operator](series, _typed(series, step.value, i, step))
    # A missing value matches no comparison, except "is not equal to".
    missing_matches = step.operator in ("!=", "not_in")
    return np.asarray(pd.Series(mask).astype("boolean").fillna(missing_matches), dtype=bool)


def row_step(frame: pd.DataFrame, i: int, step: Step) -> tuple[np.ndarray, str]:
    if isinstance(step, DropDuplicatesStep):
        keep = ~frame.duplicated(subset=step.columns).to_numpy()
        removed = int((~keep).sum())
        return keep, f"{_plural(removed, 'duplicated row')} removed"
    assert isinstance(step, FilterRowsStep)
    keep = _keep(frame, i, step)
    condition = f"{step.column} {step.operator.replace('_', ' ')}"
    if step.operator not in ("is_missing", "not_missing"):
        condition += f" {fmt(step.value)}"
    return keep, f"kept the rows where {condition}: {_plural(int((~keep).sum()), 'row')} removed"


# --- column steps --------------------------------------------------------------------------------


def _numeric(frame: pd.DataFrame, i: int, step: ImputeStep | ClipStep, fit: bool) -> pd.Series:
    """The column as float64; on fit, refuse a column of text or dates (cast it first)."""
    series = frame[step.column]
    kind = storage_kind(series)
    if fit and kind in ("datetime", "object"):
        numbers = to_numbers(series) if kind == "object" else None
        if numbers is None or (numbers.isna() & series.notna()).any():
            raise InvalidArgument(
                f"{step_name(i, step)}: column {step.column!r} is not numeric; cast it to number first",
                field=f"steps[{i}].column",
            )
    return to_numbers(series)


def _learn_fill(series: pd.Series, i: int, step: ImputeStep, frame: pd.DataFrame) -> Any:
    if step.strategy == "constant":
        return to_python(step.value)
    if step.strategy in ("mean", "median"):
        numbers = _numeric(frame, i, step, fit=True).dropna()
        numbers = numbers[np.isfinite(numbers)]
        if numbers.empty:
            return None
        return float(numbers.mean() if step.strategy == "mean" else numbers.median())
    counts = series.value_counts(dropna=True)
    if counts.empty:
        return None
    # Ties go to the smallest value, as scikit-learn's SimpleImputer does.
    best = counts[counts == counts.max()].index
    try:
        value = min(best)
    except TypeError:
        value = best[0]
    return to_python(value)


def _fill(series: pd.Series, value: Any, i: int, step: ImputeStep) -> pd.Series:
    kind = storage_kind(series)
    if step.strategy in ("mean", "median") or (kind == "number" and not isinstance(value, bool)):
        numeric = parse_number(value) if isinstance(value, str) else value
        if isinstance(numeric, int | float) and not math.isnan(numeric):
            numbers = to_numbers(series)
            if series.dtype == "Int64" and float(numeric).is_integer():
                return numbers.fillna(numeric).astype("Int64")
            return numbers.fillna(numeric)
    if kind == "bool" and parse_bool(value) is not None:
        return series.astype("boolean").fillna(parse_bool(value))
    if kind == "datetime":
        stamp = pd.Timestamp(value)
        tz = getattr(series.dtype, "tz", None)
        if tz is not None:
            stamp = stamp.tz_localize(tz) if stamp.tzinfo is None else stamp.tz_convert(tz)
        return series.fillna(stamp)
    if kind != "object":
        raise InvalidArgument(
            f"{step_name(i, step)}: {value!r} does not fit column {step.column!r}, which holds {kind} values",
            field=f"steps[{i}].value",
        )
    return series.astype(object).where(series.notna(), value)


def _impute(
    frame: pd.DataFrame, i: int, step: ImputeStep, fit: bool, learnt: dict[str, Any] | None
) -> tuple[dict[str, Any], str]:
    series = frame[step.column]
    if fit:
        learnt = {"value": _learn_fill(series, i, step, frame)}
    assert learnt is not None
    value = learnt["value"]
    missing = int(series.isna().sum())
    if value is None:
        return (
            learnt,
            f"no value in {step.column!r} to learn the {step.strategy} from; {missing} cells left missing",
        )
    frame[step.column] = _fill(series, value, i, step)
    how = "the constant" if step.strategy == "constant" else f"the {step.strategy.replace('_', ' ')}"
    return learnt, f"{_plural(missing, 'cell')} of {step.column!r} imputed with {how} {fmt(value)}"


def _clip(
    frame: pd.DataFrame, i: int, step: ClipStep, fit: bool, learnt: dict[str, Any] | None
) -> tuple[dict[str, Any], str]:
    numbers = _numeric(frame, i, step, fit)
    if fit:
        learnt = {"lower": step.lower, "upper": step.upper}
        if step.quantiles:
            finite = numbers[np.isfinite(numbers)].to_numpy()
            for key, q in (("lower", step.lower), ("upper", step.upper)):
                learnt[key] = float(np.quantile(finite, q)) if q is not None and finite.size else None
    assert learnt is not None
    lower, upper = learnt["lower"], learnt["upper"]
    low = numbers < lower if lower is not None else pd.Series(False, index=numbers.index)
    high = numbers > upper if upper is not None else pd.Series(False, index=numbers.index)
    frame[step.column] = numbers.clip(lower=lower, upper=upper)
    bounds = f"[{fmt(lower) if lower is not None else '-inf'}, {fmt(upper) if upper is not None else 'inf'}]"
    message = f"{_plural(int(low.sum() + high.sum()), 'cell')} of {step.column!r} clipped to {bounds}"
    if step.quantiles:
        message += f" (quantiles {fmt(step.lower) if step.lower is not None else '-'}"
        message += f" and {fmt(step.upper) if step.upper is not None else '-'})"
    return learnt, message


_PARTS = {
    "year": lambda d: d.dt.year,
    "month": lambda d: d.dt.month,
    "day": lambda d: d.dt.day,
    "weekday": lambda d: d.dt.weekday,
    "hour": lambda d: d.dt.hour,
    "dayofyear": lambda d: d.dt.dayofyear,
}


def _date_parts(frame: pd.DataFrame, i: int, step: DatePartsStep, fit: bool) -> tuple[pd.DataFrame, str]:
    series = frame[step.column]
    dates = series if storage_kind(series) == "datetime" else to_dates(series)
    if fit and storage_kind(series) != "datetime" and dates.isna().all() and series.notna().any():
        raise InvalidArgument(
            f"{step_name(i, step)}: column {step.column!r} holds no date; cast it to date first",
            field=f"steps[{i}].column",
        )
    position = list(frame.columns).index(step.column) + 1
    names = []
    for offset, part in enumerate(step.parts):
        name = f"{step.column}_{part}"
        values = _PARTS[part](dates).to_numpy(dtype=float, na_value=np.nan)
        if name in frame.columns:
            frame = frame.drop(columns=[name])
        frame.insert(min(position + offset, frame.shape[1]), name, values)
        names.append(name)
    message = "added " + ", ".join(names)
    if step.drop:
        frame = frame.drop(columns=[step.column])
        message += f"; dropped {step.column!r}"
    return frame, message


def _missing_tokens(frame: pd.DataFrame, step: MissingTokensStep) -> str:
    words = {t.strip().lower() for t in step.tokens}
    numbers = {n for n in (parse_number(t) for t in step.tokens) if not math.isnan(n)}
    counts: dict[str, int] = {}
    for column in [step.column] if step.column is not None else list(frame.columns):
        series = frame[column]
        kind = storage_kind(series)
        if kind == "object":
            codes, uniques = pd.factorize(series, use_na_sentinel=True)
            hits = [j for j, u in enumerate(uniques) if text_of(u).strip().lower() in words]
            mask = np.isin(codes, hits)
        elif kind == "number" and numbers:
            mask = series.isin(list(numbers)).to_numpy(dtype=bool)
        else:
            continue
        count = int(mask.sum())
        if count:
            frame[column] = series.mask(mask)
            counts[str(column)] = count
    message = f"{_plural(sum(counts.values()), 'cell')} set to missing"
    if counts and step.column is None:
        shown = sorted(counts.items(), key=lambda item: -item[1])
        message += " (" + ", ".join(f"{name}: {count}" for name, count in shown[:5])
        message += ", ...)" if len(shown) > 5 else ")"
    return message


_CASTS = {
    "number": to_numbers,
    "boolean": to_bools,
    "date": to_dates,
    "category": to_text,
    "text": to_text,
}


def _cast(frame: pd.DataFrame, step: CastStep) -> str:
    series = frame[step.column]
    if step.to == "integer":
        cast = to_numbers(series).round().astype("Int64") if len(series) else series.astype("Int64")
    else:
        cast = _CASTS[step.to](series)
    frame[step.column] = cast
    lost = int((cast.isna() & series.notna()).sum())
    message = f"column {step.column!r} cast to {step.to}"
    if lost:
        message += f"; {_plural(lost, 'value')} could not be read and became missing"
    return message


def column_step(
    frame: pd.DataFrame, i: int, step: Step, fit: bool, learnt: dict[str, Any] | None
) -> tuple[pd.DataFrame, dict[str, Any] | None, str]:
    """Apply one column step to ``frame`` (a copy, changed in place); learn on ``fit``."""
    frame = frame.copy(deep=False)
    if isinstance(step, DropColumnsStep):
        present = [c for c in step.columns if c in frame.columns]
        return frame.drop(columns=present), None, f"dropped {', '.join(repr(c) for c in present)}"
    if isinstance(step, CastStep):
        return frame, None, _cast(frame, step)
    if isinstance(step, MissingTokensStep):
        return frame, None, _missing_tokens(frame, step)
    if isinstance(step, ImputeStep):
        learnt, message = _impute(frame, i, step, fit, learnt)
        return frame, learnt, message
    if isinstance(step, ClipStep):
        learnt, message = _clip(frame, i, step, fit, learnt)
        return frame, learnt, message
    if isinstance(step, DatePartsStep):
        frame, message = _date_parts(frame, i, step, fit)
        return frame, None, message
    raise InvalidArgument(
        f"{step_name(i, step)} removes rows: it is not a column step", field=f"steps[{i}].op"
    )

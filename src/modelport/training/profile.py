"""A dataset's profile: each column's kind and statistics, warnings, and the columns that look like targets.

Kinds are guessed from the values, not only the storage: a text column of numbers is a number, of
``yes``/``no`` a boolean, of dates a date; unique or nearly unique codes (``C-00123``, a consecutive
integer ``customer_id``) are IDs; a column of numbers with a few words (``unknown``) is a number that
gets the ``mixed_types`` warning, an ID only by its name. Text columns are judged on a sample of their
distinct values, so a 100k-row frame profiles in about a second.

The target leak check fits, for each column alone, a shallow decision tree (numbers, dates, booleans)
or a per-value lookup (categories, text) on 70 % of a sample of at most 20k rows and scores it on the
other 30 %: a balanced accuracy or R² of 0.98 or more is a suspected leak.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from modelport.errors import InvalidArgument
from modelport.schemas import (
    ColumnKind,
    ColumnProfile,
    DatasetProfile,
    HistogramBin,
    ProfileWarning,
    ValueCount,
)
from modelport.training.values import (
    FALSE_WORDS,
    TRUE_WORDS,
    parse_number,
    storage_kind,
    text_of,
    to_bools,
    to_dates,
    to_numbers,
    to_text,
)

__all__ = ["LEAK_SCORE", "column_stats", "profile_frame"]

BINS = 20
TOP_VALUES = 10
SAMPLE_DISTINCT = 2000
LEAK_ROWS = 20_000
LEAK_SCORE = 0.98
"""A column alone reaching this balanced accuracy (or R²) on held-out rows is a suspected leak."""

_QUANTILES = {"p5": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95}
_ID_WORDS = frozenset(
    {"id", "uuid", "guid", "key", "ref", "reference", "nr", "no", "num", "number", "code", "identifier"}
)
_TARGET_WORDS = frozenset(
    {"target", "label", "churn", "churned", "class", "outcome", "y", "fraud", "survived", "converted"}
)
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_LEADING_ZERO = re.compile(r"^0\d")
_TOKEN = re.compile(r"^[\w.:/#@+-]{1,64}$")
_DIGIT = re.compile(r"\d")
_DATE_LIKE = re.compile(
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{1,2}\s*[A-Za-zéû]{3,10}\.?,?\s*\d{2,4}"
    r"|[A-Za-zéû]{3,10}\.?\s+\d{1,2},?\s+\d{4}|\d{8}T?\d{0,6}"
)
_DATE_SAMPLE = 200

Task = Literal["classification", "regression"]


def _words(name: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(name)]


def _id_name(name: str) -> bool:
    words = _words(name)
    return bool(words) and (words[-1] in _ID_WORDS or words[0] == "id")


def _target_name(name: str) -> bool:
    words = _words(name)
    return name.strip().lower() == "y" or any(w in _TARGET_WORDS - {"y"} for w in words)


@dataclass
class _Column:
    """A column's profile and what the warnings and the leak check need beside it."""

    profile: ColumnProfile
    values: pd.Series | None = None
    """Numbers (float, NaN for missing) for numbers, booleans and dates (seconds); None otherwise."""
    infinities: int = 0
    numbers_and_words: tuple[int, int] | None = None
    single: str | None = None
    """The value of a column that holds one value."""


# --- kinds ---------------------------------------------------------------------------------------


def _sample(counts: pd.Series) -> pd.Series:
    """Distinct values with their counts: all of them, or a seeded sample of them."""
    if len(counts) <= SAMPLE_DISTINCT:
        return counts
    return counts.sample(SAMPLE_DISTINCT, random_state=0)


def _numeric_kind(name: str, numbers: pd.Series, distinct: int, words: int = 0) -> ColumnKind:
    """The kind of a column of numbers; ``words`` counts the rows of a text column that were not
    numbers (``unknown``, ``ten``): people typed those, so the column is no generated row counter."""
    finite = numbers[np.isfinite(numbers)]
    if finite.empty:
        return "number"
    if distinct == 2 and finite.isin([0.0, 1.0]).all():
        return "boolean"
    if not (finite == np.round(finite)).all():
        return "number"
    unique_share = distinct / len(finite)
    span = float(finite.max()) - float(finite.min()) + 1
    # A row counter: distinct, consecutive or nearly so, in order.
    counter = not words and span <= 1.1 * len(finite) and finite.is_monotonic_increasing
    if len(finite) >= 20 and unique_share >= 0.99 and (_id_name(name) or counter):
        return "id"
    return "integer"


def _text_kind(name: str, counts: pd.Series, present: int) -> tuple[ColumnKind, tuple[int, int]]:
    """The kind of an object column from its distinct values, with the rows of numbers and of words."""
    sample = _sample(counts)
    texts = [text_of(v).strip() for v in sample.index]
    weights = sample.to_numpy(dtype=float)
    total = float(weights.sum()) or 1.0
    is_number = np.array([not math.isnan(parse_number(t)) and not _LEADING_ZERO.match(t) for t in texts])
    scale = present / total
    numbers = round(float(weights[is_number].sum()) * scale)
    words = present - numbers
    lowered = {t.lower() for t in texts}
    if lowered <= TRUE_WORDS | FALSE_WORDS and len(lowered) <= 2 and not lowered <= {"0", "1"}:
        return "boolean", (0, 0)
    if numbers / present >= 0.9:
        return "number", (numbers, words)
    has_digit = np.array([bool(_DIGIT.search(t)) for t in texts])
    dated = np.array([bool(_DATE_LIKE.match(t)) for t in texts])
    if dated.any() and float(weights[dated].sum()) / total >= 0.9:
        candidates = np.asarray(texts, dtype=object)[dated][:_DATE_SAMPLE]
        if to_dates(pd.Series(candidates)).notna().mean() >= 0.9:
            return "date", (numbers, words)
    distinct = len(counts)
    unique_share = distinct / present
    lengths = np.array([len(t) for t in texts], dtype=float)
    spaces = np.array([t.count(" ") for t in texts], dtype=float)
    if present >= 10 and (unique_share >= 0.95 or (unique_share >= 0.9 and _id_name(name))):
        tokens = all(_TOKEN.match(t) for t in texts)
        if _id_name(name) or (tokens and has_digit.mean() >= 0.9):
            return "id", (numbers, words)
    if np.average(lengths, weights=weights) >= 40 or np.average(spaces, weights=weights) >= 3:
        return "text", (numbers, words)
    if distinct > 50 and unique_share >= 0.5 and spaces.mean() >= 1:
        return "text", (numbers, words)
    return "category", (numbers, words)


# --- statistics ----------------------------------------------------------------------------------


def _float(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _histogram(values: np.ndarray, integer: bool) -> list[HistogramBin]:
    if values.size == 0:
        return []
    low, high = float(values.min()), float(values.max())
    if low == high:
        return [HistogramBin(start=low, end=high, count=int(values.size))]
    if not math.isfinite(high - low):  # values near the largest float: no bin width can be written
        return []
    if integer and high - low < BINS:
        counts, edges = np.histogram(values, bins=int(high - low) + 1, range=(low - 0.5, high + 0.5))
    else:
        counts, edges = np.histogram(values, bins=BINS, range=(low, high))
    return [
        HistogramBin(start=float(edges[i]), end=float(edges[i + 1]), count=int(c))
        for i, c in enumerate(counts)
    ]


def _number_stats(profile: ColumnProfile, numbers: pd.Series) -> int:
    """Fill the numeric statistics; the number of infinite values."""
    array = numbers.to_numpy(dtype=float)
    finite = array[np.isfinite(array)]
    infinities = int(np.isinf(array).sum())
    if finite.size:
        with np.errstate(over="ignore", invalid="ignore"):  # sums of values near the largest float
            _fill_number_stats(profile, finite)
    return infinities


def _fill_number_stats(profile: ColumnProfile, finite: np.ndarray) -> None:
    profile.min, profile.max = float(finite.min()), float(finite.max())
    profile.mean = _float(finite.mean())
    profile.std = _float(finite.std(ddof=1)) if finite.size > 1 else 0.0
    quantiles = [_float(q) for q in np.quantile(finite, list(_QUANTILES.values()))]
    profile.quantiles = {k: q for k, q in zip(_QUANTILES, quantiles, strict=True) if q is not None}
    profile.histogram = _histogram(finite, profile.kind in ("integer", "id"))


def _date_stats(profile: ColumnProfile, dates: pd.Series) -> pd.Series:
    """Fill the date statistics (min/max ISO 8601, histogram in seconds since 1970); the seconds."""
    seconds = to_numbers(dates)
    present = dates.dropna()
    if not present.empty:
        profile.min, profile.max = present.min().isoformat(), present.max().isoformat()
        profile.histogram = _histogram(seconds.dropna().to_numpy(), False)
    return seconds


def _top_values(counts: pd.Series) -> list[ValueCount]:
    return [ValueCount(value=text_of(v), count=int(c)) for v, c in counts.head(TOP_VALUES).items()]


def _analyse(series: pd.Series, name: str) -> _Column:
    rows = len(series)
    missing = int(series.isna().sum())
    storage = storage_kind(series)
    numbers = to_numbers(series) if storage == "number" else None
    counts = None if numbers is not None else series.value_counts(sort=True, dropna=True)
    distinct = int(numbers.nunique()) if numbers is not None else len(counts)  # type: ignore[arg-type]
    profile = ColumnProfile(
        name=name,
        kind="category",
        dtype=str(series.dtype),
        missing=missing,
        missing_share=missing / rows if rows else 0.0,
        distinct=distinct,
    )
    column = _Column(profile=profile)
    if distinct == 1:
        column.single = text_of(series.dropna().iloc[0])
    if storage == "bool":
        profile.kind = "boolean"
    elif storage == "datetime":
        profile.kind = "date"
    elif numbers is not None:
        profile.kind = _numeric_kind(name, numbers, distinct) if distinct else "number"
    elif counts is not None and distinct:
        profile.kind, column.numbers_and_words = _text_kind(name, counts, rows - missing)
        if profile.kind == "number":
            numbers = to_numbers(series)
            _, words = column.numbers_and_words
            profile.kind = _numeric_kind(name, numbers, int(numbers.nunique()), words)
    else:
        profile.kind = "text"
    if profile.kind in ("number", "integer") or (profile.kind == "id" and numbers is not None):
        numbers = to_numbers(series) if numbers is None else numbers
        column.infinities = _number_stats(profile, numbers)
        column.values = numbers.where(np.isfinite(numbers))
    elif profile.kind == "date":
        column.values = _date_stats(profile, series if storage == "datetime" else to_dates(series))
    elif profile.kind in ("boolean", "category", "text"):
        counts = series.value_counts(sort=True, dropna=True) if counts is None else counts
        profile.top_values = _top_values(counts)
        if profile.kind == "boolean":
            column.values = _bool_numbers(series)
    return column


def _bool_numbers(series: pd.Series) -> pd.Series:
    return to_numbers(to_bools(series))


def column_stats(frame: pd.DataFrame) -> list[ColumnProfile]:
    """Each column's kind and statistics (the reference statistics of a trained version)."""
    return [_analyse(frame[c], str(c)).profile for c in frame.columns]


# --- warnings ------------------------------------------------------------------------------------


def _column_warnings(column: _Column, rows: int) -> list[ProfileWarning]:
    p = column.profile
    found: list[ProfileWarning] = []

    def warn(code: Any, message: str) -> None:
        found.append(ProfileWarning(code=code, column=p.name, message=message))

    if rows and p.missing == rows:
        warn("all_missing", f"{p.name} is empty in every row")
    elif p.missing_share > 0.5:
        warn("many_missing", f"{p.name} is missing in {p.missing_share:.0%} of the rows")
    if p.distinct == 1:
        warn("constant", f"{p.name} holds a single value ({column.single}): it cannot help a model")
    if p.kind == "id":
        warn(
            "id_like",
            f"{p.name} looks like an identifier ({p.distinct} distinct values): leave it out of training",
        )
    if p.kind == "category" and (
        p.distinct > 100 or (p.distinct > 20 and p.distinct > 0.5 * (rows - p.missing))
    ):
        warn("high_cardinality", f"{p.name} has {p.distinct} distinct values")
    if column.numbers_and_words is not None and p.kind != "id":
        numbers, words = column.numbers_and_words
        if numbers and words:
            warn(
                "mixed_types",
                f"{p.name} mixes numbers ({numbers} rows) and text ({words} rows); "
                "cast it to number or category to decide",
            )
    if column.infinities:
        plural = "" if column.infinities == 1 else "s"
        warn("infinities", f"{p.name} holds {column.infinities} infinite value{plural}")
    return found


def _task(column: _Column) -> Task | None:
    kind = column.profile.kind
    if kind in ("boolean", "category"):
        return "classification"
    if kind == "integer":
        return "classification" if column.profile.distinct <= 20 else "regression"
    if kind == "number":
        return "regression"
    return None


def _imbalance(column: _Column, y: pd.Series) -> ProfileWarning | None:
    counts = y.value_counts()
    if len(counts) < 2:
        return None
    share = counts.iloc[-1] / counts.sum()
    if share >= 0.1 or counts.iloc[-1] / counts.iloc[0] >= 0.25:
        return None
    return ProfileWarning(
        code="class_imbalance",
        column=column.profile.name,
        message=(
            f"the rarest class of {column.profile.name}, {counts.index[-1]!r}, is {share:.1%} of the rows: "
            "prefer F1 or ROC-AUC to accuracy"
        ),
    )


def _encoded_target(column: _Column, target: pd.Series, task: Task) -> pd.Series:
    """The target's known values: numbers for a regression, class names as text otherwise."""
    if task == "regression":
        values = column.values if column.values is not None else to_numbers(target)
        return values[np.isfinite(values)]
    classes = to_text(target.dropna())
    if column.profile.kind == "boolean":  # one class per spelling of yes and no, whatever its case
        classes = classes.str.strip().str.lower()
    return classes


def _score(task: Task, truth: np.ndarray, predicted: np.ndarray) -> float:
    """R² for a regression, balanced accuracy (the mean recall of the classes) for class codes."""
    if task == "regression":
        spread = float(((truth - truth.mean()) ** 2).sum())
        return 1 - float(((truth - predicted) ** 2).sum()) / spread if spread > 0 else 0.0
    width = int(max(truth.max(), predicted.max())) + 1
    support = np.bincount(truth, minlength=width)
    hits = np.bincount(truth[truth == predicted], minlength=width)
    present = support > 0
    return float((hits[present] / support[present]).mean())


def _lookup_predictions(keys: np.ndarray, y: np.ndarray, train: np.ndarray, task: Task) -> np.ndarray:
    """Each held-out row predicted by its value's mean (or most frequent class) among the training rows."""
    keys = keys + 1  # missing values (-1) are a value of their own
    width = int(keys.max()) + 1
    known = np.bincount(keys[train], minlength=width)
    if task == "regression":
        sums = np.bincount(keys[train], weights=y[train], minlength=width)
        means = np.divide(sums, known, out=np.full(width, float(y[train].mean())), where=known > 0)
        return np.asarray(means[keys[~train]])
    pairs = pd.DataFrame({"key": keys[train], "y": y[train]}).value_counts()
    modes = pairs.reset_index().drop_duplicates("key")  # value_counts sorts the most frequent first
    table = np.full(width, int(np.bincount(y[train]).argmax()))
    table[modes["key"].to_numpy()] = modes["y"].to_numpy()
    return np.asarray(table[keys[~train]])


def _leak_score(
    values: np.ndarray | None, keys: np.ndarray | None, y: np.ndarray, train: np.ndarray, task: Task
) -> float:
    """How well one column (``values`` as numbers, else ``keys`` as value codes) predicts ``y`` on the
    rows outside ``train``."""
    if values is None:
        assert keys is not None
        return _score(task, y[~train], _lookup_predictions(keys, y, train, task))
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    x = values.reshape(-1, 1)
    if task == "classification":
        tree = DecisionTreeClassifier(max_depth=4, random_state=0).fit(x[train], y[train])
        return _score(task, y[~train], np.asarray(tree.predict(x[~train])))
    regression = DecisionTreeRegressor(max_depth=6, random_state=0).fit(x[train], y[train])
    score = _score(task, y[~train], np.asarray(regression.predict(x[~train])))
    known = train & np.isfinite(values)
    if known.sum() >= 2 and np.ptp(values[known]) > 0:  # a straight line: a unit change, a copy
        x_known, y_known = values[known], y[known]
        slope = float(np.cov(x_known, y_known, ddof=0)[0, 1] / np.var(x_known))
        intercept = float(y_known.mean() - slope * x_known.mean())
        held = ~train & np.isfinite(values)
        if held.sum() == (~train).sum():
            score = max(score, _score(task, y[~train], slope * values[~train] + intercept))
    return score


def _split(truth: np.ndarray, task: Task) -> np.ndarray:
    """A seeded 70/30 split (stratified for classes): True for the training rows."""
    rng = np.random.default_rng(0)
    if task == "regression":
        return np.asarray(rng.random(len(truth)) < 0.7)
    train = np.zeros(len(truth), dtype=bool)
    for code in np.unique(truth):
        rows = np.flatnonzero(truth == code)
        rng.shuffle(rows)
        train[rows[: round(0.7 * len(rows))]] = True
    return train


def _enough_held_out(truth: np.ndarray, task: Task) -> bool:
    """Whether a perfect score on these held-out rows would mean something: 30 rows for a regression,
    two classes with 5 rows each for a classification."""
    if task == "regression":
        return len(truth) >= 30
    return len(truth) > 0 and int((np.bincount(truth) >= 5).sum()) >= 2


def _leaks(
    frame: pd.DataFrame, columns: dict[str, _Column], target: str, task: Task, y: pd.Series
) -> list[ProfileWarning]:
    if len(y) > LEAK_ROWS:
        y = y.sample(LEAK_ROWS, random_state=0)
    if len(y) < 20 or y.nunique() < 2:
        return []
    rows = y.index.to_numpy()  # positions: the frame has a RangeIndex
    truth = y.to_numpy(dtype=float) if task == "regression" else pd.factorize(y)[0]
    train = _split(truth, task)
    if not _enough_held_out(truth[~train], task):
        return []
    found = []
    for name, other in columns.items():
        p = other.profile
        if name == target or p.distinct < 2:
            continue
        if other.values is not None:
            score = _leak_score(other.values.to_numpy(dtype=float)[rows], None, truth, train, task)
        else:
            keys = pd.factorize(frame[name].to_numpy()[rows])[0]
            score = _leak_score(None, keys, truth, train, task)
        if score >= LEAK_SCORE:
            measure = "R²" if task == "regression" else "balanced accuracy"
            found.append(
                ProfileWarning(
                    code="target_leak",
                    column=name,
                    message=(
                        f"{name} alone predicts {target} almost perfectly ({measure} {score:.3f} on held-out "
                        "rows): it may only be known after the outcome; leave it out unless it is known "
                        "when predicting"
                    ),
                )
            )
    return found


# --- the profile ---------------------------------------------------------------------------------


def _suggested_targets(columns: dict[str, _Column], order: list[str]) -> list[str]:
    def usable(name: str) -> bool:
        p = columns[name].profile
        return p.kind not in ("id", "date", "text") and p.distinct >= 2

    named = [n for n in order if _target_name(n) and usable(n)]
    last = [order[-1]] if order and usable(order[-1]) else []
    booleans = [n for n in order if columns[n].profile.kind == "boolean" and usable(n)]
    few = [
        n
        for n in order
        if columns[n].profile.kind in ("category", "integer")
        and columns[n].profile.distinct <= 20
        and usable(n)
    ]
    suggested: list[str] = []
    for name in [*named, *last, *booleans, *few]:
        if name not in suggested:
            suggested.append(name)
    return suggested[:10]


def _duplicated_rows(frame: pd.DataFrame, columns: list[_Column]) -> int:
    rows = len(frame)
    if frame.shape[1] == 0 or rows < 2:
        return 0
    for column in columns:  # a column of distinct values (one blank at most) has no repeated row
        if column.profile.missing <= 1 and column.profile.distinct + column.profile.missing == rows:
            return 0
    try:
        return int(frame.duplicated().sum())
    except TypeError:  # unhashable cells (lists) cannot repeat a row we can see
        return 0


def profile_frame(
    frame: pd.DataFrame,
    target: str | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> DatasetProfile:
    """The profile of ``frame``; the imbalance and leak checks use ``target``, or else a column named
    like a target (``target``, ``label``, ``churn``...). ``on_progress`` gets the share done, 0 to 1."""

    def progress(share: float) -> None:
        if on_progress is not None:
            on_progress(min(1.0, share))

    rows = len(frame)
    order = [str(c) for c in frame.columns]
    if target is not None and target not in order:
        raise InvalidArgument(f"there is no column {target!r} in the dataset", field="target")
    data = frame.copy(deep=False)
    data.index = pd.RangeIndex(rows)
    data.columns = order
    columns: dict[str, _Column] = {}
    for i, name in enumerate(order):
        columns[name] = _analyse(data.iloc[:, i], name)
        progress(0.8 * (i + 1) / max(1, len(order)))
    warnings: list[ProfileWarning] = []
    for column in columns.values():
        warnings.extend(_column_warnings(column, rows))
    duplicated = _duplicated_rows(data, list(columns.values()))
    if duplicated:
        warnings.append(
            ProfileWarning(
                code="duplicated_rows",
                message=f"{duplicated} rows repeat an earlier row ({duplicated / rows:.1%} of the rows)",
            )
        )
    progress(0.85)
    suggested = _suggested_targets(columns, order)
    checked = target if target is not None else next((n for n in suggested if _target_name(n)), None)
    task = _task(columns[checked]) if checked is not None else None
    if checked is not None and task is not None:
        y = _encoded_target(columns[checked], data[checked], task)
        imbalance = _imbalance(columns[checked], y) if task == "classification" else None
        if imbalance is not None:
            warnings.append(imbalance)
        warnings.extend(_leaks(data, columns, checked, task, y))
    progress(1.0)
    return DatasetProfile(
        rows=rows,
        columns=[c.profile for c in columns.values()],
        duplicated_rows=duplicated,
        warnings=warnings,
        suggested_targets=suggested,
        target=checked,
    )

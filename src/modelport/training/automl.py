"""AutoML: the search for the best pipeline on a dataset, under a wall-clock budget.

``check_trainable`` refuses up front what cannot be trained (no feature column, a target missing or
empty, one class, a class with fewer than three rows, fewer than 20 rows, time-ordered folds whose
earliest rows hold one class). ``train`` then:

1. applies the row steps, cleans the target with the steps that name it (a cast of ``yes``/``no`` to
   boolean, an impute), drops rows without a target, detects the task and picks the metric; the
   other column steps make the pipeline's Cleaner, which never sees the target;
2. keeps a holdout out of every search (stratified, one row of each class at least; the latest rows
   when a time column is named); on small data it runs fewer folds than asked where a class has
   fewer rows left than folds (and says so in the log);
3. runs an Optuna search (seeded TPE) over the candidates, each configuration cross-validated
   (stratified shuffled k-fold, or time-ordered folds) with the Cleaner and the preprocessing fitted
   inside each fold; each candidate's default configuration is tried first, cheapest first;
4. stops when the next trial could not finish within the budget, keeping time for the final fit;
5. tunes the decision threshold on out-of-fold probabilities for F1/macro-F1 on binary tasks,
   and blends the best candidates (weighted soft voting / averaging) when the blend wins in CV;
6. fits ``Pipeline([("clean", Cleaner), ("model", best)])`` on all non-holdout rows.

Leaderboard updates go to ``on_update(leaderboard, progress)`` after every trial. Steps 1-2 are
here (the checks and the plan of the holdout and folds); the search itself (3-6) is
:class:`modelport.training.search.Search`.
"""

from __future__ import annotations

import math
import re
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold, TimeSeriesSplit, train_test_split
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from modelport.errors import InvalidArgument
from modelport.schemas import LeaderboardEntry
from modelport.training import metrics
from modelport.training.candidates import CANDIDATES, column_layout
from modelport.training.cleaning import ROW_OPS, Cleaner, apply_rows, check_steps, columns_after, split_target
from modelport.training.search import Prepared, Search, Split, TrainingCancelled, TrainOptions

__all__ = ["TrainOptions", "TrainOutcome", "TrainingCancelled", "check_trainable", "detect_task", "train"]

_MIN_ROWS = 20
_MAX_CLASSES_DETECTED = 20  # integer targets with more distinct values are read as regression


@dataclass
class TrainOutcome:
    """The result of :func:`train`: ``pipeline`` is fitted on ``X_train``/``y_train`` (raw columns, the
    Cleaner first); the holdout took no part in the search."""

    task: str
    metric: str
    leaderboard: list[LeaderboardEntry]
    best: LeaderboardEntry
    pipeline: Pipeline
    X_train: pd.DataFrame
    y_train: pd.Series
    X_holdout: pd.DataFrame
    y_holdout: pd.Series
    threshold: float | None
    classes: list[Any] | None
    seconds: float


# --- checks -------------------------------------------------------------------------------------


def detect_task(y: pd.Series) -> str:
    """``binary`` for two values, ``multiclass`` for text or a few integers, else ``regression``."""
    values = y.dropna()
    distinct = values.nunique()
    if distinct == 2:
        return "binary"
    if pd.api.types.is_bool_dtype(values.dtype):
        return "binary"
    if pd.api.types.is_numeric_dtype(values.dtype):
        numbers = values.astype(float)
        integral = bool(np.all(np.isfinite(numbers)) and np.all(numbers == np.round(numbers)))
        if integral and distinct <= _MAX_CLASSES_DETECTED:
            return "multiclass"
        return "regression"
    return "multiclass"


def _labels(y: pd.Series) -> pd.Series:
    """Class labels that sort: integral floats as ints, mixed or categorical values as text."""
    if not isinstance(y.dtype, np.dtype):  # categorical, nullable integers, booleans or strings
        y = pd.Series(y.to_numpy(dtype=object), index=y.index).infer_objects()
    if pd.api.types.is_float_dtype(y.dtype) and bool(np.all(y == np.round(y))):
        return y.astype(np.int64)
    if y.dtype == object:
        if len({type(v) for v in y}) > 1:
            return y.astype(str)
        if isinstance(y.iloc[0], bool | np.bool_):
            return y.astype(bool)
    return y


def _check_options(frame: pd.DataFrame, options: TrainOptions) -> None:
    if options.folds < 2:
        raise InvalidArgument("folds must be at least 2", field="folds")
    if not 0 < options.holdout < 0.5:
        raise InvalidArgument("holdout must be a share between 0 and 0.5", field="holdout")
    if options.budget_s <= 0:
        raise InvalidArgument("the budget must be a positive number of seconds", field="budget_s")
    unknown = [c for c in options.candidates or [] if c not in (*CANDIDATES, "ensemble")]
    if unknown:
        raise InvalidArgument(
            f"unknown candidates: {', '.join(unknown)} (one of {', '.join(CANDIDATES)}, ensemble)",
            field="candidates",
        )
    if options.candidates is not None and not [c for c in options.candidates if c != "ensemble"]:
        raise InvalidArgument("name at least one candidate besides the ensemble", field="candidates")
    if options.target not in frame.columns:
        raise InvalidArgument(
            f"the target column {options.target!r} is not in the dataset "
            f"(columns: {', '.join(map(str, frame.columns[:20]))})",
            field="target",
        )
    if options.time_column is not None:
        if options.time_column not in frame.columns:
            raise InvalidArgument(
                f"the time column {options.time_column!r} is not in the dataset", field="time_column"
            )
        if options.time_column == options.target:
            raise InvalidArgument("the time column cannot be the target", field="time_column")


def _time_order(series: pd.Series, column: str) -> np.ndarray:
    """Row positions in time order (rows without a time first)."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        keys = pd.to_numeric(series, errors="coerce").astype(float)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dates = pd.to_datetime(series, errors="coerce", utc=True, format="mixed")
        if dates.notna().sum() < max(1, 0.5 * series.notna().sum()):
            raise InvalidArgument(f"the time column {column!r} does not hold dates", field="time_column")
        keys = (dates - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds()
    filled = keys.fillna(-np.inf).to_numpy()
    return np.argsort(filled, kind="stable")


def _step_indices(steps: list[Any], target: str) -> tuple[list[int], list[int]]:
    """The user's index of each feature step and of each target step, in the order
    :func:`~modelport.training.cleaning.split_target` lists them."""
    features: list[int] = []
    own: list[int] = []
    for i, raw in enumerate(steps):
        step = raw if isinstance(raw, Mapping) else raw.model_dump(mode="json")
        if step["op"] in ROW_OPS:
            continue
        if step["op"] == "missing_tokens" and step.get("column") is None:
            features.append(i)
            own.append(i)
        elif step.get("column") == target:
            own.append(i)
        else:
            features.append(i)
    return features, own


_STEP_FIELD = re.compile(r"^steps\[(\d+)\]")
_STEP_NAME = re.compile(r"\bstep (\d+) \(")


@contextmanager
def _user_steps(indices: list[int]) -> Iterator[None]:
    """Refusals of a Cleaner fitted on a part of the steps, renumbered as the user's steps."""
    try:
        yield
    except InvalidArgument as error:
        match = _STEP_FIELD.match(error.field or "")
        if match is None or int(match[1]) >= len(indices):
            raise
        field = f"steps[{indices[int(match[1])]}]" + (error.field or "")[match.end() :]
        message = _STEP_NAME.sub(
            lambda m: f"step {indices[int(m[1]) - 1] + 1} (" if int(m[1]) <= len(indices) else m[0],
            error.message,
        )
        raise InvalidArgument(message, field=field, details=error.details) from None


def _prepare(frame: pd.DataFrame, options: TrainOptions) -> Prepared:
    _check_options(frame, options)
    columns = [str(c) for c in frame.columns]
    check_steps(columns, options.steps)
    feature_steps, target_steps = split_target(options.steps, options.target)
    feature_at, target_at = _step_indices(list(options.steps), options.target)
    if not [c for c in columns_after(columns, options.steps) if c != options.target]:
        raise InvalidArgument("the dataset has no feature column besides the target", field="dataset")
    kept = apply_rows(frame, options.steps) if options.steps else frame
    if kept.empty:
        raise InvalidArgument("the cleaning steps leave no row to train on", field="steps")
    target = kept[options.target]
    if target_steps:
        with _user_steps(target_at):
            target = Cleaner(target_steps).fit_transform(kept[[options.target]])[options.target]
    if pd.api.types.is_numeric_dtype(target.dtype) and not pd.api.types.is_bool_dtype(target.dtype):
        target = target.where(np.isfinite(target.astype(float)))
    present = target.notna().to_numpy()
    if not present.any():
        raise InvalidArgument(f"the target column {options.target!r} is empty", field="target")
    if pd.api.types.is_datetime64_any_dtype(target.dtype):
        raise InvalidArgument(f"the target column {options.target!r} holds dates", field="target")
    kept = kept[present]
    X = kept.drop(columns=[options.target])
    with _user_steps(feature_at):
        cleaned = Cleaner(feature_steps).fit_transform(X)
    layout = column_layout(cleaned)
    if not layout.used:
        reasons = ", ".join(f"{c} ({why})" for c, why in list(layout.dropped.items())[:10])
        raise InvalidArgument(
            f"no usable feature column: every column besides the target is left out ({reasons or 'none'})",
            field="dataset",
        )
    y = target[present]
    if len(y) < _MIN_ROWS:
        raise InvalidArgument(
            f"too few rows: {len(y)} with a target; at least {_MIN_ROWS} are needed to keep a holdout "
            "and cross-validate: add rows",
            field="dataset",
        )
    task = options.task or detect_task(y)
    classes: np.ndarray | None = None
    if task == "regression":
        numbers = pd.to_numeric(y, errors="coerce") if not pd.api.types.is_bool_dtype(y.dtype) else None
        if numbers is None or numbers.isna().any():
            raise InvalidArgument(
                f"a regression needs a numeric target; {options.target!r} holds text", field="task"
            )
        y = numbers.astype(float)
    elif task in ("binary", "multiclass"):
        y = _labels(y)
        classes = np.unique(y.to_numpy())
        if len(classes) < 2:
            raise InvalidArgument(
                f"the target {options.target!r} has one class only ({classes[0]!r}): nothing to learn",
                field="target",
            )
        if task == "binary" and len(classes) > 2:
            raise InvalidArgument(
                f"a binary task needs two classes; {options.target!r} has {len(classes)}", field="task"
            )
        if task == "multiclass" and len(classes) < 3:
            raise InvalidArgument(f"{options.target!r} has two classes: train a binary task", field="task")
    else:
        raise InvalidArgument(f"unknown task {task!r} (binary, multiclass or regression)", field="task")
    metric = options.metric or metrics.default_metric(task, y.to_numpy() if task == "binary" else None)
    metrics.check_metric(metric, task)
    order = _time_order(kept[options.time_column], options.time_column) if options.time_column else None
    split = _split(y.to_numpy(), classes, order, metric, options)
    return Prepared(
        X, y, task, metric, classes, layout, int((~present).sum()), feature_steps, feature_at, split
    )


def _holdout_size(n: int, share: float, classes: int) -> int:
    """Rows kept out: the share of ``n``; with classes (three rows each), at least one per class and
    at most what leaves two per class."""
    size = math.ceil(share * n)
    return min(max(size, classes), n - 2 * classes) if classes else size


def _stratified_holdout(codes: np.ndarray, size: int, seed: int) -> np.ndarray:
    """``size`` row positions drawn in each class in proportion to its rows, at least one per class and
    never more than leaves two of a class for cross-validation."""
    counts = np.bincount(codes)
    quota = size * counts / counts.sum()
    high = counts - 2
    take = np.clip(np.floor(quota), 1, high).astype(int)
    while take.sum() < size:
        room = np.flatnonzero(take < high)
        take[room[np.argmax((quota - take)[room])]] += 1
    while take.sum() > size:
        room = np.flatnonzero(take > 1)
        take[room[np.argmin((quota - take)[room])]] -= 1
    rng = np.random.default_rng(seed)
    picked = [rng.permutation(np.flatnonzero(codes == j))[:t] for j, t in enumerate(take)]
    return np.sort(np.concatenate(picked))


def _time_folds(
    y: np.ndarray, folds: int, classification: bool, scored_on_two: bool
) -> tuple[list[tuple[np.ndarray, np.ndarray]], int]:
    """Time-ordered folds of the training rows (in time order) and how many were left out: of a
    classification, those whose training rows hold one class only (the earliest rows), or whose
    validation rows do when the metric needs two classes (ROC-AUC)."""
    split = [(tr, va) for tr, va in TimeSeriesSplit(n_splits=folds).split(np.zeros(len(y)))]
    if not classification:
        return split, 0
    kept = [
        (tr, va)
        for tr, va in split
        if len(np.unique(y[tr])) >= 2 and (not scored_on_two or len(np.unique(y[va])) >= 2)
    ]
    return kept, len(split) - len(kept)


def _split(
    y: np.ndarray,
    classes: np.ndarray | None,
    order: np.ndarray | None,
    metric: str,
    options: TrainOptions,
) -> Split:
    """The holdout and the folds, adapted to a small dataset where that stays sound (fewer folds,
    a holdout of one row per class), else refused with what to do."""
    n = len(y)
    notes: list[str] = []
    classification = classes is not None
    folds = options.folds
    if order is not None:
        size = math.ceil(options.holdout * n)
        if classes is not None:
            size = min(max(size, len(classes)), n - len(classes))
        train, hold = order[: n - size], order[n - size :]
        y_train = y[train]
        most = min(folds, len(train) // 2 - 1)  # two validation rows per fold at least
        chosen: list[tuple[np.ndarray, np.ndarray]] = []
        count, left_out = most, 0
        for count in range(most, 1, -1):
            chosen, left_out = _time_folds(y_train, count, classification, metric == "roc_auc")
            if len(chosen) >= 2:
                break
        if len(chosen) < 2:
            needs = " (and validation rows, for ROC-AUC)" if metric == "roc_auc" else ""
            raise InvalidArgument(
                f"the rows ordered by {options.time_column!r} cannot make two time-ordered folds whose "
                f"training rows{needs} hold two classes or more: the earliest rows hold one class only; "
                "train without a time column, or add earlier rows of the other classes",
                field="time_column",
            )
        if count < folds or left_out:
            why = f" (the earliest rows of {left_out} more hold one class only)" if left_out else ""
            notes.append(f"{len(chosen)} time-ordered folds instead of {folds}{why}")
        return Split(train, hold, chosen, notes)
    if classes is None:
        size = _holdout_size(n, options.holdout, 0)
        train, hold = train_test_split(np.arange(n), test_size=size, random_state=options.seed)
        train, hold = np.sort(train), np.sort(hold)
        count = min(folds, len(train) // 2)
        if count < folds:
            notes.append(f"{count} folds instead of {folds}: {len(train)} rows left after the holdout")
        split = KFold(count, shuffle=True, random_state=options.seed).split(np.zeros(len(train)))
        return Split(train, hold, [(tr, va) for tr, va in split], notes)
    codes = np.searchsorted(classes, y)
    counts = np.bincount(codes, minlength=len(classes))
    rare = [(c, int(k)) for c, k in zip(classes, counts, strict=True) if k < 3]
    if rare:
        shown = ", ".join(
            f"{_builtin(c)!r} has {k} row{'s' if k > 1 else ''} ({k - 1} left after the holdout)"
            for c, k in rare[:5]
        )
        more = f" and {len(rare) - 5} more classes" if len(rare) > 5 else ""
        hint = "; a numeric target may be a regression: set task" if len(classes) > 10 else ""
        raise InvalidArgument(
            "each class needs at least 3 rows, one for the holdout and two to cross-validate: "
            f"{shown}{more}; add rows of these classes, or leave them out with a filter_rows step on the "
            f"target (not_in){hint}",
            field="target",
        )
    hold = _stratified_holdout(codes, _holdout_size(n, options.holdout, len(classes)), options.seed)
    train = np.setdiff1d(np.arange(n), hold)
    left = np.bincount(codes[train], minlength=len(classes))
    count = min(folds, int(left.min()))
    if count < folds:
        smallest = classes[int(np.argmin(left))]
        notes.append(
            f"{count} folds instead of {folds}: class {_builtin(smallest)!r} has {int(left.min())} rows "
            "left after the holdout (one per fold)"
        )
    split = StratifiedKFold(count, shuffle=True, random_state=options.seed).split(
        np.zeros(len(train)), codes[train]
    )
    return Split(train, hold, [(tr, va) for tr, va in split], notes)


def check_trainable(frame: pd.DataFrame, options: TrainOptions) -> None:
    """Refuse, with InvalidArgument naming the field, what :func:`train` could not train on."""
    _prepare(frame, options)


def _builtin(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def train(
    frame: pd.DataFrame,
    options: TrainOptions,
    *,
    on_update: Callable[[list[LeaderboardEntry], float], None] | None = None,
    log: Callable[[str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> TrainOutcome:
    """Search for the best pipeline within ``options.budget_s`` seconds (see the module docstring).
    Raises InvalidArgument up front (as :func:`check_trainable`) and TrainingCancelled when cancelled."""
    start = time.monotonic()
    data = _prepare(frame, options)
    search = Search(data, options, start, on_update, log, cancelled)
    search.log(f"task {data.task}, metric {data.metric}, {len(data.y)} rows")
    if data.rows_left_out:
        search.log(f"{data.rows_left_out} rows without a target left out")
    for column, why in data.layout.dropped.items():
        search.log(f"column {column} left out: {why}")
    with threadpool_limits(limits=options.n_jobs), _user_steps(data.step_indices):
        search.split()
        for note in data.split.notes:
            search.log(note)
        search.log(
            f"holdout of {len(search.y_holdout)} rows kept out of the search"
            + (f" (the latest by {options.time_column})" if options.time_column else "")
            + f"; {len(search.folds)} folds on {len(search.y_train)} rows"
        )
        search.search()
        if not search.trials:
            raise InvalidArgument(
                f"no candidate could be scored on these folds ({data.metric} is undefined on each); "
                "try another metric or add rows",
                field="metric",
            )
        search.ensemble()
        best = search.ranked()[0]
        search.log(f"best: trial {best.number} {best.candidate} ({data.metric} {best.mean:.4f}); final fit")
        search.check_cancel()
        pipeline = search.final(best)
    leaderboard = search.leaderboard()
    seconds = time.monotonic() - start
    search.log(f"done in {seconds:.1f} s")
    if on_update is not None:
        on_update(leaderboard, 1.0)
    return TrainOutcome(
        task=data.task,
        metric=data.metric,
        leaderboard=leaderboard,
        best=leaderboard[0],
        pipeline=pipeline,
        X_train=search.X_train,
        y_train=search.y_train,
        X_holdout=search.X_holdout,
        y_holdout=search.y_holdout,
        threshold=best.threshold,
        classes=[_builtin(c) for c in data.classes] if data.classes is not None else None,
        seconds=seconds,
    )

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

Leaderboard updates go to ``on_update(leaderboard, progress)`` after every trial.
"""

from __future__ import annotations

import math
import re
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import optuna
import pandas as pd
from sklearn.ensemble import VotingClassifier, VotingRegressor
from sklearn.model_selection import (
    FixedThresholdClassifier,
    KFold,
    StratifiedKFold,
    TimeSeriesSplit,
    train_test_split,
)
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from modelport.errors import InvalidArgument
from modelport.schemas import CleaningStep, LeaderboardEntry
from modelport.training import metrics
from modelport.training.candidates import (
    CANDIDATES,
    ColumnLayout,
    build_estimator,
    build_pipeline,
    build_preprocessor,
    column_layout,
    cost_units,
    default_params,
    family,
    suggest_params,
)
from modelport.training.cleaning import ROW_OPS, Cleaner, apply_rows, check_steps, columns_after, split_target

__all__ = ["TrainOptions", "TrainOutcome", "TrainingCancelled", "check_trainable", "detect_task", "train"]

_MIN_ROWS = 20
_MAX_CLASSES_DETECTED = 20  # integer targets with more distinct values are read as regression
_IMBALANCED_SHARE = 0.35  # below it, default configurations weigh classes (F1 metrics)
_ENSEMBLE_POOL = 4
_ENSEMBLE_STEPS = 12
_DEADLINE_SHARE = 0.92  # of the budget, for the search (less the time kept for the final fit)
_FINAL_SHARE = 0.97  # of the budget, for the final fit; the rest absorbs estimation errors
_SKIPS_BEFORE_STOP = 12
_CACHE_BYTES = 512 * 2**20  # preprocessed folds kept for the next trials


@dataclass
class TrainOptions:
    """What to train: ``budget_s`` is the wall-clock budget of the whole training (search and final fit).
    ``max_trials`` stops the search early (reproducible runs); ``n_jobs`` caps the threads used."""

    target: str
    task: str | None = None
    metric: str | None = None
    budget_s: float = 60
    folds: int = 5
    holdout: float = 0.2
    seed: int = 0
    time_column: str | None = None
    candidates: list[str] | None = None
    steps: list[CleaningStep] = field(default_factory=list)
    max_trials: int | None = None
    n_jobs: int = 1


class TrainingCancelled(Exception):
    """Raised by :func:`train` when ``cancelled()`` answers True (checked between trials and folds)."""

    def __init__(self) -> None:
        super().__init__("training cancelled")


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


@dataclass
class _Prepared:
    X: pd.DataFrame
    y: pd.Series
    task: str
    metric: str
    classes: np.ndarray | None
    layout: ColumnLayout
    rows_left_out: int
    steps: list[dict[str, Any]]  # the feature steps: the pipeline's Cleaner
    step_indices: list[int]  # the user's index of each feature step
    split: _Split


@dataclass
class _Split:
    """Row positions of the training rows and of the holdout, the folds (positions in the training
    rows) and what was adapted to a small dataset (said in the log)."""

    train: np.ndarray
    hold: np.ndarray
    folds: list[tuple[np.ndarray, np.ndarray]]
    notes: list[str]


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


def _prepare(frame: pd.DataFrame, options: TrainOptions) -> _Prepared:
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
    return _Prepared(
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
) -> _Split:
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
        return _Split(train, hold, chosen, notes)
    if classes is None:
        size = _holdout_size(n, options.holdout, 0)
        train, hold = train_test_split(np.arange(n), test_size=size, random_state=options.seed)
        train, hold = np.sort(train), np.sort(hold)
        count = min(folds, len(train) // 2)
        if count < folds:
            notes.append(f"{count} folds instead of {folds}: {len(train)} rows left after the holdout")
        split = KFold(count, shuffle=True, random_state=options.seed).split(np.zeros(len(train)))
        return _Split(train, hold, [(tr, va) for tr, va in split], notes)
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
    return _Split(train, hold, [(tr, va) for tr, va in split], notes)


def check_trainable(frame: pd.DataFrame, options: TrainOptions) -> None:
    """Refuse, with InvalidArgument naming the field, what :func:`train` could not train on."""
    _prepare(frame, options)


# --- the search ---------------------------------------------------------------------------------


@dataclass
class _Trial:
    number: int
    candidate: str
    params: dict[str, Any]
    oof: np.ndarray
    fold_scores: list[float]
    mean: float
    std: float
    threshold: float | None
    fit_seconds: list[float]
    predict_seconds: list[float]
    seconds: float  # of the estimators alone (the preprocessing of a fold is shared by trials)
    members: list[tuple[int, float]] | None = None  # ensemble: (trial, weight)


class _Search:
    def __init__(
        self,
        data: _Prepared,
        options: TrainOptions,
        start: float,
        on_update: Callable[[list[LeaderboardEntry], float], None] | None,
        log: Callable[[str], None] | None,
        cancelled: Callable[[], bool] | None,
    ) -> None:
        self.data, self.options, self.start = data, options, start
        self.on_update, self.log_to, self.cancelled = on_update, log, cancelled
        self.task, self.metric = data.task, data.metric
        self.classification = data.task != "regression"
        self.classes = data.classes
        self.steps = data.steps
        self.deadline = start + options.budget_s * _DEADLINE_SHARE
        self.trials: list[_Trial] = []
        self.history: dict[str, list[float]] = {}  # candidate -> seconds per cost unit
        self.cache: dict[tuple[int, str], tuple[np.ndarray, np.ndarray, float, float]] = {}
        self.cache_bytes = 0
        self.prep_seconds: dict[str, float] = {}  # family -> seconds preprocessing every fold
        self.greater = metrics.greater_is_better(data.metric)
        self.pos: Any = None
        self.pos_index = 1
        if data.task == "binary" and self.classes is not None:
            self.pos = metrics.positive_class(data.y.to_numpy())
            self.pos_index = int(np.flatnonzero(self.classes == self.pos)[0])
        self.tune = data.task == "binary" and data.metric in ("f1", "macro_f1")

    def log(self, line: str) -> None:
        if self.log_to is not None:
            self.log_to(line)

    def check_cancel(self) -> None:
        if self.cancelled is not None and self.cancelled():
            self.log("cancelled")
            raise TrainingCancelled()

    # data ---------------------------------------------------------------------------------------

    def split(self) -> None:
        data, split = self.data, self.data.split
        self.X_train, self.y_train = data.X.iloc[split.train], data.y.iloc[split.train]
        self.X_holdout, self.y_holdout = data.X.iloc[split.hold], data.y.iloc[split.hold]
        self.y = self.y_train.to_numpy()
        n_train = len(split.train)
        self.folds = split.folds
        self.valid = np.zeros(n_train, dtype=bool)
        for _, va in self.folds:
            self.valid[va] = True
        self.fit_share = float(np.mean([len(tr) for tr, _ in self.folds])) / n_train

    # scoring ------------------------------------------------------------------------------------

    def _labels_at(self, proba: np.ndarray, threshold: float | None) -> np.ndarray:
        assert self.classes is not None
        if threshold is None:
            return np.asarray(self.classes[np.argmax(proba, axis=1)])
        neg = self.classes[1 - self.pos_index]
        return np.asarray(np.where(proba[:, self.pos_index] >= threshold, self.pos, neg))

    def _tune_threshold(self, proba: np.ndarray, y: np.ndarray) -> float:
        p = proba[:, self.pos_index]
        actual = y == self.pos
        grid = np.unique(np.concatenate([np.quantile(p, np.linspace(0.0, 1.0, 201)), [0.5]]))
        predicted = p[None, :] >= grid[:, None]
        tp = (predicted & actual).sum(axis=1)
        fp = (predicted & ~actual).sum(axis=1)
        fn = (~predicted & actual).sum(axis=1)
        tn = len(y) - tp - fp - fn
        f1_pos = 2 * tp / np.maximum(2 * tp + fp + fn, 1)
        scores = f1_pos if self.metric == "f1" else (f1_pos + 2 * tn / np.maximum(2 * tn + fn + fp, 1)) / 2
        best = np.flatnonzero(scores >= scores.max() - 1e-12)
        return float(grid[best[np.argmin(np.abs(grid[best] - 0.5))]])

    def score_oof(self, oof: np.ndarray) -> tuple[list[float], float | None]:
        """Fold scores of out-of-fold predictions, at the threshold tuned on them (when tuned)."""
        threshold = None
        if self.tune:
            threshold = self._tune_threshold(oof[self.valid], self.y[self.valid])
        scores = []
        for _, va in self.folds:
            part = oof[va]
            if self.classification and not metrics.needs_proba(self.metric):
                part = self._labels_at(part, threshold)
            value = metrics.score(self.metric, self.y[va], part, classes=self.classes, pos_label=self.pos)
            if math.isfinite(value):
                scores.append(value)
        return scores, threshold

    def better(self, a: float, b: float) -> bool:
        return a > b if self.greater else a < b

    # trials -------------------------------------------------------------------------------------

    def model(self, candidate: str, params: dict[str, Any]) -> Pipeline:
        estimator = build_pipeline(
            candidate, self.task, params, self.data.layout, self.options.seed, self.options.n_jobs
        )
        return Pipeline([("clean", Cleaner(self.steps)), ("model", estimator)])

    def _predict(self, model: Any, X: Any) -> np.ndarray:
        if not self.classification:
            return np.asarray(model.predict(X), dtype=float)
        assert self.classes is not None
        proba = np.asarray(model.predict_proba(X), dtype=float)
        fitted = list(model.classes_)
        if len(fitted) == len(self.classes):
            return proba
        full = np.zeros((proba.shape[0], len(self.classes)))
        for j, label in enumerate(fitted):
            full[:, int(np.flatnonzero(self.classes == label)[0])] = proba[:, j]
        return full

    def preprocessed(self, i: int, family_name: str) -> tuple[np.ndarray, np.ndarray, float, float]:
        """Fold ``i``'s training and validation rows through the Cleaner and the family's preprocessing,
        both fitted on the fold's training rows, with the seconds fitting and applying them took. Kept
        for the next trials of the family while the cache stays under ``_CACHE_BYTES``."""
        hit = self.cache.get((i, family_name))
        if hit is not None:
            return hit
        tr, va = self.folds[i]
        prep = Pipeline(
            [("clean", Cleaner(self.steps)), ("prep", build_preprocessor(self.data.layout, family_name))]
        )
        t0 = time.monotonic()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            train = np.asarray(prep.fit_transform(self.X_train.iloc[tr], self.y[tr]), dtype=float)
            t1 = time.monotonic()
            valid = np.asarray(prep.transform(self.X_train.iloc[va]), dtype=float)
        entry = (train, valid, t1 - t0, time.monotonic() - t1)
        self.prep_seconds[family_name] = self.prep_seconds.get(family_name, 0.0) + entry[2] + entry[3]
        if self.cache_bytes + train.nbytes + valid.nbytes <= _CACHE_BYTES:
            self.cache[(i, family_name)] = entry
            self.cache_bytes += train.nbytes + valid.nbytes
        return entry

    def cross_validate(
        self, number: int, candidate: str, params: dict[str, Any], must_finish: bool
    ) -> _Trial | None:
        """The trial's out-of-fold predictions and fold scores; None when it was stopped because its
        remaining folds could not finish before the deadline."""
        n = len(self.y)
        oof = np.full((n, len(self.classes)) if self.classes is not None else n, np.nan)
        fits: list[float] = []
        predicts: list[float] = []
        began = time.monotonic()
        model_seconds = 0.0
        for i, (tr, _) in enumerate(self.folds):
            self.check_cancel()
            train, valid, prep_fit, prep_apply = self.preprocessed(i, family(candidate))
            estimator = build_estimator(
                candidate, self.task, params, self.data.layout, self.options.seed, self.options.n_jobs
            )
            t0 = time.monotonic()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                estimator.fit(train, self.y[tr])
                t1 = time.monotonic()
                oof[self.folds[i][1]] = self._predict(estimator, valid)
            t2 = time.monotonic()
            model_seconds += t2 - t0
            fits.append(prep_fit + t1 - t0)
            predicts.append(prep_apply + t2 - t1)
            left = len(self.folds) - i - 1
            if left and not must_finish:
                projected = (t2 - began) / (i + 1) * left
                if t2 + projected > self.deadline - self.reserve():
                    self.history.setdefault(candidate, []).append(
                        model_seconds / (i + 1) * len(self.folds) / self.units(candidate, params)
                    )
                    return None
        scores, threshold = self.score_oof(oof)
        if not scores:
            return None
        return _Trial(
            number=number,
            candidate=candidate,
            params=params,
            oof=oof,
            fold_scores=scores,
            mean=float(np.mean(scores)),
            std=float(np.std(scores)),
            threshold=threshold,
            fit_seconds=fits,
            predict_seconds=predicts,
            seconds=model_seconds,
        )

    def units(self, candidate: str, params: dict[str, Any]) -> float:
        return cost_units(candidate, params, len(self.classes) if self.classes is not None else 0)

    def estimate(self, candidate: str, params: dict[str, Any]) -> float:
        """Seconds the trial is expected to take: its cost units times the seconds per unit of the
        candidate's earlier trials (of all trials for a candidate not tried yet), plus preprocessing
        the folds when they are not kept yet."""
        seen = self.history.get(candidate) or [r for rates in self.history.values() for r in rates]
        model = float(np.median(seen[-5:])) * self.units(candidate, params) if seen else 0.0
        name = family(candidate)
        if all((i, name) in self.cache for i in range(len(self.folds))):
            return model
        return model + self.prep_seconds.get(name, max(self.prep_seconds.values(), default=0.0))

    def reserve(self) -> float:
        """Seconds kept for the final fit: the best few candidates refitted on all training rows."""
        best: dict[str, _Trial] = {}
        for trial in self.ranked():
            if trial.members is None and trial.candidate not in best:
                best[trial.candidate] = trial
        top = list(best.values())[:3]
        fit = sum(float(np.mean(t.fit_seconds)) for t in top)
        return 0.2 + 1.25 * fit / max(self.fit_share, 0.1)

    def ranked(self) -> list[_Trial]:
        sign = -1.0 if self.greater else 1.0
        return sorted(self.trials, key=lambda t: (sign * t.mean, t.number))

    def leaderboard(self) -> list[LeaderboardEntry]:
        entries = []
        for rank, trial in enumerate(self.ranked(), start=1):
            params: dict[str, Any] = dict(trial.params)
            if trial.members is not None:
                params = {
                    "members": [
                        {"trial": number, "candidate": self._trial(number).candidate, "weight": round(w, 4)}
                        for number, w in trial.members
                    ]
                }
            if trial.threshold is not None:
                params["threshold"] = round(trial.threshold, 6)
            entries.append(
                LeaderboardEntry(
                    rank=rank,
                    trial=trial.number,
                    candidate=trial.candidate,
                    params=params,
                    fold_scores=[float(s) for s in trial.fold_scores],
                    mean=trial.mean,
                    std=trial.std,
                    fit_seconds=float(np.mean(trial.fit_seconds)),
                    predict_seconds=float(np.mean(trial.predict_seconds)),
                )
            )
        return entries

    def _trial(self, number: int) -> _Trial:
        return next(t for t in self.trials if t.number == number)

    def progress(self) -> float:
        return min(0.99, (time.monotonic() - self.start) / self.options.budget_s)

    def update(self) -> None:
        if self.on_update is not None:
            self.on_update(self.leaderboard(), self.progress())

    def search(self) -> None:
        names = [c for c in CANDIDATES if c in (self.options.candidates or CANDIDATES)]
        counts = np.unique(self.y, return_counts=True)[1] if self.classification else None
        imbalanced = counts is not None and counts.min() / counts.sum() < _IMBALANCED_SHARE
        # Weighing classes trades accuracy for the rare classes' recall: a default only for F1 metrics.
        balanced = imbalanced and self.metric in ("f1", "macro_f1")
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # multivariate/group TPE is marked experimental
            sampler = optuna.samplers.TPESampler(
                seed=self.options.seed, multivariate=True, group=True, n_startup_trials=len(names) + 4
            )
        study = optuna.create_study(direction="maximize" if self.greater else "minimize", sampler=sampler)
        for name in names:
            study.enqueue_trial({"candidate": name, **default_params(name, self.classification, balanced)})
        skips = 0
        skipped: set[str] = set()
        while True:
            self.check_cancel()
            if self.options.max_trials is not None and len(self.trials) >= self.options.max_trials:
                self.log(f"stopping after {len(self.trials)} trials (max_trials)")
                break
            if skips >= _SKIPS_BEFORE_STOP:
                self.log("stopping: no candidate can finish in the time left")
                break
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                trial = study.ask()
                candidate = str(trial.suggest_categorical("candidate", names))
                params = suggest_params(trial, candidate, self.classification)
            first = not self.trials
            left = self.deadline - self.reserve() - time.monotonic()
            expected = self.estimate(candidate, params)
            if not first and (left <= 0 or expected > left):
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
                skips += 1
                if left <= 0:
                    self.log("stopping: the budget is spent")
                    break
                if candidate not in skipped:
                    skipped.add(candidate)
                    self.log(f"{candidate} skipped: about {expected:.1f} s needed, {left:.1f} s left")
                continue
            result = self.cross_validate(trial.number, candidate, params, must_finish=first)
            if result is None:
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
                self.log(f"trial {trial.number} {candidate} stopped: it could not finish in the time left")
                skips += 1
                continue
            skips = 0
            study.tell(trial, result.mean)
            self.trials.append(result)
            self.forget_predictions(candidate)
            self.history.setdefault(candidate, []).append(result.seconds / self.units(candidate, params))
            self.log(
                f"trial {trial.number} {candidate}: {self.metric} {result.mean:.4f} ± {result.std:.4f} "
                f"({result.seconds:.1f} s)"
            )
            self.update()

    def forget_predictions(self, candidate: str) -> None:
        """Keep out-of-fold predictions for the best trial of the candidate only (the ensemble's pool)."""
        mine = [t for t in self.ranked() if t.candidate == candidate]
        for trial in mine[1:]:
            trial.oof = np.empty(0)

    def ensemble(self) -> None:
        """Blend the best trial of each candidate (greedy forward selection with replacement on the
        out-of-fold predictions); kept when it beats the best single trial in cross-validation and its
        final fit fits in the time left."""
        if self.options.candidates is not None and "ensemble" not in self.options.candidates:
            return
        pool: list[_Trial] = []
        for trial in self.ranked():
            if trial.candidate not in {p.candidate for p in pool}:
                pool.append(trial)
        pool = pool[:_ENSEMBLE_POOL]
        if len(pool) < 2:
            return
        chosen: list[int] = []
        best_mean = metrics.worst_score(self.metric)
        for _ in range(_ENSEMBLE_STEPS):
            step_best: tuple[float, int] | None = None
            for i in range(len(pool)):
                blend = np.mean([pool[j].oof for j in [*chosen, i]], axis=0)
                scores, _ = self.score_oof(blend)
                mean = float(np.mean(scores)) if scores else metrics.worst_score(self.metric)
                if step_best is None or self.better(mean, step_best[0]):
                    step_best = (mean, i)
            assert step_best is not None
            if chosen and not self.better(step_best[0], best_mean):
                break
            chosen.append(step_best[1])
            best_mean = step_best[0]
        members = sorted(set(chosen))
        if len(members) < 2:
            return
        weights = [(pool[i].number, chosen.count(i) / len(chosen)) for i in members]
        blend = np.sum([pool[i].oof * (chosen.count(i) / len(chosen)) for i in members], axis=0)
        scores, threshold = self.score_oof(blend)
        mean = float(np.mean(scores))
        top = self.ranked()[0]
        if not self.better(mean, top.mean + (1e-9 if self.greater else -1e-9)):
            self.log(f"ensemble not kept: {self.metric} {mean:.4f} does not beat {top.mean:.4f}")
            return
        fit = sum(float(np.mean(pool[i].fit_seconds)) for i in members) / max(self.fit_share, 0.1)
        if time.monotonic() + 1.25 * fit > self.start + self.options.budget_s * _FINAL_SHARE:
            self.log("ensemble not kept: its final fit would not finish within the budget")
            return
        self.trials.append(
            _Trial(
                number=max(t.number for t in self.trials) + 1,
                candidate="ensemble",
                params={},
                oof=blend,
                fold_scores=scores,
                mean=mean,
                std=float(np.std(scores)),
                threshold=threshold,
                fit_seconds=list(np.sum([pool[i].fit_seconds for i in members], axis=0)),
                predict_seconds=list(np.sum([pool[i].predict_seconds for i in members], axis=0)),
                seconds=0.0,
                members=weights,
            )
        )
        self.log(f"ensemble of {len(members)} trials: {self.metric} {mean:.4f} (best single {top.mean:.4f})")
        self.update()

    def final(self, best: _Trial) -> Pipeline:
        """The best trial's pipeline fitted on all non-holdout rows."""
        if best.members is not None:
            estimators = [
                (
                    f"{self._trial(n).candidate}_{n}",
                    self.model(self._trial(n).candidate, self._trial(n).params)[-1],
                )
                for n, _ in best.members
            ]
            weights = [w for _, w in best.members]
            model: Any = (
                VotingClassifier(estimators, voting="soft", weights=weights)
                if self.classification
                else VotingRegressor(estimators, weights=weights)
            )
        else:
            model = self.model(best.candidate, best.params)[-1]
        if best.threshold is not None:
            model = FixedThresholdClassifier(
                model, threshold=best.threshold, pos_label=self.pos, response_method="predict_proba"
            )
        pipeline = Pipeline([("clean", Cleaner(self.steps)), ("model", model)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pipeline.fit(self.X_train, self.y_train.to_numpy())
        return pipeline


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
    search = _Search(data, options, start, on_update, log, cancelled)
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

"""Holdout evaluation of a trained pipeline: metrics, confusion matrix, curves, calibration, residuals and
permutation importance on the raw input columns.

The holdout took no part in any search, so these are the numbers a user may trust. Every float is finite
(JSON has no NaN): a metric that cannot be computed on this holdout (ROC-AUC with one class present) is
left out, and curve points that are not finite are dropped.

For a binary task the positive class is ``pos_label`` and a tuned ``threshold`` applies to its
probability: a row is predicted positive when that probability is at least the threshold. When the
pipeline ends in a ``FixedThresholdClassifier`` (as the trainer builds it), its positive class and
threshold are the defaults; otherwise the positive class defaults to the rarer class of ``y_holdout``
(:func:`modelport.training.metrics.positive_class`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve
from sklearn.inspection import permutation_importance
from sklearn.model_selection import FixedThresholdClassifier
from sklearn.pipeline import Pipeline

from modelport.schemas import ConfusionMatrix, Curve, Evaluation, Importance, Residuals, Task
from modelport.training.metrics import check_metric, greater_is_better, needs_proba, positive_class, score

__all__ = ["CURVE_POINTS", "IMPORTANCE_ROWS", "RESIDUAL_POINTS", "TOP_FEATURES", "evaluate"]

CURVE_POINTS = 200
"""Most points kept on a ROC or precision-recall curve."""
RESIDUAL_POINTS = 1000
"""Most (predicted, residual) points kept for a regression."""
IMPORTANCE_ROWS = 2000
"""Most holdout rows permuted for the importance (a seeded sample)."""
IMPORTANCE_REPEATS = 3
TOP_FEATURES = 30
CALIBRATION_BINS = 10


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _finite_metrics(values: dict[str, Any]) -> dict[str, float]:
    kept = {name: _finite(value) for name, value in values.items()}
    return {name: value for name, value in kept.items() if value is not None}


def _thin(count: int, most: int) -> np.ndarray:
    """Indices of at most ``most`` points spread evenly over ``count``, the first and last kept."""
    if count <= most:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, most).round().astype(int))


def _curve(x: np.ndarray, y: np.ndarray, area: float | None) -> Curve:
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    idx = _thin(len(x), CURVE_POINTS)
    return Curve(x=[float(v) for v in x[idx]], y=[float(v) for v in y[idx]], area=_finite(area))


def _label(value: Any) -> str:
    return str(value.item() if isinstance(value, np.generic) else value)


def _classes(pipeline: Any, y: np.ndarray) -> np.ndarray:
    classes = getattr(pipeline, "classes_", None)
    return np.asarray(classes) if classes is not None else np.unique(y)


def _fixed_threshold(pipeline: Any) -> tuple[Any, float | None]:
    """(pos_label, threshold) of a FixedThresholdClassifier ending the pipeline, else (None, None)."""
    last = pipeline.steps[-1][1] if isinstance(pipeline, Pipeline) else pipeline
    if isinstance(last, FixedThresholdClassifier) and isinstance(last.threshold, int | float):
        return last.pos_label, float(last.threshold)
    return None, None


def _labels_from_proba(
    proba: np.ndarray, classes: np.ndarray, pos: int | None, threshold: float | None
) -> Any:
    """Predicted labels: the tuned threshold on the positive class's probability (binary), else argmax."""
    if pos is not None and threshold is not None and len(classes) == 2:
        return np.where(proba[:, pos] >= threshold, classes[pos], classes[1 - pos])
    return classes[np.argmax(proba, axis=1)]


def _classification_metrics(
    y: np.ndarray, predicted: np.ndarray, proba: np.ndarray, classes: np.ndarray, pos_label: Any, task: Task
) -> dict[str, Any]:
    binary = task == "binary"
    averaged: dict[str, Any] = {"pos_label": pos_label} if binary else {"average": "macro"}
    values: dict[str, Callable[[], Any]] = {
        "accuracy": lambda: score("accuracy", y, predicted),
        "macro_f1": lambda: score("macro_f1", y, predicted),
        "roc_auc": lambda: score("roc_auc", y, proba, classes=classes),
        "log_loss": lambda: score("log_loss", y, proba, classes=classes),
        "precision": lambda: skm.precision_score(y, predicted, zero_division=0, **averaged),
        "recall": lambda: skm.recall_score(y, predicted, zero_division=0, **averaged),
    }
    if binary:
        values["f1"] = lambda: score("f1", y, predicted, pos_label=pos_label)
    found: dict[str, Any] = {}
    for name, compute in values.items():
        try:
            found[name] = compute()
        except ValueError:  # e.g. a class missing from this holdout: the metric is left out
            continue
    return found


def _binary_charts(y: np.ndarray, positive_proba: np.ndarray, pos_label: Any) -> tuple[Curve, Curve, Curve]:
    truth = (y == pos_label).astype(int)
    if truth.min() == truth.max():  # one class only: no curve to draw, only the calibration
        roc = Curve(x=[], y=[], area=None)
        pr = Curve(x=[], y=[], area=None)
    else:
        fpr, tpr, _ = skm.roc_curve(truth, positive_proba)
        roc = _curve(fpr, tpr, skm.roc_auc_score(truth, positive_proba))
        precision, recall, _ = skm.precision_recall_curve(truth, positive_proba)
        pr = _curve(recall[::-1], precision[::-1], skm.average_precision_score(truth, positive_proba))
    observed, predicted = calibration_curve(
        truth, np.clip(positive_proba, 0.0, 1.0), n_bins=CALIBRATION_BINS, strategy="uniform"
    )
    return roc, pr, _curve(np.asarray(predicted), np.asarray(observed), None)


def _importance(
    pipeline: Any,
    frame: pd.DataFrame,
    y: np.ndarray,
    scorer: Callable[[Any, pd.DataFrame, Any], float],
    seed: int,
) -> list[Importance]:
    if frame.shape[1] == 0 or len(frame) < 2:
        return []
    rng = np.random.default_rng(seed)
    if len(frame) > IMPORTANCE_ROWS:
        rows = np.sort(rng.choice(len(frame), IMPORTANCE_ROWS, replace=False))
        frame, y = frame.iloc[rows], y[rows]
    result = permutation_importance(
        pipeline, frame, y, scoring=scorer, n_repeats=IMPORTANCE_REPEATS, random_state=seed, n_jobs=1
    )
    found = []
    for name, mean, std in zip(frame.columns, result.importances_mean, result.importances_std, strict=True):
        mean_value, std_value = _finite(mean), _finite(std)
        if mean_value is not None:
            found.append(Importance(feature=str(name), mean=mean_value, std=std_value or 0.0))
    found.sort(key=lambda item: (-item.mean, item.feature))
    return found[:TOP_FEATURES]


def _scorer(
    metric: str, classes: np.ndarray | None, pos: int | None, threshold: float | None, pos_label: Any
) -> Callable[[Any, pd.DataFrame, Any], float]:
    """The training metric as a greater-is-better scorer of the whole pipeline (threshold applied)."""
    sign = 1.0 if greater_is_better(metric) else -1.0

    def scorer(estimator: Any, frame: pd.DataFrame, y: Any) -> float:
        if classes is None:
            return sign * score(metric, y, estimator.predict(frame))
        proba = np.asarray(estimator.predict_proba(frame), dtype=float)
        if needs_proba(metric):
            value = score(metric, y, proba, classes=classes)
        else:
            predicted = _labels_from_proba(proba, classes, pos, threshold)
            value = score(metric, y, predicted, pos_label=pos_label)
        return sign * value if math.isfinite(value) else 0.0

    return scorer


def evaluate(
    pipeline: Any,
    X_holdout: pd.DataFrame,  # noqa: N803 - scikit-learn's naming
    y_holdout: Sequence[Any] | pd.Series | np.ndarray,
    task: Task,
    metric: str,
    threshold: float | None = None,
    seed: int = 0,
    *,
    pos_label: Any = None,
) -> Evaluation:
    """Evaluate a fitted pipeline (raw columns in) on the holdout rows; seeded, JSON-safe."""
    check_metric(metric, task)
    y = np.asarray(y_holdout)
    if task == "regression":
        predicted = np.asarray(pipeline.predict(X_holdout), dtype=float)
        truth = y.astype(float)
        metrics = {
            "r2": score("r2", truth, predicted) if len(truth) > 1 else None,
            "rmse": score("rmse", truth, predicted),
            "mae": score("mae", truth, predicted),
        }
        residual = truth - predicted
        keep = np.flatnonzero(np.isfinite(predicted) & np.isfinite(residual))
        if len(keep) > RESIDUAL_POINTS:
            keep = np.sort(np.random.default_rng(seed).choice(keep, RESIDUAL_POINTS, replace=False))
        return Evaluation(
            rows=len(X_holdout),
            metrics=_finite_metrics(metrics),
            residuals=Residuals(
                predicted=[float(v) for v in predicted[keep]], residual=[float(v) for v in residual[keep]]
            ),
            importance=_importance(pipeline, X_holdout, truth, _scorer(metric, None, None, None, None), seed),
        )

    classes = _classes(pipeline, y)
    proba = np.asarray(pipeline.predict_proba(X_holdout), dtype=float)
    pos: int | None = None
    if task == "binary":
        fixed_label, fixed_threshold = _fixed_threshold(pipeline)
        if fixed_threshold is not None:  # the served model's own positive class and threshold
            threshold = fixed_threshold if threshold is None else threshold
            if pos_label is None:
                pos_label = classes[-1] if fixed_label is None else fixed_label
        if pos_label is None:
            pos_label = positive_class(y) if len(np.unique(y)) == 2 else classes[-1]
        matches = np.flatnonzero(classes == pos_label)
        pos = int(matches[0]) if len(matches) else len(classes) - 1
        pos_label = classes[pos]
    predicted = _labels_from_proba(proba, classes, pos, threshold)
    evaluation = Evaluation(
        rows=len(X_holdout),
        metrics=_finite_metrics(_classification_metrics(y, predicted, proba, classes, pos_label, task)),
        threshold=_finite(threshold) if task == "binary" else None,
        confusion_matrix=ConfusionMatrix(
            labels=[_label(c) for c in classes],
            matrix=skm.confusion_matrix(y, predicted, labels=classes).astype(int).tolist(),
        ),
        importance=_importance(
            pipeline, X_holdout, y, _scorer(metric, classes, pos, threshold, pos_label), seed
        ),
    )
    if task == "binary" and pos is not None and len(classes) == 2:
        roc, pr, calibration = _binary_charts(y, proba[:, pos], pos_label)
        evaluation.roc, evaluation.precision_recall, evaluation.calibration = roc, pr, calibration
    return evaluation

"""The metrics a training can optimise, and which task each one fits.

``score(metric, y, predicted)`` takes labels for accuracy/F1/regression metrics and class probabilities
(one column per class, in ``classes`` order) for ROC-AUC and log-loss. For binary F1 the positive class
is the rarer one (ties: the last in sorted order), so that F1 means "how well the rare class is found"
whatever its label.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn import metrics as skm

from modelport.errors import InvalidArgument

__all__ = [
    "METRICS",
    "MetricInfo",
    "default_metric",
    "greater_is_better",
    "needs_proba",
    "positive_class",
    "score",
    "worst_score",
]


@dataclass(frozen=True)
class MetricInfo:
    tasks: tuple[str, ...]
    greater_is_better: bool
    needs_proba: bool


METRICS: dict[str, MetricInfo] = {
    "accuracy": MetricInfo(("binary", "multiclass"), True, False),
    "f1": MetricInfo(("binary",), True, False),
    "macro_f1": MetricInfo(("binary", "multiclass"), True, False),
    "roc_auc": MetricInfo(("binary", "multiclass"), True, True),
    "log_loss": MetricInfo(("binary", "multiclass"), False, True),
    "r2": MetricInfo(("regression",), True, False),
    "rmse": MetricInfo(("regression",), False, False),
    "mae": MetricInfo(("regression",), False, False),
}

# Below this share of the rarer class a binary task defaults to F1: ROC-AUC says nothing about whether
# the model ever predicts the rare class, and accuracy rewards never predicting it.
_IMBALANCED_SHARE = 0.2


def _info(metric: str) -> MetricInfo:
    try:
        return METRICS[metric]
    except KeyError:
        raise InvalidArgument(
            f"unknown metric {metric!r} (one of {', '.join(METRICS)})", field="metric"
        ) from None


def greater_is_better(metric: str) -> bool:
    return _info(metric).greater_is_better


def needs_proba(metric: str) -> bool:
    """True when the metric scores class probabilities rather than labels."""
    return _info(metric).needs_proba


def worst_score(metric: str) -> float:
    return -np.inf if greater_is_better(metric) else np.inf


def default_metric(task: str, y: Any = None) -> str:
    """The metric a task gets when the user names none (F1 for a binary target whose rarer class is
    under 20 % of the rows, when ``y`` is given)."""
    if task == "regression":
        return "r2"
    if task == "multiclass":
        return "accuracy"
    if y is not None:
        counts = np.unique(np.asarray(y), return_counts=True)[1]
        if len(counts) == 2 and counts.min() / counts.sum() < _IMBALANCED_SHARE:
            return "f1"
    return "roc_auc"


def check_metric(metric: str, task: str) -> None:
    """InvalidArgument (field ``metric``) when the metric does not fit the task."""
    info = _info(metric)
    if task not in info.tasks:
        fitting = [name for name, other in METRICS.items() if task in other.tasks]
        raise InvalidArgument(
            f"metric {metric!r} does not fit a {task} task (use one of {', '.join(fitting)})",
            field="metric",
        )


def positive_class(y: Any) -> Any:
    """The rarer of a binary target's two classes (ties: the last in sorted order)."""
    values, counts = np.unique(np.asarray(y), return_counts=True)
    order = sorted(range(len(values)), key=lambda i: (counts[i], -i))
    return values[order[0]].item() if hasattr(values[order[0]], "item") else values[order[0]]


def score(metric: str, y: Any, predicted: Any, *, classes: Any = None, pos_label: Any = None) -> float:
    """The metric of ``predicted`` against ``y``: labels, or probabilities for ROC-AUC and log-loss
    (columns in ``classes`` order; default: the sorted classes of ``y``)."""
    info = _info(metric)
    y = np.asarray(y)
    predicted = np.asarray(predicted)
    if metric == "r2":
        return float(skm.r2_score(y, predicted))
    if metric == "rmse":
        return float(np.sqrt(skm.mean_squared_error(y, predicted)))
    if metric == "mae":
        return float(skm.mean_absolute_error(y, predicted))
    if metric == "accuracy":
        return float(skm.accuracy_score(y, predicted))
    if metric == "macro_f1":
        return float(skm.f1_score(y, predicted, average="macro", zero_division=0))
    if metric == "f1":
        label = positive_class(y) if pos_label is None else pos_label
        return float(skm.f1_score(y, predicted, pos_label=label, average="binary", zero_division=0))
    assert info.needs_proba
    labels = np.unique(y) if classes is None else np.asarray(classes)
    if predicted.ndim == 1:
        predicted = np.column_stack([1.0 - predicted, predicted])
    if metric == "log_loss":
        return float(skm.log_loss(y, np.clip(predicted, 1e-15, 1.0), labels=labels))
    # roc_auc
    present = np.isin(labels, y)
    if present.sum() < 2:
        return float("nan")
    if len(labels) == 2:
        return float(skm.roc_auc_score(y == labels[1], predicted[:, 1]))
    proba = predicted[:, present]
    proba = proba / np.clip(proba.sum(axis=1, keepdims=True), 1e-15, None)
    if present.sum() == 2:
        return float(skm.roc_auc_score(y == labels[present][1], proba[:, 1]))
    return float(skm.roc_auc_score(y, proba, labels=labels[present], multi_class="ovr", average="macro"))

"""The holdout evaluation against scikit-learn computed directly, on small binary, multiclass and
regression problems whose pipelines take raw columns (text categories included)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_diabetes, load_iris, make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import FixedThresholdClassifier, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from modelport.training.evaluate import CURVE_POINTS, RESIDUAL_POINTS, TOP_FEATURES, evaluate


def _no_nan(value: object) -> None:
    """The evaluation is strict JSON: no NaN or infinity anywhere."""
    json.dumps(value, allow_nan=False)


def _pipeline(model: object, numeric: list[str], text: list[str]) -> Pipeline:
    columns = ColumnTransformer(
        [("num", StandardScaler(), numeric), ("cat", OneHotEncoder(handle_unknown="ignore"), text)]
    )
    return Pipeline([("prep", columns), ("model", model)])


@pytest.fixture(scope="module")
def binary() -> tuple[Pipeline, pd.DataFrame, pd.Series]:
    """1,200 rows, 25 % 'churn' (the positive, rarer class), one text column and one pure-noise column."""
    X, y = make_classification(
        n_samples=1200, n_features=6, n_informative=3, weights=[0.75], flip_y=0.05, random_state=3
    )
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)])
    frame["plan"] = np.where(X[:, 0] > 0, "gold", "basic")
    frame["noise"] = np.random.default_rng(0).normal(size=len(frame))
    target = pd.Series(np.where(y == 1, "churn", "stay"), name="label")
    X_train, X_test, y_train, y_test = train_test_split(
        frame, target, test_size=0.5, stratify=target, random_state=0
    )
    numeric = [c for c in frame.columns if c != "plan"]
    pipeline = _pipeline(LogisticRegression(max_iter=500), numeric, ["plan"]).fit(X_train, y_train)
    return pipeline, X_test, y_test


def test_binary_metrics_match_sklearn(binary: tuple[Pipeline, pd.DataFrame, pd.Series]) -> None:
    pipeline, X, y = binary
    result = evaluate(pipeline, X, y, "binary", "f1", threshold=0.3, seed=0)
    proba = pipeline.predict_proba(X)[:, list(pipeline.classes_).index("churn")]
    predicted = np.where(proba >= 0.3, "churn", "stay")
    truth = (y == "churn").to_numpy()
    assert result.rows == len(X)
    assert result.threshold == 0.3
    expected = {
        "accuracy": skm.accuracy_score(y, predicted),
        "f1": skm.f1_score(y, predicted, pos_label="churn"),
        "macro_f1": skm.f1_score(y, predicted, average="macro"),
        "precision": skm.precision_score(y, predicted, pos_label="churn"),
        "recall": skm.recall_score(y, predicted, pos_label="churn"),
        "roc_auc": skm.roc_auc_score(truth, proba),
        "log_loss": skm.log_loss(y, pipeline.predict_proba(X), labels=pipeline.classes_),
    }
    assert result.metrics == pytest.approx(expected)
    # a threshold below one half finds more of the rare class than the default argmax
    default = evaluate(pipeline, X, y, "binary", "f1", seed=0)
    assert default.threshold is None
    assert result.metrics["recall"] > default.metrics["recall"]

    cm = result.confusion_matrix
    assert cm is not None
    assert cm.labels == ["churn", "stay"]
    assert cm.matrix == skm.confusion_matrix(y, predicted, labels=["churn", "stay"]).tolist()

    assert result.roc is not None and result.precision_recall is not None
    assert result.roc.area == pytest.approx(skm.roc_auc_score(truth, proba))
    assert result.precision_recall.area == pytest.approx(skm.average_precision_score(truth, proba))
    for curve in (result.roc, result.precision_recall):
        assert 2 <= len(curve.x) == len(curve.y) <= CURVE_POINTS
        assert curve.x == sorted(curve.x)  # false-positive rate and recall rise along the curve
    fpr, tpr, _ = skm.roc_curve(truth, proba)
    assert (result.roc.x[0], result.roc.y[0]) == (fpr[0], tpr[0])
    assert (result.roc.x[-1], result.roc.y[-1]) == (1.0, 1.0)
    assert result.precision_recall.x[-1] == 1.0  # recall reaches 1 at the lowest threshold

    observed, mean_predicted = calibration_curve(truth, proba, n_bins=10)
    assert result.calibration is not None
    assert result.calibration.x == pytest.approx(list(mean_predicted))
    assert result.calibration.y == pytest.approx(list(observed))
    assert len(result.calibration.x) <= 10
    assert result.residuals is None
    _no_nan(result.model_dump())


def test_a_fixed_threshold_classifier_is_evaluated_as_it_predicts(
    binary: tuple[Pipeline, pd.DataFrame, pd.Series],
) -> None:
    """A pipeline ending in FixedThresholdClassifier (as the trainer builds one): its own positive class
    (here the commoner one, not the default rarer one) and threshold, so the metrics are those of what
    the served model predicts."""
    fitted, X, y = binary
    model = FixedThresholdClassifier(LogisticRegression(max_iter=500), threshold=0.7, pos_label="stay")
    pipeline = Pipeline([("prep", fitted.named_steps["prep"]), ("model", model)]).fit(X, y)
    result = evaluate(pipeline, X, y, "binary", "f1")
    predicted = pipeline.predict(X)
    assert result.threshold == 0.7
    assert result.metrics["f1"] == pytest.approx(skm.f1_score(y, predicted, pos_label="stay"))
    assert result.metrics["recall"] == pytest.approx(skm.recall_score(y, predicted, pos_label="stay"))
    assert result.metrics["accuracy"] == pytest.approx(skm.accuracy_score(y, predicted))
    assert result.confusion_matrix is not None
    assert (
        result.confusion_matrix.matrix
        == skm.confusion_matrix(y, predicted, labels=["churn", "stay"]).tolist()
    )
    proba = pipeline.predict_proba(X)[:, 1]
    assert result.roc is not None
    assert result.roc.area == pytest.approx(skm.roc_auc_score(y == "stay", proba))


def test_binary_importance_is_sklearns_on_the_raw_columns(
    binary: tuple[Pipeline, pd.DataFrame, pd.Series],
) -> None:
    pipeline, X, y = binary
    result = evaluate(pipeline, X, y, "binary", "accuracy", seed=7)
    names = [item.feature for item in result.importance]
    assert sorted(names) == sorted(X.columns)  # raw columns, the text one included, not encoded ones
    means = [item.mean for item in result.importance]
    assert means == sorted(means, reverse=True)
    direct = permutation_importance(pipeline, X, y, scoring="accuracy", n_repeats=3, random_state=7)
    by_name = {item.feature: item for item in result.importance}
    for i, name in enumerate(X.columns):
        assert by_name[name].mean == pytest.approx(direct.importances_mean[i])
        assert by_name[name].std == pytest.approx(direct.importances_std[i])
    assert by_name["noise"].mean < max(means)
    # seeded: the same evaluation twice gives the same importance
    again = evaluate(pipeline, X, y, "binary", "accuracy", seed=7)
    assert again.importance == result.importance


def test_multiclass_metrics_match_sklearn() -> None:
    data = load_iris(as_frame=True)
    frame = data.data
    target = pd.Series(np.asarray(data.target_names)[data.target], name="species")
    X_train, X_test, y_train, y_test = train_test_split(
        frame, target, test_size=0.4, stratify=target, random_state=1
    )
    model = RandomForestClassifier(n_estimators=20, max_depth=2, random_state=0)
    pipeline = _pipeline(model, list(frame.columns), []).fit(X_train, y_train)
    result = evaluate(pipeline, X_test, y_test, "multiclass", "macro_f1", seed=0)
    predicted = pipeline.predict(X_test)
    proba = pipeline.predict_proba(X_test)
    assert result.metrics == pytest.approx(
        {
            "accuracy": skm.accuracy_score(y_test, predicted),
            "macro_f1": skm.f1_score(y_test, predicted, average="macro"),
            "precision": skm.precision_score(y_test, predicted, average="macro"),
            "recall": skm.recall_score(y_test, predicted, average="macro"),
            "roc_auc": skm.roc_auc_score(y_test, proba, multi_class="ovr", labels=pipeline.classes_),
            "log_loss": skm.log_loss(y_test, proba, labels=pipeline.classes_),
        }
    )
    assert "f1" not in result.metrics  # binary F1 has no meaning with three classes
    assert result.confusion_matrix is not None
    assert result.confusion_matrix.labels == ["setosa", "versicolor", "virginica"]
    assert result.confusion_matrix.matrix == skm.confusion_matrix(y_test, predicted).tolist()
    assert sum(map(sum, result.confusion_matrix.matrix)) == len(X_test) == result.rows
    assert result.roc is None and result.precision_recall is None and result.calibration is None
    assert [item.feature for item in result.importance][0].startswith("petal")
    _no_nan(result.model_dump())


def test_integer_labels_become_strings_and_a_missing_class_drops_only_what_needs_it() -> None:
    """Labels 0/1/2 are named "0", "1", "2"; a holdout without class 2 still gets accuracy and a
    confusion matrix with a row of zeros, and never a NaN."""
    X, y = make_classification(
        n_samples=300, n_features=4, n_informative=3, n_redundant=0, n_classes=3, random_state=0
    )
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    pipeline = _pipeline(LogisticRegression(max_iter=300), list(frame.columns), []).fit(frame, y)
    keep = y != 2
    result = evaluate(pipeline, frame[keep], y[keep], "multiclass", "accuracy")
    assert result.confusion_matrix is not None
    assert result.confusion_matrix.labels == ["0", "1", "2"]
    assert result.confusion_matrix.matrix[2] == [0, 0, 0]
    expected = skm.accuracy_score(y[keep], pipeline.predict(frame[keep]))
    assert result.metrics["accuracy"] == pytest.approx(expected)
    assert all(math.isfinite(v) for v in result.metrics.values())
    _no_nan(result.model_dump())


def test_regression_metrics_and_residuals() -> None:
    data = load_diabetes(as_frame=True)
    frame = data.data.copy()
    frame["band"] = pd.cut(frame["bmi"], 3, labels=["low", "mid", "high"]).astype(str)
    X_train, X_test, y_train, y_test = train_test_split(frame, data.target, test_size=0.3, random_state=2)
    numeric = [c for c in frame.columns if c != "band"]
    pipeline = _pipeline(Ridge(alpha=0.5), numeric, ["band"]).fit(X_train, y_train)
    result = evaluate(pipeline, X_test, y_test, "regression", "rmse", seed=0)
    predicted = pipeline.predict(X_test)
    assert result.metrics == pytest.approx(
        {
            "r2": skm.r2_score(y_test, predicted),
            "rmse": skm.root_mean_squared_error(y_test, predicted),
            "mae": skm.mean_absolute_error(y_test, predicted),
        }
    )
    assert result.confusion_matrix is None and result.roc is None and result.threshold is None
    assert result.residuals is not None
    assert len(result.residuals.predicted) == len(X_test) <= RESIDUAL_POINTS
    assert result.residuals.predicted == pytest.approx(list(predicted))
    assert result.residuals.residual == pytest.approx(list(y_test.to_numpy() - predicted))
    # importance on the error (lower is better): a column that matters raises the RMSE when permuted
    direct = permutation_importance(
        pipeline, X_test, y_test, scoring="neg_root_mean_squared_error", n_repeats=3, random_state=0
    )
    by_name = {item.feature: item.mean for item in result.importance}
    for i, name in enumerate(X_test.columns):
        assert by_name[name] == pytest.approx(direct.importances_mean[i])
    _no_nan(result.model_dump())


def test_large_holdouts_are_thinned_and_importance_keeps_the_top_columns() -> None:
    """5,000 rows and 40 columns: at most 1,000 residual points (a seeded sample), the 30 most
    important columns, and permutation on a 2,000-row sample (fast enough for a worker)."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(5000, 40)), columns=[f"c{i:02d}" for i in range(40)])
    y = frame["c00"] * 3 + frame["c01"] + rng.normal(scale=0.1, size=5000)
    pipeline = Pipeline([("model", Ridge())]).fit(frame, y)
    result = evaluate(pipeline, frame, y, "regression", "r2", seed=4)
    assert result.residuals is not None
    assert len(result.residuals.predicted) == len(result.residuals.residual) == RESIDUAL_POINTS
    assert len(result.importance) == TOP_FEATURES
    assert [item.feature for item in result.importance[:2]] == ["c00", "c01"]
    again = evaluate(pipeline, frame, y, "regression", "r2", seed=4)
    assert again.residuals == result.residuals


def test_a_perfect_model_still_gives_finite_json() -> None:
    """A holdout the model gets entirely right: log-loss near 0, curves with their end points; no NaN."""
    frame = pd.DataFrame({"x": np.r_[np.zeros(50), np.ones(50)]})
    y = np.r_[np.zeros(50, dtype=int), np.ones(50, dtype=int)]
    pipeline = Pipeline([("model", LogisticRegression(C=100.0))]).fit(frame, y)
    result = evaluate(pipeline, frame, y, "binary", "roc_auc")
    assert result.metrics["accuracy"] == 1.0
    assert result.metrics["roc_auc"] == 1.0
    assert result.roc is not None and result.roc.area == 1.0
    _no_nan(result.model_dump())

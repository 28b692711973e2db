"""Classifiers whose predict() is the most probable class are scored once; the answers do not change."""

from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from modelport.flavors import load_model
from tests.factories import training_frame


@pytest.mark.parametrize(
    "estimator",
    [
        HistGradientBoostingClassifier(max_iter=20),
        RandomForestClassifier(n_estimators=10, random_state=0),
        make_pipeline(StandardScaler(), LogisticRegression()),
        LinearSVC(),  # no predict_proba: the ordinary path
    ],
    ids=["hgb", "forest", "logistic-pipeline", "svc"],
)
def test_fast_path_answers_like_predict(estimator: object, tmp_path: Path) -> None:
    x, y = training_frame(rows=300)
    labels = np.where(y == 1, "leaves", "stays")  # string classes
    estimator.fit(x, labels)  # type: ignore[attr-defined]
    path = tmp_path / "m.joblib"
    joblib.dump(estimator, path)
    model = load_model(path, "sklearn")
    got = model.predict(x)
    assert list(got.predictions) == list(estimator.predict(x))  # type: ignore[attr-defined]
    if hasattr(estimator, "predict_proba"):
        assert got.probabilities is not None
        assert np.allclose(got.probabilities, estimator.predict_proba(x))
        assert got.classes == ["leaves", "stays"]

"""Small real models and files for tests (trained in milliseconds on synthetic data)."""

from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

FEATURES = ["tenure_months", "monthly_spend", "support_calls"]


def training_frame(rows: int = 200, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(
        {
            "tenure_months": rng.integers(1, 72, rows).astype(float),
            "monthly_spend": rng.normal(40, 10, rows),
            "support_calls": rng.poisson(2, rows).astype(float),
        }
    )
    y = ((x["support_calls"] > 2) & (x["tenure_months"] < 24)).astype(int).to_numpy()
    return x, y


def churn_pipeline(seed: int = 0) -> tuple[Pipeline, pd.DataFrame]:
    x, y = training_frame(seed=seed)
    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=200))
    pipe.fit(x, y)
    return pipe, x


def joblib_file(folder: Path, name: str = "churn.joblib", seed: int = 0) -> Path:
    pipe, _ = churn_pipeline(seed)
    path = folder / name
    joblib.dump(pipe, path)
    return path

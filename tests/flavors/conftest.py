"""Small real models of every flavor, trained once per test session on synthetic data."""

from __future__ import annotations

import pickle
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import lightgbm
import numpy as np
import pandas as pd
import pytest
import skops.io
import xgboost
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


@dataclass
class Zoo:
    """Training data, fitted models and their files."""

    root: Path
    frame: pd.DataFrame  # a: float, b: int, c: str
    y: pd.Series  # binary 0/1
    labels: pd.Series  # three string classes
    target: pd.Series  # a regression target
    models: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)

    def numeric(self) -> pd.DataFrame:
        return self.frame[["a", "b"]]

    def sample(self, path: Path, columns: list[str] | None = None) -> pd.DataFrame:
        """The frame written to CSV and read back, as an uploaded sample would be."""
        frame = self.frame if columns is None else self.frame[columns]
        frame.to_csv(path, index=False)
        return pd.read_csv(path)


def _data(rows: int = 120) -> tuple[pd.DataFrame, pd.Series, pd.Series, pd.Series]:
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=rows),
            "b": rng.integers(0, 10, size=rows),
            "c": rng.choice(["red", "green", "blue"], size=rows),
        }
    )
    score = frame["a"] + 0.2 * frame["b"] + (frame["c"] == "red") * 1.0
    y = pd.Series((score > score.median()).astype(int), name="y")
    labels = pd.Series(pd.cut(score, 3, labels=["low", "mid", "high"]).astype(str), name="label")
    target = pd.Series(2.0 * frame["a"] - frame["b"] + rng.normal(scale=0.1, size=rows), name="target")
    return frame, y, labels, target


@pytest.fixture(scope="session")
def zoo(tmp_path_factory: pytest.TempPathFactory) -> Zoo:
    root = tmp_path_factory.mktemp("zoo")
    frame, y, labels, target = _data()
    zoo = Zoo(root=root, frame=frame, y=y, labels=labels, target=target)
    numeric = zoo.numeric()

    pipeline: Pipeline = make_pipeline(
        make_column_transformer((StandardScaler(), ["a", "b"]), (OneHotEncoder(), ["c"])),
        LogisticRegression(),
    ).fit(frame, y)
    zoo.models["pipeline"] = pipeline
    zoo.files["pipeline.joblib"] = root / "pipeline.joblib"
    joblib.dump(pipeline, zoo.files["pipeline.joblib"])
    zoo.files["pipeline.pkl"] = root / "pipeline.pkl"
    zoo.files["pipeline.pkl"].write_bytes(pickle.dumps(pipeline))
    zoo.files["pipeline.skops"] = root / "pipeline.skops"
    skops.io.dump(pipeline, zoo.files["pipeline.skops"])

    hgb = HistGradientBoostingClassifier(max_iter=5).fit(numeric, labels)
    zoo.models["hgb"] = hgb
    zoo.files["hgb.joblib"] = root / "hgb.joblib"
    joblib.dump(hgb, zoo.files["hgb.joblib"], compress=3)

    ridge = Ridge().fit(numeric, target)
    zoo.models["ridge"] = ridge
    zoo.files["ridge.skops"] = root / "ridge.skops"
    skops.io.dump(ridge, zoo.files["ridge.skops"])

    unnamed = LinearRegression().fit(numeric.to_numpy(), target)  # no feature names
    zoo.models["unnamed"] = unnamed
    zoo.files["unnamed.joblib"] = root / "unnamed.joblib"
    joblib.dump(unnamed, zoo.files["unnamed.joblib"])

    xgb_clf = xgboost.XGBClassifier(n_estimators=5, max_depth=2, n_jobs=1).fit(numeric, y)
    xgb_reg = xgboost.XGBRegressor(n_estimators=5, max_depth=2, n_jobs=1).fit(numeric, target)
    xgb_multi = xgboost.XGBClassifier(n_estimators=3, max_depth=2, n_jobs=1).fit(
        numeric, labels.map({"low": 0, "mid": 1, "high": 2})
    )
    zoo.models.update(xgb_clf=xgb_clf, xgb_reg=xgb_reg, xgb_multi=xgb_multi)
    for name, model in (("xgb_clf", xgb_clf), ("xgb_reg", xgb_reg), ("xgb_multi", xgb_multi)):
        for ext in ("json", "ubj"):
            zoo.files[f"{name}.{ext}"] = root / f"{name}.{ext}"
            model.save_model(zoo.files[f"{name}.{ext}"])

    lgb_clf = lightgbm.LGBMClassifier(n_estimators=5, num_leaves=4, min_child_samples=5, verbose=-1).fit(
        numeric, y
    )
    lgb_reg = lightgbm.LGBMRegressor(n_estimators=5, num_leaves=4, min_child_samples=5, verbose=-1).fit(
        numeric, target
    )
    lgb_multi = lightgbm.LGBMClassifier(n_estimators=3, num_leaves=4, min_child_samples=5, verbose=-1).fit(
        numeric, labels
    )
    zoo.models.update(lgb_clf=lgb_clf, lgb_reg=lgb_reg, lgb_multi=lgb_multi)
    for name, model in (("lgb_clf", lgb_clf), ("lgb_reg", lgb_reg), ("lgb_multi", lgb_multi)):
        zoo.files[f"{name}.txt"] = root / f"{name}.txt"
        model.booster_.save_model(zoo.files[f"{name}.txt"])
    return zoo


@pytest.fixture(scope="session")
def onnx_files(zoo: Zoo) -> dict[str, Path]:
    """ONNX models from skl2onnx: one float tensor input, and one input per column (float + string)."""
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    numeric = zoo.numeric().astype(np.float32)
    logistic = LogisticRegression().fit(numeric, zoo.labels)
    files = {"logistic": zoo.root / "logistic.onnx", "columns": zoo.root / "columns.onnx"}
    zoo.models["onnx_logistic"] = logistic
    proto = to_onnx(logistic, numeric.to_numpy()[:1], target_opset=17, options={"zipmap": False})
    files["logistic"].write_bytes(proto.SerializeToString())
    zipmapped = to_onnx(logistic, numeric.to_numpy()[:1], target_opset=17)
    files["zipmap"] = zoo.root / "zipmap.onnx"
    files["zipmap"].write_bytes(zipmapped.SerializeToString())

    pipeline = make_pipeline(
        make_column_transformer((StandardScaler(), ["a"]), (OneHotEncoder(handle_unknown="ignore"), ["c"])),
        LogisticRegression(),
    ).fit(zoo.frame[["a", "c"]], zoo.y)
    zoo.models["onnx_columns"] = pipeline
    columns = to_onnx(
        pipeline,
        initial_types=[("a", FloatTensorType([None, 1])), ("c", StringTensorType([None, 1]))],
        target_opset=17,
    )
    files["columns"].write_bytes(columns.SerializeToString())
    zoo.models["onnx_proto"] = proto
    return files


@pytest.fixture(scope="session")
def mlflow_zip(zoo: Zoo) -> Path:
    """A scikit-learn model saved by MLflow (with a signature), zipped with its top folder."""
    import mlflow.sklearn
    from mlflow.models import infer_signature

    model = LogisticRegression().fit(zoo.numeric(), zoo.y)
    zoo.models["mlflow"] = model
    folder = zoo.root / "mlflow_model"
    numeric = zoo.numeric().astype({"b": "float64"})
    mlflow.sklearn.save_model(
        model,
        str(folder),
        signature=infer_signature(numeric, model.predict(zoo.numeric())),
        pip_requirements=["scikit-learn"],
    )
    archive = shutil.make_archive(
        str(zoo.root / "mlflow_model"), "zip", root_dir=zoo.root, base_dir="mlflow_model"
    )
    return Path(archive)

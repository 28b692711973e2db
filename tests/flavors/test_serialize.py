"""serialize_model: a fitted Python model object to a file that loads back with the same predictions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from modelport.errors import InvalidArgument
from modelport.flavors import detect_flavor, inspect_model, load_model, serialize_model
from modelport.flavors.base import to_python
from tests.flavors.conftest import Zoo


def _round_trip(obj_key: str, zoo: Zoo, tmp_path: Path, expected_name: str, columns: list[str]) -> None:
    path = serialize_model(zoo.models[obj_key], tmp_path / "out")
    assert path.name == expected_name
    assert path.parent == tmp_path / "out"
    flavor = detect_flavor(path, path.name)
    rows = zoo.frame[columns].iloc[:6]
    got = load_model(path, flavor.name).predict(rows).predictions
    np.testing.assert_allclose(got.astype(float), zoo.models[obj_key].predict(rows).astype(float), rtol=1e-5)


def test_sklearn_pipeline_to_skops(zoo: Zoo, tmp_path: Path) -> None:
    _round_trip("pipeline", zoo, tmp_path, "model.skops", ["a", "b", "c"])
    inspection = inspect_model(tmp_path / "out" / "model.skops", "model.skops", sample=zoo.frame)
    assert inspection.safe
    assert inspection.format == "skops"


def test_hist_gradient_boosting_to_skops(zoo: Zoo, tmp_path: Path) -> None:
    path = serialize_model(zoo.models["hgb"], tmp_path)
    assert path.name == "model.skops"
    rows = zoo.numeric().iloc[:6]
    assert (
        load_model(path, "sklearn").predict(rows).predictions.tolist()
        == zoo.models["hgb"].predict(rows).tolist()
    )


@pytest.mark.parametrize("key", ["xgb_clf", "xgb_reg"])
def test_xgboost_model_to_ubj(zoo: Zoo, tmp_path: Path, key: str) -> None:
    _round_trip(key, zoo, tmp_path, "model.ubj", ["a", "b"])


def test_xgboost_booster_to_ubj(zoo: Zoo, tmp_path: Path) -> None:
    booster = zoo.models["xgb_reg"].get_booster()
    path = serialize_model(booster, tmp_path)
    assert path.name == "model.ubj"
    assert inspect_model(path, path.name).model_type.startswith("xgboost.")


@pytest.mark.parametrize("key", ["lgb_clf", "lgb_reg"])
def test_lightgbm_model_to_text(zoo: Zoo, tmp_path: Path, key: str) -> None:
    _round_trip(key, zoo, tmp_path, "model.txt", ["a", "b"])


def test_lightgbm_booster_to_text(zoo: Zoo, tmp_path: Path) -> None:
    path = serialize_model(zoo.models["lgb_reg"].booster_, tmp_path)
    assert path.name == "model.txt"
    assert detect_flavor(path, path.name).name == "lightgbm"


def test_lightgbm_classifier_with_string_labels_keeps_them_in_skops(zoo: Zoo, tmp_path: Path) -> None:
    model = zoo.models["lgb_multi"]
    path = serialize_model(model, tmp_path)
    assert path.name == "model.skops"
    inspection = inspect_model(path, path.name)
    assert inspection.classes == sorted(["low", "mid", "high"])
    rows = zoo.numeric().iloc[:6]
    assert load_model(path, "sklearn").predict(rows).predictions.tolist() == model.predict(rows).tolist()


def test_onnx_proto_to_file(zoo: Zoo, onnx_files: dict[str, Path], tmp_path: Path) -> None:
    path = serialize_model(zoo.models["onnx_proto"], tmp_path)
    assert path.name == "model.onnx"
    assert path.read_bytes() == onnx_files["logistic"].read_bytes()


def test_unsupported_objects_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match="cannot save a builtins.dict as a model") as caught:
        serialize_model({"not": "a model"}, tmp_path)
    assert caught.value.field == "model"
    with pytest.raises(InvalidArgument, match="the model uses types modelport does not load: builtins.eval"):
        serialize_model(make_pipeline(FunctionTransformer(eval), LogisticRegression()), tmp_path)
    assert not (tmp_path / "model.skops").exists()


def test_to_python_makes_json_values() -> None:
    assert to_python(np.int64(3)) == 3
    assert isinstance(to_python(np.int64(3)), int)
    assert to_python(np.float32(0.5)) == 0.5
    assert to_python(float("nan")) is None
    assert to_python(np.bool_(True)) is True
    assert to_python(np.array([1, 2])) == [1, 2]
    assert to_python(np.datetime64("2024-01-02")) == "2024-01-02T00:00:00"

"""Files that are not loadable models, and samples that do not fit: each refused with a reason."""

from __future__ import annotations

import importlib
import pickle
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import FunctionTransformer

from modelport.errors import InvalidArgument, UnsupportedModel
from modelport.flavors import detect_flavor, get_flavor, inspect_model, load_model
from tests.flavors.conftest import Zoo


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "model.joblib"
    empty.write_bytes(b"")
    with pytest.raises(UnsupportedModel, match="model.joblib is empty") as caught:
        inspect_model(empty, "model.joblib")
    assert caught.value.field == "file"
    for name in ("sklearn", "xgboost", "lightgbm", "onnx"):
        with pytest.raises(UnsupportedModel, match="empty"):
            load_model(empty, name)


def test_truncated_joblib(zoo: Zoo, tmp_path: Path) -> None:
    data = zoo.files["pipeline.joblib"].read_bytes()
    truncated = tmp_path / "model.joblib"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnsupportedModel, match="could not load the joblib file .*truncated or corrupt"):
        inspect_model(truncated, "model.joblib")
    compressed = zoo.files["hgb.joblib"].read_bytes()
    truncated.write_bytes(compressed[: len(compressed) - 40])
    with pytest.raises(UnsupportedModel, match="truncated or corrupt"):
        inspect_model(truncated, "model.joblib")


@pytest.mark.parametrize("key", ["xgb_clf.json", "xgb_clf.ubj", "lgb_clf.txt", "pipeline.skops"])
def test_truncated_safe_formats(zoo: Zoo, tmp_path: Path, key: str) -> None:
    data = zoo.files[key].read_bytes()
    truncated = tmp_path / Path(key).name
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnsupportedModel, match="truncated or corrupt"):
        inspect_model(truncated, truncated.name)


def test_random_bytes_named_onnx(tmp_path: Path) -> None:
    noise = tmp_path / "model.onnx"
    noise.write_bytes(b"\x07" + np.random.default_rng(1).bytes(2048))
    with pytest.raises(UnsupportedModel, match="extension of an ONNX model but its content is not one"):
        detect_flavor(noise, "model.onnx")
    # past detection too (bytes that start like a protobuf): onnxruntime's error becomes UnsupportedModel
    noise.write_bytes(b"\x08\x07" + np.random.default_rng(2).bytes(2048))
    assert detect_flavor(noise, "model.onnx").name == "onnx"
    with pytest.raises(UnsupportedModel, match="could not load the ONNX model"):
        inspect_model(noise, "model.onnx")


def test_text_file_named_json_is_not_xgboost(tmp_path: Path) -> None:
    text = tmp_path / "model.json"
    text.write_text('{"name": "my model", "weights": [1, 2, 3]}')
    with pytest.raises(UnsupportedModel, match="extension of an XGBoost model .* but its content is not one"):
        detect_flavor(text, "model.json")
    with pytest.raises(UnsupportedModel, match="not an XGBoost JSON or UBJSON model"):
        load_model(text, "xgboost")


def test_text_file_named_txt_is_not_lightgbm(tmp_path: Path) -> None:
    text = tmp_path / "model.txt"
    text.write_text("tree\n")
    with pytest.raises(UnsupportedModel, match="could not load the LightGBM model"):
        load_model(text, "lightgbm")
    text.write_text("hello\n")
    with pytest.raises(UnsupportedModel, match="not a LightGBM text model"):
        load_model(text, "lightgbm")


def test_pickle_of_a_module_that_is_gone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "src"
    package.mkdir()
    (package / "gone_module_mp.py").write_text(
        "class Model:\n    def predict(self, X):\n        return [0] * len(X)\n"
    )
    monkeypatch.syspath_prepend(str(package))
    module = importlib.import_module("gone_module_mp")
    data = pickle.dumps(module.Model())
    monkeypatch.delitem(sys.modules, "gone_module_mp")
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p != str(package)])
    (package / "gone_module_mp.py").unlink()
    importlib.invalidate_caches()

    path = tmp_path / "model.pkl"
    path.write_bytes(data)
    with pytest.raises(UnsupportedModel, match="needs the Python module 'gone_module_mp'") as caught:
        inspect_model(path, "model.pkl")
    assert caught.value.details == {"missing_module": "gone_module_mp"}


def test_hand_written_pickles_of_missing_classes(tmp_path: Path) -> None:
    path = tmp_path / "model.pkl"
    path.write_bytes(b"\x80\x02cno_such_package.models\nThing\nq\x00)\x81q\x01.")
    with pytest.raises(UnsupportedModel, match="needs the Python module 'no_such_package'"):
        load_model(path, "sklearn")
    path.write_bytes(b"\x80\x02c__main__\nMyNotebookModel\nq\x00)\x81q\x01.")
    with pytest.raises(UnsupportedModel, match="cannot import.*MyNotebookModel.*notebook"):
        load_model(path, "sklearn")
    path.write_bytes(b"\x80\x02csklearn.linear_model\nNoSuchEstimator\nq\x00)\x81q\x01.")
    with pytest.raises(UnsupportedModel, match="cannot import.*NoSuchEstimator"):
        load_model(path, "sklearn")


def test_pickle_that_is_not_a_model(tmp_path: Path) -> None:
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps({"weights": [1, 2]}))
    with pytest.raises(UnsupportedModel, match="holds a builtins.dict, not a model with a predict method"):
        inspect_model(path, "model.pkl")


def test_skops_with_untrusted_types_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.skops"
    skops.io.dump(FunctionTransformer(eval), path)
    with pytest.raises(UnsupportedModel, match="types modelport does not load: builtins.eval") as caught:
        load_model(path, "sklearn")
    assert caught.value.details == {"refused_types": ["builtins.eval"]}


def test_zip_slip_is_refused(tmp_path: Path, mlflow_zip: Path) -> None:
    evil = tmp_path / "model.zip"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("MLmodel", "flavors: {}\n")
        archive.writestr("../evil", "gotcha")
    assert detect_flavor(evil, "model.zip").name == "mlflow"
    with pytest.raises(UnsupportedModel, match="refused: it holds a path leaving the folder '../evil'"):
        inspect_model(evil, "model.zip")
    assert not (tmp_path.parent / "evil").exists()
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("MLmodel", "flavors: {}\n")
        archive.writestr("/etc/evil", "gotcha")
    with pytest.raises(UnsupportedModel, match="absolute path"):
        load_model(evil, "mlflow")


def test_zip_without_mlmodel(tmp_path: Path) -> None:
    path = tmp_path / "model.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(UnsupportedModel, match="not a model file modelport knows|extension of an MLflow"):
        detect_flavor(path, "model.zip")
    with pytest.raises(UnsupportedModel, match="no MLmodel file"):
        load_model(path, "mlflow")


def test_sample_missing_the_model_columns(zoo: Zoo, tmp_path: Path) -> None:
    sample = zoo.sample(tmp_path / "s.csv", ["a"])
    with pytest.raises(InvalidArgument, match="the sample lacks columns the model needs: b") as caught:
        inspect_model(zoo.files["xgb_clf.json"], "model.json", sample=sample)
    assert caught.value.field == "sample"
    with pytest.raises(InvalidArgument, match="needs: b, c"):
        inspect_model(zoo.files["pipeline.skops"], "model.skops", sample=sample)


def test_model_without_columns_needs_a_sample(zoo: Zoo, tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match="a sample CSV with the feature columns is needed") as caught:
        inspect_model(zoo.files["unnamed.joblib"], "model.joblib")
    assert caught.value.field == "sample"
    with pytest.raises(InvalidArgument, match="takes 2 columns, the sample has 3"):
        inspect_model(zoo.files["unnamed.joblib"], "model.joblib", sample=zoo.sample(tmp_path / "s.csv"))


def test_model_that_cannot_predict_on_the_sample(zoo: Zoo, tmp_path: Path) -> None:
    model = LogisticRegression().fit(zoo.numeric().to_numpy(), zoo.y)
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(model))
    sample = pd.DataFrame({"x": ["text"], "y": ["more"]})
    with pytest.raises(UnsupportedModel, match="could not predict on an example row: ValueError"):
        inspect_model(path, "model.pkl", sample=sample)


def test_wrong_flavor_given(zoo: Zoo) -> None:
    with pytest.raises(UnsupportedModel, match="not an XGBoost JSON or UBJSON model"):
        inspect_model(zoo.files["pipeline.joblib"], "model.joblib", flavor="xgboost")
    with pytest.raises(UnsupportedModel, match="not a pickle, joblib or skops file"):
        load_model(zoo.files["lgb_clf.txt"], "sklearn")
    with pytest.raises(InvalidArgument, match="unknown model flavor"):
        inspect_model(zoo.files["pipeline.joblib"], "model.joblib", flavor="tensorflow")
    assert get_flavor("sklearn").safe is False

"""Detection, loading, schemas and example predictions of real models of every flavor."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from modelport.errors import InvalidArgument, UnsupportedModel
from modelport.flavors import (
    FLAVORS,
    Inspection,
    detect_flavor,
    get_flavor,
    inspect_model,
    load_model,
)
from modelport.flavors import mlflow as mlflow_flavor
from tests.flavors.conftest import Zoo


def _check_json(inspection: Inspection) -> None:
    json.dumps(inspection.example_input)
    json.dumps(inspection.example_output)
    json.dumps(inspection.classes)


def _names(inspection: Inspection, which: str = "input") -> list[str]:
    schema = inspection.input_schema if which == "input" else inspection.output_schema
    return schema.names()


def _types(inspection: Inspection) -> dict[str, str]:
    return {c.name: c.type for c in inspection.input_schema.columns}


# ---------------------------------------------------------------------------------------------- registry


def test_registry_holds_every_flavor() -> None:
    assert set(FLAVORS) == {"sklearn", "xgboost", "lightgbm", "onnx", "mlflow"}
    assert {name for name, flavor in FLAVORS.items() if flavor.safe} == {"xgboost", "lightgbm", "onnx"}
    assert get_flavor("onnx").name == "onnx"


def test_unknown_flavor_names_the_known_ones() -> None:
    with pytest.raises(
        InvalidArgument, match="unknown model flavor 'h2o'.*lightgbm, mlflow, onnx, sklearn, xgboost"
    ):
        get_flavor("h2o")


def test_mlflow_without_the_extra_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, mlflow_zip: Path
) -> None:
    import modelport.flavors as flavors

    monkeypatch.setattr(flavors, "mlflow_available", lambda: False)
    monkeypatch.setattr(mlflow_flavor, "mlflow_available", lambda: False)
    with pytest.raises(UnsupportedModel, match=r"pip install modelport\[mlflow\]"):
        get_flavor("mlflow")
    with pytest.raises(UnsupportedModel, match=r"pip install modelport\[mlflow\]"):
        detect_flavor(mlflow_zip, "model.zip")
    with pytest.raises(UnsupportedModel, match=r"pip install modelport\[mlflow\]"):
        mlflow_flavor.MlflowFlavor().load(mlflow_zip)


@pytest.mark.parametrize(
    ("key", "filename", "flavor"),
    [
        ("pipeline.joblib", "model.joblib", "sklearn"),
        ("pipeline.pkl", "model.pkl", "sklearn"),
        ("pipeline.skops", "model.skops", "sklearn"),
        ("hgb.joblib", "MODEL.JOBLIB", "sklearn"),
        ("xgb_clf.json", "model.json", "xgboost"),
        ("xgb_clf.ubj", "model.ubj", "xgboost"),
        ("lgb_clf.txt", "model.txt", "lightgbm"),
    ],
)
def test_detection(zoo: Zoo, key: str, filename: str, flavor: str) -> None:
    assert detect_flavor(zoo.files[key], filename).name == flavor


def test_detection_onnx_and_mlflow(onnx_files: dict[str, Path], mlflow_zip: Path) -> None:
    assert detect_flavor(onnx_files["logistic"], "churn.onnx").name == "onnx"
    assert detect_flavor(mlflow_zip, "churn.zip").name == "mlflow"


def test_detection_needs_the_matching_extension(zoo: Zoo) -> None:
    # a pickle renamed .onnx is not taken for an ONNX model, nor run as a pickle
    with pytest.raises(UnsupportedModel, match="extension of an ONNX model but its content is not one"):
        detect_flavor(zoo.files["pipeline.joblib"], "model.onnx")
    with pytest.raises(UnsupportedModel, match="not a model file modelport knows: expected .joblib/.pkl/"):
        detect_flavor(zoo.files["pipeline.joblib"], "model.bin")


# ---------------------------------------------------------------------------------------------- sklearn


@pytest.mark.parametrize(
    ("key", "fmt", "safe"),
    [
        ("pipeline.joblib", "joblib", False),
        ("pipeline.pkl", "pickle", False),
        ("pipeline.skops", "skops", True),
    ],
)
def test_sklearn_pipeline(zoo: Zoo, tmp_path: Path, key: str, fmt: str, safe: bool) -> None:
    sample = zoo.sample(tmp_path / "sample.csv")
    inspection = inspect_model(zoo.files[key], Path(key).name, sample=sample)
    _check_json(inspection)
    assert (inspection.flavor, inspection.format, inspection.safe) == ("sklearn", fmt, safe)
    assert inspection.model_type == "sklearn.pipeline.Pipeline[sklearn.linear_model.LogisticRegression]"
    # names from feature_names_in_, types refined from the sample
    assert _types(inspection) == {"a": "number", "b": "integer", "c": "string"}
    assert inspection.is_classifier
    assert inspection.classes == [0, 1]
    assert _names(inspection, "output") == ["prediction", "probability_0", "probability_1"]
    assert inspection.output_schema.columns[0].type == "integer"
    expected = zoo.models["pipeline"].predict(zoo.frame.iloc[:1])[0]
    assert inspection.example_output["prediction"] == expected
    assert inspection.example_input == {
        "a": pytest.approx(zoo.frame["a"].iloc[0]),
        "b": int(zoo.frame["b"].iloc[0]),
        "c": zoo.frame["c"].iloc[0],
    }
    assert sum(inspection.example_output["probabilities"].values()) == pytest.approx(1.0)


def test_sklearn_pipeline_without_sample_takes_text_columns_from_its_encoder(zoo: Zoo) -> None:
    # the model knows its columns but not their types: numbers, except where its one-hot encoder
    # knows text categories (and refuses others: handle_unknown="error")
    inspection = inspect_model(zoo.files["pipeline.skops"], "model.skops")
    assert _types(inspection) == {"a": "number", "b": "number", "c": "string"}
    c = inspection.input_schema.columns[2]
    assert (c.categories, c.on_unknown_category) == (["blue", "green", "red"], "reject")
    assert inspection.example_input["c"] == "blue"


def test_hist_gradient_boosting_with_string_classes(zoo: Zoo) -> None:
    inspection = inspect_model(zoo.files["hgb.joblib"], "hgb.joblib")
    _check_json(inspection)
    assert inspection.format == "joblib"  # compressed joblib
    assert inspection.model_type == "sklearn.ensemble.HistGradientBoostingClassifier"
    assert _names(inspection) == ["a", "b"]
    assert inspection.example_input == {"a": 0.0, "b": 0.0}  # synthetic row
    assert inspection.classes == sorted(["low", "mid", "high"])
    assert inspection.output_schema.columns[0].type == "string"
    assert _names(inspection, "output")[1:] == ["probability_high", "probability_low", "probability_mid"]
    assert inspection.example_output["prediction"] in {"low", "mid", "high"}

    model = load_model(zoo.files["hgb.joblib"], "sklearn")
    prediction = model.predict(zoo.numeric().iloc[:7])
    assert prediction.predictions.tolist() == zoo.models["hgb"].predict(zoo.numeric().iloc[:7]).tolist()
    assert prediction.probabilities is not None
    assert prediction.probabilities.shape == (7, 3)
    assert prediction.classes == ["high", "low", "mid"]


def test_regressor_skops(zoo: Zoo) -> None:
    inspection = inspect_model(zoo.files["ridge.skops"], "ridge.skops")
    _check_json(inspection)
    assert (inspection.safe, inspection.format, inspection.is_classifier) == (True, "skops", False)
    assert inspection.model_type == "sklearn.linear_model.Ridge"
    assert _names(inspection, "output") == ["prediction"]
    assert inspection.output_schema.columns[0].type == "number"
    assert inspection.classes is None
    assert "probabilities" not in inspection.example_output
    assert inspection.example_output["prediction"] == pytest.approx(
        float(zoo.models["ridge"].predict(pd.DataFrame({"a": [0.0], "b": [0]}))[0])
    )


def test_model_without_feature_names_takes_the_sample_columns(zoo: Zoo, tmp_path: Path) -> None:
    sample = zoo.sample(tmp_path / "s.csv", ["a", "b"])
    inspection = inspect_model(zoo.files["unnamed.joblib"], "unnamed.joblib", sample=sample)
    assert _types(inspection) == {"a": "number", "b": "integer"}
    expected = zoo.models["unnamed"].predict(zoo.numeric().to_numpy()[:1])[0]
    assert inspection.example_output["prediction"] == pytest.approx(expected)


# ---------------------------------------------------------------------------------------------- xgboost


@pytest.mark.parametrize("ext", ["json", "ubj"])
def test_xgboost_classifier(zoo: Zoo, ext: str) -> None:
    inspection = inspect_model(zoo.files[f"xgb_clf.{ext}"], f"model.{ext}")
    _check_json(inspection)
    assert (inspection.flavor, inspection.format, inspection.safe) == ("xgboost", f"xgboost-{ext}", True)
    assert inspection.model_type == "xgboost.XGBClassifier(binary:logistic)"
    assert _types(inspection) == {"a": "number", "b": "integer"}
    assert inspection.is_classifier
    assert inspection.classes == [0, 1]
    assert _names(inspection, "output") == ["prediction", "probability_0", "probability_1"]

    model = load_model(zoo.files[f"xgb_clf.{ext}"], "xgboost")
    rows = zoo.numeric().iloc[:9]
    prediction = model.predict(rows)
    reference = zoo.models["xgb_clf"]
    assert prediction.predictions.tolist() == reference.predict(rows).tolist()
    assert prediction.probabilities is not None
    np.testing.assert_allclose(prediction.probabilities, reference.predict_proba(rows), rtol=1e-5)
    config = json.loads(model.booster.save_config())  # type: ignore[attr-defined]
    assert config["learner"]["generic_param"]["nthread"] == "1"


@pytest.mark.parametrize("ext", ["json", "ubj"])
def test_xgboost_regressor_and_multiclass(zoo: Zoo, ext: str) -> None:
    inspection = inspect_model(zoo.files[f"xgb_reg.{ext}"], f"model.{ext}")
    assert inspection.model_type == "xgboost.XGBRegressor(reg:squarederror)"
    assert not inspection.is_classifier
    assert _names(inspection, "output") == ["prediction"]
    rows = zoo.numeric().iloc[:5]
    got = load_model(zoo.files[f"xgb_reg.{ext}"], "xgboost").predict(rows).predictions
    np.testing.assert_allclose(got, zoo.models["xgb_reg"].predict(rows), rtol=1e-5)

    multi = inspect_model(zoo.files[f"xgb_multi.{ext}"], f"model.{ext}")
    assert multi.classes == [0, 1, 2]
    got = load_model(zoo.files[f"xgb_multi.{ext}"], "xgboost").predict(rows).predictions
    assert got.tolist() == zoo.models["xgb_multi"].predict(rows).tolist()


# ---------------------------------------------------------------------------------------------- lightgbm


def test_lightgbm_classifier(zoo: Zoo, tmp_path: Path) -> None:
    sample = zoo.sample(tmp_path / "s.csv")  # has an extra column "c": ignored
    inspection = inspect_model(zoo.files["lgb_clf.txt"], "model.txt", sample=sample)
    _check_json(inspection)
    assert (inspection.flavor, inspection.format, inspection.safe) == ("lightgbm", "lightgbm-text", True)
    assert inspection.model_type == "lightgbm.Booster(binary)"
    assert _types(inspection) == {"a": "number", "b": "integer"}
    assert inspection.classes == [0, 1]
    rows = zoo.numeric().iloc[:8]
    prediction = load_model(zoo.files["lgb_clf.txt"], "lightgbm").predict(rows)
    assert prediction.predictions.tolist() == zoo.models["lgb_clf"].predict(rows).tolist()
    assert prediction.probabilities is not None
    np.testing.assert_allclose(prediction.probabilities, zoo.models["lgb_clf"].predict_proba(rows), rtol=1e-6)


def test_lightgbm_regressor_and_multiclass(zoo: Zoo) -> None:
    rows = zoo.numeric().iloc[:6]
    inspection = inspect_model(zoo.files["lgb_reg.txt"], "model.txt")
    assert inspection.model_type == "lightgbm.Booster(regression)"
    assert not inspection.is_classifier
    got = load_model(zoo.files["lgb_reg.txt"], "lightgbm").predict(rows).predictions
    np.testing.assert_allclose(got, zoo.models["lgb_reg"].predict(rows), rtol=1e-6)

    multi = inspect_model(zoo.files["lgb_multi.txt"], "model.txt")
    assert multi.classes == [0, 1, 2]  # the text format keeps class indexes only
    multi_prediction = load_model(zoo.files["lgb_multi.txt"], "lightgbm").predict(rows)
    assert multi_prediction.probabilities is not None
    np.testing.assert_allclose(
        multi_prediction.probabilities, zoo.models["lgb_multi"].predict_proba(rows), rtol=1e-6
    )


def test_lightgbm_pandas_categorical_column(zoo: Zoo, tmp_path: Path) -> None:
    import lightgbm

    frame = zoo.frame.astype({"c": "category"})
    model = lightgbm.LGBMClassifier(n_estimators=3, num_leaves=4, min_child_samples=5, verbose=-1)
    model.fit(frame, zoo.y)
    path = tmp_path / "cat.txt"
    model.booster_.save_model(path)
    inspection = inspect_model(path, "cat.txt")
    column = inspection.input_schema.columns[2]
    assert (column.name, column.type, column.categories) == ("c", "string", ["blue", "green", "red"])
    assert inspection.example_input["c"] == "blue"  # the first category, not ""
    rows = zoo.frame.iloc[:20]  # strings, as read from a CSV
    got = load_model(path, "lightgbm").predict(rows).predictions
    assert got.tolist() == np.asarray(model.predict(frame.iloc[:20])).tolist()


def test_xgboost_booster_without_feature_names_needs_a_sample(zoo: Zoo, tmp_path: Path) -> None:
    import xgboost

    booster = xgboost.train({"nthread": 1}, xgboost.DMatrix(zoo.numeric().to_numpy(), label=zoo.target), 3)
    path = tmp_path / "plain.json"
    booster.save_model(path)
    with pytest.raises(InvalidArgument, match="a sample CSV with the feature columns is needed"):
        inspect_model(path, "plain.json")
    inspection = inspect_model(path, "plain.json", sample=zoo.sample(tmp_path / "s.csv", ["a", "b"]))
    assert inspection.model_type == "xgboost.Booster(reg:squarederror)"
    assert inspection.input_schema.names() == ["a", "b"]
    expected = booster.predict(xgboost.DMatrix(zoo.numeric().to_numpy()[:1]))[0]
    assert inspection.example_output["prediction"] == pytest.approx(float(expected))


# ---------------------------------------------------------------------------------------------- onnx


def test_onnx_single_tensor_input(zoo: Zoo, onnx_files: dict[str, Path], tmp_path: Path) -> None:
    inspection = inspect_model(onnx_files["logistic"], "model.onnx")
    _check_json(inspection)
    assert (inspection.flavor, inspection.format, inspection.safe) == ("onnx", "onnx", True)
    assert inspection.model_type.startswith("onnx.skl2onnx")
    assert _names(inspection) == ["f0", "f1"]
    assert inspection.classes == ["high", "low", "mid"]  # read from the graph's classifier node
    assert _names(inspection, "output")[1:] == ["probability_high", "probability_low", "probability_mid"]

    named = inspect_model(
        onnx_files["logistic"], "model.onnx", sample=zoo.sample(tmp_path / "s.csv", ["a", "b"])
    )
    assert _types(named) == {"a": "number", "b": "number"}  # names from the sample, types from the tensor
    reference = zoo.models["onnx_logistic"]
    assert (
        named.example_output["prediction"] == reference.predict(zoo.numeric().astype(np.float32).iloc[:1])[0]
    )

    model = load_model(onnx_files["logistic"], "onnx")
    assert model.session.get_session_options().intra_op_num_threads == 1  # type: ignore[attr-defined]
    rows = zoo.numeric().iloc[:10]
    prediction = model.predict(rows)
    assert prediction.predictions.tolist() == reference.predict(rows.astype(np.float32)).tolist()
    assert prediction.probabilities is not None
    np.testing.assert_allclose(
        prediction.probabilities, reference.predict_proba(rows.astype(np.float32)), atol=1e-5
    )


def test_onnx_zipmap_probabilities(zoo: Zoo, onnx_files: dict[str, Path]) -> None:
    inspection = inspect_model(onnx_files["zipmap"], "model.onnx")
    assert inspection.is_classifier
    assert inspection.classes == ["high", "low", "mid"]
    assert set(inspection.example_output["probabilities"]) == {"high", "low", "mid"}


def test_onnx_one_input_per_column(zoo: Zoo, onnx_files: dict[str, Path]) -> None:
    inspection = inspect_model(onnx_files["columns"], "model.onnx")
    assert _types(inspection) == {"a": "number", "c": "string"}
    assert inspection.example_input == {"a": 0.0, "c": ""}  # an unknown category: ignored by the encoder
    model = load_model(onnx_files["columns"], "onnx")
    rows = zoo.frame[["a", "c"]].iloc[:10]
    assert model.predict(rows).predictions.tolist() == zoo.models["onnx_columns"].predict(rows).tolist()


def test_onnx_sample_width_must_match(zoo: Zoo, onnx_files: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match="takes 2 columns by position, the sample has 3") as caught:
        inspect_model(onnx_files["logistic"], "model.onnx", sample=zoo.sample(tmp_path / "s.csv"))
    assert caught.value.field == "sample"


# ---------------------------------------------------------------------------------------------- mlflow


def test_mlflow_zip(zoo: Zoo, mlflow_zip: Path) -> None:
    inspection = inspect_model(mlflow_zip, "model.zip")
    _check_json(inspection)
    assert (inspection.flavor, inspection.format, inspection.safe) == ("mlflow", "mlflow", False)
    assert inspection.model_type == "mlflow.sklearn:sklearn.linear_model.LogisticRegression"
    assert _types(inspection) == {"a": "number", "b": "number"}  # from the signature
    assert inspection.is_classifier
    assert inspection.classes == [0, 1]
    assert _names(inspection, "output") == ["prediction", "probability_0", "probability_1"]

    model = load_model(mlflow_zip, "mlflow")
    rows = zoo.numeric().iloc[:5]
    assert model.predict(rows).predictions.tolist() == zoo.models["mlflow"].predict(rows).tolist()
    workdir = model.workdir  # type: ignore[attr-defined]
    assert (workdir / "mlflow_model" / "MLmodel").is_file()
    del model
    gc.collect()
    assert not workdir.exists()  # the extracted folder goes with the model


def test_mlflow_zip_with_the_model_at_its_root(zoo: Zoo, mlflow_zip: Path, tmp_path: Path) -> None:
    import shutil

    flat = shutil.make_archive(str(tmp_path / "flat"), "zip", root_dir=zoo.root / "mlflow_model")
    assert detect_flavor(Path(flat), "flat.zip").name == "mlflow"
    assert inspect_model(Path(flat), "flat.zip").classes == [0, 1]


# ---------------------------------------------------------------------------------------------- schema rules


def test_flavor_argument_skips_detection(zoo: Zoo) -> None:
    # an artifact-store path has no extension: loading goes by content
    inspection = inspect_model(zoo.files["xgb_reg.ubj"], "blob", flavor="xgboost")
    assert inspection.format == "xgboost-ubj"

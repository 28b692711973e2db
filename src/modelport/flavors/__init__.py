"""Model formats ("flavors"): detect a model file, load it, inspect it, and write SDK models to files.

* :data:`FLAVORS` / :func:`get_flavor` - the registry;
* :func:`detect_flavor` - which flavor a file is, from its name and first bytes;
* :func:`load_model` - a :class:`LoadedModel` ready to predict;
* :func:`inspect_model` - what the catalog records of a new version: flavor, safety, input/output schemas,
  classes and an example prediction;
* :func:`serialize_model` - write a fitted Python model object to a file in the safest format that fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy
import pandas

from modelport.columns import ColumnSpec, ColumnType, ModelSchema
from modelport.errors import InvalidArgument, UnsupportedModel
from modelport.flavors.base import (
    Flavor,
    LoadedModel,
    Prediction,
    column_type_of_dtype,
    public_type_name,
    read_head,
    schema_from_frame,
    to_python,
    unsupported,
)
from modelport.flavors.lightgbm import LightGBMFlavor
from modelport.flavors.mlflow import MLFLOW_EXTRA_MESSAGE, MlflowFlavor, mlflow_available
from modelport.flavors.onnx import OnnxFlavor
from modelport.flavors.sklearn import SklearnFlavor, check_skops_types
from modelport.flavors.xgboost import XGBoostFlavor

__all__ = [
    "FLAVORS",
    "Flavor",
    "Inspection",
    "LoadedModel",
    "Prediction",
    "detect_flavor",
    "example_frame",
    "get_flavor",
    "inspect_model",
    "load_model",
    "output_schema",
    "serialize_model",
]

FLAVORS: dict[str, Flavor] = {
    flavor.name: flavor
    for flavor in (SklearnFlavor(), XGBoostFlavor(), LightGBMFlavor(), OnnxFlavor(), MlflowFlavor())
}
"""Every flavor modelport knows, by name."""

_EXPECTED = "expected .joblib/.pkl/.skops/.json/.ubj/.txt/.onnx or an MLflow model zip"


def get_flavor(name: str) -> Flavor:
    """The flavor called ``name``; InvalidArgument for an unknown name or a missing optional extra."""
    flavor = FLAVORS.get(name)
    if flavor is None:
        raise InvalidArgument(
            f"unknown model flavor {name!r}: known flavors are " + ", ".join(sorted(FLAVORS)), field="flavor"
        )
    if name == "mlflow" and not mlflow_available():
        raise UnsupportedModel(MLFLOW_EXTRA_MESSAGE, field="flavor")
    return flavor


def detect_flavor(path: Path, filename: str) -> Flavor:
    """The flavor of the file at ``path`` (uploaded as ``filename``), from its extension and first bytes."""
    if not read_head(path, 1):
        raise UnsupportedModel(f"{filename} is empty: it is not a model file", field="file")
    for flavor in FLAVORS.values():
        if flavor.sniff(path, filename):
            return get_flavor(flavor.name)
    owners = [flavor for flavor in FLAVORS.values() if flavor.owns_extension(filename)]
    if owners:
        what = " or ".join(flavor.description for flavor in owners)
        raise UnsupportedModel(
            f"{filename} has the extension of {what} but its content is not one ({_EXPECTED})", field="file"
        )
    raise UnsupportedModel(f"{filename} is not a model file modelport knows: {_EXPECTED}", field="file")


def load_model(path: Path, flavor: str) -> LoadedModel:
    """Load the model at ``path`` with the named flavor."""
    return get_flavor(flavor).load(path)


@dataclass
class Inspection:
    """What a model file tells of itself, checked by predicting on one example row."""

    flavor: str
    safe: bool
    model_type: str
    format: str
    input_schema: ModelSchema
    output_schema: ModelSchema
    is_classifier: bool
    classes: list[Any] | None
    example_input: dict[str, Any]
    example_output: dict[str, Any]


# ---------------------------------------------------------------------------------------------- inspection


def _missing(names: list[str], frame: pandas.DataFrame) -> list[str]:
    present = {str(c) for c in frame.columns}
    return [n for n in names if n not in present]


SAMPLE_CATEGORY_MIN_ROWS = 20
"""A sample's string column gives categories only from this many values on..."""
SAMPLE_CATEGORY_MAX = 30
"""...and when it holds at most this many distinct values (and at most one per two rows)."""


def _input_schema(model: LoadedModel, sample: pandas.DataFrame | None) -> ModelSchema:
    """The version's input schema: columns and types (:func:`_columns`), then blanks and categories
    from the model and the sample (:func:`_refine`)."""
    if sample is not None:
        sample = sample.rename(columns=str)
    return _refine(_columns(model, sample), model, sample)


def _refine(schema: ModelSchema, model: LoadedModel, sample: pandas.DataFrame | None) -> ModelSchema:
    """Nullable where the sample has blanks or the model copes with missing values; categories from
    the model's encoders or categorical features, else from a sample's few distinct strings."""
    facts = model.input_facts() or []
    columns: list[ColumnSpec] = []
    for position, column in enumerate(schema.columns):
        fact = facts[position] if position < len(facts) else None
        values = sample[column.name] if sample is not None and column.name in sample.columns else None
        update: dict[str, Any] = {}
        if (values is not None and bool(values.isna().any())) or (fact is not None and fact.nullable):
            update["nullable"] = True
        kind = column.type
        if fact is not None and fact.categories:
            if values is None and all(isinstance(v, str) for v in fact.categories):
                kind = update["type"] = "string"  # a model without a sample: its encoder says text
            categories = _categories_as(kind, fact.categories)
            if categories is not None:
                update["categories"] = categories
                if fact.reject_unknown:
                    update["on_unknown_category"] = "reject"
        if (
            "categories" not in update
            and column.categories is None
            and kind == "string"
            and values is not None
        ):
            found = _sample_categories(values)
            if found is not None:
                update["categories"] = found
        columns.append(column.model_copy(update=update) if update else column)
    return ModelSchema(columns=columns)


def _categories_as(kind: ColumnType, values: list[Any]) -> list[str] | None:
    """Categories as the column's checks compare them: text for a string column, integers (as text)
    for an integer column; None where they do not fit the column's type."""
    if kind == "string":
        return [str(v) for v in values]
    if kind == "integer" and all(
        isinstance(v, int | float | numpy.integer | numpy.floating)
        and not isinstance(v, bool)
        and float(v).is_integer()
        for v in values
    ):
        return [str(int(v)) for v in values]
    return None


def _sample_categories(values: pandas.Series) -> list[str] | None:
    present = values.dropna()
    if len(present) < SAMPLE_CATEGORY_MIN_ROWS or not all(isinstance(v, str) for v in present.tolist()):
        return None
    distinct = sorted(set(present.tolist()))
    if len(distinct) > min(SAMPLE_CATEGORY_MAX, len(present) // 2):
        return None
    return distinct


def _columns(model: LoadedModel, sample: pandas.DataFrame | None) -> ModelSchema:
    known = model.input_schema
    if known is not None and model.positional:
        if sample is None:
            return known
        if len(sample.columns) != len(known.columns):
            raise InvalidArgument(
                f"the model takes {len(known.columns)} columns by position, "
                f"the sample has {len(sample.columns)}: "
                "give a sample CSV with exactly the model's feature columns, in order",
                field="sample",
            )
        renamed = [
            col.model_copy(update={"name": str(name)})
            for col, name in zip(known.columns, sample.columns, strict=True)
        ]
        return ModelSchema(columns=renamed)
    if known is not None:
        if sample is None:
            return known
        missing = _missing(known.names(), sample)
        if missing:
            raise InvalidArgument(
                "the sample lacks columns the model needs: " + ", ".join(missing),
                field="sample",
                details={"missing_columns": missing},
            )
        if model.input_types_known:
            return known
        from_sample = schema_from_frame(sample[known.names()])
        return ModelSchema(
            columns=[
                col.model_copy(update={"type": typed.type})
                for col, typed in zip(known.columns, from_sample.columns, strict=True)
            ]
        )
    if sample is None or len(sample.columns) == 0:
        raise InvalidArgument(
            "this model does not record its input columns: a sample CSV with the feature columns is needed",
            field="sample",
        )
    if model.n_features is not None and len(sample.columns) != model.n_features:
        raise InvalidArgument(
            f"the model takes {model.n_features} columns, the sample has {len(sample.columns)}: "
            "give a sample CSV with exactly the model's feature columns, in order",
            field="sample",
        )
    return schema_from_frame(sample)


_SYNTHETIC: dict[ColumnType, Any] = {
    "integer": numpy.int64(0),
    "number": numpy.float64(0.0),
    "boolean": numpy.bool_(False),
    "string": "",
    "datetime": pandas.Timestamp("1970-01-01"),
}


def example_frame(schema: ModelSchema, sample: pandas.DataFrame | None = None) -> pandas.DataFrame:
    """One row to predict on: the sample's first row, else 0 / 0.0 / False / "" by column type."""
    if sample is not None and len(sample) > 0:
        return sample.rename(columns=str)[schema.names()].iloc[:1].reset_index(drop=True)
    data: dict[str, Any] = {}
    for column in schema.columns:
        value = column.categories[0] if column.categories else _SYNTHETIC[column.type]
        data[column.name] = [value]
    frame = pandas.DataFrame(data)
    for column in schema.columns:
        if column.type == "string":
            frame[column.name] = frame[column.name].astype(object)
    return frame


def _prediction_type(values: numpy.ndarray) -> ColumnType:
    if values.dtype == object:
        kinds = {type(v) for v in values.ravel().tolist() if v is not None}
        if kinds and all(issubclass(k, bool) for k in kinds):
            return "boolean"
        if kinds and all(issubclass(k, int) for k in kinds):
            return "integer"
        if kinds and all(issubclass(k, int | float) for k in kinds):
            return "number"
        return "string"
    return column_type_of_dtype(values.dtype)


def output_schema(prediction: Prediction) -> ModelSchema:
    """``prediction`` (or ``prediction_<i>`` for multi-output) plus ``probability_<class>`` per class."""
    values = prediction.predictions
    column_type = _prediction_type(values)
    if values.ndim == 2 and values.shape[1] > 1:
        columns = [ColumnSpec(name=f"prediction_{i}", type=column_type) for i in range(values.shape[1])]
    else:
        columns = [ColumnSpec(name="prediction", type=column_type)]
    if prediction.probabilities is not None and prediction.classes is not None:
        columns += [
            ColumnSpec(name=f"probability_{c}", type="number", minimum=0.0, maximum=1.0)
            for c in prediction.classes
        ]
    return ModelSchema(columns=columns)


def _example_output(prediction: Prediction) -> dict[str, Any]:
    values = prediction.predictions
    first = values[0] if len(values) else None
    output: dict[str, Any] = {"prediction": to_python(first)}
    if prediction.probabilities is not None and prediction.classes is not None:
        output["probabilities"] = {
            str(c): to_python(p)
            for c, p in zip(prediction.classes, prediction.probabilities[0], strict=False)
        }
    return output


def inspect_model(
    path: Path, filename: str, sample: pandas.DataFrame | None = None, flavor: str | None = None
) -> Inspection:
    """Detect (or use ``flavor``), load, derive the schemas and predict on one example row.

    The input schema comes from the model where it knows its columns (the sample must then contain
    them), else from the sample's columns and dtypes. InvalidArgument(field="sample") when neither
    is available or the sample does not fit; UnsupportedModel when the model cannot predict.
    """
    chosen = get_flavor(flavor) if flavor else detect_flavor(path, filename)
    model = chosen.load(path)
    schema = _input_schema(model, sample)
    row = example_frame(schema, sample)
    try:
        prediction = model.predict(row)
        if len(prediction.predictions) != len(row):
            raise ValueError(f"{len(prediction.predictions)} predictions for {len(row)} row")
    except Exception as exc:  # any failure here means the model cannot serve
        error = unsupported("the model could not predict on an example row", exc)
        hint = "" if sample is not None else " (a sample CSV with real feature values may help)"
        raise UnsupportedModel(error.message + hint, field="file") from None
    classes = prediction.classes if prediction.classes is not None else model.classes
    return Inspection(
        flavor=model.flavor,
        safe=model.safe,
        model_type=model.model_type,
        format=model.format,
        input_schema=schema,
        output_schema=output_schema(prediction),
        is_classifier=bool(model.is_classifier or prediction.probabilities is not None),
        classes=[to_python(c) for c in classes] if classes is not None else None,
        example_input={str(name): to_python(row[name].iloc[0]) for name in row.columns},
        example_output=_example_output(prediction),
    )


# ---------------------------------------------------------------------------------------------- serialize


def _is_module_type(obj: Any, module: str, names: tuple[str, ...]) -> bool:
    """Whether ``obj`` is an instance of ``module.<name>`` without importing ``module`` needlessly."""
    for cls in type(obj).__mro__:
        if cls.__module__.split(".")[0] == module and cls.__name__ in names:
            return True
    return False


def serialize_model(obj: Any, dest_dir: Path) -> Path:
    """Write a fitted model object to a file in ``dest_dir`` (safe formats only) and return its path.

    scikit-learn estimators and pipelines -> ``model.skops``; ``xgboost.Booster``/``XGBModel`` ->
    ``model.ubj``; ``lightgbm.Booster``/``LGBMModel`` -> ``model.txt`` (``model.skops`` for a
    classifier whose labels are not 0..k-1, which LightGBM's text format would lose); an ONNX
    ``ModelProto`` -> ``model.onnx``. Anything else -> InvalidArgument.
    """
    dest_dir.mkdir(parents=True, exist_ok=True)
    if _is_module_type(obj, "xgboost", ("Booster", "XGBModel")):
        target = dest_dir / "model.ubj"
        obj.save_model(str(target))
        return target
    if _is_module_type(obj, "lightgbm", ("Booster",)):
        target = dest_dir / "model.txt"
        obj.save_model(str(target))
        return target
    if _is_module_type(obj, "lightgbm", ("LGBMModel",)):
        classes = getattr(obj, "classes_", None)
        if classes is None or [to_python(c) for c in classes] == list(range(len(classes))):
            target = dest_dir / "model.txt"
            obj.booster_.save_model(str(target))
            return target
        return _serialize_skops(obj, dest_dir)
    if _is_module_type(obj, "onnx", ("ModelProto",)):
        target = dest_dir / "model.onnx"
        target.write_bytes(obj.SerializeToString())
        return target
    if _is_module_type(obj, "sklearn", ("BaseEstimator",)) and callable(getattr(obj, "predict", None)):
        return _serialize_skops(obj, dest_dir)
    raise InvalidArgument(
        f"cannot save a {public_type_name(type(obj))} as a model: expected a fitted scikit-learn "
        "estimator or pipeline, an XGBoost or LightGBM model, or an ONNX ModelProto",
        field="model",
    )


def _serialize_skops(obj: Any, dest_dir: Path) -> Path:
    import skops.io

    target = dest_dir / "model.skops"
    try:
        skops.io.dump(obj, target)
        untrusted = skops.io.get_untrusted_types(file=target)
    except Exception as exc:  # skops cannot persist some objects (lambdas, open files...)
        target.unlink(missing_ok=True)
        raise InvalidArgument(
            f"cannot save the model as a skops file: {type(exc).__name__}: {exc}", field="model"
        ) from None
    try:
        check_skops_types(list(untrusted))
    except UnsupportedModel as exc:
        target.unlink(missing_ok=True)
        raise InvalidArgument(
            exc.message.replace("the skops file uses", "the model uses"), field="model", details=exc.details
        ) from None
    return target

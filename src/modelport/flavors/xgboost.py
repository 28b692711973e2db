"""XGBoost boosters saved in XGBoost's own JSON or UBJSON format (safe: no code runs on load)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy
import pandas

from modelport.columns import ColumnSpec, ColumnType, ModelSchema
from modelport.errors import UnsupportedModel
from modelport.flavors.base import Flavor, LoadedModel, Prediction, read_head, unsupported
from modelport.flavors.inputs import ColumnFacts

__all__ = ["XGBoostFlavor", "XGBoostModel"]

_FEATURE_TYPES: dict[str, ColumnType] = {
    "float": "number",
    "q": "number",
    "int": "integer",
    "i": "boolean",
    "c": "string",
}


def _is_json_model(head: bytes) -> bool:
    text = head.lstrip()
    return text.startswith(b"{") and b'"learner"' in text[:4096]


def _is_ubj_model(head: bytes) -> bool:
    # UBJSON object: "{", then the first key's length marker and the key "learner".
    return head.startswith(b"{") and b"learner" in head[:64] and not head[1:2].isspace() and head[1:2] != b'"'


class XGBoostModel(LoadedModel):
    """An ``xgboost.Booster``; classifiers' probabilities and classes come from its objective."""

    flavor = "xgboost"
    safe = True

    def __init__(self, booster: Any, fmt: str) -> None:
        self.booster = booster
        self.format = fmt
        config = json.loads(booster.save_config())
        learner = config.get("learner", {})
        self.objective = str(learner.get("learner_train_param", {}).get("objective", ""))
        num_class = int(float(learner.get("learner_model_param", {}).get("num_class", "0") or 0))
        estimator_type = ""
        meta = booster.attr("scikit_learn")
        if meta:
            try:
                estimator_type = str(json.loads(meta).get("_estimator_type", ""))
            except (ValueError, AttributeError):
                estimator_type = ""
        self.is_classifier = (
            self.objective.startswith(("binary:", "multi:")) or estimator_type == "classifier"
        )
        if self.objective.startswith("binary:"):
            self.classes = [0, 1]
        elif self.objective.startswith("multi:") and num_class > 0:
            self.classes = list(range(num_class))
        else:
            self.classes = None
        if estimator_type == "classifier":
            self.model_type = "xgboost.XGBClassifier"
        elif estimator_type == "regressor":
            self.model_type = "xgboost.XGBRegressor"
        elif estimator_type == "ranker":
            self.model_type = "xgboost.XGBRanker"
        else:
            self.model_type = "xgboost.Booster"
        if self.objective:
            self.model_type += f"({self.objective})"
        self.n_features = int(booster.num_features())
        names = booster.feature_names
        types = booster.feature_types or []
        self._categorical: list[str] = []
        self._categories = _stored_categories(booster)
        if names:
            columns = []
            for i, name in enumerate(names):
                column_type = _FEATURE_TYPES.get(types[i] if i < len(types) else "float", "number")
                if column_type == "string":
                    self._categorical.append(str(name))
                columns.append(ColumnSpec(name=str(name), type=column_type))
            self.input_schema = ModelSchema(columns=columns)
        else:
            self.input_schema = None

    def input_facts(self) -> list[ColumnFacts] | None:
        """XGBoost takes missing values in every column; categorical columns know the categories the
        model stored (XGBoost 3.1+; a value outside them is read as missing: flagged, and scored)."""
        names = self.input_schema.names() if self.input_schema is not None else []
        return [
            ColumnFacts(nullable=True, categories=self._categories.get(names[i]) if i < len(names) else None)
            for i in range(self.n_features or 0)
        ]

    def predict(self, frame: pandas.DataFrame) -> Prediction:
        """Predict with one thread; binary/multi-class probabilities are turned into labels."""
        import xgboost

        if self.input_schema is None:
            matrix = xgboost.DMatrix(frame.to_numpy(dtype=float), nthread=1)
        else:
            data = frame.copy()
            for name in self._categorical:
                if name in data.columns and not isinstance(data[name].dtype, pandas.CategoricalDtype):
                    known = self._categories.get(name)
                    # With the model's categories, a value it does not know is missing (XGBoost refuses
                    # an unknown category); without them, the frame's own categories.
                    data[name] = (
                        pandas.Categorical(data[name], categories=known)
                        if known is not None
                        else data[name].astype("category")
                    )
            matrix = xgboost.DMatrix(data, enable_categorical=True, nthread=1)
        raw = numpy.asarray(self.booster.predict(matrix))
        if self.objective == "binary:logistic":
            positive = raw.reshape(len(frame), -1)[:, 0].astype(float)
            probabilities = numpy.column_stack([1.0 - positive, positive])
            return Prediction(
                predictions=(positive > 0.5).astype(numpy.int64), probabilities=probabilities, classes=[0, 1]
            )
        if self.objective == "multi:softprob":
            probabilities = raw.reshape(len(frame), -1).astype(float)
            return Prediction(
                predictions=probabilities.argmax(axis=1).astype(numpy.int64),
                probabilities=probabilities,
                classes=list(range(probabilities.shape[1])),
            )
        if self.objective == "binary:logitraw":
            return Prediction(predictions=(raw.reshape(len(frame)) > 0).astype(numpy.int64))
        if self.objective in ("multi:softmax", "binary:hinge"):
            return Prediction(predictions=raw.reshape(len(frame)).astype(numpy.int64))
        if raw.ndim == 2 and raw.shape[1] == 1:
            raw = raw.ravel()
        return Prediction(predictions=raw)


def _stored_categories(booster: Any) -> dict[str, list[Any]]:
    """The categories of the model's categorical features, by feature name, where the model stores
    them (XGBoost 3.1+ keeps those of a pandas training frame); empty otherwise."""
    try:
        stored = booster.get_categories(export_to_arrow=True).to_arrow()
    except Exception:  # noqa: BLE001 - older XGBoost, or a model trained without categories
        return {}
    found: dict[str, list[Any]] = {}
    for name, values in stored or []:
        if values is not None:
            found[str(name)] = [v for v in values.to_pylist() if v is not None]
    return found


class XGBoostFlavor(Flavor):
    """XGBoost's native JSON (``.json``) and UBJSON (``.ubj``) model files."""

    name = "xgboost"
    safe = True
    extensions = (".json", ".ubj")
    description = "an XGBoost model (JSON or UBJSON)"

    def sniff(self, path: Path, filename: str) -> bool:
        """A ``.json``/``.ubj`` file whose top object starts with XGBoost's ``learner`` section."""
        lower = filename.lower()
        head = read_head(path)
        if lower.endswith(".json"):
            return _is_json_model(head)
        if lower.endswith(".ubj"):
            return _is_ubj_model(head)
        return False

    def load(self, path: Path) -> XGBoostModel:
        """Load the booster from the file's bytes (the format is told by the content) with nthread=1."""
        import xgboost

        head = read_head(path)
        if not head:
            raise UnsupportedModel("the model file is empty", field="file")
        if _is_json_model(head):
            fmt = "xgboost-json"
        elif _is_ubj_model(head):
            fmt = "xgboost-ubj"
        else:
            raise UnsupportedModel("the file is not an XGBoost JSON or UBJSON model", field="file")
        try:
            booster = xgboost.Booster(params={"nthread": 1})
            booster.load_model(bytearray(path.read_bytes()))
            booster.set_param({"nthread": 1})
            return XGBoostModel(booster, fmt)
        except Exception as exc:  # any xgboost error on a bad file is a bad upload
            raise unsupported(
                "could not load the XGBoost model (it may be truncated or corrupt)", exc
            ) from None

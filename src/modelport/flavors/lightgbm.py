"""LightGBM boosters saved in LightGBM's text format (safe: no code runs on load)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy
import pandas

from modelport.columns import ColumnSpec, ModelSchema
from modelport.errors import UnsupportedModel
from modelport.flavors.base import Flavor, LoadedModel, Prediction, read_head, unsupported
from modelport.flavors.inputs import ColumnFacts

__all__ = ["LightGBMFlavor", "LightGBMModel", "parse_header"]

_MAGIC = b"tree\n"
_CLASSIFIER_OBJECTIVES = ("binary", "multiclass", "multiclassova")


def parse_header(text: str) -> dict[str, str]:
    """The ``key=value`` lines before the first tree of a LightGBM text model."""
    header: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("Tree="):
            break
        key, sep, value = line.partition("=")
        if sep:
            header[key.strip()] = value.strip()
    return header


def _check_complete(text: str, header: dict[str, str]) -> None:
    """LightGBM accepts a truncated model text: check that every tree and the end marker are there."""
    if "\nend of trees" not in text:
        raise ValueError("the model text stops before its 'end of trees' line")
    sizes = header.get("tree_sizes", "").split()
    found = text.count("\nTree=")
    if sizes and found != len(sizes):
        raise ValueError(f"the model text has {found} of its {len(sizes)} trees")


def _pandas_categorical(text: str) -> list[list[Any]] | None:
    tail = text.rstrip()[-1_000_000:]
    index = tail.rfind("pandas_categorical:")
    if index < 0:
        return None
    value = json.loads(tail[index + len("pandas_categorical:") :].splitlines()[0])
    return value if isinstance(value, list) else None


class LightGBMModel(LoadedModel):
    """A ``lightgbm.Booster``: predicts with one thread; classes are 0..k-1 as LightGBM stores them."""

    flavor = "lightgbm"
    format = "lightgbm-text"
    safe = True

    def __init__(self, booster: Any, header: dict[str, str], categories: list[list[Any]] | None) -> None:
        self.booster = booster
        self.objective = header.get("objective", "").split(" ")[0]
        self.model_type = f"lightgbm.Booster({self.objective})" if self.objective else "lightgbm.Booster"
        num_class = int(header.get("num_class", "1") or 1)
        self.is_classifier = self.objective in _CLASSIFIER_OBJECTIVES
        self.classes = (
            ([0, 1] if self.objective == "binary" else list(range(num_class))) if self.is_classifier else None
        )
        names = [str(n) for n in booster.feature_name()]
        infos = header.get("feature_infos", "").split(" ")
        self.n_features = len(names)
        self._categorical: dict[str, list[Any]] = {}
        if names == [f"Column_{i}" for i in range(len(names))]:
            self.input_schema = None  # trained on an unnamed array: a sample must name the columns
            return
        columns: list[ColumnSpec] = []
        cat_index = 0
        for i, name in enumerate(names):
            info = infos[i] if i < len(infos) else ""
            if info and info != "none" and not info.startswith("["):
                if categories is not None and cat_index < len(categories):
                    values = categories[cat_index]
                    self._categorical[name] = values
                    is_text = any(isinstance(v, str) for v in values)
                    columns.append(
                        ColumnSpec(
                            name=name,
                            type="string" if is_text else "integer",
                            categories=[str(v) for v in values],
                        )
                    )
                else:
                    columns.append(ColumnSpec(name=name, type="integer"))
                cat_index += 1
            else:
                columns.append(ColumnSpec(name=name, type="number"))
        self.input_schema = ModelSchema(columns=columns)
        # LightGBM does not tell integers from floats: a sample's dtypes may refine "number".
        self.input_types_known = bool(self._categorical)

    def input_facts(self) -> list[ColumnFacts] | None:
        """LightGBM takes missing values in every column; categorical columns know their categories
        (a value outside them is read as missing: flagged, and scored)."""
        if self.n_features is None:
            return None
        names = self.input_schema.names() if self.input_schema is not None else []
        return [
            ColumnFacts(nullable=True, categories=self._categorical.get(names[i]) if i < len(names) else None)
            for i in range(self.n_features)
        ]

    def predict(self, frame: pandas.DataFrame) -> Prediction:
        """Predict with ``num_threads=1``; classifiers' probabilities are turned into labels."""
        data: Any
        if self.input_schema is None:
            data = frame.to_numpy(dtype=float)
        else:
            data = frame.copy()
            for name, values in self._categorical.items():
                if name in data.columns and not isinstance(data[name].dtype, pandas.CategoricalDtype):
                    data[name] = pandas.Categorical(data[name], categories=values)
        raw = numpy.asarray(self.booster.predict(data, num_threads=1))
        if self.objective == "binary":
            positive = raw.reshape(len(frame)).astype(float)
            return Prediction(
                predictions=(positive > 0.5).astype(numpy.int64),
                probabilities=numpy.column_stack([1.0 - positive, positive]),
                classes=[0, 1],
            )
        if self.objective in ("multiclass", "multiclassova"):
            probabilities = raw.reshape(len(frame), -1).astype(float)
            return Prediction(
                predictions=probabilities.argmax(axis=1).astype(numpy.int64),
                probabilities=probabilities,
                classes=list(range(probabilities.shape[1])),
            )
        if raw.ndim == 2 and raw.shape[1] == 1:
            raw = raw.ravel()
        return Prediction(predictions=raw)


class LightGBMFlavor(Flavor):
    """LightGBM's text model files (``.txt``)."""

    name = "lightgbm"
    safe = True
    extensions = (".txt",)
    description = "a LightGBM text model"

    def sniff(self, path: Path, filename: str) -> bool:
        """A ``.txt`` file starting with LightGBM's ``tree`` header."""
        return filename.lower().endswith(".txt") and read_head(path, 64).replace(b"\r\n", b"\n").startswith(
            _MAGIC
        )

    def load(self, path: Path) -> LightGBMModel:
        """Load the booster from the model text."""
        import lightgbm

        head = read_head(path, 64)
        if not head:
            raise UnsupportedModel("the model file is empty", field="file")
        if not head.replace(b"\r\n", b"\n").startswith(_MAGIC):
            raise UnsupportedModel("the file is not a LightGBM text model (no 'tree' header)", field="file")
        try:
            text = path.read_bytes().decode("utf-8")
            header = parse_header(text)
            _check_complete(text, header)
            booster = lightgbm.Booster(model_str=text)
            return LightGBMModel(booster, header, _pandas_categorical(text))
        except Exception as exc:  # LightGBMError, UnicodeDecodeError, bad JSON...
            raise unsupported(
                "could not load the LightGBM model (it may be truncated or corrupt)", exc
            ) from None

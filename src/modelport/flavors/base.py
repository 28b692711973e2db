"""The contract every model format ("flavor") fulfils, and helpers they share.

A :class:`Flavor` recognises a file (:meth:`Flavor.sniff`) and loads it (:meth:`Flavor.load`) into a
:class:`LoadedModel`, which predicts on a pandas frame and returns a :class:`Prediction`.
"""

from __future__ import annotations

import math
import numbers
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy
import pandas

from modelport.columns import ColumnSpec, ColumnType, ModelSchema
from modelport.errors import UnsupportedModel
from modelport.flavors.inputs import ColumnFacts

__all__ = [
    "Flavor",
    "LoadedModel",
    "Prediction",
    "column_type_of_dtype",
    "positional_schema",
    "public_type_name",
    "read_head",
    "schema_from_frame",
    "to_python",
    "unsupported",
]


@dataclass
class Prediction:
    """What a model returns for a frame of rows."""

    predictions: numpy.ndarray
    """1-d (one value per row), or 2-d (rows, outputs) for multi-output models."""
    probabilities: numpy.ndarray | None = None
    """Shape (rows, classes) for classifiers that expose probabilities, else None."""
    classes: list[Any] | None = None
    """Class labels in the column order of ``probabilities``."""


class LoadedModel(ABC):
    """A model in memory, ready to predict.

    ``input_schema`` is what the model itself knows of its inputs (None when it does not know).
    ``input_types_known`` is False where the model knows its column names but not their types
    (scikit-learn's ``feature_names_in_``): a sample's dtypes then refine the schema.
    ``positional`` is True where the model takes columns by position only (one ONNX tensor input):
    its schema names are placeholders (``f0..``) that a sample's column names may replace.
    ``n_features`` is the number of input columns where the model knows it.
    """

    flavor: str
    format: str
    model_type: str
    safe: bool
    input_schema: ModelSchema | None = None
    input_types_known: bool = True
    positional: bool = False
    n_features: int | None = None
    is_classifier: bool = False
    classes: list[Any] | None = None

    @abstractmethod
    def predict(self, frame: pandas.DataFrame) -> Prediction:
        """Predict on ``frame``, whose columns are the input schema's, in order."""

    def input_facts(self) -> list[ColumnFacts] | None:
        """What the model tells of each input column (by position): whether it may be missing, the
        categories it knows. None where it tells nothing (the default)."""
        return None


class Flavor(ABC):
    """One model format: detection and loading."""

    name: str
    safe: bool
    extensions: tuple[str, ...] = ()
    """File name endings this flavor owns (lower case, with the dot)."""
    description: str = ""
    """A human name of the format, for error messages ("an ONNX model")."""

    def owns_extension(self, filename: str) -> bool:
        """Whether ``filename`` ends with one of this flavor's extensions."""
        return filename.lower().endswith(self.extensions)

    @abstractmethod
    def sniff(self, path: Path, filename: str) -> bool:
        """Cheap detection from the file name's extension and the file's first bytes."""

    @abstractmethod
    def load(self, path: Path) -> LoadedModel:
        """Load the model at ``path``; raise :class:`UnsupportedModel` with the reason on failure."""


# ---------------------------------------------------------------------------------------------- helpers


def unsupported(what: str, exc: BaseException) -> UnsupportedModel:
    """An :class:`UnsupportedModel` saying ``what`` failed, with a short form of ``exc``."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if len(text) > 300:
        text = text[:297] + "..."
    reason = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return UnsupportedModel(f"{what}: {reason}", field="file")


def read_head(path: Path, size: int = 4096) -> bytes:
    """The first ``size`` bytes of ``path`` (empty if it cannot be read)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


def public_type_name(cls: type) -> str:
    """``sklearn.ensemble.HistGradientBoostingClassifier`` rather than the private module path."""
    parts = cls.__module__.split(".")
    public: list[str] = []
    for part in parts:
        if part.startswith("_"):
            break
        public.append(part)
    module = ".".join(public) or cls.__module__
    return f"{module}.{cls.__qualname__}"


def column_type_of_dtype(dtype: Any) -> ColumnType:
    """The logical column type of a numpy/pandas dtype."""
    if pandas.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pandas.api.types.is_integer_dtype(dtype):
        return "integer"
    if pandas.api.types.is_float_dtype(dtype) or pandas.api.types.is_complex_dtype(dtype):
        return "number"
    if pandas.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    return "string"


def schema_from_frame(frame: pandas.DataFrame) -> ModelSchema:
    """A schema with one column per frame column, typed from its dtype."""
    return ModelSchema(
        columns=[
            ColumnSpec(name=str(name), type=column_type_of_dtype(frame[name].dtype)) for name in frame.columns
        ]
    )


def positional_schema(width: int, column_type: ColumnType = "number") -> ModelSchema:
    """Placeholder columns ``f0..f{width-1}`` for a model that takes columns by position."""
    return ModelSchema(columns=[ColumnSpec(name=f"f{i}", type=column_type) for i in range(width)])


def to_python(value: Any) -> Any:
    """A JSON-serialisable Python value for a numpy/pandas scalar (NaN and NaT become None)."""
    if isinstance(value, numpy.ndarray):
        return [to_python(v) for v in value.tolist()]
    if isinstance(value, list | tuple):
        return [to_python(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_python(v) for k, v in value.items()}
    if value is None or value is pandas.NaT or value is pandas.NA:
        return None
    if isinstance(value, pandas.Timestamp | numpy.datetime64):
        stamp = pandas.Timestamp(value)
        return None if pandas.isna(stamp) else stamp.isoformat()
    if isinstance(value, numpy.generic):
        value = value.item()
    if isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)

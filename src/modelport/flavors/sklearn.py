"""scikit-learn models: joblib and pickle files (can run code on load) and skops files (cannot).

A pickle or joblib file runs code when loaded: only trusted users may upload one (see the trust model).
A skops file is loaded only after checking the types it would create against an allow-list.
"""

from __future__ import annotations

import mmap
import zipfile
from pathlib import Path
from typing import Any

import numpy
import pandas

from modelport.columns import ColumnSpec, ModelSchema
from modelport.errors import UnsupportedModel
from modelport.flavors.base import Flavor, LoadedModel, Prediction, public_type_name, read_head, unsupported
from modelport.flavors.inputs import ColumnFacts, sklearn_facts

__all__ = ["SKOPS_ALLOWED_PREFIXES", "SklearnFlavor", "SklearnModel", "check_skops_types", "sklearn_format"]

SKOPS_ALLOWED_PREFIXES = (
    "sklearn.",
    "numpy.",
    "scipy.",
    "xgboost.",
    "lightgbm.",
    "builtins.",
    "collections.",
    # Our own transformers (the Cleaner of a trained pipeline and its siblings): plain estimators whose
    # state is builtins and numpy arrays, restored by skops without running code of the file's choosing.
    "modelport.training.",
)
"""Modules whose types a skops file may create."""

_DANGEROUS_BUILTINS = frozenset(
    f"builtins.{name}"
    for name in (
        "eval",
        "exec",
        "compile",
        "open",
        "__import__",
        "getattr",
        "setattr",
        "delattr",
        "globals",
        "locals",
        "vars",
        "input",
        "breakpoint",
        "exit",
        "quit",
        "help",
        "memoryview",
    )
)

_PICKLE_EXTENSIONS = (".joblib", ".pkl", ".pickle")
# joblib's compressed containers: zlib, gzip, bz2, xz, lzma, lz4 (and the old "ZF" header).
_COMPRESSED_MAGICS = (
    b"ZF",
    b"\x78\x01",
    b"\x78\x5e",
    b"\x78\x9c",
    b"\x78\xda",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"\x5d\x00\x00",
    b"\x04\x22\x4d\x18",
)
_ZIP_MAGIC = b"PK\x03\x04"


def _is_pickle(head: bytes) -> bool:
    """Pickle protocol 2+ starts with PROTO (0x80) and a protocol number."""
    return len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5


def sklearn_format(path: Path) -> str:
    """``"skops"``, ``"joblib"`` or ``"pickle"`` from the file's content; UnsupportedModel otherwise."""
    head = read_head(path, 16)
    if not head:
        raise UnsupportedModel("the model file is empty", field="file")
    if head.startswith(_ZIP_MAGIC):
        return "skops"
    if head.startswith(_COMPRESSED_MAGICS):
        return "joblib"
    if _is_pickle(head):
        # An uncompressed joblib file embeds its numpy arrays through joblib's own wrapper class.
        try:
            with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                return "joblib" if data.find(b"joblib.numpy_pickle") >= 0 else "pickle"
        except (OSError, ValueError):
            return "pickle"
    raise UnsupportedModel("the file is not a pickle, joblib or skops file", field="file")


def check_skops_types(untrusted: list[str]) -> None:
    """Refuse a skops file that would create types outside the allow-list."""
    refused = sorted(
        name
        for name in untrusted
        if name in _DANGEROUS_BUILTINS or not name.startswith(SKOPS_ALLOWED_PREFIXES)
    )
    if refused:
        raise UnsupportedModel(
            "the skops file uses types modelport does not load: "
            + ", ".join(refused)
            + " (allowed: types from "
            + ", ".join(p.rstrip(".") for p in SKOPS_ALLOWED_PREFIXES)
            + ")",
            field="file",
            details={"refused_types": refused},
        )


def _load_skops(path: Path) -> Any:
    import skops.io

    try:
        with zipfile.ZipFile(path) as archive:
            if "schema.json" not in archive.namelist():
                raise UnsupportedModel("the zip file is not a skops file (no schema.json)", field="file")
        untrusted = skops.io.get_untrusted_types(file=path)
    except UnsupportedModel:
        raise
    except Exception as exc:  # any failure to read the file is a bad upload
        raise unsupported("could not read the skops file (it may be truncated or corrupt)", exc) from None
    check_skops_types(list(untrusted))
    try:
        return skops.io.load(path, trusted=list(untrusted))
    except Exception as exc:
        raise unsupported("could not load the skops file", exc) from None


def _load_pickle(path: Path, fmt: str) -> Any:
    import joblib

    try:
        return joblib.load(path)
    except ModuleNotFoundError as exc:
        missing = exc.name or str(exc)
        raise UnsupportedModel(
            f"the {fmt} file needs the Python module {missing!r}, which is not installed on this server",
            field="file",
            details={"missing_module": missing},
        ) from None
    except AttributeError as exc:
        text = str(exc)
        hint = ""
        if "__main__" in text:
            hint = (
                " (a class defined in a notebook or a script cannot be loaded elsewhere: put it in a package)"
            )
        raise UnsupportedModel(
            f"the {fmt} file refers to a class this server cannot import: {text}{hint}", field="file"
        ) from None
    except ImportError as exc:
        raise unsupported(f"the {fmt} file refers to something this server cannot import", exc) from None
    except Exception as exc:  # EOFError, UnpicklingError, ValueError, zlib errors...
        raise unsupported(f"could not load the {fmt} file (it may be truncated or corrupt)", exc) from None


def _python_classes(values: Any) -> list[Any]:
    return [v.item() if isinstance(v, numpy.generic) else v for v in list(values)]


def _model_type(obj: Any) -> str:
    name = public_type_name(type(obj))
    steps = getattr(obj, "steps", None)
    if isinstance(steps, list) and steps and isinstance(steps[-1], tuple) and len(steps[-1]) == 2:
        return f"{name}[{public_type_name(type(steps[-1][1]))}]"
    return name


class SklearnModel(LoadedModel):
    """A scikit-learn estimator or pipeline (or anything with a scikit-learn-like ``predict``)."""

    flavor = "sklearn"

    def __init__(self, estimator: Any, fmt: str) -> None:
        from sklearn.base import is_classifier

        self.estimator = estimator
        self.format = fmt
        self.safe = fmt == "skops"
        self.model_type = _model_type(estimator)
        self.input_types_known = False
        names = getattr(estimator, "feature_names_in_", None)
        self.input_schema = (
            ModelSchema(columns=[ColumnSpec(name=str(n), type="number") for n in names])
            if names is not None
            else None
        )
        self._by_name = names is not None
        width = getattr(estimator, "n_features_in_", None)
        self.n_features = int(width) if isinstance(width, int | numpy.integer) else None
        try:
            self.is_classifier = bool(is_classifier(estimator))
        except Exception:  # estimators from other libraries may not answer
            self.is_classifier = False
        classes = getattr(estimator, "classes_", None)
        self.classes = _python_classes(classes) if self.is_classifier and classes is not None else None
        self._facts: list[ColumnFacts] | None = None

    def input_facts(self) -> list[ColumnFacts] | None:
        """Blanks and categories as the pipeline handles them (:func:`.inputs.sklearn_facts`)."""
        width = self.n_features
        if width is None and self.input_schema is not None:
            width = len(self.input_schema.columns)
        if width is None:
            return None
        if self._facts is None:
            self._facts = sklearn_facts(self.estimator, width)
        return self._facts

    def _argmax_of_proba(self) -> bool:
        cached: bool | None = getattr(self, "_argmax_cached", None)
        if cached is None:
            final = self.estimator
            if type(final).__name__ == "Pipeline" and getattr(final, "steps", None):
                final = final.steps[-1][1]
            cached = (
                self.is_classifier
                and self.classes is not None
                and type(final).__name__ in _ARGMAX_CLASSIFIERS
                and type(final).__module__.startswith("sklearn.")
                and len(getattr(self.estimator, "classes_", [])) == len(self.classes)
            )
            self._argmax_cached = cached
        return cached

    def predict(self, frame: pandas.DataFrame) -> Prediction:
        """Predict; probabilities too where the estimator has ``predict_proba``."""
        data: Any = frame if self._by_name else frame.to_numpy()
        if self._argmax_of_proba():
            # These classifiers define predict() as the most probable class: score once, not twice
            # (measured: 35 % of a batch run's CPU, and half the model time of an online request).
            scores = numpy.asarray(self.estimator.predict_proba(data), dtype=float)
            labels = numpy.asarray(self.estimator.classes_)
            return Prediction(
                predictions=labels[numpy.argmax(scores, axis=1)],
                probabilities=scores,
                classes=list(self.classes or []),
            )
        predictions = numpy.asarray(self.estimator.predict(data))
        if predictions.ndim == 2 and predictions.shape[1] == 1:
            predictions = predictions.ravel()
        probabilities = None
        classes = None
        if self.is_classifier and self.classes is not None and hasattr(self.estimator, "predict_proba"):
            try:
                proba = numpy.asarray(self.estimator.predict_proba(data), dtype=float)
            except (AttributeError, NotImplementedError):  # e.g. SVC(probability=False)
                proba = None
            if proba is not None and proba.ndim == 2 and proba.shape[1] == len(self.classes):
                probabilities, classes = proba, list(self.classes)
        return Prediction(predictions=predictions, probabilities=probabilities, classes=classes)


_ARGMAX_CLASSIFIERS = frozenset(
    {
        "HistGradientBoostingClassifier",
        "GradientBoostingClassifier",
        "RandomForestClassifier",
        "ExtraTreesClassifier",
        "DecisionTreeClassifier",
        "ExtraTreeClassifier",
        "LogisticRegression",
    }
)
"""scikit-learn classifiers whose predict() is classes_[argmax(predict_proba)]."""


class SklearnFlavor(Flavor):
    """scikit-learn models saved with joblib, pickle or skops."""

    name = "sklearn"
    safe = False
    extensions = (*_PICKLE_EXTENSIONS, ".skops")
    description = "a scikit-learn model (joblib, pickle or skops)"

    def sniff(self, path: Path, filename: str) -> bool:
        """A ``.joblib/.pkl/.pickle`` file holding a pickle (maybe compressed), or a ``.skops`` zip."""
        lower = filename.lower()
        head = read_head(path, 16)
        if lower.endswith(".skops"):
            return head.startswith(_ZIP_MAGIC)
        if lower.endswith(_PICKLE_EXTENSIONS):
            return _is_pickle(head) or head.startswith(_COMPRESSED_MAGICS)
        return False

    def load(self, path: Path) -> SklearnModel:
        """Load a skops file after checking its types, or a pickle/joblib file (runs code: trusted only)."""
        fmt = sklearn_format(path)
        obj = _load_skops(path) if fmt == "skops" else _load_pickle(path, fmt)
        if not callable(getattr(obj, "predict", None)):
            raise UnsupportedModel(
                f"the {fmt} file holds a {public_type_name(type(obj))}, not a model with a predict method",
                field="file",
            )
        return SklearnModel(obj, fmt)

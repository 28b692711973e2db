"""MLflow models: a ``.zip`` of an MLflow model folder, loaded with ``mlflow.pyfunc`` (can run code).

``mlflow`` is an optional extra (``pip install modelport[mlflow]``): it is imported only when a model
is loaded. The zip is extracted into a private temporary folder after checking every entry
(no absolute paths, no ``..``, no links, a bounded total size).
"""

from __future__ import annotations

import importlib.util
import shutil
import stat
import tempfile
import weakref
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import numpy
import pandas

from modelport.columns import ColumnSpec, ColumnType, ModelSchema
from modelport.errors import UnsupportedModel
from modelport.flavors.base import Flavor, LoadedModel, Prediction, public_type_name, read_head, unsupported

__all__ = [
    "MAX_UNZIPPED_BYTES",
    "MLFLOW_EXTRA_MESSAGE",
    "MlflowFlavor",
    "MlflowModel",
    "find_mlmodel_root",
    "mlflow_available",
    "safe_extract",
]

MLFLOW_EXTRA_MESSAGE = "MLflow models need the optional MLflow support: pip install modelport[mlflow]"
MAX_UNZIPPED_BYTES = 8 * 1024**3
"""Refuse MLflow zips that would expand beyond this (zip bombs)."""

_ZIP_MAGIC = b"PK\x03\x04"
_SIGNATURE_TYPES: dict[str, ColumnType] = {
    "boolean": "boolean",
    "integer": "integer",
    "long": "integer",
    "float": "number",
    "double": "number",
    "string": "string",
    "binary": "string",
    "datetime": "datetime",
}


def mlflow_available() -> bool:
    """Whether the optional ``mlflow`` package is installed."""
    try:
        return importlib.util.find_spec("mlflow") is not None
    except (ImportError, ValueError):
        return False


def _entry_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if "\\" in name:
        name = name.replace("\\", "/")
    path = PurePosixPath(name)
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return f"absolute path {info.filename!r}"
    if ".." in path.parts:
        return f"path leaving the folder {info.filename!r}"
    if stat.S_ISLNK(info.external_attr >> 16):
        return f"symbolic link {info.filename!r}"
    return None


def find_mlmodel_root(names: list[str]) -> str | None:
    """The folder prefix ("" or "top/") holding the ``MLmodel`` file: at the root or in one top folder."""
    if "MLmodel" in names:
        return ""
    tops = {n.split("/", 1)[0] for n in names if n.strip("/")}
    if len(tops) == 1:
        top = next(iter(tops))
        if f"{top}/MLmodel" in names:
            return f"{top}/"
    return None


def safe_extract(path: Path, dest: Path) -> Path:
    """Check and extract an MLflow model zip into ``dest``; return the model folder (holding MLmodel)."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            for info in infos:
                problem = _entry_problem(info)
                if problem:
                    raise UnsupportedModel(f"the zip file is refused: it holds a {problem}", field="file")
            if sum(info.file_size for info in infos) > MAX_UNZIPPED_BYTES:
                raise UnsupportedModel(
                    "the zip file is refused: it expands beyond the size limit", field="file"
                )
            names = [info.filename.replace("\\", "/") for info in infos]
            root = find_mlmodel_root(names)
            if root is None:
                raise UnsupportedModel(
                    "the zip file is not an MLflow model: "
                    "no MLmodel file at its root or in its one top folder",
                    field="file",
                )
            archive.extractall(dest)
    except UnsupportedModel:
        raise
    except Exception as exc:  # BadZipFile, CRC errors, truncated archives, OSError...
        raise unsupported("could not read the zip file (it may be truncated or corrupt)", exc) from None
    model_dir = (dest / root).resolve() if root else dest.resolve()
    if not model_dir.is_relative_to(dest.resolve()):
        raise UnsupportedModel("the zip file is refused: its model folder leaves the archive", field="file")
    return model_dir


def _schema_from_signature(signature: Any) -> tuple[ModelSchema | None, bool, int | None]:
    """(schema, positional, width) from an MLflow signature's inputs."""
    inputs = getattr(signature, "inputs", None) if signature is not None else None
    if inputs is None:
        return None, False, None
    specs = list(getattr(inputs, "inputs", []) or [])
    if not specs:
        return None, False, None
    if inputs.is_tensor_spec():
        if len(specs) == 1:
            shape = tuple(specs[0].shape)
            width = shape[1] if len(shape) == 2 else None
            if isinstance(width, int) and width > 0:
                kind = getattr(specs[0].type, "kind", "f")
                kinds: dict[str, ColumnType] = {"i": "integer", "u": "integer", "b": "boolean"}
                column_type = kinds.get(kind, "number")
                columns = [ColumnSpec(name=f"f{i}", type=column_type) for i in range(width)]
                return ModelSchema(columns=columns), True, width
        return None, False, None
    columns = []
    for i, spec in enumerate(specs):
        type_name = getattr(getattr(spec, "type", None), "name", "string")
        name = spec.name if getattr(spec, "name", None) else f"f{i}"
        columns.append(
            ColumnSpec(
                name=str(name),
                type=_SIGNATURE_TYPES.get(str(type_name), "string"),
                nullable=not getattr(spec, "required", True),
            )
        )
    return ModelSchema(columns=columns), not any(getattr(s, "name", None) for s in specs), len(columns)


def _as_array(result: Any) -> numpy.ndarray:
    array: numpy.ndarray
    if isinstance(result, pandas.DataFrame):
        array = result.to_numpy()
    elif isinstance(result, pandas.Series):
        array = result.to_numpy()
    else:
        array = numpy.asarray(result)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array.ravel()
    return array


class MlflowModel(LoadedModel):
    """An ``mlflow.pyfunc`` model, kept with its extracted folder (removed when the model is freed)."""

    flavor = "mlflow"
    format = "mlflow"
    safe = False

    def __init__(self, pyfunc_model: Any, workdir: Path, loader_module: str) -> None:
        from sklearn.base import is_classifier

        self.pyfunc_model = pyfunc_model
        self.workdir = workdir
        self._cleanup = weakref.finalize(self, shutil.rmtree, str(workdir), True)
        self.raw_model: Any = None
        try:
            self.raw_model = pyfunc_model.get_raw_model()
        except Exception:  # not every pyfunc wrapper exposes its model
            self.raw_model = None
        if self.raw_model is not None:
            self.model_type = f"{loader_module}:{public_type_name(type(self.raw_model))}"
        else:
            self.model_type = loader_module
        signature = getattr(pyfunc_model.metadata, "signature", None)
        self.input_schema, self.positional, self.n_features = _schema_from_signature(signature)
        self._column_types = self._signature_pandas_types(signature)
        self._tensor_dtype: Any = None
        inputs = getattr(signature, "inputs", None) if signature is not None else None
        if self.positional and inputs is not None and inputs.is_tensor_spec():
            self._tensor_dtype = inputs.inputs[0].type
        raw = self.raw_model
        if self.input_schema is None and raw is not None:
            # no signature: a scikit-learn model still knows its columns (not their types)
            names = getattr(raw, "feature_names_in_", None)
            if names is not None:
                self.input_schema = ModelSchema(columns=[ColumnSpec(name=str(n)) for n in names])
                self.input_types_known = False
            width = getattr(raw, "n_features_in_", None)
            self.n_features = int(width) if isinstance(width, int | numpy.integer) else None
        classes = getattr(raw, "classes_", None)
        try:
            self.is_classifier = raw is not None and bool(is_classifier(raw)) and classes is not None
        except Exception:  # a raw model of another library
            self.is_classifier = False
        if self.is_classifier and classes is not None:
            self.classes = [c.item() if isinstance(c, numpy.generic) else c for c in classes]

    @staticmethod
    def _signature_pandas_types(signature: Any) -> dict[str, Any]:
        inputs = getattr(signature, "inputs", None) if signature is not None else None
        if inputs is None or inputs.is_tensor_spec():
            return {}
        types: dict[str, Any] = {}
        for spec in getattr(inputs, "inputs", []) or []:
            type_name = getattr(getattr(spec, "type", None), "name", None)
            if spec.name and type_name in ("integer", "long", "float", "double", "boolean"):
                types[spec.name] = spec.type.to_pandas()
        return types

    def predict(self, frame: pandas.DataFrame) -> Prediction:
        """Predict through pyfunc; probabilities too where the raw model is a scikit-learn classifier."""
        data: Any = frame
        if self._tensor_dtype is not None:
            data = frame.to_numpy().astype(self._tensor_dtype)
        elif self.positional and self.input_schema is not None:
            data = pandas.DataFrame(frame.to_numpy())
        elif self._column_types:
            data = frame.copy()
            for name, dtype in self._column_types.items():
                if name in data.columns and not data[name].isna().any():
                    try:
                        data[name] = data[name].astype(dtype)
                    except (TypeError, ValueError):
                        pass  # pyfunc's own schema enforcement will say what is wrong
        predictions = _as_array(self.pyfunc_model.predict(data))
        probabilities = None
        classes = None
        if self.is_classifier and self.classes is not None and hasattr(self.raw_model, "predict_proba"):
            try:
                proba = numpy.asarray(self.raw_model.predict_proba(data), dtype=float)
                if proba.ndim == 2 and proba.shape[1] == len(self.classes):
                    probabilities, classes = proba, list(self.classes)
            except Exception:  # probabilities are a bonus: pyfunc only promises predict
                probabilities = None
        return Prediction(predictions=predictions, probabilities=probabilities, classes=classes)


class MlflowFlavor(Flavor):
    """A ``.zip`` of an MLflow model folder (MLmodel at its root or in its one top folder)."""

    name = "mlflow"
    safe = False
    extensions = (".zip",)
    description = "an MLflow model zip"

    def sniff(self, path: Path, filename: str) -> bool:
        """A ``.zip`` file whose listing has an ``MLmodel`` file at the root or in one top folder."""
        if not filename.lower().endswith(".zip") or not read_head(path, 4).startswith(_ZIP_MAGIC):
            return False
        try:
            with zipfile.ZipFile(path) as archive:
                names = [n.replace("\\", "/") for n in archive.namelist()]
        except Exception:  # not a readable zip
            return False
        return find_mlmodel_root(names) is not None

    def load(self, path: Path) -> MlflowModel:
        """Extract the zip safely and load it with ``mlflow.pyfunc.load_model`` (runs code: trusted only)."""
        if not mlflow_available():
            raise UnsupportedModel(MLFLOW_EXTRA_MESSAGE, field="flavor")
        if not read_head(path, 4):
            raise UnsupportedModel("the model file is empty", field="file")
        if not read_head(path, 4).startswith(_ZIP_MAGIC):
            raise UnsupportedModel("the file is not a zip of an MLflow model", field="file")
        workdir = Path(tempfile.mkdtemp(prefix="modelport-mlflow-"))
        try:
            model_dir = safe_extract(path, workdir)
            try:
                import mlflow.pyfunc
                from mlflow.models import Model

                loader_module = str(
                    Model.load(str(model_dir))
                    .flavors.get("python_function", {})
                    .get("loader_module", "mlflow.pyfunc")
                )
                pyfunc_model = mlflow.pyfunc.load_model(str(model_dir))
                return MlflowModel(pyfunc_model, workdir, loader_module)
            except Exception as exc:  # MlflowException, missing flavor packages, bad pickles...
                raise unsupported("could not load the MLflow model", exc) from None
        except BaseException:
            shutil.rmtree(workdir, ignore_errors=True)
            raise

"""ONNX models run with onnxruntime (safe: no code runs on load).

The model is handed to onnxruntime as bytes, so external-data references are refused instead of
being resolved against the server's file system. Sessions use one thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy
import pandas

from modelport.columns import ColumnSpec, ColumnType, ModelSchema
from modelport.errors import UnsupportedModel
from modelport.flavors.base import (
    Flavor,
    LoadedModel,
    Prediction,
    positional_schema,
    read_head,
    unsupported,
)

__all__ = ["OnnxFlavor", "OnnxModel"]

_TENSOR_TYPES: dict[str, tuple[ColumnType, Any]] = {
    "tensor(float)": ("number", numpy.float32),
    "tensor(double)": ("number", numpy.float64),
    "tensor(float16)": ("number", numpy.float16),
    "tensor(int64)": ("integer", numpy.int64),
    "tensor(int32)": ("integer", numpy.int32),
    "tensor(int16)": ("integer", numpy.int16),
    "tensor(int8)": ("integer", numpy.int8),
    "tensor(uint8)": ("integer", numpy.uint8),
    "tensor(uint16)": ("integer", numpy.uint16),
    "tensor(uint32)": ("integer", numpy.uint32),
    "tensor(uint64)": ("integer", numpy.uint64),
    "tensor(bool)": ("boolean", numpy.bool_),
    "tensor(string)": ("string", object),
}


def _class_labels(data: bytes) -> list[Any] | None:
    """Class labels from a classifier node, where the optional ``onnx`` package is installed."""
    try:
        import onnx
    except ImportError:
        return None
    try:
        proto = onnx.load_model_from_string(data)
        for node in proto.graph.node:
            for attribute in node.attribute:
                if attribute.name == "classlabels_strings" and attribute.strings:
                    return [s.decode("utf-8") for s in attribute.strings]
                if attribute.name in ("classlabels_int64s", "classlabels_ints") and attribute.ints:
                    return [int(i) for i in attribute.ints]
    except Exception:  # best effort: labels default to 0..k-1
        return None
    return None


class OnnxModel(LoadedModel):
    """An onnxruntime inference session."""

    flavor = "onnx"
    format = "onnx"
    safe = True

    def __init__(self, session: Any, labels: list[Any] | None) -> None:
        self.session = session
        meta = session.get_modelmeta()
        producer = meta.producer_name or "unknown"
        self.model_type = f"onnx.{producer}.{meta.graph_name}" if meta.graph_name else f"onnx.{producer}"
        self._labels = labels
        self._inputs = session.get_inputs()
        self._outputs = [o.name for o in session.get_outputs()]
        self._dtypes: list[Any] = []
        if len(self._inputs) == 1:
            only = self._inputs[0]
            column_type, dtype = _TENSOR_TYPES.get(only.type, ("number", numpy.float32))
            self._dtypes = [dtype]
            shape = list(only.shape)
            width = shape[1] if len(shape) == 2 else (1 if len(shape) == 1 else None)
            self.positional = True
            if isinstance(width, int) and width > 0:
                self.n_features = width
                self.input_schema = positional_schema(width, column_type)
        else:
            columns = []
            for item in self._inputs:
                column_type, dtype = _TENSOR_TYPES.get(item.type, ("number", numpy.float32))
                self._dtypes.append(dtype)
                columns.append(ColumnSpec(name=item.name, type=column_type))
            self.input_schema = ModelSchema(columns=columns)
            self.n_features = len(columns)
        self.is_classifier = len(self._outputs) >= 2 and "prob" in self._outputs[1].lower()
        self.classes = labels

    def _feeds(self, frame: pandas.DataFrame) -> dict[str, Any]:
        if len(self._inputs) == 1:
            only = self._inputs[0]
            values = frame.to_numpy()
            values = (
                values.astype(str).astype(object)
                if self._dtypes[0] is object
                else values.astype(self._dtypes[0])
            )
            if len(only.shape) == 1:
                values = values.reshape(len(frame))
            return {only.name: values}
        feeds: dict[str, Any] = {}
        for i, item in enumerate(self._inputs):
            column = frame.iloc[:, i].to_numpy()
            dtype = self._dtypes[i]
            column = column.astype(str).astype(object) if dtype is object else column.astype(dtype)
            feeds[item.name] = column.reshape(len(frame), 1) if len(item.shape) != 1 else column
        return feeds

    def predict(self, frame: pandas.DataFrame) -> Prediction:
        """Run the session; a second output holding probabilities (tensor or ZipMap) gives them."""
        results = self.session.run(None, self._feeds(frame))
        predictions = numpy.asarray(results[0])
        if predictions.ndim == 2 and predictions.shape[1] == 1:
            predictions = predictions.ravel()
        probabilities = None
        classes = None
        if len(results) >= 2 and self.is_classifier:
            second = results[1]
            if isinstance(second, list) and second and isinstance(second[0], dict):
                classes = list(second[0].keys())
                probabilities = numpy.array([[row[c] for c in classes] for row in second], dtype=float)
            else:
                array = numpy.asarray(second, dtype=float)
                if array.ndim == 2:
                    probabilities = array
                    labels = self._labels
                    classes = (
                        labels
                        if labels is not None and len(labels) == array.shape[1]
                        else list(range(array.shape[1]))
                    )
        if classes is not None:
            classes = [c.item() if isinstance(c, numpy.generic) else c for c in classes]
            self.classes = classes
        return Prediction(predictions=predictions, probabilities=probabilities, classes=classes)


class OnnxFlavor(Flavor):
    """ONNX model files (``.onnx``)."""

    name = "onnx"
    safe = True
    extensions = (".onnx",)
    description = "an ONNX model"

    def sniff(self, path: Path, filename: str) -> bool:
        """A ``.onnx`` file starting like an ONNX protobuf (field 1, ``ir_version``, a varint)."""
        head = read_head(path, 2)
        return (
            filename.lower().endswith(".onnx") and len(head) == 2 and head[0] == 0x08 and 0 < head[1] < 0x80
        )

    def load(self, path: Path) -> OnnxModel:
        """Open an onnxruntime CPU session on the model bytes, with one intra- and inter-op thread."""
        import onnxruntime

        data = path.read_bytes()
        if not data:
            raise UnsupportedModel("the model file is empty", field="file")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 4
        try:
            session = onnxruntime.InferenceSession(
                data, sess_options=options, providers=["CPUExecutionProvider"]
            )
            return OnnxModel(session, _class_labels(data))
        except Exception as exc:  # onnxruntime raises its own Fail/InvalidProtobuf/... errors
            raise unsupported("could not load the ONNX model (it may be truncated or corrupt)", exc) from None

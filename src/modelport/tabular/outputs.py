"""Prediction outputs: JSON answers for online predictions, result frames and summaries for batches.

* :func:`prediction_records` - a :class:`~modelport.flavors.base.Prediction` as JSON-ready Python values;
* :func:`prediction_frame` - the input columns plus ``prediction`` (``prediction_<i>`` for multi-output
  models) and ``probability_<class>`` columns: what a batch execution writes;
* :func:`flag_unknown_categories` - the batch results' flag column of values outside their known
  categories;
* :func:`summarize` and :class:`SummaryAccumulator` - a bounded-memory summary of a batch's predictions
  (numeric: count, mean, std, min, max and a 20-bin histogram; categorical: counts per class), which a
  streaming batch builds chunk by chunk.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, Final, Literal

import numpy
import pandas

from modelport.columns import ColumnSpec, ModelSchema
from modelport.flavors.base import Prediction, to_python
from modelport.tabular.validation import unknown_categories

__all__ = [
    "HISTOGRAM_BINS",
    "UNKNOWN_CATEGORIES_COLUMN",
    "SummaryAccumulator",
    "class_labels",
    "flag_unknown_categories",
    "prediction_frame",
    "prediction_records",
    "summarize",
]

HISTOGRAM_BINS: Final = 20
"""Bins of a numeric summary's histogram."""

SummaryKind = Literal["numeric", "categorical"]

# ---------------------------------------------------------------------------------------------- JSON values


def _json_list(values: numpy.ndarray) -> list[Any]:
    """A 1-d array as a list of JSON-ready Python values (NaN and ±inf -> None, datetimes -> ISO strings)."""
    kind = values.dtype.kind
    if kind in "biuU":
        return values.tolist()  # type: ignore[no-any-return]
    if kind == "f":
        items: list[Any] = values.tolist()
        if not bool(numpy.isfinite(values).all()):
            items = [v if math.isfinite(v) else None for v in items]
        return items
    if kind in "Mm":
        return [to_python(v) for v in values]
    return [to_python(v) for v in values.tolist()]


def class_labels(prediction: Prediction) -> list[str] | None:
    """The probability columns' labels as strings (``str`` of the Python value: ``1``, ``"yes"``,
    ``True``), or their positions where the model gives probabilities but no classes; None without
    probabilities."""
    if prediction.probabilities is None:
        return None
    probabilities = numpy.asarray(prediction.probabilities)
    width = probabilities.shape[1] if probabilities.ndim == 2 else 1
    if prediction.classes is None:
        return [str(i) for i in range(width)]
    labels = [str(to_python(c)) for c in prediction.classes]
    if len(labels) != width:
        raise ValueError(f"the model gave {width} probability columns for {len(labels)} classes")
    return labels


def _prediction_columns(prediction: Prediction, rows: int | None = None) -> list[numpy.ndarray]:
    """The predictions as one 1-d array per output (one array for a single-output model)."""
    values = numpy.asarray(prediction.predictions)
    if values.ndim == 0:
        values = values.reshape(1)
    if rows is not None and len(values) != rows:
        raise ValueError(f"the model gave {len(values)} predictions for {rows} rows")
    if values.ndim == 1:
        return [values]
    values = values.reshape(len(values), -1)
    if values.shape[1] == 1:
        return [values[:, 0]]
    return [values[:, i] for i in range(values.shape[1])]


def _coerce(values: list[Any], spec: ColumnSpec | None) -> list[Any]:
    """Apply an output column's declared type where that loses nothing (2.0 -> 2 for an integer column)."""
    if spec is None:
        return values
    if spec.type == "integer":
        return [int(v) if isinstance(v, float) and v.is_integer() else v for v in values]
    if spec.type == "number":
        return [float(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in values]
    if spec.type == "boolean":
        return [bool(v) if isinstance(v, int | float) and v in (0, 1) else v for v in values]
    if spec.type == "string":
        return [v if v is None or isinstance(v, str) else str(v) for v in values]
    return values


def prediction_records(
    prediction: Prediction, output_schema: ModelSchema | None = None
) -> tuple[list[Any], list[dict[str, float | None]] | None]:
    """``(predictions, probabilities)`` as JSON-ready Python values, one item per row.

    Predictions are Python scalars (numpy ints/floats/bools/strings become ``int``/``float``/``bool``/
    ``str``; NaN and ±inf become None; datetimes ISO strings), or a list per row for a multi-output
    model (``predictions`` of shape (rows, k > 1)). ``probabilities`` is ``[{str(class): p, ...}]`` per
    row, or None when the model gives none. With an ``output_schema`` (as recorded for the version:
    ``prediction`` or ``prediction_<i>`` columns), values are cast to the declared type where nothing is
    lost (``2.0`` -> ``2`` for an integer column, ``1`` -> ``"1"`` for a string column); others are left.
    """
    columns = _prediction_columns(prediction)
    specs: dict[str, ColumnSpec] = {c.name: c for c in output_schema.columns} if output_schema else {}
    if len(columns) == 1:
        predictions: list[Any] = _coerce(_json_list(columns[0]), specs.get("prediction"))
    else:
        lists = [_coerce(_json_list(col), specs.get(f"prediction_{i}")) for i, col in enumerate(columns)]
        predictions = [list(row) for row in zip(*lists, strict=True)]
    labels = class_labels(prediction)
    if labels is None:
        return predictions, None
    probabilities = numpy.asarray(prediction.probabilities, dtype=numpy.float64).reshape(-1, len(labels))
    if len(probabilities) != len(predictions):
        raise ValueError(f"the model gave {len(probabilities)} probability rows for {len(predictions)} rows")
    table: list[Any] = probabilities.tolist()
    if not bool(numpy.isfinite(probabilities).all()):
        table = [[p if math.isfinite(p) else None for p in row] for row in table]
    return predictions, [dict(zip(labels, row, strict=True)) for row in table]


# ---------------------------------------------------------------------------------------------- frames


def prediction_frame(inputs: pandas.DataFrame, prediction: Prediction) -> pandas.DataFrame:
    """The input columns followed by the outputs: ``prediction`` (``prediction_0..k-1`` for a model
    with k > 1 outputs) and ``probability_<class>`` per class when the model gives probabilities.

    The result keeps ``inputs``' index and row order; ``inputs`` is never modified (the result does not
    share its memory). An input column whose name is taken by an output is renamed ``<name>_input``
    (the outputs keep the names the version's output schema gives them). ValueError when the model
    gave a different number of predictions or probability rows than ``inputs`` has rows.
    """
    rows = len(inputs)
    columns = _prediction_columns(prediction, rows)
    outputs: dict[str, Any] = {}
    if len(columns) == 1:
        outputs["prediction"] = columns[0]
    else:
        for i, values in enumerate(columns):
            outputs[f"prediction_{i}"] = values
    labels = class_labels(prediction)
    if labels is not None:
        probabilities = numpy.asarray(prediction.probabilities, dtype=numpy.float64).reshape(-1, len(labels))
        if len(probabilities) != rows:
            raise ValueError(f"the model gave {len(probabilities)} probability rows for {rows} rows")
        for j, label in enumerate(labels):
            outputs[f"probability_{label}"] = probabilities[:, j]
    taken = set(outputs) | {c for c in inputs.columns if isinstance(c, str)}
    renames: dict[Any, str] = {}
    for name in inputs.columns:
        if name in outputs:
            new = f"{name}_input"
            while new in taken:
                new += "_input"
            taken.add(new)
            renames[name] = new
    left = inputs.rename(columns=renames) if renames else inputs
    right = pandas.DataFrame(outputs, index=pandas.RangeIndex(rows))
    result = pandas.concat([left.reset_index(drop=True), right], axis=1, copy=True)
    result.index = inputs.index.copy()
    return result


UNKNOWN_CATEGORIES_COLUMN: Final = "_unknown_categories"
"""The batch results' flag column: the columns of the row whose value is outside their known
categories, comma-separated ("" when none); present when the schema has such categories."""


def flag_unknown_categories(
    result: pandas.DataFrame, features: pandas.DataFrame, schema: ModelSchema
) -> tuple[pandas.DataFrame, int]:
    """``result`` (a :func:`prediction_frame`) with the :data:`UNKNOWN_CATEGORIES_COLUMN` flag column
    appended when ``schema`` has columns that flag unknown values, and the number of flagged rows.
    ``features`` is the checked frame the model scored (same rows, in order)."""
    if not any(c.categories and c.on_unknown_category == "flag" for c in schema.columns):
        return result, 0
    flags = [""] * len(result)
    for unknown in unknown_categories(features, schema):
        row = unknown.row
        flags[row] = f"{flags[row]},{unknown.column}" if flags[row] else unknown.column
    name = UNKNOWN_CATEGORIES_COLUMN
    while name in result.columns:
        name = f"_{name}"
    result = result.assign(**{name: flags})
    return result, sum(1 for flag in flags if flag)


# ---------------------------------------------------------------------------------------------- summaries


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _one_dimensional(predictions: Any) -> numpy.ndarray:
    if isinstance(predictions, pandas.Series | pandas.Index):
        predictions = predictions.to_numpy()
    return numpy.asarray(predictions).reshape(-1)


class SummaryAccumulator:
    """A summary of predictions fed chunk by chunk, in memory bounded whatever the number of rows.

    The kind is ``kind`` when given, else decided by the first chunk's dtype: floats -> ``"numeric"``;
    integers, booleans, strings and objects -> ``"categorical"`` (classifiers' labels are mostly small
    integers; pass ``kind="numeric"`` for an integer-valued regressor).

    Numeric: ``count`` (finite values), ``missing`` (NaN/None/±inf), ``mean`` and ``std`` (population,
    merged across chunks with Chan's parallel formula, so exact up to rounding), ``min``, ``max`` and a
    histogram of :data:`HISTOGRAM_BINS` bins with exact counts. The histogram's edges start at the first
    chunk's [min, max] (that of the whole data when there is one chunk, as with :func:`summarize`); a
    later value outside them doubles the bin width, merging neighbouring bins pairwise, until it fits.
    So every value is counted once and the bins are at most twice as wide as [min, max] needs (a value
    exactly on an edge that became interior may sit in the lower bin; near the float limits, 1e308, the
    extremes are clipped into the end bins). A fixed-edge histogram was chosen
    over a reservoir sample because its counts are exact and it costs O(bins) memory.

    Categorical: ``count`` (non-null values), ``missing``, ``distinct`` and ``counts`` of the
    ``max_classes`` most frequent classes (keys ``str`` of the Python value), plus ``other`` (the count
    of the rest). At most ``max_distinct`` classes are tracked: past that the rarest are folded into
    ``other`` (counts of classes seen after the folding are then lower bounds).
    """

    def __init__(
        self, max_classes: int = 50, kind: SummaryKind | None = None, max_distinct: int = 10_000
    ) -> None:
        self.max_classes = max_classes
        self.max_distinct = max(max_distinct, max_classes)
        self.kind: SummaryKind | None = kind
        self.count = 0
        self.missing = 0
        # numeric
        self._mean = 0.0
        self._m2 = 0.0
        self._min = math.inf
        self._max = -math.inf
        self._low = 0.0
        self._high = 0.0
        self._bins: numpy.ndarray | None = None
        # categorical
        self._counts: dict[Any, int] = {}
        self._folded = 0
        self._distinct_folded = 0

    def add(self, predictions: pandas.Series | numpy.ndarray | Iterable[Any]) -> None:
        """Add one chunk's predictions (a Series, an array - 2-d arrays count every value - or a list)."""
        values = _one_dimensional(predictions)
        if self.kind is None:
            self.kind = "numeric" if values.dtype.kind == "f" else "categorical"
        if self.kind == "numeric":
            self._add_numeric(values)
        else:
            self._add_categorical(values)

    # numeric --------------------------------------------------------------------------------------------

    def _add_numeric(self, values: numpy.ndarray) -> None:
        if values.dtype.kind in "biuf":
            floats = values.astype(numpy.float64)
        else:
            floats = pandas.to_numeric(pandas.Series(values, dtype=object), errors="coerce").to_numpy(
                dtype=numpy.float64, na_value=numpy.nan
            )
        finite = floats[numpy.isfinite(floats)]
        self.missing += len(floats) - len(finite)
        n = len(finite)
        if n == 0:
            return
        with numpy.errstate(over="ignore", invalid="ignore"):  # values near 1e308: stats become None
            mean = float(finite.mean())
            m2 = float(((finite - mean) ** 2).sum())
            if self.count == 0:
                self._mean, self._m2 = mean, m2
            else:
                total = self.count + n
                delta = mean - self._mean
                self._mean += delta * n / total
                self._m2 += m2 + delta * delta * self.count * n / total
            self.count += n
            low, high = float(finite.min()), float(finite.max())
            self._min = min(self._min, low)
            self._max = max(self._max, high)
            self._histogram(finite, low, high)

    def _histogram(self, values: numpy.ndarray, low: float, high: float) -> None:
        if self._bins is None:
            if not high - low > max(abs(low) * 1e-12, abs(high) * 1e-12, 1e-300):  # one value, or nearly
                centre = low / 2 + high / 2
                pad = max(0.5, abs(centre) * 1e-9)
                low, high = centre - pad, centre + pad
            self._low, self._high = low, high
            self._bins = numpy.zeros(HISTOGRAM_BINS, dtype=numpy.int64)
        half = HISTOGRAM_BINS // 2
        while high > self._high or low < self._low:
            span = self._high - self._low
            wider_high, wider_low = self._low + 2 * span, self._high - 2 * span
            if not (math.isfinite(wider_high) and math.isfinite(wider_low)):
                values = numpy.clip(values, self._low, self._high)  # at the float limits: into the end bins
                break
            merged = self._bins.reshape(half, 2).sum(axis=1)
            empty = numpy.zeros(half, dtype=numpy.int64)
            if high > self._high:
                self._high = wider_high
                self._bins = numpy.concatenate([merged, empty])
            else:
                self._low = wider_low
                self._bins = numpy.concatenate([empty, merged])
        counts, _ = numpy.histogram(values, bins=self._edges())
        self._bins += counts

    def _edges(self) -> numpy.ndarray:
        if math.isfinite(self._high - self._low):
            return numpy.linspace(self._low, self._high, HISTOGRAM_BINS + 1)
        return numpy.linspace(self._low / 2, self._high / 2, HISTOGRAM_BINS + 1) * 2  # a span past 1.8e308

    # categorical ----------------------------------------------------------------------------------------

    def _add_categorical(self, values: numpy.ndarray) -> None:
        counts = pandas.Series(values).value_counts(dropna=True, sort=False)
        seen = int(counts.sum())
        self.count += seen
        self.missing += len(values) - seen
        merged = self._counts
        for label, n in zip(counts.index.tolist(), counts.tolist(), strict=True):
            key = to_python(label)
            merged[key] = merged.get(key, 0) + int(n)
        if len(merged) > self.max_distinct:
            ranked = sorted(merged.items(), key=lambda item: item[1], reverse=True)
            keep = dict(ranked[: self.max_distinct])
            dropped = ranked[self.max_distinct :]
            self._folded += sum(n for _, n in dropped)
            self._distinct_folded += len(dropped)
            self._counts = keep

    # result ---------------------------------------------------------------------------------------------

    def result(self) -> dict[str, Any]:
        """The summary so far, JSON-ready (see the class docstring for its keys)."""
        if self.kind == "categorical":
            by_name: dict[str, int] = {}
            for label, n in self._counts.items():  # 1 and "1" are one key in JSON: their counts add up
                name = str(label)
                by_name[name] = by_name.get(name, 0) + n
            ranked = sorted(by_name.items(), key=lambda item: (-item[1], item[0]))
            other = self._folded + sum(n for _, n in ranked[self.max_classes :])
            return {
                "kind": "categorical",
                "count": self.count,
                "missing": self.missing,
                "distinct": len(by_name) + self._distinct_folded,
                "counts": dict(ranked[: self.max_classes]),
                "other": other,
            }
        if self.count == 0 or self._bins is None:
            return {
                "kind": "numeric",
                "count": 0,
                "missing": self.missing,
                "mean": None,
                "std": None,
                "min": None,
                "max": None,
                "histogram": {"edges": [], "counts": []},
            }
        return {
            "kind": "numeric",
            "count": self.count,
            "missing": self.missing,
            "mean": _finite_or_none(self._mean),
            "std": _finite_or_none(math.sqrt(max(self._m2, 0.0) / self.count)),
            "min": self._min,
            "max": self._max,
            "histogram": {"edges": self._edges().tolist(), "counts": self._bins.tolist()},
        }


def summarize(
    predictions: pandas.Series | numpy.ndarray, max_classes: int = 50, kind: SummaryKind | None = None
) -> dict[str, Any]:
    """The summary of one batch's predictions: :class:`SummaryAccumulator` fed a single chunk.

    ``{"kind": "numeric", "count", "missing", "mean", "std", "min", "max", "histogram": {"edges",
    "counts"}}`` (20 equal bins over [min, max]) for float predictions, or ``{"kind": "categorical",
    "count", "missing", "distinct", "counts": {class: n}, "other"}`` (the ``max_classes`` most frequent)
    for labels; ``kind`` forces one.
    """
    accumulator = SummaryAccumulator(max_classes=max_classes, kind=kind)
    accumulator.add(predictions)
    return accumulator.result()

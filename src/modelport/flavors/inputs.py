"""What a fitted model tells of its input columns beyond their names: which may be left blank, and
which values (categories) it knows.

* **Blanks.** A column may be missing (``nullable``) when what the model does with it copes with a
  missing value: an imputer (``SimpleImputer``, ``KNNImputer``, ``IterativeImputer``,
  ``MissingIndicator``) anywhere on the column's path, a dropped column, a one-hot encoder that knows
  NaN or ignores unknown values, or an estimator that takes missing values natively
  (HistGradientBoosting, tree ensembles, LightGBM, XGBoost: scikit-learn's ``allow_nan`` tag) reached
  through steps that let NaN through (scalers and other transformers with the same tag).
* **Categories.** ``OneHotEncoder`` / ``OrdinalEncoder`` ``categories_``, mapped back to the input
  columns through ``Pipeline`` steps and ``ColumnTransformer`` branches (imputers before the encoder
  keep the columns). An encoder with ``handle_unknown="error"`` cannot score another value: such a
  column rejects unknown values; the others flag them.

:func:`sklearn_facts` walks a fitted scikit-learn estimator; the native LightGBM and XGBoost flavors
state their facts directly. Nothing here loads or imports a library the model does not already use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["ColumnFacts", "allows_nan", "sklearn_facts"]

_IMPUTERS = frozenset({"SimpleImputer", "KNNImputer", "IterativeImputer", "MissingIndicator"})
_NATIVE_NAN = frozenset(
    {
        "LGBMClassifier",
        "LGBMRegressor",
        "LGBMRanker",
        "LGBMModel",
        "XGBClassifier",
        "XGBRegressor",
        "XGBRanker",
        "XGBRFClassifier",
        "XGBRFRegressor",
        "XGBModel",
        "CatBoostClassifier",
        "CatBoostRegressor",
    }
)
"""Estimators of other libraries that take missing values, whatever their scikit-learn tags say."""


@dataclass
class ColumnFacts:
    """What the model tells of one input column."""

    nullable: bool = False
    categories: list[Any] | None = None
    """The values the model knows (NaN left out), in the encoder's order."""
    reject_unknown: bool = False
    """True when a value outside ``categories`` makes the model fail."""


def _class_names(obj: Any) -> set[str]:
    return {cls.__name__ for cls in type(obj).__mro__}


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return isinstance(value, float) and math.isnan(value) or bool(value != value)
    except (TypeError, ValueError):
        return False


def allows_nan(estimator: Any) -> bool:
    """Whether ``estimator`` accepts missing values in its input (scikit-learn's ``allow_nan`` tag,
    or one of the gradient-boosting libraries that always do)."""
    if _class_names(estimator) & _NATIVE_NAN:
        return True
    try:
        from sklearn.utils import get_tags

        return bool(get_tags(estimator).input_tags.allow_nan)
    except Exception:  # noqa: BLE001 - an estimator that cannot answer does not take NaN
        return False


class _Walk:
    """The facts of the columns of one model, filled while its steps are walked."""

    def __init__(self, columns: list[Any]) -> None:
        self.facts: dict[Any, ColumnFacts] = {column: ColumnFacts() for column in columns}

    def nullable(self, columns: list[Any]) -> None:
        for column in columns:
            if column in self.facts:
                self.facts[column].nullable = True

    def walk(self, step: Any, columns: list[Any], downstream: bool) -> None:
        """Record what ``step`` does with ``columns`` (its inputs); ``downstream`` says whether what
        follows ``step`` copes with NaN in every one of its outputs."""
        if isinstance(step, str) or step is None:
            if step == "drop" or (step in ("passthrough", None) and downstream):
                self.nullable(columns)
            return
        names = _class_names(step)
        if "FunctionTransformer" in names and getattr(step, "func", None) is None:
            self.walk("passthrough", columns, downstream)  # how a fitted ColumnTransformer passes through
        elif "Pipeline" in names and hasattr(step, "steps"):
            self._pipeline([s for _, s in step.steps], columns, downstream)
        elif "ColumnTransformer" in names and hasattr(step, "transformers_"):
            for transformer, picked in _branches(step, columns):
                self.walk(transformer, picked, downstream)
        elif "FeatureUnion" in names and hasattr(step, "transformer_list"):
            for _, transformer in step.transformer_list:
                self.walk(transformer, columns, downstream)
        elif names & _IMPUTERS:
            self.nullable(columns)
        elif names & {"OneHotEncoder", "OrdinalEncoder"} and hasattr(step, "categories_"):
            self._encoder(step, columns, downstream, "OneHotEncoder" in names)
        elif callable(getattr(step, "predict", None)) and not callable(getattr(step, "transform", None)):
            if allows_nan(step):
                self.nullable(columns)
        elif downstream and allows_nan(step):
            self.nullable(columns)

    def _pipeline(self, steps: list[Any], columns: list[Any], downstream: bool) -> None:
        steps = [s for s in steps if s is not None and s != "passthrough"]
        if not steps:
            self.walk("passthrough", columns, downstream)
            return
        after = [downstream] * len(steps)  # whether what follows step i copes with NaN
        following = downstream
        for i in range(len(steps) - 1, -1, -1):
            after[i] = following
            following = _copes(steps[i], following)
        for i, step in enumerate(steps):
            self.walk(step, columns, after[i])
            if not _keeps_columns(step):
                break  # the next step sees other columns than the pipeline's inputs

    def _encoder(self, encoder: Any, columns: list[Any], downstream: bool, one_hot: bool) -> None:
        handle_unknown = str(getattr(encoder, "handle_unknown", "error"))
        for column, known in zip(columns, encoder.categories_, strict=False):
            fact = self.facts.get(column)
            if fact is None:
                continue
            values = [_plain(v) for v in list(known) if not _is_missing(v)]
            knows_nan = len(values) < len(known)
            fact.categories = values
            fact.reject_unknown = handle_unknown == "error"
            if one_hot:
                if knows_nan or handle_unknown != "error":
                    fact.nullable = True
            elif knows_nan:
                encoded = getattr(encoder, "encoded_missing_value", math.nan)
                if downstream or not _is_missing(encoded):
                    fact.nullable = True
            elif handle_unknown == "use_encoded_value":
                unknown = getattr(encoder, "unknown_value", None)
                if downstream or not _is_missing(unknown):
                    fact.nullable = True


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") and not isinstance(value, str) else value


def _keeps_columns(step: Any) -> bool:
    """Whether ``step``'s outputs are its inputs, one for one (an imputer without indicators)."""
    names = _class_names(step)
    return bool(names & {"SimpleImputer", "KNNImputer", "IterativeImputer"}) and not getattr(
        step, "add_indicator", False
    )


def _copes(step: Any, downstream: bool) -> bool:
    """Whether ``step`` (followed by something that copes with NaN when ``downstream``) copes with NaN
    in every one of its inputs."""
    width = getattr(step, "n_features_in_", None)
    if not isinstance(width, int) or width <= 0:
        if isinstance(step, str) or step is None:
            return step == "drop" or downstream
        names = _class_names(step)
        if "FunctionTransformer" in names and getattr(step, "func", None) is None:
            return downstream
        return bool(names & _IMPUTERS) or (downstream and allows_nan(step))
    walk = _Walk(list(range(width)))
    walk.walk(step, list(range(width)), downstream)
    return all(fact.nullable for fact in walk.facts.values())


def _branches(transformer: Any, columns: list[Any]) -> list[tuple[Any, list[Any]]]:
    """The fitted branches of a ColumnTransformer (the remainder included) with their input columns,
    taken from ``columns`` (the transformer's inputs, in order)."""
    indices: dict[str, Any] | None = getattr(transformer, "_transformer_to_input_indices", None)
    found: list[tuple[Any, list[Any]]] = []
    for name, fitted, spec in transformer.transformers_:
        positions = indices.get(name) if isinstance(indices, dict) else None
        if positions is None:
            positions = _positions(transformer, spec, len(columns))
        picked = [columns[int(i)] for i in positions if 0 <= int(i) < len(columns)]
        found.append((fitted, picked))
    return found


def _positions(transformer: Any, spec: Any, width: int) -> list[int]:
    names = [str(n) for n in getattr(transformer, "feature_names_in_", [])]
    if isinstance(spec, str):
        spec = [spec]
    if isinstance(spec, slice):
        return list(range(width))[spec]
    try:
        items = list(spec)
    except TypeError:
        return []
    if items and all(isinstance(i, bool) for i in items):
        return [i for i, keep in enumerate(items) if keep]
    positions = []
    for item in items:
        if isinstance(item, str):
            if item in names:
                positions.append(names.index(item))
        elif isinstance(item, int):
            positions.append(item)
    return positions


def sklearn_facts(estimator: Any, width: int) -> list[ColumnFacts]:
    """The facts of each of the ``width`` input columns of a fitted scikit-learn estimator or
    pipeline, by position. An estimator this does not understand gives nothing nullable."""
    columns = list(range(width))
    walk = _Walk(columns)
    try:
        walk.walk(estimator, columns, False)
    except Exception:  # noqa: BLE001 - an unusual estimator: keep what was found so far
        pass
    return [walk.facts[i] for i in columns]

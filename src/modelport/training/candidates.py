"""The candidate models of a training: their search spaces and their scikit-learn pipelines.

Each candidate is ``Pipeline([("prep", ColumnTransformer), ("est", estimator)])``; the preprocessing is
fitted with the estimator, so that cross-validation fits it inside each fold. Columns are sorted into
numbers, categories, dates and free text once (``column_layout``); identifier-like and constant columns are
left out. Every fitted attribute is a builtin, a numpy array or a scikit-learn/LightGBM/XGBoost object, so
that a skops file can hold the pipeline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from lightgbm import LGBMClassifier, LGBMRegressor
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    TransformerMixin,
    clone,
    is_classifier,
)
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.utils.class_weight import compute_sample_weight
from xgboost import XGBClassifier, XGBRegressor

__all__ = [
    "CANDIDATES",
    "ColumnLayout",
    "DateParts",
    "EarlyStoppedClassifier",
    "EarlyStoppedRegressor",
    "HistBoostingClassifier",
    "HistBoostingRegressor",
    "TextColumn",
    "ToFloat",
    "AsText",
    "build_estimator",
    "build_pipeline",
    "build_preprocessor",
    "column_layout",
    "cost_units",
    "default_params",
    "family",
    "stops_early",
    "suggest_params",
]

CANDIDATES = ("linear", "hist_gradient_boosting", "lightgbm", "xgboost", "random_forest", "extra_trees")
"""Every candidate, cheapest first (the order their default configurations are tried in)."""

_MAX_CATEGORIES = 64  # ordinal codes for trees (HistGradientBoosting takes at most 255)
_MAX_ONE_HOT = 30
_TEXT_FEATURES = 50
_MAX_TEXT_COLUMNS = 3
_EARLY_STOPPING_ROWS = 200  # below this, boosters run a fixed number of rounds
_FIXED_ROUNDS = 200
_VALIDATION_SHARE = 0.1  # of the rows, held out to stop boosting early
_PATIENCE = 30


# --- columns ---------------------------------------------------------------------------------------


@dataclass
class ColumnLayout:
    """How each feature column is read; ``dropped`` maps a left-out column to the reason."""

    numeric: list[str] = field(default_factory=list)
    category: list[str] = field(default_factory=list)
    date: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    dropped: dict[str, str] = field(default_factory=dict)

    @property
    def used(self) -> list[str]:
        return [*self.numeric, *self.category, *self.date, *self.text]


def _is_date(series: pd.Series) -> bool:
    return bool(pd.api.types.is_datetime64_any_dtype(series.dtype))


def column_layout(frame: pd.DataFrame) -> ColumnLayout:
    """Sort a frame's columns into numbers, categories, dates and text; leave out empty, constant and
    identifier-like ones (a distinct string on nearly every row, one or two words)."""
    layout = ColumnLayout()
    rows = len(frame)
    for name in frame.columns:
        column = str(name)
        series = frame[name]
        values = series.dropna()
        if values.empty:
            layout.dropped[column] = "empty"
            continue
        distinct = int(values.astype(str).nunique()) if series.dtype == object else int(values.nunique())
        if distinct < 2:
            layout.dropped[column] = "constant"
            continue
        if _is_date(series):
            layout.date.append(column)
        elif pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
            layout.numeric.append(column)
        elif values.map(lambda v: isinstance(v, bool | np.bool_)).all():
            layout.numeric.append(column)
        elif distinct <= max(_MAX_ONE_HOT, 0.5 * rows):
            layout.category.append(column)
        else:
            words = values.astype(str).str.split().str.len().mean()
            if words >= 2 and len(layout.text) < _MAX_TEXT_COLUMNS:
                layout.text.append(column)
            elif words >= 2:
                layout.dropped[column] = "text (too many text columns)"
            else:
                layout.dropped[column] = "identifier-like"
    return layout


# --- transformers ---------------------------------------------------------------------------------


class _Stateless(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    def fit(self, X: Any, y: Any = None) -> _Stateless:
        self.n_features_in_ = int(np.shape(X)[1])
        self.feature_names_in_ = _names(X)
        return self

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(self.feature_names_in_, dtype=object)


def _names(X: Any) -> list[str]:
    if isinstance(X, pd.DataFrame):
        return [str(c) for c in X.columns]
    return [f"x{i}" for i in range(int(np.shape(X)[1]))]


def _frame(X: Any) -> pd.DataFrame:
    return X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=object))


class ToFloat(_Stateless):
    """Numbers and booleans as floats; anything unreadable becomes NaN."""

    def transform(self, X: Any) -> np.ndarray:
        frame = _frame(X)
        out = np.empty(frame.shape, dtype=float)
        for i, column in enumerate(frame.columns):
            series = frame[column]
            if not isinstance(series.dtype, np.dtype) or series.dtype == object:  # nullable or mixed
                series = series.astype(object).map(_number)
            values = pd.to_numeric(series, errors="coerce")
            out[:, i] = np.asarray(values.to_numpy(dtype=float, na_value=np.nan), dtype=float)
        out[~np.isfinite(out)] = np.nan  # infinities are read as missing
        return out


def _number(value: Any) -> Any:
    if value is None or value is pd.NA:
        return np.nan
    return float(value) if isinstance(value, bool | np.bool_) else value


class AsText(_Stateless):
    """Category values as strings (so that mixed types sort), missing values as NaN."""

    def transform(self, X: Any) -> np.ndarray:
        frame = _frame(X)
        out = np.empty(frame.shape, dtype=object)
        for i, column in enumerate(frame.columns):
            series = frame[column]
            out[:, i] = np.where(series.isna().to_numpy(), np.nan, series.astype(str).to_numpy())
        return out


_DATE_PARTS = ("year", "month", "day", "weekday", "dayofyear", "hour", "days")


class DateParts(_Stateless):
    """A date column as numbers: year, month, day, weekday, day of year, hour and days since 1970."""

    def transform(self, X: Any) -> np.ndarray:
        frame = _frame(X)
        blocks = []
        for column in frame.columns:
            dates = pd.to_datetime(frame[column], errors="coerce", utc=True)
            missing = dates.isna().to_numpy()
            parts = [
                dates.dt.year,
                dates.dt.month,
                dates.dt.day,
                dates.dt.weekday,
                dates.dt.dayofyear,
                dates.dt.hour,
                (dates - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds() / 86400.0,
            ]
            block = np.column_stack([np.asarray(p, dtype=float) for p in parts])
            block[missing] = np.nan
            blocks.append(block)
        if not blocks:
            return np.empty((len(frame), 0))
        return np.hstack(blocks)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray([f"{c}_{p}" for c in self.feature_names_in_ for p in _DATE_PARTS], dtype=object)


class TextColumn(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """One free-text column as TF-IDF weights of its most frequent words."""

    def __init__(self, max_features: int = _TEXT_FEATURES) -> None:
        self.max_features = max_features

    def _texts(self, X: Any) -> list[str]:
        series = X.iloc[:, 0] if isinstance(X, pd.DataFrame) else pd.Series(np.asarray(X).ravel())
        return [str(v) if not pd.isna(v) else "" for v in series.tolist()]

    def fit(self, X: Any, y: Any = None) -> TextColumn:
        self.feature_names_in_ = _names(X) if np.ndim(X) == 2 else ["text"]
        self.n_features_in_ = 1
        texts = self._texts(X)
        self.vectorizer_ = TfidfVectorizer(max_features=self.max_features, min_df=2, dtype=np.float64)
        try:
            self.vectorizer_.fit(texts)
            self.empty_ = False
        except ValueError:  # no word seen twice
            self.empty_ = True
        return self

    def transform(self, X: Any) -> np.ndarray:
        texts = self._texts(X)
        if self.empty_:
            return np.zeros((len(texts), 0))
        return np.asarray(self.vectorizer_.transform(texts).toarray())

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        if self.empty_:
            return np.asarray([], dtype=object)
        words = self.vectorizer_.get_feature_names_out()
        return np.asarray([f"{self.feature_names_in_[0]}__{w}" for w in words], dtype=object)


def _preprocessor(layout: ColumnLayout, linear: bool) -> ColumnTransformer:
    """Categories come first, so that their output positions are 0..len(category)-1."""
    parts: list[tuple[str, Any, Any]] = []
    if layout.category:
        if linear:
            encoder: Any = Pipeline(
                [
                    ("text", AsText()),
                    ("impute", SimpleImputer(strategy="constant", fill_value="(missing)")),
                    (
                        "onehot",
                        OneHotEncoder(
                            handle_unknown="infrequent_if_exist",
                            max_categories=_MAX_ONE_HOT,
                            sparse_output=False,
                        ),
                    ),
                ]
            )
        else:
            encoder = Pipeline(
                [
                    ("text", AsText()),
                    (
                        "ordinal",
                        OrdinalEncoder(
                            handle_unknown="use_encoded_value",
                            unknown_value=np.nan,
                            max_categories=_MAX_CATEGORIES,
                        ),
                    ),
                ]
            )
        parts.append(("category", encoder, list(layout.category)))
    if layout.numeric:
        numeric: Any = ToFloat()
        if linear:
            numeric = Pipeline(
                [
                    ("float", ToFloat()),
                    (
                        "impute",
                        SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
                    ),
                    ("scale", StandardScaler()),
                ]
            )
        parts.append(("numeric", numeric, list(layout.numeric)))
    if layout.date:
        dates: Any = DateParts()
        if linear:
            dates = Pipeline(
                [
                    ("parts", DateParts()),
                    ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                    ("scale", StandardScaler()),
                ]
            )
        parts.append(("date", dates, list(layout.date)))
    for i, column in enumerate(layout.text):
        parts.append((f"text_{i}", TextColumn(), [column]))
    return ColumnTransformer(parts, remainder="drop", sparse_threshold=0.0, n_jobs=None)


# --- boosters with early stopping ----------------------------------------------------------------


def stops_early(y: np.ndarray, stratify: bool) -> bool:
    """Whether ``y`` has the rows to hold 10 % out to stop boosting early (stratified: two rows of
    each class at least, and as many rows as classes on each side)."""
    n = len(y)
    if n < _EARLY_STOPPING_ROWS:
        return False
    if not stratify:
        return True
    counts = np.unique(y, return_counts=True)[1]
    valid = math.ceil(_VALIDATION_SHARE * n)
    return bool(counts.min() >= 2 and valid >= len(counts) and n - valid >= len(counts))


class _FixedRoundsOnSmallData:
    """HistGradientBoosting stopping early when :func:`stops_early` allows it, else running a fixed
    number of rounds (its own validation split refuses too few rows per class)."""

    def fit(self, X: Any, y: Any, sample_weight: Any = None, **kwargs: Any) -> Any:
        model: Any = self
        if stops_early(np.asarray(y), is_classifier(model)):
            return super().fit(X, y, sample_weight=sample_weight, **kwargs)  # type: ignore[misc]
        saved = model.early_stopping, model.max_iter
        model.early_stopping, model.max_iter = False, _FIXED_ROUNDS
        try:
            return super().fit(X, y, sample_weight=sample_weight, **kwargs)  # type: ignore[misc]
        finally:
            model.early_stopping, model.max_iter = saved


class HistBoostingClassifier(_FixedRoundsOnSmallData, HistGradientBoostingClassifier):  # type: ignore[misc]
    """HistGradientBoostingClassifier with early stopping on enough rows (fixed rounds on small data)."""


class HistBoostingRegressor(_FixedRoundsOnSmallData, HistGradientBoostingRegressor):  # type: ignore[misc]
    """HistGradientBoostingRegressor with early stopping on enough rows (fixed rounds on small data)."""


def _fit_booster(
    estimator: Any,
    X: Any,
    y: np.ndarray,
    sample_weight: np.ndarray | None,
    stratify: bool,
    categorical: list[int] | None,
    random_state: int,
) -> Any:
    """Fit a LightGBM or XGBoost model, holding out 10 % of the rows to stop adding trees when the
    held-out loss has not improved for ``_PATIENCE`` rounds (a fixed 200 rounds on small data)."""
    model = clone(estimator)
    is_lightgbm = type(model).__module__.startswith("lightgbm")
    extra: dict[str, Any] = {}
    if is_lightgbm and categorical:
        extra["categorical_feature"] = categorical
    if not stops_early(y, stratify):
        model.set_params(n_estimators=_FIXED_ROUNDS)
        model.fit(X, y, sample_weight=sample_weight, **extra)
        return model
    index = np.arange(len(y))
    train, valid = train_test_split(
        index, test_size=_VALIDATION_SHARE, random_state=random_state, stratify=y if stratify else None
    )
    weights = None if sample_weight is None else sample_weight[train]
    if is_lightgbm:
        model.set_params(early_stopping_round=_PATIENCE)
        model.fit(X[train], y[train], sample_weight=weights, eval_X=(X[valid],), eval_y=(y[valid],), **extra)
    else:
        model.set_params(early_stopping_rounds=_PATIENCE)
        model.fit(X[train], y[train], sample_weight=weights, eval_set=[(X[valid], y[valid])], verbose=False)
    return model


class EarlyStoppedClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """A LightGBM or XGBoost classifier fitted with early stopping and optional balanced class weights."""

    def __init__(
        self,
        estimator: Any = None,
        class_weight: str | None = None,
        categorical: list[int] | None = None,
        random_state: int = 0,
    ) -> None:
        self.estimator = estimator
        self.class_weight = class_weight
        self.categorical = categorical
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> EarlyStoppedClassifier:
        X = np.asarray(X, dtype=float)
        self.n_features_in_ = X.shape[1]
        self.classes_, codes = np.unique(np.asarray(y), return_inverse=True)
        weights = compute_sample_weight("balanced", codes) if self.class_weight == "balanced" else None
        self.model_ = _fit_booster(
            self.estimator, X, codes, weights, True, self.categorical, self.random_state
        )
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        proba = np.asarray(self.model_.predict_proba(np.asarray(X, dtype=float)))
        if proba.shape[1] == len(self.classes_):
            return proba
        # A booster fitted on one class only answers one column.
        full = np.zeros((proba.shape[0], len(self.classes_)))
        full[:, : proba.shape[1]] = proba
        return full

    def predict(self, X: Any) -> np.ndarray:
        return np.asarray(self.classes_[np.argmax(self.predict_proba(X), axis=1)])


class EarlyStoppedRegressor(RegressorMixin, BaseEstimator):  # type: ignore[misc]
    """A LightGBM or XGBoost regressor fitted with early stopping."""

    def __init__(
        self, estimator: Any = None, categorical: list[int] | None = None, random_state: int = 0
    ) -> None:
        self.estimator = estimator
        self.categorical = categorical
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> EarlyStoppedRegressor:
        X = np.asarray(X, dtype=float)
        self.n_features_in_ = X.shape[1]
        target = np.asarray(y, dtype=float)
        self.model_ = _fit_booster(
            self.estimator, X, target, None, False, self.categorical, self.random_state
        )
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.asarray(self.model_.predict(np.asarray(X, dtype=float)), dtype=float)


# --- search spaces ----------------------------------------------------------------------------------


def _space(trial: Any, name: str, classification: bool) -> dict[str, Any]:
    """Hyperparameters of one candidate drawn from an Optuna trial (names prefixed by the candidate)."""

    def f(key: str, low: float, high: float, log: bool = False) -> float:
        return float(trial.suggest_float(f"{name}.{key}", low, high, log=log))

    def i(key: str, low: int, high: int, log: bool = False) -> int:
        return int(trial.suggest_int(f"{name}.{key}", low, high, log=log))

    def c(key: str, choices: list[Any]) -> Any:
        return trial.suggest_categorical(f"{name}.{key}", choices)

    params: dict[str, Any]
    if name == "linear":
        params = (
            {"C": f("C", 1e-3, 1e2, log=True)} if classification else {"alpha": f("alpha", 1e-3, 1e3, True)}
        )
    elif name in ("random_forest", "extra_trees"):
        params = {
            "n_estimators": i("n_estimators", 50, 300, log=True),
            "max_features": f("max_features", 0.1, 1.0),
            "min_samples_leaf": i("min_samples_leaf", 1, 20, log=True),
        }
    elif name == "hist_gradient_boosting":
        params = {
            "learning_rate": f("learning_rate", 0.02, 0.3, log=True),
            "max_leaf_nodes": i("max_leaf_nodes", 8, 128, log=True),
            "min_samples_leaf": i("min_samples_leaf", 5, 100, log=True),
            "l2_regularization": f("l2_regularization", 1e-8, 10.0, log=True),
            "max_features": f("max_features", 0.5, 1.0),
        }
    elif name == "lightgbm":
        params = {
            "learning_rate": f("learning_rate", 0.02, 0.3, log=True),
            "num_leaves": i("num_leaves", 8, 128, log=True),
            "min_child_samples": i("min_child_samples", 5, 100, log=True),
            "subsample": f("subsample", 0.5, 1.0),
            "colsample_bytree": f("colsample_bytree", 0.5, 1.0),
            "reg_lambda": f("reg_lambda", 1e-8, 10.0, log=True),
        }
    elif name == "xgboost":
        params = {
            "learning_rate": f("learning_rate", 0.02, 0.3, log=True),
            "max_depth": i("max_depth", 2, 10),
            "min_child_weight": f("min_child_weight", 0.5, 20.0, log=True),
            "subsample": f("subsample", 0.5, 1.0),
            "colsample_bytree": f("colsample_bytree", 0.5, 1.0),
            "reg_lambda": f("reg_lambda", 1e-8, 10.0, log=True),
        }
    else:
        raise ValueError(f"unknown candidate {name!r}")
    if classification:
        weights = (
            [None, "balanced", "balanced_subsample"] if name in ("random_forest", "extra_trees") else None
        )
        params["class_weight"] = c("class_weight", weights or [None, "balanced"])
    return params


def suggest_params(trial: Any, name: str, classification: bool) -> dict[str, Any]:
    return _space(trial, name, classification)


_DEFAULTS: dict[str, dict[str, Any]] = {
    "linear": {"C": 1.0, "alpha": 1.0},
    "random_forest": {"n_estimators": 100, "max_features": 0.5, "min_samples_leaf": 1},
    "extra_trees": {"n_estimators": 100, "max_features": 0.5, "min_samples_leaf": 1},
    "hist_gradient_boosting": {
        "learning_rate": 0.1,
        "max_leaf_nodes": 31,
        "min_samples_leaf": 20,
        "l2_regularization": 1e-8,
        "max_features": 1.0,
    },
    "lightgbm": {
        "learning_rate": 0.05,
        "num_leaves": 31,
        "min_child_samples": 20,
        "subsample": 1.0,
        "colsample_bytree": 1.0,
        "reg_lambda": 1e-8,
    },
    "xgboost": {
        "learning_rate": 0.05,
        "max_depth": 6,
        "min_child_weight": 1.0,
        "subsample": 1.0,
        "colsample_bytree": 1.0,
        "reg_lambda": 1.0,
    },
}


def default_params(name: str, classification: bool, balanced: bool) -> dict[str, Any]:
    """The first configuration tried for a candidate, as Optuna parameter values (prefixed names)."""
    values = dict(_DEFAULTS[name])
    if name == "linear":
        values.pop("alpha" if classification else "C")
    if classification:
        values["class_weight"] = "balanced" if balanced else None
    return {f"{name}.{key}": value for key, value in values.items()}


# Relative cost of each candidate's default configuration (the linear model's = 1), measured on small
# tabular sets; a first guess for a candidate not tried yet, corrected by every trial that ran.
_RELATIVE_COST = {
    "linear": 1.0,
    "hist_gradient_boosting": 7.0,
    "lightgbm": 5.0,
    "xgboost": 8.5,
    "random_forest": 16.0,
    "extra_trees": 10.0,
}


def _tree_size(name: str, params: dict[str, Any]) -> float:
    if name == "xgboost":
        return float(2 ** int(params.get("max_depth", 6)))
    return float(params.get("max_leaf_nodes", params.get("num_leaves", 31)))


def cost_units(name: str, params: dict[str, Any], n_classes: int = 2) -> float:
    """A rough measure of a configuration's fitting cost (linear default = 1), to scale the time of
    trials that ran to one that has not: trees grow with their number and share of features, boosters
    with fewer rounds at a higher learning rate, and one tree per class on multiclass tasks."""
    base = _RELATIVE_COST[name]
    if name in ("random_forest", "extra_trees"):
        default = float(_DEFAULTS[name]["n_estimators"]) * float(_DEFAULTS[name]["max_features"])
        return (
            base * float(params.get("n_estimators", 100)) * float(params.get("max_features", 0.5)) / default
        )
    if name in ("lightgbm", "xgboost", "hist_gradient_boosting"):
        rounds = float(_DEFAULTS[name]["learning_rate"]) / float(params.get("learning_rate", 0.1))
        size = _tree_size(name, params) / _tree_size(name, _DEFAULTS[name])
        return base * rounds * math.sqrt(size) * (n_classes**0.85 if n_classes > 2 else 1.0)
    return base


# --- pipelines --------------------------------------------------------------------------------------


def _estimator(
    name: str, classification: bool, params: dict[str, Any], categorical: list[int], seed: int, n_jobs: int
) -> Any:
    p = dict(params)
    class_weight = p.pop("class_weight", None)
    if name == "linear":
        if classification:
            return LogisticRegression(C=p["C"], class_weight=class_weight, max_iter=2000, random_state=seed)
        return Ridge(alpha=p["alpha"])
    if name in ("random_forest", "extra_trees"):
        if classification:
            cls: Any = RandomForestClassifier if name == "random_forest" else ExtraTreesClassifier
            return cls(**p, class_weight=class_weight, random_state=seed, n_jobs=n_jobs)
        cls = RandomForestRegressor if name == "random_forest" else ExtraTreesRegressor
        return cls(**p, random_state=seed, n_jobs=n_jobs)
    if name == "hist_gradient_boosting":
        common = {
            **p,
            "max_iter": 1000,
            "early_stopping": True,
            "validation_fraction": _VALIDATION_SHARE,
            "n_iter_no_change": _PATIENCE,
            "random_state": seed,
        }
        if classification:
            return HistBoostingClassifier(**common, class_weight=class_weight)
        return HistBoostingRegressor(**common)
    if name == "lightgbm":
        lgbm: dict[str, Any] = {
            **p,
            "n_estimators": 1000,
            "subsample_freq": 1,
            "random_state": seed,
            "n_jobs": n_jobs,
            "verbosity": -1,
        }
        if classification:
            return EarlyStoppedClassifier(LGBMClassifier(**lgbm), class_weight, categorical or None, seed)
        return EarlyStoppedRegressor(LGBMRegressor(**lgbm), categorical or None, seed)
    if name == "xgboost":
        xgb: dict[str, Any] = {
            **p,
            "n_estimators": 1000,
            "tree_method": "hist",
            "random_state": seed,
            "n_jobs": n_jobs,
            "verbosity": 0,
        }
        if classification:
            return EarlyStoppedClassifier(XGBClassifier(**xgb), class_weight, None, seed)
        return EarlyStoppedRegressor(XGBRegressor(**xgb), None, seed)
    raise ValueError(f"unknown candidate {name!r}")


def family(name: str) -> str:
    """Candidates of one family share their preprocessing (``linear`` or ``trees``)."""
    return "linear" if name == "linear" else "trees"


def build_preprocessor(layout: ColumnLayout, family_name: str) -> ColumnTransformer:
    """The unfitted preprocessing of a family: cleaned columns in, a float matrix out."""
    return _preprocessor(layout, family_name == "linear")


def build_estimator(
    name: str, task: str, params: dict[str, Any], layout: ColumnLayout, seed: int, n_jobs: int = 1
) -> Any:
    """The unfitted estimator of a candidate, taking its family's preprocessed matrix."""
    # Native categories for LightGBM only: HistGradientBoosting's own category handling stores a
    # functools.partial, which skops files admitted by modelport may not hold.
    categorical = [] if family(name) == "linear" else list(range(len(layout.category)))
    return _estimator(name, task != "regression", params, categorical, seed, n_jobs)


def build_pipeline(
    name: str, task: str, params: dict[str, Any], layout: ColumnLayout, seed: int, n_jobs: int = 1
) -> Pipeline:
    """An unfitted candidate pipeline: preprocessing of the cleaned columns, then the estimator."""
    return Pipeline(
        [
            ("prep", build_preprocessor(layout, family(name))),
            ("est", build_estimator(name, task, params, layout, seed, n_jobs)),
        ]
    )

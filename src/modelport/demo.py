"""The demo catalog: users for every role and a dozen realistic model versions, trained at start.

:func:`load_demo` fills an empty metadata store with what a consumer-goods company's catalog looks
like: models from R&D, marketing, supply chain, sales, HR and finance, for several markets, in every
safe format (skops, XGBoost, LightGBM, ONNX), several with a v1 and an improved v2 and ``champion`` /
``challenger`` aliases. The models are trained in a few seconds on synthetic, seeded data with
meaningful column names, and registered through the services exactly like an upload: each file is
inspected, stored by sha256 and audited. Metrics are computed on a held-out split.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from threadpoolctl import threadpool_limits

from modelport.context import Context
from modelport.errors import InvalidArgument
from modelport.flavors import serialize_model
from modelport.principal import Principal
from modelport.schemas import ApiTokenCreate, ModelCreate, Role, UserCreate, VersionMeta
from modelport.services.auth import AuthService
from modelport.services.catalog import CatalogService
from modelport.stores.catalog import CatalogStore
from modelport.stores.users import Credentials, UserStore

__all__ = ["DEMO_PASSWORD", "DEMO_USERNAMES", "DemoSummary", "DemoUser", "demo_model_names", "load_demo"]

DEMO_PASSWORD = "modelport-demo"
"""Password of every demo user (shown by ``modelport serve --demo``; never use demo mode in production)."""

TEST_SIZE = 0.2
Task = Literal["classification", "regression"]


# ---------------------------------------------------------------------------------------------- results


@dataclass
class DemoUser:
    """A demo account. ``token`` is empty when the user existed already (a token is shown only once);
    ``password`` is empty when it is no longer the demo password."""

    username: str
    role: Role
    department: str | None
    password: str
    token: str


@dataclass
class DemoSummary:
    """What :func:`load_demo` did. ``created`` is False when the catalog was not empty and nothing was
    done; ``models`` and ``versions`` then are empty / 0 (they count what this call registered)."""

    users: list[DemoUser]
    models: list[str]
    versions: int
    seconds: float
    created: bool
    deployments: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- users


@dataclass(frozen=True)
class _UserSpec:
    username: str
    role: Role
    department: str | None
    display_name: str
    email: str


_USERS: tuple[_UserSpec, ...] = (
    _UserSpec("admin", Role.admin, None, "Nadia Benali (platform team)", "nadia.benali@example.com"),
    _UserSpec("ds", Role.data_scientist, "marketing", "Camille Martin", "camille.martin@example.com"),
    _UserSpec("analyst", Role.business_user, "supply-chain", "Lukas Weber", "lukas.weber@example.com"),
    _UserSpec("viewer", Role.viewer, None, "Sofia Rossi", "sofia.rossi@example.com"),
    _UserSpec("ds-hr", Role.data_scientist, "hr", "Hugo Lefevre", "hugo.lefevre@example.com"),
)
DEMO_USERNAMES: tuple[str, ...] = tuple(u.username for u in _USERS)


# ------------------------------------------------------------------------------------------ synthetic data


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -30.0, 30.0))))


def _season(week: np.ndarray, peak_week: float, amplitude: float) -> np.ndarray:
    return np.asarray(1.0 + amplitude * np.cos(2 * np.pi * (week - peak_week) / 52.0))


_DataGenerator = Callable[[np.random.Generator, int], tuple[pd.DataFrame, pd.Series]]


def _demand_data(market_factor: float) -> _DataGenerator:
    """Weekly unit sales of one store and product family."""

    def generate(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, pd.Series]:
        store = rng.uniform(800, 12_000, n).round(0)
        week = rng.integers(1, 53, n)
        promo = np.where(rng.random(n) < 0.3, rng.uniform(0.1, 0.4, n), 0.0).round(2)
        price = rng.normal(1.0, 0.07, n).clip(0.75, 1.3).round(3)
        temperature = (12 + 10 * np.cos(2 * np.pi * (week - 29) / 52) + rng.normal(0, 4, n)).round(1)
        holiday = (rng.random(n) < 0.08).astype(np.int64)
        local = rng.lognormal(0, 0.35, n)  # catchment area, competition: seen only through past sales
        base = 0.02 * store * market_factor * _season(week, 50, 0.22) * local
        heat = 1 + 0.04 * np.maximum(temperature - 16, 0)
        units = base * (1 + 2.2 * promo + 1.5 * promo**2) * price**-1.8 * (1 + 0.35 * holiday) * heat
        units = units * rng.lognormal(0, 0.08, n)
        frame = pd.DataFrame(
            {
                "store_size_m2": store,
                "week_of_year": week,
                "promo_depth": promo,
                "price_index": price,
                "temperature_c": temperature,
                "is_holiday_week": holiday,
                "lag_1w_units": (base * rng.lognormal(0, 0.3, n)).round(0),
                "lag_52w_units": (base * heat * rng.lognormal(0, 0.1, n)).round(0),
            }
        )
        return frame, pd.Series(units.round(0), name="units_sold")

    return generate


def _churn_data(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, pd.Series]:
    tenure = rng.integers(1, 120, n)
    spend = rng.gamma(2.0, 30.0, n).round(2)
    orders = rng.poisson(4, n)
    recency = rng.exponential(30, n).round().clip(0, 365).astype(np.int64)
    loyalty = (rng.random(n) < 0.45).astype(np.int64)
    complaints = rng.poisson(0.4, n)
    discount = rng.beta(2, 5, n).round(3)
    opens = rng.beta(2, 3, n).round(3)
    logit = (
        -2.3
        - 0.01 * tenure
        + 2.4 * (recency > 60)
        + 1.6 * (discount > 0.45)
        - 1.3 * loyalty * (orders >= 3)
        + 0.8 * complaints
        - 1.2 * opens
        + 1.2 * ((spend < 25) & (tenure < 12))
    )
    churned = (rng.random(n) < _sigmoid(logit)).astype(np.int64)
    frame = pd.DataFrame(
        {
            "tenure_months": tenure,
            "monthly_spend_eur": spend,
            "orders_last_90d": orders,
            "days_since_last_order": recency,
            "loyalty_member": loyalty,
            "complaints_last_year": complaints,
            "discount_share": discount,
            "email_open_rate": opens,
        }
    )
    return frame, pd.Series(churned, name="churned")


_CHANNELS = {"hypermarket": -2.2, "supermarket": -1.8, "proximity": -1.1, "e-commerce": -2.6}


def _price_data(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, pd.Series]:
    channel = rng.choice(list(_CHANNELS), n, p=[0.35, 0.35, 0.15, 0.15])
    elasticity = np.array([_CHANNELS[c] for c in channel])
    price = rng.normal(1.0, 0.1, n).clip(0.7, 1.4).round(3)
    competitor = rng.normal(1.0, 0.08, n).clip(0.7, 1.3).round(3)
    promo = np.where(rng.random(n) < 0.25, rng.uniform(0.1, 0.35, n), 0.0).round(2)
    distribution = rng.uniform(40, 100, n).round(1)
    week = rng.integers(1, 53, n)
    share = rng.beta(2, 6, n).round(3)
    volume = (
        100
        * price**elasticity
        * competitor**0.8
        * (1 + 1.8 * promo)
        * (distribution / 100) ** 0.7
        * _season(week, 50, 0.15)
        * (1 + 0.5 * share)
        * rng.lognormal(0, 0.06, n)
    )
    frame = pd.DataFrame(
        {
            "channel": pd.Series(channel, dtype=object),
            "price_index": price,
            "competitor_price_index": competitor,
            "promo_depth": promo,
            "distribution_pct": distribution,
            "week_of_year": week,
            "brand_share": share,
        }
    )
    return frame, pd.Series(volume.round(2), name="volume_index")


def _attrition_data(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, pd.Series]:
    tenure = rng.integers(1, 360, n)
    age = (22 + tenure / 12 + rng.normal(8, 6, n)).clip(20, 65).round().astype(np.int64)
    band = rng.integers(1, 7, n)
    overtime = rng.gamma(1.5, 6.0, n).round(1)
    engagement = rng.normal(3.6, 0.7, n).clip(1, 5).round(1)
    managers = rng.poisson(0.8, n)
    training = rng.poisson(3, n)
    remote = rng.integers(0, 4, n)
    distance = rng.gamma(2.0, 9.0, n).round(1)
    logit = (
        -2.0
        - 0.004 * tenure
        - 0.25 * band
        + 0.06 * overtime
        - 0.9 * (engagement - 3.6)
        + 0.45 * managers
        - 0.08 * training
        - 0.15 * remote
        + 0.02 * distance
        + 0.8 * (age < 30)
    )
    left = (rng.random(n) < _sigmoid(logit)).astype(np.int64)
    frame = pd.DataFrame(
        {
            "tenure_months": tenure,
            "age": age,
            "salary_band": band,
            "overtime_hours_month": overtime,
            "engagement_score": engagement,
            "manager_changes_2y": managers,
            "training_days_year": training,
            "remote_days_per_week": remote,
            "commute_km": distance,
        }
    )
    return frame, pd.Series(left, name="left_within_12m")


def _invoice_data(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, pd.Series]:
    amount = rng.lognormal(7, 1.2, n).round(2)
    due = rng.choice(np.array([15, 30, 45, 60, 90]), n)
    vendor_age = rng.integers(0, 240, n)
    lines = rng.integers(1, 40, n)
    zscore = rng.normal(0, 1, n).round(3)
    weekend = (rng.random(n) < 0.06).astype(np.int64)
    manual = (rng.random(n) < 0.2).astype(np.int64)
    bank = (rng.random(n) < 0.03).astype(np.int64)
    round_amount = (np.mod(amount, 100) < 1).astype(np.int64)
    logit = (
        -3.6
        + 2.6 * (np.abs(zscore) > 2.0)
        + 3.0 * bank
        + 1.2 * weekend * manual
        + 0.6 * manual
        + 1.6 * (vendor_age < 6)
        + 1.2 * round_amount
        - 0.5 * (due == 30)
    )
    anomaly = (rng.random(n) < _sigmoid(logit)).astype(np.int64)
    frame = pd.DataFrame(
        {
            "amount_eur": amount,
            "days_to_due": due,
            "vendor_age_months": vendor_age,
            "line_count": lines,
            "amount_zscore_vendor": zscore,
            "posted_on_weekend": weekend,
            "manual_entry": manual,
            "bank_details_changed_90d": bank,
        }
    )
    return frame, pd.Series(anomaly, name="is_anomaly")


def _stability_data(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, pd.Series]:
    ph = rng.uniform(4.0, 8.0, n).round(2)
    viscosity = rng.lognormal(8, 0.5, n).round(0)
    surfactant = rng.uniform(5, 20, n).round(2)
    fragrance = rng.uniform(0, 3, n).round(2)
    preservative = rng.uniform(0, 1500, n).round(0)
    temp = rng.choice(np.array([4.0, 25.0, 40.0]), n)
    emulsifier = rng.uniform(0.5, 5, n).round(2)
    life = (
        30
        - 3.2 * (ph - 5.6) ** 2
        - 0.22 * np.maximum(temp - 25, 0) * (1 + fragrance / 3)
        + 6 * (1 - np.exp(-preservative / 500))
        + 1.5 * np.log(viscosity / 3000)
        + 0.8 * emulsifier
        - 0.15 * surfactant
        + rng.normal(0, 1.5, n)
    ).clip(1, 48)
    frame = pd.DataFrame(
        {
            "ph": ph,
            "viscosity_cps": viscosity,
            "surfactant_pct": surfactant,
            "fragrance_pct": fragrance,
            "preservative_ppm": preservative,
            "storage_temp_c": temp,
            "emulsifier_pct": emulsifier,
        }
    )
    return frame, pd.Series(life.round(1), name="shelf_life_months")


def _uplift_data(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, pd.Series]:
    depth = rng.uniform(0.05, 0.5, n).round(2)
    display = (rng.random(n) < 0.4).astype(np.int64)
    leaflet = (rng.random(n) < 0.5).astype(np.int64)
    baseline = rng.gamma(3.0, 60.0, n).round(0)
    price = rng.normal(1.0, 0.08, n).clip(0.75, 1.3).round(3)
    weeks = rng.integers(1, 27, n)
    share = rng.beta(2, 6, n).round(3)
    penetration = rng.uniform(0.1, 0.9, n).round(2)
    mechanics = 1.6 * depth + 0.25 * display + 0.15 * leaflet + 0.12 * display * leaflet
    fatigue = 1 - np.exp(-weeks / 6)
    uplift = 100 * mechanics * (1 - 0.4 * share) * fatigue * (0.7 + 0.6 * penetration) / price
    uplift = uplift + rng.normal(0, 4, n)
    frame = pd.DataFrame(
        {
            "promo_depth": depth,
            "on_display": display,
            "in_leaflet": leaflet,
            "baseline_units": baseline,
            "price_index": price,
            "weeks_since_last_promo": weeks,
            "brand_share": share,
            "category_penetration": penetration,
        }
    )
    return frame, pd.Series(uplift.round(2), name="uplift_pct")


def _credit_data(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, pd.Series]:
    years = rng.integers(0, 60, n)
    revenue = rng.lognormal(1.5, 1.0, n).round(2)
    dso = rng.gamma(4.0, 14.0, n).round(0)
    late = rng.poisson(1.2, n)
    limit = (revenue * rng.uniform(20, 80, n)).round(0)
    utilisation = rng.beta(2, 2, n).round(3)
    leverage = rng.gamma(2.0, 0.6, n).round(2)
    country = rng.integers(1, 6, n)
    logit = (
        -3.2
        - 0.03 * years
        - 0.25 * np.log(revenue)
        + 1.5 * (dso > 75)
        + 0.35 * late
        + 2.4 * (utilisation > 0.8)
        + 0.5 * np.minimum(leverage, 4)
        + 0.25 * late * (country >= 4)
    )
    default = (rng.random(n) < _sigmoid(logit)).astype(np.int64)
    frame = pd.DataFrame(
        {
            "years_in_business": years,
            "annual_revenue_meur": revenue,
            "days_sales_outstanding": dso,
            "late_payments_12m": late,
            "credit_limit_keur": limit,
            "credit_utilisation": utilisation,
            "debt_to_equity": leverage,
            "country_risk_score": country,
        }
    )
    return frame, pd.Series(default, name="default_12m")


# ---------------------------------------------------------------------------------------------- estimators


def _sk_logistic(p: dict[str, Any]) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=p["C"], max_iter=500))


def _sk_hgb_classifier(p: dict[str, Any]) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=p["max_iter"],
        learning_rate=p["learning_rate"],
        max_leaf_nodes=p["max_leaf_nodes"],
        random_state=0,
    )


def _sk_hgb_regressor(p: dict[str, Any]) -> Any:
    from sklearn.ensemble import HistGradientBoostingRegressor

    return HistGradientBoostingRegressor(
        max_iter=p["max_iter"],
        learning_rate=p["learning_rate"],
        max_leaf_nodes=p["max_leaf_nodes"],
        random_state=0,
    )


def _sk_rf_classifier(p: dict[str, Any]) -> Any:
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(
        n_estimators=p["n_estimators"],
        max_depth=p["max_depth"],
        min_samples_leaf=p["min_samples_leaf"],
        n_jobs=1,
        random_state=0,
    )


def _sk_rf_regressor(p: dict[str, Any]) -> Any:
    from sklearn.ensemble import RandomForestRegressor

    return RandomForestRegressor(
        n_estimators=p["n_estimators"],
        max_depth=p["max_depth"],
        min_samples_leaf=p["min_samples_leaf"],
        n_jobs=1,
        random_state=0,
    )


def _channel_pipeline(regressor: Any, scale: bool) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = [
        "price_index",
        "competitor_price_index",
        "promo_depth",
        "distribution_pct",
        "week_of_year",
        "brand_share",
    ]
    prepare = ColumnTransformer(
        [
            ("channel", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["channel"]),
            ("numeric", StandardScaler() if scale else "passthrough", numeric),
        ]
    )
    return Pipeline([("prepare", prepare), ("model", regressor)])


def _sk_ridge_channels(p: dict[str, Any]) -> Any:
    from sklearn.linear_model import Ridge

    return _channel_pipeline(Ridge(alpha=p["alpha"]), scale=True)


def _sk_hgb_channels(p: dict[str, Any]) -> Any:
    return _channel_pipeline(_sk_hgb_regressor(p), scale=False)


def _xgb_regressor(p: dict[str, Any]) -> Any:
    from xgboost import XGBRegressor

    return XGBRegressor(
        n_estimators=p["n_estimators"],
        max_depth=p["max_depth"],
        learning_rate=p["learning_rate"],
        subsample=p.get("subsample", 1.0),
        tree_method="hist",
        n_jobs=1,
        random_state=0,
    )


def _xgb_classifier(p: dict[str, Any]) -> Any:
    from xgboost import XGBClassifier

    return XGBClassifier(
        n_estimators=p["n_estimators"],
        max_depth=p["max_depth"],
        learning_rate=p["learning_rate"],
        scale_pos_weight=p.get("scale_pos_weight", 1.0),
        tree_method="hist",
        n_jobs=1,
        random_state=0,
    )


def _lgbm_regressor(p: dict[str, Any]) -> Any:
    from lightgbm import LGBMRegressor

    return LGBMRegressor(
        n_estimators=p["n_estimators"],
        num_leaves=p["num_leaves"],
        learning_rate=p["learning_rate"],
        min_child_samples=p.get("min_child_samples", 20),
        n_jobs=1,
        random_state=0,
        verbose=-1,
    )


def _to_onnx(estimator: Any, sample: pd.DataFrame) -> Any:
    """Convert a fitted scikit-learn regressor to ONNX with one float tensor input (columns by position)."""
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType

    return convert_sklearn(
        estimator,
        name="demo",
        initial_types=[("features", FloatTensorType([None, sample.shape[1]]))],
        target_opset={"": 17, "ai.onnx.ml": 3},
    )


# ---------------------------------------------------------------------------------------------- catalog


@dataclass(frozen=True)
class _Version:
    summary: str
    algorithm: str
    build: Callable[[dict[str, Any]], Any]
    params: dict[str, Any]
    snapshot: str
    drop: tuple[str, ...] = ()
    onnx: bool = False


@dataclass(frozen=True)
class _Model:
    name: str
    title: str
    department: str
    owner: str
    markets: tuple[str, ...]
    brands: tuple[str, ...]
    use_case: str
    tags: tuple[str, ...]
    task: Task
    rows: int
    seed: int
    generate: _DataGenerator
    dataset: str
    purpose: str
    output: str
    features: dict[str, str]
    limitations: tuple[str, ...]
    contact: str
    versions: tuple[_Version, ...]
    visibility: Literal["company", "restricted"] = "company"


_CATALOG: tuple[_Model, ...] = (
    _Model(
        name="demand-forecast-fr",
        title="Weekly demand forecast - France",
        department="supply-chain",
        owner="ds",
        markets=("FR",),
        brands=("Solea", "Maison Claire"),
        use_case="Replenishment planning",
        tags=("forecasting", "time-series", "replenishment", "weekly"),
        task="regression",
        rows=3000,
        seed=101,
        generate=_demand_data(1.0),
        dataset="sales_weekly_fr",
        purpose="Forecasts next week's unit sales per store and product family, so that replenishment "
        "orders to the French distribution centres can be placed on Thursday for the following week.",
        output="`units_sold`: expected units sold in the store over the week (a real number >= 0).",
        features={
            "store_size_m2": "sales area of the store, in square metres",
            "week_of_year": "ISO week number of the forecast week (1-52)",
            "promo_depth": "discount of the running promotion (0 = none, 0.25 = 25 % off)",
            "price_index": "shelf price relative to the category's reference price",
            "temperature_c": "forecast mean temperature of the week, in degrees Celsius",
            "is_holiday_week": "1 when the week holds a public or school holiday",
            "lag_1w_units": "units sold the previous week",
            "lag_52w_units": "units sold the same week last year",
        },
        limitations=(
            "Not trained on store openings (less than 52 weeks of history): use the regional mean instead.",
            "Promotions deeper than 40 % are outside the training range.",
            "Weather is a forecast input: its error adds to the model's error in summer.",
        ),
        contact="Supply-chain data science - Camille Martin (camille.martin@example.com), #ds-supply-chain",
        versions=(
            _Version(
                "Baseline gradient boosting without weather and yearly lag.",
                "HistGradientBoostingRegressor",
                _sk_hgb_regressor,
                {"max_iter": 60, "learning_rate": 0.1, "max_leaf_nodes": 15},
                "2026-07",
                drop=("temperature_c", "lag_52w_units"),
            ),
            _Version(
                "LightGBM with temperature and last year's sales: better on summer and holiday weeks.",
                "LGBMRegressor",
                _lgbm_regressor,
                {"n_estimators": 150, "num_leaves": 31, "learning_rate": 0.08},
                "2026-10",
            ),
        ),
    ),
    _Model(
        name="demand-forecast-de",
        title="Weekly demand forecast - Germany",
        department="supply-chain",
        owner="ds",
        markets=("DE", "AT"),
        brands=("Solea", "Nordhaus"),
        use_case="Replenishment planning",
        tags=("forecasting", "time-series", "replenishment", "weekly"),
        task="regression",
        rows=3000,
        seed=102,
        generate=_demand_data(1.3),
        dataset="sales_weekly_de",
        purpose="The German and Austrian counterpart of `demand-forecast-fr`: the same inputs, trained on "
        "DACH stores. Feeds the weekly replenishment run of the Kassel distribution centre.",
        output="`units_sold`: expected units sold in the store over the week.",
        features={
            "store_size_m2": "sales area of the store, in square metres",
            "week_of_year": "ISO week number of the forecast week (1-52)",
            "promo_depth": "discount of the running promotion (0 = none)",
            "price_index": "shelf price relative to the category's reference price",
            "temperature_c": "forecast mean temperature of the week, in degrees Celsius",
            "is_holiday_week": "1 when the week holds a public or school holiday (per Land)",
            "lag_1w_units": "units sold the previous week",
            "lag_52w_units": "units sold the same week last year",
        },
        limitations=(
            "Austrian stores are 8 % of the training data: check the bias there before relying on it.",
            "Holiday flags follow the Land of the store; cross-border stores may be mislabelled.",
        ),
        contact="Supply-chain data science - Camille Martin (camille.martin@example.com), #ds-supply-chain",
        versions=(
            _Version(
                "Shallow XGBoost, 30 trees: fast baseline.",
                "XGBRegressor",
                _xgb_regressor,
                {"n_estimators": 30, "max_depth": 3, "learning_rate": 0.2},
                "2026-07",
            ),
            _Version(
                "Deeper XGBoost with row subsampling.",
                "XGBRegressor",
                _xgb_regressor,
                {"n_estimators": 80, "max_depth": 5, "learning_rate": 0.15, "subsample": 0.8},
                "2026-10",
            ),
        ),
    ),
    _Model(
        name="churn-propensity",
        title="Customer churn propensity (loyalty programme)",
        department="marketing",
        owner="ds",
        markets=("FR", "DE", "UK"),
        brands=("Solea", "Maison Claire", "Nordhaus"),
        use_case="Retention campaigns",
        tags=("classification", "crm", "retention", "loyalty"),
        task="classification",
        rows=4000,
        seed=201,
        generate=_churn_data,
        dataset="crm_customers_monthly",
        purpose="Scores every loyalty-programme member with the probability of no purchase in the next "
        "90 days. CRM teams target the top decile with a retention offer each month.",
        output="`prediction`: 1 = likely to churn; `probability_1`: churn probability (0-1).",
        features={
            "tenure_months": "months since the member joined the programme",
            "monthly_spend_eur": "average spend per month over the last year, in euros",
            "orders_last_90d": "number of orders in the last 90 days",
            "days_since_last_order": "days since the last order",
            "loyalty_member": "1 for premium-tier members",
            "complaints_last_year": "complaints logged by customer service in the last 12 months",
            "discount_share": "share of the spend bought on discount (0-1)",
            "email_open_rate": "share of marketing e-mails opened in the last 6 months (0-1)",
        },
        limitations=(
            "UK members joined in 2024: tenure above 30 months does not occur there.",
            "Scores members only; anonymous shoppers are not covered.",
            "Probabilities are not calibrated per market: rank, do not threshold across markets.",
        ),
        contact="Marketing data science - Camille Martin (camille.martin@example.com), #ds-marketing",
        versions=(
            _Version(
                "Logistic regression on standardised features: the interpretable baseline.",
                "LogisticRegression",
                _sk_logistic,
                {"C": 1.0, "scaler": "StandardScaler"},
                "2026-06",
            ),
            _Version(
                "Histogram gradient boosting: captures the recency threshold and heavy-discount buyers.",
                "HistGradientBoostingClassifier",
                _sk_hgb_classifier,
                {"max_iter": 80, "learning_rate": 0.06, "max_leaf_nodes": 8},
                "2026-09",
            ),
            _Version(
                "Random forest candidate, under A/B test against the champion.",
                "RandomForestClassifier",
                _sk_rf_classifier,
                {"n_estimators": 40, "max_depth": 8, "min_samples_leaf": 5},
                "2026-10",
            ),
        ),
    ),
    _Model(
        name="price-elasticity",
        title="Price elasticity by channel - Southern Europe",
        department="sales",
        owner="ds",
        markets=("FR", "ES", "IT"),
        brands=("Solea", "Bella Casa"),
        use_case="Pricing simulation",
        tags=("pricing", "elasticity", "revenue-management", "what-if"),
        task="regression",
        rows=4000,
        seed=301,
        generate=_price_data,
        dataset="pos_prices_weekly_south",
        purpose="Predicts the volume index of a product at a given shelf price, competitor price and "
        "promotion, per retail channel. Key-account managers use it to simulate a price change before "
        "the annual negotiations.",
        output="`volume_index`: expected weekly volume, 100 = the reference volume at the reference price.",
        features={
            "channel": "retail channel: hypermarket, supermarket, proximity or e-commerce",
            "price_index": "shelf price relative to the reference price",
            "competitor_price_index": "price of the main competitor relative to the same reference",
            "promo_depth": "discount of the running promotion (0 = none)",
            "distribution_pct": "weighted distribution of the product, in %",
            "week_of_year": "ISO week number (1-52)",
            "brand_share": "value share of the brand in the category (0-1)",
        },
        limitations=(
            "Price changes beyond +/- 30 % are extrapolations.",
            "Cross-elasticities with our own products are ignored.",
        ),
        contact="Sales analytics - Camille Martin (camille.martin@example.com), #ds-sales",
        versions=(
            _Version(
                "Ridge regression with one-hot channels: constant elasticity per channel.",
                "Ridge",
                _sk_ridge_channels,
                {"alpha": 1.0, "encoding": "one-hot channel"},
                "2026-08",
            ),
            _Version(
                "Gradient boosting with one-hot channels: non-linear price response.",
                "HistGradientBoostingRegressor",
                _sk_hgb_channels,
                {"max_iter": 150, "learning_rate": 0.1, "max_leaf_nodes": 31, "encoding": "one-hot channel"},
                "2026-10",
            ),
        ),
    ),
    _Model(
        name="promo-uplift",
        title="Promotion uplift estimator",
        department="marketing",
        owner="ds",
        markets=("FR", "BE", "NL"),
        brands=("Solea", "Maison Claire"),
        use_case="Trade promotion planning",
        tags=("promotion", "uplift", "trade-marketing", "regression"),
        task="regression",
        rows=4000,
        seed=401,
        generate=_uplift_data,
        dataset="promo_events",
        purpose="Estimates the incremental sales (in % of the baseline) of a planned in-store promotion, "
        "so that trade marketing can rank the promotion calendar proposed by retailers.",
        output="`uplift_pct`: expected incremental volume over the promotion weeks, in % of the baseline.",
        features={
            "promo_depth": "discount depth (0.05 - 0.50)",
            "on_display": "1 with a gondola-end display",
            "in_leaflet": "1 when featured in the retailer's leaflet",
            "baseline_units": "weekly units expected without promotion",
            "price_index": "regular shelf price relative to the reference price",
            "weeks_since_last_promo": "weeks since the product was last promoted",
            "brand_share": "value share of the brand in the category (0-1)",
            "category_penetration": "share of households buying the category (0-1)",
        },
        limitations=(
            "Pantry-loading after the promotion (the dip) is not deducted.",
            "Multi-buy mechanics (2 for 1) are converted to an equivalent discount depth.",
        ),
        contact="Trade marketing analytics - Camille Martin (camille.martin@example.com), #ds-marketing",
        versions=(
            _Version(
                "LightGBM, small trees.",
                "LGBMRegressor",
                _lgbm_regressor,
                {"n_estimators": 60, "num_leaves": 7, "learning_rate": 0.1},
                "2026-08",
            ),
            _Version(
                "LightGBM, more and larger trees with a lower learning rate.",
                "LGBMRegressor",
                _lgbm_regressor,
                {"n_estimators": 200, "num_leaves": 15, "learning_rate": 0.05},
                "2026-10",
            ),
        ),
    ),
    _Model(
        name="employee-attrition",
        title="Employee attrition risk",
        department="hr",
        owner="ds-hr",
        visibility="restricted",
        markets=("FR", "DE"),
        brands=(),
        use_case="Talent retention",
        tags=("classification", "people-analytics", "confidential"),
        task="classification",
        rows=3000,
        seed=501,
        generate=_attrition_data,
        dataset="hris_employees_quarterly",
        purpose="Estimates the risk that an employee leaves within 12 months, aggregated per team for HR "
        "business partners. **Restricted**: visible to the HR department and admins only.",
        output="`prediction`: 1 = at risk; `probability_1`: probability of leaving within 12 months.",
        features={
            "tenure_months": "months since hiring",
            "age": "age in years",
            "salary_band": "salary band (1-6)",
            "overtime_hours_month": "average overtime hours per month",
            "engagement_score": "last engagement survey score (1-5)",
            "manager_changes_2y": "changes of manager in the last two years",
            "training_days_year": "training days in the last year",
            "remote_days_per_week": "agreed remote-work days per week",
            "commute_km": "distance between home and site, in km",
        },
        limitations=(
            "Never used for decisions about an individual: team-level aggregates only (works council "
            "agreement of 2026-03).",
            "Age is an input for monitoring bias; the model card is reviewed by the DPO every year.",
        ),
        contact="People analytics - Hugo Lefevre (hugo.lefevre@example.com)",
        versions=(
            _Version(
                "Logistic regression, reviewed by the DPO.",
                "LogisticRegression",
                _sk_logistic,
                {"C": 0.5, "scaler": "StandardScaler"},
                "2026-09",
            ),
        ),
    ),
    _Model(
        name="invoice-anomaly",
        title="Supplier invoice anomaly detection",
        department="finance",
        owner="ds",
        markets=("FR", "DE", "UK", "ES", "IT"),
        brands=(),
        use_case="Accounts payable control",
        tags=("classification", "fraud", "accounts-payable", "controls"),
        task="classification",
        rows=5000,
        seed=601,
        generate=_invoice_data,
        dataset="ap_invoices_daily",
        purpose="Flags supplier invoices that look unusual (amount far from the vendor's history, recently "
        "changed bank details, manual entry on a weekend...) for a second check before payment.",
        output="`prediction`: 1 = send to review; `probability_1`: anomaly score (0-1).",
        features={
            "amount_eur": "invoice amount, in euros",
            "days_to_due": "payment term, in days",
            "vendor_age_months": "months since the vendor was created in the ERP",
            "line_count": "number of invoice lines",
            "amount_zscore_vendor": "z-score of the amount against the vendor's last 24 months",
            "posted_on_weekend": "1 when posted on a Saturday or Sunday",
            "manual_entry": "1 when keyed in manually rather than received by EDI",
            "bank_details_changed_90d": "1 when the vendor's bank details changed in the last 90 days",
        },
        limitations=(
            "Trained on confirmed anomalies only (about 6 % of invoices): recall matters more than precision "
            "here.",
            "New vendors have no history: their z-score is 0 by convention.",
        ),
        contact="Finance analytics - Camille Martin (camille.martin@example.com), #ds-finance",
        versions=(
            _Version(
                "XGBoost with class re-weighting.",
                "XGBClassifier",
                _xgb_classifier,
                {"n_estimators": 40, "max_depth": 4, "learning_rate": 0.2, "scale_pos_weight": 5.0},
                "2026-10",
            ),
        ),
    ),
    _Model(
        name="credit-risk-distributors",
        title="Distributor credit risk (12-month default)",
        department="finance",
        owner="ds",
        markets=("ES", "IT", "PT"),
        brands=(),
        use_case="Credit limit review",
        tags=("classification", "credit-risk", "b2b", "scorecard"),
        task="classification",
        rows=3000,
        seed=701,
        generate=_credit_data,
        dataset="distributors_credit_quarterly",
        purpose="Probability that a distributor defaults on payment within 12 months. Credit controllers "
        "use it at the quarterly credit-limit review.",
        output="`prediction`: 1 = likely default; `probability_1`: default probability (0-1).",
        features={
            "years_in_business": "years since the distributor was founded",
            "annual_revenue_meur": "last annual revenue, in millions of euros",
            "days_sales_outstanding": "average days to pay our invoices over the last 12 months",
            "late_payments_12m": "payments more than 30 days late in the last 12 months",
            "credit_limit_keur": "current credit limit, in thousands of euros",
            "credit_utilisation": "average use of the credit limit (0-1)",
            "debt_to_equity": "debt-to-equity ratio from the last balance sheet",
            "country_risk_score": "country risk grade of the credit insurer (1 = low, 5 = high)",
        },
        limitations=(
            "Balance-sheet inputs can be 18 months old for small distributors.",
            "Not validated for distributors outside Southern Europe.",
        ),
        contact="Credit management - Camille Martin (camille.martin@example.com), #ds-finance",
        versions=(
            _Version(
                "Logistic scorecard.",
                "LogisticRegression",
                _sk_logistic,
                {"C": 1.0, "scaler": "StandardScaler"},
                "2026-06",
            ),
            _Version(
                "XGBoost: captures the utilisation threshold.",
                "XGBClassifier",
                _xgb_classifier,
                {"n_estimators": 60, "max_depth": 3, "learning_rate": 0.15},
                "2026-09",
            ),
        ),
    ),
    _Model(
        name="formulation-stability",
        title="Formulation shelf-life predictor",
        department="rd",
        owner="ds",
        markets=("GLOBAL",),
        brands=("Solea", "Maison Claire", "Bella Casa"),
        use_case="Formulation screening",
        tags=("r-and-d", "formulation", "stability", "onnx"),
        task="regression",
        rows=2500,
        seed=801,
        generate=_stability_data,
        dataset="lab_stability_tests",
        purpose="Predicts the shelf life of a liquid-detergent formulation from its recipe and storage "
        "temperature, to screen candidate recipes before the 12-week accelerated stability test. "
        "Shipped as ONNX so the lab's formulation tool can run it offline.",
        output="`shelf_life_months`: predicted months before the formulation leaves its specification.",
        features={
            "ph": "pH of the formulation",
            "viscosity_cps": "viscosity at 20 degrees C, in centipoise",
            "surfactant_pct": "total surfactant content, in % w/w",
            "fragrance_pct": "fragrance content, in % w/w",
            "preservative_ppm": "preservative content, in ppm",
            "storage_temp_c": "storage temperature of the test, in degrees C (4, 25 or 40)",
            "emulsifier_pct": "emulsifier content, in % w/w",
        },
        limitations=(
            "Liquid formulations only; powders and unit doses have their own model.",
            "The ONNX input is one float tensor: columns must be given in the order above.",
        ),
        contact="R&D modelling - Camille Martin (camille.martin@example.com), #rd-modelling",
        versions=(
            _Version(
                "Random forest exported to ONNX.",
                "RandomForestRegressor (ONNX)",
                _sk_rf_regressor,
                {"n_estimators": 30, "max_depth": 8, "min_samples_leaf": 3},
                "2026-10",
                onnx=True,
            ),
        ),
    ),
)


def demo_model_names() -> list[str]:
    """Names of the models the demo catalog registers."""
    return [m.name for m in _CATALOG]


# ---------------------------------------------------------------------------------------------- training


@dataclass
class _Trained:
    spec: _Version
    number: int
    model: Any
    metrics: dict[str, float]
    params: dict[str, Any]
    sample: pd.DataFrame
    aliases: list[str] = field(default_factory=list)


def _metrics(task: Task, estimator: Any, x: pd.DataFrame, y: pd.Series) -> dict[str, float]:
    from sklearn import metrics

    if task == "classification":
        predicted = np.asarray(estimator.predict(x))
        scores = np.asarray(estimator.predict_proba(x))[:, 1]
        values = {
            "accuracy": metrics.accuracy_score(y, predicted),
            "auc": metrics.roc_auc_score(y, scores),
            "f1": metrics.f1_score(y, predicted, zero_division=0),
            "precision": metrics.precision_score(y, predicted, zero_division=0),
            "recall": metrics.recall_score(y, predicted, zero_division=0),
        }
    else:
        predicted = np.asarray(estimator.predict(x), dtype=float)
        values = {
            "rmse": float(np.sqrt(metrics.mean_squared_error(y, predicted))),
            "mae": metrics.mean_absolute_error(y, predicted),
            "r2": metrics.r2_score(y, predicted),
        }
    return {k: round(float(v), 4) for k, v in values.items()}


def _better(task: Task, a: dict[str, float], b: dict[str, float]) -> bool:
    """Whether metrics ``a`` beat ``b`` on the primary metric (AUC up, RMSE down)."""
    return a["auc"] > b["auc"] if task == "classification" else a["rmse"] < b["rmse"]


def _train(spec: _Model) -> list[_Trained]:
    """Generate the model's data, train every version and choose the champion and challenger."""
    from sklearn.model_selection import train_test_split

    rng = np.random.default_rng(spec.seed)
    x, y = spec.generate(rng, spec.rows)
    stratify = y if spec.task == "classification" else None
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=TEST_SIZE, random_state=spec.seed, stratify=stratify
    )
    trained: list[_Trained] = []
    for number, version in enumerate(spec.versions, start=1):
        columns = [c for c in x.columns if c not in version.drop]
        estimator = version.build(version.params)
        estimator.fit(x_train[columns], y_train)
        metrics = _metrics(spec.task, estimator, x_test[columns], y_test)
        sample = x_train[columns].head(5).reset_index(drop=True)
        model = _to_onnx(estimator, sample) if version.onnx else estimator
        params = {
            "algorithm": version.algorithm,
            **version.params,
            "features": len(columns),
            "train_rows": len(x_train),
            "test_rows": len(x_test),
            "target": str(y.name),
        }
        trained.append(_Trained(version, number, model, metrics, params, sample))
    champion = trained[0]
    for candidate in trained[1:]:
        if _better(spec.task, candidate.metrics, champion.metrics):
            champion = candidate
    champion.aliases.append("champion")
    newer = [t for t in trained if t.number > champion.number]
    if newer:
        newer[-1].aliases.append("challenger")
    return trained


# ---------------------------------------------------------------------------------------------- model card


def _fmt(value: float) -> str:
    return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"


def _card(spec: _Model, trained: list[_Trained], types: dict[str, str]) -> str:
    champion = next(t for t in trained if "champion" in t.aliases)
    lines = [
        f"# {spec.title}",
        "",
        "> Demo catalog: this model was trained by `modelport` on synthetic data when the demo was loaded.",
        "",
        "## Purpose",
        "",
        spec.purpose,
        "",
        "## Inputs",
        "",
        "| column | type | description |",
        "|---|---|---|",
    ]
    lines += [f"| `{name}` | {types.get(name, 'number')} | {text} |" for name, text in spec.features.items()]
    lines += ["", "## Output", "", spec.output, "", "## Training data", ""]
    lines += [
        f"`s3://datalake/{spec.department}/{spec.dataset}/` - {spec.rows:,} rows "
        f"({', '.join(spec.markets)}), {int(TEST_SIZE * 100)} % held out for evaluation. "
        "Each version records the exact snapshot it was trained on.",
        "",
        f"## Performance (champion: v{champion.number}, held-out set)",
        "",
        "| version | algorithm | " + " | ".join(champion.metrics) + " | aliases |",
        "|---|---|" + "---|" * len(champion.metrics) + "---|",
    ]
    for t in trained:
        values = " | ".join(_fmt(t.metrics[k]) for k in champion.metrics)
        lines.append(f"| v{t.number} | {t.spec.algorithm} | {values} | {', '.join(t.aliases) or '-'} |")
    lines += ["", "## Versions", ""]
    lines += [f"- **v{t.number}** - {t.spec.summary}" for t in trained]
    lines += ["", "## Limitations", ""]
    lines += [f"- {item}" for item in spec.limitations]
    lines += ["", "## Owner and contact", "", spec.contact, ""]
    return "\n".join(lines)


def _column_types(frame: pd.DataFrame) -> dict[str, str]:
    types: dict[str, str] = {}
    for name, dtype in frame.dtypes.items():
        kind = getattr(dtype, "kind", "O")
        types[str(name)] = {"i": "integer", "u": "integer", "f": "number", "b": "boolean"}.get(kind, "string")
    return types


def _source_version(name: str, number: int) -> str:
    return "git:" + hashlib.sha1(f"{name}@v{number}".encode(), usedforsecurity=False).hexdigest()[:7]


# ---------------------------------------------------------------------------------------------- loading


def _password_is_demo(password_hash: str | None) -> bool:
    try:
        return password_hash is not None and PasswordHasher().verify(password_hash, DEMO_PASSWORD)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _existing_users(ctx: Context) -> dict[str, Credentials]:
    with ctx.db.session() as s:
        store = UserStore(s)
        found = [store.credentials(name) for name in DEMO_USERNAMES]
    return {c.user.username: c for c in found if c is not None}


def _found_users(ctx: Context) -> list[DemoUser]:
    found = _existing_users(ctx)
    return [
        DemoUser(
            username=u.username,
            role=found[u.username].user.role,
            department=found[u.username].user.department,
            password=DEMO_PASSWORD if _password_is_demo(found[u.username].password_hash) else "",
            token="",
        )
        for u in _USERS
        if u.username in found
    ]


def _ensure_users(ctx: Context) -> list[DemoUser]:
    """Create the demo users that do not exist yet and give every one of them a fresh API token.

    A user that exists already is kept as it is (its password is not reset) but must have the role
    the demo needs, else InvalidArgument before anything is changed.
    """
    found = _existing_users(ctx)
    for u in _USERS:
        existing = found.get(u.username)
        if existing is not None and existing.user.role is not u.role:
            raise InvalidArgument(
                f"user {u.username!r} exists with role {existing.user.role.value}: the demo needs it to be "
                f"{u.role.value}"
            )
    auth = AuthService(ctx)
    users: list[DemoUser] = []
    for u in _USERS:
        existing = found.get(u.username)
        if existing is None:
            auth.create_user(
                UserCreate(
                    username=u.username,
                    password=DEMO_PASSWORD,
                    role=u.role,
                    department=u.department,
                    email=u.email,
                    display_name=u.display_name,
                ),
                None,
            )
            password, department = DEMO_PASSWORD, u.department
        else:
            password = DEMO_PASSWORD if _password_is_demo(existing.password_hash) else ""
            department = existing.user.department
        token = auth.create_token(ApiTokenCreate(name="demo"), auth.cli_principal(u.username)).token
        users.append(DemoUser(u.username, u.role, department, password, token))
    return users


def _undeploy(ctx: Context, model: str, admin: Principal) -> None:
    """Delete every deployment of a demo model, so that ``force`` can replace the model (a model that
    deployments use cannot be deleted)."""
    from modelport.services.deployments import DeploymentService

    deployments = DeploymentService(ctx)
    while page := deployments.list_deployments(admin, 1, 100, model=model).items:
        for deployment in page:
            deployments.delete(deployment.name, admin)


def _register(
    ctx: Context, spec: _Model, principal: Principal, admin: Principal, workdir: Path, force: bool
) -> tuple[int, str]:
    """Train and register one model with all its versions; returns (versions, progress text)."""
    started = time.perf_counter()
    catalog = CatalogService(ctx)
    trained = _train(spec)
    full = max(trained, key=lambda t: len(t.sample.columns)).sample
    if force and spec.name in _model_names(ctx):
        _undeploy(ctx, spec.name, admin)
        catalog.delete_model(spec.name, admin)
    catalog.create_model(
        ModelCreate(
            name=spec.name,
            title=spec.title,
            description=_card(spec, trained, _column_types(full)),
            department=spec.department,
            markets=list(spec.markets),
            brands=list(spec.brands),
            use_case=spec.use_case,
            tags=list(spec.tags),
            visibility=spec.visibility,
        ),
        principal,
    )
    flavors: list[str] = []
    for t in trained:
        folder = workdir / f"{spec.name}-v{t.number}"
        written = serialize_model(t.model, folder)
        path = written.rename(folder / f"{spec.name}-v{t.number}{written.suffix}")
        version = catalog.register_version(
            spec.name,
            principal,
            path,
            path.name,
            VersionMeta(
                description=t.spec.summary,
                metrics=t.metrics,
                params=t.params,
                training_data=f"s3://datalake/{spec.department}/{spec.dataset}/{t.spec.snapshot}",
                source_version=_source_version(spec.name, t.number),
                aliases=t.aliases,
            ),
            t.sample,
        )
        flavors.append(f"v{version.version} {version.flavor}")
    champion = next(t for t in trained if "champion" in t.aliases)
    key = "auc" if spec.task == "classification" else "rmse"
    text = (
        f"{spec.name} ({spec.department}): {', '.join(flavors)}; champion v{champion.number} "
        f"{key}={_fmt(champion.metrics[key])} [{time.perf_counter() - started:.1f} s]"
    )
    return len(trained), text


def _import_libraries() -> None:
    import lightgbm  # noqa: F401
    import skl2onnx  # noqa: F401
    import sklearn.ensemble  # noqa: F401
    import sklearn.linear_model  # noqa: F401
    import xgboost  # noqa: F401


def _model_count(ctx: Context) -> int:
    with ctx.db.session() as s:
        return CatalogStore(s).count_models()


def _model_names(ctx: Context) -> set[str]:
    with ctx.db.session() as s:
        return set(CatalogStore(s).model_names())


def load_demo(
    ctx: Context, *, force: bool = False, progress: Callable[[str], None] | None = None
) -> DemoSummary:
    """Fill an empty catalog with the demo users and models; do nothing if it holds models already.

    On an empty catalog (or with ``force``) it creates the demo users that are missing (password
    :data:`DEMO_PASSWORD`), gives each a new API token, trains every demo model on synthetic data
    and registers it through :class:`CatalogService`, like an upload. With ``force`` the demo models
    that exist already are deleted and registered again; other models are left alone. ``progress``
    receives one line per model. Takes a few seconds.
    """
    started = time.perf_counter()
    say: Callable[[str], None] = progress or (lambda _line: None)
    if not force and _model_count(ctx) > 0:
        return DemoSummary(
            users=_found_users(ctx),
            models=[],
            versions=0,
            seconds=time.perf_counter() - started,
            created=False,
        )
    users = _ensure_users(ctx)
    say("demo users: " + ", ".join(f"{u.username} ({u.role.value})" for u in users))
    auth = AuthService(ctx)
    admin = auth.cli_principal("admin")
    principals = {u.username: auth.cli_principal(u.username) for u in _USERS if u.role is Role.data_scientist}
    names: list[str] = []
    versions = 0
    # One thread per library: the OpenMP pools of scikit-learn, XGBoost and LightGBM (and BLAS) fight
    # for the cores of a small or busy machine, which made training 5-10x slower on 2 cores. The limit
    # applies to the libraries loaded when it is set, so they are imported first.
    _import_libraries()
    with tempfile.TemporaryDirectory(prefix="demo-", dir=ctx.tmp_dir) as tmp, threadpool_limits(limits=1):
        for spec in _CATALOG:
            count, text = _register(ctx, spec, principals[spec.owner], admin, Path(tmp), force)
            names.append(spec.name)
            versions += count
            say(text)
    deployments = _deploy(ctx, principals, say)
    return DemoSummary(
        users=users,
        models=names,
        versions=versions,
        seconds=time.perf_counter() - started,
        created=True,
        deployments=deployments,
    )


# (deployment, model, market, alias or version, cron, time zone, owner) — one per market is the normal case
_DEPLOYMENTS: tuple[tuple[str, str, str, str | int, str | None, str], ...] = (
    ("demand-forecast-fr-weekly", "demand-forecast-fr", "FR", "champion", "0 6 * * 1", "Europe/Paris"),
    ("demand-forecast-de-weekly", "demand-forecast-de", "DE", "champion", "0 6 * * 1", "Europe/Berlin"),
    ("churn-propensity-fr", "churn-propensity", "FR", "champion", "*/5 * * * *", "Europe/Paris"),
    ("churn-propensity-de", "churn-propensity", "DE", "champion", None, "Europe/Berlin"),
    ("churn-propensity-uk", "churn-propensity", "UK", "challenger", "0 7 * * *", "Europe/London"),
    ("price-elasticity-es", "price-elasticity", "ES", 2, None, "Europe/Madrid"),
    ("invoice-anomaly-fr", "invoice-anomaly", "FR", "champion", "30 5 * * *", "Europe/Paris"),
)


def _deploy(ctx: Context, principals: dict[str, Principal], say: Callable[[str], None]) -> list[str]:
    """Deploy demo models per market; scheduled ones read a dataset of fresh synthetic rows."""
    from modelport.schemas import DeploymentCreate, InputSpec, ScheduleSpec
    from modelport.services.deployments import DeploymentService

    specs = {m.name: m for m in _CATALOG}
    datasets: dict[str, str] = {}
    names: list[str] = []
    for name, model, market, target, cron, tz in _DEPLOYMENTS:
        spec = specs[model]
        principal = principals[spec.owner]
        input_spec = InputSpec()
        if cron is not None:
            if model not in datasets:
                x, _ = spec.generate(np.random.default_rng(spec.seed + 1), 2000)
                with tempfile.TemporaryDirectory(dir=ctx.tmp_dir) as tmp:
                    path = Path(tmp) / f"{model}-latest.csv"
                    x.to_csv(path, index=False)
                    datasets[model] = ctx.artifacts.put_file(path).sha256
            input_spec = InputSpec(kind="dataset", dataset=datasets[model], filename=f"{model}-latest.csv")
        DeploymentService(ctx).create(
            DeploymentCreate(
                name=name,
                model=model,
                market=market,
                version=target if isinstance(target, int) else None,
                alias=target if isinstance(target, str) else None,
                schedule=ScheduleSpec(cron=cron, timezone=tz) if cron else None,
                input=input_spec,
                description=f"{spec.title} for {market}",
            ),
            principal,
        )
        names.append(name)
    say("deployments: " + ", ".join(names))
    return names

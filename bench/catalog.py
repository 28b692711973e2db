"""Catalog search benchmark on PostgreSQL, through the real API.

What it does, end to end:

1. creates a throwaway database ``modelport_bench_<random>`` on the PostgreSQL server of ``--pg-url``
   and migrates it with ``modelport.db.migrate.upgrade`` (it is dropped at the end, also on Ctrl-C or
   failure, unless ``--keep``);
2. bulk-loads a realistic catalog with COPY (default 20,000 models x 5 versions = 100,000 versions):
   6 departments, 25 markets, 40 brands, ~200 tags, 5 flavors, 50 owners, titles and descriptions
   drawn from a vocabulary, ~10% restricted models; ``search_text`` is computed by the store's own
   ``_search_text`` and ``model_labels`` rows are exactly those ``CatalogStore._sync_labels`` writes;
3. starts the API with uvicorn in a subprocess (embedded worker and scheduler off unless
   ``--embedded-worker``), with an admin and a viewer (department ``hr``) holding API tokens;
4. warms up, then sends a mix of ``GET /api/v1/models`` searches, sequentially and then from
   ``--clients`` concurrent keep-alive clients, checking every answer is 200 and a few totals;
5. prints p50 / p95 / max latency and requests/s per query kind and overall.

Run it from the repository root::

    .venv/bin/python bench/catalog.py
    .venv/bin/python bench/catalog.py --models 2000 --queries 100 --explain

``--explain`` replays, in process, one query of every kind whose p95 is above
``--explain-threshold-ms`` and prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the SQL statements it runs.
The exit status is 1 when an answer was not 200 or a sanity total was wrong.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType, SimpleNamespace
from typing import Any

import httpx
import psycopg
from sqlalchemy import event
from sqlalchemy.engine import make_url

from modelport.context import Context
from modelport.db.engine import Database
from modelport.db.migrate import upgrade
from modelport.schemas import ApiTokenCreate, Role, SearchQuery, UserCreate
from modelport.services.auth import AuthService
from modelport.services.catalog import CatalogService
from modelport.settings import Settings
from modelport.stores.catalog import _search_text

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PASSWORD = "bench-password-123"
ADMIN, VIEWER = "bench-admin", "bench-viewer"
VIEWER_DEPARTMENT = "hr"

# --- vocabulary -------------------------------------------------------------------------------------

DEPARTMENTS = {"supply-chain": 25, "marketing": 22, "sales": 18, "rd": 15, "finance": 12, "hr": 8}
MARKETS = [
    "FR", "US", "DE", "GB", "ES", "IT", "BR", "CN", "MX", "IN", "JP", "CA", "PL",
    "NL", "BE", "AU", "TR", "SE", "CH", "ZA", "AR", "KR", "ID", "NG", "RU",
]  # fmt: skip
BRANDS = [
    "Aurora", "Bellavia", "Crisp", "Delmonte Fresh", "Everleaf", "Fjord", "Golden Oat", "Harvest Moon",
    "Iris", "Juniper", "Kalani", "Lumen", "Maple Ridge", "Nordhavn", "Orchard", "Pure Spring",
    "Quartz", "Riviera", "Sunhill", "Tempo", "Umbra", "Velvet", "Willow", "Xenia", "Yarrow",
    "Zephyr", "Alpine Dew", "Blue Harbor", "Cedar", "Dune", "Ember", "Flora", "Glacier", "Horizon",
    "Ivory", "Jade", "Kestrel", "Lotus", "Meridian", "Nova",
]  # fmt: skip
FLAVORS = {"sklearn": 40, "xgboost": 20, "lightgbm": 20, "onnx": 12, "mlflow": 8}
FORMATS = {
    "sklearn": ["skops", "joblib", "pickle"],
    "xgboost": ["xgboost-json", "xgboost-ubj"],
    "lightgbm": ["lightgbm-text"],
    "onnx": ["onnx"],
    "mlflow": ["mlflow-pyfunc"],
}
SAFE_FORMATS = {"skops", "xgboost-json", "xgboost-ubj", "lightgbm-text", "onnx"}
MODEL_TYPES = {
    "sklearn": [
        "sklearn.ensemble.RandomForestRegressor",
        "sklearn.ensemble.GradientBoostingClassifier",
        "sklearn.linear_model.LogisticRegression",
        "sklearn.linear_model.Ridge",
        "sklearn.pipeline.Pipeline",
    ],
    "xgboost": ["xgboost.Booster (reg:squarederror)", "xgboost.Booster (binary:logistic)"],
    "lightgbm": ["lightgbm.Booster (regression)", "lightgbm.Booster (binary)"],
    "onnx": ["onnx (ai.onnx.ml)", "onnx (tensor)"],
    "mlflow": ["mlflow.pyfunc.PythonModel"],
}
FIRST_NAMES = [
    "alice", "bruno", "chloe", "david", "emma", "farid", "giulia", "hugo", "ines", "jonas",
    "karim", "lea", "marco", "nina", "oscar", "paula", "quentin", "rosa", "samir", "tara",
    "ugo", "vera", "wei", "xavier", "yuki",
]  # fmt: skip
LAST_NAMES = ["martin", "schmidt", "garcia", "rossi", "silva", "kim", "dubois", "novak", "patel", "berg"]


@dataclass(frozen=True)
class Topic:
    slug: str
    phrase: str
    use_case: str
    departments: tuple[str, ...]
    tags: tuple[str, ...]
    words: tuple[str, ...]
    weight: int = 10


TOPICS = [
    Topic("demand-forecast", "demand forecasting", "demand planning", ("supply-chain", "sales"),
          ("forecasting", "time-series", "demand", "s-and-op"),
          ("forecast", "demand", "sku", "store", "sell-out", "seasonality", "horizon", "weekly"), 30),
    Topic("sales-forecast", "sales forecasting", "sales planning", ("sales", "finance"),
          ("forecasting", "time-series", "revenue"),
          ("forecast", "sales", "revenue", "channel", "budget", "quarter"), 20),
    Topic("inventory", "inventory optimisation", "stock levels", ("supply-chain",),
          ("optimisation", "inventory", "replenishment"),
          ("stock", "safety", "warehouse", "replenishment", "lead-time", "service-level")),
    Topic("route", "delivery route optimisation", "logistics", ("supply-chain",),
          ("optimisation", "logistics", "transport"), ("route", "truck", "delivery", "distance", "depot")),
    Topic("maintenance", "predictive maintenance", "plant reliability", ("supply-chain", "rd"),
          ("anomaly-detection", "iot", "maintenance"), ("sensor", "failure", "machine", "vibration", "line")),
    Topic("energy", "energy consumption forecasting", "plant energy", ("supply-chain", "finance"),
          ("forecasting", "energy", "sustainability"), ("energy", "consumption", "forecast", "plant", "kwh")),
    Topic("churn", "customer churn prediction", "retention", ("marketing", "sales"),
          ("churn", "classification", "crm", "retention"),
          ("churn", "customer", "retention", "loyalty", "subscription", "attrition"), 20),
    Topic("elasticity", "price elasticity", "pricing", ("marketing", "finance", "sales"),
          ("pricing", "elasticity", "econometrics"),
          ("price", "elasticity", "promotion", "volume", "discount"), 15),
    Topic("promo-uplift", "promotion uplift", "trade promotion", ("marketing", "sales"),
          ("promotion", "uplift", "causal"),
          ("promotion", "uplift", "baseline", "cannibalisation", "display"), 15),
    Topic("mmm", "marketing mix modelling", "media budget", ("marketing",),
          ("mmm", "media", "bayesian"), ("media", "tv", "digital", "adstock", "roi", "spend")),
    Topic("sentiment", "review sentiment analysis", "consumer insight", ("marketing", "rd"),
          ("nlp", "sentiment", "text"), ("review", "sentiment", "consumer", "rating", "text")),
    Topic("segmentation", "customer segmentation", "targeting", ("marketing", "sales"),
          ("clustering", "segmentation", "crm"), ("segment", "cluster", "customer", "persona", "basket")),
    Topic("next-best-offer", "next best offer", "cross-sell", ("sales", "marketing"),
          ("recommendation", "crm"), ("offer", "recommendation", "basket", "cross-sell", "customer")),
    Topic("lead-scoring", "lead scoring", "sales pipeline", ("sales",),
          ("classification", "crm", "b2b"), ("lead", "pipeline", "opportunity", "conversion", "account")),
    Topic("assortment", "assortment optimisation", "shelf planning", ("sales", "supply-chain"),
          ("optimisation", "retail", "assortment"), ("assortment", "shelf", "store", "listing", "range")),
    Topic("attrition", "employee attrition risk", "talent retention", ("hr",),
          ("classification", "people-analytics", "attrition"),
          ("employee", "attrition", "tenure", "engagement")),
    Topic("screening", "candidate screening", "recruiting", ("hr",),
          ("nlp", "people-analytics", "recruiting"), ("candidate", "resume", "skills", "hiring")),
    Topic("absenteeism", "absenteeism forecasting", "workforce planning", ("hr",),
          ("forecasting", "people-analytics", "workforce"), ("absence", "shift", "workforce", "forecast")),
    Topic("cash-flow", "cash flow forecasting", "treasury", ("finance",),
          ("forecasting", "treasury", "time-series"),
          ("cash", "payment", "receivable", "forecast", "treasury")),
    Topic("fraud", "invoice fraud detection", "controls", ("finance",),
          ("anomaly-detection", "fraud", "audit"), ("invoice", "fraud", "supplier", "payment", "anomaly")),
    Topic("credit", "customer credit risk", "credit management", ("finance", "sales"),
          ("classification", "risk", "credit"), ("credit", "default", "risk", "limit", "customer")),
    Topic("formulation", "formulation stability", "product development", ("rd",),
          ("regression", "formulation", "lab"),
          ("formulation", "stability", "ingredient", "viscosity", "ph")),
    Topic("shelf-life", "shelf life prediction", "product quality", ("rd", "supply-chain"),
          ("regression", "quality", "lab"), ("shelf-life", "temperature", "packaging", "degradation")),
    Topic("sensory", "sensory panel scoring", "consumer testing", ("rd", "marketing"),
          ("regression", "sensory", "consumer-test"), ("sensory", "panel", "taste", "aroma", "liking")),
    Topic("quality", "production quality control", "manufacturing", ("rd", "supply-chain"),
          ("classification", "quality", "computer-vision"), ("defect", "quality", "camera", "line", "batch")),
]  # fmt: skip
CADENCES = ["Weekly", "Daily", "Monthly", "Quarterly", "Real-time", "Yearly", ""]
ML_WORDS = [
    "gradient", "boosting", "random", "forest", "regression", "classifier", "features", "holdout",
    "cross-validation", "mape", "rmse", "auc", "baseline", "drift", "retrained", "pipeline", "ensemble",
    "calibrated", "hyperparameters", "lags", "rolling", "encoding", "embedding", "shap", "explainability",
]  # fmt: skip
BUSINESS_WORDS = [
    "the", "model", "data", "for", "and", "with", "from", "each", "market", "team", "used", "by", "to",
    "of", "in", "on", "is", "are", "this", "weekly", "monthly", "brand", "product", "category", "retail",
    "ecommerce", "distributor", "planning", "decision", "dashboard", "report", "kpi", "target", "volume",
    "value", "margin", "growth", "share", "consumer", "shopper", "region", "country", "europe", "americas",
    "asia", "africa", "pilot", "production", "validated", "business", "owner", "review", "quarterly",
    "history", "years", "weeks", "input", "output", "score", "probability", "estimate", "scenario",
    "simulation", "budget", "cost", "supplier", "factory", "plant", "warehouse", "campaign", "launch",
    "innovation", "portfolio", "premium", "mainstream", "trade", "channel", "customers", "accounts",
    "contract", "sap", "erp", "snowflake", "datalake", "nielsen", "iri", "panel", "survey", "weather",
    "holiday", "calendar", "price", "promotion", "forecast", "demand", "sales", "churn", "risk",
]  # fmt: skip
FEATURES = [
    "price", "discount_pct", "promo_flag", "week_of_year", "month", "store_id", "sku_id", "region",
    "temperature", "rainfall", "holiday_flag", "lag_1", "lag_4", "lag_52", "rolling_mean_4", "rolling_std_4",
    "distribution", "tv_grp", "digital_spend", "competitor_price", "stock_level", "lead_time",
    "tenure_months",
    "age", "salary_band", "engagement_score", "invoice_amount", "days_past_due", "credit_limit", "ph",
    "viscosity", "temperature_storage", "visits_30d", "basket_size", "recency_days", "frequency", "monetary",
]  # fmt: skip
TAG_QUALIFIERS = [
    "pilot", "production", "deprecated", "experimental", "gdpr", "pii", "weekly", "daily", "monthly",
    "batch", "realtime", "explainable", "champion", "baseline", "global", "local", "retail", "ecommerce",
    "b2b", "b2c", "q1", "q2", "q3", "q4", "2023", "2024", "2025", "needs-review", "validated", "shared",
]  # fmt: skip


def _tag_universe(rng: random.Random) -> list[str]:
    tags: dict[str, None] = {}
    for t in TOPICS:
        for tag in t.tags:
            tags.setdefault(tag, None)
    for q in TAG_QUALIFIERS:
        tags.setdefault(q, None)
    bases = sorted({t.slug for t in TOPICS} | {tag for t in TOPICS for tag in t.tags})
    while len(tags) < 200:
        tags.setdefault(f"{rng.choice(bases)}-{rng.choice(TAG_QUALIFIERS)}", None)
    return list(tags)


def _pseudo_words(rng: random.Random, n: int) -> list[str]:
    """A long tail of rare made-up words, so descriptions have realistic vocabulary size."""
    syllables = ["ka", "lo", "mi", "ner", "tas", "vo", "ri", "pel", "du", "sen", "qua", "zor", "bi", "tem"]
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def _zipf_weights(n: int, s: float = 1.1) -> list[float]:
    return [1.0 / (i + 1) ** s for i in range(n)]


# --- generation -------------------------------------------------------------------------------------


@dataclass
class Catalog:
    """The generated rows, plus what the sanity checks need to know about them."""

    owners: list[tuple[str, str]] = field(default_factory=list)  # (username, department)
    models: list[dict[str, Any]] = field(default_factory=list)
    labels: list[tuple[int, str, str]] = field(default_factory=list)
    versions: list[tuple[Any, ...]] = field(default_factory=list)
    aliases: list[tuple[int, str, int, datetime]] = field(default_factory=list)
    brands_by_use: list[str] = field(default_factory=list)
    tags_by_use: list[str] = field(default_factory=list)


def generate(
    n_models: int, versions_per_model: int, owners: dict[str, tuple[int, str]], seed: int
) -> Catalog:
    rng = random.Random(seed)
    cat = Catalog()
    tags = _tag_universe(rng)
    tag_w = _zipf_weights(len(tags), 0.9)
    brand_w = _zipf_weights(len(BRANDS), 0.8)
    market_w = _zipf_weights(len(MARKETS), 0.9)
    general = BUSINESS_WORDS + ML_WORDS + _pseudo_words(rng, 3000)
    general_w = _zipf_weights(len(general), 1.05)
    owner_ids = {username: user_id for username, (user_id, _) in owners.items()}
    owners_by_dept: dict[str, list[str]] = defaultdict(list)
    for username, (_, dept) in owners.items():
        owners_by_dept[dept].append(username)
    all_owners = list(owners)
    depts, dept_w = list(DEPARTMENTS), list(DEPARTMENTS.values())
    flavors, flavor_w = list(FLAVORS), list(FLAVORS.values())
    topics_by_dept = {d: [t for t in TOPICS if d in t.departments] for d in DEPARTMENTS}
    now = datetime.now(UTC)
    version_id = 0
    brand_uses: dict[str, int] = defaultdict(int)
    tag_uses: dict[str, int] = defaultdict(int)
    for model_id in range(1, n_models + 1):
        dept = rng.choices(depts, dept_w)[0]
        candidates = topics_by_dept[dept]
        topic = rng.choices(candidates, [t.weight for t in candidates])[0]
        markets = sorted(set(rng.choices(MARKETS, market_w, k=rng.choice([1, 1, 1, 2, 2, 3, 4]))))
        brands = sorted(set(rng.choices(BRANDS, brand_w, k=rng.choice([0, 1, 1, 1, 2]))))
        model_tags = list(dict.fromkeys(list(topic.tags[: rng.randint(1, len(topic.tags))])))
        model_tags += [t for t in rng.choices(tags, tag_w, k=rng.randint(0, 3)) if t not in model_tags]
        owner = (
            rng.choice(owners_by_dept.get(dept) or all_owners)
            if rng.random() < 0.85
            else rng.choice(all_owners)
        )
        cadence = rng.choice(CADENCES)
        brand_part = f" for {brands[0]}" if brands else ""
        title = f"{cadence} {topic.phrase}{brand_part} ({', '.join(markets)})".strip()
        title = title[0].upper() + title[1:]
        name = f"{topic.slug}-{'-'.join(m.lower() for m in markets[:2])}-{model_id}"
        sentences = [
            f"{title}. Predicts {rng.choice(topic.words)} {rng.choice(topic.words)} for the {dept} team "
            f"in {', '.join(markets)}.",
            "Key drivers: " + ", ".join(rng.sample(topic.words, k=min(3, len(topic.words)))) + ".",
        ]
        for _ in range(rng.randint(2, 6)):
            sentences.append(
                " ".join(rng.choices(general, general_w, k=rng.randint(6, 16))).capitalize() + "."
            )
        description = " ".join(sentences)
        visibility = "restricted" if rng.random() < 0.10 else "company"
        created = now - timedelta(days=rng.uniform(30, 900))
        primary_flavor = rng.choices(flavors, flavor_w)[0]
        model_flavors: set[str] = set()
        version_rows: list[int] = []
        stamp = created
        for number in range(1, versions_per_model + 1):
            version_id += 1
            stamp = stamp + timedelta(days=rng.uniform(0, (now - stamp).days / 2 + 1))
            stamp = min(stamp, now)
            flavor = primary_flavor if rng.random() < 0.85 else rng.choices(flavors, flavor_w)[0]
            model_flavors.add(flavor)
            fmt = rng.choice(FORMATS[flavor])
            sha = f"{rng.getrandbits(256):064x}"
            columns = rng.sample(FEATURES, k=rng.randint(4, 14))
            input_schema = {"columns": [{"name": c, "type": "number", "nullable": False} for c in columns]}
            output_schema = {"columns": [{"name": "prediction", "type": "number", "nullable": False}]}
            example = {c: round(rng.uniform(0, 100), 2) for c in columns}
            metrics = {"rmse": round(rng.uniform(0.5, 30), 3), "mape": round(rng.uniform(0.02, 0.4), 3)}
            params = {"n_estimators": rng.choice([100, 200, 500]), "max_depth": rng.randint(3, 12)}
            cat.versions.append(
                (
                    version_id, model_id, number,
                    f"Version {number}: retrained on new {rng.choice(ML_WORDS)}.",
                    flavor, fmt, fmt in SAFE_FORMATS, rng.choice(MODEL_TYPES[flavor]),
                    f"{name}-v{number}.{fmt.split('-')[-1]}", f"file:///bench/artifacts/sha256/{sha[:2]}/{sha}",
                    sha, rng.randint(10_000, 50_000_000), json.dumps(input_schema), json.dumps(output_schema),
                    json.dumps(example), json.dumps(metrics), json.dumps(params),
                    f"s3://datalake/{dept}/{topic.slug}/train.parquet", f"git:{sha[:12]}",
                    owner_ids[owner], stamp,
                )
            )  # fmt: skip
            version_rows.append(version_id)
        if version_rows and rng.random() < 0.5:
            cat.aliases.append((model_id, "champion", rng.choice(version_rows), stamp))
        if version_rows and rng.random() < 0.2:
            cat.aliases.append((model_id, "challenger", version_rows[-1], stamp))
        use_case = topic.use_case if rng.random() < 0.8 else None
        row = SimpleNamespace(
            name=name,
            title=title,
            description=description,
            department=dept,
            markets=markets,
            brands=brands,
            tags=model_tags,
            use_case=use_case,
        )
        cat.models.append(
            {
                "id": model_id,
                "name": name,
                "title": title,
                "description": description,
                "department": dept,
                "markets": markets,
                "brands": brands,
                "tags": model_tags,
                "use_case": use_case,
                "visibility": visibility,
                "owner": owner,
                "owner_id": owner_ids[owner],
                "latest_version": versions_per_model,
                "version_count": versions_per_model,
                "search_text": _search_text(row),  # type: ignore[arg-type]
                "created_at": created,
                "updated_at": stamp,
            }
        )
        # Exactly the labels CatalogStore._sync_labels writes.
        wanted = {("department", dept), ("owner", owner)}
        wanted |= {("market", m) for m in markets}
        wanted |= {("brand", b) for b in brands}
        wanted |= {("tag", t) for t in model_tags}
        wanted |= {("flavor", f) for f in model_flavors}
        cat.labels.extend((model_id, kind, value) for kind, value in sorted(wanted))
        for b in brands:
            brand_uses[b] += 1
        for t in model_tags:
            tag_uses[t] += 1
    cat.brands_by_use = sorted(brand_uses, key=lambda b: -brand_uses[b])
    cat.tags_by_use = sorted(tag_uses, key=lambda t: -tag_uses[t])
    return cat


# --- database ---------------------------------------------------------------------------------------


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _db_url(admin_url: str, name: str) -> str:
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def create_users(settings: Settings) -> tuple[str, str]:
    """An admin and a viewer (department hr), each with an API token, made by the real AuthService."""
    ctx = Context.from_settings(settings)
    try:
        auth = AuthService(ctx)
        tokens = []
        for username, role, dept in ((ADMIN, Role.admin, None), (VIEWER, Role.viewer, VIEWER_DEPARTMENT)):
            auth.create_user(
                UserCreate(username=username, password=PASSWORD, role=role, department=dept), None
            )
            created = auth.create_token(ApiTokenCreate(name="bench"), auth.cli_principal(username))
            tokens.append(created.token)
        return tokens[0], tokens[1]
    finally:
        ctx.db.dispose()


def create_owners(conn: psycopg.Connection[Any], n: int, seed: int) -> dict[str, tuple[int, str]]:
    """``n`` data scientists spread over the departments; returns username -> (id, department)."""
    rng = random.Random(seed + 1)
    names = [f"{f}.{last}" for f, last in itertools.product(FIRST_NAMES, LAST_NAMES)]
    rng.shuffle(names)
    depts = list(DEPARTMENTS)
    now = datetime.now(UTC)
    ids: dict[str, tuple[int, str]] = {}
    with conn.cursor() as cur:
        for i, base in enumerate(names[:n]):
            dept = depts[i % len(depts)]
            username = base
            cur.execute(
                "INSERT INTO users (username, email, display_name, role, department, auth_source, is_active,"
                " failed_logins, created_at, updated_at) VALUES (%s, %s, %s, 'data_scientist', %s, 'local',"
                " true, 0, %s, %s) RETURNING id",
                (username, f"{base}@example.com", base.replace(".", " ").title(), dept, now, now),
            )
            row = cur.fetchone()
            assert row is not None
            ids[username] = (int(row[0]), dept)
    conn.commit()
    return ids


MODEL_COLUMNS = (
    "id", "name", "title", "description", "department", "markets", "brands", "tags", "use_case",
    "visibility", "owner_id", "latest_version", "version_count", "search_text", "created_at", "updated_at",
)  # fmt: skip
VERSION_COLUMNS = (
    "id", "model_id", "version", "description", "flavor", "format", "safe_format", "model_type", "filename",
    "artifact_uri", "artifact_sha256", "artifact_size", "input_schema", "output_schema", "example",
    "metrics", "params", "training_data", "source_version", "created_by_id", "created_at",
)  # fmt: skip


def _copy(conn: psycopg.Connection[Any], table: str, columns: tuple[str, ...], rows: Any) -> int:
    n = 0
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def load(conn: psycopg.Connection[Any], cat: Catalog) -> None:
    json_cols = {"markets", "brands", "tags"}
    _copy(
        conn,
        "models",
        MODEL_COLUMNS,
        (tuple(json.dumps(m[c]) if c in json_cols else m[c] for c in MODEL_COLUMNS) for m in cat.models),
    )
    _copy(conn, "model_labels", ("model_id", "kind", "value"), cat.labels)
    _copy(conn, "model_versions", VERSION_COLUMNS, cat.versions)
    _copy(conn, "model_aliases", ("model_id", "alias", "version_id", "updated_at"), cat.aliases)
    with conn.cursor() as cur:
        for table in ("models", "model_versions"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    conn.commit()


# --- the API server ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    cmd = [
        sys.executable, "-m", "uvicorn", "--factory", "modelport.api.app:app_factory",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"uvicorn did not answer /healthz within 60 s:\n{log.read_text()[-4000:]}")


def stop_server(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


# --- the query mix ----------------------------------------------------------------------------------

Params = dict[str, Any]


def query_kinds(cat: Catalog) -> dict[str, list[Params]]:
    """Query kind -> the parameter sets it cycles through (values picked from the generated data)."""
    brands, tags = cat.brands_by_use, cat.tags_by_use
    owners = sorted({m["owner"] for m in cat.models})
    return {
        "list page 1": [{}],
        "list page 200": [{"page": 200}],
        "text 1 word": [{"q": "churn"}, {"q": "elasticity"}, {"q": "forecast"}, {"q": "sentiment"}],
        "text 2 words": [{"q": "demand forecast"}, {"q": "price elasticity"}, {"q": "customer churn"}],
        "text prefix": [{"q": "forec"}, {"q": "elast"}, {"q": "promo"}],
        "filter department": [{"department": d} for d in DEPARTMENTS],
        "filter market": [{"market": "FR"}, {"market": "us"}, {"market": "BR"}, {"market": "NG"}],
        "filter brand": [{"brand": brands[0]}, {"brand": brands[len(brands) // 2]}, {"brand": brands[-1]}],
        "filter flavor": [{"flavor": f} for f in FLAVORS],
        "filter owner": [{"owner": owners[0]}, {"owner": owners[len(owners) // 2]}],
        "filter tag": [{"tag": tags[0]}, {"tag": tags[len(tags) // 2]}, {"tag": tags[-1]}],
        "filters + text": [
            {"department": "supply-chain", "market": "FR", "q": "forecast"},
            {"department": "marketing", "tag": "pricing", "flavor": "xgboost", "q": "price"},
            {"market": ["DE", "FR"], "brand": brands[0], "q": "weekly"},
        ],
        "sort name": [{"sort": "name"}, {"sort": "-name", "department": "sales"}],
        "sort -updated + text": [
            {"q": "forecast", "sort": "-updated"},
            {"q": "customer", "sort": "-updated"},
        ],
        "sort relevance": [
            {"q": "forecast", "sort": "relevance"},
            {"q": "churn", "sort": "relevance"},
            {"q": "demand weekly", "sort": "relevance"},
        ],
    }


@dataclass
class Request:
    kind: str
    role: str
    params: Params


@dataclass
class Result:
    kind: str
    role: str
    ms: float
    status: int
    total: int | None


def plan(kinds: dict[str, list[Params]], n: int, rng: random.Random | None = None) -> list[Request]:
    """``n`` requests cycling through kinds, their variants and the two roles (shuffled if ``rng``)."""
    names = list(kinds)
    out = []
    for i in range(n):
        kind = names[i % len(names)]
        round_ = i // len(names)
        variants = kinds[kind]
        out.append(Request(kind, ("viewer", "admin")[round_ % 2], variants[(round_ // 2) % len(variants)]))
    if rng is not None:
        rng.shuffle(out)
    return out


def _send(client: httpx.Client, req: Request, tokens: dict[str, str]) -> Result:
    headers = {"Authorization": f"Bearer {tokens[req.role]}"}
    start = time.perf_counter()
    resp = client.get("/api/v1/models", params=req.params, headers=headers)
    ms = (time.perf_counter() - start) * 1000
    total = None
    if resp.status_code == 200:
        total = resp.json()["total"]
    else:
        print(f"  ! {resp.status_code} for {req.kind} as {req.role} {req.params}: {resp.text[:300]}")
    return Result(req.kind, req.role, ms, resp.status_code, total)


def _client(base: str) -> httpx.Client:
    return httpx.Client(base_url=base, timeout=60, limits=httpx.Limits(max_keepalive_connections=1))


def run_sequential(base: str, requests: list[Request], tokens: dict[str, str]) -> tuple[list[Result], float]:
    with _client(base) as client:
        start = time.perf_counter()
        results = [_send(client, r, tokens) for r in requests]
        return results, time.perf_counter() - start


def run_concurrent(
    base: str, requests: list[Request], tokens: dict[str, str], clients: int
) -> tuple[list[Result], float]:
    queue: Iterator[Request] = iter(requests)
    lock = threading.Lock()
    results: list[Result] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with _client(base) as client:
                while True:
                    with lock:
                        req = next(queue, None)
                    if req is None:
                        return
                    res = _send(client, req, tokens)
                    with lock:
                        results.append(res)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        while t.is_alive():
            t.join(timeout=0.5)
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    return results, elapsed


# --- report -----------------------------------------------------------------------------------------


def _pct(sorted_ms: list[float], p: float) -> float:
    return sorted_ms[max(0, math.ceil(p * len(sorted_ms)) - 1)]


def report(title: str, results: list[Result], elapsed: float, kinds: list[str]) -> dict[str, float]:
    """Print the table; returns kind -> p95 in ms."""
    print(f"\n{title}")
    header = (
        f"  {'query kind':<22}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'req/s':>8}"
        f"{'p95 viewer':>12}{'p95 admin':>11}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    p95s: dict[str, float] = {}

    def row(label: str, rs: list[Result], rate: float | None = None) -> float:
        ms = sorted(r.ms for r in rs)
        by_role = {role: sorted(r.ms for r in rs if r.role == role) for role in ("viewer", "admin")}
        if rate is None:
            rate = 1000 * len(ms) / sum(ms)
        role_p95 = [f"{_pct(v, 0.95):.1f}" if v else "-" for v in by_role.values()]
        p95 = _pct(ms, 0.95)
        print(
            f"  {label:<22}{len(ms):>5}{_pct(ms, 0.5):>9.1f}{p95:>9.1f}{ms[-1]:>9.1f}{rate:>8.1f}"
            f"{role_p95[0]:>12}{role_p95[1]:>11}"
        )
        return p95

    for kind in kinds:
        rs = [r for r in results if r.kind == kind]
        if rs:
            p95s[kind] = row(kind, rs)
    print("  " + "-" * (len(header) - 2))
    row("ALL", results, len(results) / elapsed)
    print("  (req/s: per kind 1000 / mean latency of one client; ALL: requests / wall-clock seconds)")
    return p95s


# --- EXPLAIN ----------------------------------------------------------------------------------------


def explain(settings: Settings, kinds: dict[str, list[Params]], slow: list[str], min_ms: float) -> None:
    """Replay one query of each slow kind in process and EXPLAIN ANALYZE the SQL it runs."""
    ctx = Context.from_settings(settings)
    captured: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    event.listen(ctx.db.engine, "before_cursor_execute", capture)
    auth = AuthService(ctx)
    try:
        for kind in slow:
            for role, username in (("viewer", VIEWER), ("admin", ADMIN)):
                params = kinds[kind][0]
                query = SearchQuery(
                    **{
                        k: v if k not in _LIST_PARAMS or isinstance(v, list) else [v]
                        for k, v in params.items()
                    }
                )
                captured.clear()
                CatalogService(ctx).search(query, auth.cli_principal(username))
                statements = list(captured)
                captured.clear()
                print(f"\n=== EXPLAIN {kind} as {role}: {params}")
                with ctx.db.engine.connect() as conn:
                    event.remove(ctx.db.engine, "before_cursor_execute", capture)
                    try:
                        for statement, parameters in statements:
                            if "FROM users" in statement and "models" not in statement:
                                continue
                            lines = [
                                r[0]
                                for r in conn.exec_driver_sql(
                                    "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters
                                )
                            ]
                            took = float(lines[-1].split(":")[1].split()[0])
                            first = " ".join(statement.split())[:140]
                            print(f"--- {took:.1f} ms  {first}...")
                            if took >= min_ms:
                                print("\n".join("    " + line for line in lines))
                    finally:
                        event.listen(ctx.db.engine, "before_cursor_execute", capture)
    finally:
        ctx.db.dispose()


_LIST_PARAMS = {"department", "market", "brand", "flavor", "owner", "tag"}


# --- main -------------------------------------------------------------------------------------------


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one is enough: let the cleanup run
    raise KeyboardInterrupt


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", type=int, default=20_000)
    ap.add_argument("--versions-per-model", type=int, default=5)
    ap.add_argument("--owners", type=int, default=50)
    ap.add_argument("--queries", type=int, default=300, help="requests per phase (sequential, concurrent)")
    ap.add_argument("--clients", type=int, default=8, help="concurrent clients of the second phase")
    ap.add_argument("--pg-url", default=os.environ.get("MODELPORT_TEST_POSTGRES_URL", DEFAULT_PG_URL))
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--keep", action="store_true", help="keep the database (its URL is printed)")
    ap.add_argument(
        "--embedded-worker", action="store_true", help="leave the API's embedded worker and scheduler on"
    )
    ap.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the kinds above the threshold")
    ap.add_argument("--explain-threshold-ms", type=float, default=100.0)
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, _on_sigterm)

    name = f"modelport_bench_{uuid.uuid4().hex[:10]}"
    url = _db_url(args.pg_url, name)
    admin = psycopg.connect(_dsn(args.pg_url), autocommit=True, connect_timeout=5)
    admin.execute(f'CREATE DATABASE "{name}"')
    print(f"database {name} on {make_url(args.pg_url).render_as_string(hide_password=True)}")
    proc: subprocess.Popen[bytes] | None = None
    failures = 0
    with tempfile.TemporaryDirectory(prefix="modelport-bench-") as tmp:
        try:
            settings = Settings(
                home=Path(tmp) / "home",
                database_url=url,
                artifact_root=str(Path(tmp) / "artifacts"),
                secret_key="bench",  # type: ignore[arg-type]
            )
            db = Database(url)
            upgrade(db)
            db.dispose()
            admin_token, viewer_token = create_users(settings)
            tokens = {"admin": admin_token, "viewer": viewer_token}

            t0 = time.perf_counter()
            with psycopg.connect(_dsn(url)) as conn:
                owner_ids = create_owners(conn, args.owners, args.seed)
                cat = generate(args.models, args.versions_per_model, owner_ids, args.seed)
                t1 = time.perf_counter()
                load(conn, cat)
                t2 = time.perf_counter()
            with psycopg.connect(_dsn(url), autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
            t3 = time.perf_counter()
            print(
                f"loaded {len(cat.models):,} models, {len(cat.versions):,} versions,"
                f" {len(cat.labels):,} labels, {len(cat.aliases):,} aliases, {len(owner_ids) + 2} users"
                f" in {t3 - t0:.1f} s"
                f" (generate {t1 - t0:.1f} s, COPY {t2 - t1:.1f} s, VACUUM ANALYZE {t3 - t2:.1f} s)"
            )

            env = dict(os.environ)
            env.update(
                MODELPORT_DATABASE_URL=url,
                MODELPORT_HOME=str(Path(tmp) / "home"),
                MODELPORT_ARTIFACT_ROOT=str(Path(tmp) / "artifacts"),
                MODELPORT_SECRET_KEY="bench",
            )
            if not args.embedded_worker:  # a catalog benchmark: no worker or scheduler polling beside it
                env.update(MODELPORT_WORKER_ENABLED="false", MODELPORT_SCHEDULER_ENABLED="false")
            proc, base = start_server(env, Path(tmp) / "uvicorn.log")
            print(f"API at {base} (uvicorn, 1 process)")

            kinds = query_kinds(cat)
            warm = plan(kinds, len(kinds) * 4)
            warm_results, _ = run_sequential(base, warm, tokens)
            failures += sum(r.status != 200 for r in warm_results)

            failures += sanity(base, tokens, cat)

            seq, seq_s = run_sequential(base, plan(kinds, args.queries), tokens)
            p95_seq = report(
                f"sequential, 1 client, {len(seq)} requests in {seq_s:.1f} s", seq, seq_s, list(kinds)
            )
            conc, conc_s = run_concurrent(
                base, plan(kinds, args.queries, random.Random(args.seed)), tokens, args.clients
            )
            p95_conc = report(
                f"concurrent, {args.clients} clients, {len(conc)} requests in {conc_s:.1f} s",
                conc,
                conc_s,
                list(kinds),
            )
            failures += sum(r.status != 200 for r in seq + conc)
            slow = [k for k in kinds if p95_seq.get(k, 0) > args.explain_threshold_ms]
            slow_conc = [k for k in kinds if p95_conc.get(k, 0) > args.explain_threshold_ms]
            limit = f"{args.explain_threshold_ms:.0f} ms"
            print(f"\nkinds with sequential p95 > {limit}: {', '.join(slow) or 'none'}")
            print(f"kinds with concurrent p95 > {limit}: {', '.join(slow_conc) or 'none'}")
            if args.explain and slow:
                stop_server(proc)
                proc = None
                explain(settings, kinds, slow, min_ms=5.0)
            elif slow:
                print("(run again with --explain to see their query plans)")
            print(f"\n{'FAILED' if failures else 'OK'}: {failures} failed checks or non-200 answers")
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            failures += 1
        finally:
            # A second Ctrl-C or SIGTERM must not interrupt the cleanup.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            stop_server(proc)
            if args.keep:
                print(f"kept database: {url}")
            else:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                print(f"dropped database {name}")
            admin.close()
    return 1 if failures else 0


def sanity(base: str, tokens: dict[str, str], cat: Catalog) -> int:
    """Compare a few totals of the API with the generated data; returns the number of mismatches."""
    visible = [m for m in cat.models if m["visibility"] == "company" or m["department"] == VIEWER_DEPARTMENT]
    checks: list[tuple[str, Params, int | None]] = [
        ("admin", {}, len(cat.models)),
        ("viewer", {}, len(visible)),
        ("admin", {"department": "supply-chain"}, sum(m["department"] == "supply-chain" for m in cat.models)),
        ("viewer", {"market": "fr"}, sum("FR" in m["markets"] for m in visible)),
        ("viewer", {"tag": cat.tags_by_use[0]}, sum(cat.tags_by_use[0] in m["tags"] for m in visible)),
        ("admin", {"q": "forecast"}, None),
        ("viewer", {"q": "forec"}, None),
        ("admin", {"q": "price elasticity"}, None),
        ("viewer", {"department": "supply-chain", "market": "FR", "q": "forecast"}, None),
    ]
    print("\nsanity totals (API total vs expected from the generated data)")
    bad = 0
    with _client(base) as client:
        for role, params, expected in checks:
            resp = client.get(
                "/api/v1/models", params=params, headers={"Authorization": f"Bearer {tokens[role]}"}
            )
            total = resp.json().get("total") if resp.status_code == 200 else None
            ok = resp.status_code == 200 and (expected is None or total == expected)
            bad += not ok
            want = "" if expected is None else f" expected {expected:,}"
            print(f"  {'ok ' if ok else 'BAD'} {role:<7}{json.dumps(params):<62} total {total!s:>7}{want}")
    return bad


if __name__ == "__main__":
    sys.exit(main())

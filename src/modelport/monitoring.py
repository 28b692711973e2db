"""Prometheus metrics. With several server processes, set ``PROMETHEUS_MULTIPROC_DIR`` (``modelport
serve --workers N`` does) and every process writes its samples there; ``/metrics`` adds them up.
Execution counts and queue depth are read from the metadata store at scrape time, so they are the
same whichever process answers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from modelport.db.engine import Database

PREDICTIONS = Counter("modelport_predictions_total", "Rows predicted online.", ["deployment", "version"])
PREDICTION_REQUESTS = Counter(
    "modelport_prediction_requests_total", "Online prediction requests answered.", ["deployment", "version"]
)
PREDICTION_LATENCY = Histogram(
    "modelport_prediction_latency_seconds",
    "Time to answer an online prediction request.",
    ["deployment", "version"],
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
ERRORS = Counter("modelport_errors_total", "Errors answered, by kind.", ["kind"])
MODEL_CACHE_SIZE = Gauge(
    "modelport_model_cache_size",
    "Models loaded in memory for online predictions.",
    multiprocess_mode="livesum",
)
EXECUTIONS_FINISHED = Counter(
    "modelport_executions_finished_total", "Executions that reached a final status.", ["status", "engine"]
)
SCHEDULE_FAILURES = Counter(
    "modelport_schedule_failures_total",
    "Scheduled due times that could not run (recorded as failed executions with the reason).",
    ["deployment"],
)

STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")


class ExecutionCollector(Collector):
    """Executions by status (and so the queue depth), read from the store when scraped."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from modelport.stores.executions import ExecutionStore

        with self.db.session() as s:
            counts = ExecutionStore(s).counts_by_status()
        family = GaugeMetricFamily(
            "modelport_executions", "Executions in the store, by status.", labels=["status"]
        )
        for status in STATUSES:
            family.add_metric([status], counts.get(status, 0))
        yield family
        yield GaugeMetricFamily(
            "modelport_queue_depth", "Executions waiting for a worker.", value=counts.get("queued", 0)
        )


def render(db: Database) -> tuple[bytes, str]:
    """The text exposition of every metric, merged across processes when in multiprocess mode."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        from prometheus_client import REGISTRY

        for collector in list(REGISTRY._collector_to_names):  # noqa: SLF001 - copy the default collectors
            registry.register(collector)
    registry.register(ExecutionCollector(db))
    return generate_latest(registry), CONTENT_TYPE_LATEST

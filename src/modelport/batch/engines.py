"""Batch engines by name: ``local`` streams chunks in one process; ``spark`` scores on a Spark cluster
(optional extra ``modelport[spark]``). The interface is :mod:`modelport.batch.base`."""

from __future__ import annotations

from modelport.batch.base import BatchEngine
from modelport.batch.local import LocalEngine
from modelport.errors import InvalidArgument, ModelportError


def get_engine(name: str) -> BatchEngine:
    """The engine called ``name``; an error naming the extra to install when it is missing."""
    check_engine(name)
    if name == "spark":
        from modelport.batch.spark import SparkEngine

        engine: BatchEngine = SparkEngine()
        return engine
    return LocalEngine()


def check_engine(name: str) -> None:
    if name == "local":
        return
    if name == "spark":
        try:
            import pyspark  # noqa: F401
        except ImportError:
            raise InvalidArgument(
                "the spark engine needs pyspark and Java: pip install 'modelport[spark]'", field="engine"
            ) from None
        return
    raise ModelportError(f"unknown engine {name!r}")

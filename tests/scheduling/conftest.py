"""The registered churn model and its deployment (tests/runs.py), for the scheduling tests."""

from tests.runs import runs, runs_any

__all__ = ["runs", "runs_any"]

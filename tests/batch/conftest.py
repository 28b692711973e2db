"""The registered churn model and its deployment (tests/runs.py), and the plans model of mixed column
types (tests/mixed.py), for the tests of this folder."""

from tests.mixed import mixed
from tests.runs import runs, runs_any

__all__ = ["mixed", "runs", "runs_any"]

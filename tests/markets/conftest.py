"""The registered churn model (owner ``ds``, a ``champion`` alias, a deployment ``churn-fr``) and a
business user ``analyst`` (tests/runs.py), for the self-service tests of this folder."""

from tests.runs import runs, runs_any

__all__ = ["runs", "runs_any"]

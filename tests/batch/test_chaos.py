"""Chaos on a PostgreSQL store: two `modelport worker` processes, twenty runs, kill -9 of workers (also
within the first second after a claim) and of children, SIGTERMs, restarts. No run stuck, lost or
executed twice; every succeeded run's results complete. Required in CI: the PostgreSQL fixture fails
instead of skipping when MODELPORT_REQUIRE_POSTGRES=1. `bench/chaos.py` runs the same for longer."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

from modelport.services.auth import AuthService
from tests.runs import RunSetup

BENCH = Path(__file__).resolve().parents[2] / "bench" / "chaos.py"


def _harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("modelport_bench_chaos", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.parametrize("backend", ["postgresql"])
def test_chaos_no_run_stuck_lost_or_executed_twice(runs_any: RunSetup, tmp_path: Path) -> None:
    assert runs_any.ctx.db.dialect == "postgresql"
    chaos = _harness()
    seed = int(os.environ["MODELPORT_CHAOS_SEED"]) if "MODELPORT_CHAOS_SEED" in os.environ else None
    analyst = AuthService(runs_any.ctx).cli_principal(runs_any.analyst.username)
    run = chaos.Chaos(runs_any.ctx, "churn-fr", analyst, tmp_path, seed=seed)
    counts = run.run(runs=20, duration=25.0, drain_timeout=150.0)
    report = (
        counts.report(events=True)
        + f"\n  (seed {counts.seed}: MODELPORT_CHAOS_SEED={counts.seed} replays it)"
    )
    print(report)
    assert (counts.stuck, counts.lost, counts.executed_twice) == (0, 0, 0), report
    assert (counts.incomplete, counts.leftovers, counts.orphans) == (0, 0, 0), report
    assert counts.succeeded + counts.failed_child_killed == 20, report
    assert counts.problems == [], report
    # The faults did happen: each kind at least once, and the child monitor was sampling.
    for action in ("kill worker after claim", "kill worker", "kill child", "sigterm worker"):
        assert counts.actions[action] >= 1, report
    assert counts.worker_exits["kill -9"] >= 2 and counts.worker_exits["sigterm"] >= 1, report
    assert run.monitor.samples > 100, report

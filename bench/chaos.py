"""Chaos run of the batch worker: no run stuck, lost or executed twice, whatever is killed and when.

What it does (everything in a throwaway PostgreSQL database and a temporary folder, removed at the end
unless ``--keep``):

1. trains a small scikit-learn model, registers and deploys it through the real API (FastAPI
   ``TestClient``), and queues ``--runs`` executions of small CSV files (200 to 2,000 rows each);
2. starts two ``modelport worker`` processes (two slots each, a 3 s lease, a 1 s shutdown grace) and,
   for ``--duration`` seconds or until every run has ended, every 0.5 to 1.5 s does one of (each kind
   once first, then at random):
   ``kill -9`` of a worker within the first second after it claims a run (its child is then starting,
   before or during its imports), ``kill -9`` of a worker at a random moment, ``kill -9`` of a run's
   child process, SIGTERM to a worker that runs something (graceful shutdown); a stopped worker is
   restarted after 0.2 to 1 s, so two keep running;
3. lets the workers finish the queue, stops them with SIGTERM and checks:

   * **stuck**: runs not in a final state at the end;
   * **lost**: runs that did not succeed for another reason than a child process this script killed
     (that one fails as "ended unexpectedly (out of memory or killed)", by design);
   * **executed twice**: two live child processes of one run at the same moment (a thread samples
     /proc every 20 ms), more than one publication of results ("scored N rows" in the run's log: the
     fenced final write), or an attempt that wrote its first line while another attempt held the run;
   * **incomplete**: a succeeded run whose results file (read back from the artifact store) does not
     have one prediction per input row;
   * **leftovers**: ``tmp/execution-*`` and ``tmp/upload-*`` folders still there once the workers
     stopped (the workers sweep them at start and after each run); **orphans**: child processes alive
     after every worker ended.

It prints the counts and the actions taken; the exit status is 1 when any of those counts is not 0.
``tests/batch/test_chaos.py`` runs the same on the test suite's database (twenty runs, ~30 s of chaos).

Run from the repository root::

    .venv/bin/python bench/chaos.py                          # 100 runs, 120 s of chaos
    .venv/bin/python bench/chaos.py --runs 300 --duration 600 --seed 7
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelport.batch.worker import settings_json
from modelport.context import Context
from modelport.principal import Principal

FEATURES = ["tenure_months", "monthly_spend", "support_calls"]
FINAL = ("succeeded", "failed", "cancelled")
CHILD_KILLED = "ended unexpectedly (out of memory or killed)"
WORKER_SETTINGS: dict[str, object] = {
    "worker_lease_seconds": 3,
    "worker_poll_seconds": 0.2,
    "worker_concurrency": 2,
    "worker_shutdown_grace_seconds": 1.0,
    "execution_max_retries": 100,
    "execution_timeout_seconds": 300,
    "batch_chunk_rows": 250,
    "scheduler_enabled": False,
    "notify_sender_enabled": False,
}
ACTIONS = {"kill worker after claim": 3, "kill worker": 1, "kill child": 2, "sigterm worker": 2}


# --- processes -------------------------------------------------------------------------------------


def _stat(pid: int) -> tuple[str, int] | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except (OSError, IndexError):
        return None
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, killed and not yet reaped, does not)."""
    state = _stat(pid)
    return state is not None and state[0] not in ("Z", "X")


def run_children(tag: str) -> dict[int, tuple[int, int]]:
    """Live run child processes started by this chaos run's workers: pid -> (execution id, parent pid)."""
    found: dict[int, tuple[int, int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
            if b"modelport.batch.child" not in argv:
                continue
            with open(f"/proc/{name}/environ", "rb") as f:
                if f"CHAOS_TAG={tag}".encode() not in f.read().split(b"\0"):
                    continue
        except OSError:
            continue
        state = _stat(int(name))
        at = argv.index(b"modelport.batch.child")
        if state is None or state[0] in ("Z", "X") or len(argv) <= at + 1:
            continue
        found[int(name)] = (int(argv[at + 1]), state[1])
    return found


class Monitor(threading.Thread):
    """Samples the run child processes every ``every`` s; notes every moment two ran for one execution."""

    def __init__(self, tag: str, every: float = 0.02) -> None:
        super().__init__(name="chaos-monitor", daemon=True)
        self.tag, self.every = tag, every
        self.doubles: dict[int, set[int]] = defaultdict(set)  # execution -> pids seen running together
        self.seen: set[int] = set()
        self.samples = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            by_execution: dict[int, list[int]] = defaultdict(list)
            for pid, (execution_id, _) in run_children(self.tag).items():
                by_execution[execution_id].append(pid)
                self.seen.add(pid)
            for execution_id, pids in by_execution.items():
                if len(pids) > 1:
                    self.doubles[execution_id].update(pids)
            self.samples += 1
            self._halt.wait(self.every)

    def stop(self) -> None:
        self._halt.set()
        self.join(10)


def worker_env(ctx: Context, tag: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELPORT_")}
    values = {**json.loads(settings_json(ctx.settings)), **WORKER_SETTINGS}
    for key, value in values.items():
        if value is not None:
            env[f"MODELPORT_{key.upper()}"] = value if isinstance(value, str) else json.dumps(value)
    env["CHAOS_TAG"] = tag  # inherited by the workers' children: tells them from other processes
    return env


# --- the chaos run ---------------------------------------------------------------------------------


@dataclass
class Counts:
    runs: int = 0
    succeeded: int = 0
    failed_child_killed: int = 0
    stuck: int = 0
    lost: int = 0
    executed_twice: int = 0
    incomplete: int = 0
    leftovers: int = 0
    orphans: int = 0
    attempts: int = 0
    requeued_by_shutdown: int = 0
    recovered_after_lease: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    worker_exits: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    seconds: float = 0.0
    seed: int = 0

    @property
    def ok(self) -> bool:
        return not (
            self.stuck
            or self.lost
            or self.executed_twice
            or self.incomplete
            or self.leftovers
            or self.orphans
        )

    def report(self, events: bool = False) -> str:
        lines = [
            f"chaos: {self.runs} runs, seed {self.seed}, {self.seconds:.0f} s",
            f"  succeeded {self.succeeded}, failed because their child was killed {self.failed_child_killed}",
            f"  stuck {self.stuck}, lost {self.lost}, executed twice {self.executed_twice}, "
            f"incomplete results {self.incomplete}",
            f"  leftover temporary folders {self.leftovers}, orphan processes {self.orphans}",
            f"  attempts {self.attempts} (re-queued by a shutdown, not counted: {self.requeued_by_shutdown}; "
            f"recovered after a lost lease: {self.recovered_after_lease})",
            "  actions: " + ", ".join(f"{name} {n}" for name, n in sorted(self.actions.items())),
            "  worker exits: " + ", ".join(f"{name} {n}" for name, n in sorted(self.worker_exits.items())),
        ]
        lines += [f"  PROBLEM: {p}" for p in self.problems[:40]]
        if events:
            lines += ["  timeline:"] + [f"    {e}" for e in self.events]
        return "\n".join(lines)


class Chaos:
    """Two (``workers``) `modelport worker` processes on ``ctx``'s store and a stream of faults."""

    def __init__(
        self,
        ctx: Context,
        deployment: str,
        principal: Principal,
        folder: Path,
        seed: int | None = None,
        workers: int = 2,
        say: Any = print,
    ) -> None:
        self.ctx, self.deployment, self.principal, self.folder = ctx, deployment, principal, folder
        self.seed = seed if seed is not None else random.randrange(1_000_000)
        self.rng = random.Random(self.seed)
        self.say = say
        self.tag = uuid.uuid4().hex
        self.env = worker_env(ctx, self.tag)
        self.slots: list[subprocess.Popen[bytes] | None] = [None] * workers
        self.down_since: list[float] = [0.0] * workers
        self.terminating: dict[int, float] = {}  # pid -> when it was sent SIGTERM
        self.expected: dict[int, int] = {}  # execution -> input rows
        self.children_killed: set[int] = set()  # executions whose child this script killed
        self.seen_claims: set[tuple[int, int]] = set()
        self.counts = Counts(seed=self.seed)
        self.monitor = Monitor(self.tag)
        self.log = folder / "workers.log"
        self.events: list[str] = []
        self.t0 = time.monotonic()

    # --- setup ---

    def queue(self, runs: int) -> None:
        import numpy as np

        from modelport.services.executions import ExecutionService

        service = ExecutionService(self.ctx)
        data = self.folder / "inputs"
        data.mkdir(parents=True, exist_ok=True)
        np_rng = np.random.default_rng(self.seed)
        for n in range(runs):
            rows = self.rng.randint(200, 2000)
            path = data / f"run-{n}.csv"
            with path.open("w") as f:
                f.write(",".join(FEATURES) + "\n")
                for tenure, spend, calls in zip(
                    np_rng.integers(1, 72, rows),
                    np_rng.normal(40, 10, rows),
                    np_rng.poisson(2, rows),
                    strict=True,
                ):
                    f.write(f"{tenure},{spend:.3f},{calls}\n")
            execution = service.run_file(self.deployment, path, path.name, self.principal)
            self.expected[execution.id] = rows

    # --- workers ---

    def event(self, what: str) -> None:
        self.events.append(f"{time.monotonic() - self.t0:7.2f} s  {what}")

    def _start(self, slot: int) -> None:
        with self.log.open("ab") as out:
            proc = subprocess.Popen(  # noqa: S603 - our own interpreter
                [sys.executable, "-m", "modelport.cli.main", "worker", "--no-scheduler"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.slots[slot] = proc
        self.event(f"worker {proc.pid} started")

    def _workers(self) -> list[subprocess.Popen[bytes]]:
        return [p for p in self.slots if p is not None and p.poll() is None]

    def _tend(self, now: float, restart: bool = True) -> None:
        """Note the workers that ended, restart them after a while, and make sure a SIGTERM works."""
        for slot, proc in enumerate(self.slots):
            if proc is not None and proc.poll() is not None:
                code = proc.returncode
                graceful = self.terminating.pop(proc.pid, None) is not None
                kind = "sigterm" if graceful else "kill -9" if code == -signal.SIGKILL else f"exit {code}"
                if graceful and code == -signal.SIGTERM:
                    kind = "sigterm while starting"  # before its handler was set: it had claimed nothing
                elif graceful and code != 0:
                    self.counts.problems.append(f"worker {proc.pid} exited {code} after SIGTERM")
                self.event(f"worker {proc.pid} ended: {kind}")
                self.counts.worker_exits[kind] += 1
                self.slots[slot] = None
                self.down_since[slot] = now + self.rng.uniform(0.2, 1.0)
            if self.slots[slot] is None and restart and now >= self.down_since[slot]:
                self._start(slot)
        grace = float(WORKER_SETTINGS["worker_shutdown_grace_seconds"])  # type: ignore[arg-type]
        for pid, since in list(self.terminating.items()):
            if now - since > grace + 30:
                self.counts.problems.append(f"worker {pid} still running 30 s after its shutdown grace")
                os.kill(pid, signal.SIGKILL)
                self.terminating.pop(pid)

    def _running(self) -> list[tuple[int, int, str | None]]:
        from sqlalchemy import select

        from modelport.db.tables import ExecutionRow

        with self.ctx.db.session() as s:
            return [
                (int(i), int(a), w)
                for i, a, w in s.execute(
                    select(ExecutionRow.id, ExecutionRow.attempts, ExecutionRow.worker_id).where(
                        ExecutionRow.status == "running", ExecutionRow.id.in_(self.expected)
                    )
                )
            ]

    def _statuses(self) -> dict[int, str]:
        from sqlalchemy import select

        from modelport.db.tables import ExecutionRow

        with self.ctx.db.session() as s:
            rows = s.execute(
                select(ExecutionRow.id, ExecutionRow.status).where(ExecutionRow.id.in_(self.expected))
            )
            return {int(i): str(st) for i, st in rows}

    @staticmethod
    def _worker_pid(worker_id: str | None) -> int | None:
        try:
            return int(str(worker_id).rsplit("-", 2)[1])
        except (IndexError, ValueError):
            return None

    # --- faults ---

    def _new_claims(self) -> list[tuple[int, int, str | None]]:
        """Claims (execution, attempt, worker) made since the last call."""
        fresh = []
        for execution_id, attempt, worker_id in self._running():
            if (execution_id, attempt) not in self.seen_claims:
                self.seen_claims.add((execution_id, attempt))
                fresh.append((execution_id, attempt, worker_id))
        return fresh

    def _act(self, action: str, until: float) -> bool:
        workers = {p.pid: p for p in self._workers() if p.pid not in self.terminating}
        if action == "kill worker after claim":
            self._new_claims()  # only a claim made from now on
            while time.monotonic() < until:
                for execution_id, _, worker_id in self._new_claims():
                    pid = self._worker_pid(worker_id)
                    if pid in workers:
                        delay = self.rng.uniform(0.0, 0.9)
                        time.sleep(delay)  # within the first second of the claim
                        workers[pid].send_signal(signal.SIGKILL)
                        self.event(
                            f"kill -9 worker {pid} {delay:.2f} s after it claimed execution {execution_id}"
                        )
                        return True
                time.sleep(0.02)
            return False
        if action == "kill worker" and workers:
            victim = self.rng.choice(list(workers.values()))
            victim.send_signal(signal.SIGKILL)
            self.event(f"kill -9 worker {victim.pid}")
            return True
        if action == "kill child":
            kids = {pid: e for pid, (e, parent) in run_children(self.tag).items() if parent in workers}
            if kids:
                pid = self.rng.choice(sorted(kids))
                os.kill(pid, signal.SIGKILL)
                self.children_killed.add(kids[pid])
                self.event(f"kill -9 child {pid} of execution {kids[pid]}")
                return True
            return False
        if action == "sigterm worker":  # one that runs something: its graceful shutdown has work to do
            busy = {pid for _, _, w in self._running() if (pid := self._worker_pid(w)) in workers}
            if not busy:
                return False
            proc = workers[self.rng.choice(sorted(busy))]
            proc.send_signal(signal.SIGTERM)
            self.terminating[proc.pid] = time.monotonic()
            self.event(f"SIGTERM worker {proc.pid}")
            return True
        return False

    # --- the whole run ---

    def run(self, runs: int, duration: float, drain_timeout: float = 300.0) -> Counts:
        started = time.monotonic()
        self.queue(runs)
        self.counts.runs = runs
        self.say(f"chaos: {runs} runs queued (seed {self.seed}); {len(self.slots)} workers, {duration:.0f} s")
        self.monitor.start()
        try:
            for slot in range(len(self.slots)):
                self._start(slot)
            end, cap = time.monotonic() + duration, time.monotonic() + 3 * duration
            names, weights = list(ACTIONS), list(ACTIONS.values())
            first = self.rng.sample(names, len(names))  # each kind of fault once, then at random
            while time.monotonic() < (end if not first else cap):  # each kind once, on a slow machine too
                self._tend(time.monotonic())
                if all(s in FINAL for s in self._statuses().values()):
                    break
                planned = bool(first)
                action = first.pop() if planned else self.rng.choices(names, weights)[0]
                if self._act(action, until=time.monotonic() + 5.0):
                    self.counts.actions[action] += 1
                elif planned:
                    first.insert(0, action)  # nothing to do it to now: later
                pause = time.monotonic() + self.rng.uniform(0.5, 1.5)
                while time.monotonic() < pause:
                    self._tend(time.monotonic())
                    time.sleep(0.05)
            self.say(f"chaos: faults over after {time.monotonic() - started:.0f} s; draining the queue")
            self.event("faults over; draining the queue")
            drain_end = time.monotonic() + drain_timeout
            while time.monotonic() < drain_end:
                self._tend(time.monotonic())
                if all(s in FINAL for s in self._statuses().values()):
                    break
                time.sleep(0.2)
            for proc in self._workers():
                proc.send_signal(signal.SIGTERM)
                self.terminating[proc.pid] = time.monotonic()
            for proc in [p for p in self.slots if p is not None]:
                try:
                    proc.wait(60)
                except subprocess.TimeoutExpired:
                    self.counts.problems.append(f"worker {proc.pid} did not stop after SIGTERM")
                    proc.kill()
                    proc.wait()
            self._tend(time.monotonic(), restart=False)
            time.sleep(0.3)
        finally:
            self.monitor.stop()
            for left in self.slots:
                if left is not None and left.poll() is None:
                    left.kill()
                    left.wait()
        self.audit()
        self.counts.events = self.events
        self.counts.seconds = time.monotonic() - started
        return self.counts

    # --- the checks ---

    def audit(self) -> None:
        from sqlalchemy import select

        from modelport.db.tables import ExecutionLogRow, ExecutionRow

        c = self.counts
        with self.ctx.db.session() as s:
            rows = {
                r.id: (r.status, r.attempts, r.error, dict(r.output_ref or {}))
                for r in s.scalars(select(ExecutionRow).where(ExecutionRow.id.in_(self.expected)))
            }
            logs: dict[int, list[str]] = defaultdict(list)
            for execution_id, message in s.execute(
                select(ExecutionLogRow.execution_id, ExecutionLogRow.message)
                .where(ExecutionLogRow.execution_id.in_(self.expected))
                .order_by(ExecutionLogRow.id)
            ):
                logs[execution_id].append(message)
        twice: set[int] = set(self.monitor.doubles)
        for execution_id, pids in self.monitor.doubles.items():
            c.problems.append(
                f"execution {execution_id}: child processes {sorted(pids)} ran at the same time"
            )
        for execution_id, rows_in in self.expected.items():
            if execution_id not in rows:
                c.lost += 1
                c.problems.append(f"execution {execution_id} is gone")
                continue
            status, attempts, error, output = rows[execution_id]
            c.attempts += attempts
            messages = logs[execution_id]
            c.requeued_by_shutdown += sum("not counted" in m for m in messages)
            c.recovered_after_lease += sum("stopped sending heartbeats" in m for m in messages)
            publications = sum(m.startswith("scored ") for m in messages)
            if publications > 1 or (status == "succeeded") != (publications == 1):
                twice.add(execution_id)
                c.problems.append(
                    f"execution {execution_id} ({status}): {publications} publications of results"
                )
            holder = False  # an attempt holds the run: its first line is written, no requeue since
            for m in messages:
                if m.startswith("running "):
                    if holder:
                        twice.add(execution_id)
                        c.problems.append(
                            f"execution {execution_id}: an attempt started while another held it"
                        )
                    holder = True
                elif "queued again" in m:
                    holder = False
            if status not in FINAL:
                c.stuck += 1
                c.problems.append(f"execution {execution_id} is still {status}")
            elif status == "succeeded":
                c.succeeded += 1
                written = self._result_rows(output)
                if output.get("rows") != rows_in or written != rows_in:
                    c.incomplete += 1
                    c.problems.append(
                        f"execution {execution_id}: {rows_in} rows in, {output.get('rows')} recorded, "
                        f"{written} in the results file"
                    )
            elif (
                status == "failed" and CHILD_KILLED in (error or "") and execution_id in self.children_killed
            ):
                c.failed_child_killed += 1
            else:
                c.lost += 1
                c.problems.append(f"execution {execution_id} {status}: {error}")
        c.executed_twice = len(twice)
        tmp = self.ctx.tmp_dir
        leftovers = sorted(p.name for p in tmp.iterdir() if p.name.startswith(("execution-", "upload-")))
        c.leftovers = len(leftovers)
        c.problems += [f"left in tmp/: {name}" for name in leftovers]
        orphans = run_children(self.tag)
        c.orphans = len(orphans)
        c.problems += [f"orphan child {pid} of execution {e}" for pid, (e, _) in orphans.items()]
        for pid in orphans:
            os.kill(pid, signal.SIGKILL)

    def _result_rows(self, output: dict[str, Any]) -> int | None:
        """Rows with a prediction in the stored results file."""
        import pyarrow.compute as pc
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        if not output.get("sha256"):
            return None
        path = self.ctx.artifacts.local_cache_path(str(output["sha256"]), self.folder / "results")
        table = pq.read_table(path) if output.get("format") == "parquet" else pacsv.read_csv(path)
        if "prediction" not in table.column_names:
            return None
        return len(table) - int(pc.sum(pc.is_null(table["prediction"])).as_py() or 0)


# --- the command line: a throwaway database, a model, a deployment ----------------------------------


def prepare(pg_url: str, folder: Path) -> tuple[Context, Principal]:
    """A migrated store on ``pg_url``, a trained model registered and deployed as ``chaos``."""
    import joblib
    import numpy as np
    import pandas as pd
    from fastapi.testclient import TestClient
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from modelport.api.app import create_app
    from modelport.db.migrate import upgrade
    from modelport.schemas import ApiTokenCreate, Role, UserCreate
    from modelport.services.auth import AuthService
    from modelport.settings import Settings

    settings = Settings(
        home=folder / "home",
        database_url=pg_url,
        artifact_root=str(folder / "artifacts"),
        secret_key="chaos-secret-key",
        worker_enabled=False,
        scheduler_enabled=False,
        notify_sender_enabled=False,
    )
    ctx = Context.from_settings(settings)
    upgrade(ctx.db)
    auth = AuthService(ctx)
    for name, role in (("ds", Role.data_scientist), ("analyst", Role.business_user)):
        auth.create_user(
            UserCreate(username=name, password="chaos-password-1234", role=role, department="chaos"), None
        )
    token = auth.create_token(ApiTokenCreate(name="chaos"), auth.cli_principal("ds")).token
    headers = {"Authorization": f"Bearer {token}"}
    rng = np.random.default_rng(0)
    x = pd.DataFrame(
        {
            "tenure_months": rng.integers(1, 72, 300).astype(float),
            "monthly_spend": rng.normal(40, 10, 300),
            "support_calls": rng.poisson(2, 300).astype(float),
        }
    )
    y = ((x["support_calls"] > 2) & (x["tenure_months"] < 24)).astype(int)
    model = folder / "churn.joblib"
    joblib.dump(make_pipeline(StandardScaler(), LogisticRegression(max_iter=200)).fit(x, y), model)
    with TestClient(create_app(ctx=ctx), base_url="https://testserver") as client:
        card = {"name": "chaos", "title": "Chaos", "department": "chaos", "markets": ["FR"]}
        assert client.post("/api/v1/models", json=card, headers=headers).status_code == 201
        response = client.post(
            "/api/v1/models/chaos/versions",
            files={"file": (model.name, model.read_bytes())},
            data={"meta": '{"aliases": ["champion"]}'},
            headers=headers,
        )
        assert response.status_code == 201, response.text
        body = {"name": "chaos", "model": "chaos", "alias": "champion", "market": "FR"}
        response = client.post("/api/v1/deployments", json=body, headers=headers)
        assert response.status_code == 201, response.text
    return ctx, auth.cli_principal("analyst")


def main() -> int:
    import psycopg
    from sqlalchemy.engine import make_url

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=100, help="executions queued (default 100)")
    ap.add_argument("--duration", type=float, default=120.0, help="seconds of faults (default 120)")
    ap.add_argument("--seed", type=int, default=None, help="random seed (printed; default random)")
    ap.add_argument("--drain-timeout", type=float, default=600.0, help="seconds to finish the queue after")
    ap.add_argument(
        "--pg-url",
        default=os.environ.get(
            "MODELPORT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
        help="PostgreSQL server (a throwaway database is created there)",
    )
    ap.add_argument("--keep", action="store_true", help="keep the database and the folder")
    ap.add_argument("--timeline", action="store_true", help="print every fault and worker start and end")
    args = ap.parse_args()
    name = f"modelport_chaos_{uuid.uuid4().hex[:10]}"
    server = make_url(args.pg_url)
    admin = psycopg.connect(
        server.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    folder = Path(tempfile.mkdtemp(prefix="modelport-chaos-"))
    ctx: Context | None = None
    try:
        ctx, analyst = prepare(url, folder)
        counts = Chaos(ctx, "chaos", analyst, folder, seed=args.seed).run(
            args.runs, args.duration, args.drain_timeout
        )
        print(counts.report(events=args.timeline or not counts.ok))
        return 0 if counts.ok else 1
    finally:
        if ctx is not None:
            ctx.db.dispose()
        if args.keep:
            print(f"kept database {url} and folder {folder}")
        else:
            import shutil

            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            shutil.rmtree(folder, ignore_errors=True)
        admin.close()


if __name__ == "__main__":
    sys.exit(main())

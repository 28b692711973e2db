"""Process helpers for the worker's fault tests: `modelport worker` subprocesses and the children they
start, found through /proc."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from modelport.batch.worker import settings_json
from modelport.context import Context


def worker_env(ctx: Context, **overrides: object) -> dict[str, str]:
    """The environment of a `modelport worker` process on ``ctx``'s settings (and ``overrides``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELPORT_")}
    values = {**json.loads(settings_json(ctx.settings)), **overrides}
    for key, value in values.items():
        if value is not None:
            env[f"MODELPORT_{key.upper()}"] = value if isinstance(value, str) else json.dumps(value)
    return env


def start_worker(ctx: Context, log: Path | None = None, **overrides: object) -> subprocess.Popen[bytes]:
    """A `modelport worker --no-scheduler` process (its output in ``log`` when given)."""
    out = log.open("ab") if log else subprocess.DEVNULL
    try:
        return subprocess.Popen(  # noqa: S603 - our own interpreter
            [sys.executable, "-m", "modelport.cli.main", "worker", "--no-scheduler"],
            env=worker_env(ctx, worker_poll_seconds=0.2, notify_sender_enabled=False, **overrides),
            stdout=out,
            stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        )
    finally:
        if log:
            out.close()  # type: ignore[union-attr]


def proc_state(pid: int) -> tuple[str, int] | None:
    """(state letter, parent pid) of a process, None when there is none."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except (OSError, IndexError):
        return None
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, killed and not yet reaped, does not)."""
    state = proc_state(pid)
    return state is not None and state[0] not in ("Z", "X")


def children(parent: int | None = None) -> dict[int, int]:
    """Run child processes (``python -m modelport.batch.child``) -> their execution id; only those of
    ``parent`` when given."""
    found: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if b"modelport.batch.child" not in argv:
            continue
        at = argv.index(b"modelport.batch.child")
        if len(argv) <= at + 1 or not alive(int(name)):
            continue
        state = proc_state(int(name))
        if parent is not None and (state is None or state[1] != parent):
            continue
        found[int(name)] = int(argv[at + 1])
    return found


def wait_for(predicate: Callable[[], object], timeout: float, what: str, every: float = 0.02) -> None:
    """Poll ``predicate()`` until it is true; AssertionError naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(every)

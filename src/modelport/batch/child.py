"""Entry point of an execution's child process:
``python -m modelport.batch.child <execution id> <attempt> <memory MB> <worker pid>``.

It runs the execution by its kind: a run of a deployment (:mod:`modelport.batch.executor`), or a
dataset's profile or a training (:mod:`modelport.training.jobs`).

Its first instructions, before any heavy import, tie its life to the worker that started it: the
kernel kills it (``PR_SET_PDEATHSIG``) when the worker's thread that started it ends, and when the
worker is already gone (it died between the fork and here: the parent is then another process) it
exits at once. So a killed worker never leaves an orphan scoring a run that another worker will run
again. It ignores SIGTERM: its worker decides when it stops (see the worker's graceful shutdown).

The settings arrive as JSON on standard input (never in the environment or the command line, where
other local users could read secrets). Every write it makes about the execution is fenced by its
attempt (:class:`~modelport.stores.executions.StaleAttempt`): when the attempt lost the execution, it
stops and exits with :data:`EXIT_STALE`.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
EXIT_FAILED = 3
EXIT_STALE = 4
EXIT_ORPHAN = 5


def die_with_parent(parent_pid: int) -> None:
    """Ask the kernel for SIGKILL when the parent thread ends, then check that the parent is still the
    worker (closing the race where it died before the request). Linux only; elsewhere a no-op."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:
        os._exit(EXIT_ORPHAN)


def limit_memory(memory_mb: int) -> None:
    """Cap this process's address space."""
    import resource

    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main(argv: list[str]) -> int:
    if len(argv) < 5:
        print("usage: python -m modelport.batch.child <execution id> <attempt> <memory MB> <worker pid>")
        return 2
    die_with_parent(int(argv[4]))
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    limit_memory(int(argv[3]))
    execution_id, attempt = int(argv[1]), int(argv[2])

    from modelport.context import Context
    from modelport.settings import Settings
    from modelport.stores.executions import ExecutionStore

    settings = Settings.model_validate_json(sys.stdin.read())
    ctx = Context.from_settings(settings)
    try:
        with ctx.db.session() as s:
            kind = ExecutionStore(s).get(execution_id).kind
        if kind == "score":
            from modelport.batch.executor import run_execution

            status = run_execution(ctx, execution_id, attempt)
        else:  # a dataset's profile or a training
            from modelport.training.jobs import run_job

            status = run_job(ctx, kind, execution_id, attempt)
    finally:
        ctx.db.dispose()
    if status == "stale":
        return EXIT_STALE
    return 0 if status in ("succeeded", "cancelled") else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main(sys.argv))

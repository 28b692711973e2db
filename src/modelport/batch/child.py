"""Entry point of an execution's child process: ``python -m modelport.batch.child <execution id>``.

The settings arrive as JSON on standard input (never in the environment or the command line, where
other local users could read secrets)."""

from __future__ import annotations

import ctypes
import resource
import signal
import sys

from modelport.settings import Settings


def limit_self(memory_mb: int) -> None:
    """Cap this process's address space, and die with the worker that started it."""
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:  # PR_SET_PDEATHSIG: a lost worker leaves no orphan scoring alone
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except OSError:
        pass


def main() -> int:
    if len(sys.argv) > 2:
        limit_self(int(sys.argv[2]))
    from modelport.batch.executor import run_execution
    from modelport.context import Context

    execution_id = int(sys.argv[1])
    settings = Settings.model_validate_json(sys.stdin.read())
    ctx = Context.from_settings(settings)
    try:
        status = run_execution(ctx, execution_id)
    finally:
        ctx.db.dispose()
    return 0 if status in ("succeeded", "cancelled") else 3


if __name__ == "__main__":
    sys.exit(main())

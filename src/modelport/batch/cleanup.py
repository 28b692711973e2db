"""Temporary files a killed process leaves behind, and their removal.

A process that is killed (``kill -9``, out of memory, a lost machine) cannot remove its temporary
files: upload folders (``tmp/upload-*``), a batch run's working folder (``tmp/execution-*``), spool
files of the artifact store (``<artifact root>/.tmp/*.part``) and half-downloaded cache files
(``cache/.*.part``). :func:`sweep` removes them, at the start of a worker or a server and after each
batch run, and only those no live process owns:

* a folder named by :func:`owned_prefix` (``<kind>-<pid>@<host>@...``) belongs to that process: it is
  removed when the process has ended (on this host: no such pid, or a newer process with the same
  pid), or when it is older than ``safe_age`` (a folder of another host sharing this home);
* a ``.part`` file is removed when no process of this host has it open and it has not been written
  for ``part_idle`` seconds (the writer closes it a moment before renaming it);
* anything else under ``tmp/`` (a folder from an older version, a stray file) when older than
  ``safe_age``.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

from modelport.context import Context

log = logging.getLogger("modelport.cleanup")

_OWNED = re.compile(r"^[a-z]+-(?:[0-9a-z]+-)*(\d+)@([^@/]+)@")
_HOST = socket.gethostname().replace("@", "_") or "localhost"


def owned_prefix(kind: str) -> str:
    """Prefix of a temporary folder owned by this process (for ``tempfile.mkdtemp(prefix=...)``)."""
    return f"{kind}-{os.getpid()}@{_HOST}@"


@dataclass
class Swept:
    """What a sweep removed."""

    paths: list[Path] = field(default_factory=list)
    bytes: int = 0


def _boot_time() -> float | None:
    try:
        with open("/proc/stat") as stat:
            for line in stat:
                if line.startswith("btime "):
                    return float(line.split()[1])
    except OSError:
        pass
    return None


def _started_at(pid: int) -> float | None:
    """When process ``pid`` started (epoch seconds), None when there is no such process. Where /proc is
    not there, a live process is said to have started at 0 (always older than its files)."""
    if pid <= 0:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, another user's
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
        if fields[0] in ("Z", "X"):
            return None  # ended, not yet reaped
        boot = _boot_time()
        if boot is None:
            return 0.0
        return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def _owner_alive(pid: int, host: str, path: Path, mtime: float) -> bool | None:
    """Whether the process that made ``path`` runs; None when it cannot be told (another host)."""
    if host != _HOST:
        return None
    started = _started_at(pid)
    # A pid is reused: the owner started before it last wrote its folder, a newer process after.
    return started is not None and started <= mtime + 1.0


def _open_files() -> set[str]:
    """Paths this host's processes (those we may inspect) have open."""
    found: set[str] = set()
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return found
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                found.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
            except OSError:
                continue
    return found


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue
    return total


def _remove(path: Path, swept: Swept) -> None:
    try:
        size = _size(path)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        return
    except OSError as exc:
        log.warning("could not remove %s: %s", path, exc)
        return
    swept.paths.append(path)
    swept.bytes += size


def _sweep_tmp(tmp: Path, safe_age: float, now: float, swept: Swept) -> None:
    try:
        entries = list(tmp.iterdir())
    except FileNotFoundError:
        return
    for path in entries:
        try:
            mtime = path.lstat().st_mtime
        except FileNotFoundError:
            continue
        owned = _OWNED.match(path.name)
        alive = _owner_alive(int(owned[1]), owned[2], path, mtime) if owned else None
        if alive is False or (alive is None and now - mtime > safe_age):
            _remove(path, swept)


def _sweep_parts(folders: list[Path], part_idle: float, now: float, swept: Swept) -> None:
    candidates = []
    for folder in folders:
        try:
            candidates += [p for p in folder.iterdir() if p.name.endswith(".part") and p.is_file()]
        except FileNotFoundError:
            continue
    idle = []
    for path in candidates:
        try:
            if now - path.stat().st_mtime > part_idle:
                idle.append(path)
        except FileNotFoundError:
            continue
    if not idle:
        return
    in_use = _open_files()
    for path in idle:
        if str(path.resolve()) not in in_use:
            _remove(path, swept)


def sweep(ctx: Context, *, safe_age: float | None = None, part_idle: float = 30.0) -> Swept:
    """Remove the temporary files and folders of ``ctx``'s home that no live process owns (see the
    module's rules); returns what was removed. ``safe_age`` (seconds) defaults to twice the longest
    run, at least six hours. Never raises for a file it cannot remove (it logs a warning)."""
    if safe_age is None:
        safe_age = max(6 * 3600.0, 2.0 * ctx.settings.execution_timeout_seconds)
    now = time.time()
    swept = Swept()
    _sweep_tmp(ctx.tmp_dir, safe_age, now, swept)
    folders = [ctx.cache_dir]
    root = ctx.settings.resolved_artifact_root()
    if "://" not in root or root.startswith("file://"):
        folders.append(Path(root.removeprefix("file://")) / ".tmp")
    _sweep_parts(folders, part_idle, now, swept)
    if swept.paths:
        log.info("removed %d stale temporary file(s), %d bytes", len(swept.paths), swept.bytes)
    return swept

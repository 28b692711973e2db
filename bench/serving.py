"""Online prediction benchmark: modelport against `mlflow models serve` and a minimal "floor" endpoint.

What it does, end to end (everything on loopback, in a temporary folder removed at the end):

1. trains a scikit-learn ``HistGradientBoostingClassifier`` on 20 synthetic numeric features;
2. registers it in a throwaway modelport home (SQLite, local artifact folder) through the services,
   with a data scientist who deploys it and a business user whose API token calls it;
3. saves the same model with ``mlflow.sklearn.save_model`` and writes the floor: the most minimal
   Starlette endpoint that parses 20 floats and calls ``predict`` (uvicorn, one worker);
4. starts the three servers, each with native thread pools capped (``OMP_NUM_THREADS=1`` ...):
   ``modelport serve`` (embedded worker and scheduler off, log level warning),
   ``mlflow models serve --env-manager local`` and the floor;
5. checks the load generator against a trivial endpoint, then sends single-row predictions with 1, 8
   and 32 concurrent keep-alive clients to each server in turn (modelport: ``{"inputs": [{...}]}``,
   MLflow: its ``dataframe_split`` body, the floor: a list of 20 floats), and prints requests/s, p50,
   p99, errors and the CPU the server used, then the ratios modelport/mlflow and modelport/floor;
6. while each run is under way, asks every server process (through a ``sitecustomize`` probe put on
   its ``PYTHONPATH``) for the ``TCP_NODELAY`` option of its open connections and the size of its
   native thread pools, and prints what it found;
7. stops every server, also on failure, Ctrl-C or SIGTERM.

The load generator is ``wrk`` (Debian package ``wrk``) with a small Lua script; without it, a
multi-process asyncio client of this script (``--loadgen python``) does the same job.

Run it from the repository root::

    .venv/bin/python bench/serving.py
    .venv/bin/python bench/serving.py --duration 10 --concurrency 1,8,32
    .venv/bin/python bench/serving.py --servers modelport,floor --workers 2

The exit status is 1 when a server could not start or answered a check request wrongly.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
import numpy as np

FEATURES = [f"f{i}" for i in range(20)]
THREAD_CAPS = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
}
VENV_BIN = Path(sys.executable).parent
MLFLOW_START_TIMEOUT = 150.0
START_TIMEOUT = 60.0

# --- the probe: loaded into every server process through PYTHONPATH ---------------------------------

PROBE = '''
"""Benchmark probe: on request, report this process's TCP sockets' TCP_NODELAY and its thread pools."""
import json, os, socket, threading, time

_DIR = os.environ.get("BENCH_PROBE_DIR")


def _report():
    conns = []
    for name in os.listdir("/proc/self/fd"):
        try:
            if not os.readlink(f"/proc/self/fd/{name}").startswith("socket:"):
                continue
            s = socket.socket(fileno=os.dup(int(name)))
        except OSError:
            continue
        try:
            if s.family in (socket.AF_INET, socket.AF_INET6) and s.type == socket.SOCK_STREAM:
                try:
                    peer = s.getpeername()[:2]
                except OSError:
                    peer = None
                conns.append({
                    "local": list(s.getsockname()[:2]),
                    "peer": list(peer) if peer else None,
                    "nodelay": bool(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)),
                })
        except OSError:
            pass
        finally:
            s.close()
    pools = []
    try:
        import threadpoolctl
        pools = [
            {"api": p.get("internal_api"), "threads": p.get("num_threads")}
            for p in threadpoolctl.threadpool_info()
        ]
    except Exception:
        pass
    return {"pid": os.getpid(), "ppid": os.getppid(), "connections": conns, "pools": pools,
            "threads": len(os.listdir("/proc/self/task"))}


def _loop():
    trigger = os.path.join(_DIR, "trigger")
    seen = None
    while True:
        time.sleep(0.2)
        try:
            with open(trigger) as f:
                generation = f.read()
        except OSError:
            continue
        if generation == seen:
            continue
        seen = generation
        path = os.path.join(_DIR, f"probe-{os.getpid()}.json")
        try:
            data = _report()
            data["generation"] = generation
            with open(path + ".tmp", "w") as f:
                json.dump(data, f)
            os.replace(path + ".tmp", path)
        except Exception:
            pass


if _DIR:
    threading.Thread(target=_loop, name="bench-probe", daemon=True).start()
'''

FLOOR_APP = '''
"""The floor: the most minimal Starlette endpoint that parses 20 floats and calls predict."""
import os, warnings

import joblib, numpy, orjson
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

# The model was fitted on a named frame; this endpoint passes a bare array, as minimal code would.
warnings.filterwarnings("ignore", message="X does not have valid feature names")
model = joblib.load(os.environ["FLOOR_MODEL"])


async def predict(request):
    values = orjson.loads(await request.body())["inputs"]
    x = numpy.array(values, dtype=numpy.float64).reshape(1, 20)
    return Response(orjson.dumps({"predictions": model.predict(x).tolist()}), media_type="application/json")


async def ping(request):
    return Response(b"ok", media_type="text/plain")


app = Starlette(routes=[Route("/predict", predict, methods=["POST"]), Route("/ping", ping)])
'''


# --- processes ---------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    probe_dir: Path
    log: Path
    url: str
    body: bytes
    headers: dict[str, str]
    check: Callable[[dict[str, Any]], int]
    started: float = field(default_factory=time.monotonic)


RUNNING: list[subprocess.Popen[bytes]] = []


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def spawn(cmd: list[str], env: dict[str, str], log: Path, cwd: Path | None = None) -> subprocess.Popen[bytes]:
    handle = open(log, "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        cmd, env=env, cwd=cwd, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )
    handle.close()
    RUNNING.append(proc)
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server and everything it started (its own session's process group)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(8)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # children left behind in the group, if any
    except ProcessLookupError:
        pass
    try:
        proc.wait(2)
    except subprocess.TimeoutExpired:
        pass


def stop_all() -> None:
    while RUNNING:
        stop(RUNNING.pop())


def base_env(probe_dir: Path, probe_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(THREAD_CAPS)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(probe_path), env.get("PYTHONPATH", "")) if p)
    env["BENCH_PROBE_DIR"] = str(probe_dir)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env


def wait_ready(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(
                f"{server.name} exited with status {server.proc.returncode}:\n{tail(server.log)}"
            )
        try:
            response = httpx.post(server.url, content=server.body, headers=server.headers, timeout=5)
            if response.status_code == 200:
                server.check(response.json())
                return
            last = f"{response.status_code} {response.text[:300]}"
            if response.status_code not in (404, 502, 503):
                break
        except httpx.HTTPError as exc:
            last = str(exc)
        time.sleep(0.3)
    raise RuntimeError(f"{server.name} did not answer a prediction ({last}):\n{tail(server.log)}")


def tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def process_tree(root: int) -> list[int]:
    """``root`` and its descendants (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def cpu_seconds(root: int) -> float:
    """User + system CPU seconds of ``root``'s process tree."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in process_tree(root):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


# --- the model and the three servers -------------------------------------------------------------------


def train(folder: Path) -> tuple[Any, Any, Path]:
    import joblib
    import pandas as pd
    from sklearn.ensemble import HistGradientBoostingClassifier
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.normal(size=(20_000, 20)), columns=FEATURES)
    signal_ = x["f0"] + x["f1"] * x["f2"] - 0.5 * x["f3"] ** 2 + rng.normal(scale=0.5, size=len(x))
    y = (signal_ > 0).astype(int).to_numpy()
    with threadpool_limits(1):
        model = HistGradientBoostingClassifier(random_state=0).fit(x, y)
    path = folder / "hgb.joblib"
    joblib.dump(model, path)
    return model, x, path


def setup_modelport(home: Path, model_path: Path, sample: Any) -> tuple[str, str]:
    """A migrated modelport home holding the model, deployed; returns (deployment name, caller token)."""
    from modelport.context import Context
    from modelport.db.migrate import upgrade
    from modelport.schemas import (
        ApiTokenCreate,
        DeploymentCreate,
        ModelCreate,
        Role,
        UserCreate,
        VersionMeta,
    )
    from modelport.services.auth import AuthService
    from modelport.services.catalog import CatalogService
    from modelport.services.deployments import DeploymentService
    from modelport.settings import Settings

    settings = Settings(home=home, worker_enabled=False, scheduler_enabled=False, secret_key="bench-key")
    ctx = Context.from_settings(settings)
    try:
        upgrade(ctx.db)
        auth = AuthService(ctx)
        password = "bench-password-123"
        auth.create_user(UserCreate(username="bench-ds", password=password, role=Role.data_scientist), None)
        auth.create_user(
            UserCreate(username="bench-caller", password=password, role=Role.business_user), None
        )
        ds = auth.cli_principal("bench-ds")
        caller = auth.cli_principal("bench-caller")
        token = auth.create_token(ApiTokenCreate(name="bench"), caller).token
        catalog = CatalogService(ctx)
        catalog.create_model(
            ModelCreate(name="bench-hgb", title="Bench HGB", department="rd", markets=["FR"]), ds
        )
        catalog.register_version(
            "bench-hgb", ds, model_path, model_path.name, VersionMeta(aliases=["champion"]), sample
        )
        DeploymentService(ctx).create(
            DeploymentCreate(name="bench-hgb-fr", model="bench-hgb", alias="champion", market="FR"), ds
        )
        return "bench-hgb-fr", token
    finally:
        ctx.db.dispose()


def start_servers(
    names: list[str], work: Path, model: Any, x: Any, model_path: Path, workers: int
) -> dict[str, Server]:
    probe_path = work / "probe"
    probe_path.mkdir()
    (probe_path / "sitecustomize.py").write_text(textwrap.dedent(PROBE))
    row = x.iloc[0].tolist()
    expected = int(model.predict(x.iloc[:1])[0])

    def expect(value: Any) -> int:
        if int(value) != expected:
            raise RuntimeError(f"wrong prediction {value!r}, expected {expected!r}")
        return 1

    servers: dict[str, Server] = {}
    if "modelport" in names:
        home = work / "modelport-home"
        deployment, token = setup_modelport(home, model_path, x.iloc[:100])
        port = free_port()
        probe_dir = work / "probe-modelport"
        probe_dir.mkdir()
        env = base_env(probe_dir, probe_path)
        env.update(
            {
                "MODELPORT_HOME": str(home),
                "MODELPORT_SECRET_KEY": "bench-key",
                "MODELPORT_WORKER_ENABLED": "false",
                "MODELPORT_SCHEDULER_ENABLED": "false",
                "MODELPORT_LOG_LEVEL": "warning",
            }
        )
        for key in list(env):
            if key.startswith("MODELPORT_") and key not in (
                "MODELPORT_HOME",
                "MODELPORT_SECRET_KEY",
                "MODELPORT_WORKER_ENABLED",
                "MODELPORT_SCHEDULER_ENABLED",
                "MODELPORT_LOG_LEVEL",
            ):
                del env[key]  # the caller's own settings must not leak in (database URL, ...)
        exe = VENV_BIN / "modelport"
        cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "modelport.cli.main"]
        cmd += ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
        log = work / "modelport.log"
        servers["modelport"] = Server(
            "modelport",
            port,
            spawn(cmd, env, log),
            probe_dir,
            log,
            f"http://127.0.0.1:{port}/api/v1/deployments/{deployment}/predict",
            json.dumps({"inputs": [dict(zip(FEATURES, row, strict=True))]}).encode(),
            {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            lambda answer: expect(answer["predictions"][0]),
        )
    if "mlflow" in names:
        import logging

        import mlflow.sklearn

        logging.getLogger("mlflow").setLevel(logging.ERROR)  # its warning about pickle formats

        mlflow_dir = work / "mlflow-model"
        mlflow.sklearn.save_model(model, str(mlflow_dir), serialization_format="cloudpickle")
        port = free_port()
        probe_dir = work / "probe-mlflow"
        probe_dir.mkdir()
        env = base_env(probe_dir, probe_path)
        env["MLFLOW_TRACKING_URI"] = f"file://{work / 'mlruns'}"
        cmd = [str(VENV_BIN / "mlflow"), "models", "serve", "-m", str(mlflow_dir), "--env-manager", "local"]
        cmd += ["-h", "127.0.0.1", "-p", str(port)]
        log = work / "mlflow.log"
        servers["mlflow"] = Server(
            "mlflow",
            port,
            spawn(cmd, env, log),
            probe_dir,
            log,
            f"http://127.0.0.1:{port}/invocations",
            json.dumps({"dataframe_split": {"columns": FEATURES, "data": [row]}}).encode(),
            {"Content-Type": "application/json"},
            lambda answer: expect(answer["predictions"][0]),
        )
    if "floor" in names:
        floor_dir = work / "floor"
        floor_dir.mkdir()
        (floor_dir / "floor_app.py").write_text(textwrap.dedent(FLOOR_APP))
        port = free_port()
        probe_dir = work / "probe-floor"
        probe_dir.mkdir()
        env = base_env(probe_dir, probe_path)
        env["FLOOR_MODEL"] = str(model_path)
        cmd = [sys.executable, "-m", "uvicorn", "floor_app:app", "--host", "127.0.0.1", "--port", str(port)]
        cmd += ["--workers", "1", "--log-level", "warning", "--no-access-log"]
        log = work / "floor.log"
        servers["floor"] = Server(
            "floor",
            port,
            spawn(cmd, env, log, cwd=floor_dir),
            probe_dir,
            log,
            f"http://127.0.0.1:{port}/predict",
            json.dumps({"inputs": row}).encode(),
            {"Content-Type": "application/json"},
            lambda answer: expect(answer["predictions"][0]),
        )
    for server in servers.values():
        wait_ready(server, MLFLOW_START_TIMEOUT if server.name == "mlflow" else START_TIMEOUT)
        print(f"  {server.name} ready on port {server.port} ({time.monotonic() - server.started:.1f} s)")
    return servers


# --- load generation -----------------------------------------------------------------------------------


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu: float = 0.0
    note: str = ""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _lua(body: bytes, headers: dict[str, str]) -> str:
    lines = ['wrk.method = "POST"', f"wrk.body = {_lua_string(body.decode())}"]
    for key, value in headers.items():
        lines.append(f"wrk.headers[{_lua_string(key)}] = {_lua_string(value)}")
    return "\n".join(lines) + "\n"


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"cannot read wrk duration {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def run_wrk(
    url: str, body: bytes | None, headers: dict[str, str], concurrency: int, duration: float, work: Path
) -> Result:
    script = work / f"wrk-{abs(hash((url, body)))}.lua"
    script.write_text(_lua(body, headers) if body is not None else "")
    threads = max(1, min(concurrency, 2))
    cmd = ["wrk", "-t", str(threads), "-c", str(concurrency), "-d", f"{duration:g}s", "--latency"]
    cmd += ["--timeout", "10s", "-s", str(script), url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=False).stdout
    match = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", out)
    if not match:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    requests = int(match.group(1))
    seconds = _ms(match.group(2) + match.group(3)) / 1000
    p50 = re.search(r"^\s*50%\s+(\S+)$", out, re.M)
    p99 = re.search(r"^\s*99%\s+(\S+)$", out, re.M)
    errors = 0
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        errors += int(non2xx.group(1))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if sock:
        errors += sum(int(v) for v in sock.groups())
    return Result(
        requests,
        seconds,
        _ms(p50.group(1)) if p50 else float("nan"),
        _ms(p99.group(1)) if p99 else float("nan"),
        errors,
    )


async def _client(
    host: str,
    port: int,
    request: bytes,
    stop_at: float,
    latencies: list[float],
    counts: list[int],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if status >= 400:
                counts[0] += 1
    except (OSError, asyncio.IncompleteReadError):
        counts[0] += 1
    finally:
        writer.close()


def _loadgen_process(args: tuple[str, int, bytes, int, float], queue: Any) -> None:
    host, port, request, connections, duration = args
    latencies: list[float] = []
    counts = [0]

    async def main() -> None:
        stop_at = time.perf_counter() + duration
        await asyncio.gather(
            *(_client(host, port, request, stop_at, latencies, counts) for _ in range(connections))
        )

    asyncio.run(main())
    queue.put((latencies, counts[0]))


def run_python(
    url: str, body: bytes | None, headers: dict[str, str], concurrency: int, duration: float
) -> Result:
    parsed = httpx.URL(url)
    lines = [f"{'POST' if body is not None else 'GET'} {parsed.raw_path.decode()} HTTP/1.1"]
    lines.append(f"Host: {parsed.host}:{parsed.port}")
    for key, value in headers.items():
        lines.append(f"{key}: {value}")
    lines.append(f"Content-Length: {len(body or b'')}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")
    procs_n = max(1, min(concurrency, os.cpu_count() or 1))
    spread = [concurrency // procs_n + (1 if i < concurrency % procs_n else 0) for i in range(procs_n)]
    mp = multiprocessing.get_context("fork")
    queue = mp.Queue()
    started = time.perf_counter()
    procs = [
        mp.Process(target=_loadgen_process, args=((parsed.host, parsed.port, request, n, duration), queue))
        for n in spread
    ]
    for p in procs:
        p.start()
    latencies: list[float] = []
    errors = 0
    for _ in procs:
        got, errs = queue.get(timeout=duration + 60)
        latencies.extend(got)
        errors += errs
    for p in procs:
        p.join()
    seconds = time.perf_counter() - started
    ordered = np.sort(np.asarray(latencies)) * 1000 if latencies else np.asarray([float("nan")])
    return Result(
        len(latencies),
        min(seconds, duration) if latencies else seconds,
        float(np.percentile(ordered, 50)),
        float(np.percentile(ordered, 99)),
        errors,
    )


def measure(
    server: Server, concurrency: int, duration: float, loadgen: str, work: Path, probe_generation: str
) -> tuple[Result, list[dict[str, Any]]]:
    """One run at ``concurrency``; the probe is asked half way through for socket options."""
    trigger = server.probe_dir / "trigger"
    timer_stop = [False]

    def ask_probe() -> None:
        deadline = time.monotonic() + duration / 2
        while time.monotonic() < deadline and not timer_stop[0]:
            time.sleep(0.05)
        if not timer_stop[0]:
            trigger.write_text(probe_generation)

    asker = threading.Thread(target=ask_probe, daemon=True)
    asker.start()
    cpu_before = cpu_seconds(server.proc.pid)
    if loadgen == "wrk":
        result = run_wrk(server.url, server.body, server.headers, concurrency, duration, work)
    else:
        result = run_python(server.url, server.body, server.headers, concurrency, duration)
    result.cpu = (cpu_seconds(server.proc.pid) - cpu_before) / max(result.seconds, 1e-9)
    timer_stop[0] = True
    asker.join()
    time.sleep(0.3)
    reports = []
    for path in server.probe_dir.glob("probe-*.json"):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if data.get("generation") == probe_generation:
            reports.append(data)
    return result, reports


def describe_probe(server: Server, reports: list[dict[str, Any]], concurrency: int) -> str:
    per_pid: dict[int, list[bool]] = {}
    pools: set[str] = set()
    for report in reports:
        flags = [
            c["nodelay"]
            for c in report["connections"]
            if c["peer"] and c["local"][1] == server.port and c["peer"][0] == "127.0.0.1"
        ]
        if flags:
            per_pid[report["pid"]] = flags
        for pool in report.get("pools", []):
            pools.add(f"{pool['api']}={pool['threads']}")
    if not per_pid:
        return "no connection seen by the probe"
    on = sum(sum(f) for f in per_pid.values())
    total = sum(len(f) for f in per_pid.values())
    spread = "/".join(str(len(f)) for f in per_pid.values())
    text = f"TCP_NODELAY on {on}/{total} connections"
    if len(per_pid) > 1 or total != concurrency:
        text += f", connections per process {spread}"
    if pools:
        text += f"; native pools {', '.join(sorted(pools))}"
    return text


# --- main ----------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=10.0, help="Seconds per measured run (10).")
    parser.add_argument("--warmup", type=float, default=2.0, help="Seconds of warm-up per server (2).")
    parser.add_argument("--concurrency", default="1,8,32", help="Concurrent clients, comma-separated.")
    parser.add_argument("--servers", default="modelport,mlflow,floor", help="Which servers to measure.")
    parser.add_argument("--workers", type=int, default=1, help="modelport serve --workers (1).")
    parser.add_argument("--loadgen", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder (logs).")
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",") if c.strip()]
    names = [n.strip() for n in args.servers.split(",") if n.strip()]
    unknown = set(names) - {"modelport", "mlflow", "floor"}
    if unknown:
        parser.error(f"unknown servers: {', '.join(sorted(unknown))}")
    loadgen = args.loadgen
    if loadgen == "auto":
        loadgen = "wrk" if shutil.which("wrk") else "python"
    if loadgen == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install -y wrk), or use --loadgen python")

    def on_signal(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    work = Path(tempfile.mkdtemp(prefix="modelport-bench-serving-"))
    status = 0
    try:
        print(
            f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} before the run; "
            f"load generator: {loadgen} (on the same machine); {args.duration:g} s per run; "
            f"thread pools capped ({', '.join(THREAD_CAPS)}=1)"
        )
        print("training HistGradientBoostingClassifier on 20 features ...")
        model, x, model_path = train(work)
        print("starting servers ...")
        servers = start_servers(names, work, model, x, model_path, args.workers)
        gen = 0
        # the load generator on its own: a trivial endpoint must go well past 2000 requests/s
        if "floor" in servers:
            floor = servers["floor"]
            ping = floor.url.replace("/predict", "/ping")
            if loadgen == "wrk":
                check = run_wrk(ping, None, {}, 32, 3, work)
            else:
                check = run_python(ping, None, {}, 32, 3)
            verdict = "ok" if check.rps > 2000 else "TOO SLOW: numbers below are capped by the load generator"
            print(f"load generator check: {check.rps:,.0f} requests/s on a trivial endpoint ({verdict})")
        for server in servers.values():
            warm = max(levels)
            if loadgen == "wrk":
                run_wrk(server.url, server.body, server.headers, warm, args.warmup, work)
            else:
                run_python(server.url, server.body, server.headers, warm, args.warmup)
        results: dict[tuple[str, int], Result] = {}
        for level in levels:
            for server in servers.values():
                gen += 1
                result, reports = measure(server, level, args.duration, loadgen, work, str(gen))
                result.note = describe_probe(server, reports, level)
                results[(server.name, level)] = result
                print(
                    f"  {server.name:<9} c={level:<3} {result.rps:8,.0f} req/s  p50 {result.p50_ms:7.2f} ms  "
                    f"p99 {result.p99_ms:7.2f} ms  errors {result.errors}  cpu {result.cpu:.2f}  "
                    f"[{result.note}]",
                    flush=True,
                )
        print_table(results, list(servers), levels)
        if any(r.errors for r in results.values()):
            status = 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        status = 130
    except Exception as exc:
        print(f"error: {exc}", file=sys.stderr)
        status = 1
    finally:
        stop_all()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return status


def print_table(results: dict[tuple[str, int], Result], names: list[str], levels: list[int]) -> None:
    """The results, one line per server and concurrency, then modelport's ratios to the references.

    ``cpu``: cores the server's processes used during the run; ``cpu ms/req``: CPU time per request,
    which moves less than requests/s when other programs compete for the machine.
    """
    print()
    header = f"{'server':<10} {'clients':>7} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
    print(header + f" {'cpu':>5} {'cpu ms/req':>10}")
    for name in names:
        for level in levels:
            r = results[(name, level)]
            per_request = r.cpu / r.rps * 1000 if r.rps else float("nan")
            print(
                f"{name:<10} {level:>7} {r.rps:>9,.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {r.errors:>7} "
                f"{r.cpu:>5.2f} {per_request:>10.2f}"
            )
    if "modelport" not in names:
        return
    print()
    for other, aim in (("mlflow", "aim: >= 5x"), ("floor", "aim: >= 0.8x at 1 client, > 1x at 32")):
        if other not in names:
            continue
        cells = []
        for level in levels:
            base = results[(other, level)].rps
            ratio = results[("modelport", level)].rps / base if base else float("inf")
            if other == "mlflow":
                ok = ratio >= 5.0
            else:
                ok = ratio >= 0.8 if level == 1 else ratio > 1.0 if level >= 32 else True
            cells.append(f"{level} clients {ratio:5.2f}x{'' if ok else ' (below aim)'}")
        print(f"modelport/{other:<7} " + "; ".join(cells) + f"   [{aim}]")


if __name__ == "__main__":
    sys.exit(main())

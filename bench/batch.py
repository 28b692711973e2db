"""Batch scoring benchmark: a generated CSV through a real execution, against a plain pandas script.

What it does, end to end (everything in a temporary folder, removed at the end unless ``--keep``):

1. generates a CSV of ``--rows`` rows x 20 numeric columns (16 full-precision floats, 4 integer
   counts), written in chunks with ``pyarrow.csv.write_csv`` so that generation stays bounded;
2. trains a scikit-learn ``HistGradientBoostingClassifier`` (100 trees, early stopping off) on a small
   synthetic training set with the same 20 features, and saves it with joblib;
3. starts a modelport home (SQLite + local artifact folder), registers the model and deploys it
   through the real API (FastAPI ``TestClient``, as ``tests/runs.py`` does), once with
   Parquet results (the default) and once with CSV results;
4. queues an execution on the file with ``ExecutionService.run_file`` (what ``POST
   /deployments/{ref}/executions`` calls after spooling the upload: the file is read for its header
   and stored in the artifact store; multi-GB files are not pushed through the in-memory TestClient)
   and runs it with ``Worker(ctx).run_once()``: the worker's child process loads the model, streams
   the file through the local engine and stores the results;
5. runs a plain pandas script on the same file in a subprocess: ``pd.read_csv`` + ``model.predict`` +
   ``to_csv``, and checks that both gave the same predictions;
6. repeats steps 1, 4 and 5 with ``--big-rows`` rows (the memory case).

Threads: ``OMP_NUM_THREADS``/``OPENBLAS_NUM_THREADS``/``MKL_NUM_THREADS`` are set to ``--threads``
(default: the cores this process may use less one, at least one: 1 on a 2-core machine, which is also
the local engine's own cap when ``OMP_NUM_THREADS`` is not set) for this process and both subprocesses,
so scikit-learn's OpenMP pool has the same size in the worker's child and in the pandas script. The
engine's CSV reader thread and pyarrow's own pool are not OpenMP and not capped by these variables
(pandas' ``read_csv`` and ``to_csv`` are single-threaded).

Memory: the peak resident set (max RSS) of each process, as the Linux kernel counts it (``VmHWM`` of
``/proc/<pid>/status``, the high-water mark of the process's own memory since it started its program):

* the worker's child writes it into the execution's log when scoring ends (``scored N rows in T s, peak
  memory M MiB``); as a check, a thread of this script polls the child's ``VmHWM`` every 50 ms, and
  its ``VmPeak`` (peak address space: what the child's ``RLIMIT_AS``, ``execution_memory_mb``, limits);
* the pandas script prints it as it ends.

``ru_maxrss`` (``getrusage``, ``wait4``, ``RUSAGE_CHILDREN``) is not used: Linux carries it across
``exec``, so a child started by a big process reports at least its parent's peak (measured: a child that
used 9 MiB reported 1.2 GB, its parent's). CPU seconds are user + system time: the child's from
``/proc/<pid>/stat`` (last poll), the pandas script's from ``os.wait4``.

Wall times: "execution" is ``Worker.run_once()`` (child start, imports, input check, scoring, storing
the results), "queue" is ``run_file`` (header check, hashing and copying the input into the store);
the pandas script's time includes its interpreter start and imports. rows/s uses the execution time.

Run from the repository root::

    .venv/bin/python bench/batch.py                         # 1,000,000 rows, then 10,000,000
    .venv/bin/python bench/batch.py --rows 200000 --big-rows 0
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FEATURES = [f"f{i:02d}" for i in range(20)]
_START = time.monotonic()

PANDAS_SCRIPT = """
import sys, time
import joblib, pandas as pd
model_path, input_path, output_path = sys.argv[1:4]
model = joblib.load(model_path)
frame = pd.read_csv(input_path)
frame["prediction"] = model.predict(frame[model.feature_names_in_])
frame.to_csv(output_path, index=False)
with open("/proc/self/status") as status:
    print([line.split()[1] for line in status if line.startswith("VmHWM:")][0])
"""


def say(message: str) -> None:
    print(f"[{time.monotonic() - _START:7.1f} s] {message}", file=sys.stderr, flush=True)


# --- data and model -------------------------------------------------------------------------------


def _features(rng: Any, n: int) -> dict[str, Any]:
    import numpy as np

    columns: dict[str, Any] = {}
    for i, name in enumerate(FEATURES[:16]):
        columns[name] = rng.normal(loc=i * 3.0, scale=1.0 + i % 5, size=n)
    for i, name in enumerate(FEATURES[16:]):
        columns[name] = rng.poisson(lam=2 + 3 * i, size=n).astype(np.int64)
    return columns


def _target(columns: dict[str, Any], rng: Any) -> Any:
    score = (
        columns["f00"]
        + 0.5 * (columns["f01"] - 3) * (columns["f02"] - 6)
        - 0.3 * (columns["f03"] - 9) ** 2
        + 0.2 * columns["f16"]
        - 0.1 * columns["f19"]
        + rng.normal(0, 1, len(columns["f00"]))
    )
    return (score > 0).astype(int)


def generate_csv(path: Path, rows: int, seed: int, chunk: int = 250_000) -> int:
    """Write ``rows`` rows in chunks (bounded memory); returns the file's size in bytes."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    done = 0
    last = time.monotonic()
    with pa.OSFile(str(path), "wb") as sink:
        while done < rows:
            n = min(chunk, rows - done)
            table = pa.table(_features(rng, n))
            pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=done == 0))
            done += n
            if time.monotonic() - last > 5:
                last = time.monotonic()
                say(f"  generating: {done:,} / {rows:,} rows")
    return path.stat().st_size


def train_model(path: Path) -> None:
    import joblib
    import numpy as np
    import pandas as pd
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(1)
    columns = _features(rng, 20_000)
    y = _target(columns, rng)
    model = HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=0)
    model.fit(pd.DataFrame(columns), y)
    joblib.dump(model, path)


# --- memory of processes --------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                found.extend(int(p) for p in fh.read().split())
        except OSError:
            continue
    return found


def _status_kib(pid: int, key: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far, from /proc/<pid>/stat."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ChildWatch:
    """Polls this process's children every 50 ms: the worker's child's VmHWM (its peak RSS) and CPU time."""

    def __init__(self, progress: Any = None) -> None:
        self.peak_kib = 0
        self.virtual_kib = 0
        self.cpu: float | None = None
        self.pid: int | None = None
        self._progress = progress
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ChildWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        last = time.monotonic()
        while not self._stop.wait(0.05):
            for pid in _children(os.getpid()):
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as fh:
                        command = fh.read()
                except OSError:
                    continue
                if b"modelport.batch.child" not in command:
                    continue
                self.pid = pid
                hwm = _status_kib(pid, "VmHWM")
                if hwm is not None:
                    self.peak_kib = max(self.peak_kib, hwm)
                virtual = _status_kib(pid, "VmPeak")
                if virtual is not None:
                    self.virtual_kib = max(self.virtual_kib, virtual)
                cpu = _cpu_seconds(pid)
                if cpu is not None:
                    self.cpu = cpu
            if self._progress is not None and time.monotonic() - last > 5:
                last = time.monotonic()
                rss = _status_kib(self.pid, "VmRSS") if self.pid else None
                self._progress(rss)


# --- the two contenders ---------------------------------------------------------------------------


@dataclass
class Outcome:
    label: str
    rows: int
    seconds: float
    peak_mib: float | None
    cpu: float | None = None
    note: str = ""
    check_mib: float | None = None
    virtual_mib: float | None = None


class Platform:
    """A modelport home with the benchmark model registered and deployed (Parquet and CSV results)."""

    def __init__(self, folder: Path, model_path: Path, chunk_rows: int | None) -> None:
        from fastapi.testclient import TestClient

        from modelport.api.app import create_app
        from modelport.context import Context
        from modelport.db.migrate import upgrade
        from modelport.schemas import ApiTokenCreate, Role, UserCreate
        from modelport.services.auth import AuthService
        from modelport.settings import Settings

        values: dict[str, Any] = {
            "home": folder / "home",
            "database_url": f"sqlite:///{folder / 'modelport.db'}",
            "artifact_root": str(folder / "artifacts"),
            "secret_key": "bench-secret-key",
            "worker_enabled": False,
            "scheduler_enabled": False,
            "execution_timeout_seconds": 3 * 3600,
        }
        if chunk_rows:
            values["batch_chunk_rows"] = chunk_rows
        self.ctx = Context.from_settings(Settings(**values))
        upgrade(self.ctx.db)
        auth = AuthService(self.ctx)
        password = "bench-password-1234"
        for name, role in (("ds", Role.data_scientist), ("analyst", Role.business_user)):
            auth.create_user(
                UserCreate(username=name, password=password, role=role, department="bench"), None
            )
        ds = auth.cli_principal("ds")
        self.analyst = auth.cli_principal("analyst")
        token = auth.create_token(ApiTokenCreate(name="bench"), ds).token
        headers = {"Authorization": f"Bearer {token}"}
        with TestClient(create_app(ctx=self.ctx), base_url="https://testserver") as client:
            card = {"name": "bench", "title": "Bench", "department": "bench", "markets": ["FR"]}
            response = client.post("/api/v1/models", json=card, headers=headers)
            assert response.status_code == 201, response.text
            response = client.post(
                "/api/v1/models/bench/versions",
                files={"file": ("hgb.joblib", model_path.read_bytes())},
                data={"meta": '{"aliases": ["champion"]}'},
                headers=headers,
            )
            assert response.status_code == 201, response.text
            for name, fmt in (("bench-parquet", "parquet"), ("bench-csv", "csv")):
                body = {
                    "name": name,
                    "model": "bench",
                    "alias": "champion",
                    "market": "FR",
                    "output": {"format": fmt},
                }
                response = client.post("/api/v1/deployments", json=body, headers=headers)
                assert response.status_code == 201, response.text

    def execute(self, deployment: str, csv_path: Path, rows: int) -> tuple[Outcome, float, Path]:
        """Queue and run one execution; the outcome, the queueing seconds and the results' path."""
        from modelport.batch.worker import Worker
        from modelport.services.executions import ExecutionService
        from modelport.stores.executions import ExecutionStore

        service = ExecutionService(self.ctx)
        started = time.monotonic()
        execution = service.run_file(deployment, csv_path, csv_path.name, self.analyst)
        queued = time.monotonic() - started

        def progress(rss_kib: int | None) -> None:
            with self.ctx.db.session() as s:
                done = ExecutionStore(s).get(execution.id).rows_read or 0
            rss = f"{rss_kib / 1024:,.0f} MiB" if rss_kib else "-"
            say(f"  execution: {done:,} / {rows:,} rows read, child RSS {rss}")

        started = time.monotonic()
        with ChildWatch(progress) as watch:
            assert Worker(self.ctx).run_once()
        seconds = time.monotonic() - started
        done = service.get(execution.id, self.analyst)
        if done.status != "succeeded":
            logs = "\n".join(line.message for line in service.logs(execution.id, self.analyst))
            raise SystemExit(f"the execution {done.status}: {done.error}\n{logs}")
        assert done.rows_written == rows, (done.rows_written, rows)
        peak = None
        for line in service.logs(execution.id, self.analyst):
            match = re.search(r"peak memory ([\d,]+) MiB", line.message)
            if match:
                peak = float(match.group(1).replace(",", ""))
        fmt = deployment.removeprefix("bench-")
        results, _ = service.results_file(execution.id, self.analyst, fmt)
        outcome = Outcome(
            f"modelport execution, {fmt} output",
            rows,
            seconds,
            peak,
            cpu=watch.cpu,
            check_mib=watch.peak_kib / 1024 if watch.peak_kib else None,
            virtual_mib=watch.virtual_kib / 1024 if watch.virtual_kib else None,
        )
        return outcome, queued, results


def run_pandas(model_path: Path, csv_path: Path, output: Path, rows: int) -> Outcome:
    started = time.monotonic()
    child = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", PANDAS_SCRIPT, str(model_path), str(csv_path), str(output)],
        stdout=subprocess.PIPE,
    )
    assert child.stdout is not None
    printed = child.stdout.read().decode().split()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    if child.returncode != 0:
        raise SystemExit(f"the pandas script failed (exit status {child.returncode})")
    cpu = usage.ru_utime + usage.ru_stime
    return Outcome("pandas read_csv+predict+to_csv", rows, seconds, int(printed[-1]) / 1024, cpu)


def same_predictions(results: Path, fmt: str, pandas_output: Path) -> bool:
    import numpy as np
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    def column(path: Path, fmt: str) -> Any:
        if fmt == "parquet":
            return pq.read_table(path, columns=["prediction"]).column(0).to_numpy()
        options = pacsv.ConvertOptions(include_columns=["prediction"])
        return pacsv.read_csv(path, convert_options=options).column(0).to_numpy()

    return bool(np.array_equal(column(results, fmt), column(pandas_output, "csv")))


# --- main -----------------------------------------------------------------------------------------


def _mem_available_mib() -> float:
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _table(outcomes: list[Outcome]) -> str:
    header = f"{'case':<40} {'rows':>11} {'wall s':>7} {'rows/s':>9} {'CPU s':>7} {'peak RSS MiB':>12}  note"
    lines = [header, "-" * len(header)]
    for o in outcomes:
        peak = f"{o.peak_mib:,.0f}" if o.peak_mib is not None else "-"
        rate = f"{o.rows / o.seconds:,.0f}" if o.seconds else "-"
        seconds = f"{o.seconds:.1f}" if o.seconds else "-"
        cpu = f"{o.cpu:.1f}" if o.cpu is not None else "-"
        note = o.note
        if o.check_mib is not None:
            note = f"polled: VmHWM {o.check_mib:,.0f}, VmPeak {o.virtual_mib or 0:,.0f} MiB; {note}".strip()
        lines.append(f"{o.label:<40} {o.rows:>11,} {seconds:>7} {rate:>9} {cpu:>7} {peak:>12}  {note}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the speed case")
    parser.add_argument("--big-rows", type=int, default=10_000_000, help="rows of the memory case (0: skip)")
    parser.add_argument("--threads", type=int, default=0, help="OpenMP/BLAS threads (default: cores - 1)")
    parser.add_argument(
        "--chunk-rows", type=int, default=0, help="settings.batch_chunk_rows (default: its own)"
    )
    parser.add_argument(
        "--big-pandas",
        choices=("auto", "yes", "no"),
        default="auto",
        help="run the pandas script on the big file: auto = when the memory it needs is available",
    )
    parser.add_argument("--no-csv-results", action="store_true", help="skip the execution with CSV results")
    parser.add_argument("--tmp", type=Path, default=None, help="folder for the temporary files")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    cores = len(os.sched_getaffinity(0))
    load_start = os.getloadavg()[0]
    threads = args.threads or max(1, cores - 1)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)

    import modelport
    from modelport.settings import Settings

    chunk_rows = args.chunk_rows or Settings.model_fields["batch_chunk_rows"].default
    memory_limit = Settings.model_fields["execution_memory_mb"].default
    folder = Path(tempfile.mkdtemp(prefix="modelport-bench-batch-", dir=args.tmp))
    say(
        f"modelport {getattr(modelport, '__version__', '?')}, {cores} cores, OMP/BLAS threads {threads}, "
        f"chunk {chunk_rows:,} rows, child memory limit (RLIMIT_AS) {memory_limit:,} MiB, in {folder}"
    )
    outcomes: list[Outcome] = []
    notes: list[str] = []
    try:
        model_path = folder / "hgb.joblib"
        train_model(model_path)
        say("trained HistGradientBoostingClassifier (100 trees, 20 features)")
        platform = Platform(folder, model_path, args.chunk_rows or None)
        say("registered and deployed it (parquet and csv results)")

        csv_path = folder / "input.csv"
        say(f"generating {args.rows:,} rows")
        size = generate_csv(csv_path, args.rows, seed=2)
        say(f"  {size / 2**20:,.0f} MiB")
        outcome, queued, results = platform.execute("bench-parquet", csv_path, args.rows)
        outcome.note = f"+ {queued:.1f} s to queue"
        outcomes.append(outcome)
        say(f"{outcome.label}: {outcome.seconds:.1f} s")
        if not args.no_csv_results:
            csv_outcome, queued, _ = platform.execute("bench-csv", csv_path, args.rows)
            csv_outcome.note = f"+ {queued:.1f} s to queue"
            outcomes.append(csv_outcome)
            say(f"{csv_outcome.label}: {csv_outcome.seconds:.1f} s")
        pandas_output = folder / "pandas-output.csv"
        plain = run_pandas(model_path, csv_path, pandas_output, args.rows)
        same = same_predictions(results, "parquet", pandas_output)
        plain.note = "same predictions" if same else "PREDICTIONS DIFFER"
        outcomes.append(plain)
        say(f"{plain.label}: {plain.seconds:.1f} s")
        pandas_peak_per_row = (plain.peak_mib or 0) / args.rows
        bytes_per_row = size / args.rows
        pandas_output.unlink()
        csv_path.unlink()
        shutil.rmtree(platform.ctx.cache_dir, ignore_errors=True)

        big = args.big_rows
        if big:
            # The input exists three times at most (the file, its stored copy, the worker's cached copy),
            # plus the Parquet results and, for the pandas script, its CSV output.
            free = shutil.disk_usage(folder).free
            need = bytes_per_row * big * 4.5
            if need > free * 0.9:
                fitted = int(free * 0.9 / (bytes_per_row * 4.5))
                notes.append(
                    f"disk: {free / 2**30:.0f} GiB free, the big case was cut from {big:,} to {fitted:,} rows"
                )
                big = fitted
            say(f"generating {big:,} rows (~{bytes_per_row * big / 2**30:.1f} GiB)")
            size = generate_csv(csv_path, big, seed=3)
            say(f"  {size / 2**20:,.0f} MiB")
            outcome, queued, results = platform.execute("bench-parquet", csv_path, big)
            outcome.note = f"+ {queued:.1f} s to queue"
            outcomes.append(outcome)
            say(f"{outcome.label}: {outcome.seconds:.1f} s")
            need_mib = pandas_peak_per_row * big * 1.3
            available = _mem_available_mib()
            run_it = args.big_pandas == "yes" or (args.big_pandas == "auto" and need_mib < available * 0.7)
            if run_it:
                plain = run_pandas(model_path, csv_path, pandas_output, big)
                same = same_predictions(results, "parquet", pandas_output)
                plain.note = "same predictions" if same else "PREDICTIONS DIFFER"
                outcomes.append(plain)
                say(f"{plain.label}: {plain.seconds:.1f} s")
            else:
                reason = (
                    "--big-pandas no"
                    if args.big_pandas == "no"
                    else (f"it would need ~{need_mib:,.0f} MiB, {available:,.0f} MiB available")
                )
                skipped = Outcome("pandas read_csv+predict+to_csv", big, 0.0, None, note=f"skipped: {reason}")
                outcomes.append(skipped)
    finally:
        if args.keep:
            say(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print()
    print(
        f"Batch scoring, HistGradientBoostingClassifier (100 trees) on 20 numeric columns; {cores} cores, "
        f"OMP/BLAS threads {threads} in both; chunk {chunk_rows:,} rows"
    )
    print(_table(outcomes))
    print(
        f"load average (1 min) of the machine: {load_start:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end ({cores} cores); "
        "CPU s = user + system time of the scoring process"
    )
    for note in notes:
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

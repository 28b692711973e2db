"""Dataset reading benchmark: ``read_dataset`` on a generated CSV, time and peak memory.

Generates a CSV of about ``--mb`` MB (default 50) with the columns a business export has: an id, a
zero-padded code, amounts, counts, a category, ISO dates with an offset, booleans, free text and a
number column with ``?`` for missing values. Each reader runs in a fresh subprocess that reports its
wall time and its peak resident memory (``VmHWM`` of ``/proc/self/status``) and the memory it held
after its imports (the difference is what reading cost):

* ``read_dataset`` (modelport.tabular.parsing): whole-file read, typed, with the report;
* ``pandas.read_csv`` with its defaults, for reference (it types less: dates and the ``?`` column stay
  text, the code loses its zeros).

Run from the repository root::

    .venv/bin/python bench/dataset_read.py              # 50 MB
    .venv/bin/python bench/dataset_read.py --mb 200 --keep
    .venv/bin/python bench/dataset_read.py --file export.csv   # an existing file
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def _peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def generate(path: Path, megabytes: float, seed: int = 0) -> int:
    """Write the CSV in chunks of 100,000 rows until it reaches ``megabytes``; returns its rows."""
    rng = np.random.default_rng(seed)
    regions = np.array(["Nord", "Sud", "Est", "Ouest", "Île-de-France", "Outre-mer"])
    words = np.array(["late", "paid", "refund", "call back", "VIP", "new", "churn risk", "ok"])
    start = pd.Timestamp("2020-01-01T00:00:00+02:00")
    rows = 0
    target = megabytes * 1_000_000
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("id,code,amount,quantity,region,signup,active,note,score\n")
        while out.tell() < target:
            n = 100_000
            ids = np.arange(rows, rows + n)
            score = np.round(rng.normal(50, 15, n), 2).astype(str)
            score[rng.random(n) < 0.03] = "?"
            frame = pd.DataFrame(
                {
                    "id": ids,
                    "code": [f"{v:05d}" for v in rng.integers(0, 99_999, n)],
                    "amount": np.round(rng.lognormal(4, 1, n), 2),
                    "quantity": rng.integers(0, 500, n),
                    "region": regions[rng.integers(0, len(regions), n)],
                    "signup": (
                        start + pd.to_timedelta(rng.integers(0, 4 * 365 * 86400, n), unit="s")
                    ).strftime("%Y-%m-%dT%H:%M:%S+02:00"),
                    "active": np.where(rng.random(n) < 0.7, "true", "false"),
                    "note": [f"{words[a]} {words[b]} #{c}" for a, b, c in rng.integers(0, 8, (n, 3))],
                    "score": score,
                }
            )
            frame.to_csv(out, header=False, index=False)
            rows += n
    return rows


def _child(reader: str, path: str) -> None:
    if reader == "read_dataset":
        from modelport.tabular.parsing import read_dataset

        baseline = _rss_mib()
        started, cpu = time.perf_counter(), time.process_time()
        frame, report = read_dataset(Path(path), Path(path).name)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        extra = {"missing_tokens": report.missing_tokens}
    else:
        baseline = _rss_mib()
        started, cpu = time.perf_counter(), time.process_time()
        frame = pd.read_csv(path)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        extra = {}
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu,
                "peak_mib": _peak_mib(),
                "baseline_mib": baseline,
                "frame_mib": frame.memory_usage(deep=True).sum() / 2**20,
                "rows": len(frame),
                "dtypes": {str(k): str(v) for k, v in frame.dtypes.items()},
                **extra,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=float, default=50.0, help="size of the generated CSV in MB")
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    parser.add_argument("--file", type=Path, help="read this CSV instead of generating one")
    parser.add_argument("--child", nargs=2, metavar=("READER", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    if args.file is not None:
        _compare(args.file)
        return
    folder = Path(tempfile.mkdtemp(prefix="dataset_read_"))
    path = folder / "export.csv"
    try:
        started = time.perf_counter()
        rows = generate(path, args.mb)
        size = path.stat().st_size / 1_000_000
        print(f"generated {path} ({size:.1f} MB, {rows:,} rows) in {time.perf_counter() - started:.1f} s")
        _compare(path)
    finally:
        if args.keep:
            print(f"kept {path}")
        else:
            path.unlink(missing_ok=True)
            folder.rmdir()


def _compare(path: Path) -> None:
    for reader in ("read_dataset", "pandas.read_csv"):
        result = subprocess.run(
            [sys.executable, __file__, "--child", reader, str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
        report = json.loads(result.stdout)
        print(
            f"{reader:16} {report['seconds']:6.2f} s (CPU {report['cpu_seconds']:.2f} s)  "
            f"peak {report['peak_mib']:5.0f} MiB (after imports {report['baseline_mib']:.0f} MiB, "
            f"frame {report['frame_mib']:.0f} MiB)  {report['rows']:,} rows"
        )
        print(f"{'':16} dtypes {report['dtypes']}")
        if "missing_tokens" in report:
            print(f"{'':16} missing tokens {report['missing_tokens']}")


if __name__ == "__main__":
    main()

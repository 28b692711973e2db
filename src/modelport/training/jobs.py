"""Profiles and trainings on the worker, inside its child process (:mod:`modelport.batch.child`).

Like a batch run (:mod:`modelport.batch.executor`), every write about the execution names its attempt
and is refused (:class:`~modelport.stores.executions.StaleAttempt`) once the attempt lost it: the job
then stops and records nothing more; its files are written in the attempt's own folder and published
only after a fenced check. A training writes its live leaderboard to its row on every update of the
trainer, its progress to the execution, its log lines to the execution's log; it stops at the next
trial when cancelled (the worker also kills it at its next heartbeat), and the worker stops it at its
time limit (its budget plus slack, in the execution's input). When ``mlflow_tracking_uri`` is set, the
finished run is mirrored to that MLflow server (a failure there is logged, not fatal).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

import pandas as pd

from modelport.batch.cleanup import owned_prefix
from modelport.clock import utcnow
from modelport.context import Context
from modelport.errors import ModelportError
from modelport.flavors import serialize_model
from modelport.schemas import LeaderboardEntry, ReferenceData, Training
from modelport.stores.datasets import DatasetStore, VersionFiles
from modelport.stores.executions import ExecutionStore, StaleAttempt
from modelport.stores.trainings import TrainingStore
from modelport.tabular.parsing import read_parquet, write_parquet
from modelport.training.automl import TrainingCancelled, TrainOptions, train
from modelport.training.evaluate import evaluate
from modelport.training.profile import column_stats, profile_frame

log = logging.getLogger("modelport.training")

REFERENCE_ROWS = 5000
"""Rows of the training data kept as a registered version's reference sample."""


class JobReporter:
    """Progress, logs and the cancel flag of one attempt, through the metadata store. Progress is
    written at most once a second (and whenever ``force``); every write is fenced by the attempt."""

    def __init__(self, ctx: Context, execution_id: int, attempt: int) -> None:
        self.ctx, self.execution_id, self.attempt = ctx, execution_id, attempt
        self._last = self._checked = 0.0
        self._cancelled = False

    def progress(self, fraction: float, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < 1.0:
            return
        self._last = now
        with self.ctx.db.session() as s:
            store = ExecutionStore(s)
            store.progress(self.execution_id, self.attempt, progress=max(0.0, min(0.99, fraction)))
            self._cancelled = store.cancel_requested(self.execution_id)

    def log(self, message: str, level: str = "info") -> None:
        with self.ctx.db.session() as s:
            ExecutionStore(s).log(self.execution_id, message, level, attempt=self.attempt)

    def cancelled(self) -> bool:
        """Whether a cancellation was asked (read at most once a second). Raises StaleAttempt once the
        attempt lost the execution, which stops the trainer as well."""
        now = time.monotonic()
        if now - self._checked >= 1.0:
            self._checked = now
            with self.ctx.db.session() as s:
                store = ExecutionStore(s)
                store.check(self.execution_id, self.attempt)
                self._cancelled = store.cancel_requested(self.execution_id)
        return self._cancelled

    def fail(self, message: str, trace: str | None = None) -> str:
        with self.ctx.db.session() as s:
            store = ExecutionStore(s)
            store.log(self.execution_id, message, "error", attempt=self.attempt)
            if trace:
                store.log(self.execution_id, trace, "debug", attempt=self.attempt)
            store.finish(self.execution_id, "failed", attempt=self.attempt, error=message[:2000])
        return "failed"

    def cancel(self) -> str:
        with self.ctx.db.session() as s:
            store = ExecutionStore(s)
            store.log(self.execution_id, "stopped: cancelled", attempt=self.attempt)
            store.finish(
                self.execution_id, "cancelled", attempt=self.attempt, error="cancelled while running"
            )
        return "cancelled"


def run_job(ctx: Context, kind: str, execution_id: int, attempt: int) -> str:
    """Run ``attempt`` of a claimed profile or training to its end; returns its final status, or
    ``stale`` when the attempt lost the execution meanwhile."""
    runner = {"profile": run_profile, "train": run_training}.get(kind)
    if runner is None:
        raise ValueError(f"no job of kind {kind!r}")
    return runner(ctx, execution_id, attempt)


def _guarded(ctx: Context, execution_id: int, attempt: int, job: Any) -> str:
    """Run ``job(reporter)``, recording any failure on the execution; ``stale`` when fenced out."""
    reporter = JobReporter(ctx, execution_id, attempt)
    try:
        return str(job(reporter))
    except StaleAttempt:
        log.warning("execution %s: attempt %s no longer holds it; stopped", execution_id, attempt)
        return "stale"
    except TrainingCancelled:
        return _settle(reporter.cancel)
    except ModelportError as error:
        message = error.message
        return _settle(lambda: reporter.fail(message))
    except Exception as exc:  # noqa: BLE001 - any failure of a job is recorded on its execution
        log.exception("execution %s failed", execution_id)
        message = f"{type(exc).__name__}: {exc}"
        trace = traceback.format_exc(limit=5)
        return _settle(lambda: reporter.fail(message, trace))


def _settle(record: Any) -> str:
    try:
        return str(record())
    except StaleAttempt:
        return "stale"


def _dataset_files(ctx: Context, name: str | None, version: int | None) -> VersionFiles:
    with ctx.db.session() as s:
        return DatasetStore(s).files(str(name), version, None)


def _frame(ctx: Context, files: VersionFiles) -> pd.DataFrame:
    return read_parquet(ctx.artifacts.local_cache_path(files.data_sha256, ctx.cache_dir))


# --- profile ---------------------------------------------------------------------------------------


def run_profile(ctx: Context, execution_id: int, attempt: int) -> str:
    """Compute and store the profile of the execution's dataset version."""

    def job(reporter: JobReporter) -> str:
        with ctx.db.session() as s:
            execution = ExecutionStore(s).get(execution_id)
        files = _dataset_files(ctx, execution.dataset, execution.dataset_version)
        reporter.log(f"profiling {files.name} version {files.version} (attempt {attempt})")
        started = time.monotonic()
        frame = _frame(ctx, files)
        reporter.progress(0.05, force=True)
        profile = profile_frame(frame, on_progress=lambda share: reporter.progress(0.05 + 0.9 * share))
        with ctx.db.session() as s:
            store = ExecutionStore(s)
            store.check(execution_id, attempt)
            DatasetStore(s).set_profile(files.version_id, profile)
            store.log(
                execution_id,
                f"profiled {profile.rows} rows and {len(profile.columns)} columns in "
                f"{time.monotonic() - started:.1f} s: {len(profile.warnings)} warning(s)",
                attempt=attempt,
            )
            store.finish(
                execution_id,
                "succeeded",
                attempt=attempt,
                progress=1.0,
                rows_read=profile.rows,
                rows_total=profile.rows,
                summary={
                    "rows": profile.rows,
                    "columns": len(profile.columns),
                    "warnings": len(profile.warnings),
                    "suggested_targets": profile.suggested_targets,
                },
            )
        return "succeeded"

    return _guarded(ctx, execution_id, attempt, job)


# --- training --------------------------------------------------------------------------------------


def _options(training: Training) -> TrainOptions:
    o = training.options
    return TrainOptions(
        target=training.target,
        task=training.task,
        metric=training.metric,
        budget_s=training.budget_s,
        folds=int(o.get("folds", 5)),
        holdout=float(o.get("holdout", 0.2)),
        seed=int(o.get("seed", 0)),
        time_column=o.get("time_column"),
        candidates=o.get("candidates"),
        steps=list(training.steps),
    )


def _entries(leaderboard: list[LeaderboardEntry]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    board = [entry.model_dump(mode="json") for entry in leaderboard]
    return board, board[0] if board else None


def run_training(ctx: Context, execution_id: int, attempt: int) -> str:
    """Run the training of the execution: search, evaluate on the holdout, store the pipeline, the
    holdout rows and the reference sample, mirror to MLflow when configured."""

    def job(reporter: JobReporter) -> str:
        with ctx.db.session() as s:
            training_id = TrainingStore(s).id_of_execution(execution_id)
            training = TrainingStore(s).get(training_id, None)
        files = _dataset_files(ctx, training.dataset, training.dataset_version)
        reporter.log(
            f"training {training_id}: {training.target!r} on {files.name} version {files.version}, "
            f"budget {training.budget_s} s (attempt {attempt})"
        )
        folder = Path(
            tempfile.mkdtemp(prefix=owned_prefix(f"training-{execution_id}-a{attempt}"), dir=ctx.tmp_dir)
        )
        try:
            return _train(ctx, reporter, training, files, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    return _guarded(ctx, execution_id, attempt, job)


def _train(ctx: Context, reporter: JobReporter, training: Training, files: VersionFiles, folder: Path) -> str:
    execution_id, attempt = reporter.execution_id, reporter.attempt
    frame = _frame(ctx, files)
    reporter.progress(0.02, force=True)

    def on_update(leaderboard: list[LeaderboardEntry], fraction: float) -> None:
        board, best = _entries(leaderboard)
        with ctx.db.session() as s:
            ExecutionStore(s).check(execution_id, attempt)  # fences the training row's write too
            TrainingStore(s).update(training.id, leaderboard=board, best=best)
        reporter.progress(0.02 + 0.83 * fraction, force=True)

    options = _options(training)
    outcome = train(frame, options, on_update=on_update, log=reporter.log, cancelled=reporter.cancelled)
    with ctx.db.session() as s:
        ExecutionStore(s).check(execution_id, attempt)
        TrainingStore(s).update(training.id, task=outcome.task, metric=outcome.metric)
    reporter.log(f"evaluating the best pipeline on {len(outcome.y_holdout)} holdout rows")
    reporter.progress(0.87, force=True)
    evaluation = evaluate(
        outcome.pipeline,
        outcome.X_holdout,
        outcome.y_holdout,
        outcome.task,  # type: ignore[arg-type]
        outcome.metric,
        threshold=outcome.threshold,
        seed=options.seed,
    )
    reporter.progress(0.95, force=True)
    model_path = serialize_model(outcome.pipeline, folder / "model")
    holdout = outcome.X_holdout.copy()
    holdout[training.target] = outcome.y_holdout.to_numpy()
    write_parquet(holdout, folder / "holdout.parquet")
    rows = outcome.X_train.copy()
    rows[training.target] = outcome.y_train.to_numpy()
    sample = rows.sample(n=min(REFERENCE_ROWS, len(rows)), random_state=options.seed).sort_index()
    write_parquet(sample, folder / "reference.parquet")
    stats = column_stats(rows)
    with ctx.db.session() as s:  # no file leaves this attempt's folder unless it still holds the run
        ExecutionStore(s).check(execution_id, attempt)
    model = ctx.artifacts.put_file(model_path)
    holdout_ref = ctx.artifacts.put_file(folder / "holdout.parquet")
    sample_ref = ctx.artifacts.put_file(folder / "reference.parquet")
    reference = ReferenceData(sample_sha256=sample_ref.sha256, rows=len(sample), stats=stats)
    board, best = _entries(outcome.leaderboard)
    with ctx.db.session() as s:
        ExecutionStore(s).check(execution_id, attempt)
        TrainingStore(s).update(
            training.id,
            leaderboard=board,
            best=best,
            evaluation=evaluation.model_dump(mode="json"),
            model_sha256=model.sha256,
            holdout_sha256=holdout_ref.sha256,
            reference=reference.model_dump(mode="json"),
        )
    headline = evaluation.metrics.get(outcome.metric)
    reporter.log(
        f"best {outcome.best.candidate}: {outcome.metric} {outcome.best.mean:.4f} in cross-validation"
        + (f", {headline:.4f} on the holdout" if headline is not None else "")
        + f"; {len(outcome.leaderboard)} trial(s) in {outcome.seconds:.1f} s"
    )
    extra = {"model_sha256": model.sha256, "holdout_sha256": holdout_ref.sha256, "attempt": attempt}
    _mirror(ctx, reporter, training.id, model_path, extra)
    with ctx.db.session() as s:
        ExecutionStore(s).finish(
            execution_id,
            "succeeded",
            attempt=attempt,
            progress=1.0,
            rows_read=len(frame),
            rows_total=len(frame),
            summary={
                "task": outcome.task,
                "metric": outcome.metric,
                "best": outcome.best.candidate,
                "cv": outcome.best.mean,
                "holdout": headline,
                "trials": len(outcome.leaderboard),
                "seconds": round(outcome.seconds, 2),
            },
        )
    return "succeeded"


def _mirror(
    ctx: Context, reporter: JobReporter, training_id: int, model_path: Path, extra: dict[str, Any]
) -> None:
    """Mirror the finished training to MLflow when a tracking server is configured; a failure there is
    logged as a warning and the training still succeeds."""
    uri = ctx.settings.mlflow_tracking_uri
    if not uri:
        return
    from modelport.training.tracking import mirror

    with ctx.db.session() as s:
        training = TrainingStore(s).get(training_id, None)
    finished = training.model_copy(update={"status": "succeeded", "progress": 1.0, "finished_at": utcnow()})
    try:
        run_id = mirror(uri, finished, model_path, extra)
    except ModelportError as exc:
        reporter.log(f"not mirrored to MLflow: {exc.message}", "warning")
        return
    with ctx.db.session() as s:
        ExecutionStore(s).check(reporter.execution_id, reporter.attempt)
        TrainingStore(s).update(training_id, mlflow_run_id=run_id)
    reporter.log(f"mirrored to MLflow at {uri} as run {run_id}")

"""Trainings: started on a dataset version (checked up front, then run on the worker as an execution of
kind ``train``), followed, cancelled, and their best pipeline registered as a model version.

Registering writes the fitted pipeline (skops, a safe format) through the catalog's own path
(:meth:`CatalogService.register_version`, with a sample of the raw training rows for the schema), then
records its lineage (dataset version, training) and reference data (a sample of the training rows and
their statistics, for drift), and a challenger report: the model's ``champion`` scored on the same
holdout. Promoting the new version stays a separate, audited alias move.

Roles: viewers read trainings of the datasets they may see; data scientists start, cancel and register.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from modelport import __version__
from modelport.columns import ModelSchema
from modelport.context import Context
from modelport.errors import AlreadyExists, Conflict, InvalidArgument, ModelportError, NotFound
from modelport.flavors import load_model
from modelport.flavors.base import Prediction
from modelport.principal import Principal
from modelport.schemas import (
    ChallengerReport,
    Lineage,
    ModelCreate,
    ModelVersion,
    Page,
    ReferenceData,
    Role,
    Training,
    TrainingCreate,
    TrainingRegister,
    VersionMeta,
)
from modelport.services.auth import require
from modelport.services.catalog import CatalogService
from modelport.services.datasets import load_frame
from modelport.stores.audit import AuditStore, record
from modelport.stores.catalog import CatalogStore
from modelport.stores.datasets import DatasetStore
from modelport.stores.executions import ExecutionStore
from modelport.stores.trainings import TrainingStore
from modelport.tabular.parsing import read_parquet
from modelport.training import cleaning, metrics
from modelport.training.automl import TrainOptions, check_trainable

CHAMPION = "champion"


def time_limit(ctx: Context, budget_s: int) -> int:
    """Seconds a training's process may run: its budget plus the slack for the final fit, the
    evaluation and saving (the setting, or half the budget when that is longer)."""
    return budget_s + max(ctx.settings.training_slack_seconds, budget_s // 2)


def train_options(body: TrainingCreate, steps: list[Any]) -> TrainOptions:
    """The trainer's options for a request (the worker reads a recorded training's the same way)."""
    return TrainOptions(
        target=body.target,
        task=body.task,
        metric=body.metric,
        budget_s=body.budget_s,
        folds=body.folds,
        holdout=body.holdout,
        seed=body.seed,
        time_column=body.time_column,
        candidates=list(body.candidates) if body.candidates else None,
        steps=steps,
    )


def _columns_named(columns: list[str], limit: int = 30) -> str:
    return ", ".join(columns[:limit]) + (", ..." if len(columns) > limit else "")


class TrainingService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # --- start and follow ------------------------------------------------------------------------

    def start(self, body: TrainingCreate, principal: Principal) -> Training:
        """Check the request against the dataset version (target, time column, steps, then what the
        trainer refuses: no feature column, an empty target, one class...) and queue the training.
        InvalidArgument names the field at fault; nothing is queued then."""
        require(principal, Role.data_scientist)
        with self.ctx.db.session() as s:
            store = DatasetStore(s)
            dataset = store.get(body.dataset, body.version, principal)
            files = store.files(body.dataset, dataset.version, principal)
        steps = list(body.steps) if body.steps is not None else list(dataset.steps)
        where = f"dataset {dataset.name!r} version {dataset.version}"
        if body.target not in files.columns:
            raise InvalidArgument(
                f"{where} has no column {body.target!r} (its columns: {_columns_named(files.columns)})",
                field="target",
            )
        if body.time_column is not None and body.time_column not in files.columns:
            raise InvalidArgument(
                f"{where} has no column {body.time_column!r} to order by time", field="time_column"
            )
        cleaning.check_steps(files.columns, steps)
        options = train_options(body, steps)
        check_trainable(load_frame(self.ctx, files.data_sha256), options)
        with self.ctx.db.session() as s:
            executions = ExecutionStore(s)
            execution_id = executions.create_job(
                "train",
                files.version_id,
                triggered_by=principal.username,
                input_ref={
                    "kind": "dataset",
                    "dataset": dataset.name,
                    "version": dataset.version,
                    "time_limit_s": time_limit(self.ctx, body.budget_s),
                },
            )
            trainings = TrainingStore(s)
            training_id = trainings.create(
                execution_id,
                files.version_id,
                principal.user_id,
                target=body.target,
                task=body.task,
                metric=body.metric,
                budget_s=body.budget_s,
                steps=[step.model_dump(mode="json") for step in steps],
                options={
                    "folds": body.folds,
                    "holdout": body.holdout,
                    "seed": body.seed,
                    "time_column": body.time_column,
                    "candidates": body.candidates,
                },
                code_version=__version__,
            )
            executions.log(
                execution_id,
                f"training {training_id} of {body.target!r} on {dataset.name} version {dataset.version} "
                f"({body.budget_s} s) queued by {principal.username}",
            )
            record(
                AuditStore(s),
                principal,
                "training.start",
                "training",
                str(training_id),
                dataset=dataset.name,
                version=dataset.version,
                column=body.target,
                budget_s=body.budget_s,
                execution=execution_id,
            )
            return trainings.get(training_id, None)

    def get(self, training_id: int, principal: Principal) -> Training:
        with self.ctx.db.session() as s:
            return TrainingStore(s).get(training_id, principal)

    def list_trainings(
        self,
        principal: Principal,
        page: int,
        page_size: int,
        dataset: str | None = None,
        status: str | None = None,
    ) -> Page[Training]:
        with self.ctx.db.session() as s:
            return TrainingStore(s).list_trainings(principal, page, page_size, dataset=dataset, status=status)

    def cancel(self, training_id: int, principal: Principal) -> Training:
        """Cancel a queued training at once, or stop a running one (its worker stops it within seconds).
        Conflict when it has ended."""
        require(principal, Role.data_scientist)
        with self.ctx.db.session() as s:
            trainings = TrainingStore(s)
            training = trainings.get(training_id, principal)
            executions = ExecutionStore(s)
            status = executions.request_cancel(training.execution)
            executions.log(training.execution, f"cancel requested by {principal.username}")
            record(AuditStore(s), principal, "training.cancel", "training", str(training_id), status=status)
        return self.get(training_id, principal)

    # --- register --------------------------------------------------------------------------------

    def register(self, training_id: int, body: TrainingRegister, principal: Principal) -> ModelVersion:
        """Register the training's best pipeline as the next version of model ``body.model`` (created
        from the card when it does not exist), with lineage, reference data and a challenger report
        against the model's champion. Conflict unless the training succeeded."""
        require(principal, Role.data_scientist)
        with self.ctx.db.session() as s:
            trainings = TrainingStore(s)
            training = trainings.get(training_id, principal)
            files = trainings.files(training_id)
        if training.status != "succeeded" or not files.model_sha256 or not files.holdout_sha256:
            raise Conflict(
                f"training {training_id} has no model to register (it is {training.status})",
                field="training",
            )
        catalog = CatalogService(self.ctx)
        self._model_for(catalog, body, principal)
        holdout = read_parquet(self.ctx.artifacts.local_cache_path(files.holdout_sha256, self.ctx.cache_dir))
        challenger = self._challenger(training, holdout, files.model_sha256, body.model, principal)
        sample = self._schema_sample(files.reference, training.target)
        meta = VersionMeta(
            description=body.description
            or f"Trained on {training.dataset} version "
            f"{training.dataset_version} (training {training.id}), target {training.target}.",
            metrics=self._version_metrics(training),
            params=self._version_params(training),
            training_data=f"dataset {training.dataset} version {training.dataset_version} "
            f"(sha256 {training.dataset_sha256})",
            source_version=f"training {training.id}",
            aliases=body.aliases,
        )
        with tempfile.TemporaryDirectory(dir=self.ctx.tmp_dir) as tmp:
            filename = f"{body.model}-training-{training.id}.skops"
            path = Path(tmp) / filename
            shutil.copyfile(self.ctx.artifacts.local_cache_path(files.model_sha256, self.ctx.cache_dir), path)
            version = catalog.register_version(body.model, principal, path, filename, meta, sample=sample)
        lineage = Lineage(
            dataset=training.dataset,
            dataset_version=training.dataset_version,
            dataset_sha256=training.dataset_sha256,
            training=training.id,
            target=training.target,
            steps=training.steps,
        )
        # A column the cleaning drops before anything reads it is no input of the served model (its
        # Cleaner adds it as missing): the schema leaves it out, so no form or request has to fill it.
        unread = set(cleaning.unread_columns(version.input_schema.names(), training.steps))
        with self.ctx.db.session() as s:
            if unread:
                kept = [c for c in version.input_schema.columns if c.name not in unread]
                CatalogStore(s).set_input_schema(
                    body.model,
                    str(version.version),
                    ModelSchema(columns=kept).model_dump(exclude_none=True),
                    principal,
                )
            version = CatalogStore(s).set_lineage(
                body.model, version.version, lineage, files.reference, principal
            )
            trainings = TrainingStore(s)
            trainings.add_registered(training_id, body.model, version.version)
            trainings.update(training_id, challenger=challenger.model_dump(mode="json"))
            record(
                AuditStore(s),
                principal,
                "training.register",
                "training",
                str(training_id),
                model=body.model,
                version=version.version,
                champion=challenger.champion_version,
                better=challenger.better,
            )
        return version

    def _model_for(self, catalog: CatalogService, body: TrainingRegister, principal: Principal) -> None:
        """Create model ``body.model`` from the card when it does not exist (or the caller cannot see it:
        the create then says the name is taken)."""
        try:
            catalog.get_model(body.model, principal)
            return
        except NotFound:
            pass
        department = body.department or principal.department
        if not department:
            raise InvalidArgument(f"model {body.model!r} is new: give its department", field="department")
        try:
            card = ModelCreate(
                name=body.model,
                title=body.title or body.model,
                description=body.description,
                department=department,
                markets=body.markets,
                tags=body.tags,
                visibility=body.visibility,
            )
        except ValidationError as exc:
            error = exc.errors()[0]
            field = ".".join(str(p) for p in error["loc"]) or "model"
            raise InvalidArgument(f"{field}: {error['msg']}", field=field) from None
        try:
            catalog.create_model(card, principal)
        except AlreadyExists:
            catalog.get_model(body.model, principal)  # created meanwhile: fine if the caller sees it

    def _schema_sample(self, reference: ReferenceData | None, target: str) -> pd.DataFrame | None:
        """The raw feature columns of the reference sample: the version's schema comes from them."""
        if reference is None:
            return None
        frame = read_parquet(self.ctx.artifacts.local_cache_path(reference.sample_sha256, self.ctx.cache_dir))
        return frame.drop(columns=[target], errors="ignore")

    @staticmethod
    def _version_metrics(training: Training) -> dict[str, float]:
        found = dict(training.evaluation.metrics) if training.evaluation else {}
        if training.best is not None and training.metric:
            found[f"cv_{training.metric}"] = training.best.mean
        return {k: float(v) for k, v in found.items() if np.isfinite(v)}

    @staticmethod
    def _version_params(training: Training) -> dict[str, Any]:
        best = training.best
        params: dict[str, Any] = {"candidate": best.candidate if best else None, "task": training.task}
        if best is not None:
            params.update({f"{best.candidate}.{k}": v for k, v in best.params.items()})
        if training.evaluation is not None and training.evaluation.threshold is not None:
            params["threshold"] = training.evaluation.threshold
        return params

    def _challenger(
        self, training: Training, holdout: pd.DataFrame, model_sha256: str, model: str, principal: Principal
    ) -> ChallengerReport:
        """The new pipeline beside the model's champion, both scored on the same holdout rows (those the
        champion can take: a champion that refuses blanks is compared on the rows without them)."""
        metric = training.metric or ""
        with self.ctx.db.session() as s:
            try:
                champion = CatalogStore(s).get_version(model, CHAMPION, principal)
            except NotFound:
                champion = None
        if champion is None:
            mine = dict(training.evaluation.metrics) if training.evaluation else {}
            return ChallengerReport(
                champion_version=None, metric=metric, challenger=mine, champion=None, better=None
            )
        scored = self._champion_predictions(champion, training.target, holdout)
        if scored is None:
            mine = dict(training.evaluation.metrics) if training.evaluation else {}
            return ChallengerReport(
                champion_version=champion.version, metric=metric, challenger=mine, champion=None, better=None
            )
        rows, theirs = scored
        path = self.ctx.artifacts.local_cache_path(model_sha256, self.ctx.cache_dir)
        ours = load_model(path, "sklearn").predict(rows.drop(columns=[training.target]))
        y = rows[training.target].to_numpy()
        mine = _holdout_metrics(training, y, ours.predictions, ours.probabilities, ours.classes)
        champion_metrics = _holdout_metrics(
            training, y, theirs.predictions, theirs.probabilities, theirs.classes
        )
        better: bool | None = None
        if metric in mine and metric in champion_metrics:
            greater = metrics.greater_is_better(metric)
            better = (
                mine[metric] > champion_metrics[metric]
                if greater
                else mine[metric] < champion_metrics[metric]
            )
        return ChallengerReport(
            champion_version=champion.version,
            metric=metric,
            challenger=mine,
            champion=champion_metrics or None,
            better=better,
        )

    def _champion_predictions(
        self, champion: ModelVersion, target: str, holdout: pd.DataFrame
    ) -> tuple[pd.DataFrame, Prediction] | None:
        """The holdout rows the champion scores and its predictions on them; None when it scores none
        (a column it needs is missing, it refuses the rows...)."""
        names = champion.input_schema.names()
        if target not in holdout.columns or any(n not in holdout.columns for n in names):
            return None
        path = self.ctx.artifacts.local_cache_path(champion.artifact.sha256, self.ctx.cache_dir)
        try:
            loaded = load_model(path, champion.flavor)
        except ModelportError:
            return None
        for rows in (holdout, holdout.dropna(subset=names)):
            if rows.empty:
                return None
            try:
                return rows, loaded.predict(rows[names])
            except (ModelportError, ValueError, TypeError, KeyError):
                continue
        return None


def _holdout_metrics(
    training: Training,
    y: np.ndarray,
    predicted: np.ndarray,
    probabilities: np.ndarray | None,
    classes: list[Any] | None,
) -> dict[str, float]:
    """The metrics of ``metrics.score`` that fit the task, on the holdout labels ``y``."""
    found: dict[str, float] = {}
    if training.task == "regression":
        wanted = ["r2", "rmse", "mae"]
    else:
        wanted = ["accuracy", "macro_f1"] + (["f1"] if training.task == "binary" else [])
        if probabilities is not None and classes is not None:
            wanted += ["roc_auc", "log_loss"]
    pos_label = metrics.positive_class(y) if training.task == "binary" else None
    for name in wanted:
        try:
            if metrics.needs_proba(name):
                value = metrics.score(name, y, probabilities, classes=np.asarray(classes))
            else:
                value = metrics.score(name, y, predicted, pos_label=pos_label)
        except (ValueError, TypeError):
            continue
        if np.isfinite(value):
            found[name] = float(value)
    return found

"""MLflow tracking: training runs mirrored to an MLflow tracking server, and MLflow models fetched from one.

``mlflow`` (``mlflow-skinny`` is enough) is an optional extra, imported only here and only when called.
Nothing is set globally (no ``mlflow.set_tracking_uri``): every call names its server, so one process
may talk to several. An HTTP server is asked for ``/health`` first, with a short timeout, so a server
that is down is reported at once instead of after the MLflow client's retries.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import time
from pathlib import Path
from typing import Any

import httpx

from modelport.errors import InvalidArgument, ModelportError, NotFound, PayloadTooLarge
from modelport.schemas import Training

__all__ = ["MLFLOW_EXTRA_MESSAGE", "experiment_name", "fetch_model", "mirror", "parse_model_uri"]

MLFLOW_EXTRA_MESSAGE = "MLflow tracking needs the optional MLflow support: pip install modelport[mlflow]"
HEALTH_TIMEOUT_S = 5.0
MAX_PARAM_LENGTH = 6000
"""MLflow's limit on a parameter's value (longer values are cut)."""
_BATCH_PARAMS = 100
_BATCH_METRICS = 1000
_RUNS_URI = re.compile(r"^runs:/(?P<run>[A-Za-z0-9_-]{1,64})/(?P<path>[A-Za-z0-9._/-]{1,1000})$")
_MODELS_URI = re.compile(
    r"^models:/(?P<name>[^/@\s]{1,256})(?:/(?P<version>[^/@\s]{1,64})|@(?P<alias>[A-Za-z0-9_-]{1,64}))?$"
)
_KEY_CHARS = re.compile(r"[^\w\-./ ]")
_END_STATUS = {"failed": "FAILED", "cancelled": "KILLED"}


def _mlflow(field: str) -> Any:
    """The ``mlflow`` module, or InvalidArgument naming ``field`` when the extra is not installed."""
    try:
        import mlflow
        from mlflow import MlflowClient  # noqa: F401 - skinny and full both have it
    except ImportError:
        raise InvalidArgument(MLFLOW_EXTRA_MESSAGE, field=field) from None
    return mlflow


def _probe(tracking_uri: str, field: str) -> None:
    """Fail fast (InvalidArgument naming ``field``) when an HTTP tracking server does not answer."""
    if not tracking_uri.startswith(("http://", "https://")):
        return
    try:
        answer = httpx.get(f"{tracking_uri.rstrip('/')}/health", timeout=HEALTH_TIMEOUT_S)
    except httpx.HTTPError as exc:
        raise InvalidArgument(
            f"the MLflow tracking server at {tracking_uri} does not answer ({type(exc).__name__})",
            field=field,
        ) from None
    if answer.status_code != 200:
        raise InvalidArgument(
            f"the MLflow tracking server at {tracking_uri} is not healthy (HTTP {answer.status_code})",
            field=field,
        )


def experiment_name(dataset: str) -> str:
    """The MLflow experiment a dataset's training runs go to."""
    return f"modelport/{dataset}"


def _key(name: str) -> str:
    return _KEY_CHARS.sub("_", name)[:250]


def _param_value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, sort_keys=True)
    return text[:MAX_PARAM_LENGTH]


def _experiment_id(client: Any, name: str) -> str:
    from mlflow.exceptions import MlflowException

    experiment = client.get_experiment_by_name(name)
    if experiment is None:
        try:
            return str(client.create_experiment(name, tags={"modelport.dataset": name.split("/", 1)[1]}))
        except MlflowException as exc:  # created meanwhile by another training
            if exc.error_code != "RESOURCE_ALREADY_EXISTS":
                raise
            experiment = client.get_experiment_by_name(name)
    if experiment.lifecycle_stage == "deleted":
        client.restore_experiment(experiment.experiment_id)
    return str(experiment.experiment_id)


def _params(training: Training, extra: dict[str, Any]) -> dict[str, str]:
    values: dict[str, Any] = {
        "dataset": training.dataset,
        "dataset_version": training.dataset_version,
        "dataset_sha256": training.dataset_sha256,
        "target": training.target,
        "task": training.task,
        "metric": training.metric,
        "budget_s": training.budget_s,
        "code_version": training.code_version,
        "steps": [step.model_dump(mode="json") for step in training.steps],
    }
    for name in ("folds", "holdout", "seed", "time_column", "candidates"):
        values[name] = training.options.get(name)
    if training.best is not None:
        values["best_candidate"] = training.best.candidate
        values["best_trial"] = training.best.trial
        for name, value in training.best.params.items():
            values[f"best.{name}"] = value
    values.update(extra)
    return {_key(name): _param_value(value) for name, value in values.items() if value is not None}


def _metrics(training: Training, timestamp: int) -> list[Any]:
    from mlflow.entities import Metric

    found: list[Any] = []

    def add(key: str, value: Any, step: int = 0) -> None:
        if isinstance(value, int | float) and math.isfinite(value):
            found.append(Metric(_key(key), float(value), timestamp, step))

    if training.evaluation is not None:
        for name, value in training.evaluation.metrics.items():
            add(f"holdout_{name}", value)
    metric = training.metric or "score"
    for entry in sorted(training.leaderboard, key=lambda e: e.trial):
        add(f"cv_{metric}", entry.mean, entry.trial)
        add(f"cv_{metric}.{entry.candidate}", entry.mean, entry.trial)
        add(f"cv_{metric}_std.{entry.candidate}", entry.std, entry.trial)
        add(f"fit_seconds.{entry.candidate}", entry.fit_seconds, entry.trial)
    if training.best is not None:
        add(f"best_cv_{metric}", training.best.mean)
    return found


def _millis(moment: Any) -> int:
    return int(moment.timestamp() * 1000) if moment is not None else int(time.time() * 1000)


def mirror(tracking_uri: str, training: Training, model_path: Path | None, extra: dict[str, Any]) -> str:
    """Record a training as a run of experiment ``modelport/<dataset>`` on an MLflow tracking server;
    return the run id.

    Params: dataset, its version and sha256, target, task, metric, budget, folds, holdout, seed, code
    version, cleaning steps, the best candidate and its params (``best.<name>``) and ``extra``'s items.
    Metrics: the holdout metrics (``holdout_<name>``) and each trial's cross-validation mean
    (``cv_<metric>`` and ``cv_<metric>.<candidate>``, step = trial). Tags: ``modelport.training``.
    Artifacts: the model file (under ``model/``), ``evaluation.json`` and ``leaderboard.json``.
    Raises InvalidArgument when mlflow is not installed or the server does not answer, ModelportError
    when the server refuses a call (the run is then marked FAILED when it was created)."""
    _mlflow("mlflow_tracking_uri")
    from mlflow import MlflowClient
    from mlflow.entities import Dataset, DatasetInput, InputTag, Param
    from mlflow.exceptions import MlflowException

    _probe(tracking_uri, "mlflow_tracking_uri")
    client = MlflowClient(tracking_uri=tracking_uri)
    run_id: str | None = None
    try:
        experiment_id = _experiment_id(client, experiment_name(training.dataset))
        tags = {
            "modelport.training": str(training.id),
            "modelport.execution": str(training.execution),
            "modelport.dataset": f"{training.dataset}:{training.dataset_version}",
            "mlflow.user": training.created_by,
            "mlflow.source.name": "modelport",
        }
        run = client.create_run(
            experiment_id,
            start_time=_millis(training.started_at or training.created_at),
            tags=tags,
            run_name=f"training-{training.id}",
        )
        run_id = str(run.info.run_id)
        params = [Param(k, v) for k, v in _params(training, extra).items()]
        for i in range(0, len(params), _BATCH_PARAMS):
            client.log_batch(run_id, params=params[i : i + _BATCH_PARAMS])
        metrics = _metrics(training, _millis(training.finished_at))
        for i in range(0, len(metrics), _BATCH_METRICS):
            client.log_batch(run_id, metrics=metrics[i : i + _BATCH_METRICS])
        dataset = Dataset(
            name=training.dataset,
            digest=training.dataset_sha256[:36],
            source_type="modelport",
            source=json.dumps({"dataset": training.dataset, "version": training.dataset_version}),
        )
        client.log_inputs(run_id, [DatasetInput(dataset, [InputTag("mlflow.data.context", "training")])])
        if model_path is not None:
            client.log_artifact(run_id, str(model_path), artifact_path="model")
        if training.evaluation is not None:
            client.log_dict(run_id, training.evaluation.model_dump(mode="json"), "evaluation.json")
        leaderboard = [entry.model_dump(mode="json") for entry in training.leaderboard]
        client.log_dict(run_id, {"leaderboard": leaderboard}, "leaderboard.json")
        client.set_terminated(
            run_id,
            status=_END_STATUS.get(training.status, "FINISHED"),
            end_time=_millis(training.finished_at),
        )
        return run_id
    except Exception as exc:  # MlflowException, connection errors, an unreadable model file...
        if run_id is not None:
            try:
                client.set_terminated(run_id, status="FAILED")
            except MlflowException:
                pass  # the server went away: the error below says what happened first
        message = str(getattr(exc, "message", None) or exc).splitlines()[0][:500]
        raise ModelportError(f"could not mirror training {training.id} to MLflow: {message}") from None


# --- registering a version from an MLflow model URI -------------------------------------------------


def parse_model_uri(uri: str) -> tuple[str, str]:
    """(kind, a short name for files) of a ``runs:/<run>/<path>``, ``models:/<name>/<version>``,
    ``models:/<name>@<alias>`` or ``models:/<model id>`` URI; InvalidArgument (``uri``) for others."""
    uri = uri.strip()
    runs = _RUNS_URI.match(uri)
    if runs and ".." not in runs["path"].split("/"):
        return "runs", f"{runs['run']}-{runs['path']}"
    models = _MODELS_URI.match(uri)
    if models and models["name"] not in (".", ".."):
        suffix = models["version"] or models["alias"] or ""
        return "models", f"{models['name']}-{suffix}" if suffix else models["name"]
    raise InvalidArgument(
        f"{uri[:200]!r} is not an MLflow model URI: use runs:/<run id>/<path>, models:/<name>/<version> "
        "or models:/<name>@<alias>",
        field="uri",
    )


def _folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def _run_location(client: Any, run_id: str, path: str) -> str:
    """Where ``runs:/<run_id>/<path>`` lives: a folder of the run's artifacts or, as MLflow 3 logs
    models, a logged model of the run named by the path's first part."""
    from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

    run = client.get_run(run_id)
    path = path.strip("/")
    parent = path.rpartition("/")[0]
    repository = get_artifact_repository(run.info.artifact_uri, tracking_uri=client.tracking_uri)
    if any(entry.path == path for entry in repository.list_artifacts(parent or None)):
        return f"{run.info.artifact_uri.rstrip('/')}/{path}"
    name, _, rest = path.partition("/")
    token = None
    while True:
        page = client.search_logged_models(
            experiment_ids=[run.info.experiment_id],
            filter_string=f"name = '{name}'",
            page_token=token,
        )
        for model in page:
            if model.source_run_id == run_id:
                return f"{model.artifact_location.rstrip('/')}/{rest}".rstrip("/")
        token = page.token
        if not token:
            raise NotFound(
                f"runs:/{run_id}/{path}: the run has no artifact or model at {path!r}", field="uri"
            )


def _model_location(client: Any, uri: str) -> str:
    """Where ``models:/<name>/<version>``, ``models:/<name>@<alias>`` or ``models:/<model id>`` lives."""
    from mlflow.store.artifact.utils.models import get_model_name_and_version

    found = get_model_name_and_version(client, uri)  # type: ignore[no-untyped-call]
    if len(found) == 1:
        return str(client.get_logged_model(found[0]).artifact_location)
    location = str(client.get_model_version_download_uri(found[0], found[1]))
    if location.startswith("runs:/"):  # a version registered from a run's path, not resolved
        run_id, _, path = location.removeprefix("runs:/").partition("/")
        return _run_location(client, run_id, path)
    return location


def fetch_model(tracking_uri: str | None, uri: str, dest: Path, max_bytes: int) -> tuple[Path, str]:
    """Download the MLflow model at ``uri`` from the tracking server into ``dest`` and zip it as the
    MLflow flavor reads an upload (the model folder as the zip's one top folder).

    The URI is resolved with a client of that server only (MLflow's own ``runs:/`` and ``models:/``
    resolution would fall back on the process's global tracking URI). Returns (the zip, its file
    name). Raises InvalidArgument (``uri``) for another scheme, no tracking server configured, a server
    that does not answer, or a path that is not an MLflow model folder; NotFound (``uri``) for an
    unknown run, model, version, alias or path; PayloadTooLarge (``uri``) for a model over
    ``max_bytes``."""
    if not tracking_uri:
        raise InvalidArgument(
            "no MLflow tracking server is configured (MODELPORT_MLFLOW_TRACKING_URI)", field="uri"
        )
    uri = uri.strip()
    kind, short = parse_model_uri(uri)
    mlflow = _mlflow("uri")
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    _probe(tracking_uri, "uri")
    client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    download = dest / "download"
    download.mkdir(parents=True)
    try:
        if kind == "runs":
            run_id, _, path = uri.removeprefix("runs:/").partition("/")
            location = _run_location(client, run_id, path)
        else:
            location = _model_location(client, uri)
        local = Path(
            mlflow.artifacts.download_artifacts(
                artifact_uri=location, dst_path=str(download), tracking_uri=tracking_uri
            )
        )
    except MlflowException as exc:
        message = str(exc.message).splitlines()[0][:500]
        if exc.error_code == "RESOURCE_DOES_NOT_EXIST" or "not found" in message.lower():
            raise NotFound(f"{uri}: {message}", field="uri") from None
        raise InvalidArgument(f"{uri}: {message}", field="uri") from None
    if not local.is_dir() or not (local / "MLmodel").is_file():
        raise InvalidArgument(f"{uri} is not an MLflow model folder (no MLmodel file in it)", field="uri")
    if _folder_size(local) > max_bytes:
        raise PayloadTooLarge(f"the MLflow model at {uri} is over {max_bytes} bytes", field="uri")
    plain = re.sub(r"\.{2,}", ".", re.sub(r"[^A-Za-z0-9._-]+", "-", short))
    filename = "mlflow-" + plain.strip("-.")[:120] + ".zip"
    archive = shutil.make_archive(str(dest / "model"), "zip", root_dir=local.parent, base_dir=local.name)
    return Path(archive), filename

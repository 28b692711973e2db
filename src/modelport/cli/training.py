"""``modelport train``, ``modelport datasets`` and ``modelport trainings``: datasets and AutoML training
through the API. :mod:`modelport.cli.main` adds them to its ``app`` with :func:`register`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any, get_args

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from modelport.cli.common import (
    OutputOpt,
    TokenOpt,
    UrlOpt,
    _client,
    _json,
    _progress,
    _show,
    console,
    err,
    handle_errors,
)
from modelport.errors import InvalidArgument
from modelport.schemas import (
    CandidateName,
    Dataset,
    DatasetProfile,
    MetricName,
    ParseReport,
    Task,
    Training,
)

datasets_app = typer.Typer(
    help="Datasets to train on: upload files, see how they were read, profile them (through the API).",
    no_args_is_help=True,
    epilog="Example: modelport datasets upload churn-history.csv --name churn && "
    "modelport datasets profile churn",
)
trainings_app = typer.Typer(
    help="Trainings (AutoML runs): follow, compare, cancel, register the best (through the API).",
    no_args_is_help=True,
    epilog="Example: modelport trainings list --dataset churn && "
    "modelport trainings register 12 --model churn",
)

TASKS: tuple[str, ...] = get_args(Task)
METRICS: tuple[str, ...] = get_args(MetricName)
CANDIDATES: tuple[str, ...] = get_args(CandidateName)
FINISHED = ("succeeded", "failed", "cancelled")
SHOWN_ENTRIES = 10
"""Leaderboard rows printed (the best ones); ``-o json`` has them all."""


def _choice(value: str | None, allowed: tuple[str, ...], field: str) -> None:
    if value is not None and value not in allowed:
        raise InvalidArgument(f"{value!r} is not one of {', '.join(allowed)}", field=field)


# --- printing --------------------------------------------------------------------------------------


def _report(report: ParseReport | None, out: Console = console) -> None:
    """What reading the file changed or guessed, one line each."""
    if report is None:
        return
    read: list[str] = [report.format]
    if report.encoding:
        read.append(report.encoding)
    if report.delimiter:
        read.append(f"delimiter {report.delimiter!r}")
    if report.decimal != ".":
        read.append(f"decimal {report.decimal!r}")
    if report.thousands:
        read.append(f"thousands {report.thousands!r}")
    out.print(f"read as {', '.join(read)}", markup=False, highlight=False)
    for rename in report.renamed_headers:
        out.print(f"  header {rename.original!r} -> {rename.name} ({rename.reason})", markup=False)
    if report.missing_tokens:
        tokens = ", ".join(f"{token!r} x{count}" for token, count in report.missing_tokens.items())
        out.print(f"  read as missing: {tokens}", markup=False)
    if report.dropped_empty_columns:
        out.print(f"  empty columns dropped: {', '.join(report.dropped_empty_columns)}", markup=False)
    if report.skipped_rows:
        out.print(f"  {report.skipped_rows} blank or title rows skipped", markup=False)
    for note in report.notes:
        out.print(f"  {note}", markup=False)


def _dataset_line(d: Dataset) -> str:
    rows = "?" if d.rows is None else f"{d.rows:,}"
    return f"dataset {d.name} version {d.version}: {rows} rows x {len(d.columns)} columns ({d.filename})"


def _number(value: float | str | None) -> str:
    if value is None:
        return ""
    return f"{value:.4g}" if isinstance(value, float | int) else str(value)


def _profile(profile: DatasetProfile) -> None:
    table = Table("column", "kind", "missing", "distinct", "min", "mean", "max", "top values")
    for c in profile.columns:
        top = ", ".join(f"{v.value} ({v.count})" for v in (c.top_values or [])[:3])
        table.add_row(
            escape(c.name),
            c.kind,
            f"{c.missing_share:.0%}",
            str(c.distinct),
            escape(_number(c.min)),
            _number(c.mean),
            escape(_number(c.max)),
            escape(top),
        )
    console.print(table)
    console.print(f"{profile.rows:,} rows, {profile.duplicated_rows} duplicated")
    for warning in profile.warnings:
        where = f" {warning.column}" if warning.column else ""
        console.print(f"[yellow]warning[/yellow] {warning.code}{escape(where)}: {escape(warning.message)}")
    if profile.suggested_targets:
        console.print(f"suggested targets: {', '.join(profile.suggested_targets)}", markup=False)


def _leaderboard(training: Training) -> None:
    entries = sorted(training.leaderboard, key=lambda e: e.rank)
    table = Table(
        "rank", "candidate", training.metric or "score", "folds", "fit s", "predict s", "trial",
        title=f"leaderboard of training {training.id} ({len(entries)} candidates tried)",
    )  # fmt: skip
    for e in entries[:SHOWN_ENTRIES]:
        table.add_row(
            str(e.rank),
            e.candidate,
            f"{e.mean:.4f} ± {e.std:.4f}",
            " ".join(f"{s:.3f}" for s in e.fold_scores),
            f"{e.fit_seconds:.2f}",
            f"{e.predict_seconds:.3f}",
            str(e.trial),
        )
    if len(entries) > SHOWN_ENTRIES:
        table.caption = f"and {len(entries) - SHOWN_ENTRIES} more (-o json lists them all)"
    console.print(table)


def _evaluation(training: Training) -> None:
    evaluation = training.evaluation
    if evaluation is None:
        return
    metrics = "  ".join(f"{k}={v:.4f}" for k, v in evaluation.metrics.items())
    console.print(f"holdout ({evaluation.rows:,} rows, kept out of the search): {metrics}", markup=False)
    if evaluation.threshold is not None:
        console.print(f"decision threshold {evaluation.threshold:.3f}")
    if evaluation.importance:
        top = ", ".join(f"{i.feature} ({i.mean:.3g})" for i in evaluation.importance[:5])
        console.print(f"most important columns: {top}", markup=False)
    _challenger(training)


def _challenger(training: Training) -> None:
    c = training.challenger
    if c is not None and c.champion is not None:
        verdict = "better than" if c.better else "not better than"
        console.print(f"{verdict} the champion (version {c.champion_version}) on {c.metric}")


def _training(training: Training) -> None:
    """A training's state, leaderboard, holdout evaluation and registrations."""
    task = training.task or "task detected at start"
    metric = training.metric or "default metric"
    console.print(
        f"training {training.id}: {training.status} — {training.dataset} version "
        f"{training.dataset_version}, target {training.target}, {task}, {metric}, "
        f"budget {training.budget_s} s",
        markup=False,
    )
    if training.error:
        console.print(f"[red]{escape(training.error)}[/red]")
    if training.leaderboard:
        _leaderboard(training)
    _evaluation(training)
    for registered in training.registered:
        console.print(f"registered as {registered.model} version {registered.version}")
    if training.mlflow_run_id:
        console.print(f"MLflow run {training.mlflow_run_id}")


def _best(training: Training) -> str:
    best = training.best
    if best is None:
        return "no candidate scored yet"
    tried = len(training.leaderboard)
    return f"best {training.metric or 'score'} {best.mean:.4f} ({best.candidate}), {tried} tried"


def _follow(client: Any, training: Training) -> Training:
    """Poll a training until it ends, with a bar of the elapsed time against the budget and the best
    score so far; Ctrl-C cancels it on the server."""
    started: float | None = None
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:>4.0f}/{task.total:.0f} s"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[best]}"),
    )
    try:
        with Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task(f"training {training.id}", total=training.budget_s, best="queued")
            while training.status not in FINISHED:
                time.sleep(0.5)
                training = client.training(training.id)
                if training.status == "running" and started is None:
                    started = time.monotonic()
                elapsed = 0.0 if started is None else time.monotonic() - started
                state = "queued" if training.status == "queued" else _best(training)
                if elapsed >= training.budget_s and training.status == "running":
                    state = f"final fit and evaluation; {state}"
                bar.update(task, completed=min(elapsed, training.budget_s), best=state)
    except KeyboardInterrupt:
        err.print(f"cancelling training {training.id} ...")
        cancelled = client.cancel_training(training.id)
        err.print(f"training {cancelled.id}: {cancelled.status}")
        raise typer.Exit(130) from None
    return training


def _upload(client: Any, file: Path, name: str | None, description: str) -> Dataset:
    with _progress() as bar:
        task = bar.add_task(f"upload {file.name}", total=file.stat().st_size)
        dataset: Dataset = client.upload_dataset(
            file,
            name=name,
            description=description,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    return dataset


# --- modelport train -------------------------------------------------------------------------------


TRAIN_EPILOG = (
    "Examples:\n\n"
    "  modelport train churn-history.csv --target churned --budget 60\n\n"
    "  modelport train churn --target churned --metric f1 --register churn-fr --title 'Churn FR' "
    "--department marketing\n\n"
    "  modelport train sales.xlsx --target revenue --task regression --metric mae --time-column month"
)


@handle_errors
def train(
    data: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help="CSV, Excel or Parquet file (uploaded as a new dataset version), or the name of a dataset "
            "already uploaded.",
        ),
    ],
    target: Annotated[str, typer.Option("--target", "-t", help="The column to predict.")],
    budget: Annotated[
        int, typer.Option(help="Wall-clock budget of the search in seconds (at least 5).")
    ] = 60,
    task: Annotated[
        str | None,
        typer.Option(help="binary, multiclass or regression (default: detected from the target)."),
    ] = None,
    metric: Annotated[
        str | None,
        typer.Option(
            help="accuracy, f1, macro_f1, roc_auc, log_loss (classification) or r2, rmse, mae "
            "(regression); default: one that fits the task."
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Dataset name for FILE (default: the file's name, slugged).")
    ] = None,
    version: Annotated[int | None, typer.Option(help="Dataset version (default: the latest).")] = None,
    folds: Annotated[int, typer.Option(help="Cross-validation folds (2 to 10).")] = 5,
    holdout: Annotated[float, typer.Option(help="Share of rows kept out of the search.")] = 0.2,
    seed: Annotated[int, typer.Option(help="Random seed (the same seed trains the same models).")] = 0,
    time_column: Annotated[
        str | None, typer.Option(help="A date column: folds and holdout in time order.")
    ] = None,
    candidate: Annotated[
        list[str] | None,
        typer.Option(help=f"Try only this candidate (repeatable): {', '.join(CANDIDATES)}."),
    ] = None,
    register: Annotated[
        str | None, typer.Option(metavar="MODEL", help="Register the best as a new version of MODEL.")
    ] = None,
    title: Annotated[str | None, typer.Option(help="With --register, for a new model: its title.")] = None,
    department: Annotated[
        str | None, typer.Option(help="With --register, for a new model: its department.")
    ] = None,
    alias: Annotated[
        list[str] | None, typer.Option(help="With --register: alias to point at the new version.")
    ] = None,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Follow the training until it ends.")] = True,
    output: OutputOpt = "table",
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Train a model on a file (or a dataset) under a time budget, then print the leaderboard.

    FILE is uploaded as a dataset version; candidates are searched under the budget while a bar shows
    the elapsed time and the best score so far; then come the leaderboard (cross-validation) and the
    metrics on the holdout rows. Ctrl-C cancels the training. --register MODEL registers the best."""
    _choice(task, TASKS, "task")
    _choice(metric, METRICS, "metric")
    for c in candidate or []:
        _choice(c, CANDIDATES, "candidate")
    if not wait and register:
        raise InvalidArgument("--register needs the training to end: leave out --no-wait", field="register")
    path = Path(data)
    say = err if output == "json" else console  # -o json: stdout holds the JSON alone
    with _client(url, token) as client:
        if path.is_file():
            dataset = _upload(client, path, name, "")
            say.print(_dataset_line(dataset), markup=False)
            _report(dataset.parse_report, say)
        elif path.suffix or "/" in data:
            raise InvalidArgument(f"no file {data!r}", field="file")
        else:
            dataset = client.dataset(data, version)
        options: dict[str, Any] = {"folds": folds, "holdout": holdout, "seed": seed}
        if time_column:
            options["time_column"] = time_column
        if candidate:
            options["candidates"] = candidate
        training = client.train(
            dataset, target=target, task=task, metric=metric, budget_s=budget, wait=False, **options
        )
        err.print(f"training {training.id} started ({budget} s budget); Ctrl-C cancels it")
        if not wait:
            if output == "json":
                _json(training)
            return
        training = _follow(client, training)
        if output != "json":
            _training(training)
        if register and training.status == "succeeded":
            card = {"title": title, "department": department, "aliases": alias or []}
            mv = client.register_training(training.id, model=register, **{k: v for k, v in card.items() if v})
            training = client.training(training.id)  # with the registration and the challenger report
            say.print(f"registered {register} version {mv.version} (training {training.id})")
            if output != "json":
                _challenger(training)
        if output == "json":
            _json(training)
        if training.status != "succeeded":
            raise typer.Exit(1)


# --- modelport datasets ----------------------------------------------------------------------------


@datasets_app.command("list")
@handle_errors
def datasets_list(
    q: Annotated[str | None, typer.Argument(help="Words to search for in names and descriptions.")] = None,
    page: Annotated[int, typer.Option(help="Page number.")] = 1,
    page_size: Annotated[int, typer.Option(help="Datasets per page.")] = 50,
    output: OutputOpt = "table",
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """List the datasets you may see."""
    with _client(url, token) as client:
        result = client.datasets(q, page=page, page_size=page_size)
    _show(
        output,
        result,
        f"{result.total} datasets (page {result.page})",
        ("name", "version", "file", "rows", "columns", "owner", "updated"),
        lambda d: [
            d.name,
            str(d.latest_version),
            d.filename,
            "" if d.rows is None else str(d.rows),
            str(d.columns),
            d.owner,
            d.updated_at.strftime("%Y-%m-%d %H:%M"),
        ],
    )


@datasets_app.command("show")
@handle_errors
def datasets_show(
    name: Annotated[str, typer.Argument(help="Dataset name.")],
    version: Annotated[int | None, typer.Option(help="Version (default: the latest).")] = None,
    output: OutputOpt = "table",
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Show a dataset version: how its file was read, its columns, and its profile when computed."""
    with _client(url, token) as client:
        d = client.dataset(name, version)
    if output == "json":
        _json(d)
        return
    console.print(_dataset_line(d), markup=False)
    console.print(
        f"owner {d.owner}, visibility {d.visibility}, latest version {d.latest_version}, "
        f"sha256 {d.sha256[:12]}",
        markup=False,
    )
    if d.description:
        console.print(d.description, markup=False)
    _report(d.parse_report)
    if d.steps:
        console.print(f"{len(d.steps)} cleaning steps: {', '.join(s.op for s in d.steps)}", markup=False)
    if d.profile is not None:
        _profile(d.profile)
    else:
        console.print(f"columns: {', '.join(d.columns)}", markup=False)
        console.print(f"no profile yet: modelport datasets profile {d.name}", markup=False)


@datasets_app.command(
    "upload", epilog="Example: modelport datasets upload churn-history.csv --name churn --description 'Q3'"
)
@handle_errors
def datasets_upload(
    file: Annotated[Path, typer.Argument(help="CSV, Excel or Parquet file.")],
    name: Annotated[
        str | None,
        typer.Option(help="Dataset name (default: the file's name, slugged); a new version if it exists."),
    ] = None,
    description: Annotated[str, typer.Option(help="What the data is.")] = "",
    output: OutputOpt = "table",
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Upload a file as a dataset (a new version when the name exists) and say how it was read."""
    if not file.is_file():
        raise InvalidArgument(f"no file {str(file)!r}", field="file")
    with _client(url, token) as client:
        d = _upload(client, file, name, description)
    if output == "json":
        _json(d)
        return
    console.print(_dataset_line(d), markup=False)
    _report(d.parse_report)


@datasets_app.command("profile")
@handle_errors
def datasets_profile(
    name: Annotated[str, typer.Argument(help="Dataset name.")],
    version: Annotated[int | None, typer.Option(help="Version (default: the latest).")] = None,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Wait for the profile and print it.")] = True,
    output: OutputOpt = "table",
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Profile a dataset version on a worker and print it.

    Per column: its kind, missing share, distinct values, range and top values; then warnings
    (constant, ID-like, suspected leaks, class imbalance ...) and suggested targets."""
    with _client(url, token) as client:
        if not wait:
            execution = client.profile_dataset(name, version, wait=False)
            console.print(f"profile queued (execution {execution.id})")
            return
        with Progress(console=err, transient=True) as bar:
            task = bar.add_task(f"profile {name}", total=1.0)
            profile = client.profile_dataset(
                name, version, progress=lambda e: bar.update(task, completed=e.progress)
            )
    if output == "json":
        _json(profile)
        return
    _profile(profile)


@datasets_app.command("delete")
@handle_errors
def datasets_delete(
    name: Annotated[str, typer.Argument(help="Dataset name.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Delete a dataset and all its versions."""
    if not yes:
        typer.confirm(f"Delete dataset {name} and all its versions?", abort=True)
    with _client(url, token) as client:
        client.delete_dataset(name)
    console.print(f"{name}: deleted")


# --- modelport trainings ---------------------------------------------------------------------------


@trainings_app.command("list")
@handle_errors
def trainings_list(
    dataset: Annotated[str | None, typer.Option(help="Only this dataset's trainings.")] = None,
    status: Annotated[str | None, typer.Option(help="queued, running, succeeded, failed, cancelled.")] = None,
    page: Annotated[int, typer.Option(help="Page number.")] = 1,
    page_size: Annotated[int, typer.Option(help="Trainings per page.")] = 50,
    output: OutputOpt = "table",
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """List trainings, newest first, with their best candidate."""
    with _client(url, token) as client:
        result = client.trainings(dataset=dataset, status=status, page=page, page_size=page_size)
    _show(
        output,
        result,
        f"{result.total} trainings (page {result.page})",
        ("id", "dataset", "target", "task", "metric", "status", "best", "by", "created"),
        lambda t: [
            str(t.id),
            f"{t.dataset} v{t.dataset_version}",
            t.target,
            t.task or "",
            t.metric or "",
            t.status,
            f"{t.best.mean:.4f} {t.best.candidate}" if t.best else "",
            t.created_by,
            t.created_at.strftime("%Y-%m-%d %H:%M"),
        ],
    )


@trainings_app.command("show")
@handle_errors
def trainings_show(
    training_id: Annotated[int, typer.Argument(help="Training id.")],
    output: OutputOpt = "table",
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Show a training: status, leaderboard, holdout evaluation, registrations."""
    with _client(url, token) as client:
        training = client.training(training_id)
    if output == "json":
        _json(training)
        return
    _training(training)


@trainings_app.command("logs")
@handle_errors
def trainings_logs(
    training_id: Annotated[int, typer.Argument(help="Training id.")],
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Print a training's log."""
    with _client(url, token) as client:
        for line in client.logs(client.training(training_id).execution):
            console.print(f"{line.at:%H:%M:%S} {line.level:7} {line.message}", markup=False, highlight=False)


@trainings_app.command("cancel")
@handle_errors
def trainings_cancel(
    training_id: Annotated[int, typer.Argument(help="Training id.")],
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Cancel a queued or running training."""
    with _client(url, token) as client:
        console.print(f"training {training_id}: {client.cancel_training(training_id).status}")


@trainings_app.command(
    "register",
    epilog="Example: modelport trainings register 12 --model churn-fr --title 'Churn FR' "
    "--department marketing --alias challenger",
)
@handle_errors
def trainings_register(
    training_id: Annotated[int, typer.Argument(help="Id of a succeeded training.")],
    model: Annotated[str, typer.Option(help="Model name (slug); created when new.")],
    title: Annotated[str | None, typer.Option(help="For a new model: its title.")] = None,
    department: Annotated[str | None, typer.Option(help="For a new model: its department.")] = None,
    description: Annotated[str, typer.Option(help="Version note (Markdown).")] = "",
    market: Annotated[list[str] | None, typer.Option(help="For a new model: market (repeatable).")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="For a new model: tag (repeatable).")] = None,
    alias: Annotated[list[str] | None, typer.Option(help="Alias to point at the new version.")] = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Register a training's best pipeline as a new version of a model.

    The version takes the raw columns (the cleaning steps are part of it) and records its lineage; a
    challenger report compares it with the model's champion on the same holdout."""
    card: dict[str, Any] = {"title": title, "department": department, "description": description}
    card.update(markets=market or [], tags=tag or [], aliases=alias or [])
    with _client(url, token) as client:
        mv = client.register_training(training_id, model=model, **{k: v for k, v in card.items() if v})
        training = client.training(training_id)
    console.print(f"registered {model} version {mv.version} (training {training_id})")
    _challenger(training)


def register(app: typer.Typer) -> None:
    """Add ``train``, ``datasets`` and ``trainings`` to ``app``."""
    app.add_typer(datasets_app, name="datasets")
    app.add_typer(trainings_app, name="trainings")
    app.command("train", epilog=TRAIN_EPILOG)(train)

"""The ``modelport`` command: serve, migrate, manage users, browse and move models.

Server-side commands (serve, db, users, demo) act on the configured stores directly; the ``models``
commands talk to a running server through the SDK (``--url`` / ``MODELPORT_URL``, ``--token`` /
``MODELPORT_TOKEN``).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import socket
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress
from rich.table import Table

from modelport.cli import training
from modelport.cli.common import (
    OutputOpt,
    TokenOpt,
    UrlOpt,
    _client,
    _json,
    _progress,
    _show,
    _table,
    console,
    err,
    handle_errors,
)

app = typer.Typer(
    help="modelport: the one home of the company's machine-learning models.", no_args_is_help=True
)
db_app = typer.Typer(help="The metadata store.", no_args_is_help=True)
users_app = typer.Typer(help="Local users.", no_args_is_help=True)
models_app = typer.Typer(help="Browse, register and download models (through the API).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(models_app, name="models")


def _context() -> Any:
    from modelport.context import Context
    from modelport.settings import Settings

    return Context.from_settings(Settings())


# --- server side ---------------------------------------------------------------------------------


@db_app.command("upgrade")
@handle_errors
def db_upgrade() -> None:
    """Create or migrate the metadata store to the latest schema."""
    from modelport.db.migrate import current_revision, upgrade

    ctx = _context()
    upgrade(ctx.db)
    console.print(f"database at revision {current_revision(ctx.db)}")


@users_app.command("create")
@handle_errors
def users_create(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help="viewer, business_user, data_scientist or admin.")] = "admin",
    department: Annotated[str | None, typer.Option(help="Department (slug), e.g. marketing.")] = None,
    email: Annotated[str | None, typer.Option(help="E-mail address.")] = None,
    password: Annotated[
        str | None, typer.Option(envvar="MODELPORT_NEW_PASSWORD", help="Password (asked when not given).")
    ] = None,
) -> None:
    """Create a local user (the first admin, typically). There is no default password."""
    from modelport.schemas import Role, UserCreate
    from modelport.services.auth import AuthService

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        data = UserCreate(
            username=username, password=password, role=Role(role), department=department, email=email
        )
    except ValueError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    user = AuthService(_context()).create_user(data, None)
    console.print(f"created {user.role.value} [bold]{user.username}[/bold]")


@users_app.command("token")
@handle_errors
def users_token(
    username: Annotated[str, typer.Argument(help="Whose token.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
    days: Annotated[int | None, typer.Option(help="Lifetime in days.")] = None,
) -> None:
    """Create an API token for a user (printed once)."""
    from modelport.schemas import ApiTokenCreate
    from modelport.services.auth import AuthService

    auth = AuthService(_context())
    created = auth.create_token(ApiTokenCreate(name=name, expires_in_days=days), auth.cli_principal(username))
    console.print(created.token)


@app.command()
@handle_errors
def demo(
    force: Annotated[bool, typer.Option(help="Add the demo catalog even if models exist.")] = False,
) -> None:
    """Load the demo catalog and demo users (models trained on synthetic data at start)."""
    from modelport.db.migrate import upgrade

    ctx = _context()
    upgrade(ctx.db)
    _load_demo(ctx, force)


def _load_demo(ctx: Any, force: bool) -> None:
    from modelport.demo import load_demo

    summary = load_demo(ctx, force=force, progress=lambda line: err.print(f"  {line}"))
    if not summary.created:
        console.print("the catalog is not empty: demo not loaded (use --force)")
        return
    # Plain lines, never wrapped or cut: the tokens must be copied whole.
    print(
        f"demo: {len(summary.models)} models, {summary.versions} versions, "
        f"{len(summary.deployments)} deployments in {summary.seconds:.1f} s"
    )
    print(f"{'user':<8} {'role':<15} {'password':<15} API token")
    for user in summary.users:
        print(f"{user.username:<8} {user.role.value:<15} {user.password:<15} {user.token}")


@app.command()
@handle_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default MODELPORT_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default MODELPORT_PORT).")] = None,
    demo: Annotated[bool | None, typer.Option("--demo/--no-demo", help="Demo mode (MODELPORT_DEMO).")] = None,
    migrate: Annotated[bool, typer.Option(help="Migrate the metadata store first.")] = True,
    workers: Annotated[int, typer.Option(help="Server processes (each with its embedded worker).")] = 1,
) -> None:
    """Start the API server and the web app, with an embedded worker and scheduler unless disabled."""
    for name in NATIVE_THREAD_VARIABLES:  # before numpy & co. are imported; an operator's value wins
        os.environ.setdefault(name, "1")
    import uvicorn

    from modelport.api.app import create_app
    from modelport.context import Context
    from modelport.db.migrate import upgrade
    from modelport.settings import Settings

    overrides: dict[str, Any] = {}
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    if demo is not None:
        overrides["demo"] = demo
    settings = Settings(**overrides)
    if settings.demo and settings.host != "127.0.0.1":
        err.print(f"demo mode binds to 127.0.0.1 only (not {settings.host})")
        settings = settings.model_copy(update={"host": "127.0.0.1"})
    ctx = Context.from_settings(settings)
    if migrate:
        upgrade(ctx.db)
    if settings.demo:
        _load_demo(ctx, force=False)
    from modelport.batch.cleanup import sweep

    sweep(ctx)  # uploads and runs' folders that killed processes left behind
    console.print(f"modelport on http://{settings.host}:{settings.port}  (API docs: /docs)")
    if workers > 1:
        _multiprocess_metrics(settings.home)
        os.environ.update(
            {
                f"MODELPORT_{k.upper()}": str(v).lower() if isinstance(v, bool) else str(v)
                for k, v in overrides.items()
            }
        )
        from uvicorn.supervisors import Multiprocess

        config = uvicorn.Config(
            "modelport.api.app:app_factory",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=workers,
            log_level=settings.log_level,
        )
        # What uvicorn.run does for workers > 1, with a listening socket that gives TCP_NODELAY to
        # every connection: uvicorn's own (made with protocol 0) leaves it off under the asyncio loop,
        # and each small answer then waits ~40 ms for the client's delayed ACK.
        sock = _nodelay_socket(config.bind_socket())
        Multiprocess(config, sockets=[sock]).run()
        return
    uvicorn.run(create_app(ctx=ctx), host=settings.host, port=settings.port, log_level=settings.log_level)


NATIVE_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
"""``modelport serve`` sets these to 1 unless set: one online prediction gains nothing from more native
threads (HistGradientBoosting's two OpenMP threads burn two cores for the same throughput), and the
server's concurrency comes from micro-batching and ``--workers``."""


def _nodelay_socket(sock: socket.socket) -> socket.socket:
    """``sock``, listening, with TCP_NODELAY (Linux passes it on to accepted connections) and declared
    as TCP, so that asyncio sets TCP_NODELAY on each accepted connection too."""
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return sock  # a Unix socket: no Nagle
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())


def _multiprocess_metrics(home: Path) -> None:
    """Give the server processes one folder for their metrics, emptied at start."""
    folder = (home / "prometheus").resolve()
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


@app.command()
@handle_errors
def worker(
    concurrency: Annotated[
        int | None, typer.Option(help="Executions at once (MODELPORT_WORKER_CONCURRENCY).")
    ] = None,
    scheduler: Annotated[bool, typer.Option(help="Also run the scheduler in this process.")] = True,
) -> None:
    """Run executions from the queue (start as many workers, on as many machines, as you need); also
    sends notification e-mails and webhook calls unless MODELPORT_NOTIFY_SENDER_ENABLED=false."""
    import signal
    import threading

    from modelport.batch.worker import Worker
    from modelport.services.delivery import DeliverySender
    from modelport.services.notifications import execution_failed
    from modelport.services.scheduler import Scheduler

    ctx = _context()
    services: list[Any] = [
        Worker(ctx, concurrency=concurrency, on_failed=functools.partial(execution_failed, ctx))
    ]
    if scheduler:
        services.append(Scheduler(ctx))
    if ctx.settings.notify_sender_enabled:
        services.append(DeliverySender(ctx))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    for service in services:
        service.start()
    console.print(f"worker {services[0].id} waiting for executions (Ctrl-C to stop)")
    # With a timeout: a signal the kernel hands to another thread does not wake a lock wait without one.
    while not stop.wait(0.5):
        pass
    # SIGTERM (a rolling restart): stop claiming; a running run gets MODELPORT_WORKER_SHUTDOWN_GRACE_SECONDS
    # to finish, else it is queued again without counting an attempt.
    for service in services:
        service.stop()


# --- through the API -----------------------------------------------------------------------------


@models_app.command("list")
@handle_errors
def models_list(
    q: Annotated[str | None, typer.Argument(help="Words to search for.")] = None,
    department: Annotated[list[str] | None, typer.Option(help="Filter (repeatable).")] = None,
    market: Annotated[list[str] | None, typer.Option(help="Filter (repeatable).")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="Filter (repeatable).")] = None,
    flavor: Annotated[list[str] | None, typer.Option(help="Filter (repeatable).")] = None,
    page: Annotated[int, typer.Option(help="Page number.")] = 1,
    page_size: Annotated[int, typer.Option(help="Models per page.")] = 20,
    output: OutputOpt = "table",
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Search the catalog."""
    filters = {
        k: v
        for k, v in {"department": department, "market": market, "tag": tag, "flavor": flavor}.items()
        if v
    }
    with _client(url, token) as client:
        result = client.search(q, page=page, page_size=page_size, **filters)
    _show(
        output,
        result,
        f"{result.total} models (page {result.page})",
        ("name", "title", "department", "markets", "versions", "aliases", "owner"),
        lambda m: [
            m.name,
            m.title,
            m.department,
            " ".join(m.markets),
            str(m.version_count),
            ", ".join(f"{a}=v{v}" for a, v in sorted(m.aliases.items())),
            m.owner,
        ],
    )


@models_app.command("show")
@handle_errors
def models_show(
    name: Annotated[str, typer.Argument(help="Model name.")],
    output: OutputOpt = "table",
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Show a model's card and versions."""
    with _client(url, token) as client:
        model = client.get_model(name)
        versions = client.list_versions(name)
    if output == "json":
        data = {
            "model": model.model_dump(mode="json"),
            "versions": [v.model_dump(mode="json") for v in versions],
        }
        console.print_json(json.dumps(data))
        return
    console.print(
        f"[bold]{model.title}[/bold] ({model.name}) — {model.department}, {' '.join(model.markets)}"
    )
    console.print(f"owner {model.owner}, visibility {model.visibility}, tags {', '.join(model.tags)}")
    table = Table()
    for column in ("version", "flavor", "safe", "metrics", "aliases", "created"):
        table.add_column(column)
    for v in versions:
        metrics = " ".join(f"{k}={val:.3g}" for k, val in v.metrics.items())
        table.add_row(
            str(v.version),
            v.flavor,
            "yes" if v.safe_format else "no",
            metrics,
            ", ".join(v.aliases),
            v.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)


@models_app.command("register")
@handle_errors
def models_register(
    name: Annotated[str, typer.Argument(help="Model name (slug).")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Model file.")],
    title: Annotated[str | None, typer.Option(help="Title (for a new model).")] = None,
    department: Annotated[str | None, typer.Option(help="Department (for a new model).")] = None,
    description: Annotated[str, typer.Option(help="Markdown card or version note.")] = "",
    market: Annotated[list[str] | None, typer.Option(help="Market (repeatable).")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="Tag (repeatable).")] = None,
    sample: Annotated[Path | None, typer.Option(exists=True, help="CSV with the feature columns.")] = None,
    alias: Annotated[list[str] | None, typer.Option(help="Alias to point at the new version.")] = None,
    metrics: Annotated[str | None, typer.Option(help="JSON, e.g. '{\"auc\": 0.9}'.")] = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Upload a model file as a new version (creating the model when it is new)."""
    with _client(url, token) as client, _progress() as bar:
        task = bar.add_task(f"upload {file.name}", total=file.stat().st_size)
        version = client.register(
            file,
            name,
            title=title,
            department=department,
            description=description,
            markets=market or [],
            tags=tag or [],
            sample=sample,
            aliases=alias or [],
            metrics=json.loads(metrics) if metrics else None,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    console.print(
        f"registered {name} version {version.version} ({version.flavor}, {version.artifact.sha256[:12]})"
    )


@models_app.command(
    "register-mlflow",
    epilog="Examples: modelport models register-mlflow churn-fr runs:/<run id>/model --alias challenger; "
    "modelport models register-mlflow churn-fr models:/churn/3",
)
@handle_errors
def models_register_mlflow(
    name: Annotated[str, typer.Argument(help="Model name (the model must exist).")],
    uri: Annotated[
        str,
        typer.Argument(help="runs:/<run id>/<path>, models:/<name>/<version> or models:/<name>@<alias>."),
    ],
    description: Annotated[str, typer.Option(help="Version note (Markdown).")] = "",
    alias: Annotated[list[str] | None, typer.Option(help="Alias to point at the new version.")] = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Register a model of the server's MLflow tracking server (MODELPORT_MLFLOW_TRACKING_URI) as a new
    version."""
    with _client(url, token) as client:
        version = client.register_from_mlflow(name, uri, description, aliases=alias or [])
    console.print(f"registered {name} version {version.version} ({version.flavor}) from {uri}", markup=False)


@models_app.command("download")
@handle_errors
def models_download(
    name: Annotated[str, typer.Argument(help="Model name.")],
    ref: Annotated[str, typer.Argument(help="Version number, alias or 'latest'.")] = "latest",
    dest: Annotated[Path, typer.Option("--dest", "-d", help="Folder or file path.")] = Path("."),
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Download a version's file (checked against its sha256)."""
    with _client(url, token) as client, _progress() as bar:
        task = bar.add_task(f"download {name} {ref}", total=None)
        path = client.download(
            name, ref, dest, progress=lambda d, t: bar.update(task, completed=d, total=t or None)
        )
    console.print(str(path))


@models_app.command("archive")
@handle_errors
def models_archive(
    name: Annotated[str, typer.Argument(help="Model name.")],
    undo: Annotated[bool, typer.Option("--undo", help="Restore an archived model.")] = False,
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Archive a model (left out of search, not deployable); refused while deployments use it."""
    with _client(url, token) as client:
        model = client.restore_model(name) if undo else client.archive_model(name)
    console.print(f"{model.name}: {model.state}")


@models_app.command("delete")
@handle_errors
def models_delete(
    name: Annotated[str, typer.Argument(help="Model name.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Delete a model and all its versions; refused while deployments use it."""
    if not yes:
        typer.confirm(f"Delete {name} and all its versions?", abort=True)
    with _client(url, token) as client:
        client.delete_model(name)
    console.print(f"{name}: deleted")


@models_app.command("alias")
@handle_errors
def models_alias(
    name: Annotated[str, typer.Argument(help="Model name.")],
    alias: Annotated[str, typer.Argument(help="Alias, e.g. champion.")],
    version: Annotated[int, typer.Argument(help="Version number it points to.")],
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Move an alias to a version."""
    with _client(url, token) as client:
        client.set_alias(name, alias, version)
    console.print(f"{name}@{alias} -> version {version}")


Columns = list[str] | None


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values or []:
        column, sep, rest = value.partition("=")
        if not sep or not column:
            raise typer.BadParameter(f"expected COLUMN=VALUE, got {value!r}", param_hint=option)
        pairs[column] = rest
    return pairs


@models_app.command("schema")
@handle_errors
def models_schema(
    name: Annotated[str, typer.Argument(help="Model name.")],
    ref: Annotated[str, typer.Argument(help="Version number, alias or 'latest'.")] = "latest",
    nullable: Annotated[Columns, typer.Option(help="A column that may be left blank (repeatable).")] = None,
    required: Annotated[Columns, typer.Option(help="A column that needs a value (repeatable).")] = None,
    categories: Annotated[
        Columns,
        typer.Option(metavar="COLUMN=A,B,C", help="Allowed values; others are flagged (repeatable)."),
    ] = None,
    no_categories: Annotated[
        Columns, typer.Option(metavar="COLUMN", help="Remove a column's allowed values (repeatable).")
    ] = None,
    description: Annotated[
        Columns, typer.Option(metavar="COLUMN=TEXT", help="A column's description (repeatable).")
    ] = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Show a version's input schema, or change it column by column (required or not, allowed values,
    description)."""
    changes: dict[str, dict[str, Any]] = {}
    for column in nullable or []:
        changes.setdefault(column, {})["nullable"] = True
    for column in required or []:
        changes.setdefault(column, {})["nullable"] = False
    for column, values in _pairs(categories, "--categories").items():
        changes.setdefault(column, {})["categories"] = [v.strip() for v in values.split(",") if v.strip()]
    for column in no_categories or []:
        changes.setdefault(column, {})["categories"] = None
    for column, text in _pairs(description, "--description").items():
        changes.setdefault(column, {})["description"] = text
    with _client(url, token) as client:
        version = client.edit_schema(name, ref, changes) if changes else client.get_version(name, ref)
    table = Table("column", "type", "required", "allowed values", "description")
    for c in version.input_schema.columns:
        allowed = ", ".join(c.categories or [])
        if c.categories and c.on_unknown_category == "reject":
            allowed += " (others refused)"
        table.add_row(c.name, c.type, "no" if c.nullable else "yes", allowed, c.description or "")
    console.print(f"{name} version {version.version}")
    console.print(table)


# --- deployments and runs (through the API) -----------------------------------------------------

deployments_app = typer.Typer(
    help="Deployments of models per market (through the API).", no_args_is_help=True
)
executions_app = typer.Typer(help="Runs of deployments (through the API).", no_args_is_help=True)
app.add_typer(deployments_app, name="deployments")
app.add_typer(executions_app, name="executions")


@deployments_app.command("list")
@handle_errors
def deployments_list(
    model: Annotated[str | None, typer.Option(help="Only this model's deployments.")] = None,
    market: Annotated[str | None, typer.Option(help="Only this market.")] = None,
    output: OutputOpt = "table",
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """List deployments."""
    filters = {k: v for k, v in {"model": model, "market": market}.items() if v}
    with _client(url, token) as client:
        items = client.deployments(**filters)
    _show(
        output,
        items,
        f"{len(items)} deployments",
        ("id", "name", "model", "serves", "market", "schedule", "state"),
        lambda d: [
            str(d.id),
            d.name,
            d.model,
            f"{d.alias} (v{d.resolved_version})" if d.alias else f"v{d.version}",
            d.market,
            f"{d.schedule.cron} {d.schedule.timezone}" if d.schedule else "",
            d.state,
        ],
    )


@deployments_app.command(
    "create",
    epilog="A --cron schedule needs a stored input: --dataset FILE, or --query SQL --connection NAME "
    "(without one, each run takes a file). Example: modelport deployments create churn-fr churn-fr "
    "--market FR --alias champion --cron '0 6 * * 1' --timezone Europe/Paris --dataset customers.csv",
)
@handle_errors
def deployments_create(
    name: Annotated[str, typer.Argument(help="Deployment name (slug).")],
    model: Annotated[str, typer.Argument(help="Model name.")],
    market: Annotated[
        list[str] | None, typer.Option("--market", help="Market, e.g. FR (repeat it for several).")
    ] = None,
    markets: Annotated[
        str | None, typer.Option("--markets", help="Several markets at once, e.g. FR,DE,IT.")
    ] = None,
    alias: Annotated[str | None, typer.Option(help="Alias to follow, e.g. champion.")] = None,
    version: Annotated[int | None, typer.Option(help="A fixed version instead of an alias.")] = None,
    cron: Annotated[
        str | None,
        typer.Option(help="Cron schedule, e.g. '0 6 * * 1' (needs --dataset, or --query and --connection)."),
    ] = None,
    timezone: Annotated[str, typer.Option(help="Time zone of the schedule.")] = "UTC",
    dataset: Annotated[
        str | None,
        typer.Option(
            metavar="FILE",
            help="Input stored once (CSV, Excel or Parquet; or the sha256 of an uploaded dataset), read "
            "by the schedule and by runs without a file.",
        ),
    ] = None,
    query: Annotated[
        str | None,
        typer.Option(metavar="SQL", help="Input read by a SQL query instead (:market is the market)."),
    ] = None,
    connection: Annotated[
        str | None, typer.Option(metavar="NAME", help="The connection of --query (MODELPORT_CONNECTIONS).")
    ] = None,
    on_bad_rows: Annotated[
        str | None,
        typer.Option(
            metavar="reject|skip",
            help="Rows that do not fit the model: reject fails the run (default); skip scores the others "
            "and lists them in the run's errors file.",
        ),
    ] = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Deploy a model for a market; for several markets, one deployment each named NAME-<market>,
    all created or none."""
    chosen = _market_list(market, markets)
    extra: dict[str, Any] = {"dataset": dataset, "query": query, "connection": connection}
    if on_bad_rows is not None:
        extra["on_bad_rows"] = on_bad_rows
    with _client(url, token) as client:
        if len(chosen) == 1:
            created = [
                client.deploy(
                    name,
                    model,
                    chosen[0],
                    version=version,
                    alias=alias,
                    cron=cron,
                    timezone=timezone,
                    **extra,
                )
            ]
        else:
            created = client.deploy(
                name,
                model,
                markets=chosen,
                version=version,
                alias=alias,
                cron=cron,
                timezone=timezone,
                **extra,
            )
    for d in created:
        console.print(f"deployed {d.model} v{d.resolved_version} as {d.name} (id {d.id}) for {d.market}")


def _market_list(market: list[str] | None, markets: str | None) -> list[str]:
    """The markets of ``--market`` (repeated) and ``--markets`` (comma-separated), in order."""
    chosen = [*(market or []), *(m.strip() for m in (markets or "").split(",") if m.strip())]
    if not chosen:
        err.print("[red]error (market):[/red] give --market FR (repeatable) or --markets FR,DE")
        raise typer.Exit(2)
    return chosen


@deployments_app.command(
    "set-input",
    epilog="Example: modelport deployments set-input churn-fr customers-2026-12.csv",
)
@handle_errors
def deployments_set_input(
    ref: Annotated[str, typer.Argument(help="Deployment id or name.")],
    file: Annotated[
        Path | None,
        typer.Argument(
            exists=True, dir_okay=False, help="CSV, Excel or Parquet file with the model's columns."
        ),
    ] = None,
    query: Annotated[
        str | None, typer.Option(metavar="SQL", help="Read a SQL query instead (:market is the market).")
    ] = None,
    connection: Annotated[
        str | None, typer.Option(metavar="NAME", help="The connection of --query (MODELPORT_CONNECTIONS).")
    ] = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Replace what a deployment's schedule (and runs without a file) read: upload FILE and make it the
    deployment's dataset in one step, or give a --query on a --connection."""
    with _client(url, token) as client:
        d = client.set_input(ref, file, query=query, connection=connection)
    what = (
        f"dataset {d.input.filename} ({(d.input.dataset or '')[:12]})"
        if d.input.kind == "dataset"
        else f"query on {d.input.connection}"
    )
    console.print(f"{d.name} now reads {what}")


@deployments_app.command("pause")
@handle_errors
def deployments_pause(
    ref: Annotated[str, typer.Argument(help="Deployment id or name.")],
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Pause a deployment (no schedule, no predictions)."""
    with _client(url, token) as client:
        console.print(f"{client.pause(ref).name}: paused")


@deployments_app.command("resume")
@handle_errors
def deployments_resume(
    ref: Annotated[str, typer.Argument(help="Deployment id or name.")],
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Resume a paused deployment."""
    with _client(url, token) as client:
        console.print(f"{client.resume(ref).name}: active")


# --- self-service markets (through the API) --------------------------------------------------------

markets_app = typer.Typer(
    help="Self-service markets: open a model to business users, deploy an open market, request one.",
    no_args_is_help=True,
)
app.add_typer(markets_app, name="markets")


@markets_app.command("show")
@handle_errors
def markets_show(
    model: Annotated[str, typer.Argument(help="Model name.")],
    output: OutputOpt = "table",
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Show which markets of a model are open to self-service, and its deployments."""
    with _client(url, token) as client:
        state = client.self_service(model)
    if output == "json":
        _json(state)
        return
    if not state.open:
        console.print(f"{model} is not open to self-service")
    else:
        target = (
            f"alias {state.alias} (v{state.resolved_version})" if state.alias else f"version {state.version}"
        )
        console.print(
            f"{model}: {target} open for {', '.join(state.markets)} "
            f"(by {state.opened_by}, {state.opened_at:%Y-%m-%d})"
        )
    if state.pending_requests:
        console.print(f"{state.pending_requests} market request(s) pending: modelport markets requests")
    _table(
        f"{len(state.deployments)} deployments",
        ("market", "name", "owner", "state"),
        state.deployments,
        lambda d: [d.market, d.name, d.owner, d.state],
    )


@markets_app.command("open")
@handle_errors
def markets_open(
    model: Annotated[str, typer.Argument(help="Model name.")],
    market: Annotated[
        list[str] | None, typer.Option("--market", help="Market to open (repeatable); '*' for all.")
    ] = None,
    markets: Annotated[str | None, typer.Option("--markets", help="Markets at once: FR,DE or '*'.")] = None,
    alias: Annotated[str | None, typer.Option(help="Alias the deployments follow, e.g. champion.")] = None,
    version: Annotated[int | None, typer.Option(help="A fixed version instead of an alias.")] = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Open a model's alias (or version) to self-service for markets (replaces its opening)."""
    chosen = _market_list(market, markets)
    with _client(url, token) as client:
        state = client.open_markets(model, chosen, alias=alias, version=version)
    console.print(f"{model}: open for {', '.join(state.markets)}")


@markets_app.command("close")
@handle_errors
def markets_close(
    model: Annotated[str, typer.Argument(help="Model name.")],
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Close a model to self-service (its deployments stay)."""
    with _client(url, token) as client:
        client.close_markets(model)
    console.print(f"{model}: closed to self-service")


@markets_app.command("deploy")
@handle_errors
def markets_deploy(
    model: Annotated[str, typer.Argument(help="Model name.")],
    market: Annotated[str, typer.Argument(help="An open market, e.g. FR.")],
    name: Annotated[str | None, typer.Option(help="Deployment name (default MODEL-MARKET).")] = None,
    dataset: Annotated[str | None, typer.Option(help="sha256 of an uploaded dataset (stored input).")] = None,
    cron: Annotated[str | None, typer.Option(help="Cron schedule (needs --dataset).")] = None,
    timezone: Annotated[str, typer.Option(help="Time zone of the schedule.")] = "UTC",
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Deploy an open model for a market yourself: it follows the version or alias its owner opened."""
    with _client(url, token) as client:
        d = client.deploy_market(model, market, name=name, dataset=dataset, cron=cron, timezone=timezone)
    console.print(f"deployed {d.model} v{d.resolved_version} as {d.name} (id {d.id}) for {d.market}")


@markets_app.command("request")
@handle_errors
def markets_request(
    model: Annotated[str, typer.Argument(help="Model name.")],
    market: Annotated[str, typer.Argument(help="The market you need, e.g. IT.")],
    message: Annotated[str, typer.Option(help="A word for the owner.")] = "",
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Ask a model's owner to open a market to self-service."""
    with _client(url, token) as client:
        r = client.request_market(model, market, message)
    console.print(f"request {r.id}: {r.model} for {r.market}, {r.status}")


@markets_app.command("requests")
@handle_errors
def markets_requests(
    sent: Annotated[
        bool, typer.Option("--sent", help="Your own requests (default: for your models).")
    ] = False,
    model: Annotated[str | None, typer.Option(help="Only this model.")] = None,
    status: Annotated[str | None, typer.Option(help="pending, approved or declined.")] = None,
    output: OutputOpt = "table",
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """List market requests, newest first."""
    with _client(url, token) as client:
        items = client.market_requests("sent" if sent else "received", model=model, status=status)
    _show(
        output,
        items,
        f"{len(items)} market requests",
        ("id", "model", "market", "by", "status", "asked", "message", "reason"),
        lambda r: [
            str(r.id),
            r.model,
            r.market,
            r.requested_by,
            r.status,
            r.created_at.strftime("%Y-%m-%d %H:%M"),
            r.message[:60],
            (r.reason or "")[:60],
        ],
    )


@markets_app.command("approve")
@handle_errors
def markets_approve(
    request_id: Annotated[int, typer.Argument(help="Request id.")],
    alias: Annotated[str | None, typer.Option(help="Only for a model not open yet: the alias.")] = None,
    version: Annotated[int | None, typer.Option(help="Only for a model not open yet: the version.")] = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Approve a market request: the market opens and the requester is told."""
    with _client(url, token) as client:
        r = client.approve_market(request_id, alias=alias, version=version)
    console.print(f"request {r.id}: {r.model} open for {r.market}")


@markets_app.command("decline")
@handle_errors
def markets_decline(
    request_id: Annotated[int, typer.Argument(help="Request id.")],
    reason: Annotated[str, typer.Option(help="Why (told to the requester).")],
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Decline a market request with a reason."""
    with _client(url, token) as client:
        r = client.decline_market(request_id, reason)
    console.print(f"request {r.id}: declined")


@deployments_app.command("predictions")
@handle_errors
def deployments_predictions(
    ref: Annotated[str, typer.Argument(help="Deployment id or name.")],
    version: Annotated[int | None, typer.Option(help="Only this model version.")] = None,
    since: Annotated[datetime | None, typer.Option(help="From this time (ISO 8601; UTC if no zone).")] = None,
    until: Annotated[datetime | None, typer.Option(help="Before this time.")] = None,
    request_id: Annotated[str | None, typer.Option(help="One request, by its id.")] = None,
    page: Annotated[int, typer.Option(help="Page number.")] = 1,
    page_size: Annotated[int, typer.Option(help="Requests per page.")] = 50,
    output: OutputOpt = "table",
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """The deployment's logged online predictions, newest first (a sample of them is logged)."""
    with _client(url, token) as client:
        result = client.predictions(
            ref,
            version=version,
            since=since,
            until=until,
            request_id=request_id,
            page=page,
            page_size=page_size,
        )
    _show(
        output,
        result,
        f"{result.total} logged requests (page {result.page})",
        ("time", "request", "version", "rows", "ms", "first prediction"),
        lambda item: [
            item.at.strftime("%Y-%m-%d %H:%M:%S"),
            item.request_id,
            str(item.version),
            str(len(item.inputs)),
            f"{item.latency_ms:.1f}",
            json.dumps(item.outputs[0]) if item.outputs else "",
        ],
    )


@app.command("run")
@handle_errors
def run_deployment(
    ref: Annotated[str, typer.Argument(help="Deployment id or name.")],
    file: Annotated[
        Path | None, typer.Option("--file", "-f", exists=True, help="CSV, Excel or Parquet input.")
    ] = None,
    wait: Annotated[bool, typer.Option(help="Follow the run until it ends.")] = True,
    results: Annotated[Path | None, typer.Option("--results", "-o", help="Save the results here.")] = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Run a deployment on a file (or on its configured input) and follow it."""
    with _client(url, token) as client:
        execution = client.run(ref, file)
        console.print(f"execution {execution.id} {execution.status}")
        if not wait:
            return
        with Progress(console=err, transient=True) as bar:
            task = bar.add_task(f"run {execution.id}", total=1.0)
            while execution.status not in ("succeeded", "failed", "cancelled"):
                import time

                time.sleep(0.5)
                execution = client.execution(execution.id)
                bar.update(task, completed=execution.progress)
        console.print(
            f"execution {execution.id} {execution.status}: {execution.rows_written} rows"
            + (f" — {execution.error}" if execution.error else "")
        )
        if execution.status == "succeeded" and results is not None:
            fmt = results.suffix.lstrip(".") or "csv"
            client.download_results(execution.id, results, fmt)
            console.print(str(results))
        if execution.status != "succeeded":
            raise typer.Exit(1)


@executions_app.command("list")
@handle_errors
def executions_list(
    deployment: Annotated[str | None, typer.Option(help="Deployment id or name.")] = None,
    status: Annotated[str | None, typer.Option(help="queued, running, succeeded, failed, cancelled.")] = None,
    output: OutputOpt = "table",
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """List runs, newest first."""
    filters = {k: v for k, v in {"deployment": deployment, "status": status}.items() if v}
    with _client(url, token) as client:
        items = client.executions(**filters)
    _show(
        output,
        items,
        f"{len(items)} runs",
        ("id", "deployment", "trigger", "status", "rows", "created", "error"),
        lambda e: [
            str(e.id),
            e.deployment,
            e.trigger,
            e.status,
            str(e.rows_written),
            e.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            (e.error or "")[:60],
        ],
    )


@executions_app.command("logs")
@handle_errors
def executions_logs(
    execution_id: Annotated[int, typer.Argument(help="Execution id.")],
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Print a run's log."""
    with _client(url, token) as client:
        for line in client.logs(execution_id):
            console.print(f"{line.at:%H:%M:%S} {line.level:7} {line.message}", markup=False, highlight=False)


@executions_app.command("errors")
@handle_errors
def executions_errors(
    execution_id: Annotated[int, typer.Argument(help="Execution id.")],
    dest: Annotated[Path, typer.Option("--dest", "-d", help="Folder or file path.")] = Path("."),
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Download the rows a run left out (on_bad_rows skip) as CSV: row, column, value, reason."""
    with _client(url, token) as client:
        console.print(str(client.download_errors(execution_id, dest)))


@deployments_app.command("template")
@handle_errors
def deployments_template(
    ref: Annotated[str, typer.Argument(help="Deployment id or name.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv or xlsx.")] = "csv",
    dest: Annotated[Path, typer.Option("--dest", "-d", help="Folder or file path.")] = Path("."),
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Download a file to fill in for a run: the model's columns and an example row."""
    with _client(url, token) as client:
        console.print(str(client.download_template(ref, dest, fmt)))


@executions_app.command("cancel")
@handle_errors
def executions_cancel(
    execution_id: Annotated[int, typer.Argument(help="Execution id.")],
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Cancel a queued or running run."""
    with _client(url, token) as client:
        console.print(f"execution {execution_id}: {client.cancel(execution_id).status}")


# --- notifications and webhooks (through the API) -------------------------------------------------

notifications_app = typer.Typer(
    help="Your notifications (failed runs, skipped schedules, market requests) and what you follow.",
    no_args_is_help=True,
)
webhooks_app = typer.Typer(
    help="Webhooks: endpoints that receive events as signed JSON POSTs (data scientists and admins).",
    no_args_is_help=True,
)
app.add_typer(notifications_app, name="notifications")
app.add_typer(webhooks_app, name="webhooks")


@notifications_app.command("list")
@handle_errors
def notifications_list(
    unread: Annotated[bool, typer.Option("--unread", help="Only the unread ones.")] = False,
    page: Annotated[int, typer.Option(help="Page number.")] = 1,
    page_size: Annotated[int, typer.Option(help="Notifications per page.")] = 50,
    output: OutputOpt = "table",
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """List your notifications, newest first."""
    with _client(url, token) as client:
        result = client.notifications(unread=True if unread else None, page=page, page_size=page_size)
    _show(
        output,
        result,
        f"{result.total} notifications (page {result.page})",
        ("id", "when", "kind", "title", "link", "read"),
        lambda n: [
            str(n.id),
            n.created_at.strftime("%Y-%m-%d %H:%M"),
            n.kind,
            n.title,
            n.link or "",
            "" if n.read_at is None else "yes",
        ],
    )


@notifications_app.command("read")
@handle_errors
def notifications_read(
    notification_id: Annotated[int | None, typer.Argument(help="Notification id (or --all).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Mark all your notifications read.")] = False,
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Mark a notification (or all of them) read."""
    if (notification_id is None) == (not all_):
        err.print("[red]error:[/red] give a notification id or --all")
        raise typer.Exit(2)
    with _client(url, token) as client:
        if all_:
            console.print(f"{client.mark_all_read()} marked read")
        else:
            console.print(f"notification {client.mark_read(notification_id or 0).id} read")


@notifications_app.command("follow")
@handle_errors
def notifications_follow(
    deployment: Annotated[str | None, typer.Option(help="Deployment id or name.")] = None,
    model: Annotated[str | None, typer.Option(help="Model name (all its deployments).")] = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Follow a deployment or a model: hear about its failed runs, skipped schedules, market requests."""
    with _client(url, token) as client:
        sub = client.subscribe(deployment=deployment, model=model)
    console.print(f"following {sub.subject.type} {sub.subject.name} (subscription {sub.id})")


@notifications_app.command("unfollow")
@handle_errors
def notifications_unfollow(
    subscription_id: Annotated[int, typer.Argument(help="Subscription id (see `following`).")],
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Stop following."""
    with _client(url, token) as client:
        client.unsubscribe(subscription_id)
    console.print(f"subscription {subscription_id} removed")


@notifications_app.command("following")
@handle_errors
def notifications_following(output: OutputOpt = "table", url: UrlOpt = None, token: TokenOpt = None) -> None:
    """List the deployments and models you follow."""
    with _client(url, token) as client:
        subs = client.subscriptions()
    _show(
        output,
        subs,
        f"following {len(subs)}",
        ("id", "type", "name", "since"),
        lambda x: [str(x.id), x.subject.type, x.subject.name, x.created_at.strftime("%Y-%m-%d")],
    )


@webhooks_app.command("add")
@handle_errors
def webhooks_add(
    endpoint: Annotated[str, typer.Argument(metavar="URL", help="http(s) URL that receives the POSTs.")],
    name: Annotated[str | None, typer.Option(help="A name (default: the URL's host).")] = None,
    event: Annotated[
        list[str] | None,
        typer.Option(
            help="Event kind to send (repeatable): execution_failed, schedule_skipped, ...; default all."
        ),
    ] = None,
    scope: Annotated[
        str, typer.Option(help="own (what you hear about) or all (admins: every event).")
    ] = "own",
    secret: Annotated[
        str | None,
        typer.Option(
            envvar="MODELPORT_WEBHOOK_SECRET",
            help="Signing secret (16+ characters); a random one is made and printed once when not given.",
        ),
    ] = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Register a webhook. Each call carries X-Modelport-Timestamp and
    X-Modelport-Signature: sha256=HMAC-SHA256(secret, "<timestamp>.<body>")."""
    import secrets as _secrets
    from urllib.parse import urlsplit

    made = secret is None
    secret = secret or _secrets.token_urlsafe(32)
    with _client(url, token) as client:
        hook = client.add_webhook(
            name or urlsplit(endpoint).hostname or endpoint, endpoint, secret, events=event or [], scope=scope
        )
    console.print(f"webhook {hook.id} ({hook.name}) -> {hook.url}: {', '.join(hook.events) or 'every event'}")
    if made:
        print(f"secret (shown once, keep it to check signatures): {secret}")


@webhooks_app.command("list")
@handle_errors
def webhooks_list(output: OutputOpt = "table", url: UrlOpt = None, token: TokenOpt = None) -> None:
    """List your webhooks (an admin: all), with pending and failed deliveries."""
    with _client(url, token) as client:
        hooks = client.webhooks()
    _show(
        output,
        hooks,
        f"{len(hooks)} webhooks",
        ("id", "name", "url", "events", "scope", "active", "owner", "pending", "failed"),
        lambda h: [
            str(h.id),
            h.name,
            h.url,
            ", ".join(h.events) or "all",
            h.scope,
            "yes" if h.active else "no",
            h.owner,
            str(h.pending_deliveries),
            str(h.failed_deliveries),
        ],
    )


@webhooks_app.command("test")
@handle_errors
def webhooks_test(
    webhook_id: Annotated[int, typer.Argument(help="Webhook id.")],
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Send a test event now and say how the endpoint answered."""
    with _client(url, token) as client:
        d = client.test_webhook(webhook_id)
    if d.status == "delivered":
        console.print(f"delivered (HTTP {d.response_status}), delivery {d.id}")
        return
    console.print(f"not delivered: {d.last_error} (delivery {d.id}, {d.status})")
    raise typer.Exit(1)


@webhooks_app.command("deliveries")
@handle_errors
def webhooks_deliveries(
    webhook: Annotated[int | None, typer.Option(help="Only this webhook's.")] = None,
    status: Annotated[str | None, typer.Option(help="pending, delivered or failed.")] = None,
    channel: Annotated[str | None, typer.Option(help="webhook or email.")] = None,
    page: Annotated[int, typer.Option(help="Page number.")] = 1,
    output: OutputOpt = "table",
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """List deliveries (webhook calls and e-mails) with their attempts and last error."""
    with _client(url, token) as client:
        result = client.deliveries(webhook_id=webhook, status=status, channel=channel, page=page)
    _show(
        output,
        result,
        f"{result.total} deliveries (page {result.page})",
        ("id", "when", "kind", "to", "status", "attempts", "last error", "next attempt"),
        lambda d: [
            str(d.id),
            d.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            d.kind,
            d.address or f"webhook {d.webhook_id}",
            d.status,
            str(d.attempts),
            (d.last_error or "")[:60],
            d.next_attempt_at.strftime("%H:%M:%S") if d.next_attempt_at else "",
        ],
    )


@webhooks_app.command("retry")
@handle_errors
def webhooks_retry(
    delivery_id: Annotated[int, typer.Argument(help="Id of a failed delivery.")],
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Queue a failed delivery again."""
    with _client(url, token) as client:
        console.print(f"delivery {delivery_id}: {client.retry_delivery(delivery_id).status}")


@webhooks_app.command("remove")
@handle_errors
def webhooks_remove(
    webhook_id: Annotated[int, typer.Argument(help="Webhook id.")],
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Delete a webhook and its deliveries."""
    with _client(url, token) as client:
        client.delete_webhook(webhook_id)
    console.print(f"webhook {webhook_id} removed")


# --- your API tokens (through the API) ---------------------------------------------------------------

tokens_app = typer.Typer(help="Your API tokens (through the API).", no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")


@tokens_app.command("list")
@handle_errors
def tokens_list(
    all_users: Annotated[bool, typer.Option("--all", help="Admins: everyone's tokens.")] = False,
    output: OutputOpt = "table",
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """List your API tokens (never their secrets)."""
    with _client(url, token) as client:
        items = client.tokens(all_users)
    _show(
        output,
        items,
        f"{len(items)} tokens",
        ("id", "user", "name", "prefix", "expires", "last used", "revoked"),
        lambda t: [
            str(t.id),
            t.username,
            t.name,
            t.prefix,
            t.expires_at.strftime("%Y-%m-%d"),
            t.last_used_at.strftime("%Y-%m-%d %H:%M") if t.last_used_at else "",
            t.revoked_at.strftime("%Y-%m-%d %H:%M") if t.revoked_at else "",
        ],
    )


@tokens_app.command("create")
@handle_errors
def tokens_create(
    name: Annotated[str, typer.Argument(help="What the token is for.")],
    days: Annotated[int | None, typer.Option(help="Lifetime in days.")] = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Create an API token for yourself; its secret is printed once."""
    with _client(url, token) as client:
        created = client.create_token(name, days)
    print(created.token)  # plain, never wrapped: it is copied whole


@tokens_app.command("revoke")
@handle_errors
def tokens_revoke(
    token_id: Annotated[int, typer.Argument(help="Token id (see `modelport tokens list`).")],
    url: UrlOpt = None,
    token: TokenOpt = None,
) -> None:
    """Revoke one of your tokens (admins: anyone's)."""
    with _client(url, token) as client:
        revoked = client.revoke_token(token_id)
    console.print(f"token {revoked.id} ({revoked.name}): revoked")


# The datasets and training commands (their own module), after the others: the help lists them last.
training.register(app)

if __name__ == "__main__":  # python -m modelport.cli.main
    app()

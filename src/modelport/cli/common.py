"""What every ``modelport`` command module shares: the consoles, the ``--url``/``--token``/``--output``
options, the error decorator, the SDK client and the JSON/table printing."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import httpx
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn
from rich.table import Table

from modelport.errors import ModelportError

console = Console()
err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])

UrlOpt = Annotated[str | None, typer.Option("--url", envvar="MODELPORT_URL", help="Server URL.")]
TokenOpt = Annotated[str | None, typer.Option("--token", envvar="MODELPORT_TOKEN", help="API token.")]
OutputOpt = Annotated[str, typer.Option("--output", "-o", help="table or json.")]


def handle_errors(fn: F) -> F:
    """Print a modelport error as one line and exit 1, instead of a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ModelportError as exc:
            where = f" ({escape(exc.field)})" if exc.field else ""
            err.print(f"[red]error{where}:[/red] {escape(exc.message)}")
            raise typer.Exit(1) from None
        except httpx.TransportError as exc:  # no server there, or it stopped answering
            err.print(f"[red]error:[/red] cannot reach the server{_where(exc)}: {escape(str(exc))}")
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _where(exc: httpx.TransportError) -> str:
    """`` at <scheme>://<host:port>`` of the request that failed, when it is known."""
    try:
        url = exc.request.url
    except RuntimeError:
        return ""
    return f" at {url.scheme}://{url.netloc.decode()} (--url / MODELPORT_URL)"


def _progress() -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=err,
        transient=True,
    )


NO_TOKEN = (
    "no API token: pass --token or set MODELPORT_TOKEN (create one in the web app, or on the server "
    "with `modelport users token <username>`)"
)


def _client(url: str | None, token: str | None) -> Any:
    """The SDK client for ``--url``/``MODELPORT_URL`` and ``--token``/``MODELPORT_TOKEN``; every command
    that goes through it needs a token, so its absence is said at once rather than as a 401."""
    from modelport.errors import Unauthenticated
    from modelport.sdk import Client

    if not token:
        raise Unauthenticated(NO_TOKEN)
    return Client(url, token)


def _json(data: Any) -> None:
    """Print a list of models as a JSON array of their dumps, or one model (a page) as its JSON."""
    if isinstance(data, list):
        console.print_json(json.dumps([x.model_dump(mode="json") for x in data]))
    else:
        console.print_json(data.model_dump_json())


def _table(title: str, columns: tuple[str, ...], items: list[Any], row: Callable[[Any], list[str]]) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for item in items:
        table.add_row(*row(item))
    console.print(table)


def _show(
    output: str, data: Any, title: str, columns: tuple[str, ...], row: Callable[[Any], list[str]]
) -> None:
    """What a list command prints: ``data`` (a list, or a page and its items) as JSON (``-o json``) or
    as a table of ``columns`` with one ``row(item)`` per item."""
    if output == "json":
        _json(data)
        return
    _table(title, columns, data if isinstance(data, list) else data.items, row)

"""Request bodies screened before any route reads them: their media type (415) and JSON nesting (422).

A route that takes a body declares its media type: FastAPI's body parameters do (``application/json``,
or ``multipart/form-data`` for files), and a route that reads its own body declares it in
``openapi_extra["requestBody"]`` (the prediction route). A body of another type, or without a
``Content-Type``, is refused with 415 naming the expected type, instead of FastAPI's 422 about a
missing field. A JSON body nested deeper than :data:`~modelport.serving.body.MAX_JSON_DEPTH` is refused
with 422 before anything parses it; the routes that read their own body (the prediction route, the hot
path) do that check themselves, only when orjson could not parse the body
(:func:`modelport.serving.body.parse_json`), so their bodies are not buffered here.

The refusals are answered after the body was read, so the connection stays usable (HTTP/1.1
keep-alive): a client that sent a bad request can send the next one on the same connection.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import fastapi.routing
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import Message, Receive, Scope

from modelport.api import errors
from modelport.serving.body import MAX_JSON_DEPTH, json_depth_exceeds

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def media_type(content_type: str | None) -> str | None:
    """``type/subtype`` of a Content-Type header, lower case, without parameters; None when absent."""
    kind = content_type.partition(";")[0].strip().lower() if content_type else ""
    return kind or None


def is_json(kind: str | None) -> bool:
    """``application/json`` or a ``+json`` type (``application/merge-patch+json``...)."""
    return (
        kind is not None
        and kind.startswith("application/")
        and (kind == "application/json" or kind.endswith("+json"))
    )


def _declared(route: APIRoute) -> tuple[str, ...] | None:
    """The media types the route's body may have; None when it declares no body."""
    documented = (route.openapi_extra or {}).get("requestBody")
    if documented:
        return tuple(str(kind) for kind in documented.get("content", {}))
    if route.body_field is not None:
        return (str(getattr(route.body_field.field_info, "media_type", "application/json")),)
    return None


def _flat(routes: Sequence[BaseRoute]) -> list[tuple[Any, BaseRoute]]:
    """(something to match a scope against, the route as declared) for each route, in the app's order.

    FastAPI 0.13x and later keep an included router as one route (``iter_route_contexts`` walks into
    it); earlier versions copied the included routes into the app's list."""
    walk = getattr(fastapi.routing, "iter_route_contexts", None)
    if walk is None:
        return [(route, route) for route in routes]
    return [(context, context.original_route) for context in walk(routes)]


class BodyRules:
    """The body media types of an app's routes, looked up per request (only for requests with a body)."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.routes: list[tuple[Any, tuple[str, ...] | None]] = []
        self.own_readers: list[tuple[Any, tuple[str, ...]]] = []
        for matcher, route in _flat(routes):
            kinds = _declared(route) if isinstance(route, APIRoute) else None
            self.routes.append((matcher, kinds))
            if isinstance(route, APIRoute) and route.body_field is None and kinds is not None:
                self.own_readers.append((matcher, kinds))

    def expected(self, scope: Scope) -> tuple[tuple[str, ...] | None, bool]:
        """(the body types the matching route takes or None, whether that route reads its own body)."""
        for matcher, kinds in self.own_readers:  # the prediction route first: the hot path
            if matcher.matches(scope)[0] is Match.FULL:
                return kinds, True
        for matcher, maybe in self.routes:
            if matcher.matches(scope)[0] is Match.FULL:
                return maybe, False
        return None, False


def _has_body(headers: Headers) -> bool:
    length = headers.get("content-length")
    if length is not None:
        return length.strip() not in ("", "0")
    return "transfer-encoding" in headers


async def _read_all(receive: Receive) -> tuple[bytes, list[Message]]:
    """The whole body, and any other message received meanwhile (a disconnect), to replay."""
    chunks: list[bytes] = []
    others: list[Message] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            others.append(message)
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks), others


def _replay(body: bytes, others: list[Message], receive: Receive) -> Receive:
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}, *others]

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


def _names(kinds: tuple[str, ...]) -> str:
    return " or ".join(kinds)


async def screen(
    rules: BodyRules, scope: Scope, headers: Headers, receive: Receive
) -> tuple[Response | None, Receive]:
    """Check a request's body before the app sees it: (a refusal to send, or None; the receive to use).

    415 (``unsupported_media_type``, ``field="Content-Type"``) when the route declares its body's media
    type and the request has another or none; 422 (``invalid_argument``, ``field="body"``) for JSON
    nested deeper than :data:`MAX_JSON_DEPTH`. A refused body is read first, so that the connection
    can serve the next request.
    """
    if scope["method"] not in BODY_METHODS or not _has_body(headers):
        return None, receive
    kind = media_type(headers.get("content-type"))
    expected, reads_own = rules.expected(scope)
    if (
        expected is not None
        and kind not in expected
        and not (is_json(kind) and "application/json" in expected)
    ):
        await _read_all(receive)
        given = f"the request's Content-Type is {kind}" if kind else "the request has no Content-Type"
        return (
            errors.error_response(
                415,
                "unsupported_media_type",
                f"{given}: this route takes {_names(expected)}",
                "Content-Type",
                {"expected": list(expected)},
            ),
            receive,
        )
    if reads_own or not is_json(kind):
        return None, receive
    body, others = await _read_all(receive)
    if json_depth_exceeds(body):
        return (
            errors.error_response(
                422,
                "invalid_argument",
                f"the JSON body nests arrays or objects more than {MAX_JSON_DEPTH} levels deep",
                "body",
            ),
            receive,
        )
    return None, _replay(body, others, receive)

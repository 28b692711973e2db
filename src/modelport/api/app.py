"""The app factory: settings in, FastAPI app out (no global state, so tests build their own)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from modelport import __version__
from modelport.api import bodies, docs, errors, hardening
from modelport.api.routers import (
    audit,
    auth,
    datasets,
    deployments,
    executions,
    health,
    markets,
    metrics,
    models,
    notifications,
    stats,
    trainings,
    users,
)
from modelport.api.security import role_of
from modelport.api.spa import mount_spa
from modelport.context import Context
from modelport.settings import Settings

PUBLIC = "public"


def _role_in(dependant: Dependant) -> str | None:
    for sub in dependant.dependencies:
        role = role_of(sub.call) if sub.call else None
        if role is not None:
            return role.value
        found = _role_in(sub)
        if found:
            return found
    return None


def _document_roles(router: APIRouter) -> None:
    """Copy each route's required role into its OpenAPI operation as ``x-required-role``."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            role = _role_in(route.dependant) or PUBLIC
            route.openapi_extra = {**(route.openapi_extra or {}), "x-required-role": role}


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the embedded worker and scheduler (when enabled) with the server, stop them with it."""
    ctx: Context = app.state.ctx
    services: list[Any] = []
    if ctx.settings.worker_enabled:
        from modelport.batch.worker import Worker
        from modelport.services.notifications import execution_failed

        services.append(Worker(ctx, on_failed=partial(execution_failed, ctx)))
    if ctx.settings.scheduler_enabled:
        from modelport.services.scheduler import Scheduler

        services.append(Scheduler(ctx))
    if ctx.settings.notify_sender_enabled:
        from modelport.services.delivery import DeliverySender

        services.append(DeliverySender(ctx))
    for service in services:
        service.start()
    try:
        yield
    finally:
        for service in services:
            service.stop()


def create_app(settings: Settings | None = None, ctx: Context | None = None) -> FastAPI:
    """Build the API around a context (made from ``settings`` when not given)."""
    if ctx is None:
        ctx = Context.from_settings(settings or Settings())
    app = FastAPI(
        lifespan=_lifespan,
        title="modelport",
        version=__version__,
        description="The one home of the company's machine-learning models.",
        docs_url=None,  # /docs: Swagger UI served from the installed package (api/docs.py)
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.ctx = ctx
    errors.install(app)
    # The prediction route first: FastAPI tries routes in order, and it is the hot path.
    for module in (
        deployments,
        health,
        metrics,
        auth,
        users,
        models,
        executions,
        datasets,
        trainings,
        stats,
        audit,
        notifications,
        markets,
    ):
        _document_roles(module.router)
        app.include_router(module.router)
    app.include_router(docs.router)
    mount_spa(app)
    limit = ctx.settings.max_upload_bytes + 1024 * 1024
    body_rules = bodies.BodyRules(app.routes)

    def guard(inner: ASGIApp) -> ASGIApp:
        """Refuse a bad or too large Content-Length (400, 413), a body of the wrong media type (415) or
        JSON nested too deep (422, :mod:`modelport.api.bodies`), and add the security headers to every
        answer. Plain ASGI rather than ``@app.middleware("http")``, whose task group and memory stream
        per request cost more than a small prediction."""

        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await inner(scope, receive, send)
                return
            request = Request(scope)
            length = request.headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > limit):
                refusal = (
                    errors.error_response(400, "bad_request", "Content-Length must be a number")
                    if not length.isdigit()
                    else errors.error_response(
                        413, "payload_too_large", f"the request is larger than the {limit} byte limit"
                    )
                )
                hardening.secure_headers(request, refusal)
                await refusal(scope, receive, send)
                return
            screened, receive = await bodies.screen(body_rules, scope, request.headers, receive)
            if screened is not None:
                hardening.secure_headers(request, screened)
                await screened(scope, receive, send)
                return

            async def send_secured(message: Message) -> None:
                if message["type"] == "http.response.start":
                    response = Response(status_code=message["status"])
                    response.raw_headers = list(message.get("headers", []))
                    hardening.secure_headers(request, response)
                    message = {**message, "headers": response.raw_headers}
                await send(message)

            await inner(scope, receive, send_secured)

        return middleware

    app.add_middleware(guard)

    hardening.install(app, ctx.settings)  # CORS (closed unless configured) and log redaction

    return app


def app_factory() -> Any:
    """Entry point for ``uvicorn --factory modelport.api.app:app_factory``."""
    return create_app()

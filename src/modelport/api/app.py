"""The app factory: settings in, FastAPI app out (no global state, so tests build their own)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from modelport import __version__
from modelport.api import errors, hardening
from modelport.api.routers import audit, auth, deployments, executions, health, metrics, models, users
from modelport.api.security import role_of
from modelport.api.spa import mount_spa
from modelport.services.context import Context
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
        from modelport.worker import Worker

        services.append(Worker(ctx))
    if ctx.settings.scheduler_enabled:
        from modelport.scheduler import Scheduler

        services.append(Scheduler(ctx))
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
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.ctx = ctx
    errors.install(app)
    for module in (health, metrics, auth, users, models, deployments, executions, audit):
        _document_roles(module.router)
        app.include_router(module.router)
    mount_spa(app)
    limit = ctx.settings.max_upload_bytes + 1024 * 1024

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        length = request.headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                return errors.error_response(400, "bad_request", "Content-Length must be a number")
            if int(length) > limit:
                return errors.error_response(
                    413, "payload_too_large", f"the request is larger than the {limit} byte limit"
                )
        response = await call_next(request)
        hardening.secure_headers(request, response)
        return response

    hardening.install(app, ctx.settings)  # CORS (closed unless configured) and log redaction

    return app


def app_factory() -> Any:
    """Entry point for ``uvicorn --factory modelport.api.app:app_factory``."""
    return create_app()

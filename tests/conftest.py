"""Shared fixtures: a migrated metadata store on SQLite and on PostgreSQL, an app, users with tokens."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url

from modelport.context import Context
from modelport.db.migrate import upgrade
from modelport.db.tables import Base
from modelport.schemas import ApiTokenCreate, Role, UserCreate
from modelport.settings import Settings
from tests.s3_server import s3_server  # noqa: F401 - re-exported fixture

PG_ADMIN_URL = os.environ.get(
    "MODELPORT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_PG = os.environ.get("MODELPORT_REQUIRE_POSTGRES") == "1"
PASSWORD = "correct-horse-battery"


def _pg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A throwaway PostgreSQL database for this test run, dropped at the end."""
    name = f"modelport_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(_pg_dsn(PG_ADMIN_URL), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required (MODELPORT_REQUIRE_POSTGRES=1) but unreachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: set MODELPORT_TEST_POSTGRES_URL")
    admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    from modelport.db.engine import Database

    db = Database(url)
    upgrade(db)
    db.dispose()
    try:
        yield url
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _truncate_pg(ctx: Context) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with ctx.db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def make_context(tmp_path: Path, database_url: str, **overrides: object) -> Context:
    values: dict[str, object] = {
        "home": tmp_path / "home",
        "database_url": database_url,
        "artifact_root": str(tmp_path / "artifacts"),
        "secret_key": "test-secret-key",
        "worker_enabled": False,
        "scheduler_enabled": False,
        **overrides,
    }
    settings = Settings(**values)  # type: ignore[arg-type]
    return Context.from_settings(settings)


@pytest.fixture
def ctx(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Context]:
    """A migrated, empty metadata store on the parametrized backend, with a local artifact folder."""
    if backend == "postgresql":
        url = request.getfixturevalue("pg_database")
        context = make_context(tmp_path, url)
        _truncate_pg(context)
    else:
        context = make_context(tmp_path, f"sqlite:///{tmp_path / 'modelport.db'}")
        upgrade(context.db)
    try:
        yield context
    finally:
        context.db.dispose()


@pytest.fixture
def sqlite_ctx(tmp_path: Path) -> Iterator[Context]:
    """A SQLite-only context, for API tests that need not run twice."""
    context = make_context(tmp_path, f"sqlite:///{tmp_path / 'modelport.db'}")
    upgrade(context.db)
    try:
        yield context
    finally:
        context.db.dispose()


@dataclass
class Actor:
    username: str
    role: Role
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def add_user(ctx: Context, username: str, role: Role, department: str | None = None) -> Actor:
    from modelport.services.auth import AuthService

    auth = AuthService(ctx)
    auth.create_user(UserCreate(username=username, password=PASSWORD, role=role, department=department), None)
    principal = auth.cli_principal(username)
    created = auth.create_token(ApiTokenCreate(name="tests"), principal)
    return Actor(username, role, created.token)


@pytest.fixture
def actors(sqlite_ctx: Context) -> dict[Role, Actor]:
    """One user per role (department ``marketing``), each with an API token."""
    return {
        role: add_user(sqlite_ctx, f"{role.value.replace('_', '-')}-1", role, "marketing") for role in Role
    }


@pytest.fixture
def client(sqlite_ctx: Context) -> Iterator[TestClient]:
    from modelport.api.app import create_app

    with TestClient(create_app(ctx=sqlite_ctx), base_url="https://testserver") as c:
        yield c

"""The demo catalog: users for every role, realistic models in every department, idempotent loading."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from modelport.context import Context
from modelport.db.tables import ApiTokenRow, AuditEventRow, ModelRow, ModelVersionRow, UserRow
from modelport.demo import DEMO_PASSWORD, DemoSummary, demo_model_names, load_demo
from modelport.errors import InvalidArgument, NotFound
from modelport.schemas import DEPARTMENTS, ModelCreate, Role, SearchQuery, UserCreate
from modelport.services.auth import AuthService
from modelport.services.catalog import CatalogService

pytestmark = pytest.mark.slow

RESTRICTED = "employee-attrition"


def _counts(ctx: Context) -> dict[str, int]:
    with ctx.db.session() as s:
        return {
            table.__tablename__: int(s.scalar(select(func.count()).select_from(table)) or 0)
            for table in (ModelRow, ModelVersionRow, UserRow, ApiTokenRow, AuditEventRow)
        }


def _load(ctx: Context, **kwargs: bool) -> tuple[DemoSummary, list[str]]:
    lines: list[str] = []
    summary = load_demo(ctx, progress=lines.append, **kwargs)
    print(f"load_demo: {summary.seconds:.1f} s, created={summary.created}")
    for line in lines:
        print("  ", line)
    return summary, lines


def test_demo_catalog_on_empty_database(sqlite_ctx: Context) -> None:
    summary, lines = _load(sqlite_ctx)
    assert summary.created
    assert summary.models == demo_model_names()
    assert len(summary.models) >= 8
    assert len(lines) >= len(summary.models)  # one line per model, plus the users

    auth = AuthService(sqlite_ctx)
    catalog = CatalogService(sqlite_ctx)
    admin = auth.cli_principal("admin")
    found = catalog.search(SearchQuery(page_size=200), admin)
    assert found.total == len(summary.models)
    assert {m.department for m in found.items} == set(DEPARTMENTS)
    assert len({market for m in found.items for market in m.markets}) >= 3
    assert sum(m.version_count for m in found.items) == summary.versions
    assert sum(1 for m in found.items if m.version_count >= 2) >= 4
    assert all("champion" in m.aliases for m in found.items)
    assert any("challenger" in m.aliases for m in found.items)
    assert {f for m in found.items for f in m.flavors} >= {"sklearn", "xgboost", "lightgbm", "onnx"}
    for model in found.items:
        assert model.brands or model.department in ("hr", "finance")
        assert model.use_case
        assert model.tags
        for heading in ("## Purpose", "## Inputs", "## Output", "## Training data", "## Limitations"):
            assert heading in model.description, (model.name, heading)

    for model in found.items:
        versions = catalog.list_versions(model.name, admin)
        assert [v.version for v in sorted(versions, key=lambda v: v.version)] == list(
            range(1, model.version_count + 1)
        )
        for version in versions:
            assert version.safe_format, (model.name, version.version)
            assert version.metrics
            assert version.params["algorithm"]
            assert set(version.metrics) & {"auc", "rmse"}
            assert (version.training_data or "").startswith("s3://datalake/")
            assert (version.source_version or "").startswith("git:")
            names = version.input_schema.names()
            assert names
            assert not any(n.startswith("f") and n[1:].isdigit() for n in names), names
        champion = catalog.get_version(model.name, "champion", admin)
        if "challenger" in model.aliases:
            challenger = catalog.get_version(model.name, "challenger", admin)
            assert challenger.version > champion.version

    onnx = catalog.get_version("formulation-stability", "latest", admin)
    assert onnx.flavor == "onnx"
    assert onnx.input_schema.names()[0] == "ph"

    # one user per role, each with a working token and the demo password
    assert {u.role for u in summary.users} == set(Role)
    for user in summary.users:
        assert user.password == DEMO_PASSWORD
        principal = auth.from_token(user.token, None, None)
        assert principal.username == user.username
        assert principal.role is user.role
    by_name = {u.username: u for u in summary.users}
    assert by_name["ds"].department == "marketing"
    assert by_name["analyst"].role is Role.business_user
    user, _session = auth.login("analyst", DEMO_PASSWORD, None, None)
    assert user.department == "supply-chain"

    # the restricted HR model is seen by HR and admins only
    for username in ("viewer", "analyst", "ds"):
        principal = auth.from_token(by_name[username].token, None, None)
        visible = catalog.search(SearchQuery(page_size=200), principal)
        assert RESTRICTED not in {m.name for m in visible.items}
        assert visible.total == len(summary.models) - 1
        with pytest.raises(NotFound):
            catalog.get_model(RESTRICTED, principal)
    hr = auth.from_token(by_name["ds-hr"].token, None, None)
    assert catalog.get_model(RESTRICTED, hr).visibility == "restricted"
    assert catalog.get_model(RESTRICTED, hr).owner == "ds-hr"

    # a second call finds models and changes nothing
    before = _counts(sqlite_ctx)
    again, lines = _load(sqlite_ctx)
    assert not again.created
    assert again.models == []
    assert again.versions == 0
    assert lines == []
    assert _counts(sqlite_ctx) == before
    assert {u.username for u in again.users} == {u.username for u in summary.users}
    assert all(u.token == "" and u.password == DEMO_PASSWORD for u in again.users)


def test_force_reloads_demo_models_and_keeps_others(sqlite_ctx: Context) -> None:
    auth = AuthService(sqlite_ctx)
    catalog = CatalogService(sqlite_ctx)
    # an existing user with a demo name is reused, not reset
    auth.create_user(
        UserCreate(
            username="ds", password="not-the-demo-password", role=Role.data_scientist, department="rd"
        ),
        None,
    )
    catalog.create_model(
        ModelCreate(name="my-own-model", title="Mine", department="rd"), auth.cli_principal("ds")
    )
    skipped, _ = _load(sqlite_ctx)
    assert not skipped.created
    assert [(u.username, u.password, u.token) for u in skipped.users] == [("ds", "", "")]

    first, _ = _load(sqlite_ctx, force=True)
    assert first.created
    ds = next(u for u in first.users if u.username == "ds")
    assert ds.password == ""
    assert ds.department == "rd"
    assert auth.from_token(ds.token, None, None).username == "ds"
    admin = auth.cli_principal("admin")
    first_ids = {m.name: m.id for m in catalog.search(SearchQuery(page_size=200), admin).items}

    second, _ = _load(sqlite_ctx, force=True)
    assert second.created
    assert second.models == first.models
    after = catalog.search(SearchQuery(page_size=200), admin)
    assert {m.name for m in after.items} == set(first.models) | {"my-own-model"}
    assert all(m.id != first_ids[m.name] for m in after.items if m.name != "my-own-model")
    assert all(m.latest_version == m.version_count for m in after.items)
    with sqlite_ctx.db.session() as s:
        assert s.scalar(select(func.count()).select_from(UserRow)) == len(first.users)


def test_existing_user_with_another_role_is_refused_before_any_change(sqlite_ctx: Context) -> None:
    AuthService(sqlite_ctx).create_user(
        UserCreate(username="viewer", password="a-long-password", role=Role.admin), None
    )
    before = _counts(sqlite_ctx)
    with pytest.raises(InvalidArgument, match="viewer"):
        load_demo(sqlite_ctx)
    assert _counts(sqlite_ctx) == before

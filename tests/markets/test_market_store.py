"""The self-service store on SQLite and PostgreSQL: openings, their markets, requests and decisions."""

from __future__ import annotations

import pytest

from modelport.context import Context
from modelport.db.tables import DeploymentRow
from modelport.errors import NotFound
from modelport.schemas import ModelCreate, Role
from modelport.services.auth import AuthService
from modelport.services.catalog import CatalogService
from modelport.stores.markets import MarketStore
from tests.conftest import add_user


@pytest.fixture
def model_id(ctx: Context) -> int:
    add_user(ctx, "owner", Role.data_scientist, "marketing")
    add_user(ctx, "asker", Role.business_user, "marketing")
    add_user(ctx, "elsewhere", Role.business_user, "finance")
    owner = AuthService(ctx).cli_principal("owner")
    model = CatalogService(ctx).create_model(
        ModelCreate(name="churn", title="Churn", department="marketing", visibility="restricted"), owner
    )
    return model.id


def user_id(ctx: Context, username: str) -> int:
    return AuthService(ctx).cli_principal(username).user_id


def test_open_replace_add_and_close(ctx: Context, model_id: int) -> None:
    owner = user_id(ctx, "owner")
    with ctx.db.session() as s:
        store = MarketStore(s)
        assert store.opening(model_id) is None
        opened = store.open(model_id, version=None, alias="champion", markets=["FR", "DE"], user_id=owner)
        assert (opened.model, opened.alias, opened.markets, opened.all_markets) == (
            "churn",
            "champion",
            ["DE", "FR"],
            False,
        )
        assert opened.opened_by == opened.updated_by == "owner"
    with ctx.db.session() as s:
        store = MarketStore(s)
        assert store.add_market(model_id, "IT", owner) is True
        assert store.add_market(model_id, "IT", owner) is False
        replaced = store.open(model_id, version=2, alias=None, markets=["ES"], user_id=owner)
        assert (replaced.version, replaced.alias, replaced.markets) == (2, None, ["ES"])
        assert replaced.opened_at == opened.opened_at
    with ctx.db.session() as s:
        store = MarketStore(s)
        every = store.open(model_id, version=2, alias=None, markets=["*"], user_id=owner)
        assert (every.markets, every.all_markets) == (["*"], True)
        assert store.add_market(model_id, "BR", owner) is False  # every market is open already
        assert store.close(model_id) is True
        assert store.close(model_id) is False
        assert store.opening(model_id) is None
        with pytest.raises(NotFound):
            store.add_market(model_id, "BR", owner)


def test_requests_decisions_and_lists(ctx: Context, model_id: int) -> None:
    owner, asker, elsewhere = (user_id(ctx, u) for u in ("owner", "asker", "elsewhere"))
    auth = AuthService(ctx)
    with ctx.db.session() as s:
        store = MarketStore(s)
        first = store.add_request(model_id, "IT", "for May", asker)
        second = store.add_request(model_id, "IT", "", owner)
        other = store.add_request(model_id, "JP", "", asker)
        assert (first.status, first.requested_by, first.model, first.model_title) == (
            "pending",
            "asker",
            "churn",
            "Churn",
        )
        assert store.pending_request(model_id, "IT", asker) == first
        assert store.pending_request(model_id, "ES", asker) is None
        assert store.count_pending(model_id) == 3
        assert store.request(other.id) == other
        with pytest.raises(NotFound):
            store.request(999_999)
    with ctx.db.session() as s:
        store = MarketStore(s)
        decided = store.decide(model_id, "approved", owner, market="IT")
        assert sorted((r.id, r.status, r.decided_by, who) for r, who in decided) == [
            (first.id, "approved", "owner", asker),
            (second.id, "approved", "owner", owner),
        ]
        assert store.decide(model_id, "approved", owner, market="IT") == []
        [(declined, who)] = store.decide(model_id, "declined", owner, request_id=other.id, reason="no data")
        assert (declined.status, declined.reason, who) == ("declined", "no data", asker)
        assert declined.decided_at is not None
        assert store.count_pending(model_id) == 0
    with ctx.db.session() as s:
        store = MarketStore(s)
        mine = store.list_requests(auth.cli_principal("asker"), 1, 10, requested_by=asker)
        assert [r.id for r in mine.items] == [other.id, first.id] and mine.total == 2
        owned = store.list_requests(auth.cli_principal("owner"), 1, 10, owned_by=owner, status="approved")
        assert [r.id for r in owned.items] == [second.id, first.id]
        paged = store.list_requests(auth.cli_principal("owner"), 2, 2, owned_by=owner)
        assert ([r.id for r in paged.items], paged.total) == ([first.id], 3)
        # a restricted model's requests are not shown to a user of another department
        hidden = store.list_requests(auth.cli_principal("elsewhere"), 1, 10, requested_by=elsewhere)
        assert hidden.total == 0
        assert store.list_requests(auth.cli_principal("elsewhere"), 1, 10).total == 0


def test_free_deployment_names(ctx: Context, model_id: int) -> None:
    owner = user_id(ctx, "owner")
    with ctx.db.session() as s:
        store = MarketStore(s)
        assert store.free_name("churn-fr") == "churn-fr"
        for name in ("churn-fr", "churn-fr-2", "churn-fr-north"):
            s.add(DeploymentRow(name=name, model_id=model_id, market="FR", owner_id=owner))
        s.flush()
        assert store.free_name("churn-fr") == "churn-fr-3"
        long = "m" * 97 + "-fr"
        assert store.free_name(long) == long
        s.add(DeploymentRow(name=long, model_id=model_id, market="FR", owner_id=owner))
        s.flush()
        assert store.free_name(long) == "m" * 96 + "-2"
        assert [d.name for d in store.deployments_of(model_id)] == [
            "churn-fr",
            "churn-fr-2",
            "churn-fr-north",
            long,
        ]

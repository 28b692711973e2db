"""The catalog store on SQLite and PostgreSQL: one suite, both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from modelport.context import Context
from modelport.errors import AlreadyExists, NotFound
from modelport.principal import Principal
from modelport.schemas import ModelCreate, ModelUpdate, Role, SearchQuery
from modelport.stores.audit import AuditStore
from modelport.stores.catalog import CatalogStore
from modelport.stores.users import UserStore


def _principal(ctx: Context, username: str, role: Role, department: str | None) -> Principal:
    with ctx.db.session() as s:
        user = UserStore(s).create(username, role, None, department=department)
    return Principal(user.id, username, role, department)


def _version_fields(flavor: str = "sklearn") -> dict[str, object]:
    return {
        "flavor": flavor,
        "format": "joblib",
        "safe_format": False,
        "model_type": "sklearn.linear_model.LogisticRegression",
        "filename": "model.joblib",
        "artifact_uri": "file:///x",
        "artifact_sha256": "a" * 64,
        "artifact_size": 10,
        "input_schema": {"columns": [{"name": "x", "type": "number"}]},
        "output_schema": {"columns": [{"name": "prediction", "type": "integer"}]},
    }


def _card(name: str, **kw: object) -> ModelCreate:
    base: dict[str, object] = {
        "name": name,
        "title": name.replace("-", " ").title(),
        "department": "marketing",
        "markets": ["FR"],
        "tags": ["churn"],
    }
    base.update(kw)
    return ModelCreate.model_validate(base)


def test_create_get_and_duplicate_name(ctx: Context) -> None:
    ds = _principal(ctx, "ds", Role.data_scientist, "marketing")
    with ctx.db.session() as s:
        model = CatalogStore(s).create_model(_card("churn-fr", brands=["Acme"]), ds.user_id)
    assert model.owner == "ds"
    assert model.markets == ["FR"]
    with pytest.raises(AlreadyExists) as err, ctx.db.session() as s:
        CatalogStore(s).create_model(_card("churn-fr", title="Other"), ds.user_id)
    assert err.value.field == "name"
    with ctx.db.session() as s:
        again = CatalogStore(s).get_model("churn-fr", ds)
    assert again.title == "Churn Fr"
    assert again.brands == ["Acme"]


def test_restricted_visibility_in_reads_and_search(ctx: Context) -> None:
    owner = _principal(ctx, "owner", Role.data_scientist, "hr")
    colleague = _principal(ctx, "colleague", Role.viewer, "hr")
    outsider = _principal(ctx, "outsider", Role.data_scientist, "sales")
    admin = _principal(ctx, "root", Role.admin, None)
    with ctx.db.session() as s:
        CatalogStore(s).create_model(
            _card("attrition", department="hr", visibility="restricted"), owner.user_id
        )
        CatalogStore(s).create_model(_card("open-model", department="hr"), owner.user_id)
    for who, sees in ((owner, True), (colleague, True), (admin, True), (outsider, False)):
        with ctx.db.session() as s:
            store = CatalogStore(s)
            names = {m.name for m in store.search(SearchQuery(), who).items}
            assert ("attrition" in names) is sees
            assert "open-model" in names
            if sees:
                assert store.get_model("attrition", who).visibility == "restricted"
            else:
                with pytest.raises(NotFound):
                    store.get_model("attrition", who)


def test_versions_aliases_and_refs(ctx: Context) -> None:
    ds = _principal(ctx, "ds", Role.data_scientist, "marketing")
    with ctx.db.session() as s:
        store = CatalogStore(s)
        store.create_model(_card("churn"), ds.user_id)
        v1 = store.create_version("churn", ds, **_version_fields())
        v2 = store.create_version("churn", ds, **_version_fields("xgboost"))
        assert (v1.version, v2.version) == (1, 2)
        assert store.set_alias("churn", "champion", 1, ds) is None
        assert store.set_alias("churn", "champion", 2, ds) == 1
        assert store.get_version("churn", "champion", ds).version == 2
        assert store.get_version("churn", "latest", ds).version == 2
        assert store.get_version("churn", "1", ds).aliases == []
        model = store.get_model("churn", ds)
        assert model.aliases == {"champion": 2}
        assert model.flavors == ["sklearn", "xgboost"]
        assert (model.latest_version, model.version_count) == (2, 2)
        with pytest.raises(NotFound):
            store.get_version("churn", "challenger", ds)
        with pytest.raises(NotFound):
            store.set_alias("churn", "champion", 9, ds)


def test_search_text_filters_facets_sort_and_pages(ctx: Context) -> None:
    ds = _principal(ctx, "ds", Role.data_scientist, "supply-chain")
    cards = [
        _card(
            "demand-forecast-fr",
            department="supply-chain",
            markets=["FR"],
            tags=["forecast"],
            description="Weekly demand forecast per store",
        ),
        _card("demand-forecast-de", department="supply-chain", markets=["DE"], tags=["forecast"]),
        _card("churn-uk", department="marketing", markets=["UK"], tags=["churn"], brands=["Zest"]),
        _card("price-elasticity", department="sales", markets=["FR", "DE"], tags=["pricing"]),
    ]
    with ctx.db.session() as s:
        for card in cards:
            CatalogStore(s).create_model(card, ds.user_id)
    with ctx.db.session() as s:
        store = CatalogStore(s)
        hits = store.search(SearchQuery(q="demand", sort="name"), ds)
        assert [m.name for m in hits.items] == ["demand-forecast-de", "demand-forecast-fr"]
        assert hits.total == 2
        assert store.search(SearchQuery(q="weekly stor"), ds).total == 1
        fr = store.search(SearchQuery(market=["fr"], sort="name"), ds)
        assert [m.name for m in fr.items] == ["demand-forecast-fr", "price-elasticity"]
        both = store.search(SearchQuery(market=["FR", "UK"], department=["marketing"]), ds)
        assert [m.name for m in both.items] == ["churn-uk"]
        everything = store.search(SearchQuery(sort="name", page=2, page_size=3), ds)
        assert everything.total == 4
        assert [m.name for m in everything.items] == ["price-elasticity"]
        markets = {f.value: f.count for f in everything.facets["market"]}
        assert markets == {"FR": 2, "DE": 2, "UK": 1}
        departments = {f.value: f.count for f in everything.facets["department"]}
        assert departments == {"supply-chain": 2, "marketing": 1, "sales": 1}
        assert store.search(SearchQuery(q="'; drop table models; --"), ds).total == 0
        assert store.search(SearchQuery(q="%"), ds).total == 4  # punctuation is not a wildcard


def test_update_moves_labels(ctx: Context) -> None:
    ds = _principal(ctx, "ds", Role.data_scientist, "marketing")
    _principal(ctx, "heir", Role.data_scientist, "marketing")
    with ctx.db.session() as s:
        CatalogStore(s).create_model(_card("churn"), ds.user_id)
    with ctx.db.session() as s:
        updated = CatalogStore(s).update_model("churn", ModelUpdate(markets=["es"], owner="heir"), ds)
    assert (updated.markets, updated.owner) == (["ES"], "heir")
    with ctx.db.session() as s:
        store = CatalogStore(s)
        assert store.search(SearchQuery(market=["FR"]), ds).total == 0
        assert store.search(SearchQuery(market=["ES"], owner=["heir"]), ds).total == 1


def test_audit_log_is_append_only(ctx: Context) -> None:
    with ctx.db.session() as s:
        AuditStore(s).append(
            action="model.create",
            target_type="model",
            target="m",
            actor_id=None,
            actor="x",
            details={"password": "hunter2", "fine": 1},
        )
    with ctx.db.session() as s:
        event = AuditStore(s).list_events(1, 10).items[0]
    assert event.details == {"password": "***", "fine": 1}
    for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError), ctx.db.session() as s:
            s.execute(text(statement))
    with ctx.db.session() as s:
        assert AuditStore(s).list_events(1, 10).total == 1

"""The Alembic chain builds exactly the schema the ORM describes, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from modelport.context import Context
from modelport.db.migrate import current_revision, head_revision
from modelport.db.tables import Base


def test_migrated_schema_matches_orm(ctx: Context) -> None:
    assert current_revision(ctx.db) == head_revision()
    with ctx.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    # PostgreSQL's generated search vector and its index are not declared on the ORM on purpose.
    diff = [
        d
        for d in diff
        if not (d[0] == "remove_index" and d[1].name == "ix_models_search_vector")
        and not (d[0] == "remove_column" and d[3].name == "search_vector")
    ]
    assert diff == []

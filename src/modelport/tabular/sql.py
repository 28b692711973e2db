"""SQL in and out: a query's rows into a local file, a file's rows appended to a table.

Used by batch runs (a deployment's SQL input and table output); the connections are the named URLs of
the ``connections`` setting, resolved by the caller.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import text

from modelport.db.engine import make_engine


def read_query(url: str, query: str, params: dict[str, Any], dest: Path, chunk_rows: int) -> int:
    """Write the rows of ``query`` on ``url`` to the parquet file ``dest`` (complete or absent);
    returns the number of rows."""
    import pandas as pd

    from modelport.tabular.writers import BatchWriter

    engine = make_engine(url)
    writer = BatchWriter(dest, "parquet")
    try:
        with engine.connect() as conn:
            for chunk in pd.read_sql(text(query), conn, params=params, chunksize=chunk_rows):
                writer.write(chunk)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    finally:
        engine.dispose()
    return writer.rows_written


def append_file(url: str, table: str, path: Path, fmt: str, chunk_rows: int) -> None:
    """Append the rows of the file ``path`` (format ``fmt``) to ``table`` (``schema.table`` or
    ``table``) on ``url`` in one transaction: all rows or none."""
    from modelport.tabular.readers import iter_batches

    engine = make_engine(url)
    schema, _, name = table.rpartition(".")
    try:
        with engine.begin() as conn:
            for chunk in iter_batches(path, fmt, chunk_rows):  # type: ignore[arg-type]
                chunk.to_sql(name, conn, schema=schema or None, if_exists="append", index=False)
    finally:
        engine.dispose()


def unreachable(url: str, timeout: float = 5.0) -> str | None:
    """Why the database at ``url`` does not answer ``SELECT 1`` (waiting at most ``timeout`` seconds
    to connect where the driver allows it); None when it answers. A SQLite file that does not exist
    does not answer (connecting would create an empty one)."""
    from sqlalchemy import create_engine, make_url
    from sqlalchemy.pool import NullPool

    try:
        parsed = make_url(url)
        backend = parsed.get_backend_name()
        if backend == "sqlite":
            database = parsed.database or ""
            if database not in ("", ":memory:") and not Path(database).is_file():
                return f"the SQLite file {database} does not exist"
            return None
        connect_args = {"connect_timeout": max(1, int(timeout))} if backend in ("postgresql", "mysql") else {}
        engine = create_engine(url, poolclass=NullPool, connect_args=connect_args)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        finally:
            engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure to connect is the answer
        lines = str(exc).strip().splitlines()
        return (lines[0] if lines else type(exc).__name__)[:500]
    return None

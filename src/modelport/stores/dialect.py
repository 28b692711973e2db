"""The few places where SQLite and PostgreSQL differ: full-text search and relevance."""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, and_, func, literal, literal_column, true
from sqlalchemy.sql.elements import ColumnElement as CE

from modelport.db.tables import ModelRow

# PostgreSQL only: a generated column (migration 0003), not declared on ModelRow so it is never loaded.
SEARCH_VECTOR: ColumnElement[str] = literal_column("models.search_vector")

_TERM = re.compile(r"[\w]+", re.UNICODE)


def search_terms(q: str) -> list[str]:
    """Split a free-text query into lowercase word terms (punctuation is dropped, so nothing is injected)."""
    return [t.lower() for t in _TERM.findall(q)][:12]


def text_match(dialect: str, terms: list[str]) -> ColumnElement[bool]:
    """A filter: every term is a prefix of a word (PostgreSQL) or a substring (SQLite) of the search text."""
    if not terms:
        return true()
    if dialect == "postgresql":
        query = " & ".join(f"{t}:*" for t in terms)
        return SEARCH_VECTOR.bool_op("@@")(func.to_tsquery("simple", query))
    return and_(*[ModelRow.search_text.contains(t, autoescape=True) for t in terms])


def relevance(dialect: str, terms: list[str]) -> CE[float]:
    """A number to sort by, higher is better."""
    if dialect == "postgresql" and terms:
        query = " & ".join(f"{t}:*" for t in terms)
        return func.ts_rank(SEARCH_VECTOR, func.to_tsquery("simple", query))
    if terms:
        # SQLite: a name hit ranks above a description hit.
        return func.instr(func.lower(ModelRow.name), terms[0]) > 0  # type: ignore[return-value]
    return literal(0.0)

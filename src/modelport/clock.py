"""The time: timezone-aware UTC now, for every layer (the ORM tables take their defaults from it)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)

"""Short-lived in-process caches of what every online prediction reads, cleared when it changes.

An online prediction needs the caller (from the API token) and the version serving the deployment
(through an alias maybe). Both come from the metadata store and both change rarely, so the hot path
keeps them in a :class:`TTLCache` for a few seconds instead of querying the store on every request.

Freshness:

* **in this process** a change is seen at once: :func:`watch` registers a cache with the tables it
  depends on, and a committed ORM session that inserted, updated or deleted rows of one of them
  (``session.add``/attribute changes/``session.delete``, or an ORM bulk ``update()``/``delete()``,
  except the bookkeeping updates of :data:`BOOKKEEPING`) clears the cache right after the commit;
* **in other processes** (``serve --workers N``, other API replicas) a change is seen within the
  cache's time to live, since nothing tells them about it.

A reader that fetched a value from the store while a change was being committed must not put its
stale copy back after the clear: it takes :attr:`TTLCache.generation` before reading and passes it to
:meth:`TTLCache.put`, which drops the value when a clear happened in between.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_TOUCHED = "modelport.touched_tables"


class TTLCache(Generic[K, V]):
    """A thread-safe map whose entries expire ``ttl`` seconds after they were put.

    At most ``max_entries`` entries: when full, expired entries are dropped first, then the oldest.
    A ``ttl`` of 0 (or less) disables the cache: :meth:`get` always misses.
    """

    def __init__(
        self, ttl: float, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._clock = clock
        self._entries: dict[K, tuple[float, V]] = {}
        self._lock = threading.Lock()
        self.generation = 0
        """Bumped by every :meth:`clear`; pass the value read before a store query to :meth:`put`."""

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        """The value of ``key`` if present and not expired, else None."""
        entry = self._entries.get(key)  # a dict read is atomic: no lock on the hot path
        if entry is None or entry[0] <= self._clock():
            return None
        return entry[1]

    def put(self, key: K, value: V, generation: int | None = None) -> None:
        """Keep ``value`` under ``key``, unless the cache was cleared since ``generation``."""
        if self.ttl <= 0:
            return
        with self._lock:
            if generation is not None and generation != self.generation:
                return
            now = self._clock()
            if key not in self._entries and len(self._entries) >= self.max_entries:
                for old in [k for k, (expires, _) in self._entries.items() if expires <= now]:
                    del self._entries[old]
                while len(self._entries) >= self.max_entries:
                    del self._entries[next(iter(self._entries))]
            self._entries[key] = (now + self.ttl, value)

    def discard(self, key: K) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.generation += 1


# --- clearing on commit ---------------------------------------------------------------------------

_watchers: list[tuple[weakref.ReferenceType[TTLCache[Any, Any]], frozenset[str]]] = []
_watchers_lock = threading.Lock()


def watch(cache: TTLCache[Any, Any], *tables: str) -> None:
    """Clear ``cache`` after every commit, in this process, that changed rows of one of ``tables``."""
    with _watchers_lock:
        _watchers[:] = [(ref, names) for ref, names in _watchers if ref() is not None]
        _watchers.append((weakref.ref(cache), frozenset(tables)))


def _table_of(obj: Any) -> str | None:
    name = getattr(type(obj), "__tablename__", None)
    return name if isinstance(name, str) else None


def _touch(session: Session, names: set[str]) -> None:
    touched: set[str] | None = session.info.get(_TOUCHED)
    if touched is None:
        session.info[_TOUCHED] = touched = set()
    touched.update(names)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush_context: UOWTransaction) -> None:
    names = {
        name
        for objects in (session.new, session.dirty, session.deleted)
        for obj in objects
        if (name := _table_of(obj)) is not None
    }
    if names:
        _touch(session, names)


BOOKKEEPING: frozenset[tuple[str, str]] = frozenset({("api_tokens", "last_used_at")})
"""(table, column) pairs whose bulk updates change nothing a cache holds (a token's last use)."""


@event.listens_for(Session, "do_orm_execute")
def _on_bulk(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    name = state.bind_mapper.local_table.name  # type: ignore[attr-defined]
    if state.is_update:
        values = getattr(state.statement, "_values", None) or {}
        columns = {str(getattr(column, "key", column)) for column in values}
        if columns and all((name, column) in BOOKKEEPING for column in columns):
            return
    _touch(state.session, {name})


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    touched: set[str] | None = session.info.pop(_TOUCHED, None)
    if touched:
        tables_changed(touched)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_TOUCHED, None)


def tables_changed(tables: set[str] | frozenset[str]) -> None:
    """Clear every watched cache that depends on one of ``tables`` (called after a commit)."""
    with _watchers_lock:
        caches = [ref() for ref, names in _watchers if names & tables]
    for cache in caches:
        if cache is not None:
            cache.clear()

"""Per-client rate limits for sign-in: an in-memory sliding window, one per API process.

Each replica counts on its own, so N replicas accept up to N times the limit from one address; the
account lockout (in the database) still bounds password guessing across replicas.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from fastapi import Request
from fastapi.responses import JSONResponse

from modelport.api.errors import error_response


class SlidingWindow:
    """At most ``limit`` events per key within any ``window_seconds``; thread-safe."""

    def __init__(
        self,
        limit: int,
        window_seconds: float = 60.0,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self.max_keys = max_keys
        self.clock = clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float:
        """Count one event for ``key``: 0 if accepted, else the seconds to wait (not counted)."""
        now = self.clock()
        with self._lock:
            events = self._events.get(key)
            if events is None:
                if len(self._events) >= self.max_keys:
                    self._prune(now)
                events = self._events[key] = deque()
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return max(events[0] + self.window - now, 0.001)
            events.append(now)
            return 0.0

    def _prune(self, now: float) -> None:
        stale = [k for k, ev in self._events.items() if not ev or ev[-1] <= now - self.window]
        for key in stale:
            del self._events[key]
        if len(self._events) >= self.max_keys:  # still full of live keys: forget the oldest half
            for key in list(self._events)[: self.max_keys // 2]:
                del self._events[key]


def login_limiter(request: Request) -> SlidingWindow:
    """The sign-in limiter of this app (made on first use from ``login_rate_limit_per_minute``)."""
    limiter: SlidingWindow | None = getattr(request.app.state, "login_limiter", None)
    if limiter is None:
        limiter = SlidingWindow(request.app.state.ctx.settings.login_rate_limit_per_minute)
        request.app.state.login_limiter = limiter
    return limiter


def check_login_rate(request: Request) -> JSONResponse | None:
    """None if this client may try to sign in now; else the 429 answer, with ``Retry-After``."""
    client = request.client.host if request.client else "unknown"
    wait = login_limiter(request).hit(client)
    if not wait:
        return None
    seconds = math.ceil(wait)
    response = error_response(
        429, "too_many_requests", f"too many sign-in attempts from your address: retry in {seconds} s"
    )
    response.headers["Retry-After"] = str(seconds)
    return response

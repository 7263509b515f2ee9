"""Sliding-window rate limits of the open endpoints and the console's login (Art. 32; ID-2).

A subject may submit a few requests per identity and somewhat more per client address
in a sliding window; asking a preference link and logging in to the console are limited
the same way. A refusal names the wait, it is never final (ID-2). The limiter holds keys
the caller chose (a keyed digest of an identity, an address), never an identity in clear.

:class:`RateWindows` is the contract. Wherever the application has a store, the limits
are kept there (:class:`tutela.store.rate_windows.SqlRateWindows`), shared by every API
process and host, so several workers do not multiply the attempts allowed.
:class:`SlidingWindows` keeps them in this process's memory: only where there is no store
(a desk built without one, as in unit tests) or no store key to digest the keys with.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from tutela.errors import RequestError


class Throttled(RequestError):
    """Too many requests from one identity or address just now; ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        minutes = max(1, round(retry_after / 60))
        super().__init__(
            f"too many requests from this identity or address just now: try again in about "
            f"{minutes} minute(s)"
        )


@dataclass(frozen=True)
class Window:
    """At most ``events`` in any sliding ``window``."""

    events: int
    window: timedelta


@dataclass(frozen=True)
class SubjectLimits:
    """The subjects' limits: submissions per identity and per client address."""

    per_identity: Window = Window(5, timedelta(hours=1))
    per_address: Window = Window(30, timedelta(hours=1))


class RateWindows(Protocol):
    """Where events are counted per key in sliding windows (memory or tutela's store)."""

    def attempt(self, windows: Mapping[str, Window], now: datetime) -> int:
        """Count one event under every key if each window has room: 0; else seconds to wait.

        Nothing is counted when one window is full, so a refused attempt costs nothing.
        ``now`` is timezone-aware; the keys are keyed digests the caller chose.
        """


def recent(times: Sequence[datetime], limit: Window, now: datetime) -> list[datetime]:
    """The ``times`` (oldest first) that still count in ``limit``'s window at ``now``."""
    return [at for at in times if now - at < limit.window]


def waiting(times: Sequence[datetime], limit: Window, now: datetime) -> int:
    """Seconds until one more event fits (0: now), given the ``recent`` times, oldest first.

    Never less than 1 second when the window is full.
    """
    if len(times) < limit.events:
        return 0
    if limit.events < 1:
        return max(math.ceil(limit.window.total_seconds()), 1)
    frees_at = times[len(times) - limit.events] + limit.window
    return max(math.ceil((frees_at - now).total_seconds()), 1)


class SlidingWindows:
    """Counts events per key in this process's memory; safe to share between threads."""

    def __init__(self, most_keys: int = 100_000) -> None:
        self._events: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()
        self._most_keys = most_keys

    def attempt(self, windows: Mapping[str, Window], now: datetime) -> int:
        """Count one event under every key if each window has room: 0; else seconds to wait.

        Nothing is counted when one window is full, so a refused attempt costs nothing.
        """
        with self._lock:
            wait = max((self._wait(key, limit, now) for key, limit in windows.items()), default=0)
            if wait == 0:
                if len(self._events) >= self._most_keys:
                    self._forget(now, max(w.window for w in windows.values()))
                for key in windows:
                    self._events.setdefault(key, deque()).append(now)
            return wait

    def _wait(self, key: str, limit: Window, now: datetime) -> int:
        times = self._events.get(key)
        if times is None:
            return 0
        while times and now - times[0] >= limit.window:
            times.popleft()
        return waiting(times, limit, now)

    def _forget(self, now: datetime, longest: timedelta) -> None:
        """Drop the keys with no event in the longest window (memory stays bounded)."""
        stale = [k for k, times in self._events.items() if not times or now - times[-1] >= longest]
        for key in stale:
            del self._events[key]

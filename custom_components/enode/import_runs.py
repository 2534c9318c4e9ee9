"""One statistics import at a time in the background, paused by Enode's rate limit.

Shared by the HEM/inverter importer (statistics.py) and the charging importer
(charging_statistics.py): timers ask for a run; a run already going (or starting) covers it; a
429 pauses every run until its Retry-After has passed and then runs again by itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

if TYPE_CHECKING:
    from .api import EnodeRateLimitError
    from .models import EnodeConfigEntry

RATE_LIMIT_DEFAULT = 60.0  # seconds, when a 429 names no Retry-After


class ImportRuns:
    """Starts an importer's run in the background, one at a time; owns its rate-limit pause."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: EnodeConfigEntry,
        run: Callable[[], Coroutine[Any, Any, None]],
        name: str,
    ) -> None:
        """``run`` is the importer's run; it holds ``lock`` while it works."""
        self._hass = hass
        self._entry = entry
        self._run = run
        self._name = name
        self.lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._retry: CALLBACK_TYPE | None = None
        self.paused_until: datetime | None = None
        entry.async_on_unload(self._async_cancel_retry)

    def paused(self, now: datetime) -> bool:
        """True while a rate limit still holds."""
        return self.paused_until is not None and now < self.paused_until

    @callback
    def async_request(self, _now: datetime | None = None) -> None:
        """Run now in the background, unless a run is going (or starting): it covers this."""
        if self.lock.locked() or (self._task is not None and not self._task.done()):
            return
        self._task = self._entry.async_create_background_task(self._hass, self._run(), self._name)

    @callback
    def async_pause(self, now: datetime, err: EnodeRateLimitError) -> float:
        """Pause for Enode's Retry-After (or a minute), then run again; returns the seconds."""
        delay = err.retry_after if err.retry_after is not None else RATE_LIMIT_DEFAULT
        self.paused_until = now + timedelta(seconds=delay)
        self._async_cancel_retry()
        self._retry = async_call_later(self._hass, delay, self._async_retry_due)
        return delay

    @callback
    def _async_retry_due(self, now: datetime) -> None:
        self._retry = None
        self.async_request(now)

    @callback
    def _async_cancel_retry(self) -> None:
        if self._retry is not None:
            self._retry()
            self._retry = None

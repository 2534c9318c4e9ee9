"""The statistics imports' clock: one DataUpdateCoordinator per importer, hourly, Retry-After aware.

Shared by the HEM/inverter importer (statistics.py) and the charging importer
(charging_statistics.py). A run starts a little after setup, then `minute` minutes after every
UTC hour (the interval is set to reach that moment after each run). A 429 becomes
`UpdateFailed(retry_after=...)`: Home Assistant's coordinator then waits Enode's Retry-After
instead of the hour, and the importer refuses to run before it has passed. Runs never overlap
(the coordinator refreshes one at a time; the importer's lock covers direct calls).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER

if TYPE_CHECKING:
    from .api import EnodeRateLimitError
    from .models import EnodeConfigEntry

RATE_LIMIT_DEFAULT = 60.0  # seconds, when a 429 names no Retry-After


def next_run(now: datetime, minute: int) -> datetime:
    """The next moment `minute` minutes after a UTC hour, strictly after now."""
    candidate = now.replace(minute=minute, second=0, microsecond=0)
    return candidate if candidate > now else candidate + timedelta(hours=1)


class ImportRuns(DataUpdateCoordinator[datetime]):
    """When an importer runs; its data is the start of the last run."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: EnodeConfigEntry,
        run: Callable[[], Awaitable[float | None]],
        *,
        name: str,
        minute: int,
        first_run: float,
    ) -> None:
        """``run`` imports and returns Enode's Retry-After when it was rate-limited."""
        self._entry = entry
        super().__init__(
            hass,
            LOGGER,
            # Not the entry's: Home Assistant's "Enable polling for changes" is about device
            # data; this runs whatever it says (its timer ends with the listener, on unload).
            config_entry=None,
            name=name,
            update_interval=timedelta(seconds=first_run),
        )
        entry.async_on_unload(self.async_shutdown)  # as a coordinator of the entry would
        self._run = run
        self._minute = minute
        self.lock = asyncio.Lock()
        self.paused_until: datetime | None = None

    @callback
    def async_start(self) -> None:
        """Start the clock (a coordinator keeps one only while someone listens)."""
        self._entry.async_on_unload(self.async_add_listener(self._async_ran))

    def paused(self, now: datetime) -> bool:
        """True while a rate limit still holds."""
        return self.paused_until is not None and now < self.paused_until

    @callback
    def async_pause(self, now: datetime, err: EnodeRateLimitError) -> float:
        """Hold runs for Enode's Retry-After (or a minute); returns the seconds."""
        delay = err.retry_after if err.retry_after is not None else RATE_LIMIT_DEFAULT
        self.paused_until = now + timedelta(seconds=delay)
        return delay

    async def _async_update_data(self) -> datetime:
        now = dt_util.utcnow()
        self.update_interval = next_run(now, self._minute) - now
        retry_after = await self._run()
        if retry_after is not None:
            raise UpdateFailed(
                retry_after=retry_after,
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                translation_placeholders={"retry_after": str(round(retry_after))},
            )
        return now

    @callback
    def _async_ran(self) -> None:
        """Nothing to do: the importer itself listens, and publishes during the run."""

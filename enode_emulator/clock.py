"""The simulation clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import time
from typing import Any


class SimClock:
    """Simulated time: real elapsed time times `speed`, plus a manual offset."""

    def __init__(self, start: datetime | None = None, speed: float = 1.0) -> None:
        """Initialise the clock at `start` (UTC, default now)."""
        self._start = (start or datetime.now(UTC)).astimezone(UTC)
        self._real_start = time.monotonic()
        self.speed = speed
        self._offset = 0.0
        self.pinned: datetime | None = None

    @property
    def start(self) -> datetime:
        """Return the simulation start time."""
        return self._start

    def elapsed(self) -> float:
        """Return simulated seconds since the start."""
        return (time.monotonic() - self._real_start) * self.speed + self._offset

    def now(self) -> datetime:
        """Return the current simulated time (UTC), or the pinned time while processing."""
        if self.pinned is not None:
            return self.pinned
        return self._start + timedelta(seconds=self.elapsed())

    def __getstate__(self) -> dict[str, Any]:
        """Saved state: the simulated now and the wall time (monotonic time is per process)."""
        return {"now": self.now(), "wall": time.time(), "speed": self.speed}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Resume as if the clock had run on while the emulator was stopped."""
        away = max(time.time() - state["wall"], 0.0) * state["speed"]
        self.__init__(state["now"] + timedelta(seconds=away), state["speed"])  # type: ignore[misc]

    def advance(self, seconds: float) -> None:
        """Move the clock forward by `seconds` simulated seconds."""
        if seconds < 0:
            raise ValueError("The clock only moves forward")
        self._offset += seconds


def iso(moment: datetime) -> str:
    """Format a datetime the way Enode does (UTC, millisecond precision, `Z`)."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"

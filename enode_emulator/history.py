"""Per-site energy history recorded by the physics, read by the statistics."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

BUCKET_SECONDS = 300  # 5 minutes, the finest HEM resolution


@dataclass
class Bucket:
    """Energy (kWh) per series over recorded seconds of one 5-minute bucket."""

    seconds: float = 0.0
    energy: dict[str, float] = field(default_factory=dict)
    battery_level: float | None = None


class History:
    """Recorded simulation output per site and 5-minute bucket."""

    def __init__(self) -> None:
        """Initialise an empty history."""
        self._buckets: dict[str, dict[int, Bucket]] = {}

    def record(
        self,
        site_id: str,
        moment: datetime,
        seconds: float,
        power_kw: dict[str, float],
        battery_level: float | None,
    ) -> None:
        """Add `seconds` of average powers (kW) ending at `moment`."""
        start = int(moment.timestamp() - seconds) // BUCKET_SECONDS * BUCKET_SECONDS
        bucket = self._buckets.setdefault(site_id, {}).setdefault(start, Bucket())
        bucket.seconds += seconds
        for key, value in power_kw.items():
            bucket.energy[key] = bucket.energy.get(key, 0.0) + value * seconds / 3600
        if battery_level is not None:
            bucket.battery_level = battery_level

    def bucket(self, site_id: str, start: int) -> Bucket | None:
        """Return the bucket starting at a UNIX time, if recorded."""
        return self._buckets.get(site_id, {}).get(start)

    def clear(self) -> None:
        """Forget everything."""
        self._buckets.clear()

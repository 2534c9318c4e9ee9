"""Deterministic solar and household load curves shared by physics and statistics."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
import math
import random
from zoneinfo import ZoneInfo

from .models import Site


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """Return a cached timezone."""
    return ZoneInfo(name)


def _noise(
    seed: int, site_id: str, moment: datetime, kind: str, *, low: float, high: float
) -> float:
    # One value per quarter hour so curves are smooth but not flat; string seeds are stable.
    slot = int(moment.timestamp() // 900)
    return random.Random(f"{seed}:{site_id}:{kind}:{slot}").uniform(low, high)


def solar_fraction(site: Site, moment: datetime, seed: int) -> float:
    """Return the share (0..1) of peak solar power at a moment, by local daylight."""
    local = moment.astimezone(zone(site.timezone))
    day = local.timetuple().tm_yday
    # Day length swings ±4 h around 12 h over the year (northern hemisphere).
    day_length = 12.0 + 4.0 * math.sin(2 * math.pi * (day - 80) / 365)
    solar_noon = 13.0 if local.dst() else 12.0
    hour = local.hour + local.minute / 60 + local.second / 3600
    position = (hour - (solar_noon - day_length / 2)) / day_length
    if not 0.0 < position < 1.0:
        return 0.0
    clouds = _noise(seed, site.id, moment, "cloud", low=0.6, high=1.0)
    return float(math.sin(math.pi * position) ** 1.5) * clouds


def household_kw(site: Site, moment: datetime, seed: int) -> float:
    """Return the base household load (kW) without the emulated assets."""
    local = moment.astimezone(zone(site.timezone))
    hour = local.hour + local.minute / 60

    def bump(center: float, width: float) -> float:
        return math.exp(-(((hour - center) / width) ** 2))

    shape = 1.0 + 0.8 * bump(7.5, 1.2) + 1.3 * bump(19.0, 2.0)
    return float(site.base_load_kw * shape) * _noise(
        seed, site.id, moment, "load", low=0.9, high=1.1
    )

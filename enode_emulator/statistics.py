"""HEM system and inverter statistics derived from the simulation."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
import re
from typing import Any

from .catalog import HEM_RESOLUTION_MINUTES
from .history import BUCKET_SECONDS, History
from .models import JSON, Asset, Site
from .physics import battery_target
from .problems import ProblemError
from .profiles import household_kw, solar_fraction, zone

SERIES = ("generation", "consumption", "import", "export", "batteryLevel", "charge", "discharge")
_NEEDS = {
    "generation": "inverter",
    "consumption": "meter",
    "import": "meter",
    "export": "meter",
    "batteryLevel": "battery",
    "charge": "battery",
    "discharge": "battery",
}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
NO_DATA = "No data available for this timeseries for this interval"


class StatisticsSource:
    """Computes 5-minute averages per series: recorded history, or a synthetic replay."""

    def __init__(self, history: History, seed: int, start: datetime) -> None:
        """Initialise with the recorded history, the seed and the simulation start."""
        self.history = history
        self.seed = seed
        self.start = start

    def bucket(self, site: Site, members: list[Asset], start: int, now: datetime) -> JSON | None:
        """Return average kW per series (and battery level) of a 5-minute bucket, or None."""
        if start + BUCKET_SECONDS > now.timestamp():
            return None
        if start >= self.start.timestamp():
            recorded = self.history.bucket(site.id, start)
            if recorded is not None and recorded.seconds > 0:
                values: JSON = {
                    key: value * 3600 / recorded.seconds for key, value in recorded.energy.items()
                }
                values["batteryLevel"] = recorded.battery_level
                return values
        day = _synthetic_day(site.id, _site_key(site, members), self.seed, start - start % 86400)
        return day[start]


def _site_key(site: Site, members: list[Asset]) -> tuple[Any, ...]:
    peak = sum(float(m.sim.get("peakKw", 0)) for m in members if m.kind == "inverter")
    batteries = [m for m in members if m.kind == "battery"]
    capacity = sum(float(m.data["chargeState"]["batteryCapacity"] or 0) for m in batteries)
    rate = sum(float(m.sim.get("maxRateKw", 0)) for m in batteries)
    return (site.timezone, site.base_load_kw, site.id, peak, capacity, rate)


@lru_cache(maxsize=256)
def _synthetic_day(
    site_id: str, key: tuple[Any, ...], seed: int, day_start: int
) -> dict[int, JSON]:
    """Replay one UTC day of a site before the simulation started (self-reliance battery)."""
    timezone, base_load, _, peak, capacity, rate = key
    site = Site(
        site_id, "", "", 0, 0, timezone, datetime.fromtimestamp(0, zone("UTC")), 0, base_load
    )
    level = 50.0
    result: dict[int, JSON] = {}
    for offset in range(0, 86400, BUCKET_SECONDS):
        start = day_start + offset
        middle = datetime.fromtimestamp(start + BUCKET_SECONDS / 2, zone("UTC"))
        generation = peak * solar_fraction(site, middle, seed)
        consumption = household_kw(site, middle, seed)
        battery = 0.0
        if capacity:
            battery = battery_target("SELF_RELIANCE", generation - consumption, rate, 0)
            hours = BUCKET_SECONDS / 3600
            battery = max(-(level - 10) / 100 * capacity / hours, battery)
            battery = min((100 - level) / 100 * capacity / hours, battery)
            level += battery * hours / capacity * 100
        grid = consumption - generation + battery
        result[start] = {
            "generation": generation,
            "consumption": consumption,
            "import": max(grid, 0.0),
            "export": max(-grid, 0.0),
            "charge": max(battery, 0.0),
            "discharge": max(-battery, 0.0),
            "batteryLevel": level if capacity else None,
        }
    return result


def hem_statistics(
    source: StatisticsSource,
    *,
    hem: Asset,
    site: Site,
    members: list[Asset],
    interval: str | None,
    now: datetime,
) -> JSON:
    """Build the `GET /hem-systems/{id}/statistics` response.

    Raises:
        ProblemError: 400 for a bad interval or a date outside installation..today,
            and the status of an injected statistics fault (422/503).
    """
    fault = hem.sim.get("statisticsFault")
    if fault:
        raise ProblemError(int(fault), "Statistics are not available from the vendor right now")
    tz = zone(site.timezone)
    today = now.astimezone(tz).date()
    installed = site.created_at.astimezone(tz).date()
    if interval and _DAY.match(interval):
        first = _parse_date(interval)
        last = first
        month = False
    elif interval and _MONTH.match(interval):
        first = _parse_date(interval + "-01")
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        month = True
    else:
        raise ProblemError(400, "Query parameter 'interval' must be YYYY-MM-DD or YYYY-MM")
    if last < installed or first > today:
        raise ProblemError(
            400, f"The interval must be between {installed.isoformat()} and {today.isoformat()}"
        )
    if first < installed and not month:  # pragma: no cover - a DAY has first == last
        raise ProblemError(400, "The interval starts before the installation date")
    resolution = 1440 if month else HEM_RESOLUTION_MINUTES.get(hem.vendor, 5)
    kinds = {member.kind for member in members}
    unavailable = set(hem.sim.get("statisticsUnavailable", []))
    series: JSON = {}
    buckets = _buckets(first, last, tz, resolution)
    values = [
        _aggregate(source, site=site, members=members, start=start, end=end, now=now, energy=month)
        for start, end in buckets
    ]
    for key in SERIES:
        if key in unavailable or _NEEDS[key] not in kinds or (month and key == "batteryLevel"):
            series[key] = {"isAvailable": False, "reason": NO_DATA}
            continue
        is_level = key == "batteryLevel"
        unit = "%" if is_level else ("kWh" if month else "kW")
        unit_type = "Percentage" if is_level else ("Energy" if month else "Power")
        series[key] = {
            "isAvailable": True,
            "unit": unit,
            "unitType": unit_type,
            "sampling": {
                "mode": "bucketed",
                "resolution": "P1D" if month else f"PT{resolution}M",
            },
            "timezone": site.timezone,
            "data": [
                {"t": start.isoformat(), "v": None if value is None else _round(value.get(key))}
                for (start, _), value in zip(buckets, values, strict=True)
            ],
        }
    return {"timeseries": series}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise ProblemError(400, f"Invalid date {text}") from err


def _buckets(first: date, last: date, tz: Any, minutes: int) -> list[tuple[datetime, datetime]]:
    """Return local bucket bounds from `first` 00:00 to the end of `last` (DST-aware)."""
    result = []
    if minutes == 1440:
        day = first
        while day <= last:
            start = datetime.combine(day, time(), tz)
            end = datetime.combine(day + timedelta(days=1), time(), tz)
            result.append((start, end))
            day += timedelta(days=1)
        return result
    start_utc = datetime.combine(first, time(), tz).astimezone(zone("UTC"))
    end_utc = datetime.combine(last + timedelta(days=1), time(), tz).astimezone(zone("UTC"))
    step = timedelta(minutes=minutes)
    moment = start_utc
    while moment < end_utc:
        result.append((moment.astimezone(tz), (moment + step).astimezone(tz)))
        moment += step
    return result


def _aggregate(
    source: StatisticsSource,
    *,
    site: Site,
    members: list[Asset],
    start: datetime,
    end: datetime,
    now: datetime,
    energy: bool,
) -> JSON | None:
    """Average kW (or, with `energy`, kWh sum) over the 5-minute buckets in [start, end)."""
    if start >= now:
        return None
    totals: JSON = {}
    count = 0
    for moment in range(int(start.timestamp()), int(end.timestamp()), BUCKET_SECONDS):
        values = source.bucket(site, members, moment, now)
        if values is None:
            if not energy:
                return None
            continue
        count += 1
        for key, value in values.items():
            if value is None:
                continue
            if key == "batteryLevel":
                totals[key] = value
            else:
                totals[key] = totals.get(key, 0.0) + value
    if not count:
        return None
    for key in list(totals):
        if key != "batteryLevel":
            totals[key] = totals[key] * BUCKET_SECONDS / 3600 if energy else totals[key] / count
    return totals


def statistics_pending_until(inverter: Asset, now: datetime) -> datetime | None:
    """Until when the inverter's statistics are still being backfilled (202), or None."""
    until = inverter.sim.get("statisticsPendingUntil")
    return until if isinstance(until, datetime) and now < until else None


def inverter_statistics(
    inverter: Asset, site: Site, query: dict[str, str], now: datetime, seed: int
) -> JSON:
    """Build `GET /inverters/{id}/statistics` (kWh per quarter hour or per day, local time)."""
    try:
        year = int(query["year"])
        month = int(query["month"])
        day = int(query["day"]) if "day" in query else None
        first = date(year, month, day or 1)
    except (KeyError, ValueError) as err:
        raise ProblemError(
            400, "Query needs a valid 'year' and 'month' (and optional 'day')"
        ) from err
    tz = zone(str(inverter.data["timezone"] or site.timezone))
    if day is None:
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        resolution, minutes = "DAY", 1440
    else:
        last, resolution, minutes = first, "QUARTER_HOUR", 15
    peak = float(inverter.sim["peakKw"])
    data = []
    for start, end in _buckets(first, last, tz, minutes):
        value = solar_energy(peak, site, start, end, seed) if end <= now else None
        data.append({"date": start.isoformat(), "value": value})
    # [?] API.md 8.2: top-level fields besides `resolutions` are not captured.
    return {
        "id": inverter.id,
        "timezone": str(tz.key),
        "resolutions": {resolution: {"unit": "kWh", "data": data}},
    }


def solar_energy(peak: float, site: Site, start: datetime, end: datetime, seed: int) -> float:
    """Return the kWh an inverter of `peak` kW produced in [start, end) (5-minute samples)."""
    total = 0.0
    moment = start.astimezone(zone("UTC"))
    while moment < end:
        total += peak * solar_fraction(site, moment, seed) / 12
        moment += timedelta(minutes=5)
    return round(total, 3)


# Admin shaping of statistics answers (PUT /_emulator/assets/{id}/statistics): what real Enode
# does and the simulation never does by itself (late buckets, missing buckets, revisions, a
# series without `sampling`, one failing day).
SHAPE_KEYS = frozenset({"delayMinutes", "omitSampling", "missing", "values", "failDays"})


def validate_shape(body: Any) -> JSON:
    """Check an admin statistics shape; `{}` clears it."""
    if not isinstance(body, dict) or set(body) - SHAPE_KEYS:
        raise ProblemError(400, f"The shape takes only {sorted(SHAPE_KEYS)}")
    try:
        shape: JSON = {
            "delayMinutes": float(body.get("delayMinutes", 0)),
            "omitSampling": bool(body.get("omitSampling", False)),
            "missing": sorted(
                datetime.fromisoformat(t).timestamp() for t in body.get("missing", [])
            ),
            "values": {
                datetime.fromisoformat(t).timestamp(): float(v)
                for t, v in dict(body.get("values", {})).items()
            },
            "failDays": {
                date.fromisoformat(d).isoformat(): int(s)
                for d, s in dict(body.get("failDays", {})).items()
            },
        }
    except (TypeError, ValueError) as err:
        raise ProblemError(400, f"Invalid statistics shape: {err}") from err
    return shape


def apply_shape(body: JSON, shape: JSON | None, *, day: str | None, now: datetime) -> JSON:
    """Shape a HEM or inverter answer in place (see validate_shape) and return it."""
    if not shape:
        return body
    if day is not None and (status := shape["failDays"].get(day)):
        raise ProblemError(status, "Statistics are not available from the vendor right now")
    # (series, time key, value key, bucket minutes or None for daily buckets)
    series: list[tuple[JSON, str, str, int | None]] = []
    for item in body.get("timeseries", {}).values():
        if "data" not in item:
            continue
        match = re.match(r"^PT(\d+)M$", str(item.get("sampling", {}).get("resolution")))
        series.append((item, "t", "v", int(match.group(1)) if match else None))
        if shape["omitSampling"]:
            item.pop("sampling", None)
    for key, item in body.get("resolutions", {}).items():
        series.append((item, "date", "value", 15 if key == "QUARTER_HOUR" else None))
    for item, time_key, value_key, minutes in series:
        kept = []
        for point in item["data"]:
            moment = datetime.fromisoformat(point[time_key]).timestamp()
            if moment in shape["missing"]:
                continue
            if moment in shape["values"] and point[value_key] is not None:
                point[value_key] = shape["values"][moment]
            late = minutes is not None and shape["delayMinutes"]
            if late and moment + (minutes + shape["delayMinutes"]) * 60 > now.timestamp():
                point[value_key] = None
            kept.append(point)
        item["data"] = kept
    return body

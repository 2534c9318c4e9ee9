"""Charging sessions recorded from the physics, and the charging statistics built from them.

Every physics step hands over the power each vehicle, charger and HVAC drew (`record`). The
energy is kept as readings of one quarter hour per asset (kWh, kW range, the price per kWh at
the asset's Location from `Pricing.price_at`); consecutive readings with consumption form a
session (SMART.md 9.2). Energy charged while a smart charging plan runs also gets the price it
would have cost without smart charging: the mean price of charging the same plan at once from
the moment it was made (its `nonSmartPrice`). `GET /users/{id}/statistics/charging` aggregates
readings into buckets, `.../sessions` lists the sessions; data appears 15 minutes after the
quarter hour it describes (a session 15 minutes after it ended), as Enode describes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import random
from typing import TYPE_CHECKING, Any

from .clock import iso
from .models import JSON, Asset, Site
from .problems import ProblemError
from .profiles import zone

if TYPE_CHECKING:
    from .locations import Pricing
    from .smart import SmartCharging, VehicleSmart
    from .state import Store

QUARTER = 900
DELAY = timedelta(minutes=15)  # readings and sessions appear this long after they end
TYPES = ("charger", "vehicle", "hvac")
RESOLUTIONS = ("QUARTER_HOUR", "HALF_HOUR", "HOUR", "DAY", "WEEK", "MONTH", "YEAR")
_FIXED = {"QUARTER_HOUR": 900, "HALF_HOUR": 1800, "HOUR": 3600}
_INVALID = "Payload validation failed"
_MIN_KW = 0.005


@dataclass
class Reading:
    """One asset's consumption in one quarter hour."""

    start: int  # UNIX time of the quarter hour
    seconds: float = 0.0
    kwh: float = 0.0
    kw_min: float = 0.0
    kw_max: float = 0.0
    price: float | None = None
    non_smart_price: float | None = None  # set only when smart charging shaped this energy

    def add(self, seconds: float, kw: float, price: float | None, non_smart: float | None) -> None:
        """Add `seconds` of charging at `kw`."""
        self.kw_min = kw if not self.seconds else min(self.kw_min, kw)
        self.kw_max = max(self.kw_max, kw)
        self.seconds += seconds
        self.kwh += kw * seconds / 3600
        self.price = price
        if non_smart is not None:
            self.non_smart_price = non_smart


@dataclass
class Session:
    """Consecutive readings of one asset showing consumption."""

    asset_id: str
    kind: str
    user_id: str
    location_id: str | None
    readings: list[Reading] = field(default_factory=list)
    end: datetime | None = None  # None while the asset is still consuming
    seeded: bool = False  # fabricated by the admin route (replaced when seeded again)

    @property
    def start(self) -> datetime:
        """When the first reading began."""
        return datetime.fromtimestamp(self.readings[0].start, UTC)


class ChargingLog:
    """Every asset's charging sessions: recorded live, or fabricated for the past."""

    def __init__(self) -> None:
        """Start with no sessions."""
        self.sessions: list[Session] = []
        self.open: dict[str, Session] = {}
        self._non_smart: dict[str, float | None] = {}  # plan id -> price without smart charging

    # --- recording ------------------------------------------------------------------------

    def record(
        self,
        *,
        store: Store,
        pricing: Pricing,
        smart: SmartCharging,
        moment: datetime,
        seconds: float,
        power_kw: dict[str, float],
    ) -> None:
        """Add one physics step (ending at `moment`) of the power each asset drew."""
        start = moment - timedelta(seconds=seconds)
        for asset_id, kw in power_kw.items():
            asset = store.assets[asset_id]  # the physics just stepped it
            session = self.open.get(asset_id)
            if kw <= _MIN_KW:
                if session is not None:
                    session.end = start
                    del self.open[asset_id]
                continue
            site, location_id = self._site(store, asset)
            if session is None or session.location_id != location_id:
                if session is not None:
                    session.end = start
                session = Session(asset.id, asset.kind, asset.user_id, location_id)
                self.sessions.append(session)
                self.open[asset_id] = session
            price = pricing.price_at(site, start) if site is not None else None
            non_smart = self._non_smart_price(pricing, smart, asset, site)
            quarter = int(start.timestamp()) // QUARTER * QUARTER
            if not session.readings or session.readings[-1].start != quarter:
                session.readings.append(Reading(quarter))
            session.readings[-1].add(seconds, kw, price, non_smart)

    @staticmethod
    def _site(store: Store, asset: Asset) -> tuple[Site | None, str | None]:
        """The Location the asset is at, else its household (priced, but no `locationId`)."""
        location = asset.data.get("location")
        location_id = location.get("id") if isinstance(location, dict) else None
        site = store.sites.get(str(location_id)) if location_id else None
        if site is not None and not site.deleted:
            return site, site.id
        return store.sites.get(asset.site_id), None

    def _non_smart_price(
        self, pricing: Pricing, smart: SmartCharging, asset: Asset, site: Site | None
    ) -> float | None:
        """The mean price of charging the running plan at once (None without a plan)."""
        state = smart.vehicles.get(asset.id) if asset.kind == "vehicle" else None
        if state is None or not state.active or state.plan is None or site is None:
            return None
        plan_id = str(state.plan["id"])
        if plan_id not in self._non_smart:
            self._non_smart[plan_id] = _plan_at_once_price(pricing, site, state)
        return self._non_smart[plan_id]

    def asset_removed(self, asset: Asset) -> None:
        """Forget a removed asset's sessions."""
        self.sessions = [s for s in self.sessions if s.asset_id != asset.id]
        self.open.pop(asset.id, None)

    # --- fabricated history ---------------------------------------------------------------

    def seed_history(
        self, store: Store, pricing: Pricing, *, user_id: str, days: int, now: datetime, seed: int
    ) -> int:
        """Fabricate plausible evening sessions of a user's vehicles for the past `days` days.

        Deterministic by seed, asset and day; the chargers the vehicles charge at record the
        same energy (as real chargers do). Earlier fabricated sessions in the window are
        replaced, recorded ones are kept. Returns the number of sessions fabricated.
        """
        first = now - timedelta(days=days)
        self.sessions = [s for s in self.sessions if not (s.seeded and s.user_id == user_id)]
        recorded: dict[str, set[int]] = {}
        for session in self.sessions:
            recorded.setdefault(session.asset_id, set()).update(r.start for r in session.readings)
        count = 0
        for vehicle in store.assets_of("vehicle", user_id):
            site = store.sites.get(vehicle.site_id)
            if site is None:
                continue
            tz = zone(site.timezone)
            charger_id = vehicle.data["chargeState"].get("pluggedInChargerId") or vehicle.sim.get(
                "chargerId"
            )
            charger = store.assets.get(str(charger_id)) if charger_id else None
            local_today = now.astimezone(tz).date()
            for back in range(days, 0, -1):
                day = local_today - timedelta(days=back)
                rng = random.Random(f"{seed}:{vehicle.id}:charging:{day.isoformat()}")
                if rng.random() < 0.25:
                    continue  # not every day
                plug = datetime(day.year, day.month, day.day, rng.randint(16, 21), tzinfo=tz)
                plug += timedelta(minutes=rng.choice((0, 15, 30, 45)))
                kwh = round(rng.uniform(6.0, 26.0), 1)
                kw = float(vehicle.sim.get("maxChargeKw", 11.0))
                smart = rng.random() < 0.6
                readings = _fabricate(pricing, site, plug, kwh, kw, smart=smart)
                readings = [r for r in readings if r.start >= first.timestamp()]
                readings = [r for r in readings if r.start + QUARTER <= now.timestamp()]
                # Never on top of what the physics recorded for the vehicle.
                readings = [r for r in readings if r.start not in recorded.get(vehicle.id, ())]
                if not readings:
                    continue
                for asset in (vehicle, charger):
                    if asset is None or (asset is charger and asset.kind != "charger"):
                        continue
                    for part in _split(readings):
                        end = datetime.fromtimestamp(part[-1].start + QUARTER, UTC)
                        session = Session(asset.id, asset.kind, user_id, site.id, part, end, True)
                        self.sessions.append(session)
                        count += 1
        self.sessions.sort(key=lambda s: s.start)
        return count

    # --- reading --------------------------------------------------------------------------

    def _select(
        self, assets: set[str], location_id: str | None, now: datetime
    ) -> list[tuple[Session, list[Reading]]]:
        """Sessions of these assets with the readings visible at `now`."""
        visible = (now - DELAY).timestamp()
        result = []
        for session in self.sessions:
            if session.asset_id not in assets:
                continue
            if location_id is not None and session.location_id != location_id:
                continue
            readings = [r for r in session.readings if r.start + QUARTER <= visible]
            if readings:
                result.append((session, readings))
        return result

    def buckets(
        self,
        assets: set[str],
        query: ChargingQuery,
        resolution: str,
        utc_offset: float,
        now: datetime,
    ) -> list[JSON]:
        """Buckets of `resolution` with charging in [start, end), oldest first."""
        grouped: dict[datetime, list[Reading]] = {}
        for _, readings in self._select(assets, query.location_id, now):
            for reading in readings:
                moment = datetime.fromtimestamp(reading.start, UTC)
                if query.start <= moment < query.end:
                    key = bucket_start(moment, resolution, utc_offset)
                    grouped.setdefault(key, []).append(reading)
        return [{**_aggregate(grouped[key]), "date": iso(key)} for key in sorted(grouped)]

    def session_list(self, assets: set[str], query: ChargingQuery, now: datetime) -> list[JSON]:
        """Sessions that ended at least 15 minutes ago and intersect [start, end]."""
        result = []
        for session, readings in self._select(assets, query.location_id, now):
            if session.end is None or session.end > now - DELAY:
                continue
            if session.end < query.start or session.start > query.end:
                continue
            result.append(
                {
                    "id": session.asset_id,
                    "locationId": session.location_id,
                    "from": iso(session.start),
                    "to": iso(session.end),
                    **_aggregate(readings),
                }
            )
        return result


@dataclass(frozen=True)
class ChargingQuery:
    """The common filters of both charging statistics routes."""

    start: datetime
    end: datetime
    kind: str
    asset_id: str | None
    location_id: str | None


def parse_query(query: Any, now: datetime) -> ChargingQuery:
    """Validate `startDate`, `endDate`, `type`, `id` and `locationId` (400 problems)."""
    start = _date(query, "startDate")
    if start is None:
        raise ProblemError(400, '"startDate" is required', _INVALID)
    end = _date(query, "endDate") or now
    kind = query.get("type")
    if kind is None:
        raise ProblemError(400, '"type" is required', _INVALID)
    if kind not in TYPES:
        raise ProblemError(400, f'"type" must be one of {", ".join(TYPES)}', _INVALID)
    if end < start:
        raise ProblemError(400, '"endDate" must not be before "startDate"', _INVALID)
    return ChargingQuery(start, end, kind, query.get("id") or None, query.get("locationId") or None)


def parse_resolution(query: Any) -> tuple[str, float]:
    """Validate `resolution` (default DAY) and the deprecated `utcOffset` (hours)."""
    resolution = query.get("resolution") or "DAY"
    if resolution not in RESOLUTIONS:
        raise ProblemError(400, f'"resolution" must be one of {", ".join(RESOLUTIONS)}', _INVALID)
    offset = 0.0
    if (raw := query.get("utcOffset")) is not None:
        try:
            offset = float(raw)
        except ValueError:
            raise ProblemError(400, '"utcOffset" must be a number of hours', _INVALID) from None
        if not -14 <= offset <= 14:
            raise ProblemError(400, '"utcOffset" must be between -14 and 14', _INVALID)
    # The offset only applies to DAY and coarser buckets (SMART.md 9.1).
    return resolution, 0.0 if resolution in _FIXED else offset


def _date(query: Any, key: str) -> datetime | None:
    raw = query.get(key)
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise ProblemError(400, f'"{key}" must be an ISO 8601 date-time', _INVALID) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def bucket_start(moment: datetime, resolution: str, utc_offset: float = 0.0) -> datetime:
    """The UTC start of the bucket holding `moment` (local to `utc_offset` for DAY and up)."""
    if resolution in _FIXED:
        size = _FIXED[resolution]
        return datetime.fromtimestamp(int(moment.timestamp()) // size * size, UTC)
    shift = timedelta(hours=utc_offset)
    local = (moment + shift).replace(hour=0, minute=0, second=0, microsecond=0)
    if resolution == "WEEK":
        local -= timedelta(days=local.weekday())  # weeks start on Monday
    elif resolution == "MONTH":
        local = local.replace(day=1)
    elif resolution == "YEAR":
        local = local.replace(month=1, day=1)
    return local - shift


def _stats(values: list[float]) -> tuple[float, float]:
    return min(values), max(values)


def _aggregate(readings: list[Reading]) -> JSON:
    """The keys every bucket and session has (SMART.md 9.1), from quarter-hour readings."""
    kwh = sum(r.kwh for r in readings)
    seconds = sum(r.seconds for r in readings)
    kw_min, kw_max = min(r.kw_min for r in readings), max(r.kw_max for r in readings)
    priced = [r for r in readings if r.price is not None]
    cost = sum(r.kwh * (r.price or 0.0) for r in priced)
    # The spec's `price` aggregates are numbers (only `nonSmartPrice` is nullable): without a
    # price for any reading they are 0, as is the cost.
    price: JSON = {"min": 0.0, "max": 0.0, "mean": 0.0}
    if priced:
        low, high = _stats([r.price for r in priced if r.price is not None])
        priced_kwh = sum(r.kwh for r in priced)
        mean = cost / priced_kwh if priced_kwh else low
        price = {"min": round(low, 4), "max": round(high, 4), "mean": round(mean, 4)}
    smart = [r for r in readings if r.non_smart_price is not None and r.price is not None]
    non_smart: JSON = {"min": None, "max": None, "mean": None}
    savings: float | None = None
    if smart:
        values = [r.non_smart_price for r in smart if r.non_smart_price is not None]
        low, high = _stats(values)
        smart_kwh = sum(r.kwh for r in smart)
        plain = sum(r.kwh * (r.non_smart_price or 0.0) for r in smart)
        mean = plain / smart_kwh if smart_kwh else low
        non_smart = {"min": round(low, 4), "max": round(high, 4), "mean": round(mean, 4)}
        savings = round(plain - sum(r.kwh * (r.price or 0.0) for r in smart), 4)
    return {
        "kw": {
            "min": round(kw_min, 3),
            "max": round(kw_max, 3),
            "mean": round(kwh * 3600 / seconds, 3) if seconds else 0.0,
        },
        "kwhSum": round(kwh, 4),
        "price": price,
        "nonSmartPrice": non_smart,
        "costSum": round(cost, 4),
        "estimatedSavings": savings,
    }


def _plan_at_once_price(pricing: Pricing, site: Site, state: VehicleSmart) -> float | None:
    """Mean price of charging the plan's energy at once from the moment it was made."""
    plan = state.plan or {}
    made = state.created_at
    if made is None or not plan.get("stopAt"):
        return None
    stop = datetime.fromisoformat(str(plan["stopAt"]).replace("Z", "+00:00"))
    duration = (stop - made) + sum((end - start for start, end in state.slots), timedelta())
    return _mean_price(pricing, site, made, max(duration, timedelta(minutes=15)))


def _mean_price(pricing: Pricing, site: Site, start: datetime, duration: timedelta) -> float | None:
    prices = []
    moment, end = start, start + duration
    while moment < end:
        prices.append(pricing.price_at(site, moment))
        moment += timedelta(minutes=15)
    known = [p for p in prices if p is not None]
    return sum(known) / len(known) if known else None


def _fabricate(
    pricing: Pricing, site: Site, plug: datetime, kwh: float, kw: float, *, smart: bool
) -> list[Reading]:
    """Quarter-hour readings charging `kwh` from `plug`.

    At once, or with `smart` in the night's cheapest quarter hours before 07:00.
    """
    quarters = max(1, round(kwh / kw * 4 + 0.4999))
    per_quarter = kwh / quarters
    at_once = [plug + timedelta(minutes=15 * n) for n in range(quarters)]
    chosen = at_once
    non_smart: float | None = None
    if smart:
        deadline = (plug + timedelta(days=1)).replace(hour=7, minute=0)
        window = []
        moment = plug
        while moment < deadline:
            window.append(moment)
            moment += timedelta(minutes=15)
        by_price = sorted(window, key=lambda m: (pricing.price_at(site, m) or 0.0, m))
        chosen = sorted(by_price[:quarters])
        non_smart = _mean_price(pricing, site, plug, timedelta(minutes=15 * quarters))
    readings = []
    for moment in chosen:
        reading = Reading(int(moment.timestamp()))
        reading.add(900, per_quarter * 4, pricing.price_at(site, moment), non_smart)
        readings.append(reading)
    return readings


def _split(readings: list[Reading]) -> list[list[Reading]]:
    """Consecutive quarter hours form one session."""
    parts: list[list[Reading]] = []
    for reading in readings:
        if parts and parts[-1][-1].start + QUARTER == reading.start:
            parts[-1].append(reading)
        else:
            parts.append([reading])
    return parts

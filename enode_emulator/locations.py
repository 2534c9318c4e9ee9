"""Locations (geofences) and tariffs: the price of electricity at a place and time.

SMART.md sections 6 and 7. A Location is stored as a `Site` (the emulator's household); the
prices of a Location come from its tariff intervals, then from its market price curve
(`Site.prices`, `models.DEFAULT_PRICES` unless the admin API changed it).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
import math
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .clock import iso
from .models import JSON, Asset, Site
from .problems import ProblemError
from .profiles import zone
from .state import Store

ENTER_RADIUS_M = 200.0
EXIT_RADIUS_M = 270.0
HOUR_MINUTE = re.compile(r"^\d{2}:\d{2}$")
TARIFF_ID = re.compile(r"^[\w-]{1,36}$")
COST = re.compile(r"^[+-]?(\d{1,9}([.]\d{0,9})?|[.]\d{1,9})$")
_INVALID = "Payload validation failed"


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(min(1.0, math.sqrt(h)))


def minutes(value: str) -> int:
    """Return the minutes since midnight of a valid HH:MM (24:00 = 1440)."""
    hours, mins = value.split(":")
    return int(hours) * 60 + int(mins)


def hour_minute(value: Any, key: str, *, allow_24: bool = False) -> int:
    """Validate an HH:MM string and return its minutes (400 problem otherwise)."""
    if not isinstance(value, str) or not HOUR_MINUTE.match(value):
        raise ProblemError(400, f'"{key}" must be a string HH:MM', _INVALID)
    total = minutes(value)
    hours, mins = int(value[:2]), int(value[3:])
    if mins > 59 or total > (1440 if allow_24 else 1439) or hours > 24:
        raise ProblemError(400, f'"{key}" is not a valid time of day: {value}', _INVALID)
    return total


@dataclass
class TariffInterval:
    """One interval of a Location's tariff schedule (local time of the Location)."""

    name: str
    start: int  # minutes, inclusive
    end: int  # minutes, exclusive (1440 = 24:00)
    weekdays: tuple[int, ...]


@dataclass
class LocationTariff:
    """The tariff schedule of one Location."""

    tariff_id: str
    intervals: list[TariffInterval]


class Pricing:
    """Tariffs, Location tariff schedules and the price lookup used by smart charging."""

    def __init__(self, store: Store) -> None:
        """Initialise empty tariffs."""
        self.store = store
        self.tariffs: dict[str, list[JSON]] = {}
        self.schedules: dict[str, LocationTariff] = {}

    # Locations

    def location(self, location_id: str) -> Site:
        """Return a live Location or raise 404."""
        site = self.store.sites.get(location_id)
        if site is None or site.deleted:
            raise ProblemError(404, f"Location {location_id} not found", "Entity Not Found")
        return site

    def locations_of(self, user_id: str | None) -> list[Site]:
        """Return the live Locations of a user (or of every user)."""
        return [
            site
            for site in self.store.sites.values()
            if not site.deleted and (user_id is None or site.user_id == user_id)
        ]

    def validate_location(self, body: Any) -> tuple[str, float, float, str]:
        """Validate `{name, latitude, longitude, timezoneName}` (all required, SMART.md 6.1)."""
        if not isinstance(body, dict):
            raise ProblemError(400, "The body must be a JSON object", _INVALID)
        for key in ("name", "latitude", "longitude", "timezoneName"):
            if key not in body:
                raise ProblemError(400, f'"{key}" is required', _INVALID)
        name, lat, lon, tz = (
            body["name"],
            body["latitude"],
            body["longitude"],
            body["timezoneName"],
        )
        if not isinstance(name, str) or not name.strip():
            raise ProblemError(400, '"name" must be a non-empty string', _INVALID)
        for key, value, bound in (("latitude", lat, 90), ("longitude", lon, 180)):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ProblemError(400, f'"{key}" must be a number', _INVALID)
            if not -bound <= value <= bound:
                raise ProblemError(400, f'"{key}" must be between {-bound} and {bound}', _INVALID)
        if not isinstance(tz, str):
            raise ProblemError(400, '"timezoneName" must be an IANA time zone name', _INVALID)
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ProblemError(
                400, f'"timezoneName" is not a known IANA time zone: {tz}', _INVALID
            ) from err
        return name, float(lat), float(lon), tz

    def create_location(self, user_id: str, body: Any) -> Site:
        """Create a Location; one inside another Location's geofence is rejected (6.2)."""
        self.store.get_user(user_id)
        name, lat, lon, tz = self.validate_location(body)
        for other in self.locations_of(user_id):
            if distance_m(lat, lon, other.latitude, other.longitude) < ENTER_RADIUS_M:
                # [?] SMART.md 6.2 / 13.1: status and wording not captured; 400 presumed.
                raise ProblemError(
                    400,
                    f"The location is within {ENTER_RADIUS_M:.0f} m of location {other.id}; "
                    "locations must be at least 200 m apart.",
                    "Location Too Close",
                )
        site = self.store.add_site(
            user_id, name=name, latitude=lat, longitude=lon, timezone=tz, base_load_kw=0.0
        )
        self.refresh_geofences(user_id)
        return site

    def update_location(self, location_id: str, body: Any) -> Site:
        """Replace a Location's four keys (the distance rule is not re-checked, 6.2)."""
        site = self.location(location_id)
        site.name, site.latitude, site.longitude, site.timezone = self.validate_location(body)
        self.refresh_geofences(site.user_id)
        return site

    def delete_location(self, location_id: str) -> Site:
        """Delete a Location: its tariff goes, assets there get `location.id` null [?]."""
        site = self.location(location_id)
        site.deleted = True
        self.schedules.pop(site.id, None)
        self.refresh_geofences(site.user_id)
        return site

    def assign_location(self, asset: Asset, body: Any, now: datetime) -> None:
        """Put a charger or HVAC unit at one of its user's Locations (`{locationId|null}`).

        400 without `locationId` or when it is neither a string nor null; 404 for a Location
        that is unknown or another user's.
        """
        if not isinstance(body, dict) or "locationId" not in body:
            raise ProblemError(400, '"locationId" is required', "Payload validation failed")
        location_id = body["locationId"]
        if location_id is not None:
            if not isinstance(location_id, str):
                raise ProblemError(
                    400, '"locationId" must be a string or null', "Payload validation failed"
                )
            site = self.location(location_id)
            if site.user_id != asset.user_id:
                raise ProblemError(404, f"Location {location_id} not found", "Entity Not Found")
        before = copy.deepcopy(asset.data)
        if asset.data["location"].get("id") != location_id:
            asset.data["location"]["id"] = location_id
            asset.data["location"]["lastUpdated"] = iso(now)
        self.store.commit(asset, before)

    # Geofence

    def refresh_geofences(self, user_id: str) -> None:
        """Recompute `location.id` of a user's assets after Locations or positions changed."""
        for asset in list(self.store.assets.values()):
            if asset.user_id == user_id:
                self.place(asset)

    def place(self, asset: Asset) -> None:
        """Set an asset's `location.id` (vehicles from their position, others if deleted)."""
        location = asset.data.get("location")
        if not isinstance(location, dict):
            return
        current = location.get("id")
        if asset.kind != "vehicle":
            # Chargers and other assets report no GPS: their Location is assigned, so only a
            # deleted Location clears it (SMART.md 6.3).
            site = self.store.sites.get(str(current)) if current else None
            new_id = current if site is not None and not site.deleted else None
        else:
            new_id = self.geofence(asset.user_id, *self.position(asset), current)
        if new_id != current:
            before = copy.deepcopy(asset.data)
            location["id"] = new_id
            location["lastUpdated"] = iso(self.store.clock.now())
            self.store.commit(asset, before)

    def position(self, vehicle: Asset) -> tuple[float, float]:
        """Return a vehicle's true position (hidden when it lacks the location scope)."""
        if "latitude" not in vehicle.sim:
            site = self.store.sites[vehicle.site_id]
            vehicle.sim["latitude"], vehicle.sim["longitude"] = site.latitude, site.longitude
        return float(vehicle.sim["latitude"]), float(vehicle.sim["longitude"])

    def geofence(self, user_id: str, lat: float, lon: float, current: Any) -> str | None:
        """Return the Location at a position: 200 m to enter, 270 m to leave (6.2)."""
        sites = self.locations_of(user_id)
        for site in sites:
            if site.id == current and (
                distance_m(lat, lon, site.latitude, site.longitude) <= EXIT_RADIUS_M
            ):
                return site.id
        inside = [
            (distance_m(lat, lon, site.latitude, site.longitude), site.seq, site.id)
            for site in sites
        ]
        inside = [item for item in inside if item[0] <= ENTER_RADIUS_M]
        return min(inside)[2] if inside else None

    def move_vehicle(self, vehicle: Asset, lat: float, lon: float) -> None:
        """Move a vehicle (admin): coordinates (with the location scope) and geofence follow."""
        before = copy.deepcopy(vehicle.data)
        vehicle.sim["latitude"], vehicle.sim["longitude"] = lat, lon
        location = vehicle.data["location"]
        if location.get("latitude") is not None or location.get("longitude") is not None:
            location["latitude"], location["longitude"] = lat, lon
        self.store.commit(vehicle, before)
        self.place(vehicle)

    # Tariffs

    def put_tariff(self, tariff_id: str, body: Any) -> None:
        """Create or replace a tariff's rates (SMART.md 7.1)."""
        if not TARIFF_ID.match(tariff_id):
            raise ProblemError(400, "tariffId must match [\\w-]+ with at most 36 chars", _INVALID)
        if not isinstance(body, list):
            raise ProblemError(400, "The body must be an array of {name, cost}", _INVALID)
        rates: list[JSON] = []
        for index, item in enumerate(body):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise ProblemError(400, f"[{index}].name must be a string", _INVALID)
            cost = item.get("cost")
            if not isinstance(cost, str) or not COST.match(cost):
                raise ProblemError(400, f"[{index}].cost must be a decimal string", _INVALID)
            if any(rate["name"] == item["name"] for rate in rates):
                raise ProblemError(400, f"Duplicate rate name {item['name']!r}", _INVALID)
            rates.append({"name": item["name"], "cost": cost})
        self.tariffs[tariff_id] = rates

    def get_tariff(self, tariff_id: str) -> list[JSON]:
        """Return a tariff's rates or raise 404."""
        if tariff_id not in self.tariffs:
            raise ProblemError(404, f"Tariff {tariff_id} not found", "Entity Not Found")
        return copy.deepcopy(self.tariffs[tariff_id])

    def put_location_tariff(self, location_id: str, body: Any) -> None:
        """Replace a Location's tariff schedule (SMART.md 7.2)."""
        site = self.store.sites.get(location_id)
        tariff_id = body.get("tariffId") if isinstance(body, dict) else None
        if not isinstance(body, dict) or not isinstance(tariff_id, str):
            raise ProblemError(400, '"tariffId" is required', _INVALID)
        raw = body.get("tariffIntervals")
        if not isinstance(raw, list):
            raise ProblemError(400, '"tariffIntervals" must be an array', _INVALID)
        if site is None or site.deleted or tariff_id not in self.tariffs:
            raise ProblemError(404, "Location or tariff not found", "Entity Not Found")
        names = {rate["name"] for rate in self.tariffs[tariff_id]}
        intervals = [self._interval(index, item, names) for index, item in enumerate(raw)]
        for i, first in enumerate(intervals):
            for second in intervals[i + 1 :]:
                if (
                    set(first.weekdays) & set(second.weekdays)
                    and first.start < second.end
                    and second.start < first.end
                ):
                    raise ProblemError(
                        400,
                        f"Interval {first.name!r} overlaps interval {second.name!r}",
                        "Overlapping tariff schedule",
                    )
        self.schedules[site.id] = LocationTariff(tariff_id, intervals)

    def _interval(self, index: int, item: Any, names: set[str]) -> TariffInterval:
        if not isinstance(item, dict):
            raise ProblemError(400, f"tariffIntervals[{index}] must be an object", _INVALID)
        name = item.get("name")
        if not isinstance(name, str):
            raise ProblemError(400, f"tariffIntervals[{index}].name is required", _INVALID)
        if name not in names:
            # [?] SMART.md 7.2: an undefined rate name may be 400 or 404; 400 chosen.
            raise ProblemError(400, f"The tariff has no rate named {name!r}", _INVALID)
        start = hour_minute(item.get("from"), f"tariffIntervals[{index}].from")
        end = hour_minute(item.get("to"), f"tariffIntervals[{index}].to", allow_24=True)
        if end <= start:
            raise ProblemError(
                400, f"tariffIntervals[{index}]: 'from' must be before 'to'", _INVALID
            )
        weekdays = item.get("weekdays", list(range(7)))
        if (
            not isinstance(weekdays, list)
            or not weekdays
            or any(isinstance(d, bool) or d not in range(7) for d in weekdays)
            or len(set(weekdays)) != len(weekdays)
        ):
            raise ProblemError(
                400,
                f"tariffIntervals[{index}].weekdays must list distinct integers 0-6",
                _INVALID,
            )
        return TariffInterval(name, start, end, tuple(sorted(weekdays)))

    def location_tariff(self, location_id: str) -> list[JSON]:
        """Return a Location's schedule flattened to one row per weekday (SMART.md 7.3)."""
        site = self.location(location_id)
        schedule = self.schedules.get(site.id)
        if schedule is None:
            return []
        rows = [
            (day, interval.start, interval.end, interval.name)
            for interval in schedule.intervals
            for day in interval.weekdays
        ]
        # [?] SMART.md 7.3: [O] labels these "UTC" but the PUT is local; the emulator returns
        # the local times it was given.
        return [
            {
                "weekday": day,
                "fromHourMinute": _hhmm(start),
                "toHourMinute": _hhmm(end),
                "tariffId": schedule.tariff_id,
                "tariffName": name,
            }
            for day, start, end, name in sorted(rows)
        ]

    # Prices

    def has_prices(self, site: Site) -> bool:
        """Return whether smart charging can price this Location (tariff or market)."""
        return site.prices is not None or bool(self.schedules.get(site.id))

    def price_at(self, site: Site, moment: datetime) -> float | None:
        """Return the price per kWh at a Location and moment: tariff first, then market."""
        local = moment.astimezone(zone(site.timezone))
        schedule = self.schedules.get(site.id)
        if schedule is not None:
            mins = local.hour * 60 + local.minute
            for interval in schedule.intervals:
                if local.weekday() in interval.weekdays and interval.start <= mins < interval.end:
                    costs = {r["name"]: r["cost"] for r in self.tariffs.get(schedule.tariff_id, [])}
                    if interval.name in costs:
                        return float(costs[interval.name])
        if site.prices is None:
            return None
        return float(site.prices[local.hour % len(site.prices)])

    def slot_prices(
        self, site: Site, start: datetime, end: datetime, slot: timedelta
    ) -> list[tuple[datetime, float | None]]:
        """Return `(slot start, price)` for each slot from `start` until `end`."""
        result = []
        moment = start
        while moment < end:
            result.append((moment, self.price_at(site, moment)))
            moment += slot
        return result


def _hhmm(total: int) -> str:
    return f"{total // 60:02d}:{total % 60:02d}"

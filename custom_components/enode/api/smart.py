"""Smart layer models: smart charging status and plans, Locations and tariffs (SMART.md).

Shapes follow the 2024-01-01 OpenAPI, assumed unchanged in 2024-10-01 (SMART.md, "Read this
first"). Where SMART.md marks a doubt ([?]) the parsers accept both candidate shapes; each such
place says so in a comment. Missing or mistyped keys become None, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Self

from .actions import SmartOverride
from .const import SmartChargingFailureCondition, SmartChargingState
from .parsing import JsonObject, boolean, enum_or_str, integer, number, obj, text, timestamp

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

_EXECUTING = "PLAN:EXECUTING:"
_ENDED = "PLAN:ENDED:"


@dataclass(frozen=True, slots=True)
class SmartChargingConsideration:
    """What smart charging currently knows about the vehicle (``consideration``)."""

    is_plugged_in: bool | None
    is_charging: bool | None
    at_charging_location: bool | None
    has_time_estimate: bool | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a ``consideration`` object."""
        return cls(
            is_plugged_in=boolean(data, "isPluggedIn"),
            is_charging=boolean(data, "isCharging"),
            at_charging_location=boolean(data, "atChargingLocation"),
            has_time_estimate=boolean(data, "hasTimeEstimate"),
        )


@dataclass(frozen=True, slots=True)
class SmartChargingPlan:
    """A vehicle smart charging plan (``VehicleSmartChargingPlan``, SMART.md 2.3)."""

    id: str
    vehicle_id: str | None
    user_id: str | None
    location_id: str | None
    vendor: str | None
    currency: str | None
    non_smart_cost: float | None
    smart_cost: float | None
    stop_at: datetime | None
    start_at: datetime | None
    estimated_finish_at: datetime | None
    stop_confirmed_at: datetime | None
    start_confirmed_at: datetime | None
    ended_at: datetime | None
    final_state: SmartChargingState | str | None
    failure_condition: SmartChargingFailureCondition | str | None
    external_start: SmartOverride | None
    raw: JsonObject

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a plan; the deprecated keys may be absent in 2024-10-01 [?]."""
        external = obj(data.get("externalStart"))
        return cls(
            id=text(data, "id") or "",
            vehicle_id=text(data, "vehicleId"),
            user_id=text(data, "userId"),
            # [?] chargingLocationId is the deprecated name of locationId: accept either.
            location_id=text(data, "locationId") or text(data, "chargingLocationId"),
            vendor=text(data, "vendor"),
            currency=text(data, "currency"),
            non_smart_cost=number(data, "nonSmartCost"),
            smart_cost=number(data, "smartCost"),
            stop_at=timestamp(data, "stopAt"),
            start_at=timestamp(data, "startAt"),
            estimated_finish_at=timestamp(data, "estimatedFinishAt"),
            stop_confirmed_at=timestamp(data, "stopConfirmedAt"),
            start_confirmed_at=timestamp(data, "startConfirmedAt"),
            ended_at=timestamp(data, "endedAt"),
            final_state=enum_or_str(SmartChargingState, data.get("finalState")),
            failure_condition=enum_or_str(
                SmartChargingFailureCondition, data.get("failureCondition")
            ),
            external_start=None if external is None else SmartOverride.from_dict(external),
            raw=dict(data),
        )

    @property
    def is_ended(self) -> bool:
        """Return whether the plan has ended."""
        return self.ended_at is not None or self.final_state is not None

    @property
    def savings(self) -> float | None:
        """Return the estimated saving of the plan (non-smart minus smart cost)."""
        if self.non_smart_cost is None or self.smart_cost is None:
            return None
        return self.non_smart_cost - self.smart_cost


@dataclass(frozen=True, slots=True)
class SmartChargingStatus:
    """A vehicle's smart charging status (SMART.md 2.1)."""

    vehicle_id: str | None
    user_id: str | None
    vendor: str | None
    state: SmartChargingState | str | None
    state_changed_at: datetime | None
    updated_at: datetime | None
    consideration: SmartChargingConsideration | None
    plan: SmartChargingPlan | None
    smart_override: SmartOverride | None
    raw: JsonObject

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a smart charging status object."""
        consideration = obj(data.get("consideration"))
        plan = obj(data.get("plan"))
        override = obj(data.get("smartOverride"))
        if override is None and plan is not None:
            # Before smartOverride the override showed as the deprecated plan.externalStart.
            override = obj(plan.get("externalStart"))
        return cls(
            vehicle_id=text(data, "vehicleId"),
            user_id=text(data, "userId"),
            vendor=text(data, "vendor"),
            state=enum_or_str(SmartChargingState, data.get("state")),
            state_changed_at=timestamp(data, "stateChangedAt"),
            updated_at=timestamp(data, "updatedAt"),
            consideration=(
                None
                if consideration is None
                else SmartChargingConsideration.from_dict(consideration)
            ),
            plan=None if plan is None else SmartChargingPlan.from_dict(plan),
            smart_override=None if override is None else SmartOverride.from_dict(override),
            raw=dict(data),
        )

    @property
    def is_executing(self) -> bool:
        """Return whether a plan is running (``PLAN:EXECUTING:*``): charge commands get 422."""
        return isinstance(self.state, str) and self.state.startswith(_EXECUTING)

    @property
    def is_ended(self) -> bool:
        """Return whether the state is a ``PLAN:ENDED:*`` one."""
        return isinstance(self.state, str) and self.state.startswith(_ENDED)

    @property
    def is_overridden(self) -> bool:
        """Return whether a smart override is active."""
        return self.smart_override is not None and self.smart_override.ended_at is None


@dataclass(frozen=True, slots=True)
class Location:
    """An Enode Location: a named geofence with a time zone (SMART.md 6.1)."""

    id: str
    user_id: str | None
    name: str | None
    latitude: float | None
    longitude: float | None
    timezone_name: str
    raw: JsonObject

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a Location; ``timezoneName`` defaults to UTC as documented."""
        return cls(
            id=text(data, "id") or "",
            user_id=text(data, "userId"),
            name=text(data, "name"),
            latitude=number(data, "latitude"),
            longitude=number(data, "longitude"),
            timezone_name=text(data, "timezoneName") or "UTC",
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class TariffRate:
    """One named rate of a tariff; ``cost`` is Enode's decimal string (price per kWh)."""

    name: str
    cost: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a rate; a numeric ``cost`` is tolerated and kept as its string."""
        cost = data.get("cost")
        if isinstance(cost, int | float) and not isinstance(cost, bool):
            cost = str(cost)
        return cls(name=text(data, "name") or "", cost=cost if isinstance(cost, str) else "")

    @property
    def cost_value(self) -> Decimal | None:
        """Return the cost as a Decimal, or None if it is not a number."""
        try:
            return Decimal(self.cost)
        except (InvalidOperation, ValueError):
            return None

    def as_dict(self) -> dict[str, str]:
        """Return the request form."""
        return {"name": self.name, "cost": self.cost}


@dataclass(frozen=True, slots=True)
class TariffInterval:
    """When a rate applies at a Location (local time; ``to`` exclusive, ``24:00`` ends a day).

    ``weekdays`` (0 = Monday) None means every day.
    """

    name: str
    start: str
    end: str
    weekdays: tuple[int, ...] | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the request form of ``PUT /locations/{id}/tariff``."""
        body: dict[str, Any] = {"name": self.name, "from": self.start, "to": self.end}
        if self.weekdays is not None:
            body["weekdays"] = list(self.weekdays)
        return body


@dataclass(frozen=True, slots=True)
class LocationTariffInterval:
    """One row of ``GET /locations/{id}/tariff``: a rate on one weekday.

    [?] SMART.md 7.3: [O] labels the times UTC while the PUT takes local times; the values are
    returned as Enode sends them.
    """

    weekday: int | None
    start: str | None
    end: str | None
    tariff_id: str | None
    tariff_name: str | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse one flattened row."""
        return cls(
            weekday=integer(data, "weekday"),
            start=text(data, "fromHourMinute"),
            end=text(data, "toHourMinute"),
            tariff_id=text(data, "tariffId"),
            tariff_name=text(data, "tariffName"),
        )


def parse_location_tariff(data: Any) -> list[LocationTariffInterval]:
    """Parse ``GET /locations/{id}/tariff``.

    [?] The flattened array of SMART.md 7.3 is expected; the PUT shape
    ``{tariffId, tariffIntervals: [{name, from, to, weekdays?}]}`` (possibly wrapped in
    ``data``) is tolerated and expanded to one row per weekday.
    """
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if isinstance(data, list):
        return [LocationTariffInterval.from_dict(item) for item in data if isinstance(item, dict)]
    if not isinstance(data, dict):
        return []
    tariff_id = text(data, "tariffId")
    rows: list[LocationTariffInterval] = []
    intervals = data.get("tariffIntervals")
    for item in intervals if isinstance(intervals, list) else []:
        if not isinstance(item, dict):
            continue
        days = item.get("weekdays")
        weekdays = [d for d in days if isinstance(d, int)] if isinstance(days, list) else range(7)
        rows.extend(
            LocationTariffInterval(
                weekday=day,
                start=text(item, "from"),
                end=text(item, "to"),
                tariff_id=tariff_id,
                tariff_name=text(item, "name"),
            )
            for day in weekdays
        )
    return sorted(rows, key=lambda row: (row.weekday or 0, row.start or ""))

"""Smart layer models: smart charging status and plans, Locations and tariffs (SMART.md).

Shapes follow the 2024-01-01 OpenAPI, assumed unchanged in 2024-10-01 (SMART.md, "Read this
first"). Where SMART.md marks a doubt ([?]) the parsers accept both candidate shapes; each such
place says so in a comment. Missing or mistyped keys become None, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .actions import SmartOverride
from .const import SmartChargingFailureCondition, SmartChargingState
from .parsing import (
    EnodeModel,
    JsonObject,
    alias,
    enum_field,
    model_field,
    obj,
    raw_field,
    text,
    text_field,
    value,
)

_EXECUTING = "PLAN:EXECUTING:"


def _cost(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else ""


_ENDED = "PLAN:ENDED:"


@dataclass(frozen=True, slots=True)
class SmartChargingConsideration(EnodeModel):
    """What smart charging currently knows about the vehicle (``consideration``)."""

    is_plugged_in: bool | None = value("isPluggedIn")
    is_charging: bool | None = value("isCharging")
    at_charging_location: bool | None = value("atChargingLocation")
    has_time_estimate: bool | None = value("hasTimeEstimate")


@dataclass(frozen=True, slots=True)
class SmartChargingPlan(EnodeModel):
    """A vehicle smart charging plan (``VehicleSmartChargingPlan``, SMART.md 2.3)."""

    id: str = text_field("id", "")
    vehicle_id: str | None = text_field("vehicleId")
    user_id: str | None = text_field("userId")
    # [?] chargingLocationId is the deprecated name of locationId: accept either.
    location_id: str | None = text_field("_locationId")
    vendor: str | None = text_field("vendor")
    currency: str | None = text_field("currency")
    non_smart_cost: float | None = value("nonSmartCost")
    smart_cost: float | None = value("smartCost")
    stop_at: datetime | None = value("stopAt")
    start_at: datetime | None = value("startAt")
    estimated_finish_at: datetime | None = value("estimatedFinishAt")
    stop_confirmed_at: datetime | None = value("stopConfirmedAt")
    start_confirmed_at: datetime | None = value("startConfirmedAt")
    ended_at: datetime | None = value("endedAt")
    final_state: SmartChargingState | str | None = enum_field("finalState", SmartChargingState)
    failure_condition: SmartChargingFailureCondition | str | None = enum_field(
        "failureCondition", SmartChargingFailureCondition
    )
    external_start: SmartOverride | None = model_field("externalStart", SmartOverride)
    raw: JsonObject = raw_field()

    @classmethod
    def _prepare(cls, d: dict[str, Any]) -> dict[str, Any]:
        return {**d, "_locationId": text(d, "locationId") or text(d, "chargingLocationId")}

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
class SmartChargingStatus(EnodeModel):
    """A vehicle's smart charging status (SMART.md 2.1)."""

    vehicle_id: str | None = text_field("vehicleId")
    user_id: str | None = text_field("userId")
    vendor: str | None = text_field("vendor")
    state: SmartChargingState | str | None = enum_field("state", SmartChargingState)
    state_changed_at: datetime | None = value("stateChangedAt")
    updated_at: datetime | None = value("updatedAt")
    consideration: SmartChargingConsideration | None = model_field(
        "consideration", SmartChargingConsideration
    )
    plan: SmartChargingPlan | None = model_field("plan", SmartChargingPlan)
    smart_override: SmartOverride | None = model_field("_override", SmartOverride)
    raw: JsonObject = raw_field()

    @classmethod
    def _prepare(cls, d: dict[str, Any]) -> dict[str, Any]:
        override = obj(d.get("smartOverride"))
        plan = obj(d.get("plan"))
        if override is None and plan is not None:
            # Before smartOverride the override showed as the deprecated plan.externalStart.
            override = obj(plan.get("externalStart"))
        return {**d, "_override": override}

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
class Location(EnodeModel):
    """An Enode Location: a named geofence with a time zone (SMART.md 6.1)."""

    id: str = text_field("id", "")
    user_id: str | None = text_field("userId")
    name: str | None = text_field("name")
    latitude: float | None = value("latitude")
    longitude: float | None = value("longitude")
    # Documented default: UTC.
    timezone_name: str = field(
        default="UTC",
        metadata=alias(
            "timezoneName", deserialize=lambda v: v if isinstance(v, str) and v else "UTC"
        ),
    )
    raw: JsonObject = raw_field()


@dataclass(frozen=True, slots=True)
class TariffRate(EnodeModel):
    """One named rate of a tariff; ``cost`` is Enode's decimal string (price per kWh)."""

    name: str = text_field("name", "")
    # A numeric cost is tolerated and kept as its string.
    cost: str = field(default="", metadata=alias("cost", deserialize=_cost))

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
class LocationTariffInterval(EnodeModel):
    """One row of ``GET /locations/{id}/tariff``: a rate on one weekday.

    [?] SMART.md 7.3: [O] labels the times UTC while the PUT takes local times; the values are
    returned as Enode sends them.
    """

    weekday: int | None = value("weekday")
    start: str | None = text_field("fromHourMinute")
    end: str | None = text_field("toHourMinute")
    tariff_id: str | None = text_field("tariffId")
    tariff_name: str | None = text_field("tariffName")


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

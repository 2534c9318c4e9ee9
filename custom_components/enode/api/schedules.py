"""Schedules (SMART.md 5): charge and temperature schedules, their rules and their status.

Shapes follow the 2024-01-01 OpenAPI, assumed unchanged in 2024-10-01. Parsers never raise:
missing or mistyped keys become None. Where SMART.md marks a doubt ([?]) both shapes are
accepted and the place says so. The ``*_body`` helpers build request bodies with Enode's keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from .actions import SmartOverride
from .const import AssetType
from .parsing import (
    EnodeModel,
    JsonObject,
    alias,
    enum_field,
    model_field,
    models_field,
    obj,
    raw_field,
    sub,
    text_field,
    value,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence


def _weekdays(value: Any) -> tuple[int, ...] | None:
    if not isinstance(value, list):
        return None
    return tuple(day for day in value if isinstance(day, int) and not isinstance(day, bool))


class ScheduleState(StrEnum):
    """``ScheduleState`` (SMART.md 5.5); the list may grow without a new version."""

    ALIGNED = "ALIGNED"
    MISALIGNED = "MISALIGNED"
    PENDING = "PENDING"
    INACTIVE_OVERRIDDEN = "INACTIVE:OVERRIDDEN"
    INACTIVE_DISABLED = "INACTIVE:DISABLED"
    INACTIVE_AWAY = "INACTIVE:AWAY"
    INACTIVE_INCAPABLE = "INACTIVE:INCAPABLE"


class ScheduleType(StrEnum):
    """``scheduleType`` of a status."""

    CHARGE = "CHARGE"
    TEMPERATURE = "TEMPERATURE"


@dataclass(frozen=True, slots=True)
class TargetState(EnodeModel):
    """A temperature schedule's target state (SMART.md 5.3)."""

    hold_type: str | None = text_field("holdType")
    mode: str | None = text_field("mode")
    heat_setpoint: float | None = value("heatSetpoint")
    cool_setpoint: float | None = value("coolSetpoint")

    def as_dict(self) -> dict[str, Any]:
        """Return the Enode object (only the keys this hold type and mode take)."""
        if self.hold_type != "PERMANENT":
            return {"holdType": self.hold_type or "SCHEDULED"}
        data: dict[str, Any] = {"holdType": "PERMANENT", "mode": self.mode}
        if self.mode in ("HEAT", "AUTO"):
            data["heatSetpoint"] = self.heat_setpoint
        if self.mode in ("COOL", "AUTO"):
            data["coolSetpoint"] = self.cool_setpoint
        return data


@dataclass(frozen=True, slots=True)
class ScheduleRule(EnodeModel):
    """One rule: its value (``shouldCharge`` or ``targetState``) and its filters."""

    should_charge: bool | None = value("shouldCharge")
    target_state: TargetState | None = model_field("targetState", TargetState)
    hour_from: str | None = text_field("_hourFrom")
    hour_to: str | None = text_field("_hourTo")
    from_timestamp: datetime | None = value("fromTimestamp")
    to_timestamp: datetime | None = value("toTimestamp")
    weekdays: tuple[int, ...] | None = field(
        default=None, metadata=alias("weekdays", deserialize=_weekdays)
    )

    @classmethod
    def _prepare(cls, d: dict[str, Any]) -> dict[str, Any]:
        window = obj(d.get("hourMinute"))
        # [?] SMART.md 5.3: one docs example writes from/to on the rule itself; accept both.
        source = window if window is not None else d
        return {**d, "_hourFrom": source.get("from"), "_hourTo": source.get("to")}


@dataclass(frozen=True, slots=True)
class Schedule(EnodeModel):
    """A charge (vehicle, charger) or temperature (HVAC) schedule (SMART.md 5.2, 5.3)."""

    id: str = text_field("id", "")
    target_id: str | None = text_field("targetId")
    target_type: AssetType | str | None = enum_field("targetType", AssetType)
    is_enabled: bool | None = value("isEnabled")
    location_id: str | None = text_field("locationId")
    default_should_charge: bool | None = value("defaultShouldCharge")
    default_target_state: TargetState | None = model_field("defaultTargetState", TargetState)
    rules: tuple[ScheduleRule, ...] = models_field("rules", ScheduleRule)
    raw: JsonObject = raw_field()

    @property
    def schedule_type(self) -> ScheduleType:
        """CHARGE or TEMPERATURE, from the target type."""
        return ScheduleType.TEMPERATURE if self.target_type == "hvac" else ScheduleType.CHARGE


@dataclass(frozen=True, slots=True)
class ScheduleTransition(EnodeModel):
    """An upcoming change of what the schedule asks for (``at`` is UTC)."""

    at: datetime | None = value("at")
    should_charge: bool | None = value("shouldCharge")
    target: TargetState | None = model_field("target", TargetState)


@dataclass(frozen=True, slots=True)
class ScheduleStatus(EnodeModel):
    """``GET /schedules/{id}/status`` (SMART.md 5.5), charge or temperature variant."""

    schedule_id: str | None = text_field("scheduleId")
    schedule_type: ScheduleType | str | None = enum_field("scheduleType", ScheduleType)
    changed_at: datetime | None = value("changedAt")
    state: ScheduleState | str | None = enum_field("state", ScheduleState)
    is_charging: bool | None = value("isCharging")
    is_charging_expected: bool | None = value("isChargingExpected")
    needs_charge: bool | None = value("_needsCharge")
    is_plugged_in: bool | None = value("_isPluggedIn")
    should_charge: bool | None = value("_shouldCharge")
    current: TargetState | None = model_field("current", TargetState)
    expected: TargetState | None = model_field("expected", TargetState)
    upcoming_transitions: tuple[ScheduleTransition, ...] = models_field(
        "upcomingTransitions", ScheduleTransition
    )
    smart_override: SmartOverride | None = model_field("smartOverride", SmartOverride)
    raw: JsonObject = raw_field()

    @classmethod
    def _prepare(cls, d: dict[str, Any]) -> dict[str, Any]:
        parts = sub(d, "isChargingExpectedParts")
        return {
            **d,
            "_needsCharge": parts.get("needsCharge"),
            "_isPluggedIn": parts.get("isPluggedIn"),
            "_shouldCharge": parts.get("shouldCharge"),
        }

    @property
    def next_transition(self) -> datetime | None:
        """When the schedule next changes what it asks for."""
        return next((t.at for t in self.upcoming_transitions if t.at is not None), None)


def rule_body(
    *,
    should_charge: bool | None = None,
    target_state: TargetState | None = None,
    hour_from: str | None = None,
    hour_to: str | None = None,
    weekdays: Iterable[int] | None = None,
    from_timestamp: datetime | None = None,
    to_timestamp: datetime | None = None,
) -> dict[str, Any]:
    """Build one rule (give should_charge for charge, target_state for temperature)."""
    rule: dict[str, Any] = {}
    if should_charge is not None:
        rule["shouldCharge"] = should_charge
    if target_state is not None:
        rule["targetState"] = target_state.as_dict()
    if hour_from is not None or hour_to is not None:
        rule["hourMinute"] = {"from": hour_from, "to": hour_to}
    if weekdays is not None:
        rule["weekdays"] = sorted(set(weekdays))
    if from_timestamp is not None:
        rule["fromTimestamp"] = _utc(from_timestamp)
    if to_timestamp is not None:
        rule["toTimestamp"] = _utc(to_timestamp)
    return rule


def charge_schedule_body(
    target_type: AssetType,
    target_id: str,
    *,
    default_should_charge: bool,
    rules: Sequence[Mapping[str, Any]],
    location_id: str | None = None,
    is_enabled: bool = True,
) -> dict[str, Any]:
    """Build a charge schedule (vehicle or charger) for ``create_schedule``."""
    return {
        "targetType": target_type.value,
        "targetId": target_id,
        "locationId": location_id,
        "isEnabled": is_enabled,
        "defaultShouldCharge": default_should_charge,
        "rules": [dict(rule) for rule in rules],
    }


def temperature_schedule_body(
    target_id: str,
    *,
    default_target_state: TargetState,
    rules: Sequence[Mapping[str, Any]],
    is_enabled: bool = True,
) -> dict[str, Any]:
    """Build a temperature schedule (HVAC) for ``create_schedule``."""
    return {
        "targetType": AssetType.HVAC.value,
        "targetId": target_id,
        "isEnabled": is_enabled,
        "defaultTargetState": default_target_state.as_dict(),
        "rules": [dict(rule) for rule in rules],
    }


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

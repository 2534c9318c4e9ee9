"""Schedules (SMART.md 5): charge and temperature schedules, their rules and their status.

Shapes follow the 2024-01-01 OpenAPI, assumed unchanged in 2024-10-01. Parsers never raise:
missing or mistyped keys become None. Where SMART.md marks a doubt ([?]) both shapes are
accepted and the place says so. The ``*_body`` helpers build request bodies with Enode's keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Self

from .actions import SmartOverride
from .const import AssetType
from .parsing import JsonObject, boolean, enum_or_str, number, obj, sub, text, timestamp

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from datetime import datetime


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
class TargetState:
    """A temperature schedule's target state (SMART.md 5.3)."""

    hold_type: str | None
    mode: str | None = None
    heat_setpoint: float | None = None
    cool_setpoint: float | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a target state object."""
        return cls(
            hold_type=text(data, "holdType"),
            mode=text(data, "mode"),
            heat_setpoint=number(data, "heatSetpoint"),
            cool_setpoint=number(data, "coolSetpoint"),
        )

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
class ScheduleRule:
    """One rule: its value (``shouldCharge`` or ``targetState``) and its filters."""

    should_charge: bool | None
    target_state: TargetState | None
    hour_from: str | None
    hour_to: str | None
    from_timestamp: datetime | None
    to_timestamp: datetime | None
    weekdays: tuple[int, ...] | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a rule."""
        window = obj(data.get("hourMinute"))
        # [?] SMART.md 5.3: one docs example writes from/to on the rule itself; accept both.
        source = window if window is not None else data
        days = data.get("weekdays")
        target = obj(data.get("targetState"))
        return cls(
            should_charge=boolean(data, "shouldCharge"),
            target_state=None if target is None else TargetState.from_dict(target),
            hour_from=text(source, "from"),
            hour_to=text(source, "to"),
            from_timestamp=timestamp(data, "fromTimestamp"),
            to_timestamp=timestamp(data, "toTimestamp"),
            weekdays=(
                tuple(d for d in days if isinstance(d, int) and not isinstance(d, bool))
                if isinstance(days, list)
                else None
            ),
        )


@dataclass(frozen=True, slots=True)
class Schedule:
    """A charge (vehicle, charger) or temperature (HVAC) schedule (SMART.md 5.2, 5.3)."""

    id: str
    target_id: str | None
    target_type: AssetType | str | None
    is_enabled: bool | None
    location_id: str | None
    default_should_charge: bool | None
    default_target_state: TargetState | None
    rules: tuple[ScheduleRule, ...]
    raw: JsonObject

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a schedule."""
        rules = data.get("rules")
        default = obj(data.get("defaultTargetState"))
        return cls(
            id=text(data, "id") or "",
            target_id=text(data, "targetId"),
            target_type=enum_or_str(AssetType, data.get("targetType")),
            is_enabled=boolean(data, "isEnabled"),
            location_id=text(data, "locationId"),
            default_should_charge=boolean(data, "defaultShouldCharge"),
            default_target_state=None if default is None else TargetState.from_dict(default),
            rules=tuple(
                ScheduleRule.from_dict(rule)
                for rule in (rules if isinstance(rules, list) else [])
                if isinstance(rule, dict)
            ),
            raw=dict(data),
        )

    @property
    def schedule_type(self) -> ScheduleType:
        """CHARGE or TEMPERATURE, from the target type."""
        return ScheduleType.TEMPERATURE if self.target_type == "hvac" else ScheduleType.CHARGE


@dataclass(frozen=True, slots=True)
class ScheduleTransition:
    """An upcoming change of what the schedule asks for (``at`` is UTC)."""

    at: datetime | None
    should_charge: bool | None
    target: TargetState | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse one ``upcomingTransitions`` item."""
        target = obj(data.get("target"))
        return cls(
            at=timestamp(data, "at"),
            should_charge=boolean(data, "shouldCharge"),
            target=None if target is None else TargetState.from_dict(target),
        )


@dataclass(frozen=True, slots=True)
class ScheduleStatus:
    """``GET /schedules/{id}/status`` (SMART.md 5.5), charge or temperature variant."""

    schedule_id: str | None
    schedule_type: ScheduleType | str | None
    changed_at: datetime | None
    state: ScheduleState | str | None
    is_charging: bool | None
    is_charging_expected: bool | None
    needs_charge: bool | None
    is_plugged_in: bool | None
    should_charge: bool | None
    current: TargetState | None
    expected: TargetState | None
    upcoming_transitions: tuple[ScheduleTransition, ...]
    smart_override: SmartOverride | None
    raw: JsonObject

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a schedule status."""
        parts = sub(data, "isChargingExpectedParts")
        current, expected = obj(data.get("current")), obj(data.get("expected"))
        override = obj(data.get("smartOverride"))
        transitions = data.get("upcomingTransitions")
        return cls(
            schedule_id=text(data, "scheduleId"),
            schedule_type=enum_or_str(ScheduleType, data.get("scheduleType")),
            changed_at=timestamp(data, "changedAt"),
            state=enum_or_str(ScheduleState, data.get("state")),
            is_charging=boolean(data, "isCharging"),
            is_charging_expected=boolean(data, "isChargingExpected"),
            needs_charge=boolean(parts, "needsCharge"),
            is_plugged_in=boolean(parts, "isPluggedIn"),
            should_charge=boolean(parts, "shouldCharge"),
            current=None if current is None else TargetState.from_dict(current),
            expected=None if expected is None else TargetState.from_dict(expected),
            upcoming_transitions=tuple(
                ScheduleTransition.from_dict(item)
                for item in (transitions if isinstance(transitions, list) else [])
                if isinstance(item, dict)
            ),
            smart_override=None if override is None else SmartOverride.from_dict(override),
            raw=dict(data),
        )

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

"""Actions enode.create_schedule, enode.update_schedule and enode.delete_schedule.

Registered once in async_setup (Home Assistant convention), they find the entry through the
target device. Rules use Home Assistant's words (snake_case, weekday names); Enode's shapes are
built with the client's body helpers. Input errors are translated ServiceValidationErrors
raised before anything reaches Enode; Enode's refusals go through helpers.async_call_enode.
"""

from __future__ import annotations

import re
from typing import Any

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
import voluptuous as vol

from .api import (
    AssetType,
    Schedule,
    TargetState,
    charge_schedule_body,
    rule_body,
    temperature_schedule_body,
)
from .const import DOMAIN
from .helpers import async_call_enode
from .models import EnodeConfigEntry

SERVICE_CREATE = "create_schedule"
SERVICE_UPDATE = "update_schedule"
SERVICE_DELETE = "delete_schedule"
ATTR_DEVICE_ID = "device_id"
ATTR_SCHEDULE_ID = "schedule_id"
ATTR_ENABLED = "enabled"
ATTR_DEFAULT_SHOULD_CHARGE = "default_should_charge"
ATTR_DEFAULT_MODE = "default_mode"
ATTR_DEFAULT_HEAT = "default_heat_setpoint"
ATTR_DEFAULT_COOL = "default_cool_setpoint"
ATTR_RULES = "rules"
ATTR_LOCATION_ID = "location_id"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # Enode: 0 = Monday
MODES = ("follow_schedule", "heat", "cool", "auto", "off")
# HH:MM, or HH:MM:00 as Home Assistant's time selector sends it.
_HOUR_MINUTE = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d(?::00)?$")
_CHARGE_TYPES = (AssetType.VEHICLE, AssetType.CHARGER)

_COMMON = {
    vol.Required(ATTR_DEVICE_ID): cv.string,
    vol.Optional(ATTR_ENABLED): cv.boolean,
    vol.Optional(ATTR_DEFAULT_SHOULD_CHARGE): cv.boolean,
    vol.Optional(ATTR_DEFAULT_MODE): vol.In(MODES),
    vol.Optional(ATTR_DEFAULT_HEAT): vol.Coerce(float),
    vol.Optional(ATTR_DEFAULT_COOL): vol.Coerce(float),
    # Rules are checked in code, so each mistake gets its own translated message.
    vol.Optional(ATTR_RULES): vol.All(cv.ensure_list, [dict]),
    vol.Optional(ATTR_LOCATION_ID): vol.Any(None, cv.string),
}
CREATE_SCHEMA = vol.Schema(_COMMON)
UPDATE_SCHEMA = vol.Schema({**_COMMON, vol.Optional(ATTR_SCHEDULE_ID): cv.string})
DELETE_SCHEMA = vol.Schema(
    {vol.Required(ATTR_DEVICE_ID): cv.string, vol.Optional(ATTR_SCHEDULE_ID): cv.string}
)


def _invalid(translation_key: str, /, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=translation_key,
        translation_placeholders=placeholders,
    )


def _target(hass: HomeAssistant, device_id: str) -> tuple[EnodeConfigEntry, str, AssetType]:
    """The loaded entry, asset id and type behind a device (a vehicle, charger or HVAC)."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        raise _invalid("schedule_device_unknown", device_id=device_id)
    # Not device.config_entries: deprecated in 2026.11 (a device has one entry from then on).
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        typed: EnodeConfigEntry = entry
        assets = typed.runtime_data.coordinator.data.assets
        for domain, identifier in device.identifiers:
            asset = assets.get(identifier) if domain == DOMAIN else None
            if asset is None:
                continue
            if asset.asset_type not in (*_CHARGE_TYPES, AssetType.HVAC):
                raise _invalid("schedule_target_unsupported", device=device.name or device_id)
            return typed, asset.id, asset.asset_type
    raise _invalid("schedule_device_unknown", device_id=device_id)


def _hour_minute(value: Any, index: int, key: str) -> str:
    if not isinstance(value, str) or not _HOUR_MINUTE.match(value):
        raise _invalid("schedule_rule_time_invalid", rule=str(index), key=key, value=str(value))
    return value[:5]


def _weekdays(value: Any, index: int) -> list[int]:
    names = value if isinstance(value, list) else [value]
    days: list[int] = []
    for name in names:
        if isinstance(name, int) and not isinstance(name, bool) and 0 <= name <= 6:
            days.append(name)  # Enode's numbers (0 = Monday), as enode.set_tariff takes them
            continue
        day = str(name).lower()[:3]
        if day not in WEEKDAYS:
            raise _invalid("schedule_rule_weekday_invalid", rule=str(index), value=str(name))
        days.append(WEEKDAYS.index(day))
    return days


def _target_state(mode: Any, heat: Any, cool: Any, rule: int | None) -> TargetState:
    """A temperature target from a mode and the setpoints it needs (rule None: the default)."""
    # Each place has its own message so that every language words it whole.
    where = "default" if rule is None else "rule"
    numbered = {} if rule is None else {"rule": str(rule)}
    if mode not in MODES:
        # Only a rule's mode can get here: the service schema validates the default mode.
        raise _invalid("schedule_rule_mode_invalid", value=str(mode), **numbered)
    if mode == "follow_schedule":
        return TargetState("SCHEDULED")
    needs_heat, needs_cool = mode in ("heat", "auto"), mode in ("cool", "auto")
    for needed, value, name in (
        (needs_heat, heat, "heat_setpoint"),
        (needs_cool, cool, "cool_setpoint"),
    ):
        if needed and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise _invalid(
                f"schedule_{where}_setpoint_required", mode=mode, setpoint=name, **numbered
            )
    return TargetState(
        "PERMANENT",
        mode.upper(),
        heat_setpoint=float(heat) if needs_heat else None,
        cool_setpoint=float(cool) if needs_cool else None,
    )


def _rules(rules: list[dict[str, Any]], charge: bool) -> list[dict[str, Any]]:
    built: list[dict[str, Any]] = []
    for index, rule in enumerate(rules, start=1):
        allowed = (
            {"from", "to", "weekdays", "should_charge"}
            if charge
            else {"from", "to", "weekdays", "mode", "heat_setpoint", "cool_setpoint"}
        )
        unknown = sorted(set(rule) - allowed)
        if unknown:
            raise _invalid("schedule_rule_key_invalid", rule=str(index), keys=", ".join(unknown))
        if ("from" in rule) != ("to" in rule):
            raise _invalid("schedule_rule_window_incomplete", rule=str(index))
        window: dict[str, Any] = {}
        if "from" in rule:
            window = {
                "hour_from": _hour_minute(rule["from"], index, "from"),
                "hour_to": _hour_minute(rule["to"], index, "to"),
            }
        days = _weekdays(rule["weekdays"], index) if "weekdays" in rule else None
        if charge:
            should = rule.get("should_charge", True)
            if not isinstance(should, bool):
                raise _invalid("schedule_rule_should_charge_invalid", rule=str(index))
            built.append(rule_body(should_charge=should, weekdays=days, **window))
        else:
            state = _target_state(
                rule.get("mode"),
                rule.get("heat_setpoint"),
                rule.get("cool_setpoint"),
                index,
            )
            built.append(rule_body(target_state=state, weekdays=days, **window))
    return built


def _default_target(data: dict[str, Any]) -> TargetState:
    return _target_state(
        data.get(ATTR_DEFAULT_MODE, "follow_schedule"),
        data.get(ATTR_DEFAULT_HEAT),
        data.get(ATTR_DEFAULT_COOL),
        None,
    )


def _pick_schedule(entry: EnodeConfigEntry, asset_id: str, schedule_id: str | None) -> Schedule:
    """The schedule to change: the given one, else the target's only schedule."""
    schedules = entry.runtime_data.coordinator.data.schedules.of_target(asset_id)
    if schedule_id is not None:
        for schedule in schedules:
            if schedule.id == schedule_id:
                return schedule
        raise _invalid("schedule_not_found", schedule_id=schedule_id)
    if len(schedules) != 1:
        raise _invalid("schedule_id_required", count=str(len(schedules)))
    return schedules[0]


async def _async_create(call: ServiceCall) -> ServiceResponse:
    entry, asset_id, asset_type = _target(call.hass, call.data[ATTR_DEVICE_ID])
    data = dict(call.data)
    charge = asset_type in _CHARGE_TYPES
    rules = _rules(data.get(ATTR_RULES, []), charge)
    enabled = data.get(ATTR_ENABLED, True)
    if charge:
        body = charge_schedule_body(
            asset_type,
            asset_id,
            default_should_charge=data.get(ATTR_DEFAULT_SHOULD_CHARGE, False),
            rules=rules,
            location_id=data.get(ATTR_LOCATION_ID),
            is_enabled=enabled,
        )
    else:
        body = temperature_schedule_body(
            asset_id, default_target_state=_default_target(data), rules=rules, is_enabled=enabled
        )
    coordinator = entry.runtime_data.coordinator
    created = await async_call_enode(
        call.hass, entry, coordinator.client.create_schedule(coordinator.user_id, body)
    )
    status = await async_call_enode(
        call.hass, entry, coordinator.client.get_schedule_status(created.id)
    )
    coordinator.async_set_schedules(coordinator.data.schedules.with_schedule(created, status))
    return {"schedule_id": created.id}


async def _async_update(call: ServiceCall) -> None:
    entry, asset_id, asset_type = _target(call.hass, call.data[ATTR_DEVICE_ID])
    schedule = _pick_schedule(entry, asset_id, call.data.get(ATTR_SCHEDULE_ID))
    data = dict(call.data)
    charge = asset_type in _CHARGE_TYPES
    changes: dict[str, Any] = {}
    if ATTR_ENABLED in data:
        changes["isEnabled"] = data[ATTR_ENABLED]
    if ATTR_RULES in data:
        changes["rules"] = _rules(data[ATTR_RULES], charge)
    if charge and ATTR_DEFAULT_SHOULD_CHARGE in data:
        changes["defaultShouldCharge"] = data[ATTR_DEFAULT_SHOULD_CHARGE]
    if charge and ATTR_LOCATION_ID in data:
        changes["locationId"] = data[ATTR_LOCATION_ID]
    if not charge and ATTR_DEFAULT_MODE in data:
        changes["defaultTargetState"] = _default_target(data).as_dict()
    if not changes:
        raise _invalid("schedule_nothing_to_update")
    coordinator = entry.runtime_data.coordinator
    updated = await async_call_enode(
        call.hass, entry, coordinator.client.update_schedule(schedule.id, changes)
    )
    status = await async_call_enode(
        call.hass, entry, coordinator.client.get_schedule_status(updated.id)
    )
    coordinator.async_set_schedules(coordinator.data.schedules.with_schedule(updated, status))


async def _async_delete(call: ServiceCall) -> None:
    entry, asset_id, _ = _target(call.hass, call.data[ATTR_DEVICE_ID])
    schedule = _pick_schedule(entry, asset_id, call.data.get(ATTR_SCHEDULE_ID))
    coordinator = entry.runtime_data.coordinator
    await async_call_enode(call.hass, entry, coordinator.client.delete_schedule(schedule.id))
    coordinator.async_set_schedules(coordinator.data.schedules.without(schedule.id))


@callback
def async_setup_schedule_services(hass: HomeAssistant) -> None:
    """Register the schedule actions (once, from async_setup)."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_CREATE,
        _async_create,
        schema=CREATE_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(DOMAIN, SERVICE_UPDATE, _async_update, schema=UPDATE_SCHEMA)
    hass.services.async_register(DOMAIN, SERVICE_DELETE, _async_delete, schema=DELETE_SCHEMA)

"""Every action of the integration, registered once in async_setup (Home Assistant convention).

Input errors are translated ServiceValidationErrors raised before anything reaches Enode (one
time validator, one weekday parser); Enode's refusals go through helpers.async_call_enode.

enode.set_tariff: what a kWh costs when, at a Location. Enode's tariff model (SMART.md 7) is a
tariff of named rates (`PUT /tariffs/{id}`) and a weekly schedule of the Location naming a rate
per interval (`PUT /locations/{id}/tariff`, local times of the Location, `to` exclusive, `24:00`
ends a day, no overlaps, gaps fall back to market prices). The action takes intervals with a
price each, checks them, makes one rate per distinct price and sends both. Each call replaces
the Location's whole schedule.

enode.create_schedule, enode.update_schedule, enode.delete_schedule: they find the entry through
the target device. Rules use Home Assistant's words (snake_case, weekday names); Enode's shapes
are built with the client's body helpers. The coordinator holds the answer at once.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
import re
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_CONFIG_ENTRY_ID
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
    TariffInterval,
    TariffRate,
    charge_schedule_body,
    rule_body,
    temperature_schedule_body,
)
from .const import CONF_HOME_LOCATION_ID, DOMAIN, SERVICE_SET_TARIFF
from .helpers import async_call_enode

if TYPE_CHECKING:
    from .models import EnodeConfigEntry

ATTR_LOCATION_ID = "location_id"
ATTR_INTERVALS = "intervals"
ATTR_CURRENCY = "currency"
ATTR_FROM = "from"
ATTR_TO = "to"
ATTR_WEEKDAYS = "weekdays"
ATTR_PRICE = "price"

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

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = Enode's weekday
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MODES = ("follow_schedule", "heat", "cool", "auto", "off")
DAY_MINUTES = 24 * 60
# HH:MM, or HH:MM:SS as Home Assistant's time selector sends it (whole minutes only).
TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_CHARGE_TYPES = (AssetType.VEHICLE, AssetType.CHARGER)
CURRENCY = re.compile(r"^[A-Z]{3}$")
# Enode's cost is a decimal string of at most 9 integer and 9 fraction digits (SMART.md 7.1).
MAX_PRICE = Decimal("1e9")

# Types only: what the values mean is checked below, with translated messages.
INTERVAL_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_FROM): cv.string,
        vol.Required(ATTR_TO): cv.string,
        vol.Optional(ATTR_WEEKDAYS): vol.All(cv.ensure_list, [vol.Any(int, cv.string)]),
        vol.Required(ATTR_PRICE): vol.Any(int, float, cv.string),
    }
)
SET_TARIFF_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Optional(ATTR_LOCATION_ID): cv.string,
        vol.Required(ATTR_INTERVALS): vol.All(cv.ensure_list, [INTERVAL_SCHEMA]),
        vol.Optional(ATTR_CURRENCY): cv.string,
    }
)


@dataclass(frozen=True, slots=True)
class PriceInterval:
    """One checked interval: minutes since local midnight, Enode weekdays, price."""

    number: int  # 1-based, as the person counts them in messages
    start: int
    end: int
    weekdays: tuple[int, ...] | None  # None: every day
    price: Decimal

    @property
    def days(self) -> frozenset[int]:
        """The weekdays it applies on."""
        return frozenset(range(7) if self.weekdays is None else self.weekdays)

    @property
    def span(self) -> str:
        """The interval as HH:MM-HH:MM, for messages."""
        return f"{hour_minute(self.start)}-{hour_minute(self.end)}"


def _invalid(translation_key: str, /, **placeholders: object) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=translation_key,
        translation_placeholders={k: str(v) for k, v in placeholders.items()},
    )


def hour_minute(total: int) -> str:
    """Minutes since midnight as Enode's HH:MM (1440 is 24:00)."""
    return f"{total // 60:02d}:{total % 60:02d}"


def minutes_of(value: object, *, end: bool = False) -> int | None:
    """Minutes since midnight of HH:MM or HH:MM:00 (None when it is not a time of day).

    24:00 is a time only where it ends a tariff interval (``end``).
    """
    match = TIME.match(value.strip()) if isinstance(value, str) else None
    if match is not None:
        hours, mins, secs = (int(group or 0) for group in match.groups())
        total = hours * 60 + mins
        if mins <= 59 and secs == 0 and total <= (DAY_MINUTES if end else DAY_MINUTES - 1):
            return total
    return None


def parse_time(value: str, number: int, *, end: bool) -> int:
    """Minutes since midnight of a tariff interval's from or to."""
    total = minutes_of(value, end=end)
    if total is None:
        raise _invalid("tariff_invalid_time", value=value, interval=number)
    return total


def weekday_of(value: object) -> int | None:
    """Enode's weekday (0 = Monday) of 0-6, "0"-"6", mon..sun or monday..sunday; else None."""
    text = str(value).strip().lower()  # True becomes "true": refused like any other word
    if text.isdigit() and int(text) <= 6:
        return int(text)
    for number, name in enumerate(WEEKDAYS):
        if text in (name, DAY_NAMES[number]):
            return number
    return None


def parse_weekdays(values: list[int | str] | None, number: int) -> tuple[int, ...] | None:
    """A tariff interval's weekdays; none or empty: every day."""
    if not values:
        return None
    days: set[int] = set()
    for value in values:
        if (day := weekday_of(value)) is None:
            raise _invalid("tariff_invalid_weekday", value=value, interval=number)
        days.add(day)
    return tuple(sorted(days))


def parse_price(value: float | str, number: int) -> Decimal:
    """The price per kWh as a Decimal Enode can take (negative prices are allowed)."""
    try:
        price = Decimal(str(value).strip())
    except InvalidOperation:
        price = Decimal("NaN")
    if not price.is_finite() or abs(price) >= MAX_PRICE:
        raise _invalid("tariff_invalid_price", value=value, interval=number)
    return price


def parse_intervals(raw: list[dict[str, Any]]) -> list[PriceInterval]:
    """Check every interval and that none overlaps another on a common weekday.

    Gaps are allowed: Enode falls back to market prices there (SMART.md 7.2).
    """
    intervals: list[PriceInterval] = []
    for number, item in enumerate(raw, start=1):
        start = parse_time(item[ATTR_FROM], number, end=False)
        end = parse_time(item[ATTR_TO], number, end=True)
        if end <= start:
            raise _invalid(
                "tariff_interval_not_positive",
                interval=number,
                start=hour_minute(start),
                end=hour_minute(end),
            )
        intervals.append(
            PriceInterval(
                number=number,
                start=start,
                end=end,
                weekdays=parse_weekdays(item.get(ATTR_WEEKDAYS), number),
                price=parse_price(item[ATTR_PRICE], number),
            )
        )
    for index, first in enumerate(intervals):
        for second in intervals[index + 1 :]:
            if first.days & second.days and first.start < second.end and second.start < first.end:
                raise _invalid(
                    "tariff_intervals_overlap",
                    first=first.number,
                    first_span=first.span,
                    second=second.number,
                    second_span=second.span,
                )
    return intervals


def cost_text(price: Decimal) -> str:
    """Enode's decimal string: at most nine fraction digits, no exponent, no trailing zeros."""
    text = f"{price.quantize(Decimal('1e-9')):f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def tariff_id_for(location_id: str) -> str:
    """Our tariff's id for a Location: word characters and dashes, at most 36 (SMART.md 7.1)."""
    return "ha-" + re.sub(r"[^\w]", "", location_id)[:33]


def build_tariff(
    intervals: list[PriceInterval], currency: str | None
) -> tuple[list[TariffRate], list[TariffInterval]]:
    """One named rate per distinct price, and the schedule naming them.

    [?] Enode has no currency field (SMART.md 7.1): the currency only names the rates
    (EUR-1, EUR-2, ...) so they read well in other Enode apps.
    """
    prefix = currency or "PRICE"
    names: dict[str, str] = {}
    for interval in intervals:
        cost = cost_text(interval.price)
        names.setdefault(cost, f"{prefix}-{len(names) + 1}")
    rates = [TariffRate(name=name, cost=cost) for cost, name in names.items()]
    schedule = [
        TariffInterval(
            name=names[cost_text(interval.price)],
            start=hour_minute(interval.start),
            end=hour_minute(interval.end),
            weekdays=interval.weekdays,
        )
        for interval in intervals
    ]
    return rates, schedule


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
    total = minutes_of(value)
    if total is None:
        raise _invalid("schedule_rule_time_invalid", rule=str(index), key=key, value=str(value))
    return hour_minute(total)


def _weekdays(value: Any, index: int) -> list[int]:
    days: list[int] = []
    for name in value if isinstance(value, list) else [value]:
        if (day := weekday_of(name)) is None:
            raise _invalid("schedule_rule_weekday_invalid", rule=str(index), value=str(name))
        days.append(day)
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
    created = await _async_store(
        call, entry, coordinator.client.create_schedule(coordinator.user_id, body)
    )
    return {"schedule_id": created.id}


async def _async_store(
    call: ServiceCall, entry: EnodeConfigEntry, request: Awaitable[Schedule]
) -> Schedule:
    """Send a schedule, fetch its status, and let the coordinator hold both at once."""
    coordinator = entry.runtime_data.coordinator
    schedule = await async_call_enode(call.hass, entry, request)
    status = await async_call_enode(
        call.hass, entry, coordinator.client.get_schedule_status(schedule.id)
    )
    coordinator.async_put_schedule(schedule, status)
    return schedule


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
    client = entry.runtime_data.coordinator.client
    await _async_store(call, entry, client.update_schedule(schedule.id, changes))


async def _async_delete(call: ServiceCall) -> None:
    entry, asset_id, _ = _target(call.hass, call.data[ATTR_DEVICE_ID])
    schedule = _pick_schedule(entry, asset_id, call.data.get(ATTR_SCHEDULE_ID))
    coordinator = entry.runtime_data.coordinator
    await async_call_enode(call.hass, entry, coordinator.client.delete_schedule(schedule.id))
    coordinator.async_drop_schedule(schedule.id)


def _loaded_entry(hass: HomeAssistant, entry_id: str) -> EnodeConfigEntry:
    entry: EnodeConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN or entry.state is not ConfigEntryState.LOADED:
        raise _invalid("entry_not_loaded", entry_id=entry_id)
    return entry


async def async_set_tariff(call: ServiceCall) -> None:
    """Check the intervals, then send the rates and the Location's schedule to Enode."""
    hass = call.hass
    entry = _loaded_entry(hass, call.data[ATTR_CONFIG_ENTRY_ID])
    location_id = call.data.get(ATTR_LOCATION_ID) or entry.data.get(CONF_HOME_LOCATION_ID)
    if not location_id:
        raise _invalid("no_home_location", title=entry.title)
    currency = call.data.get(ATTR_CURRENCY)
    if currency is not None and not CURRENCY.match(currency):
        raise _invalid("tariff_invalid_currency", value=currency)
    rates, schedule = build_tariff(parse_intervals(call.data[ATTR_INTERVALS]), currency)
    client = entry.runtime_data.client
    tariff_id = tariff_id_for(location_id)
    await async_call_enode(
        hass, entry, client.set_tariff(tariff_id, rates), not_found="location_not_found"
    )
    await async_call_enode(
        hass,
        entry,
        client.set_location_tariff(location_id, tariff_id, schedule),
        not_found="location_not_found",
    )


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions (once, in async_setup, as Home Assistant asks)."""
    hass.services.async_register(
        DOMAIN, SERVICE_SET_TARIFF, async_set_tariff, schema=SET_TARIFF_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_CREATE,
        _async_create,
        schema=CREATE_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(DOMAIN, SERVICE_UPDATE, _async_update, schema=UPDATE_SCHEMA)
    hass.services.async_register(DOMAIN, SERVICE_DELETE, _async_delete, schema=DELETE_SCHEMA)

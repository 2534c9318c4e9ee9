"""Actions of the integration: enode.set_tariff (what a kWh costs when, at a Location).

Enode's tariff model (SMART.md 7) is a tariff of named rates (`PUT /tariffs/{id}`) and a weekly
schedule of the Location naming a rate per interval (`PUT /locations/{id}/tariff`, local times
of the Location, `to` exclusive, `24:00` ends a day, no overlaps, gaps fall back to market
prices). The action takes intervals with a price each, checks them, makes one rate per distinct
price and sends both. Each call replaces the Location's whole schedule.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
import re
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
import voluptuous as vol

from .api import TariffInterval, TariffRate
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

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = Enode's weekday
DAY_MINUTES = 24 * 60
# HH:MM, or HH:MM:SS as Home Assistant's time selector sends it (whole minutes only).
TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
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


def _invalid(key: str, **placeholders: object) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={k: str(v) for k, v in placeholders.items()},
    )


def hour_minute(total: int) -> str:
    """Minutes since midnight as Enode's HH:MM (1440 is 24:00)."""
    return f"{total // 60:02d}:{total % 60:02d}"


def parse_time(value: str, number: int, *, end: bool) -> int:
    """Minutes since midnight of HH:MM or HH:MM:SS; 24:00 only ends an interval."""
    match = TIME.match(value.strip())
    if match is not None:
        hours, mins, secs = (int(group or 0) for group in match.groups())
        total = hours * 60 + mins
        if mins <= 59 and secs == 0 and total <= (DAY_MINUTES if end else DAY_MINUTES - 1):
            return total
    raise _invalid("tariff_invalid_time", value=value, interval=number)


def parse_weekdays(values: list[int | str] | None, number: int) -> tuple[int, ...] | None:
    """Enode weekdays (0 = Monday) from numbers 0-6 or mon..sun; none or empty: every day."""
    if not values:
        return None
    days: set[int] = set()
    for value in values:
        text = str(value).strip().lower()  # True becomes "true": refused like any other word
        if text in WEEKDAYS:
            days.add(WEEKDAYS.index(text))
        elif text.isdigit() and int(text) <= 6:
            days.add(int(text))
        else:
            raise _invalid("tariff_invalid_weekday", value=value, interval=number)
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

"""enode.set_tariff, asserted through the action and what Enode (the emulator) stored (issue 25).

Each test names the one-line bug it catches.
"""

from __future__ import annotations

import re
from typing import Any

from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.enode.const import CONF_HOME_LOCATION_ID, DOMAIN
from enode_emulator import Emulator

from .conftest import DEMO_USER

BERGEN = {"name": "Cabin", "latitude": 60.39, "longitude": 5.32, "timezoneName": "Europe/Oslo"}


@pytest.fixture
def home_id(emulator: Emulator) -> str:
    """The demo household's Location."""
    (site,) = emulator.core.pricing.locations_of(DEMO_USER)
    return site.id


async def set_tariff(hass: HomeAssistant, entry: MockConfigEntry, **data: Any) -> None:
    """Call the action as an automation would."""
    await hass.services.async_call(
        DOMAIN, "set_tariff", {ATTR_CONFIG_ENTRY_ID: entry.entry_id, **data}, blocking=True
    )


def tariff_puts(emulator: Emulator, start: int) -> list[str]:
    """Paths of the tariff writes Enode received since `start`."""
    return [
        item.path
        for item in emulator.request_log[start:]
        if item.method == "PUT" and "tariff" in item.path
    ]


async def test_given_location_wins_over_the_remembered_home(
    hass: HomeAssistant, emulator: Emulator, setup_integration: MockConfigEntry, home_id: str
) -> None:
    """Home A is remembered; set_tariff for Location B writes B's tariff and leaves A alone.

    Kills: `entry.data.get(CONF_HOME_LOCATION_ID) or call.data.get(ATTR_LOCATION_ID)`.
    """
    entry = setup_integration
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_HOME_LOCATION_ID: home_id}
    )
    cabin = emulator.core.pricing.create_location(DEMO_USER, BERGEN).id
    start = len(emulator.request_log)
    await set_tariff(
        hass, entry, location_id=cabin, intervals=[{"from": "00:00", "to": "24:00", "price": 0.5}]
    )
    pricing = emulator.core.pricing
    rows = pricing.location_tariff(cabin)
    assert len(rows) == 7  # every weekday, the whole day
    assert {row["toHourMinute"] for row in rows} == {"24:00"}
    assert pricing.get_tariff(rows[0]["tariffId"]) == [{"name": "PRICE-1", "cost": "0.5"}]
    assert pricing.location_tariff(home_id) == []
    assert f"/locations/{cabin}/tariff" in tariff_puts(emulator, start)
    assert f"/locations/{home_id}/tariff" not in tariff_puts(emulator, start)


@pytest.mark.parametrize("price", [1e12, -1e12])
async def test_a_trillion_is_refused_either_sign(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_integration: MockConfigEntry,
    home_id: str,
    price: float,
) -> None:
    """Enode takes at most nine integer digits, below zero too; nothing is sent.

    Kills: `price >= MAX_PRICE` (the bound checked without abs(), letting -1e12 through).
    """
    start = len(emulator.request_log)
    with pytest.raises(
        ServiceValidationError,
        match=re.escape(
            f"Interval 1: {price} is not a price Enode accepts (a number below one billion)"
        ),
    ):
        await set_tariff(
            hass,
            setup_integration,
            location_id=home_id,
            intervals=[{"from": "00:00", "to": "01:00", "price": price}],
        )
    assert tariff_puts(emulator, start) == []
    assert emulator.core.pricing.location_tariff(home_id) == []


async def test_price_is_sent_with_nine_decimals(
    hass: HomeAssistant, emulator: Emulator, setup_integration: MockConfigEntry, home_id: str
) -> None:
    """0.1234567891 reaches Enode as "0.123456789" (Enode's nine fraction digits).

    Kills: quantizing to fewer places (e.g. `Decimal('1e-2')` or `1e-6` in cost_text).
    """
    await set_tariff(
        hass,
        setup_integration,
        location_id=home_id,
        intervals=[{"from": "00:00", "to": "24:00", "price": 0.1234567891}],
    )
    rows = emulator.core.pricing.location_tariff(home_id)
    assert rows
    assert emulator.core.pricing.get_tariff(rows[0]["tariffId"]) == [
        {"name": "PRICE-1", "cost": "0.123456789"}
    ]

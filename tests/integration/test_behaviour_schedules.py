"""Schedule actions, asserted only through service calls, states and the emulator (issue 25).

Each test names the one-line bug it catches; see the issue for the list of behaviours.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime, timedelta
import re
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.enode.const import DOMAIN
from enode_emulator import Emulator

from .platform_helpers import CHARGER, HVAC, START, asset_device

# START is Sunday 1 June 2025, 12:00 in Oslo (the demo Location's time zone).
CHARGE_RULE = {"from": "12:30", "to": "12:50", "weekdays": ["sun"], "should_charge": True}


@pytest.fixture
def emulator_start_time() -> datetime:
    """A fixed clock: rules are times of day."""
    return START


@pytest.fixture(autouse=True)
def only_schedule_platforms() -> Generator[None]:
    """The platforms schedule entities live on."""
    with patch("custom_components.enode.PLATFORMS", [Platform.SENSOR, Platform.SWITCH]):
        yield


def _device(hass: HomeAssistant, entry: MockConfigEntry, asset_id: str) -> str:
    device = asset_device(dr.async_get(hass), entry, asset_id)
    assert device is not None
    return device.id


def _entity(hass: HomeAssistant, domain: str, unique_id: str) -> str:
    found = er.async_get(hass).async_get_entity_id(domain, DOMAIN, unique_id)
    assert found is not None, unique_id
    return found


def _schedule_requests(emulator: Emulator, start: int) -> list[tuple[str, str]]:
    return [
        (item.method, item.path)
        for item in emulator.request_log[start:]
        if "schedules" in item.path and item.method != "GET"
    ]


async def _create(hass: HomeAssistant, **data: Any) -> str:
    response = await hass.services.async_call(
        DOMAIN, "create_schedule", data, blocking=True, return_response=True
    )
    assert response is not None
    return str(response["schedule_id"])


async def _setup_without_push(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Polling only: Home Assistant has no URL for Enode to call."""
    assert await async_setup_component(hass, "http", {})
    hass.config.api = None
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert not entry.runtime_data.push.healthy


async def test_weekday_seven_is_refused_before_enode(
    hass: HomeAssistant, emulator: Emulator, setup_integration: MockConfigEntry
) -> None:
    """Enode's weekdays are 0 (Monday) to 6: 7 is refused by name, nothing is sent.

    Kills: `0 <= name <= 7` in schedule_services._weekdays.
    """
    start = len(emulator.request_log)
    with pytest.raises(
        ServiceValidationError,
        match=re.escape('Rule 1: "7" is not a weekday (mon, tue, wed, thu, fri, sat, sun)'),
    ):
        await _create(
            hass,
            device_id=_device(hass, setup_integration, CHARGER),
            rules=[{"from": "01:00", "to": "02:00", "weekdays": [7]}],
        )
    assert _schedule_requests(emulator, start) == []
    assert not emulator.core.schedules.records


async def test_rule_with_only_to_is_incomplete(
    hass: HomeAssistant, emulator: Emulator, setup_integration: MockConfigEntry
) -> None:
    """A window needs both ends; `to` alone is as incomplete as `from` alone.

    Kills: `if "from" in rule and "to" not in rule` (a one-sided completeness check).
    """
    start = len(emulator.request_log)
    with pytest.raises(
        ServiceValidationError, match=re.escape('Rule 1 needs both "from" and "to"')
    ):
        await _create(
            hass,
            device_id=_device(hass, setup_integration, CHARGER),
            rules=[{"to": "02:00", "should_charge": True}],
        )
    assert _schedule_requests(emulator, start) == []
    assert not emulator.core.schedules.records


async def test_hvac_auto_rule_keeps_both_setpoints(
    hass: HomeAssistant, emulator: Emulator, setup_integration: MockConfigEntry
) -> None:
    """Auto needs heat and cool: Enode stores heat 20.0 and cool 24.0.

    Kills: `needs_heat = mode == "heat"` (auto losing its heat setpoint), or the setpoints swapped.
    """
    schedule_id = await _create(
        hass,
        device_id=_device(hass, setup_integration, HVAC),
        rules=[
            {
                "from": "06:00",
                "to": "08:00",
                "mode": "auto",
                "heat_setpoint": 20,
                "cool_setpoint": 24,
            }
        ],
    )
    (rule,) = emulator.core.schedules.get(schedule_id).data["rules"]
    assert rule["targetState"] == {
        "holdType": "PERMANENT",
        "mode": "AUTO",
        "heatSetpoint": 20.0,
        "coolSetpoint": 24.0,
    }


async def test_update_disables_and_the_switch_turns_off(
    hass: HomeAssistant, emulator: Emulator, config_entry: MockConfigEntry
) -> None:
    """`enabled: false` alone is a change: Enode stores it and the switch follows at once.

    Without push, so the switch can only learn it from the action's own answer.
    Kills: dropping `changes["isEnabled"] = ...` (then "nothing to update"), or storing True.
    """
    await _setup_without_push(hass, config_entry)
    device = _device(hass, config_entry, CHARGER)
    schedule_id = await _create(hass, device_id=device, rules=[CHARGE_RULE])
    switch = _entity(hass, "switch", f"{CHARGER}_schedule_{schedule_id}")
    assert hass.states.get(switch).state == STATE_ON
    await hass.services.async_call(
        DOMAIN, "update_schedule", {"device_id": device, "enabled": False}, blocking=True
    )
    assert emulator.core.schedules.get(schedule_id).data["isEnabled"] is False
    await hass.async_block_till_done()
    assert hass.states.get(switch).state == STATE_OFF


async def test_delete_without_id_on_two_schedules_asks_which(
    hass: HomeAssistant, emulator: Emulator, setup_integration: MockConfigEntry
) -> None:
    """Two schedules and no schedule_id: the "which one" error, nothing deleted.

    Kills: `if len(schedules) < 1` in _pick_schedule (taking the first of several).
    """
    device = _device(hass, setup_integration, CHARGER)
    first = await _create(hass, device_id=device, rules=[CHARGE_RULE])
    second = await _create(hass, device_id=device, enabled=False)
    start = len(emulator.request_log)
    with pytest.raises(
        ServiceValidationError,
        match=re.escape("This device has 2 schedules: give the schedule ID"),
    ):
        await hass.services.async_call(
            DOMAIN, "delete_schedule", {"device_id": device}, blocking=True
        )
    assert _schedule_requests(emulator, start) == []
    assert {first, second} <= set(emulator.core.schedules.records)


async def test_status_follows_the_clock_by_polling_without_push(
    hass: HomeAssistant,
    emulator: Emulator,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
) -> None:
    """Without push each poll fetches the statuses: entering the window turns aligned → pending.

    Kills: `if schedule_id not in statuses` (statuses fetched only for new schedules).
    """
    freezer.move_to(START)
    await _setup_without_push(hass, config_entry)
    schedule_id = await _create(
        hass, device_id=_device(hass, config_entry, CHARGER), rules=[CHARGE_RULE]
    )
    sensor = _entity(hass, "sensor", f"{CHARGER}_schedule_status_{schedule_id}")
    assert hass.states.get(sensor).state == "aligned"
    # 12:30 local: the schedule sends START, which stays pending for the action delay (20 s).
    await emulator.advance(30 * 60)
    freezer.tick(timedelta(minutes=30))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(sensor).state == "pending"

"""Smart layer behaviour a mutation pass found unchecked (issue 25, "Beyond this list").

Each test names the one-line bug it catches; all of them talk HTTP to the emulator and assert
through service calls, `hass.states` and the emulator's request log.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime, time
from typing import Any
from unittest.mock import patch

from aiohttp.test_utils import TestClient
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.components.time import ATTR_TIME, SERVICE_SET_VALUE as SERVICE_SET_TIME
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.enode.api import AssetType
from custom_components.enode.const import (
    CONF_CREATE_HOME_LOCATION,
    CONF_HOME_LOCATION_ID,
    DOMAIN,
)
from enode_emulator import Emulator

from .conftest import DEMO_USER, event, post_webhook
from .platform_helpers import CHARGER, HVAC, START, VEHICLE, asset_device, entity_id, settle


@pytest.fixture
def emulator_start_time() -> datetime:
    """12:00 in Oslo, as in test_smart_charging.py (Enode's clock, not Home Assistant's)."""
    return START


@pytest.fixture(autouse=True)
def smart_platforms() -> Generator[None]:
    """Only the platforms these tests read."""
    with patch(
        "custom_components.enode.PLATFORMS", [Platform.SENSOR, Platform.SWITCH, Platform.TIME]
    ):
        yield


async def _call(hass: HomeAssistant, domain: str, service: str, entity: str, **data: Any) -> None:
    await hass.services.async_call(domain, service, {ATTR_ENTITY_ID: entity, **data}, blocking=True)


@pytest.mark.parametrize("later", [0, 60])
async def test_override_started_elsewhere_after_charge_now_off_shows_on(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
    later: int,
) -> None:
    """Charge now off here, then another Enode app starts an override: Enode's status (as new
    as the ended override, or newer) turns Charge now on again.

    Kills: the ended override stamped with Home Assistant's clock although Enode answered
    `endedAt` (it would then outrank every later status), and a status only as new as the
    ended override losing to it (`>` for `>=`).
    """
    ready_by = entity_id(entity_registry, "time", VEHICLE, "ready_by")
    smart = entity_id(entity_registry, "switch", VEHICLE, "smart_charging")
    charge_now = entity_id(entity_registry, "switch", VEHICLE, "charge_now")
    await _call(hass, "time", SERVICE_SET_TIME, ready_by, **{ATTR_TIME: time(7, 0)})
    await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, smart)
    await settle(hass, emulator, 1)
    await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, charge_now)
    await settle(hass, emulator)
    await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_OFF, charge_now)
    await settle(hass, emulator, later)
    assert hass.states.get(charge_now).state == STATE_OFF
    # Another app (here: the same client, not through Home Assistant) starts an override.
    await setup_integration.runtime_data.client.create_smart_override(AssetType.VEHICLE, VEHICLE)
    await settle(hass, emulator, 0)
    assert hass.states.get(charge_now).state == STATE_ON


async def _options_home(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Options > Home as an Enode Location, confirmed."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "home_location"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_CREATE_HOME_LOCATION: True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


def _location_writes(emulator: Emulator, start: int) -> list[str]:
    return [
        f"{e.method} {e.path} {e.status}"
        for e in emulator.request_log[start:]
        if "/locations" in e.path and e.method != "GET"
    ]


def _location(emulator: Emulator, location_id: str) -> dict[str, Any]:
    (found,) = [
        site.to_json()
        for site in emulator.core.pricing.locations_of(DEMO_USER)
        if site.id == location_id
    ]
    return found


async def test_home_location_update_sends_the_new_time_zone(
    hass: HomeAssistant, emulator: Emulator, setup_integration: MockConfigEntry
) -> None:
    """Home Assistant's home moved to Oslo time: updating the remembered Location sends the
    new name, coordinates and time zone (Enode reads Ready by in it).

    Kills: the update sending a fixed or stale time zone.
    """
    entry = setup_integration
    await _options_home(hass, entry)
    home_id = entry.data[CONF_HOME_LOCATION_ID]
    assert _location(emulator, home_id)["timezoneName"] == "US/Pacific"
    await hass.config.async_update(
        location_name="Hytta", latitude=61.5, longitude=9.5, time_zone="Europe/Oslo"
    )
    start = len(emulator.request_log)
    await _options_home(hass, entry)
    assert _location_writes(emulator, start) == [f"PUT /locations/{home_id} 200"]
    held = _location(emulator, home_id)
    assert (held["name"], held["latitude"], held["longitude"], held["timezoneName"]) == (
        "Hytta",
        61.5,
        9.5,
        "Europe/Oslo",
    )


async def test_home_location_gone_adopts_one_made_at_home_elsewhere(
    hass: HomeAssistant, emulator: Emulator, setup_integration: MockConfigEntry
) -> None:
    """The remembered Location was deleted and another app made one at home: that one is
    updated and remembered; nothing new is created (Enode would refuse it that close).

    Kills: updating the deleted id again instead of the Location found at home.
    """
    entry = setup_integration
    await _options_home(hass, entry)
    old_id = entry.data[CONF_HOME_LOCATION_ID]
    emulator.core.pricing.delete_location(old_id)
    other = emulator.core.pricing.create_location(
        DEMO_USER,
        {
            "name": "Casa",
            "latitude": hass.config.latitude + 0.0005,
            "longitude": hass.config.longitude,
            "timezoneName": "UTC",
        },
    )
    start = len(emulator.request_log)
    await _options_home(hass, entry)
    assert entry.data[CONF_HOME_LOCATION_ID] == other.id
    assert _location_writes(emulator, start) == [
        f"PUT /locations/{old_id} 404",
        f"PUT /locations/{other.id} 200",
    ]
    assert _location(emulator, other.id)["name"] == "test home"


def _device(hass: HomeAssistant, entry: MockConfigEntry, asset_id: str) -> str:
    device = asset_device(dr.async_get(hass), entry, asset_id)
    assert device is not None
    return device.id


def _schedule_lists(emulator: Emulator) -> int:
    return sum(
        1
        for e in emulator.request_log
        if (e.method, e.path) == ("GET", "/users/demo-user/schedules")
    )


async def test_schedules_refused_once_are_not_listed_again(
    hass: HomeAssistant, emulator: Emulator, config_entry: MockConfigEntry
) -> None:
    """An Enode client without schedules (403): listed once, not on every poll after.

    Kills: the poll ignoring that schedules are unsupported.
    """
    emulator.add_fault(path="/users/*/schedules", status=403)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert _schedule_lists(emulator) == 1
    coordinator = config_entry.runtime_data.coordinator
    for _ in range(2):
        await coordinator.async_refresh()
        await hass.async_block_till_done()
    assert coordinator.last_update_success
    assert _schedule_lists(emulator) == 1


async def test_schedules_of_two_devices_are_numbered_and_picked_per_device(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """One schedule on the charger, one on the thermostat: each is its device's schedule 1,
    and delete_schedule without an id takes the device's only schedule.

    Kills: a target's schedules including other targets' ones.
    """
    charger = _device(hass, setup_integration, CHARGER)
    hvac = _device(hass, setup_integration, HVAC)
    for device in (charger, hvac):
        await hass.services.async_call(
            DOMAIN, "create_schedule", {"device_id": device}, blocking=True
        )
    await hass.async_block_till_done()
    names = sorted(
        entry.entity_id
        for entry in er.async_entries_for_config_entry(entity_registry, setup_integration.entry_id)
        if entry.domain == "switch" and "_schedule_" in (entry.unique_id or "")
    )
    # Entity ids carry the number (newer Home Assistant releases prefix the area).
    assert len(names) == 2
    assert all(name.endswith("_schedule_1") for name in names), names
    await hass.services.async_call(DOMAIN, "delete_schedule", {"device_id": charger}, blocking=True)
    left = list(emulator.core.schedules.records.values())
    assert [record.data["targetId"] for record in left] == [HVAC]


async def test_schedule_whose_status_is_gone_does_not_fail_the_poll(
    hass: HomeAssistant, emulator: Emulator, config_entry: MockConfigEntry
) -> None:
    """Without push every poll asks each schedule's status; one deleted between the list and
    its status (404) is skipped, the poll succeeds and the devices stay available.

    Kills: that 404 failing the whole poll.
    """
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    body = {"targetType": "charger", "targetId": CHARGER, "locationId": None}
    schedule_id = emulator.core.schedules.create(
        "demo-user", {**body, "defaultShouldCharge": False, "rules": []}
    )["id"]
    emulator.add_fault(path=f"/schedules/{schedule_id}/status", status=404)
    coordinator = config_entry.runtime_data.coordinator
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert coordinator.last_update_success
    assert hass.states.get("switch.zaptec_go_charge").state != STATE_UNAVAILABLE
    statuses = [
        e.status for e in emulator.request_log if e.path == f"/schedules/{schedule_id}/status"
    ]
    assert statuses == [404]


async def test_schedule_rule_input_words(
    hass: HomeAssistant, emulator: Emulator, setup_integration: MockConfigEntry
) -> None:
    """Weekdays may be written out in any case; a time with seconds other than :00 is refused
    (it would be cut to the minute silently) and nothing reaches Enode.

    Kills: whole weekday names refused, and any seconds accepted.
    """
    device = _device(hass, setup_integration, CHARGER)
    rule = {"from": "01:00", "to": "02:00", "weekdays": ["Monday", "SUNDAY", "tue"]}
    response = await hass.services.async_call(
        DOMAIN,
        "create_schedule",
        {"device_id": device, "rules": [rule]},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    stored = emulator.core.schedules.get(str(response["schedule_id"])).data
    assert stored["rules"][0]["weekdays"] == [0, 1, 6]
    before = len(emulator.request_log)
    with pytest.raises(ServiceValidationError, match="12:30:45") as err:
        await hass.services.async_call(
            DOMAIN,
            "create_schedule",
            {"device_id": device, "rules": [{"from": "12:30:45", "to": "13:00"}]},
            blocking=True,
        )
    assert err.value.translation_key == "schedule_rule_time_invalid"
    assert not [e for e in emulator.request_log[before:] if "schedules" in e.path]


async def test_thermostat_schedule_default_changes_alone(
    hass: HomeAssistant, emulator: Emulator, setup_integration: MockConfigEntry
) -> None:
    """update_schedule on a thermostat with only a new default mode sends it; a Location and
    whether to charge are ignored there (temperature schedules have neither); a setpoint of
    `true` is refused.

    Kills: the default sent only with a heat setpoint, locationId or defaultShouldCharge sent for
    a thermostat, and
    a boolean taken as a setpoint of 1 °C.
    """
    device = _device(hass, setup_integration, HVAC)
    response = await hass.services.async_call(
        DOMAIN,
        "create_schedule",
        {"device_id": device, "default_mode": "heat", "default_heat_setpoint": 21},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    schedule_id = str(response["schedule_id"])
    await hass.services.async_call(
        DOMAIN,
        "update_schedule",
        {
            "device_id": device,
            "default_mode": "follow_schedule",
            "location_id": "elsewhere",
            "default_should_charge": True,
        },
        blocking=True,
    )
    stored = emulator.core.schedules.get(schedule_id).data
    assert stored["defaultTargetState"] == {"holdType": "SCHEDULED"}
    assert "locationId" not in stored
    assert "defaultShouldCharge" not in stored
    before = len(emulator.request_log)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "update_schedule",
            {"device_id": device, "rules": [{"mode": "heat", "heat_setpoint": True}]},
            blocking=True,
        )
    assert err.value.translation_key == "schedule_rule_setpoint_required"
    assert not [e for e in emulator.request_log[before:] if "schedules" in e.path]


async def test_schedule_state_a_newer_api_adds_is_unknown(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """A pushed schedule status with a state this version does not know: the status sensor
    shows unknown instead of failing to write (an enum sensor refuses other values).

    Kills: any state passed through to the enum sensor.
    """
    device = _device(hass, setup_integration, CHARGER)
    response = await hass.services.async_call(
        DOMAIN, "create_schedule", {"device_id": device}, blocking=True, return_response=True
    )
    assert response is not None
    schedule_id = str(response["schedule_id"])
    sensor = entity_registry.async_get_entity_id(
        "sensor", DOMAIN, f"{CHARGER}_schedule_status_{schedule_id}"
    )
    assert sensor is not None
    assert hass.states.get(sensor).state == "aligned"
    status = {**emulator.core.schedules.status(schedule_id), "state": "PAUSED:BY_NEW_FEATURE"}
    schedule = emulator.core.schedules.get(schedule_id).data
    payload = event("user:schedule:execution-updated", status=status, schedule=schedule)
    assert await post_webhook(ha_client, setup_integration, [payload]) == 200
    await hass.async_block_till_done()
    assert hass.states.get(sensor).state == STATE_UNKNOWN


async def test_tariff_edge_inputs(
    hass: HomeAssistant, emulator: Emulator, setup_integration: MockConfigEntry
) -> None:
    """A price of -0.0 (a template's rounding) is sent as Enode's "0"; an every-day interval
    that overlaps a Sunday-only one is refused, and so is a currency in lower case (it names
    the rates); nothing is sent.

    Kills: "-0" reaching Enode, touching intervals taken for an overlap when the later one is
    listed first, every-day intervals checked on six days only, and a currency matched in any
    case.
    """
    (site,) = emulator.core.pricing.locations_of(DEMO_USER)
    entry_id = setup_integration.entry_id
    await hass.services.async_call(
        DOMAIN,
        "set_tariff",
        {
            "config_entry_id": entry_id,
            "location_id": site.id,
            "intervals": [{"from": "00:00", "to": "24:00", "price": -0.0}],
        },
        blocking=True,
    )
    pricing = emulator.core.pricing
    tariff_id = pricing.location_tariff(site.id)[0]["tariffId"]
    assert [rate["cost"] for rate in pricing.get_tariff(tariff_id)] == ["0"]
    # Intervals that only touch are no overlap, in whichever order they are listed.
    await hass.services.async_call(
        DOMAIN,
        "set_tariff",
        {
            "config_entry_id": entry_id,
            "location_id": site.id,
            "intervals": [
                {"from": "07:00", "to": "24:00", "price": 0.31},
                {"from": "00:00", "to": "07:00", "price": 0.12},
            ],
        },
        blocking=True,
    )
    assert [rate["cost"] for rate in pricing.get_tariff(tariff_id)] == ["0.31", "0.12"]
    before = len(emulator.request_log)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_tariff",
            {
                "config_entry_id": entry_id,
                "location_id": site.id,
                "intervals": [
                    {"from": "00:00", "to": "07:00", "price": 0.1},
                    {"from": "06:00", "to": "08:00", "weekdays": ["sun"], "price": 0.2},
                ],
            },
            blocking=True,
        )
    assert err.value.translation_key == "tariff_intervals_overlap"
    with pytest.raises(ServiceValidationError, match="nok") as err:
        await hass.services.async_call(
            DOMAIN,
            "set_tariff",
            {
                "config_entry_id": entry_id,
                "location_id": site.id,
                "currency": "nok",
                "intervals": [{"from": "00:00", "to": "24:00", "price": 1}],
            },
            blocking=True,
        )
    assert err.value.translation_key == "tariff_invalid_currency"
    assert len(emulator.request_log) == before

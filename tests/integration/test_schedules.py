"""Schedules: the actions, the entities they create, push updates, removal, refusals."""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime
import json
from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.enode.const import DOMAIN
from enode_emulator import Emulator

from .conftest import poll_again, poll_now, rendered
from .platform_helpers import BATTERY, CHARGER, HVAC, START, asset_device, settle

ENGLISH = json.loads(
    (Path(__file__).parents[2] / "custom_components/enode/translations/en.json").read_text()
)

USER = "demo-user"
# START is a Sunday, 12:00 in Oslo (the demo Location's time zone).
CHARGE_RULE = {"from": "12:30:00", "to": "12:50", "weekdays": ["sun"], "should_charge": True}


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


def _entities(registry: er.EntityRegistry, asset_id: str, schedule_id: str) -> tuple[str, str]:
    switch = registry.async_get_entity_id("switch", DOMAIN, f"{asset_id}_schedule_{schedule_id}")
    sensor = registry.async_get_entity_id(
        "sensor", DOMAIN, f"{asset_id}_schedule_status_{schedule_id}"
    )
    assert switch is not None
    assert sensor is not None
    return switch, sensor


async def _create(hass: HomeAssistant, **data: Any) -> str:
    response = await hass.services.async_call(
        DOMAIN, "create_schedule", data, blocking=True, return_response=True
    )
    assert response is not None
    return str(response["schedule_id"])


async def test_charge_schedule_from_action_to_push(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Create → entities on the charger; the clock starts and stops charging; push updates."""
    device = _device(hass, setup_integration, CHARGER)
    schedule_id = await _create(
        hass, device_id=device, default_should_charge=False, rules=[CHARGE_RULE]
    )
    stored = emulator.core.schedules.get(schedule_id).data
    assert stored["targetType"] == "charger"
    assert stored["defaultShouldCharge"] is False
    assert stored["rules"] == [
        {"shouldCharge": True, "hourMinute": {"from": "12:30", "to": "12:50"}, "weekdays": [6]}
    ]
    await hass.async_block_till_done()
    switch, sensor = _entities(entity_registry, CHARGER, schedule_id)
    assert switch == "switch.zaptec_go_schedule_1"
    for entity in (switch, sensor):
        state = hass.states.get(entity)
        assert state is not None
        # Plain keys: Home Assistant 2026.10 uses enum members as attribute keys.
        attributes = {str(k): v for k, v in state.attributes.items() if k != "schedule_id"}
        assert state.attributes["schedule_id"] == schedule_id
        assert {"state": state.state, "attributes": attributes} == snapshot(name=entity)
    assert hass.states.get(switch).state == STATE_ON
    assert hass.states.get(sensor).state == "aligned"

    await settle(hass, emulator, 30 * 60)  # 12:30: the schedule sends START (pushed: pending)
    assert hass.states.get(sensor).state == "pending"
    await settle(hass, emulator)  # the action was confirmed
    assert emulator.asset(CHARGER)["chargeState"]["isCharging"] is True
    assert hass.states.get(sensor).state == "aligned"
    # The user cannot start or stop charging while the schedule controls the charger.
    with pytest.raises(HomeAssistantError, match=rendered("controlled_entity")) as err:
        await hass.services.async_call(
            "switch", SERVICE_TURN_OFF, {ATTR_ENTITY_ID: "switch.zaptec_go_charge"}, blocking=True
        )
    assert err.value.translation_key == "controlled_entity"

    await settle(hass, emulator, 20 * 60)  # 12:50: the window ended
    await settle(hass, emulator)
    assert emulator.asset(CHARGER)["chargeState"]["isCharging"] is False
    assert hass.states.get(sensor).state == "aligned"


async def test_switch_enables_and_disables(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """The switch is isEnabled; the status follows by push."""
    device = _device(hass, setup_integration, CHARGER)
    disabled = await _create(hass, device_id=device, enabled=False, rules=[CHARGE_RULE])
    assert emulator.core.schedules.get(disabled).data["isEnabled"] is False
    switch, sensor = _entities(entity_registry, CHARGER, disabled)
    assert hass.states.get(switch).state == STATE_OFF
    assert hass.states.get(sensor).state == "inactive_disabled"
    await hass.services.async_call(
        DOMAIN, "delete_schedule", {"device_id": device, "schedule_id": disabled}, blocking=True
    )
    schedule_id = await _create(hass, device_id=device, rules=[CHARGE_RULE])
    switch, sensor = _entities(entity_registry, CHARGER, schedule_id)
    await hass.services.async_call(
        "switch", SERVICE_TURN_OFF, {ATTR_ENTITY_ID: switch}, blocking=True
    )
    assert emulator.core.schedules.get(schedule_id).data["isEnabled"] is False
    assert hass.states.get(switch).state == STATE_OFF
    await settle(hass, emulator, 1)
    assert hass.states.get(sensor).state == "inactive_disabled"
    await hass.services.async_call(
        "switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: switch}, blocking=True
    )
    assert emulator.core.schedules.get(schedule_id).data["isEnabled"] is True
    assert hass.states.get(switch).state == STATE_ON
    await settle(hass, emulator, 1)
    assert hass.states.get(sensor).state == "aligned"


async def test_temperature_schedule_sets_the_hvac_target(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """An HVAC schedule: default follows the unit's schedule, a rule heats to 23 °C."""
    schedule_id = await _create(
        hass,
        device_id=_device(hass, setup_integration, HVAC),
        default_mode="follow_schedule",
        rules=[{"from": "12:00", "to": "12:10", "mode": "heat", "heat_setpoint": 23}],
    )
    assert emulator.core.schedules.get(schedule_id).data["rules"][0]["targetState"] == {
        "holdType": "PERMANENT",
        "mode": "HEAT",
        "heatSetpoint": 23.0,
    }
    _, sensor = _entities(entity_registry, HVAC, schedule_id)
    assert hass.states.get(sensor).state == "pending"
    await settle(hass, emulator)
    thermostat = emulator.asset(HVAC)["thermostatState"]
    assert (thermostat["holdType"], thermostat["heatSetpoint"]) == ("PERMANENT", 23.0)
    assert hass.states.get(sensor).state == "aligned"


async def test_update_and_delete(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Update changes only what is given; delete removes the entities from the registry."""
    device = _device(hass, setup_integration, CHARGER)
    schedule_id = await _create(hass, device_id=device, rules=[CHARGE_RULE])
    await hass.services.async_call(
        DOMAIN,
        "update_schedule",
        {
            "device_id": device,
            "default_should_charge": True,
            # Weekdays as names or Enode's numbers (0 = Monday); should_charge defaults to true.
            "rules": [{"from": "01:00", "to": "02:00", "weekdays": [0, "sat"]}],
        },
        blocking=True,
    )
    stored = emulator.core.schedules.get(schedule_id).data
    assert (stored["defaultShouldCharge"], stored["isEnabled"]) == (True, True)
    assert stored["rules"] == [
        {"shouldCharge": True, "hourMinute": {"from": "01:00", "to": "02:00"}, "weekdays": [0, 5]}
    ]
    switch, sensor = _entities(entity_registry, CHARGER, schedule_id)
    assert hass.states.get(sensor).state == "pending"  # it now wants charging
    await hass.services.async_call(
        DOMAIN, "delete_schedule", {"device_id": device, "schedule_id": schedule_id}, blocking=True
    )
    await hass.async_block_till_done()
    assert schedule_id not in emulator.core.schedules.records
    assert entity_registry.async_get(switch) is None
    assert entity_registry.async_get(sensor) is None
    assert hass.states.get(switch) is None


async def test_schedules_made_elsewhere_appear_and_disappear_with_the_poll(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """A schedule created or deleted in another Enode app: no reload needed."""
    body = {
        "targetType": "charger",
        "targetId": CHARGER,
        "locationId": None,
        "defaultShouldCharge": False,
        "rules": [],
    }
    first = emulator.core.schedules.create(USER, body)["id"]
    second = emulator.core.schedules.create(USER, body)["id"]
    await poll_now(hass, "switch.zaptec_go_charge")
    switch_1, sensor_1 = _entities(entity_registry, CHARGER, first)
    switch_2, _ = _entities(entity_registry, CHARGER, second)
    # Enode has no schedule names: a target's schedules are numbered in Enode's list order.
    assert {switch_1, switch_2} == {"switch.zaptec_go_schedule_1", "switch.zaptec_go_schedule_2"}
    assert hass.states.get(sensor_1).state == "aligned"  # status fetched once for a new one
    emulator.core.schedules.delete(first)
    await poll_again(hass, "switch.zaptec_go_charge")
    assert entity_registry.async_get(switch_1) is None
    assert hass.states.get(switch_2).state == STATE_ON


@pytest.mark.parametrize(
    ("asset", "data", "key", "placeholders"),
    [
        (
            CHARGER,
            {"rules": [{"from": "24:00", "to": "01:00"}]},
            "schedule_rule_time_invalid",
            {"rule": "1", "key": "from", "value": "24:00"},
        ),
        (
            CHARGER,
            {"rules": [{"from": "01:00", "to": "02:00", "weekdays": ["funday"]}]},
            "schedule_rule_weekday_invalid",
            {"rule": "1", "value": "funday"},
        ),
        (
            CHARGER,
            {"rules": [{"from": "01:00"}]},
            "schedule_rule_window_incomplete",
            {"rule": "1"},
        ),
        (
            CHARGER,
            {"rules": [{"mode": "heat"}]},
            "schedule_rule_key_invalid",
            {"rule": "1", "keys": "mode"},
        ),
        (
            CHARGER,
            {"rules": [{"should_charge": "yes"}]},
            "schedule_rule_should_charge_invalid",
            {"rule": "1"},
        ),
        (
            HVAC,
            {"default_mode": "heat"},
            "schedule_default_setpoint_required",
            {"mode": "heat", "setpoint": "heat_setpoint"},
        ),
        (
            HVAC,
            {"rules": [{"mode": "cool", "heat_setpoint": 20}]},
            "schedule_rule_setpoint_required",
            {"rule": "1", "mode": "cool", "setpoint": "cool_setpoint"},
        ),
        (
            HVAC,
            {"rules": [{"mode": "dry"}]},
            "schedule_rule_mode_invalid",
            {"rule": "1", "value": "dry"},
        ),
        (BATTERY, {}, "schedule_target_unsupported", {"device": "Huawei LUNA2000"}),
    ],
)
async def test_create_refuses_bad_input(  # noqa: PLR0917 - fixtures and parameters
    hass: HomeAssistant,
    emulator: Emulator,
    setup_integration: MockConfigEntry,
    asset: str,
    data: dict[str, Any],
    key: str,
    placeholders: dict[str, str],
) -> None:
    """Each mistake has its own translated message; nothing reaches Enode."""
    before = len(emulator.request_log)
    with pytest.raises(ServiceValidationError) as err:
        await _create(hass, device_id=_device(hass, setup_integration, asset), **data)
    assert err.value.translation_key == key
    assert err.value.translation_placeholders == placeholders
    # The whole sentence comes from the translation, every placeholder filled.
    # (Home Assistant drops the final full stop of exception messages.)
    message = ENGLISH["exceptions"][key]["message"].format(**placeholders)
    assert str(err.value) == message.rstrip(".")
    assert not [e for e in emulator.request_log[before:] if "schedules" in e.path]


async def test_unknown_device_and_schedule_choice(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """Unknown devices, ambiguous or unknown schedules, empty updates."""
    with pytest.raises(ServiceValidationError, match=rendered("schedule_device_unknown")) as err:
        await _create(hass, device_id="nope")
    assert err.value.translation_key == "schedule_device_unknown"
    assert err.value.translation_placeholders == {"device_id": "nope"}
    device = _device(hass, setup_integration, CHARGER)
    with pytest.raises(ServiceValidationError, match=rendered("schedule_id_required")) as err:
        await hass.services.async_call(
            DOMAIN, "delete_schedule", {"device_id": device}, blocking=True
        )
    assert err.value.translation_key == "schedule_id_required"
    assert err.value.translation_placeholders == {"count": "0"}
    await _create(hass, device_id=device)
    with pytest.raises(ServiceValidationError, match=rendered("schedule_not_found")) as err:
        await hass.services.async_call(
            DOMAIN, "update_schedule", {"device_id": device, "schedule_id": "x"}, blocking=True
        )
    assert err.value.translation_key == "schedule_not_found"
    assert err.value.translation_placeholders == {"schedule_id": "x"}
    with pytest.raises(ServiceValidationError, match=rendered("schedule_nothing_to_update")) as err:
        await hass.services.async_call(
            DOMAIN, "update_schedule", {"device_id": device}, blocking=True
        )
    assert err.value.translation_key == "schedule_nothing_to_update"


async def test_enode_refusals_are_translated(
    hass: HomeAssistant, emulator: Emulator, setup_integration: MockConfigEntry
) -> None:
    """Enode's 404 and 400 go through the one error mapping."""
    with pytest.raises(HomeAssistantError, match=rendered("not_found")) as err:
        await _create(
            hass,
            device_id=_device(hass, setup_integration, CHARGER),
            location_id="00000000-0000-0000-0000-000000000000",
        )
    assert err.value.translation_key == "not_found"
    detail = '"defaultTargetState.heatSetpoint" must be between 10.0 and 28.0'
    with pytest.raises(HomeAssistantError, match=rendered("bad_request", detail=detail)) as err:
        await _create(
            hass,
            device_id=_device(hass, setup_integration, HVAC),
            default_mode="heat",
            default_heat_setpoint=35,
        )
    assert err.value.translation_key == "bad_request"
    assert err.value.translation_placeholders["detail"] == (
        '"defaultTargetState.heatSetpoint" must be between 10.0 and 28.0'
    )
    assert not emulator.core.schedules.records

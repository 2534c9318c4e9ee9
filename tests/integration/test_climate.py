"""HVAC climate: modes, setpoints and ranges, holds, the follow-schedule preset, failures."""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime
from typing import Any
from unittest.mock import patch

from homeassistant.components.climate import (
    DOMAIN as CLIMATE_DOMAIN,
    SERVICE_SET_HVAC_MODE,
    SERVICE_SET_PRESET_MODE,
    SERVICE_SET_TEMPERATURE,
)
from homeassistant.components.climate.const import (
    ATTR_HVAC_ACTION,
    ATTR_HVAC_MODE,
    ATTR_PRESET_MODE,
    ATTR_TARGET_TEMP_HIGH,
    ATTR_TARGET_TEMP_LOW,
    HVACAction,
    HVACMode,
)
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_TEMPERATURE,
    STATE_UNAVAILABLE,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.translation import async_get_translations
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.enode.const import EVENT_ACTION_FAILED
from enode_emulator import Emulator

from .conftest import rendered
from .platform_helpers import HVAC, START, control_requests, entity_id, pending_actions, settle

HOLD = ("POST", f"/hvacs/{HVAC}/permanent-hold", 200)


@pytest.fixture
def emulator_start_time() -> datetime:
    """A fixed emulator clock, so the snapshot is stable."""
    return START


@pytest.fixture(autouse=True)
def only_climate() -> Generator[None]:
    """Set up only the climate platform."""
    with patch("custom_components.enode.PLATFORMS", [Platform.CLIMATE]):
        yield


@pytest.fixture
def climate(entity_registry: er.EntityRegistry, setup_integration: MockConfigEntry) -> str:
    """The heat pump's climate entity."""
    return entity_id(entity_registry, "climate", HVAC, "thermostat")


async def _call(hass: HomeAssistant, service: str, data: dict[str, Any]) -> None:
    await hass.services.async_call(CLIMATE_DOMAIN, service, data, blocking=True)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    setup_integration: MockConfigEntry,
) -> None:
    """The heat pump: modes, heat range, schedule preset."""
    await snapshot_platform(hass, entity_registry, snapshot, setup_integration.entry_id)


async def test_set_temperature_holds_pending_then_confirmed(
    hass: HomeAssistant, emulator: Emulator, climate: str
) -> None:
    """A new heat setpoint is a permanent hold; pending and confirmed it shows 22.5 and hold."""
    state = hass.states.get(climate)
    assert (state.state, state.attributes[ATTR_TEMPERATURE]) == (HVACMode.HEAT, 21.0)
    assert state.attributes[ATTR_PRESET_MODE] == "follow_schedule"
    await _call(hass, SERVICE_SET_TEMPERATURE, {ATTR_ENTITY_ID: climate, ATTR_TEMPERATURE: 22.5})
    assert control_requests(emulator) == [HOLD]
    [action] = pending_actions(emulator, HVAC)
    assert action["target"]["mode"] == "HEAT"
    assert action["target"]["heatSetpoint"] == 22.5
    state = hass.states.get(climate)
    assert state.attributes[ATTR_TEMPERATURE] == 22.5
    assert state.attributes[ATTR_PRESET_MODE] == "none"
    await settle(hass, emulator)
    thermostat = emulator.asset(HVAC)["thermostatState"]
    assert (thermostat["heatSetpoint"], thermostat["holdType"]) == (22.5, "PERMANENT")
    assert hass.states.get(climate).attributes[ATTR_TEMPERATURE] == 22.5


async def test_modes_and_range(hass: HomeAssistant, emulator: Emulator, climate: str) -> None:
    """Heat/cool sends both setpoints within the difference range; off sends mode OFF."""
    await _call(hass, SERVICE_SET_HVAC_MODE, {ATTR_ENTITY_ID: climate, ATTR_HVAC_MODE: "heat_cool"})
    [action] = pending_actions(emulator, HVAC)
    assert action["target"]["mode"] == "AUTO"
    assert action["target"]["heatSetpoint"] == 21.0
    assert action["target"]["coolSetpoint"] == 24.0
    state = hass.states.get(climate)
    assert state.state == HVACMode.HEAT_COOL
    assert (state.attributes[ATTR_TARGET_TEMP_LOW], state.attributes[ATTR_TARGET_TEMP_HIGH]) == (
        21.0,
        24.0,
    )
    await settle(hass, emulator)
    await _call(
        hass,
        SERVICE_SET_TEMPERATURE,
        {ATTR_ENTITY_ID: climate, ATTR_TARGET_TEMP_LOW: 19, ATTR_TARGET_TEMP_HIGH: 25},
    )
    [action] = pending_actions(emulator, HVAC)
    assert (action["target"]["heatSetpoint"], action["target"]["coolSetpoint"]) == (19, 25)
    await settle(hass, emulator)
    await _call(hass, SERVICE_SET_HVAC_MODE, {ATTR_ENTITY_ID: climate, ATTR_HVAC_MODE: "off"})
    [action] = pending_actions(emulator, HVAC)
    assert action["target"]["mode"] == "OFF"
    state = hass.states.get(climate)
    assert (state.state, state.attributes[ATTR_HVAC_ACTION]) == (HVACMode.OFF, HVACAction.OFF)
    assert control_requests(emulator) == [HOLD, HOLD, HOLD]


async def test_validation(hass: HomeAssistant, emulator: Emulator, climate: str) -> None:
    """Setpoints outside the ranges or too close together never reach Enode."""
    with pytest.raises(
        ServiceValidationError,
        # Home Assistant's own range check words this one.
        match=r"^Provided temperature 29\.0 is not valid\. Accepted range is 10\.0 to 28\.0$",
    ):
        await _call(hass, SERVICE_SET_TEMPERATURE, {ATTR_ENTITY_ID: climate, ATTR_TEMPERATURE: 29})
    entity = hass.data["entity_components"][CLIMATE_DOMAIN].get_entity(climate)
    with pytest.raises(ServiceValidationError, match=rendered("temperature_out_of_range")) as err:
        await entity.async_set_temperature(temperature=29)
    assert err.value.translation_key == "temperature_out_of_range"
    with pytest.raises(
        ServiceValidationError, match=rendered("setpoint_difference_out_of_range")
    ) as err:
        await entity.async_set_temperature(
            hvac_mode=HVACMode.HEAT_COOL, target_temp_low=21, target_temp_high=22
        )
    assert err.value.translation_key == "setpoint_difference_out_of_range"
    with pytest.raises(ServiceValidationError, match=rendered("temperature_range_required")) as err:
        await entity.async_set_temperature(hvac_mode=HVACMode.HEAT_COOL, target_temp_low=21)
    assert err.value.translation_key == "temperature_range_required"
    with pytest.raises(ServiceValidationError, match=rendered("temperature_not_adjustable")) as err:
        await entity.async_set_temperature(hvac_mode=HVACMode.OFF, temperature=20)
    assert err.value.translation_key == "temperature_not_adjustable"
    with pytest.raises(ServiceValidationError, match=rendered("hvac_mode_not_supported")) as err:
        await entity.async_set_hvac_mode(HVACMode.DRY)
    assert err.value.translation_key == "hvac_mode_not_supported"
    assert control_requests(emulator) == []


async def test_follow_schedule_preset(
    hass: HomeAssistant, emulator: Emulator, climate: str
) -> None:
    """Leaving the schedule sends a hold of the current state; returning sends follow-schedule."""
    await _call(hass, SERVICE_SET_PRESET_MODE, {ATTR_ENTITY_ID: climate, ATTR_PRESET_MODE: "none"})
    [action] = pending_actions(emulator, HVAC)
    assert action["target"]["mode"] == "HEAT"
    assert action["target"]["heatSetpoint"] == 21.0
    await settle(hass, emulator)
    assert emulator.asset(HVAC)["thermostatState"]["holdType"] == "PERMANENT"
    assert hass.states.get(climate).attributes[ATTR_PRESET_MODE] == "none"
    await _call(
        hass,
        SERVICE_SET_PRESET_MODE,
        {ATTR_ENTITY_ID: climate, ATTR_PRESET_MODE: "follow_schedule"},
    )
    assert control_requests(emulator) == [HOLD, ("POST", f"/hvacs/{HVAC}/follow-schedule", 200)]
    assert hass.states.get(climate).attributes[ATTR_PRESET_MODE] == "follow_schedule"
    await settle(hass, emulator)
    assert emulator.asset(HVAC)["thermostatState"]["holdType"] == "SCHEDULED"
    assert hass.states.get(climate).attributes[ATTR_PRESET_MODE] == "follow_schedule"


async def test_hvac_action_follows_is_active(
    hass: HomeAssistant, emulator: Emulator, climate: str
) -> None:
    """An active unit in HEAT is heating; an inactive one is idle."""
    assert hass.states.get(climate).attributes[ATTR_HVAC_ACTION] == HVACAction.IDLE
    emulator.patch_asset(HVAC, {"temperatureState": {"isActive": True}})
    await settle(hass, emulator, 1)
    assert hass.states.get(climate).attributes[ATTR_HVAC_ACTION] == HVACAction.HEATING


async def test_failure_schedule_control_and_lost_capability(
    hass: HomeAssistant, emulator: Emulator, climate: str
) -> None:
    """A failed hold reverts; a 422 is translated; losing setPermanentHold is unavailable."""
    events = async_capture_events(hass, EVENT_ACTION_FAILED)
    emulator.set_action_outcome(HVAC, "fail")
    await _call(hass, SERVICE_SET_TEMPERATURE, {ATTR_ENTITY_ID: climate, ATTR_TEMPERATURE: 23})
    assert hass.states.get(climate).attributes[ATTR_TEMPERATURE] == 23
    await settle(hass, emulator)
    assert hass.states.get(climate).attributes[ATTR_TEMPERATURE] == 21.0
    assert [event.data["command"] for event in events] == ["set_hvac_hold"]
    emulator.set_schedule_controlled(HVAC)
    with pytest.raises(HomeAssistantError, match=rendered("controlled_entity")) as err:
        await _call(hass, SERVICE_SET_TEMPERATURE, {ATTR_ENTITY_ID: climate, ATTR_TEMPERATURE: 23})
    assert err.value.translation_key == "controlled_entity"
    emulator.patch_asset(HVAC, {"capabilities": {"setPermanentHold": {"isCapable": False}}})
    await settle(hass, emulator, 1)
    assert hass.states.get(climate).state == STATE_UNAVAILABLE


async def test_temperature_off_its_step_is_refused_before_sending(
    hass: HomeAssistant, emulator: Emulator, climate: str
) -> None:
    """21.3 °C with a 0.5 °C step is a translated validation error; Enode receives nothing."""
    assert hass.states.get(climate).attributes["target_temp_step"] == 0.5
    with pytest.raises(ServiceValidationError, match=rendered("temperature_not_on_step")) as err:
        await _call(
            hass, SERVICE_SET_TEMPERATURE, {ATTR_ENTITY_ID: climate, ATTR_TEMPERATURE: 21.3}
        )
    assert err.value.translation_key == "temperature_not_on_step"
    assert err.value.translation_placeholders == {
        "value": "21.3",
        "min": "10",
        "max": "28",
        "step": "0.5",
    }
    assert str(err.value) == "21.3 °C is not a multiple of 0.5 °C"
    with pytest.raises(ServiceValidationError) as err:
        await _call(
            hass,
            SERVICE_SET_TEMPERATURE,
            {
                ATTR_ENTITY_ID: climate,
                ATTR_HVAC_MODE: "heat_cool",
                ATTR_TARGET_TEMP_LOW: 19,
                ATTR_TARGET_TEMP_HIGH: 24.2,
            },
        )
    assert str(err.value) == "24.2 °C is not a multiple of 0.5 °C"
    # The same helper formats the range error: whole numbers without ".0".
    entity = hass.data["entity_components"][CLIMATE_DOMAIN].get_entity(climate)
    with pytest.raises(ServiceValidationError) as err:
        await entity.async_set_temperature(temperature=29)
    assert str(err.value) == "29 °C is outside the allowed range 10 to 28 °C"
    assert control_requests(emulator) == []
    await _call(hass, SERVICE_SET_TEMPERATURE, {ATTR_ENTITY_ID: climate, ATTR_TEMPERATURE: 21.5})
    assert control_requests(emulator) == [HOLD]


@pytest.mark.parametrize(
    ("room", "active", "action"),
    [
        (18.0, True, HVACAction.HEATING),  # below the heat setpoint
        (20.2, True, HVACAction.IDLE),  # between 19 and 24 °C: neither
        (24.0, True, HVACAction.IDLE),  # at the cool setpoint: not above it
        (25.5, True, HVACAction.COOLING),  # above the cool setpoint
        (18.0, False, HVACAction.IDLE),  # Enode says the unit is not running
    ],
)
async def test_heat_cool_action_compares_the_room_with_both_setpoints(  # noqa: PLR0917
    hass: HomeAssistant,
    emulator: Emulator,
    climate: str,
    room: float,
    active: bool,
    action: HVACAction,
) -> None:
    """In heat/cool: heating below the heat setpoint, cooling above the cool one, else idle."""
    emulator.patch_asset(
        HVAC,
        {
            "thermostatState": {"mode": "AUTO", "heatSetpoint": 19.0, "coolSetpoint": 24.0},
            "temperatureState": {"currentTemperature": room, "isActive": active},
        },
    )
    await settle(hass, emulator, 1)
    state = hass.states.get(climate)
    assert state.state == HVACMode.HEAT_COOL
    assert state.attributes["current_temperature"] == room
    assert state.attributes[ATTR_HVAC_ACTION] == action


async def test_preset_names_are_short(hass: HomeAssistant, climate: str) -> None:
    """The presets read "Schedule" and "Hold", so a card keeps the entity's name visible."""
    strings = await async_get_translations(hass, "en", "entity", ["enode"])
    prefix = "component.enode.entity.climate.thermostat.state_attributes.preset_mode.state"
    assert hass.states.get(climate).attributes["preset_modes"] == ["follow_schedule", "none"]
    assert strings[f"{prefix}.follow_schedule"] == "Schedule"
    assert strings[f"{prefix}.none"] == "Hold"

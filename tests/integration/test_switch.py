"""Charging switches: snapshot, the request Enode receives, pending, confirmed, failed, refused."""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime
from unittest.mock import patch

from homeassistant.components import persistent_notification
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.enode.const import EVENT_ACTION_FAILED
from enode_emulator import Emulator

from .conftest import diagnostics, rendered
from .platform_helpers import (
    CHARGER,
    START,
    VEHICLE,
    control_requests,
    entity_id,
    pending_actions,
    settle,
)


@pytest.fixture
def emulator_start_time() -> datetime:
    """A fixed emulator clock, so the snapshot is stable."""
    return START


@pytest.fixture(autouse=True)
def only_switches() -> Generator[None]:
    """Set up only the switch platform."""
    with patch("custom_components.enode.PLATFORMS", [Platform.SWITCH]):
        yield


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    setup_integration: MockConfigEntry,
) -> None:
    """The vehicle's and the charger's charging switches."""
    await snapshot_platform(hass, entity_registry, snapshot, setup_integration.entry_id)


async def _turn(hass: HomeAssistant, entity: str, service: str) -> None:
    await hass.services.async_call(SWITCH_DOMAIN, service, {ATTR_ENTITY_ID: entity}, blocking=True)


async def test_start_charging_pending_then_confirmed(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Turning on sends START; the switch shows on at once and stays on once Enode confirms."""
    switch = entity_id(entity_registry, "switch", VEHICLE, "charging")
    assert hass.states.get(switch).state == STATE_OFF
    await _turn(hass, switch, SERVICE_TURN_ON)
    assert control_requests(emulator) == [("POST", f"/vehicles/{VEHICLE}/charging", 200)]
    [action] = pending_actions(emulator, VEHICLE)
    assert action["kind"] == "START"
    # Pending: Enode still reports not charging, Home Assistant shows the request.
    assert emulator.asset(VEHICLE)["chargeState"]["isCharging"] is False
    assert hass.states.get(switch).state == STATE_ON
    await settle(hass, emulator)
    assert not pending_actions(emulator, VEHICLE)
    assert emulator.asset(VEHICLE)["chargeState"]["isCharging"] is True
    [vehicle] = [
        asset
        for alias, asset in (await diagnostics(hass, setup_integration))["assets"].items()
        if alias.startswith("vehicle_")
    ]
    assert vehicle["chargeState"]["isCharging"] is True  # Home Assistant holds Enode's data
    assert hass.states.get(switch).state == STATE_ON


async def test_stop_charging_on_the_charger(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Stopping a stopped charger is refused by Enode (400); stopping a charging one sends STOP."""
    switch = entity_id(entity_registry, "switch", CHARGER, "charging")
    with pytest.raises(HomeAssistantError, match=rendered("bad_request")) as err:
        await _turn(hass, switch, SERVICE_TURN_OFF)
    assert err.value.translation_key == "bad_request"
    await _turn(hass, switch, SERVICE_TURN_ON)
    await settle(hass, emulator)
    assert hass.states.get(switch).state == STATE_ON
    await _turn(hass, switch, SERVICE_TURN_OFF)
    assert control_requests(emulator) == [
        ("POST", f"/chargers/{CHARGER}/charging", 400),
        ("POST", f"/chargers/{CHARGER}/charging", 200),
        ("POST", f"/chargers/{CHARGER}/charging", 200),
    ]
    [action] = pending_actions(emulator, CHARGER)
    assert action["kind"] == "STOP"
    assert hass.states.get(switch).state == STATE_OFF
    await settle(hass, emulator)
    assert emulator.asset(CHARGER)["chargeState"]["isCharging"] is False
    assert hass.states.get(switch).state == STATE_OFF


async def test_failed_action_returns_to_real_state_and_notifies(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """A FAILED action: the switch goes back to off, a notification and an event say why."""
    assert await async_setup_component(hass, "persistent_notification", {})
    events = async_capture_events(hass, EVENT_ACTION_FAILED)
    switch = entity_id(entity_registry, "switch", VEHICLE, "charging")
    emulator.set_action_outcome(VEHICLE, "fail")
    await _turn(hass, switch, SERVICE_TURN_ON)
    assert hass.states.get(switch).state == STATE_ON
    await settle(hass, emulator)
    assert hass.states.get(switch).state == STATE_OFF
    assert len(events) == 1
    assert events[0].data["command"] == "start_charging"
    assert events[0].data["asset_id"] == VEHICLE
    messages = [
        n["message"]
        for n in persistent_notification._async_get_or_create_notifications(hass).values()
    ]
    # One sentence each: Enode's detail ends with its own period, no "(...)." around it.
    assert messages == [
        "My Model 3: Start charging did not succeed. The device did not respond in time."
    ]


async def test_schedule_controlled_is_a_translated_error(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Enode answers 422 when a schedule controls the charger: a translated error, no overlay."""
    switch = entity_id(entity_registry, "switch", CHARGER, "charging")
    emulator.set_schedule_controlled(CHARGER)
    with pytest.raises(HomeAssistantError, match=rendered("controlled_entity")) as err:
        await _turn(hass, switch, SERVICE_TURN_ON)
    assert err.value.translation_key == "controlled_entity"
    assert control_requests(emulator) == [("POST", f"/chargers/{CHARGER}/charging", 422)]
    assert hass.states.get(switch).state == STATE_OFF


async def test_capability_lost_makes_switch_unavailable(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """When Enode reports the charger can no longer start charging, the switch is unavailable."""
    switch = entity_id(entity_registry, "switch", CHARGER, "charging")
    emulator.patch_asset(CHARGER, {"capabilities": {"startCharging": {"isCapable": False}}})
    await settle(hass, emulator, 1)
    assert hass.states.get(switch).state == STATE_UNAVAILABLE
    emulator.patch_asset(CHARGER, {"chargeState": {"isPluggedIn": False}})
    await settle(hass, emulator, 1)
    # Once per control that needs the capability (Charge and Charge now), not once per update.
    assert caplog.text.count("no longer capable of startCharging") == 2
    emulator.patch_asset(CHARGER, {"capabilities": {"startCharging": {"isCapable": True}}})
    await settle(hass, emulator, 1)
    assert hass.states.get(switch).state == STATE_OFF


async def test_charge_switch_is_named_apart_from_the_charging_state(
    hass: HomeAssistant,
    ha_client: object,
    entity_registry: er.EntityRegistry,
    config_entry: MockConfigEntry,
) -> None:
    """The control reads "Charge"; an entity registered as "..._charging" keeps its id."""
    existing = entity_registry.async_get_or_create(
        "switch",
        "enode",
        f"{VEHICLE}_charging",
        suggested_object_id="my_model_3_charging",
        config_entry=config_entry,
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert entity_id(entity_registry, "switch", VEHICLE, "charging") == existing.entity_id
    assert existing.entity_id == "switch.my_model_3_charging"
    assert hass.states.get(existing.entity_id).attributes["friendly_name"] == "My Model 3 Charge"
    charger = entity_id(entity_registry, "switch", CHARGER, "charging")
    assert charger == "switch.zaptec_go_charge"
    assert entity_registry.async_get(charger).translation_key == "charging"
    assert hass.states.get(charger).attributes["friendly_name"] == "Zaptec Go Charge"
    assert sorted(
        entry.unique_id
        for entry in er.async_entries_for_config_entry(entity_registry, config_entry.entry_id)
    ) == sorted(
        [
            f"{VEHICLE}_charging",
            f"{CHARGER}_charging",
            f"{VEHICLE}_smart_charging",
            f"{VEHICLE}_charge_now",
            f"{CHARGER}_charge_now",
        ]
    )  # no orphan, no duplicate

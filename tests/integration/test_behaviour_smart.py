"""Smart charging behaviour that must hold whatever the machinery looks like (issue 25).

Driven through service calls against the emulator's smart charging engine; what the engine never
sends (an ended override it still reports, a status that ended before its plan object says so)
is fed as the pushed `user:vehicle:smart-charging-status-updated` event Enode would send, built
from the engine's own last status.
"""

from __future__ import annotations

from collections.abc import Generator
import copy
from datetime import datetime, time, timedelta
from typing import Any
from unittest.mock import patch

from aiohttp.test_utils import TestClient
from homeassistant.components.number import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.components.time import ATTR_TIME, SERVICE_SET_VALUE as SERVICE_SET_TIME
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from enode_emulator import Emulator

from .conftest import post_webhook
from .platform_helpers import CHARGER, START, VEHICLE, entity_id, pending_actions, settle

POLICY = f"/vehicles/{VEHICLE}/smart-charging-policy"
STATUS_EVENT = "user:vehicle:smart-charging-status-updated"


@pytest.fixture
def emulator_start_time() -> datetime:
    """12:00 in Oslo: a plan made now starts in the night's cheapest hours."""
    return START


@pytest.fixture(autouse=True)
def smart_platforms() -> Generator[None]:
    """Only the platforms these tests read (faster setup)."""
    with patch(
        "custom_components.enode.PLATFORMS",
        [Platform.NUMBER, Platform.SENSOR, Platform.SWITCH, Platform.TIME],
    ):
        yield


async def _call(hass: HomeAssistant, domain: str, service: str, entity: str, **data: Any) -> None:
    await hass.services.async_call(domain, service, {ATTR_ENTITY_ID: entity, **data}, blocking=True)


def _requests(emulator: Emulator, method: str, path: str) -> list[int]:
    return [e.status for e in emulator.request_log if (e.method, e.path) == (method, path)]


def _last_status(emulator: Emulator) -> dict[str, Any]:
    """The last status event the engine sent for the demo vehicle (a copy)."""
    sent = [
        e
        for e in emulator.events
        if e["event"] == STATUS_EVENT and e["smartChargingStatus"]["vehicleId"] == VEHICLE
    ]
    return copy.deepcopy(sent[-1])


def _later(emulator: Emulator, minutes: int = 1) -> str:
    return (emulator.clock.now() + timedelta(minutes=minutes)).isoformat()


async def test_minimum_equal_to_the_charge_limit_is_sent(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """A minimum charge level equal to the charge limit (80 %) is valid: Enode stores it."""
    minimum = entity_id(entity_registry, "number", VEHICLE, "minimum_charge_level")
    assert emulator.asset(VEHICLE)["chargeState"]["chargeLimit"] == 80
    await _call(hass, "number", SERVICE_SET_VALUE, minimum, **{ATTR_VALUE: 80})
    assert _requests(emulator, "PUT", POLICY) == [200]
    assert emulator.asset(VEHICLE)["smartChargingPolicy"]["minimumChargeLimit"] == 80
    assert hass.states.get(minimum).state == "80"


async def test_pending_charge_now_leaves_the_charging_switch_as_reported(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Charge now's charge action is pending: Charge now shows on, Charging stays off."""
    charging = entity_id(entity_registry, "switch", VEHICLE, "charging")
    charge_now = entity_id(entity_registry, "switch", VEHICLE, "charge_now")
    assert hass.states.get(charging).state == STATE_OFF
    await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, charge_now)
    assert [a["kind"] for a in pending_actions(emulator, VEHICLE)] == ["START"]
    assert hass.states.get(charge_now).state == STATE_ON
    assert hass.states.get(charging).state == STATE_OFF  # the vehicle does not charge yet
    await settle(hass, emulator)
    assert hass.states.get(charging).state == STATE_ON  # now it reports charging


async def test_charge_now_keeps_a_pending_stop(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Stop charging is pending (the charger still reports charging), then Charge now: the
    charging switch keeps showing the requested stop, not the charger's report nor Charge now."""
    # Chargers answer smart override in the 2024-01-01 API only (the emulator follows 2024-10-01 by
    # default); the overlay rule under test is the same for any Charge now.
    emulator.config.charger_smart_override = True
    charging = entity_id(entity_registry, "switch", CHARGER, "charging")
    charge_now = entity_id(entity_registry, "switch", CHARGER, "charge_now")
    await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, charging)
    await settle(hass, emulator)
    assert hass.states.get(charging).state == STATE_ON
    # Enode carries the stop out, but its webhook deliveries are held back for an hour:
    # Home Assistant still has the charger charging and the stop pending.
    emulator.add_webhook_fault("delay", count=1, delay=3600)
    await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_OFF, charging)
    await emulator.advance(21)
    await hass.async_block_till_done()
    assert emulator.asset(CHARGER)["chargeState"]["isCharging"] is False
    assert hass.states.get(charging).state == STATE_OFF
    await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, charge_now)
    assert [a["kind"] for a in pending_actions(emulator, CHARGER)] == ["START"]
    assert hass.states.get(charge_now).state == STATE_ON
    assert hass.states.get(charging).state == STATE_OFF


async def test_pushed_status_with_an_ended_override_turns_charge_now_off(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Enode's status still carries the override, now with endedAt: Charge now is off."""
    charge_now = entity_id(entity_registry, "switch", VEHICLE, "charge_now")
    await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, charge_now)
    await settle(hass, emulator)
    assert hass.states.get(charge_now).state == STATE_ON
    pushed = _last_status(emulator)
    status = pushed["smartChargingStatus"]
    assert status["smartOverride"]["endedAt"] is None  # the engine's status: active
    status["updatedAt"] = _later(emulator, 2)
    status["smartOverride"]["endedAt"] = _later(emulator, 1)
    pushed["updatedFields"] = ["smartOverride"]
    assert await post_webhook(ha_client, setup_integration, [pushed]) == 200
    await hass.async_block_till_done()
    assert hass.states.get(charge_now).state == STATE_OFF


async def test_planned_start_and_finish_are_unknown_once_the_plan_ended(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Unplugged during a plan (PLAN:ENDED:UNPLUGGED): no start or finish ahead any more,
    also when the status says so before its plan object does."""
    start = entity_id(entity_registry, "sensor", VEHICLE, "planned_start")
    finish = entity_id(entity_registry, "sensor", VEHICLE, "estimated_finish")
    state = entity_id(entity_registry, "sensor", VEHICLE, "smart_charging_state")
    ready_by = entity_id(entity_registry, "time", VEHICLE, "ready_by")
    await _call(hass, "time", SERVICE_SET_TIME, ready_by, **{ATTR_TIME: time(7, 0)})
    await _call(
        hass,
        SWITCH_DOMAIN,
        SERVICE_TURN_ON,
        entity_id(entity_registry, "switch", VEHICLE, "smart_charging"),
    )
    await settle(hass, emulator, 1)
    executing = _last_status(emulator)
    assert hass.states.get(start).state == "2025-06-02T00:00:00+00:00"
    assert hass.states.get(finish).state == "2025-06-02T02:00:00+00:00"
    emulator.plug_vehicle(VEHICLE, False)
    await settle(hass, emulator, 1)
    assert hass.states.get(state).state == "plan_ended_unplugged"
    assert hass.states.get(start).state == STATE_UNKNOWN
    assert hass.states.get(finish).state == STATE_UNKNOWN
    # The state ended while the plan object (endedAt, finalState) has not caught up.
    status = executing["smartChargingStatus"]
    assert status["plan"]["endedAt"] is None
    status.update(
        state="PLAN:ENDED:UNPLUGGED", stateChangedAt=_later(emulator), updatedAt=_later(emulator)
    )
    executing["updatedFields"] = ["state"]
    assert await post_webhook(ha_client, setup_integration, [executing]) == 200
    await hass.async_block_till_done()
    assert hass.states.get(state).state == "plan_ended_unplugged"
    assert hass.states.get(start).state == STATE_UNKNOWN
    assert hass.states.get(finish).state == STATE_UNKNOWN

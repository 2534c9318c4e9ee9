"""Every command ends confirmed or with a visible failure: push, polling and timeout paths."""

from __future__ import annotations

import copy
from datetime import timedelta
import re
from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.climate import (
    ATTR_PRESET_MODE,
    DOMAIN as CLIMATE_DOMAIN,
    SERVICE_SET_TEMPERATURE,
)
from homeassistant.components.number import ATTR_VALUE, DOMAIN as NUMBER_DOMAIN, SERVICE_SET_VALUE
from homeassistant.components.select import (
    ATTR_OPTION,
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_TEMPERATURE,
    EVENT_STATE_CHANGED,
    SERVICE_TURN_ON,
)
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.enode.const import CONFIRMED_HOLD, EVENT_ACTION_FAILED
from enode_emulator import Emulator

from .conftest import (
    CHARGER,
    CHARGER_SWITCH,
    event,
    notifications,
    pending_commands,
    post_webhook,
    push_healthy,
    setup_without_push,
    start_charging,
    tick,
)
from .platform_helpers import BATTERY, HVAC, control_requests, entity_id


@pytest.fixture
def enode_client_options() -> dict[str, Any]:
    """Retry GETs without sleeping (a failing fetch retries)."""
    return {"retry_base_delay": 0}


def charger_charging(emulator: Emulator) -> bool:
    """Whether Enode says the demo charger is charging."""
    return bool(emulator.asset(CHARGER)["chargeState"]["isCharging"])


SWITCH = CHARGER_SWITCH
POWER_DELIVERY = "sensor.zaptec_go_power_delivery"


def action_polls(emulator: Emulator, action_id: str) -> int:
    """GET requests for one action."""
    return sum(1 for e in emulator.request_log if e.path == f"/chargers/actions/{action_id}")


async def test_confirmed_by_push(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """While pending the requested value shows; the webhook confirms; no action polling."""
    action_id = await start_charging(hass, emulator)
    # The requested value shows while Enode still says not charging.
    assert hass.states.get(SWITCH).state == "on"
    assert not charger_charging(emulator)
    assert await pending_commands(hass, setup_integration) == ["start_charging"]
    # Home Assistant's clock passes the first poll times: push is healthy, so nothing is polled.
    for seconds in (6, 16, 36, 76):
        fire_timers(hass, seconds)
        await hass.async_block_till_done()
    assert await push_healthy(hass, setup_integration)
    assert action_polls(emulator, action_id) == 0
    assert await pending_commands(hass, setup_integration) == ["start_charging"]
    start = len(emulator.request_log)
    await emulator.advance(25)
    await hass.async_block_till_done()
    assert await pending_commands(hass, setup_integration) == []
    # The pushed charger data says charging: the switch and the power delivery show it.
    assert charger_charging(emulator)
    assert hass.states.get(SWITCH).state == "on"
    assert hass.states.get(POWER_DELIVERY).state == "plugged_in_charging"
    assert action_polls(emulator, action_id) == 0
    # With push healthy the webhook brought the new state: no GET of the asset.
    assert asset_gets(emulator, start) == 0


async def test_failure_is_visible(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """A FAILED action drops the overlay, notifies the user and fires an event."""
    assert await async_setup_component(hass, "persistent_notification", {})
    events = async_capture_events(hass, EVENT_ACTION_FAILED)
    emulator.set_action_outcome(
        CHARGER, {"state": "FAILED", "failureType": "NO_RESPONSE", "failureDetail": "Offline"}
    )
    action_id = await start_charging(hass, emulator)
    await emulator.advance(25)
    await hass.async_block_till_done()
    assert await pending_commands(hass, setup_integration) == []
    assert hass.states.get(SWITCH).state == "off"
    assert len(events) == 1
    assert events[0].data["action_id"] == action_id
    assert events[0].data["command"] == "start_charging"
    assert events[0].data["state"] == "FAILED"
    assert events[0].data["device_id"]
    shown = notifications(hass)[f"enode_action_{action_id}"]
    assert shown["title"] == "Enode command failed"
    assert shown["message"].startswith("Zaptec Go: Start charging did not succeed")
    assert events[0].data["failure_reason"] == "NO_RESPONSE"
    assert events[0].data["failure_detail"] in shown["message"]


def fire_timers(hass: HomeAssistant, seconds: float) -> None:
    """Run Home Assistant timers due within `seconds` (the loop clock itself does not move)."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))


def asset_gets(emulator: Emulator, start: int = 0) -> int:
    """GET requests of the demo charger itself (not of its list)."""
    return sum(
        1
        for e in emulator.request_log[start:]
        if (e.method, e.path) == ("GET", f"/chargers/{CHARGER}")
    )


async def test_polled_without_push(
    hass: HomeAssistant,
    emulator: Emulator,
    config_entry: MockConfigEntry,
) -> None:
    """Without push the action is polled with backoff; CONFIRMED fetches the asset once."""
    await setup_without_push(hass, config_entry)
    action_id = await start_charging(hass, emulator)
    fire_timers(hass, 6)
    await hass.async_block_till_done()
    assert action_polls(emulator, action_id) == 1
    assert await pending_commands(hass, config_entry) == ["start_charging"]
    assert hass.states.get(SWITCH).state == "on"
    assert asset_gets(emulator) == 0
    await emulator.advance(25)
    fire_timers(hass, 11)
    await hass.async_block_till_done()
    assert action_polls(emulator, action_id) == 2
    # Confirmed: one GET of the charger brings the new state, which ends the overlay.
    assert asset_gets(emulator) == 1
    assert await pending_commands(hass, config_entry) == []
    assert hass.states.get(SWITCH).state == "on"
    assert hass.states.get(POWER_DELIVERY).state == "plugged_in_charging"


def record_states(hass: HomeAssistant, entity_ids: tuple[str, ...]) -> dict[str, list[str]]:
    """Every state each entity takes from now on (state_changed events)."""
    seen: dict[str, list[str]] = {entity_id: [] for entity_id in entity_ids}

    @callback
    def _changed(event: Event[EventStateChangedData]) -> None:
        entity_id = event.data["entity_id"]
        new = event.data["new_state"]
        if entity_id in seen and new is not None:
            seen[entity_id].append(new.state)

    hass.bus.async_listen(EVENT_STATE_CHANGED, _changed)
    return seen


async def test_switch_never_flips_back_without_push(
    hass: HomeAssistant,
    emulator: Emulator,
    config_entry: MockConfigEntry,
) -> None:
    """Push down: on at once, never off again; the power delivery state follows the confirmation."""
    await setup_without_push(hass, config_entry)
    assert hass.states.get(SWITCH).state == "off"
    seen = record_states(hass, (SWITCH, POWER_DELIVERY))
    start = len(emulator.request_log)
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: SWITCH}, blocking=True
    )
    assert seen[SWITCH] == ["on"]
    await emulator.advance(25)  # Enode confirms (the emulator's action delay is 20 s)
    # The action polls at 5 and 15 s: the second sees CONFIRMED and fetches the charger.
    for seconds in (6, 16):
        fire_timers(hass, seconds)
        await hass.async_block_till_done()
    assert asset_gets(emulator, start) == 1
    assert seen[POWER_DELIVERY] == ["plugged_in_charging"]
    assert await pending_commands(hass, config_entry) == []
    # Half an hour of polls and expired holds later, the switch never showed off again.
    for minutes in range(1, 31):
        fire_timers(hass, minutes * 60)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert seen[SWITCH] == ["on"]
    assert hass.states.get(SWITCH).state == "on"
    assert asset_gets(emulator, start) == 1


async def test_late_vendor_data_is_held_then_fetched_again(
    hass: HomeAssistant,
    emulator: Emulator,
    config_entry: MockConfigEntry,
) -> None:
    """Push down, the vendor reports late: the requested value stays, one more GET, then truth."""
    await setup_without_push(hass, config_entry)
    seen = record_states(hass, (SWITCH,))
    start = len(emulator.request_log)
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: SWITCH}, blocking=True
    )
    await emulator.advance(25)
    # Enode confirmed, but the charger's newer data still says it is not charging.
    stored = emulator.core.store.find_asset(CHARGER).data
    later = (dt_util.utcnow() + timedelta(minutes=1)).isoformat()
    stored["lastSeen"] = later
    stored["chargeState"].update(isCharging=False, lastUpdated=later)
    for seconds in (6, 16):
        fire_timers(hass, seconds)
        await hass.async_block_till_done()
    assert asset_gets(emulator, start) == 1
    assert hass.states.get(SWITCH).state == "on"  # held: the data does not agree yet
    fire_timers(hass, (CONFIRMED_HOLD - timedelta(minutes=1)).total_seconds())
    await hass.async_block_till_done()
    assert hass.states.get(SWITCH).state == "on"
    fire_timers(hass, (CONFIRMED_HOLD + timedelta(minutes=1)).total_seconds())
    await hass.async_block_till_done()
    # The bound passed: one more GET, and Enode's data is shown as it is.
    assert asset_gets(emulator, start) == 2
    assert await pending_commands(hass, config_entry) == []
    assert seen[SWITCH] == ["on", "off"]


async def test_no_answer_times_out_visibly(
    hass: HomeAssistant,
    emulator: Emulator,
    config_entry: MockConfigEntry,
) -> None:
    """An action Enode never settles ends after about ten minutes with a notification."""
    assert await async_setup_component(hass, "persistent_notification", {})
    await setup_without_push(hass, config_entry)
    events = async_capture_events(hass, EVENT_ACTION_FAILED)
    action_id = await start_charging(hass, emulator)
    for _ in range(20):
        fire_timers(hass, 61)
        await hass.async_block_till_done()
    assert [e.data["state"] for e in events] == ["TIMEOUT"]
    assert "within 10 minutes" in notifications(hass)[f"enode_action_{action_id}"]["message"]
    assert await pending_commands(hass, config_entry) == []
    assert hass.states.get(SWITCH).state == "off"
    # Backoff 10 s, 20 s, 40 s, then every 60 s: about a dozen polls in ten minutes.
    assert 8 <= action_polls(emulator, action_id) <= 14


async def test_newer_command_replaces_overlay(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """A second command on the same value replaces the first one's overlay."""
    number = "number.zaptec_go_max_current"
    for amps in (10, 12):
        await hass.services.async_call(
            NUMBER_DOMAIN,
            SERVICE_SET_VALUE,
            {ATTR_ENTITY_ID: number, ATTR_VALUE: amps},
            blocking=True,
        )
    assert len([r for r in control_requests(emulator) if CHARGER in r[1]]) == 2
    assert hass.states.get(number).state == "12"
    assert await pending_commands(hass, setup_integration) == ["set_max_current"]


SYNC_FAILURES = {
    "503": ("server_error", "Enode had a problem: {error}"),
    "422": (
        "controlled_entity",
        (
            "The device is controlled by smart charging or a schedule in Enode. Turn on "
            '"Charge now" to charge anyway, or turn off smart charging or the schedule, then try '
            "again"
        ),
    ),
    "timeout": ("cannot_connect", "Could not reach Enode: {error}"),
}


@pytest.mark.parametrize(
    ("fault", "enode_client_options"),
    [("503", {}), ("422", {}), ("timeout", {"request_timeout": 0.2})],
    ids=list(SYNC_FAILURES),
)
async def test_synchronous_failure_fires_the_event(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_integration: MockConfigEntry,
    fault: str,
) -> None:
    """A command Enode refuses at once raises the translated error and fires the event."""
    assert await async_setup_component(hass, "persistent_notification", {})
    events = async_capture_events(hass, EVENT_ACTION_FAILED)
    key, message = SYNC_FAILURES[fault]
    switch = "switch.zaptec_go_charge"
    if fault == "503":
        emulator.add_fault(path=f"/chargers/{CHARGER}/charging", status=503, count=1)
    elif fault == "422":
        emulator.set_schedule_controlled(CHARGER)
    else:  # the client waits 0.2 s (enode_client_options)
        emulator.add_fault(path=f"/chargers/{CHARGER}/charging", latency=1.0, count=1)
    pattern = re.escape(message).replace(re.escape("{error}"), ".+")
    with pytest.raises(HomeAssistantError, match=f"^{pattern}$") as err:
        await hass.services.async_call(
            SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: switch}, blocking=True
        )
    await hass.async_block_till_done()
    placeholders = err.value.translation_placeholders or {}
    expected = message.format(**placeholders)
    assert err.value.translation_key == key
    assert str(err.value) == expected
    if fault != "422":
        assert placeholders["error"]
    assert len(events) == 1
    data = events[0].data
    assert data["state"] == "ERROR"
    assert data["reason"] == expected
    assert data["failure_reason"] == key
    assert (data["command"], data["asset_id"], data["action_id"]) == (
        "start_charging",
        CHARGER,
        None,
    )
    assert data["device_id"]
    # The caller saw the error already: no notification for it.
    assert not [n for n in notifications(hass) if n.startswith("enode_action")]
    assert hass.states.get(switch).state == "off"


async def test_asynchronous_failure_event_carries_the_reason(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_integration: MockConfigEntry,
) -> None:
    """A FAILED action's event has the same `reason` the notification shows."""
    assert await async_setup_component(hass, "persistent_notification", {})
    events = async_capture_events(hass, EVENT_ACTION_FAILED)
    emulator.set_action_outcome(
        CHARGER, {"state": "FAILED", "failureType": "NO_RESPONSE", "failureDetail": "Offline"}
    )
    switch = "switch.zaptec_go_charge"
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: switch}, blocking=True
    )
    await emulator.advance(25)
    await hass.async_block_till_done()
    [failed] = events
    assert failed.data["state"] == "FAILED"
    detail = failed.data["failure_detail"]
    assert detail
    assert failed.data["reason"] == detail
    shown = notifications(hass)[f"enode_action_{failed.data['action_id']}"]
    assert shown["message"] == f"Zaptec Go: Start charging did not succeed. {detail}"


async def test_asset_update_before_the_confirmation(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """Asset data newer than the confirmation arrived first: the real state shows at once."""
    switch = "switch.zaptec_go_charge"
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: switch}, blocking=True
    )
    assert hass.states.get(switch).state == "on"  # the requested value while pending
    [action] = [a for a in emulator.core.actions.actions.values() if a.asset_id == CHARGER]
    confirmed = dt_util.utcnow()
    vendor_action = {
        **action.data,
        "state": "CONFIRMED",
        "completedAt": confirmed.isoformat(),
        "updatedAt": confirmed.isoformat(),
    }
    # The charger reports, after the confirmation, that it is not charging after all.
    later = (confirmed + timedelta(seconds=1)).isoformat()
    charger = copy.deepcopy(emulator.asset(CHARGER))
    charger["lastSeen"] = later
    charger["chargeState"].update(isCharging=False, lastUpdated=later)
    payload = [
        event("user:charger:updated", charger),
        event("user:vendor-action:updated", vendorAction=vendor_action, updatedFields=["state"]),
    ]
    assert await post_webhook(ha_client, setup_integration, payload) == 200
    await hass.async_block_till_done()
    assert hass.states.get(switch).state == "off"


async def test_hold_with_push_ends_without_a_request(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,  # before the setup: its timers run on the frozen clock
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """Push healthy, confirmed, but the device never reports: the overlay ends, no GET."""
    action_id = await start_charging(hass, emulator)
    [action] = [a for a in emulator.core.actions.actions.values() if a.data["id"] == action_id]
    confirmed = (dt_util.utcnow() + timedelta(days=1)).isoformat()
    vendor_action = {**action.data, "state": "CONFIRMED", "completedAt": confirmed}
    payload = [event("user:vendor-action:updated", vendorAction=vendor_action)]
    start = len(emulator.request_log)
    assert await post_webhook(ha_client, setup_integration, payload) == 200
    assert await pending_commands(hass, setup_integration) == ["start_charging"]
    assert hass.states.get(SWITCH).state == "on"  # held: the data does not agree yet
    # Heartbeats every 5 minutes keep push healthy while the hold runs out.
    held = timedelta(0)
    while held <= CONFIRMED_HOLD:
        await tick(hass, freezer, timedelta(minutes=5))
        held += timedelta(minutes=5)
        heartbeat = [event("system:heartbeat", pendingEvents=0)]
        assert await post_webhook(ha_client, setup_integration, heartbeat) == 200
        assert await push_healthy(hass, setup_integration)
    assert await pending_commands(hass, setup_integration) == []
    assert hass.states.get(SWITCH).state == "off"  # Enode's data, as it is
    assert asset_gets(emulator, start) == 0


async def test_a_failed_fetch_keeps_the_requested_value(
    hass: HomeAssistant,
    emulator: Emulator,
    config_entry: MockConfigEntry,
) -> None:
    """Push down and the GET of the device fails: the switch stays on (no flip-back)."""
    await setup_without_push(hass, config_entry)
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: SWITCH}, blocking=True
    )
    await emulator.advance(25)
    emulator.add_fault(path=f"/chargers/{CHARGER}", status=500, count=1)
    for seconds in (6, 16):
        fire_timers(hass, seconds)
        await hass.async_block_till_done()
    assert asset_gets(emulator) == 1
    assert hass.states.get(SWITCH).state == "on"
    assert await pending_commands(hass, config_entry) == ["start_charging"]


async def test_late_vendor_data_holds_a_number_too(
    hass: HomeAssistant,
    emulator: Emulator,
    config_entry: MockConfigEntry,
) -> None:
    """Push down: a new maximum current stays shown while newer data still has the old one."""
    await setup_without_push(hass, config_entry)
    number = "number.zaptec_go_max_current"
    old = hass.states.get(number).state
    target = 10 if old != "10" else 12
    seen = record_states(hass, (number,))
    start = len(emulator.request_log)
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: number, ATTR_VALUE: target},
        blocking=True,
    )
    await emulator.advance(25)
    # Enode confirmed, but the charger's newer data still has the old limit.
    stored = emulator.core.store.find_asset(CHARGER).data
    later = (dt_util.utcnow() + timedelta(minutes=1)).isoformat()
    stored["lastSeen"] = later
    stored["chargeState"].update(maxCurrent=float(old), lastUpdated=later)
    for seconds in (6, 16):
        fire_timers(hass, seconds)
        await hass.async_block_till_done()
    assert asset_gets(emulator, start) == 1
    assert hass.states.get(number).state == str(target)  # held: the data does not agree
    fire_timers(hass, (CONFIRMED_HOLD + timedelta(minutes=1)).total_seconds())
    await hass.async_block_till_done()
    assert asset_gets(emulator, start) == 2
    assert seen[number] == [str(target), old]


async def test_late_vendor_data_holds_a_select_too(
    hass: HomeAssistant,
    emulator: Emulator,
    config_entry: MockConfigEntry,
) -> None:
    """Push down: a new battery mode stays shown while newer data still has the old one."""
    await setup_without_push(hass, config_entry)
    select = "select.huawei_luna2000_operation_mode"
    assert hass.states.get(select).state == "self_reliance"
    seen = record_states(hass, (select,))
    start = len(emulator.request_log)
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: select, ATTR_OPTION: "time_of_use"},
        blocking=True,
    )
    await emulator.advance(25)
    # Enode confirmed, but the battery's newer data still has the old mode.
    stored = emulator.core.store.find_asset(BATTERY).data
    later = (dt_util.utcnow() + timedelta(minutes=1)).isoformat()
    stored["lastSeen"] = later
    stored["config"].update(operationMode="SELF_RELIANCE", lastUpdated=later)
    for seconds in (6, 16):
        fire_timers(hass, seconds)
        await hass.async_block_till_done()
    battery_gets = [
        e
        for e in emulator.request_log[start:]
        if (e.method, e.path) == ("GET", f"/batteries/{BATTERY}")
    ]
    assert len(battery_gets) == 1
    assert hass.states.get(select).state == "time_of_use"  # held: the data does not agree
    fire_timers(hass, (CONFIRMED_HOLD + timedelta(minutes=1)).total_seconds())
    await hass.async_block_till_done()
    assert seen[select] == ["time_of_use", "self_reliance"]


async def test_late_vendor_data_holds_a_thermostat_too(
    hass: HomeAssistant,
    emulator: Emulator,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Push down: a new setpoint stays shown while newer data still has the old schedule."""
    await setup_without_push(hass, config_entry)
    climate = entity_id(entity_registry, "climate", HVAC, "thermostat")
    await hass.services.async_call(
        CLIMATE_DOMAIN,
        SERVICE_SET_TEMPERATURE,
        {ATTR_ENTITY_ID: climate, ATTR_TEMPERATURE: 23.5},
        blocking=True,
    )
    await emulator.advance(25)
    # Enode confirmed, but the unit's newer data still follows its schedule at 21 °C.
    stored = emulator.core.store.find_asset(HVAC).data
    later = (dt_util.utcnow() + timedelta(minutes=1)).isoformat()
    stored["lastSeen"] = later
    stored["thermostatState"].update(heatSetpoint=21.0, holdType="SCHEDULED", lastUpdated=later)
    for seconds in (6, 16):
        fire_timers(hass, seconds)
        await hass.async_block_till_done()
    state = hass.states.get(climate)
    assert state.attributes[ATTR_TEMPERATURE] == 23.5  # held: the data does not agree
    assert state.attributes[ATTR_PRESET_MODE] == "none"
    fire_timers(hass, (CONFIRMED_HOLD + timedelta(minutes=1)).total_seconds())
    await hass.async_block_till_done()
    assert hass.states.get(climate).attributes[ATTR_TEMPERATURE] == 21.0
    assert await pending_commands(hass, config_entry) == []

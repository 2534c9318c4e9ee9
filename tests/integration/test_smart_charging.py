"""Smart charging in Home Assistant: policy controls, status sensors, Charge now, the plan event.

Everything talks HTTP to the emulator's smart charging engine; status updates arrive as the
webhooks the engine sends (user:vehicle:smart-charging-status-updated).
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime, time
import re
from typing import Any
from unittest.mock import patch

from aiohttp.test_utils import TestClient
from homeassistant.components import persistent_notification
from homeassistant.components.event import ATTR_EVENT_TYPE
from homeassistant.components.number import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.components.time import ATTR_TIME, SERVICE_SET_VALUE as SERVICE_SET_TIME
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_UNIT_OF_MEASUREMENT,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from hypothesis import given, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.enode.api import EnodeSmartChargingPolicyError, SmartChargingErrorCause
from custom_components.enode.const import EVENT_ACTION_FAILED
from custom_components.enode.helpers import enode_error_to_ha
from custom_components.enode.time import format_deadline, parse_deadline
from enode_emulator import Emulator

from .conftest import last_update_success, poll_again, poll_now, push_healthy, rendered
from .platform_helpers import CHARGER, START, VEHICLE, entity_id, settle

SITE = "8d2f7c1e-4b0a-4c1e-9a51-0d3f5b6e7a01"  # the demo home Location (Europe/Oslo)
POLICY = f"/vehicles/{VEHICLE}/smart-charging-policy"
STATUS = f"/vehicles/{VEHICLE}/smart-charging-status"


@pytest.fixture
def emulator_start_time() -> datetime:
    """12:00 in Oslo: the demo price curve makes 02:00-04:00 local the cheapest hours."""
    return START


@pytest.fixture(autouse=True)
def smart_platforms() -> Generator[None]:
    """The platforms smart charging adds entities to."""
    with patch(
        "custom_components.enode.PLATFORMS",
        [
            Platform.BINARY_SENSOR,
            Platform.EVENT,
            Platform.NUMBER,
            Platform.SENSOR,
            Platform.SWITCH,
            Platform.TIME,
        ],
    ):
        yield


def _requests(emulator: Emulator, method: str, path: str) -> list[int]:
    return [e.status for e in emulator.request_log if (e.method, e.path) == (method, path)]


def _ids(registry: er.EntityRegistry) -> dict[str, str]:
    return {
        "smart": entity_id(registry, "switch", VEHICLE, "smart_charging"),
        "charge_now": entity_id(registry, "switch", VEHICLE, "charge_now"),
        "ready_by": entity_id(registry, "time", VEHICLE, "ready_by"),
        "minimum": entity_id(registry, "number", VEHICLE, "minimum_charge_level"),
        "state": entity_id(registry, "sensor", VEHICLE, "smart_charging_state"),
        "start": entity_id(registry, "sensor", VEHICLE, "planned_start"),
        "finish": entity_id(registry, "sensor", VEHICLE, "estimated_finish"),
        "saving": entity_id(registry, "sensor", VEHICLE, "smart_charging_saving"),
        "plan": entity_id(registry, "event", VEHICLE, "smart_charging_plan"),
    }


async def _call(hass: HomeAssistant, domain: str, service: str, entity: str, **data: Any) -> None:
    await hass.services.async_call(domain, service, {ATTR_ENTITY_ID: entity, **data}, blocking=True)


async def _set_ready_by(hass: HomeAssistant, entity: str, value: time) -> None:
    await _call(hass, "time", SERVICE_SET_TIME, entity, **{ATTR_TIME: value})


async def _enable(hass: HomeAssistant, ids: dict[str, str]) -> None:
    await _set_ready_by(hass, ids["ready_by"], time(7, 0))
    await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, ids["smart"])


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "ha_client")
@pytest.mark.parametrize("platform", [Platform.TIME, Platform.EVENT])
async def test_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    config_entry: MockConfigEntry,
    platform: Platform,
) -> None:
    """Ready by and the plan event of the demo vehicle (the other platforms have their own)."""
    with patch("custom_components.enode.PLATFORMS", [platform]):
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
    await snapshot_platform(hass, entity_registry, snapshot, config_entry.entry_id)


async def test_old_binary_sensor_is_removed_from_the_registry(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    ha_client: TestClient,
    config_entry: MockConfigEntry,
) -> None:
    """The former Smart charging binary sensor leaves no orphan; the switch replaces it."""
    old = entity_registry.async_get_or_create(
        "binary_sensor",
        "enode",
        f"{VEHICLE}_smart_charging",
        suggested_object_id="my_model_3_smart_charging",
        config_entry=config_entry,
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert entity_registry.async_get(old.entity_id) is None
    assert hass.states.get(old.entity_id) is None
    switch = entity_id(entity_registry, "switch", VEHICLE, "smart_charging")
    assert hass.states.get(switch).state == STATE_OFF
    # Other binary sensors of the vehicle stay.
    assert entity_id(entity_registry, "binary_sensor", VEHICLE, "plugged_in")


async def test_enable_plan_and_status_sensors(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Ready by, then Smart charging on: the pushed status fills the plan sensors."""
    ids = _ids(entity_registry)
    assert hass.states.get(ids["state"]).state == "disabled"
    assert hass.states.get(ids["ready_by"]).state == STATE_UNKNOWN
    assert hass.states.get(ids["start"]).state == STATE_UNKNOWN
    await _set_ready_by(hass, ids["ready_by"], time(7, 0))
    # Synchronous: shown once Enode confirmed, no webhook needed.
    assert hass.states.get(ids["ready_by"]).state == "07:00:00"
    assert emulator.asset(VEHICLE)["smartChargingPolicy"]["deadline"] == "07:00"
    await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, ids["smart"])
    assert hass.states.get(ids["smart"]).state == STATE_ON
    assert _requests(emulator, "PUT", POLICY) == [200, 200]
    await settle(hass, emulator, 1)
    assert hass.states.get(ids["state"]).state == "plan_executing_stopped"
    # 54 % -> 80 % at 11 kW, in the cheapest hours before 07:00 Oslo (02:00-04:00 local).
    assert hass.states.get(ids["start"]).state == "2025-06-02T00:00:00+00:00"
    assert hass.states.get(ids["finish"]).state == "2025-06-02T02:00:00+00:00"
    saving = hass.states.get(ids["saving"])
    assert float(saving.state) > 0
    assert saving.attributes[ATTR_UNIT_OF_MEASUREMENT] == "NOK"
    await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_OFF, ids["smart"])
    assert hass.states.get(ids["smart"]).state == STATE_OFF
    await settle(hass, emulator, 1)
    assert hass.states.get(ids["start"]).state == STATE_UNKNOWN


async def test_ready_by_names_the_location_time_zone(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Enode reads the deadline in Oslo time; Home Assistant runs elsewhere, so it says so."""
    ready_by = hass.states.get(entity_id(entity_registry, "time", VEHICLE, "ready_by"))
    assert hass.config.time_zone != "Europe/Oslo"
    assert ready_by.attributes["time_zone"] == "Europe/Oslo"
    await hass.config.async_update(time_zone="Europe/Oslo")
    # The next update (a pushed vehicle change) re-renders the entity.
    level = emulator.asset(VEHICLE)["chargeState"]["batteryLevel"]
    emulator.patch_asset(VEHICLE, {"chargeState": {"batteryLevel": level + 1}})
    await settle(hass, emulator, 1)
    ready_by = hass.states.get(entity_id(entity_registry, "time", VEHICLE, "ready_by"))
    assert "time_zone" not in ready_by.attributes


async def test_minimum_above_charge_limit_is_refused_before_sending(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """90 % with an 80 % charge limit: a translated error, and nothing reaches Enode."""
    minimum = entity_id(entity_registry, "number", VEHICLE, "minimum_charge_level")
    with pytest.raises(ServiceValidationError, match=rendered("minimum_above_charge_limit")) as err:
        await _call(hass, "number", SERVICE_SET_VALUE, minimum, **{ATTR_VALUE: 90})
    assert err.value.translation_key == "minimum_above_charge_limit"
    assert err.value.translation_placeholders == {"value": "90", "charge_limit": "80"}
    assert str(err.value) == (
        "The minimum charge level of 90 % is above the vehicle's charge limit of 80 %. "
        "Choose 80 % or less, or raise the charge limit first"
    )
    assert _requests(emulator, "PUT", POLICY) == []
    await _call(hass, "number", SERVICE_SET_VALUE, minimum, **{ATTR_VALUE: 30})
    assert hass.states.get(minimum).state == "30"
    assert emulator.asset(VEHICLE)["smartChargingPolicy"]["minimumChargeLimit"] == 30


def _mercedes(emulator: Emulator) -> str:
    vehicle = emulator.add_asset(
        "demo-user", {"type": "vehicle", "vendor": "MERCEDES", "state": {"chargeState": {}}}
    )
    return str(vehicle["id"])


CAUSE_MESSAGES: dict[SmartChargingErrorCause, str] = {
    SmartChargingErrorCause.ENABLED_BY_OTHER_USER: (
        "Another Enode user already has smart charging enabled for this vehicle. Turn it off "
        "there first. (Enode: Another user has already enabled smart charging for this vehicle)"
    ),
    SmartChargingErrorCause.DEADLINE_MISSING: (
        "Smart charging needs a Ready by time. Set Ready by first, then turn on smart charging. "
        "(Enode: A deadline is required to enable smart charging)"
    ),
    SmartChargingErrorCause.MINIMUM_ABOVE_CHARGE_LIMIT: (
        "The minimum charge level is above the vehicle's charge limit. Lower the minimum or "
        "raise the charge limit. (Enode: minimumChargeLimit (70) is above the vehicle's charge "
        "limit (60): maxChargeLimit < minChargeLimit)"
    ),
    SmartChargingErrorCause.MINIMUM_BELOW_VENDOR_THRESHOLD: (
        "The vehicle's maker does not allow a minimum charge level this low. Choose a higher "
        "minimum. (Enode: minimumChargeLimit must not be below the vendor threshold of 50 % for "
        "MERCEDES vehicles)"
    ),
    SmartChargingErrorCause.NO_PRICE_AREA_OR_TARIFF: (
        "Enode has no electricity prices or tariff for where the vehicle charges. Add a tariff "
        "to the Location, then try again. (Enode: The user has no price area or tariffs for "
        "smart charging)"
    ),
    SmartChargingErrorCause.NOT_CAPABLE: (
        "This vehicle cannot be smart charged: Enode lacks the permissions or controls it "
        "needs. Relink the vehicle with control permissions. (Enode: The vehicle lacks the "
        "scopes or controls smart charging needs)"
    ),
}


@pytest.mark.parametrize("cause", list(CAUSE_MESSAGES))
async def test_each_policy_refusal_has_its_message(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
    cause: SmartChargingErrorCause,
) -> None:
    """Every documented 400 cause reaches the user as its own translated message."""
    ids = _ids(entity_registry)
    vehicle = VEHICLE
    if cause is not SmartChargingErrorCause.DEADLINE_MISSING:
        await _set_ready_by(hass, ids["ready_by"], time(7, 0))
    match cause:
        case SmartChargingErrorCause.ENABLED_BY_OTHER_USER:
            emulator.set_smart_charging_claimed(VEHICLE)
        case SmartChargingErrorCause.NO_PRICE_AREA_OR_TARIFF:
            emulator.set_prices(SITE, None)
        case SmartChargingErrorCause.NOT_CAPABLE:
            # Still smart-charging capable, but without the stop control smart charging needs.
            emulator.patch_asset(VEHICLE, {"capabilities": {"stopCharging": {"isCapable": False}}})
        case SmartChargingErrorCause.MINIMUM_BELOW_VENDOR_THRESHOLD:
            vehicle = _mercedes(emulator)
            await settle(hass, emulator, 1)
            await hass.config_entries.async_reload(setup_integration.entry_id)
            await hass.async_block_till_done()
            ids = {"smart": entity_id(entity_registry, "switch", vehicle, "smart_charging")}
            ready_by = entity_id(entity_registry, "time", vehicle, "ready_by")
            await _set_ready_by(hass, ready_by, time(7, 0))
    if cause is SmartChargingErrorCause.MINIMUM_ABOVE_CHARGE_LIMIT:
        # Enode's charge limit dropped to 60 % before Home Assistant heard of it (80 % here):
        # the local check passes, Enode refuses.
        emulator.patch_asset(VEHICLE, {"chargeState": {"chargeLimit": 60}})
        with pytest.raises(HomeAssistantError) as err:
            await _call(hass, "number", SERVICE_SET_VALUE, ids["minimum"], **{ATTR_VALUE: 70})
    else:
        with pytest.raises(HomeAssistantError) as err:
            await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, ids["smart"])
    assert err.value.translation_key == f"smart_charging_{cause.value}"
    assert str(err.value) == CAUSE_MESSAGES[cause]
    assert _requests(emulator, "PUT", f"/vehicles/{vehicle}/smart-charging-policy")[-1] == 400
    assert hass.states.get(ids["smart"]).state == STATE_OFF


@pytest.mark.parametrize(
    ("fields", "key", "message"),
    [
        (
            {"deadline": "7am"},
            "smart_charging_invalid_deadline",
            (
                "Enode did not accept this Ready by time. Use hours and minutes, for example "
                '07:00. (Enode: "deadline" must be a string HH:MM)'
            ),
        ),
        (
            {"minimum_charge_limit": 120},
            "smart_charging_unknown",
            (
                'Enode refused the smart charging settings: "minimumChargeLimit" must be '
                "between 0 and 100"
            ),
        ),
    ],
)
async def test_refusals_the_controls_cannot_cause(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    fields: dict[str, Any],
    key: str,
    message: str,
) -> None:
    """Ready by always sends HH:MM and the minimum stays in 0-100, so these come from other
    callers; Enode's refusal still maps to its own message through the one error mapping."""
    # The client itself: no entity or action of ours sends such values (see the docstring).
    client = setup_integration.runtime_data.client
    with pytest.raises(EnodeSmartChargingPolicyError) as raised:
        await client.set_vehicle_smart_charging_policy(VEHICLE, **fields)
    err = enode_error_to_ha(raised.value)
    assert err.translation_key == key
    assert str(err) == message


async def test_charge_now_on_a_planned_vehicle(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Charge now starts an override: the vehicle charges now; off hands back to the plan."""
    ids = _ids(entity_registry)
    await _enable(hass, ids)
    await settle(hass, emulator, 1)
    assert hass.states.get(ids["charge_now"]).state == STATE_OFF
    await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, ids["charge_now"])
    assert _requests(emulator, "POST", f"/vehicles/{VEHICLE}/smart-override") == [200]
    assert hass.states.get(ids["charge_now"]).state == STATE_ON
    await settle(hass, emulator)
    assert emulator.asset(VEHICLE)["chargeState"]["isCharging"] is True
    assert hass.states.get(ids["charge_now"]).state == STATE_ON
    assert hass.states.get(ids["state"]).state == "plan_executing_overridden"
    await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_OFF, ids["charge_now"])
    assert _requests(emulator, "DELETE", f"/vehicles/{VEHICLE}/smart-override") == [200]
    assert hass.states.get(ids["charge_now"]).state == STATE_OFF
    await settle(hass, emulator)
    assert hass.states.get(ids["charge_now"]).state == STATE_OFF


async def test_charge_now_on_a_scheduled_charger(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """A charger a schedule holds: Charge now overrides it; it ends when charging stops."""
    emulator.config.charger_smart_override = True  # a charger on the 2024-01-01 route
    switch = entity_id(entity_registry, "switch", CHARGER, "charge_now")
    emulator.set_schedule_controlled(CHARGER)
    await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, switch)
    assert _requests(emulator, "POST", f"/chargers/{CHARGER}/smart-override") == [200]
    assert hass.states.get(switch).state == STATE_ON
    await settle(hass, emulator)
    assert emulator.asset(CHARGER)["chargeState"]["isCharging"] is True
    assert hass.states.get(switch).state == STATE_ON
    emulator.patch_asset(CHARGER, {"chargeState": {"isCharging": False, "isPluggedIn": False}})
    await settle(hass, emulator, 1)
    assert hass.states.get(switch).state == STATE_OFF


async def test_plan_ending_fires_the_event(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Unplugging during a plan: the engine's pushed PLAN:ENDED:UNPLUGGED fires the event once."""
    ids = _ids(entity_registry)
    assert hass.states.get(ids["plan"]).state == STATE_UNKNOWN
    await _enable(hass, ids)
    await settle(hass, emulator, 1)
    emulator.plug_vehicle(VEHICLE, False)
    await settle(hass, emulator, 1)
    event = hass.states.get(ids["plan"])
    assert event.state != STATE_UNKNOWN
    assert event.attributes[ATTR_EVENT_TYPE] == "unplugged"
    assert event.attributes["final_state"] == "PLAN:ENDED:UNPLUGGED"
    assert event.attributes["failure_condition"] is None
    assert event.attributes["plan_id"]
    fired = event.state
    # Later polls and pushes of the same ended plan do not fire it again.
    await poll_now(hass, ids["plan"])
    await settle(hass, emulator, 60)
    assert hass.states.get(ids["plan"]).state == fired


def _status_requests(emulator: Emulator) -> int:
    return len(_requests(emulator, "GET", STATUS))


async def test_no_status_requests_while_push_is_healthy(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Push delivers the status: after startup, polls fetch none.

    The demo vehicle starts with smart charging off: its status comes from the policy, so even
    startup asks for none; switched on, the status arrives by push.
    """
    sensor = entity_id(entity_registry, "sensor", VEHICLE, "smart_charging_state")
    assert _status_requests(emulator) == 0
    assert hass.states.get(sensor).state == "disabled"
    await settle(hass, emulator, 1)  # a delivery: push healthy
    assert await push_healthy(hass, setup_integration)
    # Switched on (elsewhere, e.g. the vendor's app): the vehicle and its status are pushed.
    vehicle = emulator.core.store.get_asset("vehicle", VEHICLE)
    emulator.core.smart.put_policy(vehicle, {"isEnabled": True, "deadline": "07:00"})
    await settle(hass, emulator, 5)
    start = len(emulator.request_log)
    for _ in range(3):
        await poll_again(hass, sensor)
    vehicle_lists = [e for e in emulator.request_log[start:] if e.path.endswith("/vehicles")]
    assert len(vehicle_lists) == 3
    assert _status_requests(emulator) == 0
    assert hass.states.get(sensor).state not in ("disabled", STATE_UNKNOWN)


async def test_one_status_request_per_vehicle_per_poll_without_push(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    config_entry: MockConfigEntry,
) -> None:
    """Without push, each poll fetches the status once per vehicle with smart charging on."""
    vehicle = emulator.core.store.get_asset("vehicle", VEHICLE)
    emulator.core.smart.put_policy(vehicle, {"isEnabled": True, "deadline": "07:00"})
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert not await push_healthy(hass, config_entry)
    assert _status_requests(emulator) == 1
    sensor = entity_id(entity_registry, "sensor", VEHICLE, "smart_charging_state")
    for polls in range(2, 5):
        await poll_again(hass, sensor)
        assert _status_requests(emulator) == polls
    # Entities read the coordinator: no request of their own.
    emulator.plug_vehicle(VEHICLE, False)
    await poll_again(hass, sensor)
    assert _status_requests(emulator) == 5
    state = entity_id(entity_registry, "sensor", VEHICLE, "smart_charging_state")
    assert hass.states.get(state).state == "plan_ended_unplugged"
    # Smart charging off (elsewhere): the policy in the vehicle list says DISABLED, no request.
    emulator.core.smart.put_policy(vehicle, {"isEnabled": False})
    for _ in range(3):
        await poll_again(hass, sensor)
    assert _status_requests(emulator) == 5
    assert hass.states.get(state).state == "disabled"


@pytest.mark.parametrize("status", [403, 503])
async def test_failed_status_request_keeps_the_poll_and_the_last_status(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    config_entry: MockConfigEntry,
    status: int,
) -> None:
    """Without push, a failing status request neither fails the poll nor blanks the sensor.

    403 is what Enode answers when the vehicle lost the scope; 503 an outage. (Smart charging
    on: with it off the status comes from the policy, without a request.)"""
    vehicle = emulator.core.store.get_asset("vehicle", VEHICLE)
    emulator.core.smart.put_policy(vehicle, {"isEnabled": True, "deadline": "07:00"})
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    state = entity_id(entity_registry, "sensor", VEHICLE, "smart_charging_state")
    before = hass.states.get(state).state
    assert before not in ("disabled", STATE_UNKNOWN)
    emulator.add_fault(path=STATUS, status=status)
    await poll_again(hass, state)
    assert await last_update_success(hass, config_entry)
    assert hass.states.get(state).state == before
    assert _requests(emulator, "GET", STATUS)[-1] == status


async def test_smart_controls_follow_the_smart_charging_capability(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """When Enode reports the vehicle can no longer smart charge, its policy controls are
    unavailable (not stale and settable); they come back with the capability."""
    ids = _ids(entity_registry)
    controls = (ids["smart"], ids["ready_by"], ids["minimum"])
    assert all(hass.states.get(e).state != STATE_UNAVAILABLE for e in controls)
    emulator.patch_asset(VEHICLE, {"capabilities": {"smartCharging": {"isCapable": False}}})
    await settle(hass, emulator, 1)
    assert [hass.states.get(e).state for e in controls] == [STATE_UNAVAILABLE] * 3
    emulator.patch_asset(VEHICLE, {"capabilities": {"smartCharging": {"isCapable": True}}})
    await settle(hass, emulator, 1)
    assert all(hass.states.get(e).state != STATE_UNAVAILABLE for e in controls)


@given(st.times())
def test_ready_by_round_trips_as_hours_and_minutes(value: time) -> None:
    """Any time the UI sends becomes Enode's HH:MM and reads back as that minute."""
    text = format_deadline(value)
    assert re.fullmatch(r"\d{2}:\d{2}", text)
    assert parse_deadline(text) == value.replace(second=0, microsecond=0)


@given(st.text(max_size=8))
def test_any_deadline_text_parses_or_is_unknown(text: str) -> None:
    """Whatever Enode sends as a deadline, Ready by shows a time or unknown, never raises."""
    parsed = parse_deadline(text)
    assert parsed is None or format_deadline(parsed) == f"{parsed.hour:02d}:{parsed.minute:02d}"


async def test_charge_now_whose_action_fails_is_reported(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """The override's charge action fails: Charge now shows on while pending, then a notice."""
    emulator.config.charger_smart_override = True  # a charger on the 2024-01-01 route
    assert await async_setup_component(hass, "persistent_notification", {})
    events = async_capture_events(hass, EVENT_ACTION_FAILED)
    switch = entity_id(entity_registry, "switch", CHARGER, "charge_now")
    emulator.set_schedule_controlled(CHARGER)
    emulator.set_action_outcome(CHARGER, "fail")
    await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, switch)
    assert hass.states.get(switch).state == STATE_ON
    await settle(hass, emulator)
    assert emulator.asset(CHARGER)["chargeState"]["isCharging"] is False
    assert [e.data["command"] for e in events] == ["start_smart_override"]
    messages = [
        n["message"]
        for n in persistent_notification._async_get_or_create_notifications(hass).values()
    ]
    assert messages == [
        "Zaptec Go: Charge now did not succeed. The device did not respond in time."
    ]


async def test_charge_now_on_a_charger_enode_does_not_serve(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """2024-10-01 has no charger smart override: an error, then unavailable, not asked again."""
    switch = entity_id(entity_registry, "switch", CHARGER, "charge_now")
    assert hass.states.get(switch).state != STATE_UNAVAILABLE
    with pytest.raises(
        HomeAssistantError, match=r"Enode does not offer Charge now for .+: start or stop"
    ):
        await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, switch)
    assert hass.states.get(switch).state == STATE_UNAVAILABLE
    assert _requests(emulator, "POST", f"/chargers/{CHARGER}/smart-override") == [404]
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: switch}, blocking=True
    )
    assert _requests(emulator, "POST", f"/chargers/{CHARGER}/smart-override") == [404]
    assert caplog.text.count("does not offer a smart override") == 1
    # The vehicle's Charge now is untouched.
    assert hass.states.get(entity_id(entity_registry, "switch", VEHICLE, "charge_now")).state != (
        STATE_UNAVAILABLE
    )

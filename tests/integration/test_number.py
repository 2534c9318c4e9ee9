"""Max current and charge rate limit numbers: request, pending, confirmed, failed, validation."""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime
from unittest.mock import patch

from homeassistant.components.number import (
    ATTR_MAX,
    ATTR_VALUE,
    DOMAIN as NUMBER_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.const import (
    ATTR_ENTITY_ID,
    EVENT_STATE_CHANGED,
    STATE_UNAVAILABLE,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.enode.const import CONF_MAX_CHARGE_CURRENT, EVENT_ACTION_FAILED
from enode_emulator import Emulator

from .conftest import rendered
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
def only_numbers() -> Generator[None]:
    """Set up only the number platform."""
    with patch("custom_components.enode.PLATFORMS", [Platform.NUMBER]):
        yield


async def _set(hass: HomeAssistant, entity: str, value: float) -> None:
    await hass.services.async_call(
        NUMBER_DOMAIN, SERVICE_SET_VALUE, {ATTR_ENTITY_ID: entity, ATTR_VALUE: value}, blocking=True
    )


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    setup_integration: MockConfigEntry,
) -> None:
    """Vehicle and charger max current, charger charge rate limit."""
    await snapshot_platform(hass, entity_registry, snapshot, setup_integration.entry_id)


async def test_max_current_pending_then_confirmed(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Setting 10 A sends maxCurrent 10; HA shows 10 at once and after Enode confirms."""
    number = entity_id(entity_registry, "number", CHARGER, "max_current")
    assert hass.states.get(number).state == "16"
    await _set(hass, number, 10)
    assert control_requests(emulator) == [("POST", f"/chargers/{CHARGER}/max-current", 200)]
    [action] = pending_actions(emulator, CHARGER)
    assert action["targetState"] == {"maxCurrent": 10}
    assert emulator.asset(CHARGER)["chargeState"]["maxCurrent"] == 16.0
    assert hass.states.get(number).state == "10"
    await settle(hass, emulator)
    assert emulator.asset(CHARGER)["chargeState"]["maxCurrent"] == 10
    assert float(hass.states.get(number).state) == 10


async def test_charge_rate_limit_request(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """The charge rate limit goes to its own endpoint, in kW."""
    number = entity_id(entity_registry, "number", CHARGER, "charge_rate_limit")
    assert hass.states.get(number).attributes[ATTR_MAX] == 22.1  # 32 A x 230 V x 3
    await _set(hass, number, 7.4)
    assert control_requests(emulator) == [("POST", f"/chargers/{CHARGER}/charge-rate-limit", 200)]
    [action] = pending_actions(emulator, CHARGER)
    assert action["targetState"] == {"chargeRateLimit": 7.4}
    assert hass.states.get(number).state == "7.4"


async def test_failed_action_returns_to_real_value(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """A FAILED max-current action puts the reported value back and fires the event."""
    events = async_capture_events(hass, EVENT_ACTION_FAILED)
    number = entity_id(entity_registry, "number", VEHICLE, "max_current")
    emulator.set_action_outcome(VEHICLE, "fail")
    await _set(hass, number, 12)
    assert hass.states.get(number).state == "12"
    await settle(hass, emulator)
    assert hass.states.get(number).state == "16"
    assert [event.data["command"] for event in events] == ["set_max_current"]


async def test_validation(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Out of range and off-step values are refused before anything reaches Enode."""
    number = entity_id(entity_registry, "number", CHARGER, "max_current")
    # Home Assistant's own range check (number.set_value) words these.
    with pytest.raises(ServiceValidationError, match=r"is outside valid range 6 - 32$"):
        await _set(hass, number, 5)  # below the 6 A minimum
    with pytest.raises(ServiceValidationError, match=r"is outside valid range 6 - 32$"):
        await _set(hass, number, 33)  # above the 32 A option
    with pytest.raises(ServiceValidationError, match=rendered("value_not_on_step")) as err:
        await _set(hass, number, 10.5)
    assert err.value.translation_key == "value_not_on_step"
    entity = hass.data["entity_components"][NUMBER_DOMAIN].get_entity(number)
    with pytest.raises(ServiceValidationError, match=rendered("value_out_of_range")) as err:
        await entity.async_set_native_value(40)
    assert err.value.translation_key == "value_out_of_range"
    assert err.value.translation_placeholders["max"] == "32"
    assert control_requests(emulator) == []


async def test_option_raises_the_maximum(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """The highest selectable current is the user's option."""
    hass.config_entries.async_update_entry(
        setup_integration, options={**setup_integration.options, CONF_MAX_CHARGE_CURRENT: 40}
    )
    # The options flow reloads the entry after saving (OptionsFlowWithReload, tested there).
    assert await hass.config_entries.async_reload(setup_integration.entry_id)
    await hass.async_block_till_done()
    number = entity_id(entity_registry, "number", CHARGER, "max_current")
    assert hass.states.get(number).attributes[ATTR_MAX] == 40
    # Home Assistant lets it through; this charger's own limit is Enode's to enforce.
    with pytest.raises(HomeAssistantError, match=rendered("bad_request")) as err:
        await _set(hass, number, 40)
    assert err.value.translation_key == "bad_request"
    assert control_requests(emulator) == [("POST", f"/chargers/{CHARGER}/max-current", 400)]


async def test_schedule_controlled_and_capability_lost(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """A 422 is a translated error; a lost capability makes the number unavailable."""
    number = entity_id(entity_registry, "number", VEHICLE, "max_current")
    emulator.set_schedule_controlled(VEHICLE)
    with pytest.raises(HomeAssistantError, match=rendered("controlled_entity")) as err:
        await _set(hass, number, 10)
    assert err.value.translation_key == "controlled_entity"
    emulator.patch_asset(VEHICLE, {"capabilities": {"setMaxCurrent": {"isCapable": False}}})
    await settle(hass, emulator, 1)
    assert hass.states.get(number).state == STATE_UNAVAILABLE


async def test_range_errors_format_numbers_consistently(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Whole-ampere limits read "6 - 32" (not "6 - 32.0"); the state reads 16, not 16.0."""
    current = entity_id(entity_registry, "number", CHARGER, "max_current")
    rate_limit = entity_id(entity_registry, "number", CHARGER, "charge_rate_limit")
    assert hass.states.get(current).state == "16"
    with pytest.raises(ServiceValidationError) as err:
        await _set(hass, current, 33)
    assert str(err.value) == f"Value 33.0 for {current} is outside valid range 6 - 32"
    with pytest.raises(ServiceValidationError) as err:
        await _set(hass, rate_limit, 30)
    assert str(err.value) == f"Value 30.0 for {rate_limit} is outside valid range 1.0 - 22.1"
    entity = hass.data["entity_components"][NUMBER_DOMAIN].get_entity(current)
    with pytest.raises(ServiceValidationError) as err:
        await entity.async_set_native_value(40)
    assert str(err.value) == "40 is outside the allowed range 6 to 32"
    with pytest.raises(ServiceValidationError) as err:
        await _set(hass, current, 10.5)
    assert err.value.translation_placeholders == {
        "value": "10.5",
        "min": "6",
        "max": "32",
        "step": "1",
    }
    assert str(err.value) == "10.5 is not a multiple of 1"
    assert control_requests(emulator) == []


@pytest.mark.parametrize(
    ("key", "value", "shown"), [("max_current", 10, "10"), ("charge_rate_limit", 10, "10.0")]
)
async def test_one_state_change_per_command(  # noqa: PLR0917 - fixtures and parameters
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
    key: str,
    value: float,
    shown: str,
) -> None:
    """Pending and confirmed values have one shape: one command, one state change."""
    number = entity_id(entity_registry, "number", CHARGER, key)
    changes = async_capture_events(hass, EVENT_STATE_CHANGED)
    await _set(hass, number, value)
    await settle(hass, emulator)
    assert hass.states.get(number).state == shown
    states = [e.data["new_state"].state for e in changes if e.data["entity_id"] == number]
    assert states == [shown]


async def test_a_command_re_renders_only_its_own_device(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """A pending command's overlay re-renders the charger's entities, not the vehicle's."""
    charger = entity_id(entity_registry, "number", CHARGER, "max_current")
    vehicle = entity_id(entity_registry, "number", VEHICLE, "max_current")
    vehicle_written = hass.states.get(vehicle).last_reported
    changed = async_capture_events(hass, EVENT_STATE_CHANGED)
    await _set(hass, charger, 10)
    await hass.async_block_till_done()
    assert [e.data["entity_id"] for e in changed] == [charger]
    # An unchanged state written again would move last_reported.
    assert hass.states.get(vehicle).last_reported == vehicle_written

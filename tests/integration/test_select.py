"""Battery operation mode: capable options, UNKNOWN, request, pending, failure, validation."""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime
from unittest.mock import patch

from homeassistant.components.select import (
    ATTR_OPTION,
    ATTR_OPTIONS,
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE, STATE_UNKNOWN, Platform
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

from custom_components.enode.const import EVENT_ACTION_FAILED
from enode_emulator import Emulator

from .conftest import rendered
from .platform_helpers import (
    BATTERY,
    START,
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
def only_selects() -> Generator[None]:
    """Set up only the select platform."""
    with patch("custom_components.enode.PLATFORMS", [Platform.SELECT]):
        yield


async def _select(hass: HomeAssistant, entity: str, option: str) -> None:
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: entity, ATTR_OPTION: option},
        blocking=True,
    )


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    setup_integration: MockConfigEntry,
) -> None:
    """The battery's operation mode select."""
    await snapshot_platform(hass, entity_registry, snapshot, setup_integration.entry_id)


async def test_select_mode_pending_then_confirmed(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Choosing Time of use sends TIME_OF_USE; pending shows it; confirmation keeps it."""
    select = entity_id(entity_registry, "select", BATTERY, "operation_mode")
    assert hass.states.get(select).state == "self_reliance"
    await _select(hass, select, "time_of_use")
    assert control_requests(emulator) == [("POST", f"/batteries/{BATTERY}/operation-mode", 200)]
    [action] = pending_actions(emulator, BATTERY)
    assert action["targetState"] == {"operationMode": "TIME_OF_USE"}
    assert emulator.asset(BATTERY)["config"]["operationMode"] == "SELF_RELIANCE"
    assert hass.states.get(select).state == "time_of_use"
    await settle(hass, emulator)
    assert emulator.asset(BATTERY)["config"]["operationMode"] == "TIME_OF_USE"
    assert hass.states.get(select).state == "time_of_use"


async def test_failure_returns_to_reported_mode(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """A FAILED mode change shows the reported mode again and fires the event."""
    events = async_capture_events(hass, EVENT_ACTION_FAILED)
    select = entity_id(entity_registry, "select", BATTERY, "operation_mode")
    emulator.set_action_outcome(BATTERY, "fail")
    await _select(hass, select, "idle")
    assert hass.states.get(select).state == "idle"
    await settle(hass, emulator)
    assert hass.states.get(select).state == "self_reliance"
    assert [event.data["command"] for event in events] == ["set_operation_mode"]


async def test_options_follow_capabilities_and_unknown(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Only capable modes are offered; UNKNOWN is shown as unknown, never offered."""
    select = entity_id(entity_registry, "select", BATTERY, "operation_mode")
    assert hass.states.get(select).attributes[ATTR_OPTIONS] == [
        "import_focus",
        "export_focus",
        "time_of_use",
        "self_reliance",
        "idle",
    ]
    emulator.patch_asset(
        BATTERY,
        {
            "capabilities": {"idle": {"isCapable": False}, "exportFocus": {"isCapable": False}},
            "config": {"operationMode": "UNKNOWN"},
        },
    )
    await settle(hass, emulator, 1)
    state = hass.states.get(select)
    assert state.state == STATE_UNKNOWN
    assert state.attributes[ATTR_OPTIONS] == ["import_focus", "time_of_use", "self_reliance"]
    with pytest.raises(ServiceValidationError):
        await _select(hass, select, "idle")
    entity = hass.data["entity_components"][SELECT_DOMAIN].get_entity(select)
    with pytest.raises(ServiceValidationError, match=rendered("invalid_operation_mode")) as err:
        await entity.async_select_option("unknown")
    assert err.value.translation_key == "invalid_operation_mode"
    assert control_requests(emulator) == []
    # No capable mode at all: the control is unavailable.
    emulator.patch_asset(
        BATTERY,
        {
            "capabilities": {
                name: {"isCapable": False} for name in ("importFocus", "timeOfUse", "selfReliance")
            }
        },
    )
    await settle(hass, emulator, 1)
    assert hass.states.get(select).state == STATE_UNAVAILABLE


async def test_schedule_controlled(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Enode's 422 becomes the translated controlled_entity error."""
    select = entity_id(entity_registry, "select", BATTERY, "operation_mode")
    emulator.set_schedule_controlled(BATTERY)
    with pytest.raises(HomeAssistantError, match=rendered("controlled_entity")) as err:
        await _select(hass, select, "idle")
    assert err.value.translation_key == "controlled_entity"
    assert hass.states.get(select).state == "self_reliance"

"""Smart layer behaviour a mutation pass found unchecked (issue 25, "Beyond this list").

Each test names the one-line bug it catches; all of them talk HTTP to the emulator and assert
through service calls, `hass.states` and the emulator's request log.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime, time
from typing import Any
from unittest.mock import patch

from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.components.time import ATTR_TIME, SERVICE_SET_VALUE as SERVICE_SET_TIME
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.enode.api import AssetType
from enode_emulator import Emulator

from .platform_helpers import START, VEHICLE, entity_id, settle


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

"""Push behaviour a mutation pass found unchecked (issue 25, "Beyond this list").

Each test names the one-line bug it catches; deliveries are signed POSTs to Home Assistant's
webhook, polls are read from the emulator's request log after time travel.
"""

from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import TestClient
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_ON, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.enode.const import EVENT_ACTION_FAILED, POLL_INTERVAL_NO_PUSH
from enode_emulator import Emulator

from .conftest import DEMO_USER, event, post_webhook
from .platform_helpers import CHARGER, asset_device

USER_POLL = ("GET", f"/users/{DEMO_USER}")


def _polls(emulator: Emulator, start: int) -> int:
    return sum(1 for e in emulator.request_log[start:] if (e.method, e.path) == USER_POLL)


async def test_deliveries_without_a_registered_webhook_keep_polling(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    config_entry: MockConfigEntry,
) -> None:
    """Enode refused our webhook, yet a signed delivery arrives (an older webhook of the same
    secret): nothing promises every change is pushed, so the 5-minute poll goes on.

    Kills: push counted healthy on fresh deliveries alone, whatever the webhook's mode.
    """
    emulator.add_fault(path="/webhooks", status=500, count=5)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    payload = [event("system:heartbeat", pendingEvents=0)]
    assert await post_webhook(ha_client, config_entry, payload) == 200
    await hass.async_block_till_done()
    start = len(emulator.request_log)
    async_fire_time_changed(hass, dt_util.utcnow() + POLL_INTERVAL_NO_PUSH + timedelta(seconds=1))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _polls(emulator, start) == 1


async def test_discovered_asset_appears_without_a_poll(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    device_registry: dr.DeviceRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """A pushed `discovered` event of an asset not held yet adds its device at once (only a
    known asset's discovered event is ignored, so it cannot blank it).

    Kills: every discovered event ignored.
    """
    charger = emulator.add_asset(DEMO_USER, {"type": "charger", "vendor": "EASEE"})
    discovered = {"id": charger["id"], "userId": DEMO_USER, "information": charger["information"]}
    start = len(emulator.request_log)
    payload = [event("user:charger:discovered", discovered)]
    assert await post_webhook(ha_client, setup_integration, payload) == 200
    await hass.async_block_till_done()
    assert asset_device(device_registry, setup_integration, charger["id"]) is not None
    assert _polls(emulator, start) == 0


async def test_failed_after_confirmed_is_ignored(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """A command's action is pushed CONFIRMED, then a stale FAILED of the same action arrives
    (a late re-delivery): the confirmation stands, no failure is reported, the switch stays on.

    Kills: updates of an already confirmed action handled again.
    """
    failures = async_capture_events(hass, EVENT_ACTION_FAILED)
    switch = "switch.zaptec_go_charge"
    await hass.services.async_call(
        "switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: switch}, blocking=True
    )
    [action] = [a.data for a in emulator.core.actions.actions.values() if a.asset_id == CHARGER]
    # Completed later than any charger data held: the requested value stays shown meanwhile.
    completed = (dt_util.utcnow() + timedelta(days=1)).isoformat()
    for state in ("CONFIRMED", "FAILED"):
        vendor_action = {**action, "state": state, "completedAt": completed}
        payload = [event("user:vendor-action:updated", vendorAction=vendor_action)]
        assert await post_webhook(ha_client, setup_integration, payload) == 200
        await hass.async_block_till_done()
    assert failures == []
    assert hass.states.get(switch).state == STATE_ON


async def test_refused_command_event_carries_enode_detail(
    hass: HomeAssistant, emulator: Emulator, setup_integration: MockConfigEntry
) -> None:
    """A command Enode refuses (a schedule controls the charger): the failure event carries
    Enode's detail, the sentence that says why, not the problem's short title.

    Kills: the event's failure_detail taken from the title.
    """
    failures = async_capture_events(hass, EVENT_ACTION_FAILED)
    emulator.set_schedule_controlled(CHARGER)
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call(
            "switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: "switch.zaptec_go_charge"}, blocking=True
        )
    await hass.async_block_till_done()
    assert [event.data["failure_detail"] for event in failures] == [
        "The charger is controlled by a schedule. Disable it or use smart override."
    ]

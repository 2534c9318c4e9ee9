"""The safety poll on its own clock, push staleness from heartbeats, one update per delivery."""

from __future__ import annotations

from collections import Counter
import copy
from datetime import timedelta
import json
from typing import Any, cast

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_STATE_CHANGED, STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.enode.const import (
    DOMAIN,
    POLL_INTERVAL_NO_PUSH,
    POLL_INTERVAL_PUSH,
    PUSH_QUEUEING_AFTER,
    PUSH_STALE_AFTER,
    PUSH_STALE_MAX,
)
from enode_emulator import Emulator

from .conftest import (
    DEMO_USER,
    diagnostics,
    event,
    poll_now,
    post_webhook,
    push_healthy,
    tick,
)
from .platform_helpers import BATTERY, CHARGER, VEHICLE

SAFETY_ROUND = sorted(
    f"GET /users/{DEMO_USER}{path}"
    for path in (
        "",
        "/batteries",
        "/chargers",
        "/hem-systems",
        "/hvacs",
        "/inverters",
        "/locations",
        "/meters",
        "/schedules",
        "/vehicles",
    )
)


# A day and a little: the safety poll is due once a day (plus up to half a second).
DAY = POLL_INTERVAL_PUSH + timedelta(minutes=5)


def made(emulator: Emulator, start: int) -> list[str]:
    """Method and path of every request after `start` (vendor status has its own hourly clock)."""
    return [
        f"{e.method} {e.path}" for e in emulator.request_log[start:] if e.path != "/integrations"
    ]


def schedule_switches(hass: HomeAssistant) -> list[str]:
    """The per-schedule switches Home Assistant shows (one per Enode schedule)."""
    return [e for e in hass.states.async_entity_ids("switch") if "_schedule_" in e]


@pytest.fixture
def enode_client_options() -> dict[str, Any]:
    """Retry GETs without sleeping: here the loop's clock stands still with Home Assistant's.

    Hours of time travel let a kept-alive connection expire; the client's retry would otherwise
    sleep on a clock that never moves.
    """
    return {"retry_base_delay": 0}


def heartbeat(pending: int = 0) -> dict[str, Any]:
    """Enode's periodic heartbeat."""
    return event("system:heartbeat", pendingEvents=pending)


def battery_update(emulator: Emulator, minute: int) -> dict[str, Any]:
    """A pushed battery update, newer each minute."""
    battery = copy.deepcopy(emulator.asset(BATTERY))
    stamp = f"2030-01-0{1 + minute // 1440}T{minute // 60 % 24:02d}:{minute % 60:02d}:00Z"
    battery["lastSeen"] = stamp
    battery["chargeState"].update(batteryLevel=float(minute % 90), lastUpdated=stamp)
    return event("user:battery:updated", battery)


async def healthy_time(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    ha_client: TestClient,
    entry: MockConfigEntry,
    total: timedelta,
) -> None:
    """Let `total` pass with a heartbeat every 5 minutes, so push stays healthy throughout."""
    while total > timedelta(0):
        step = min(total, timedelta(minutes=5))
        await tick(hass, freezer, step)
        total -= step
        assert await post_webhook(ha_client, entry, [heartbeat()]) == 200
        assert await push_healthy(hass, entry)


async def test_safety_round_runs_whatever_push_delivers(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,  # before the setup: its timers run on the frozen clock
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """Deliveries every 5 minutes for a day: the safety poll still runs, once, a day on."""
    start = len(emulator.request_log)
    times: list[int] = []
    for minute in range(5, 24 * 60 + 30, 5):
        before = len(emulator.request_log)
        await tick(hass, freezer, timedelta(minutes=5))
        payload = [heartbeat(), battery_update(emulator, minute)]
        assert await post_webhook(ha_client, setup_integration, payload) == 200
        # Vendor status has its own clock (test_vendor_status.py): not part of the round.
        times.extend([minute] * len(made(emulator, before)))
        assert await push_healthy(hass, setup_integration)
    # One request per list of a full poll (the user, each list, Locations, schedules), no more.
    assert sorted(made(emulator, start)) == SAFETY_ROUND
    # All in one poll, a day after the setup: deliveries never postpone it.
    assert len(set(times)) == 1
    assert times[0] in {24 * 60, 24 * 60 + 5}


async def test_safety_round_keeps_the_newest_and_finds_what_push_lost(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,  # before the setup: its timers run on the frozen clock
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """A vehicle change whose event was lost shows after the round reaches the vehicle list."""
    stored = emulator.core.store.find_asset(VEHICLE).data  # changed without a webhook
    stored["lastSeen"] = "2031-01-01T00:00:00Z"
    stored["chargeState"].update(batteryLevel=42.0, lastUpdated="2031-01-01T00:00:00Z")
    start = len(emulator.request_log)
    await healthy_time(hass, freezer, ha_client, setup_integration, DAY)
    assert hass.states.get("sensor.my_model_3_battery").state == "42.0"
    assert sorted(made(emulator, start)) == SAFETY_ROUND  # the round, not a full poll


async def test_safety_round_failure_and_stop(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,  # before the setup: its timers run on the frozen clock
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """A failing safety poll waits a day; push going quiet hands over to full polls."""
    vendors = (await diagnostics(hass, setup_integration))["linked_vendors"]
    emulator.add_fault(path=f"/users/{DEMO_USER}", status=500, count=1)
    start = len(emulator.request_log)
    await healthy_time(hass, freezer, ha_client, setup_integration, DAY)
    assert made(emulator, start) == [f"GET /users/{DEMO_USER}"]
    # The failure is the safety poll's own: the user stays held, the entities available.
    assert (await diagnostics(hass, setup_integration))["linked_vendors"] == vendors
    assert hass.states.get("sensor.my_model_3_battery").state != STATE_UNAVAILABLE
    await healthy_time(hass, freezer, ha_client, setup_integration, POLL_INTERVAL_PUSH)
    assert sorted(made(emulator, start)[1:]) == SAFETY_ROUND  # the next day, all of it
    # No delivery for longer than PUSH_STALE_AFTER: a full poll now, the 5-minute timer after.
    start = len(emulator.request_log)
    await tick(hass, freezer, PUSH_STALE_AFTER)
    assert not await push_healthy(hass, setup_integration)
    polled = made(emulator, start)
    # Locations only every 30 minutes without push (the safety poll just listed them).
    assert set(SAFETY_ROUND) - {f"GET /users/{DEMO_USER}/locations"} <= set(polled)
    assert polled.count(f"GET /users/{DEMO_USER}") == 1
    start = len(emulator.request_log)
    await tick(hass, freezer, POLL_INTERVAL_NO_PUSH + timedelta(seconds=1))
    assert set(SAFETY_ROUND) - {f"GET /users/{DEMO_USER}/locations"} <= set(made(emulator, start))


async def test_push_goes_stale_after_three_heartbeat_periods(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,  # before the setup: its timers run on the frozen clock
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """The heartbeat period is learnt from the gaps; a gap beyond PUSH_STALE_MAX is not one."""

    async def webhook() -> dict[str, Any]:
        return cast("dict[str, Any]", (await diagnostics(hass, setup_integration))["webhook"])

    assert (await webhook())["stale_after"] == PUSH_STALE_AFTER.total_seconds()
    for _ in range(2):
        await tick(hass, freezer, timedelta(minutes=10))
        assert await post_webhook(ha_client, setup_integration, [heartbeat()]) == 200
    # Learnt: a 10-minute period, stale after three of them.
    assert (await webhook())["stale_after"] == timedelta(minutes=30).total_seconds()
    await tick(hass, freezer, timedelta(minutes=29))
    assert await push_healthy(hass, setup_integration)
    await tick(hass, freezer, timedelta(minutes=2))
    assert not await push_healthy(hass, setup_integration)
    # An outage's gap is not Enode's period.
    await tick(hass, freezer, PUSH_STALE_MAX)
    assert await post_webhook(ha_client, setup_integration, [heartbeat()]) == 200
    assert await push_healthy(hass, setup_integration)
    after = await webhook()
    assert after["stale_after"] == 1800
    assert after["last_heartbeat"] is not None


async def test_queueing_heartbeats_poll_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,  # before the setup: its timers run on the frozen clock
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """Heartbeats with pendingEvents > 0 for PUSH_QUEUEING_AFTER: one full poll, not more."""

    async def queueing_since() -> str | None:
        return cast(
            "str | None", (await diagnostics(hass, setup_integration))["webhook"]["queueing_since"]
        )

    start = len(emulator.request_log)
    # Events delivered with the heartbeat, before it, are not pending any more.
    payload = [battery_update(emulator, 1), heartbeat(pending=1)]
    assert await post_webhook(ha_client, setup_integration, payload) == 200
    assert await queueing_since() is None
    for _ in range(4):
        assert await post_webhook(ha_client, setup_integration, [heartbeat(pending=7)]) == 200
        await hass.async_block_till_done(wait_background_tasks=True)
        await tick(hass, freezer, PUSH_QUEUEING_AFTER / 2 + timedelta(seconds=1))
    assert await queueing_since() is not None
    assert made(emulator, start).count(f"GET /users/{DEMO_USER}") == 1
    assert await push_healthy(hass, setup_integration)
    # Queue drained: a later backlog polls once again.
    assert await post_webhook(ha_client, setup_integration, [heartbeat(pending=0)]) == 200
    assert await queueing_since() is None


async def test_a_100_event_delivery_updates_each_entity_once(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """One coordinator update per delivery, not per event: each entity is written once."""
    writes: Counter[str] = Counter()

    @callback
    def _changed(changed: Event[EventStateChangedData]) -> None:
        writes[changed.data["entity_id"]] += 1

    hass.bus.async_listen(EVENT_STATE_CHANGED, _changed)
    events = []
    for index in range(100):
        vehicle = copy.deepcopy(emulator.asset(VEHICLE))
        stamp = f"2030-01-01T00:{index // 60:02d}:{index % 60:02d}Z"
        vehicle["lastSeen"] = stamp
        vehicle["chargeState"].update(batteryLevel=10.0 + index % 80, lastUpdated=stamp)
        events.append(event("user:vehicle:updated", vehicle))
    body = json.dumps(events)
    assert await post_webhook(ha_client, setup_integration, json.loads(body)) == 200
    await hass.async_block_till_done()
    # The battery level differs in every event: one update per event would write it 100 times.
    assert writes["sensor.my_model_3_battery"] == 1
    assert hass.states.get("sensor.my_model_3_battery").state == "29.0"
    assert max(writes.values()) == 1


async def test_safety_steps_follow_enode(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """The safety poll merges what changed: a user, a schedule, HEM turned off; bad credentials."""
    user = emulator.core.store.users[DEMO_USER]
    user.linked_vendors = [v for v in user.linked_vendors if v["vendorType"] != "hvac"]
    emulator.add_fault(path=f"/users/{DEMO_USER}/hem-systems", status=403, count=1)
    # A schedule made in another app (no event) shows with the safety poll.
    body = {
        "targetType": "charger",
        "targetId": CHARGER,
        "locationId": None,
        "defaultShouldCharge": False,
        "rules": [],
    }
    emulator.core.schedules.create(DEMO_USER, body)
    held = len(schedule_switches(hass))
    start = len(emulator.request_log)
    await healthy_time(hass, freezer, ha_client, setup_integration, DAY)
    vendors = (await diagnostics(hass, setup_integration))["linked_vendors"]
    assert vendors
    assert "hvac" not in {v["vendor_type"] for v in vendors}
    # 403: HEM is not enabled any more.
    assert [e.status for e in emulator.request_log[start:] if "hem-systems" in e.path] == [403]
    assert len(schedule_switches(hass)) == held + 1
    # Neither the next safety poll nor a full poll asks for HEM systems again.
    start = len(emulator.request_log)
    await healthy_time(hass, freezer, ha_client, setup_integration, POLL_INTERVAL_PUSH)
    await poll_now(hass, "sensor.my_model_3_battery")
    assert f"GET /users/{DEMO_USER}/batteries" in made(emulator, start)
    assert not any("hem-systems" in request for request in made(emulator, start))
    # Credentials refused during the safety poll: reauthentication, and no more safety polls.
    emulator.expire_tokens()
    emulator.add_fault(path="/oauth2/token", status=401, count=5)
    await healthy_time(hass, freezer, ha_client, setup_integration, POLL_INTERVAL_PUSH)
    flows = hass.config_entries.flow.async_progress_by_handler("enode")
    assert [f["context"]["source"] for f in flows] == ["reauth"]
    start = len(emulator.request_log)
    await healthy_time(hass, freezer, ha_client, setup_integration, POLL_INTERVAL_PUSH)
    assert not [m for m in made(emulator, start) if m.startswith("GET /users/")]


async def test_credentials_issue_survives_later_pushes(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """A lost vendor link in a delivery stays raised through the next pushed updates."""
    issue_id = f"credentials_invalidated_{setup_integration.entry_id}_HUAWEI"
    payload = [event("user:credentials:invalidated", vendor="HUAWEI")]
    assert await post_webhook(ha_client, setup_integration, payload) == 200
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    assert await post_webhook(ha_client, setup_integration, [battery_update(emulator, 1)]) == 200
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None


async def test_no_safety_round_when_polling_is_disabled(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emulator: Emulator,
    ha_client: TestClient,
    config_entry: MockConfigEntry,
) -> None:
    """Home Assistant's "Enable polling for changes" off: push only, no safety round."""
    hass.config_entries.async_update_entry(config_entry, pref_disable_polling=True)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    start = len(emulator.request_log)
    await healthy_time(hass, freezer, ha_client, config_entry, DAY)
    assert made(emulator, start) == []


async def test_a_refused_list_waits_for_the_next_round(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """A 403 on a device list (not HEM) fails that safety poll only: the next day asks again."""
    emulator.add_fault(path=f"/users/{DEMO_USER}/batteries", status=403, count=1)
    start = len(emulator.request_log)
    await healthy_time(hass, freezer, ha_client, setup_integration, DAY)
    assert made(emulator, start) == [
        f"GET /users/{DEMO_USER}",
        f"GET /users/{DEMO_USER}/batteries",
    ]
    assert hass.states.get("sensor.my_model_3_battery").state != STATE_UNAVAILABLE
    await healthy_time(hass, freezer, ha_client, setup_integration, POLL_INTERVAL_PUSH)
    assert sorted(made(emulator, start)[2:]) == SAFETY_ROUND
    # Batteries are still polled (a HEM-style 403 would have dropped them).
    start = len(emulator.request_log)
    await poll_now(hass, "sensor.my_model_3_battery")
    assert f"GET /users/{DEMO_USER}/batteries" in made(emulator, start)

"""Property-based tests of the coordinator merge and of a delivery's batch, in Home Assistant.

Hypothesis drives the synchronous callbacks (the coordinator's merge, the webhook manager's batch)
inside the running test loop, with bounded examples so the file runs in seconds.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
import json
from typing import Any
from unittest.mock import patch

from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from hypothesis import HealthCheck, given, settings, strategies as st
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.enode.api import Asset, AssetType, parse_asset, parse_events
from custom_components.enode.coordinator import Poll
from enode_emulator import Emulator

from .conftest import DEMO_USER, event
from .platform_helpers import BATTERY, CHARGER, INVERTER, METER, VEHICLE

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
BASE = datetime(2030, 1, 1, tzinfo=UTC)
ASSETS = {VEHICLE: AssetType.VEHICLE, BATTERY: AssetType.BATTERY, METER: AssetType.METER}


def stamp(minutes: int) -> str:
    """A lastUpdated this many minutes after BASE."""
    return (BASE + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def version(raw: dict[str, Any], minutes: int) -> dict[str, Any]:
    """A copy of an asset object whose every timestamp is `minutes` after BASE."""
    asset = copy.deepcopy(raw)
    asset["lastSeen"] = stamp(minutes)
    for value in asset.values():
        if isinstance(value, dict) and "lastUpdated" in value:
            value["lastUpdated"] = stamp(minutes)
    return asset


# One step: ("push", asset id, minutes) or ("poll", asset type, {asset id: minutes}).
pushes = st.tuples(st.just("push"), st.sampled_from(sorted(ASSETS)), st.integers(0, 500))
polls = st.tuples(
    st.just("poll"),
    st.sampled_from(sorted(set(ASSETS.values()))),
    st.fixed_dictionaries({asset_id: st.integers(0, 500) for asset_id in sorted(ASSETS)}),
)
steps = st.lists(pushes | polls, min_size=1, max_size=12)


async def test_merge_keeps_the_newest_whatever_the_order(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """Any sequence of pushes and polls leaves each asset at the newest lastUpdated seen."""
    # Property test of the coordinator's merge rules: thousands of sequences, no HTTP each.
    coordinator = setup_integration.runtime_data.coordinator
    raw = {asset_id: emulator.asset(asset_id) for asset_id in ASSETS}
    start = coordinator.data
    runs: list[int] = []

    def parsed(asset_id: str, minutes: int) -> Asset:
        return parse_asset(ASSETS[asset_id], version(raw[asset_id], minutes))

    def play(sequence: list[Any]) -> dict[str, datetime | None]:
        coordinator.async_set_updated_data(start)
        for kind, what, when in sequence:
            if kind == "push":
                coordinator.async_apply_asset(parsed(what, when))
            else:
                polled = {
                    asset_id: parsed(asset_id, minutes)
                    for asset_id, minutes in when.items()
                    if ASSETS[asset_id] is what
                }
                held = coordinator.data
                coordinator.async_apply_poll(
                    Poll(start.user, polled, (what,), None, held.schedules, {})
                )
        return {a: coordinator.data.assets[a].last_updated for a in ASSETS}

    @PROPERTY
    @given(steps, st.randoms(use_true_random=False))
    def check(sequence: list[Any], random: Any) -> None:
        newest: dict[str, datetime | None] = {a: start.assets[a].last_updated for a in ASSETS}
        for kind, what, when in sequence:
            seen = (
                [(what, when)]
                if kind == "push"
                else [(a, m) for a, m in when.items() if ASSETS[a] is what]
            )
            for asset_id, minutes in seen:
                moment = BASE + timedelta(minutes=minutes)
                current = newest[asset_id]
                newest[asset_id] = moment if current is None else max(current, moment)
        runs.append(len(sequence))
        assert play(sequence) == newest
        shuffled = list(sequence)
        random.shuffle(shuffled)
        assert play(shuffled) == newest  # whatever the order
        # Assets of types no step touched are still there, untouched.
        assert coordinator.data.assets[INVERTER] is start.assets[INVERTER]

    check()
    assert runs  # Hypothesis really played sequences
    coordinator.async_set_updated_data(start)


# One event of a batch: (kind, asset id, minutes).
BATCH_KINDS = ["update", "impostor", "foreign", "unknown", "failing"]
batch_events = st.tuples(
    st.sampled_from(BATCH_KINDS), st.sampled_from([BATTERY, METER]), st.integers(0, 500)
)


async def test_batch_events_are_applied_or_individually_rejected(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """Every event of a batch is applied or counted as rejected; none stops the others."""
    # Property test of the intake's batch rules, applied in-process for speed.
    data = setup_integration.runtime_data
    manager, coordinator = data.webhook, data.coordinator
    raw = {asset_id: emulator.asset(asset_id) for asset_id in (BATTERY, METER, CHARGER)}
    played: list[int] = []
    failing = event(
        "user:vendor-action:updated",
        vendorAction={"id": "x", "state": "CONFIRMED", "kind": "START"},
    )

    def body_of(item: tuple[str, str, int]) -> dict[str, Any]:
        kind, asset_id, minutes = item
        kind_name = str(ASSETS[asset_id])
        if kind == "update":
            return event(f"user:{kind_name}:updated", version(raw[asset_id], minutes))
        if kind == "impostor":  # a known id under another type
            charger = version(raw[CHARGER], minutes + 10_000)
            charger["id"] = asset_id
            return event("user:charger:updated", charger)
        if kind == "foreign":
            other = event(f"user:{kind_name}:updated", version(raw[asset_id], minutes + 10_000))
            other["user"] = {"id": f"not-{DEMO_USER}"}
            return other
        if kind == "unknown":
            return event("user:spaceship:launched")
        return failing

    @PROPERTY
    @given(st.lists(batch_events, min_size=1, max_size=10))
    def check(batch: list[tuple[str, str, int]]) -> None:
        played.append(len(batch))
        before = {a: coordinator.data.assets[a].last_updated for a in (BATTERY, METER)}
        health = copy.copy(manager.health)
        events = parse_events(json.dumps([body_of(item) for item in batch]).encode())
        with patch.object(data.actions, "async_handle_action", side_effect=RuntimeError("x")):
            manager.async_apply_events(events, "property")
        expected = dict(before)
        updates = 0
        for kind, asset_id, minutes in batch:
            if kind == "update":
                moment = BASE + timedelta(minutes=minutes)
                current = expected[asset_id]
                if current is not None and moment < current:
                    continue
                expected[asset_id] = moment
                updates += 1
        after = manager.health
        assert {a: coordinator.data.assets[a].last_updated for a in (BATTERY, METER)} == expected
        count = {kind: sum(1 for k, _, _ in batch if k == kind) for kind in BATCH_KINDS}
        assert after.mismatched_events - health.mismatched_events == count["impostor"]
        assert after.foreign_user_events - health.foreign_user_events == count["foreign"]
        assert after.ignored_events - health.ignored_events == count["unknown"]
        assert after.failed_events - health.failed_events == count["failing"]
        stale = after.stale_events - health.stale_events
        assert updates + stale == count["update"]  # applied, or rejected as older
        # The held assets keep their own types whatever came in.
        assert coordinator.data.assets[BATTERY].asset_type is AssetType.BATTERY
        assert coordinator.data.assets[METER].asset_type is AssetType.METER

    check()
    assert len(played) >= 20
    assert hass.states.get("sensor.huawei_luna2000_battery").state != "unavailable"

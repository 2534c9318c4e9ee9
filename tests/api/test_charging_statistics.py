"""EnodeClient's charging statistics and sessions against the emulator (SMART.md 9)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from aioenode import (
    AssetType,
    ChargingSession,
    ChargingStatisticsBucket,
    EnodeBadRequestError,
    EnodeClient,
    EnodeNotFoundError,
    MinMaxMean,
    StatisticsResolution,
)
from enode_emulator import Emulator, EmulatorConfig

USER = "demo-user"
VEHICLE = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b01"
CHARGER = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b02"
SITE = "8d2f7c1e-4b0a-4c1e-9a51-0d3f5b6e7a01"
NOW = datetime(2025, 6, 15, 12, tzinfo=UTC)


@pytest.fixture
async def emulator(socket_enabled: None) -> AsyncIterator[Emulator]:
    """The demo household with 20 days of fabricated charging history."""
    emu = Emulator(EmulatorConfig(scenario="demo", seed=3, speed=0, start_time=NOW))
    await emu.start(host="127.0.0.1", port=0)
    assert emu.seed_charging_history(USER, 20) > 0
    yield emu
    await emu.stop()


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[EnodeClient]:
    """A client of the emulator."""
    async with aiohttp.ClientSession() as session:
        yield EnodeClient(
            session,
            emulator.client_id,
            emulator.client_secret,
            api_url=emulator.base_url,
            token_url=emulator.token_url,
            retry_base_delay=0,
        )


async def test_buckets_and_sessions_agree(client: EnodeClient, emulator: Emulator) -> None:
    """Hourly buckets of a vehicle add up to its sessions; typed members, savings when smart."""
    start = NOW - timedelta(days=20)
    buckets = await client.get_charging_statistics(
        USER,
        asset_type=AssetType.VEHICLE,
        asset_id=VEHICLE,
        start=start,
        end=NOW,
        resolution=StatisticsResolution.HOUR,
    )
    assert buckets
    assert all(isinstance(b, ChargingStatisticsBucket) for b in buckets)
    assert all(b.date is not None and b.date.minute == 0 for b in buckets)
    assert all(b.kwh_sum and b.kwh_sum > 0 for b in buckets)
    assert all(b.price.mean is not None and b.cost_sum is not None for b in buckets)
    smart = [b for b in buckets if b.estimated_savings is not None]
    plain = [b for b in buckets if b.estimated_savings is None]
    assert smart
    assert plain
    assert all(b.non_smart_price == MinMaxMean(None, None, None) for b in plain)
    assert all((b.non_smart_price_mean or 0) > (b.price_mean or 0) for b in smart)

    sessions = await client.get_charging_sessions(
        USER, asset_type=AssetType.VEHICLE, start=start, location_id=SITE
    )
    assert all(isinstance(s, ChargingSession) for s in sessions)
    assert {(s.asset_id, s.location_id) for s in sessions} == {(VEHICLE, SITE)}
    assert all(s.start and s.end and s.start < s.end for s in sessions)
    assert sum(s.kwh_sum or 0 for s in sessions) == pytest.approx(
        sum(b.kwh_sum or 0 for b in buckets), abs=0.01
    )
    daily = await client.get_charging_statistics(USER, asset_type=AssetType.CHARGER, start=start)
    assert sum(b.kwh_sum or 0 for b in daily) == pytest.approx(
        sum(b.kwh_sum or 0 for b in buckets), abs=0.01
    )
    # The query in Enode's date-time format, with only the filters that were given.
    queries = [e.path for e in emulator.request_log if "statistics" in e.path]
    assert queries == [
        f"/users/{USER}/statistics/charging",
        f"/users/{USER}/statistics/charging/sessions",
        f"/users/{USER}/statistics/charging",
    ]


async def test_errors(client: EnodeClient) -> None:
    """An id of another type is 404; a window ending before it starts is 400."""
    with pytest.raises(EnodeNotFoundError):
        await client.get_charging_sessions(
            USER, asset_type=AssetType.VEHICLE, asset_id=CHARGER, start=NOW
        )
    with pytest.raises(EnodeBadRequestError):
        await client.get_charging_statistics(
            USER, asset_type=AssetType.HVAC, start=NOW, end=NOW - timedelta(days=1)
        )


def test_models_tolerate_missing_members() -> None:
    """Null, missing or non-numeric members parse as None."""
    bucket = ChargingStatisticsBucket.from_dict(
        {"kw": None, "price": {"min": "1", "max": 2}, "nonSmartPrice": [], "kwhSum": True}
    )
    assert bucket.kw == MinMaxMean(None, None, None)
    assert bucket.price == MinMaxMean(None, 2.0, None)
    assert (bucket.kwh_sum, bucket.date, bucket.kw_min, bucket.kw_mean) == (None, None, None, None)
    session = ChargingSession.from_dict({"id": 5, "from": "never"})
    assert (session.asset_id, session.start, session.end, session.kwh_sum) == (None,) * 4
    assert session.estimated_savings is None

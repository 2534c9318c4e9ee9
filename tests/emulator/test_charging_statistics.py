"""Charging sessions and charging statistics (SMART.md 9)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import pickle
from typing import Any

import pytest

from enode_emulator import Emulator
from enode_emulator.charging import bucket_start
from enode_emulator.models import DEFAULT_PRICES

from .conftest import CHARGER, HVAC, USER, VEHICLE, Api, make_config

STATS = f"/users/{USER}/statistics/charging"
SESSIONS = f"{STATS}/sessions"
SITE = "8d2f7c1e-4b0a-4c1e-9a51-0d3f5b6e7a01"
BUCKET_KEYS = {"kw", "kwhSum", "price", "nonSmartPrice", "costSum", "estimatedSavings", "date"}
SESSION_KEYS = BUCKET_KEYS - {"date"} | {"id", "locationId", "from", "to"}
RATE = 11.04  # the demo charger: 16 A on three phases


def _params(**extra: str) -> dict[str, str]:
    return {"startDate": "2025-06-01T00:00:00.000Z", **extra}


async def _charge_charger(api: Api, emulator: Emulator, hours: float) -> None:
    await api.post(f"/chargers/{CHARGER}/charging", {"action": "START"})
    await emulator.advance(hours * 3600)
    await api.authenticate()  # tokens live an hour
    await api.post(f"/chargers/{CHARGER}/charging", {"action": "STOP"})


async def test_live_session_energy_price_and_delay(api: Api, emulator: Emulator) -> None:
    """Two hours at 11.04 kW from 12:00 Oslo: two hourly buckets priced by the curve."""
    await _charge_charger(api, emulator, 2)
    await emulator.advance(600)
    # Ended ten minutes ago: the session is not listed yet, nor its last quarter hour.
    assert await api.get(SESSIONS, params=_params(type="charger")) == []
    early = await api.get(STATS, params=_params(type="charger", resolution="HOUR"))
    assert [b["kwhSum"] for b in early] == [pytest.approx(RATE), pytest.approx(RATE * 0.75)]
    await emulator.advance(300)
    buckets = await api.get(STATS, params=_params(type="charger", resolution="HOUR"))
    assert [set(bucket) for bucket in buckets] == [BUCKET_KEYS, BUCKET_KEYS]
    assert [bucket["date"] for bucket in buckets] == [
        "2025-06-01T10:00:00.000Z",
        "2025-06-01T11:00:00.000Z",
    ]
    for bucket, local_hour in zip(buckets, (12, 13), strict=True):
        price = DEFAULT_PRICES[local_hour]
        assert bucket["kwhSum"] == pytest.approx(RATE)
        assert bucket["kw"] == {"min": RATE, "max": RATE, "mean": RATE}
        assert bucket["price"] == {"min": price, "max": price, "mean": price}
        assert bucket["costSum"] == pytest.approx(RATE * price, abs=1e-3)
        # Not smart charged: nothing to compare with, no saving.
        assert bucket["nonSmartPrice"] == {"min": None, "max": None, "mean": None}
        assert bucket["estimatedSavings"] is None
    # The vehicle itself did not charge (the demo charger and vehicle are separate assets).
    assert await api.get(STATS, params=_params(type="vehicle", resolution="HOUR")) == []

    sessions = await api.get(SESSIONS, params=_params(type="charger"))
    assert len(sessions) == 1
    session = sessions[0]
    assert set(session) == SESSION_KEYS
    assert (session["id"], session["locationId"]) == (CHARGER, SITE)
    assert (session["from"], session["to"]) == (
        "2025-06-01T10:00:00.000Z",
        "2025-06-01T12:00:00.000Z",
    )
    assert session["kwhSum"] == pytest.approx(2 * RATE)
    day = await api.get(STATS, params=_params(type="charger"))  # DAY is the default
    assert [(b["date"], b["kwhSum"]) for b in day] == [
        ("2025-06-01T00:00:00.000Z", pytest.approx(2 * RATE))
    ]
    assert day[0]["price"]["min"] == DEFAULT_PRICES[13]
    assert day[0]["price"]["max"] == DEFAULT_PRICES[12]


async def test_session_filters(api: Api, emulator: Emulator) -> None:
    """Sessions intersect [startDate, endDate]; the Location and id filters apply."""
    await _charge_charger(api, emulator, 1)
    await emulator.advance(1200)
    assert len(await api.get(SESSIONS, params=_params(type="charger", id=CHARGER))) == 1
    # Intersecting: a window inside the session, and one touching its end.
    inside = {"startDate": "2025-06-01T10:20:00Z", "endDate": "2025-06-01T10:40:00Z"}
    assert len(await api.get(SESSIONS, params={**inside, "type": "charger"})) == 1
    later = {"startDate": "2025-06-01T11:10:00Z", "type": "charger"}
    assert await api.get(SESSIONS, params=later) == []
    earlier = {"startDate": "2025-05-31T00:00:00Z", "endDate": "2025-06-01T09:00:00Z"}
    assert await api.get(SESSIONS, params={**earlier, "type": "charger"}) == []
    other = _params(type="charger", locationId="3f9b5a0e-0000-4000-8000-000000000000")
    assert await api.get(SESSIONS, params=other) == []
    assert await api.get(STATS, params=other) == []
    here = await api.get(STATS, params=_params(type="charger", locationId=SITE))
    assert here[0]["kwhSum"] == pytest.approx(RATE)
    # endDate bounds the buckets.
    cut = {**_params(type="charger", resolution="QUARTER_HOUR"), "endDate": "2025-06-01T10:30:00Z"}
    assert [b["date"][11:16] for b in await api.get(STATS, params=cut)] == ["10:00", "10:15"]


async def test_smart_charging_saves(api: Api, emulator: Emulator) -> None:
    """A plan that charges at night costs less than charging at once: savings per bucket."""
    policy = {"isEnabled": True, "deadline": "07:00"}
    status, body, _ = await api.call(
        "PUT", f"/vehicles/{VEHICLE}/smart-charging-policy", json=policy
    )
    assert status == 200, body
    await emulator.advance(20 * 3600)
    await api.authenticate()
    buckets = await api.get(STATS, params=_params(type="vehicle", resolution="HOUR"))
    assert buckets
    total = sum(b["kwhSum"] for b in buckets)
    assert total == pytest.approx(0.26 * 75, rel=0.05)  # 54 % -> 80 % of 75 kWh
    for bucket in buckets:
        assert bucket["nonSmartPrice"]["mean"] > bucket["price"]["mean"]
        assert bucket["estimatedSavings"] == pytest.approx(
            bucket["kwhSum"] * (bucket["nonSmartPrice"]["mean"] - bucket["price"]["mean"]),
            abs=0.01,
        )
    sessions = await api.get(SESSIONS, params=_params(type="vehicle"))
    assert sessions
    assert sum(s["estimatedSavings"] for s in sessions) == pytest.approx(
        sum(b["estimatedSavings"] for b in buckets), abs=0.01
    )


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"type": "vehicle"}, '"startDate" is required'),
        ({"startDate": "yesterday", "type": "vehicle"}, "ISO 8601"),
        ({"startDate": "2025-06-01T00:00:00Z"}, '"type" is required'),
        ({"startDate": "2025-06-01T00:00:00Z", "type": "battery"}, '"type" must be one of'),
        (
            {"startDate": "2025-06-01T00:00:00Z", "type": "vehicle", "resolution": "MINUTE"},
            '"resolution" must be one of',
        ),
        (
            {"startDate": "2025-06-01T00:00:00Z", "type": "vehicle", "utcOffset": "two"},
            '"utcOffset" must be a number',
        ),
        (
            {"startDate": "2025-06-01T00:00:00Z", "type": "vehicle", "utcOffset": "20"},
            "between -14 and 14",
        ),
        (
            {
                "startDate": "2025-06-01T00:00:00Z",
                "endDate": "2025-05-01T00:00:00Z",
                "type": "hvac",
            },
            "must not be before",
        ),
    ],
)
async def test_bad_queries(api: Api, params: dict[str, str], detail: str) -> None:
    """Missing or invalid parameters: 400 problems in the emulator's format."""
    status, body, headers = await api.call("GET", STATS, params=params)
    assert status == 400
    assert headers["Content-Type"].startswith("application/problem+json")
    assert body["type"] == "https://developers.enode.com/problems/bad-request"
    assert body["title"] == "Payload validation failed"
    assert detail in body["detail"]


async def test_id_must_match_type(api: Api) -> None:
    """An id of another type (or unknown) is 404 Asset not found; an unknown user 404."""
    for path in (STATS, SESSIONS):
        status, body, _ = await api.call("GET", path, params=_params(type="vehicle", id=CHARGER))
        assert (status, body["title"]) == (404, "Asset not found")
        status, body, _ = await api.call("GET", path, params=_params(type="hvac", id="nope"))
        assert (status, body["title"]) == (404, "Asset not found")
    status, _, _ = await api.call(
        "GET", "/users/nobody/statistics/charging", params=_params(type="vehicle")
    )
    assert status == 404


async def test_hvac_consumption(api: Api, emulator: Emulator) -> None:
    """HVAC statistics come from the same physics (the demo heat pump draws power)."""
    emulator.patch_asset(HVAC, {"thermostatState": {"mode": "HEAT", "heatSetpoint": 30}})
    await emulator.advance(3600)
    await api.authenticate()
    buckets = await api.get(STATS, params=_params(type="hvac", id=HVAC, resolution="HOUR"))
    assert buckets
    assert buckets[0]["kwhSum"] > 0


async def _seeded(api: Api, days: int = 30) -> int:
    body = await api.post(f"/_emulator/users/{USER}/charging-history", {"days": days})
    return int(body["sessions"])


async def test_seeded_history_resolutions(api: Api) -> None:
    """Fabricated sessions: totals agree at every resolution; utcOffset moves days only."""
    assert await _seeded(api) > 10
    start = {"startDate": "2025-04-01T00:00:00Z", "type": "vehicle"}
    totals = {}
    for resolution in ("QUARTER_HOUR", "HALF_HOUR", "HOUR", "DAY", "WEEK", "MONTH", "YEAR"):
        buckets = await api.get(STATS, params={**start, "resolution": resolution})
        totals[resolution] = sum(b["kwhSum"] for b in buckets)
        dates = [datetime.fromisoformat(b["date"]) for b in buckets]
        assert dates == sorted(dates)
        if resolution == "WEEK":
            assert {d.weekday() for d in dates} == {0}
        if resolution == "MONTH":
            assert {d.day for d in dates} == {1}
        if resolution == "YEAR":
            assert dates == [datetime(2025, 1, 1, tzinfo=UTC)]
    assert max(totals.values()) == pytest.approx(min(totals.values()), abs=0.01)
    assert totals["DAY"] > 100
    shifted = await api.get(STATS, params={**start, "utcOffset": "2"})
    assert {b["date"][11:] for b in shifted} == {"22:00:00.000Z"}
    assert sum(b["kwhSum"] for b in shifted) == pytest.approx(totals["DAY"], abs=0.01)
    # No effect at HOUR and finer (SMART.md 9.1).
    hourly = await api.get(STATS, params={**start, "resolution": "HOUR", "utcOffset": "2"})
    assert {b["date"][14:] for b in hourly} == {"00:00.000Z"}
    # Smart sessions save, the others have no saving.
    sessions = await api.get(SESSIONS, params=start)
    savings = [s["estimatedSavings"] for s in sessions]
    assert any(s is None for s in savings)
    assert any(s is not None and s > 0 for s in savings)
    assert all(s["locationId"] == SITE for s in sessions)


async def test_seeding_is_deterministic_and_mirrored_at_the_charger(api: Api) -> None:
    """Same seed, same history; the charger records what the vehicle charged; no duplicates."""
    count = await _seeded(api, 10)
    start = {"startDate": "2025-04-01T00:00:00Z", "resolution": "HOUR"}
    vehicle = await api.get(STATS, params={**start, "type": "vehicle"})
    charger = await api.get(STATS, params={**start, "type": "charger"})
    assert vehicle == charger
    assert await _seeded(api, 10) == count
    assert await api.get(STATS, params={**start, "type": "vehicle"}) == vehicle

    other = Emulator(make_config())
    await other.start()
    try:
        assert other.seed_charging_history(USER, 10) == count
        buckets = other.core.charging.buckets(
            {VEHICLE},
            _query(datetime(2025, 4, 1, tzinfo=UTC), other.core.clock.now()),
            "HOUR",
            0.0,
            other.core.clock.now(),
        )
        assert buckets == vehicle
    finally:
        await other.stop()
    first = datetime.fromisoformat(vehicle[0]["date"])
    assert first >= datetime(2025, 5, 22, 10, tzinfo=UTC)  # within the ten days


def _query(start: datetime, end: datetime) -> Any:
    from enode_emulator.charging import ChargingQuery  # noqa: PLC0415

    return ChargingQuery(start, end, "vehicle", None, None)


@pytest.mark.parametrize("days", [0, 400, "7", True, None])
async def test_seeding_validation(api: Api, days: Any) -> None:
    """`days` must be a whole number of days from 1 to 366; the user must exist."""
    status, body, _ = await api.call(
        "POST", f"/_emulator/users/{USER}/charging-history", json={"days": days}
    )
    assert status == 400
    assert "'days'" in body["detail"]
    status, _, _ = await api.call(
        "POST", "/_emulator/users/nobody/charging-history", json={"days": 3}
    )
    assert status == 404


async def test_removed_asset_and_saved_state(api: Api, emulator: Emulator) -> None:
    """A removed asset's sessions go with it; a state saved before sessions existed loads."""
    await _seeded(api, 5)
    core = emulator.core
    assert any(s.asset_id == CHARGER for s in core.charging.sessions)
    restored = pickle.loads(pickle.dumps(core))  # noqa: S301 - our own bytes
    assert len(restored.charging.sessions) == len(core.charging.sessions)
    emulator.remove_asset(CHARGER)
    assert not any(s.asset_id == CHARGER for s in core.charging.sessions)
    state = dict(core.__dict__)
    del state["charging"]
    old = object.__new__(type(core))
    old.__setstate__(state)
    assert old.charging.sessions == []


def test_bucket_start() -> None:
    """Bucket starts in UTC, or at local midnight of a fixed offset for DAY and coarser."""
    moment = datetime(2025, 6, 4, 23, 40, tzinfo=UTC)  # a Wednesday
    assert bucket_start(moment, "QUARTER_HOUR") == moment.replace(minute=30)
    assert bucket_start(moment, "HALF_HOUR") == moment.replace(minute=30)
    assert bucket_start(moment, "HOUR") == moment.replace(minute=0)
    assert bucket_start(moment, "DAY") == datetime(2025, 6, 4, tzinfo=UTC)
    assert bucket_start(moment, "DAY", 2.0) == datetime(2025, 6, 4, 22, tzinfo=UTC)
    assert bucket_start(moment, "WEEK") == datetime(2025, 6, 2, tzinfo=UTC)
    assert bucket_start(moment, "MONTH", -1.5) == datetime(2025, 6, 1, 1, 30, tzinfo=UTC)
    assert bucket_start(moment, "YEAR") == datetime(2025, 1, 1, tzinfo=UTC)
    assert bucket_start(moment + timedelta(hours=1), "DAY") == datetime(2025, 6, 5, tzinfo=UTC)


async def test_no_price_area(api: Api, emulator: Emulator) -> None:
    """A Location without prices: energy is recorded, prices are 0 and nothing is paid."""
    emulator.set_prices(SITE, None)
    await _charge_charger(api, emulator, 1)
    await emulator.advance(1200)
    buckets = await api.get(STATS, params=_params(type="charger"))
    assert buckets[0]["kwhSum"] == pytest.approx(RATE)
    # The spec's price aggregates are numbers: 0 without any price.
    assert buckets[0]["price"] == {"min": 0.0, "max": 0.0, "mean": 0.0}
    assert buckets[0]["costSum"] == 0


async def test_moving_while_charging_splits_the_session(api: Api, emulator: Emulator) -> None:
    """A session belongs to one Location: leaving it (still charging) starts another."""
    await api.post(f"/chargers/{CHARGER}/charging", {"action": "START"})
    await emulator.advance(1800)
    emulator.core.store.find_asset(CHARGER).data["location"]["id"] = None
    await emulator.advance(1800)
    await api.authenticate()
    await api.post(f"/chargers/{CHARGER}/charging", {"action": "STOP"})
    await emulator.advance(1200)
    sessions = await api.get(SESSIONS, params=_params(type="charger"))
    assert [s["locationId"] for s in sessions] == [SITE, None]
    assert sessions[1]["price"]["mean"] is not None  # priced at its household

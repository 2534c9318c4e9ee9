"""HEM system and inverter statistics."""

from __future__ import annotations

import pytest

from enode_emulator import Emulator

from .conftest import HEM, INVERTER, Api, make_config


async def test_day_statistics(api: Api, emulator: Emulator) -> None:
    await emulator.advance(3 * 3600)  # 13:00 UTC = 15:00 Oslo
    await api.authenticate()
    body = await api.get(f"/hem-systems/{HEM}/statistics", params={"interval": "2025-06-01"})
    series = body["timeseries"]
    assert set(series) == {
        "generation",
        "consumption",
        "import",
        "export",
        "batteryLevel",
        "charge",
        "discharge",
    }
    generation = series["generation"]
    assert generation["isAvailable"] is True
    assert (generation["unit"], generation["unitType"]) == ("kW", "Power")
    assert generation["sampling"] == {"mode": "bucketed", "resolution": "PT5M"}
    assert generation["timezone"] == "Europe/Oslo"
    data = generation["data"]
    assert len(data) == 288
    assert data[0]["t"] == "2025-06-01T00:00:00+02:00"
    assert data[-1]["t"] == "2025-06-01T23:55:00+02:00"
    values = [item["v"] for item in data]
    assert values[-1] is None  # future
    assert values[0] == 0.0  # night
    assert max(v for v in values if v is not None) > 1
    # Balance: import - export == consumption - generation + charge - discharge.
    for index in (30, 150, 170):
        v = {key: series[key]["data"][index]["v"] for key in series}
        if v["generation"] is None:
            continue
        assert v["import"] - v["export"] == pytest.approx(
            v["consumption"] - v["generation"] + v["charge"] - v["discharge"], abs=0.02
        )
    level = series["batteryLevel"]
    assert level["unit"] == "%"
    assert 0 <= level["data"][100]["v"] <= 100


async def test_month_statistics_and_errors(api: Api, emulator: Emulator) -> None:
    body = await api.get(f"/hem-systems/{HEM}/statistics", params={"interval": "2025-05"})
    series = body["timeseries"]
    assert series["batteryLevel"]["isAvailable"] is False
    assert series["batteryLevel"]["reason"]
    consumption = series["consumption"]
    assert (consumption["unit"], consumption["unitType"]) == ("kWh", "Energy")
    assert consumption["sampling"]["resolution"] == "P1D"
    assert len(consumption["data"]) == 31
    assert all(item["v"] > 0 for item in consumption["data"])
    current = await api.get(f"/hem-systems/{HEM}/statistics", params={"interval": "2025-06"})
    assert current["timeseries"]["generation"]["data"][5]["v"] is None
    for interval in ("2025-13-01", "2030-01-01", "2020-01", "yesterday", None):
        params = {"interval": interval} if interval else {}
        status, problem, _ = await api.call("GET", f"/hem-systems/{HEM}/statistics", params=params)
        assert status == 400, interval
        assert problem["title"] == "Bad Request"
    assert (await api.call("GET", "/hem-systems/nope/statistics", params={"interval": "2025-05"}))[
        0
    ] == 404


async def test_statistics_deterministic_for_seed() -> None:
    results = []
    for _ in range(2):
        emu = Emulator(make_config())
        await emu.start()
        try:
            import aiohttp  # noqa: PLC0415

            from .conftest import Api as Client  # noqa: PLC0415

            async with aiohttp.ClientSession() as session:
                client = Client(emu, session)
                await client.authenticate()
                results.append(
                    await client.get(
                        f"/hem-systems/{HEM}/statistics", params={"interval": "2025-05-20"}
                    )
                )
        finally:
            await emu.stop()
    assert results[0] == results[1]


async def test_unavailable_series_and_faults(api: Api, emulator: Emulator) -> None:
    hem = emulator.core.store.find_asset(HEM)
    hem.sim["statisticsUnavailable"] = ["import"]
    body = await api.get(f"/hem-systems/{HEM}/statistics", params={"interval": "2025-05-20"})
    assert body["timeseries"]["import"] == {
        "isAvailable": False,
        "reason": "No data available for this timeseries for this interval",
    }
    for status in (422, 503):
        hem.sim["statisticsFault"] = status
        assert (
            await api.call(
                "GET", f"/hem-systems/{HEM}/statistics", params={"interval": "2025-05-20"}
            )
        )[0] == status


async def test_scenario_statistics_flags() -> None:
    import copy  # noqa: PLC0415

    from enode_emulator.core import Core  # noqa: PLC0415
    from enode_emulator.scenario import DEMO  # noqa: PLC0415

    scenario = copy.deepcopy(DEMO)
    scenario["users"][0]["hemSystem"]["statisticsFault"] = 503
    core = Core(make_config(scenario=scenario))
    assert core.store.find_asset(HEM).sim["statisticsFault"] == 503
    await core.webhooks.close()


async def test_recorded_history_is_used(api: Api, emulator: Emulator) -> None:
    await emulator.advance(3600)
    await api.authenticate()
    body = await api.get(f"/hem-systems/{HEM}/statistics", params={"interval": "2025-06-01"})
    index = (12 * 60 + 15) // 5  # 12:15 local = 10:15 UTC, after the simulation start
    generation = body["timeseries"]["generation"]["data"][index]["v"]
    bucket = emulator.core.history.bucket(
        emulator.core.store.find_asset(HEM).site_id,
        int(emulator.core.clock.start.timestamp()) + 900,
    )
    assert bucket is not None
    assert generation == pytest.approx(
        bucket.energy["generation"] * 3600 / bucket.seconds, abs=0.001
    )


async def test_inverter_statistics(api: Api, emulator: Emulator) -> None:
    await emulator.advance(3600)
    await api.authenticate()
    day = await api.get(
        f"/inverters/{INVERTER}/statistics", params={"year": "2025", "month": "5", "day": "31"}
    )
    data = day["resolutions"]["QUARTER_HOUR"]["data"]
    assert len(data) == 96
    assert data[0]["date"] == "2025-05-31T00:00:00+02:00"
    assert data[0]["value"] == 0.0
    assert sum(item["value"] for item in data) > 5
    month = await api.get(
        f"/inverters/{INVERTER}/statistics", params={"year": "2025", "month": "6"}
    )
    days = month["resolutions"]["DAY"]["data"]
    assert len(days) == 30
    assert days[0]["value"] is None  # today is not over yet
    assert days[1]["value"] is None
    for params in ({"year": "2025"}, {"year": "x", "month": "1"}, {"year": "2025", "month": "13"}):
        assert (await api.call("GET", f"/inverters/{INVERTER}/statistics", params=params))[0] == 400
    assert (
        await api.call("GET", "/inverters/nope/statistics", params={"year": "2025", "month": "1"})
    )[0] == 404


async def test_inverter_statistics_202_while_backfilling(api: Api, emulator: Emulator) -> None:
    """2024-10-01: 202 with the partial body and `retryAfter` until the backfill is done."""
    url = f"/inverters/{INVERTER}/statistics"
    params = {"year": "2025", "month": "5", "day": "31"}
    status, _, _ = await api.call(
        "PUT", f"/_emulator/inverters/{INVERTER}/statistics-pending", json={"seconds": 600}
    )
    assert status == 204
    status, body, _ = await api.call("GET", url, params=params)
    assert status == 202
    assert body["retryAfter"] == "2025-06-01T10:10:00.000Z"
    assert len(body["resolutions"]["QUARTER_HOUR"]["data"]) == 96
    await emulator.advance(600)
    await api.authenticate()
    status, body, _ = await api.call("GET", url, params=params)
    assert status == 200
    assert "retryAfter" not in body
    for bad in ({"seconds": -1}, {"seconds": "10"}, {}):
        assert (
            await api.call("PUT", f"/_emulator/inverters/{INVERTER}/statistics-pending", json=bad)
        )[0] == 400
    assert (
        await api.call("PUT", f"/_emulator/inverters/{HEM}/statistics-pending", json={"seconds": 1})
    )[0] == 404

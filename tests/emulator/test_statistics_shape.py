"""The admin statistics shape: late, missing and revised buckets, no sampling, a failing day."""

from __future__ import annotations

from datetime import UTC, datetime

from enode_emulator import Emulator

from .conftest import HEM, INVERTER, Api

# START is 2025-06-01 10:00 UTC (12:00 in Oslo).
DAY = "2025-06-01"


def _by_time(points: list[dict[str, object]], key: str, value: str) -> dict[datetime, object]:
    return {datetime.fromisoformat(str(p[key])).astimezone(UTC): p[value] for p in points}


async def test_inverter_quarter_hours_arrive_late(api: Api) -> None:
    """With a 30-minute delay, at 10:00 the quarter hours of 09:00 and 09:15 are in, not later."""
    path = f"/inverters/{INVERTER}/statistics"
    query = {"year": "2025", "month": "6", "day": "1"}
    status, _, _ = await api.call(
        "PUT", f"/_emulator/assets/{INVERTER}/statistics", json={"delayMinutes": 30}
    )
    assert status == 204
    body = await api.get(path, params=query)
    values = _by_time(body["resolutions"]["QUARTER_HOUR"]["data"], "date", "value")
    at = datetime(2025, 6, 1, 9, tzinfo=UTC)
    assert [values[at.replace(minute=m)] is not None for m in (0, 15, 30, 45)] == [
        True,
        True,
        False,
        False,
    ]
    assert (await api.call("PUT", f"/_emulator/assets/{INVERTER}/statistics", json={}))[0] == 204
    body = await api.get(path, params=query)
    values = _by_time(body["resolutions"]["QUARTER_HOUR"]["data"], "date", "value")
    assert values[at.replace(minute=45)] is not None


async def test_hem_buckets_missing_revised_unsampled_and_a_failing_day(
    api: Api, emulator: Emulator
) -> None:
    """Each part of the shape shows in the HEM answer; a day in failDays answers its status."""
    gone = datetime(2025, 6, 1, 8, 5, tzinfo=UTC)
    revised = datetime(2025, 6, 1, 8, 10, tzinfo=UTC)
    emulator.set_statistics_shape(
        HEM,
        {
            "omitSampling": True,
            "missing": [gone.isoformat()],
            "values": {revised.isoformat(): 42.0},
            "failDays": {"2025-05-31": 422},
        },
    )
    path = f"/hem-systems/{HEM}/statistics"
    body = await api.get(path, params={"interval": DAY})
    series = body["timeseries"]["consumption"]
    assert "sampling" not in series
    values = _by_time(series["data"], "t", "v")
    assert gone not in values
    assert values[revised] == 42.0
    assert len(values) == 24 * 12 - 1
    status, problem, _ = await api.call("GET", path, params={"interval": "2025-05-31"})
    assert status == 422
    assert problem["detail"] == "Statistics are not available from the vendor right now"
    status, problem, _ = await api.call(
        "PUT", f"/_emulator/assets/{HEM}/statistics", json={"later": 1}
    )
    assert status == 400

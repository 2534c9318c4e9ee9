"""Tariffs and Location tariff schedules; prices used by smart charging."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import VEHICLE, Api

SITE = "8d2f7c1e-4b0a-4c1e-9a51-0d3f5b6e7a01"
RATES = [{"name": "PEAK", "cost": "2.50"}, {"name": "OFF-PEAK", "cost": "0.10"}]
SCHEDULE = {
    "tariffId": "FLEX",
    "tariffIntervals": [
        {"name": "PEAK", "from": "00:00", "to": "20:00"},
        {"name": "OFF-PEAK", "from": "20:00", "to": "24:00"},
    ],
}


async def test_tariff_put_get(api: Api) -> None:
    status, body, _ = await api.call("PUT", "/tariffs/FLEX", json=RATES)
    assert (status, body) == (204, None)
    assert await api.get("/tariffs/FLEX") == RATES
    status, _, _ = await api.call("GET", "/tariffs/unknown")
    assert status == 404


@pytest.mark.parametrize(
    ("tariff_id", "body", "detail"),
    [
        ("bad id!", RATES, "tariffId must match"),
        ("T", {"name": "x"}, "must be an array"),
        ("T", [{"name": "A", "cost": 1.5}], "decimal string"),
        ("T", [{"name": "A", "cost": "1,5"}], "decimal string"),
        ("T", [{"name": "A", "cost": "1"}, {"name": "A", "cost": "2"}], "Duplicate"),
    ],
)
async def test_tariff_validation(api: Api, tariff_id: str, body: Any, detail: str) -> None:
    status, problem, _ = await api.call("PUT", f"/tariffs/{tariff_id}", json=body)
    assert status == 400
    assert detail in problem["detail"]


async def test_location_tariff(api: Api) -> None:
    await api.call("PUT", "/tariffs/FLEX", json=RATES)
    assert await api.get(f"/locations/{SITE}/tariff") == []
    status, _, _ = await api.call("PUT", f"/locations/{SITE}/tariff", json=SCHEDULE)
    assert status == 204
    rows = await api.get(f"/locations/{SITE}/tariff")
    assert len(rows) == 14
    assert rows[0] == {
        "weekday": 0,
        "fromHourMinute": "00:00",
        "toHourMinute": "20:00",
        "tariffId": "FLEX",
        "tariffName": "PEAK",
    }
    assert rows[1]["toHourMinute"] == "24:00"


@pytest.mark.parametrize(
    ("intervals", "status", "text"),
    [
        (
            [
                {"name": "PEAK", "from": "00:00", "to": "12:00"},
                {"name": "OFF-PEAK", "from": "11:00", "to": "13:00"},
            ],
            400,
            "Overlapping tariff schedule",
        ),
        ([{"name": "PEAK", "from": "12:00", "to": "10:00"}], 400, "must be before"),
        ([{"name": "PEAK", "from": "1:00", "to": "10:00"}], 400, "HH:MM"),
        ([{"name": "PEAK", "from": "00:00", "to": "24:01"}], 400, "not a valid time"),
        ([{"name": "PEAK", "from": "00:00", "to": "10:00", "weekdays": [7]}], 400, "weekdays"),
        ([{"name": "NOPE", "from": "00:00", "to": "10:00"}], 400, "no rate named"),
    ],
)
async def test_location_tariff_validation(
    api: Api, intervals: list[Any], status: int, text: str
) -> None:
    await api.call("PUT", "/tariffs/FLEX", json=RATES)
    code, body, _ = await api.call(
        "PUT", f"/locations/{SITE}/tariff", json={"tariffId": "FLEX", "tariffIntervals": intervals}
    )
    assert code == status
    assert text in body["title"] + body["detail"]


async def test_location_tariff_weekday_overlap_is_per_day(api: Api) -> None:
    await api.call("PUT", "/tariffs/FLEX", json=RATES)
    intervals = [
        {"name": "PEAK", "from": "00:00", "to": "24:00", "weekdays": [0, 1, 2, 3, 4]},
        {"name": "OFF-PEAK", "from": "00:00", "to": "24:00", "weekdays": [5, 6]},
    ]
    code, _, _ = await api.call(
        "PUT", f"/locations/{SITE}/tariff", json={"tariffId": "FLEX", "tariffIntervals": intervals}
    )
    assert code == 204


async def test_unknown_location_or_tariff(api: Api) -> None:
    await api.call("PUT", "/tariffs/FLEX", json=RATES)
    code, body, _ = await api.call("PUT", "/locations/nope/tariff", json=SCHEDULE)
    assert code == 404
    assert body["detail"] == "Location or tariff not found"
    code, _, _ = await api.call(
        "PUT", f"/locations/{SITE}/tariff", json={**SCHEDULE, "tariffId": "X"}
    )
    assert code == 404
    code, _, _ = await api.call("GET", "/locations/nope/tariff")
    assert code == 404


async def test_tariff_drives_the_plan(api: Api) -> None:
    # Cheap 20:00-24:00 local beats the night market curve; the tariff is preferred.
    await api.call("PUT", "/tariffs/FLEX", json=RATES)
    await api.call("PUT", f"/locations/{SITE}/tariff", json=SCHEDULE)
    await api.call(
        "PUT",
        f"/vehicles/{VEHICLE}/smart-charging-policy",
        json={"isEnabled": True, "deadline": "07:00"},
    )
    plan = (await api.get(f"/vehicles/{VEHICLE}/smart-charging-status"))["plan"]
    assert plan["startAt"] == "2025-06-01T18:00:00.000Z"  # 20:00 Oslo (CEST)
    # Without market prices the tariff still prices the Location.
    status, _, _ = await api.call(
        "PUT", f"/_emulator/locations/{SITE}/prices", json={"prices": None}
    )
    assert status == 204

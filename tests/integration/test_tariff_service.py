"""enode.set_tariff: prices per interval sent to Enode as a tariff and a Location schedule."""

from __future__ import annotations

from typing import Any

from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.service import async_get_all_descriptions
from homeassistant.helpers.translation import async_get_translations
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.enode.const import CONF_HOME_LOCATION_ID, DOMAIN
from custom_components.enode.services import (
    PriceInterval,
    build_tariff,
    cost_text,
    parse_intervals,
    tariff_id_for,
)
from enode_emulator import Emulator

from .conftest import DEMO_USER, rendered

DAY_NIGHT = [
    {"from": "00:00", "to": "07:00", "price": 0.12},
    {"from": "07:00:00", "to": "24:00", "price": "0.31"},
]


@pytest.fixture
def home_id(emulator: Emulator) -> str:
    """The demo household's Location."""
    (site,) = emulator.core.pricing.locations_of(DEMO_USER)
    return site.id


async def set_tariff(hass: HomeAssistant, entry: MockConfigEntry, **data: Any) -> None:
    """Call the action as an automation would."""
    await hass.services.async_call(
        DOMAIN,
        "set_tariff",
        {ATTR_CONFIG_ENTRY_ID: entry.entry_id, **data},
        blocking=True,
    )


async def message(hass: HomeAssistant, err: HomeAssistantError) -> str:
    """The English message of a translated error, its placeholders filled."""
    strings = await async_get_translations(hass, "en", "exceptions", [DOMAIN])
    template = strings[f"component.{DOMAIN}.exceptions.{err.translation_key}.message"]
    return template.format(**(err.translation_placeholders or {}))


async def test_day_night_tariff_reaches_enode(
    hass: HomeAssistant, emulator: Emulator, setup_integration: MockConfigEntry, home_id: str
) -> None:
    """Two prices become two rates and a schedule every day; Enode prices by it."""
    await set_tariff(hass, setup_integration, location_id=home_id, intervals=DAY_NIGHT)
    tariff_id = tariff_id_for(home_id)
    assert len(tariff_id) <= 36
    pricing = emulator.core.pricing
    assert pricing.get_tariff(tariff_id) == [
        {"name": "PRICE-1", "cost": "0.12"},
        {"name": "PRICE-2", "cost": "0.31"},
    ]
    rows = pricing.location_tariff(home_id)
    assert len(rows) == 14  # two intervals on each of seven days
    assert rows[:2] == [
        {
            "weekday": 0,
            "fromHourMinute": "00:00",
            "toHourMinute": "07:00",
            "tariffId": tariff_id,
            "tariffName": "PRICE-1",
        },
        {
            "weekday": 0,
            "fromHourMinute": "07:00",
            "toHourMinute": "24:00",
            "tariffId": tariff_id,
            "tariffName": "PRICE-2",
        },
    ]


async def test_home_location_is_the_default(
    hass: HomeAssistant, emulator: Emulator, setup_integration: MockConfigEntry, home_id: str
) -> None:
    """Without a location_id the remembered home Location gets it; weekdays and currency."""
    entry = setup_integration
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_HOME_LOCATION_ID: home_id}
    )
    await set_tariff(
        hass,
        entry,
        currency="NOK",
        intervals=[
            {"from": "17:00", "to": "21:00", "weekdays": ["mon", "tue", 2, "3", "fri"], "price": 2},
            {"from": "00:00", "to": "24:00", "weekdays": ["sat", "sun"], "price": -0.05},
            {"from": "21:00", "to": "24:00", "weekdays": [0, 1, 2, 3, 4], "price": 2.0},
        ],
    )
    tariff_id = tariff_id_for(home_id)
    assert emulator.core.pricing.get_tariff(tariff_id) == [
        {"name": "NOK-1", "cost": "2"},
        {"name": "NOK-2", "cost": "-0.05"},
    ]
    rows = emulator.core.pricing.location_tariff(home_id)
    assert {(r["weekday"], r["fromHourMinute"], r["tariffName"]) for r in rows} == {
        *((day, "17:00", "NOK-1") for day in range(5)),
        *((day, "21:00", "NOK-1") for day in range(5)),
        (5, "00:00", "NOK-2"),
        (6, "00:00", "NOK-2"),
    }


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"intervals": [{"from": "7:60", "to": "08:00", "price": 1}]},
            (
                "Interval 1: 7:60 is not a time of day. Use HH:MM from 00:00 to 23:59 (24:00 only "
                "as the end)."
            ),
        ),
        (
            {"intervals": [{"from": "24:00", "to": "24:00", "price": 1}]},
            (
                "Interval 1: 24:00 is not a time of day. Use HH:MM from 00:00 to 23:59 (24:00 only "
                "as the end)."
            ),
        ),
        (
            {"intervals": [{"from": "00:00", "to": "06:00:30", "price": 1}]},
            (
                "Interval 1: 06:00:30 is not a time of day. Use HH:MM from 00:00 to 23:59 (24:00 "
                "only as the end)."
            ),
        ),
        (
            {"intervals": [DAY_NIGHT[0], {"from": "22:00", "to": "06:00", "price": 1}]},
            (
                "Interval 2 ends at 06:00, not after it starts at 22:00. Split an interval that "
                "crosses midnight in two."
            ),
        ),
        (
            {"intervals": [{"from": "08:00", "to": "08:00", "price": 1}]},
            (
                "Interval 1 ends at 08:00, not after it starts at 08:00. Split an interval that "
                "crosses midnight in two."
            ),
        ),
        (
            {"intervals": [*DAY_NIGHT, {"from": "06:30", "to": "08:00", "price": 1}]},
            "Intervals 1 (00:00-07:00) and 3 (06:30-08:00) overlap on a common weekday.",
        ),
        (
            {"intervals": [{"from": "00:00", "to": "01:00", "weekdays": ["someday"], "price": 1}]},
            "Interval 1: someday is not a weekday. Use mon to sun or 0 (Monday) to 6 (Sunday).",
        ),
        (
            {"intervals": [{"from": "00:00", "to": "01:00", "weekdays": [7], "price": 1}]},
            "Interval 1: 7 is not a weekday. Use mon to sun or 0 (Monday) to 6 (Sunday).",
        ),
        (
            {"intervals": [{"from": "00:00", "to": "01:00", "price": "cheap"}]},
            "Interval 1: cheap is not a price Enode accepts (a number below one billion).",
        ),
        (
            {"intervals": [{"from": "00:00", "to": "01:00", "price": 1e12}]},
            (
                "Interval 1: 1000000000000.0 is not a price Enode accepts (a number below one "
                "billion)."
            ),
        ),
        (
            {"intervals": DAY_NIGHT, "currency": "euro"},
            "euro is not a currency code: use three capital letters, for example EUR or NOK.",
        ),
    ],
)
async def test_bad_input_is_refused_before_enode(
    hass: HomeAssistant,
    emulator: Emulator,
    *,
    setup_integration: MockConfigEntry,
    home_id: str,
    data: dict[str, Any],
    expected: str,
) -> None:
    """Each mistake has its own message with the offending values; nothing reaches Enode."""
    start = len(emulator.request_log)
    with pytest.raises(ServiceValidationError) as caught:
        await set_tariff(hass, setup_integration, location_id=home_id, **data)
    assert await message(hass, caught.value) == expected
    assert not [e for e in emulator.request_log[start:] if "tariff" in e.path]


async def test_no_home_location_and_unloaded_entry(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """No Location to default to, or an entry that is not loaded: explained."""
    entry = setup_integration
    with pytest.raises(ServiceValidationError) as caught:
        await set_tariff(hass, entry, intervals=DAY_NIGHT)
    assert await message(hass, caught.value) == (
        "Enode (custom) has no home Location yet. Create it in the integration's options "
        "(Home as an Enode Location), or give a Location ID."
    )
    await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as caught:
        await set_tariff(hass, entry, intervals=DAY_NIGHT, location_id="x")
    assert await message(hass, caught.value) == f"The Enode entry {entry.entry_id} is not loaded."


async def test_enode_errors_are_translated(
    hass: HomeAssistant, emulator: Emulator, setup_integration: MockConfigEntry, home_id: str
) -> None:
    """An unknown Location (404), Enode's own refusal (400) and its outage (503)."""
    with pytest.raises(HomeAssistantError) as caught:
        await set_tariff(
            hass,
            setup_integration,
            location_id="9c1f0000-0000-4000-8000-000000000000",
            intervals=DAY_NIGHT,
        )
    text = await message(hass, caught.value)
    assert text.startswith("Enode does not know this Location or its tariff: ")
    assert "Location or tariff not found" in text

    emulator.add_fault(path="/tariffs/*", method="PUT", status=503, count=5)
    with pytest.raises(HomeAssistantError, match=rendered("server_error")) as caught:
        await set_tariff(hass, setup_integration, location_id=home_id, intervals=DAY_NIGHT)
    assert caught.value.translation_key == "server_error"
    assert (await message(hass, caught.value)).startswith("Enode had a problem: ")
    assert emulator.core.pricing.schedules.get(home_id) is None


TIMES = st.integers(min_value=0, max_value=24 * 60)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            TIMES,
            TIMES,
            st.one_of(st.none(), st.sets(st.integers(0, 6), min_size=1)),
            st.decimals(min_value=-10, max_value=10, places=4, allow_nan=False),
        ),
        max_size=6,
    )
)
def test_accepted_intervals_never_overlap(
    raw: list[tuple[int, int, set[int] | None, Any]],
) -> None:
    """Whatever is accepted has positive, non-overlapping intervals Enode can take."""
    items = [
        {
            "from": f"{start // 60:02d}:{start % 60:02d}",
            "to": f"{end // 60:02d}:{end % 60:02d}",
            **({"weekdays": sorted(days)} if days is not None else {}),
            "price": str(price),
        }
        for start, end, days, price in raw
    ]
    try:
        intervals = parse_intervals(items)
    except ServiceValidationError:
        return
    minutes: dict[tuple[int, int], int] = {}
    for interval in intervals:
        assert isinstance(interval, PriceInterval)
        assert interval.end > interval.start
        for day in interval.days:
            for minute in range(interval.start, interval.end):
                assert (day, minute) not in minutes
                minutes[day, minute] = interval.number
    rates, schedule = build_tariff(intervals, None)
    costs = {rate.name: rate.cost for rate in rates}
    assert len(costs) == len({cost_text(i.price) for i in intervals})
    for interval, sent in zip(intervals, schedule, strict=True):
        assert costs[sent.name] == cost_text(interval.price)


async def test_action_is_described_and_translated(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """services.yaml passes Home Assistant's schema; every field has its English texts."""
    descriptions = await async_get_all_descriptions(hass)
    fields = descriptions[DOMAIN]["set_tariff"]["fields"]
    assert set(fields) == {"config_entry_id", "location_id", "intervals", "currency"}
    assert fields["config_entry_id"]["selector"] == {"config_entry": {"integration": DOMAIN}}
    assert set(fields["intervals"]["selector"]["object"]["fields"]) == {
        "from",
        "to",
        "weekdays",
        "price",
    }
    strings = await async_get_translations(hass, "en", "services", [DOMAIN])
    prefix = f"component.{DOMAIN}.services.set_tariff"
    assert strings[f"{prefix}.name"] == "Set tariff"
    for field in fields:
        assert strings[f"{prefix}.fields.{field}.name"]
        assert strings[f"{prefix}.fields.{field}.description"]

"""EnodeClient schedules against the emulator, and parsing of the uncertain shapes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest

from aioenode import (
    AssetType,
    EnodeBadRequestError,
    EnodeClient,
    EnodeControlledEntityError,
    EnodeNotFoundError,
    Schedule,
    ScheduleExecutionEvent,
    ScheduleState,
    ScheduleStatus,
    ScheduleType,
    TargetState,
    charge_schedule_body,
    parse_event,
    rule_body,
    temperature_schedule_body,
)
from enode_emulator import Emulator, EmulatorConfig

USER = "demo-user"
CHARGER = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b02"
HVAC = "0b7c2a4e-1f3d-4e5a-8b6c-7d8e9f0a1b04"
# A Monday (weekday 0), 14:00 in Oslo.
START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """Run the demo scenario with a frozen clock."""
    emu = Emulator(
        EmulatorConfig(scenario="demo", seed=1, speed=0, action_delay=3, start_time=START)
    )
    await emu.start(host="127.0.0.1", port=0)
    yield emu
    await emu.stop()


@pytest.fixture
def client(session: aiohttp.ClientSession, emulator: Emulator) -> EnodeClient:
    """Return a client of the emulator."""
    return EnodeClient(
        session,
        emulator.client_id,
        emulator.client_secret,
        api_url=emulator.base_url,
        token_url=emulator.token_url,
        retry_base_delay=0,
        request_timeout=5,
    )


def _charger_body() -> dict[str, object]:
    return charge_schedule_body(
        AssetType.CHARGER,
        CHARGER,
        default_should_charge=False,
        rules=[rule_body(should_charge=True, hour_from="14:30", hour_to="15:00", weekdays=[0])],
    )


async def test_charge_schedule_round_trip_and_execution(
    client: EnodeClient, emulator: Emulator
) -> None:
    assert await client.list_schedules(USER) == []
    created = await client.create_schedule(USER, _charger_body())
    assert created.id
    assert created.target_type is AssetType.CHARGER
    assert created.schedule_type is ScheduleType.CHARGE
    assert (created.is_enabled, created.default_should_charge, created.location_id) == (
        True,
        False,
        None,
    )
    rule = created.rules[0]
    assert (rule.should_charge, rule.hour_from, rule.hour_to, rule.weekdays) == (
        True,
        "14:30",
        "15:00",
        (0,),
    )
    assert [s.id for s in await client.list_schedules(USER)] == [created.id]
    assert await client.get_schedule(created.id) == created

    status = await client.get_schedule_status(created.id)
    assert status.state is ScheduleState.ALIGNED
    assert status.schedule_type is ScheduleType.CHARGE
    assert (status.is_charging, status.is_charging_expected, status.should_charge) == (
        False,
        False,
        False,
    )
    assert status.next_transition == datetime(2026, 6, 1, 12, 30, tzinfo=UTC)
    assert [t.should_charge for t in status.upcoming_transitions] == [True, False]

    with pytest.raises(EnodeControlledEntityError):
        await client.set_charging(AssetType.CHARGER, CHARGER, start=True)
    await emulator.advance(30 * 60 + 5)
    charger = await client.get_asset(AssetType.CHARGER, CHARGER)
    assert charger.charge_state.is_charging is True  # type: ignore[union-attr]
    assert (await client.get_schedule_status(created.id)).state is ScheduleState.ALIGNED

    updated = await client.update_schedule(created.id, {"isEnabled": False})
    assert updated.is_enabled is False
    assert updated.rules == created.rules
    status = await client.get_schedule_status(created.id)
    assert status.state is ScheduleState.INACTIVE_DISABLED
    await client.delete_schedule(created.id)
    with pytest.raises(EnodeNotFoundError):
        await client.get_schedule(created.id)
    with pytest.raises(EnodeNotFoundError):
        await client.delete_schedule(created.id)


async def test_temperature_schedule(client: EnodeClient, emulator: Emulator) -> None:
    heat = TargetState("PERMANENT", "HEAT", heat_setpoint=22.5)
    body = temperature_schedule_body(
        HVAC,
        default_target_state=TargetState("SCHEDULED"),
        rules=[rule_body(target_state=heat, hour_from="14:00", hour_to="16:00")],
    )
    assert body["defaultTargetState"] == {"holdType": "SCHEDULED"}
    created = await client.create_schedule(USER, body)
    assert created.schedule_type is ScheduleType.TEMPERATURE
    assert created.rules[0].target_state == heat
    assert created.default_target_state == TargetState("SCHEDULED")
    await emulator.advance(5)
    status = await client.get_schedule_status(created.id)
    assert status.state is ScheduleState.ALIGNED
    assert status.expected == heat
    assert status.current == heat
    assert status.upcoming_transitions[0].target == TargetState("SCHEDULED")


async def test_errors(client: EnodeClient) -> None:
    body = _charger_body()
    body["rules"] = [{"shouldCharge": True, "hourMinute": {"from": "24:30", "to": "01:00"}}]
    with pytest.raises(EnodeBadRequestError) as err:
        await client.create_schedule(USER, body)
    assert "not a valid time of day" in str(err.value.detail)
    with pytest.raises(EnodeNotFoundError):
        await client.create_schedule(USER, {**_charger_body(), "targetId": "unknown"})
    with pytest.raises(EnodeNotFoundError):
        await client.get_schedule_status("unknown")


def test_parsing_tolerates_both_shapes() -> None:
    # [?] SMART.md 5.3: from/to directly on an HVAC rule instead of inside hourMinute.
    schedule = Schedule.from_dict(
        {
            "id": "s1",
            "targetType": "hvac",
            "targetId": "h1",
            "isEnabled": True,
            "defaultTargetState": {"holdType": "SCHEDULED"},
            "rules": [
                {"targetState": {"holdType": "PERMANENT", "mode": "OFF"}, "from": "01:00"},
                "not a rule",
            ],
        }
    )
    assert len(schedule.rules) == 1
    assert schedule.rules[0].hour_from == "01:00"
    assert schedule.rules[0].target_state == TargetState("PERMANENT", "OFF")
    status = ScheduleStatus.from_dict({"state": "INACTIVE:SOMETHING_NEW", "upcomingTransitions": 3})
    assert status.state == "INACTIVE:SOMETHING_NEW"
    assert status.upcoming_transitions == ()
    assert status.next_transition is None
    assert Schedule.from_dict({}).id == ""


def test_execution_event_parses() -> None:
    event = parse_event(
        {
            "event": "user:schedule:execution-updated",
            "version": "2024-10-01",
            "user": {"id": USER},
            "status": {"scheduleId": "s1", "scheduleType": "CHARGE", "state": "PENDING"},
            "schedule": {"id": "s1", "targetType": "charger", "targetId": CHARGER, "rules": []},
            "updatedFields": ["state"],
        }
    )
    assert isinstance(event, ScheduleExecutionEvent)
    assert event.user_id == USER
    assert event.status is not None
    assert event.status.state is ScheduleState.PENDING
    assert event.schedule is not None
    assert event.schedule.target_id == CHARGER
    assert event.updated_fields == ("state",)
    empty = parse_event({"event": "user:schedule:execution-updated"})
    assert isinstance(empty, ScheduleExecutionEvent)
    assert (empty.status, empty.schedule) == (None, None)

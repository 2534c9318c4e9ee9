"""Physics invariants driven by the simulation clock."""

from __future__ import annotations

import pytest

from enode_emulator import Emulator

from .conftest import BATTERY, CHARGER, HVAC, INVERTER, METER, VEHICLE


async def _confirm(emulator: Emulator) -> None:
    await emulator.advance(5)


async def test_vehicle_charges_to_limit(emulator: Emulator) -> None:
    core = emulator.core
    vehicle = core.store.find_asset(VEHICLE)
    core.actions.create(vehicle, "charging", "START")
    await _confirm(emulator)
    levels = []
    for _ in range(12):
        await emulator.advance(600)
        levels.append(emulator.asset(VEHICLE)["chargeState"]["batteryLevel"])
    assert levels == sorted(levels)
    assert levels[0] > 54
    state = emulator.asset(VEHICLE)["chargeState"]
    assert state["batteryLevel"] == 80.0
    assert state["isCharging"] is False
    assert state["isFullyCharged"] is True
    assert state["powerDeliveryState"] == "PLUGGED_IN:COMPLETE"
    assert state["chargeRate"] is None
    # 26 % of 75 kWh at 11 kW is about 1.8 h.
    assert 8 <= levels.index(80.0) <= 11


async def test_vehicle_range_and_time_remaining(emulator: Emulator) -> None:
    vehicle = emulator.core.store.find_asset(VEHICLE)
    emulator.core.actions.create(vehicle, "charging", "START")
    await emulator.advance(125)
    state = emulator.asset(VEHICLE)["chargeState"]
    assert state["chargeTimeRemaining"] > 0
    assert state["range"] == pytest.approx(state["batteryLevel"] / 100 * 75 * 6.5, abs=1)


async def test_charger_rate_follows_max_current(emulator: Emulator) -> None:
    charger = emulator.core.store.find_asset(CHARGER)
    emulator.core.actions.create(charger, "charging", "START")
    await emulator.advance(65)
    state = emulator.asset(CHARGER)["chargeState"]
    assert state["chargeRate"] == pytest.approx(16 * 230 * 3 / 1000, abs=0.01)
    emulator.core.actions.create(charger, "maxCurrent", 8)
    await emulator.advance(65)
    state = emulator.asset(CHARGER)["chargeState"]
    assert state["chargeRate"] == pytest.approx(8 * 230 * 3 / 1000, abs=0.01)
    assert state["chargeRateLimit"] == pytest.approx(state["maxCurrent"] * 230 * 3 / 1000, abs=0.05)
    emulator.core.actions.create(charger, "charging", "STOP")
    await emulator.advance(65)
    assert emulator.asset(CHARGER)["chargeState"]["chargeRate"] is None


async def test_meter_balance_and_inverter_lifetime(emulator: Emulator) -> None:
    lifetimes = []
    producing = []
    for _ in range(48):
        await emulator.advance(1800)
        inverter = emulator.asset(INVERTER)["productionState"]
        battery = emulator.asset(BATTERY)["chargeState"]
        meter = emulator.asset(METER)["energyState"]
        lifetimes.append(inverter["totalLifetimeProduction"])
        producing.append(inverter["isProducing"])
        assert battery["batteryLevel"] >= battery["dischargeLimit"] - 0.05
        assert battery["batteryLevel"] <= 100
        assert (battery["chargeRate"] > 0) == (battery["status"] == "CHARGING")
        assert isinstance(meter["power"], float)
    assert lifetimes == sorted(lifetimes)
    assert lifetimes[-1] > lifetimes[0]
    assert True in producing
    assert False in producing  # night in Oslo


async def test_meter_power_equation(emulator: Emulator) -> None:
    from enode_emulator.profiles import household_kw  # noqa: PLC0415

    await emulator.advance(3 * 3600)  # 13:00 local, sunny
    core = emulator.core
    site = core.store.sites[core.store.find_asset(METER).site_id]
    production = emulator.asset(INVERTER)["productionState"]["productionRate"]
    battery = emulator.asset(BATTERY)["chargeState"]["chargeRate"]
    hvac = emulator.asset(HVAC)["consumptionRate"]
    consumption = household_kw(site, core.clock.now(), core.config.seed) + hvac
    power = emulator.asset(METER)["energyState"]["power"]
    assert production > 0
    assert power == pytest.approx(consumption - production + battery, abs=0.01)


@pytest.mark.parametrize(
    ("mode", "sign"),
    [("IMPORT_FOCUS", 1), ("EXPORT_FOCUS", -1), ("IDLE", 0)],
)
async def test_battery_follows_operation_mode(emulator: Emulator, mode: str, sign: int) -> None:
    battery = emulator.core.store.find_asset(BATTERY)
    emulator.core.actions.create(battery, "operationMode", mode)
    await emulator.advance(65)
    state = emulator.asset(BATTERY)["chargeState"]
    assert (state["chargeRate"] > 0) - (state["chargeRate"] < 0) == sign
    await emulator.advance(6 * 3600)
    state = emulator.asset(BATTERY)["chargeState"]
    if mode == "EXPORT_FOCUS":
        assert state["batteryLevel"] == pytest.approx(state["dischargeLimit"], abs=0.1)
        assert state["status"] == "IDLE"
    if mode == "IMPORT_FOCUS":
        assert state["batteryLevel"] == pytest.approx(100, abs=0.1)


async def test_self_reliance_charges_from_surplus(emulator: Emulator) -> None:
    await emulator.advance(1800)  # 12:30 in Oslo in June
    state = emulator.asset(BATTERY)["chargeState"]
    assert state["status"] == "CHARGING"
    assert state["chargeRate"] <= 5.0


async def test_hvac_drifts_to_setpoint(emulator: Emulator) -> None:
    emulator.patch_asset(HVAC, {"temperatureState": {"currentTemperature": 17.0}})
    await emulator.advance(60)
    state = emulator.asset(HVAC)
    assert state["temperatureState"]["isActive"] is True
    assert state["consumptionRate"] == 2.0
    await emulator.advance(3 * 3600)
    state = emulator.asset(HVAC)
    # Hysteresis: heating restarts 0.3 °C below the setpoint.
    assert state["temperatureState"]["currentTemperature"] == pytest.approx(20.85, abs=0.2)
    emulator.core.actions.create(
        emulator.core.store.find_asset(HVAC),
        "permanentHold",
        {"mode": "COOL", "coolSetpoint": 18.0},
    )
    await emulator.advance(120)
    assert emulator.asset(HVAC)["temperatureState"]["isActive"] is True
    await emulator.advance(3 * 3600)
    state = emulator.asset(HVAC)["temperatureState"]
    assert state["currentTemperature"] <= 18.3  # cooled down; outdoors is colder still
    cooled = state["currentTemperature"]
    emulator.core.actions.create(
        emulator.core.store.find_asset(HVAC), "permanentHold", {"mode": "OFF"}
    )
    await emulator.advance(5 * 3600)
    state = emulator.asset(HVAC)["temperatureState"]
    assert state["isActive"] is False
    assert state["currentTemperature"] < cooled  # drifting toward 8 °C outdoors


async def test_last_seen_moves_and_events_flow(emulator: Emulator) -> None:
    before = emulator.asset(INVERTER)["lastSeen"]
    await emulator.advance(120)
    after = emulator.asset(INVERTER)
    assert after["lastSeen"] > before
    assert after["productionState"]["lastUpdated"] == after["lastSeen"]
    names = {e["event"] for e in emulator.events}
    assert {"user:inverter:updated", "user:meter:updated", "user:hem-system:updated"} <= names
    await emulator.advance(3600)
    stats = [e for e in emulator.events if e["event"] == "user:inverter:statistics-updated"]
    assert stats
    data = stats[-1]["statistics"]["resolutions"]["QUARTER_HOUR"]["data"]
    assert len(data) == 4
    assert all(item["value"] >= 0 for item in data)


async def test_background_ticker_runs_in_real_time() -> None:
    import asyncio  # noqa: PLC0415

    from .conftest import make_config  # noqa: PLC0415

    emu = Emulator(make_config(speed=600.0, tick_interval=0.05))
    await emu.start()
    try:
        await asyncio.sleep(0.3)
        assert any(e["event"] == "user:inverter:updated" for e in emu.events)
    finally:
        await emu.stop()

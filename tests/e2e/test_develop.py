"""`scripts/develop`: the first run sets everything up, Ctrl-C stops it, a second run works."""

from __future__ import annotations

from collections.abc import Callable
import json
from pathlib import Path
import signal
import subprocess
import sys
import threading
from typing import Any
import urllib.request

import pytest

from custom_components.enode.statistics import statistic_id
from scripts.devstack import (
    DEMO_HEM_SYSTEM,
    DEMO_INTERVENTION_VEHICLE,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    EMULATOR_STATE,
    ROOT,
    StackSettings,
    dashboard_config,
    demo_energy_prefs,
    enode_statistic,
    free_port,
    port_in_use,
)

from .conftest import emulator_get, integration_log_problems, selected_ha

READY_LINE = "Press Ctrl-C to stop."


def run_develop(
    config_dir: Path,
    ha_port: int,
    emulator_port: int,
    while_ready: Callable[[StackSettings], None] = lambda _: None,
) -> tuple[str, int]:
    """Start the demo, wait until it is ready, run `while_ready`, press Ctrl-C.

    Returns (output, exit code).
    """
    process = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
        [
            sys.executable,
            "scripts/devstack.py",
            "--config",
            str(config_dir),
            "--port",
            str(ha_port),
            "--emulator-port",
            str(emulator_port),
            "--ha",
            selected_ha(),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    # Reading blocks; a watchdog ends a demo that never gets ready.
    watchdog = threading.Timer(300, process.kill)
    watchdog.start()
    try:
        for line in process.stdout:
            lines.append(line)
            if READY_LINE in line:
                break
        else:
            pytest.fail("scripts/develop ended before it was ready:\n" + "".join(lines))
        output = "".join(lines)
        dashboard = next(
            line.split()[-1] for line in lines if line.strip().startswith("Dashboard:")
        )
        # The printed dashboard URL is served by the running Home Assistant.
        with urllib.request.urlopen(dashboard, timeout=10) as page:  # noqa: S310 - http URL
            assert page.status == 200
        while_ready(
            StackSettings(config_dir=config_dir, ha_port=ha_port, emulator_port=emulator_port)
        )
        process.send_signal(signal.SIGINT)
        try:
            rest, _ = process.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            process.kill()
            rest, _ = process.communicate()
            pytest.fail("scripts/develop did not stop on Ctrl-C:\n" + output + rest)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    return output + rest, process.returncode


def test_develop_sets_up_the_demo_and_runs_again(tmp_path: Path) -> None:
    config_dir = tmp_path / "config"
    ha_port, emulator_port = free_port(), free_port()

    removed: list[str] = []

    def remove_a_vehicle(settings: StackSettings) -> None:
        # A change made while the demo runs (as linking a vendor would be) must survive a restart.
        vehicle = next(
            asset["id"]
            for asset in emulator_get(settings, "/_emulator/state")["assets"]
            if asset["type"] == "vehicle"
        )
        request = urllib.request.Request(  # noqa: S310 - loopback http URL
            f"{settings.emulator_url}/_emulator/assets/{vehicle}", method="DELETE"
        )
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            assert answer.status == 204
        removed.append(vehicle)

    output, code = run_develop(config_dir, ha_port, emulator_port, remove_a_vehicle)
    assert code == 0, output
    assert f"Username:    {DEMO_USERNAME}" in output
    assert f"Password:    {DEMO_PASSWORD}" in output
    assert "Integration: added (Enode Link step done)" in output
    assert f"http://127.0.0.1:{ha_port}/enode-demo/0" in output
    assert "Stopping" in output
    assert not port_in_use(ha_port)
    assert not port_in_use(emulator_port)
    # The configuration loads the integration from the working tree.
    link = config_dir / "custom_components" / "enode"
    assert link.is_symlink()
    assert link.resolve() == ROOT / "custom_components" / "enode"

    # The Energy dashboard shows the household and the Tesla's charging as an individual device.
    energy = json.loads((config_dir / ".storage" / "energy").read_text())["data"]
    sources = {source["type"]: source for source in energy["energy_sources"]}
    assert set(sources) == {"grid", "solar", "battery"}
    grid = sources["grid"]
    # 2026.11 stores one source per grid connection, 2026.2 the flow_from/flow_to lists.
    imported = grid.get("stat_energy_from") or grid["flow_from"][0]["stat_energy_from"]
    exported = grid.get("stat_energy_to") or grid["flow_to"][0]["stat_energy_to"]
    assert (imported, exported) == (
        enode_statistic(DEMO_HEM_SYSTEM, "import"),
        enode_statistic(DEMO_HEM_SYSTEM, "export"),
    )
    assert energy["device_consumption"] == [
        {"stat_consumption": enode_statistic(DEMO_INTERVENTION_VEHICLE, "charging_energy")}
    ]

    # The emulator saved its state into the demo's configuration directory when it stopped.
    assert (config_dir / EMULATOR_STATE).is_file()

    seen: list[Any] = []

    def read_state(settings: StackSettings) -> None:
        seen.append(emulator_get(settings, "/_emulator/state"))

    output, code = run_develop(config_dir, ha_port, emulator_port, read_state)
    assert code == 0, output
    assert "Integration: already configured" in output
    assert not port_in_use(ha_port)
    assert removed[0] not in {asset["id"] for asset in seen[0]["assets"]}
    assert {asset["type"] for asset in seen[0]["assets"]} >= {"charger", "battery", "hvac"}
    # Neither run logged a warning or an error from or about the integration.
    # (Home Assistant keeps the previous run's log as home-assistant.log.1.)
    logs = sorted(config_dir.glob("home-assistant.log*"))
    assert logs
    assert [problem for log in logs for problem in integration_log_problems(log)] == []


def test_demo_energy_prefs_name_the_integrations_statistics() -> None:
    """The ids devstack writes are the integration's (``statistics.statistic_id``, same slug)."""
    for asset in ("0B7C2A4E-1f3d.4e5a", DEMO_INTERVENTION_VEHICLE):
        for series in ("charging_energy", "import"):
            assert enode_statistic(asset, series) == statistic_id(asset, series)
    # A dashboard the user set up is never overwritten.
    assert demo_energy_prefs({"energy_sources": [{"type": "solar"}]}) is None
    assert demo_energy_prefs({"energy_sources": [], "device_consumption": []}) is not None


def test_demo_energy_prefs_fit_the_pinned_schema_in_the_older_grid_shape() -> None:
    """Home Assistant 2026.2 validates the flow_from/flow_to grid (2026.11: the unified one)."""
    from homeassistant.components.energy.data import ENERGY_SOURCE_SCHEMA  # noqa: PLC0415

    legacy = demo_energy_prefs(None, unified_grid=False)
    assert legacy is not None
    [grid] = [s for s in ENERGY_SOURCE_SCHEMA(legacy["energy_sources"]) if s["type"] == "grid"]
    assert grid["flow_from"][0]["stat_energy_from"] == enode_statistic(DEMO_HEM_SYSTEM, "import")
    assert grid["flow_to"][0]["stat_energy_to"] == enode_statistic(DEMO_HEM_SYSTEM, "export")


def test_demo_dashboard_cards_offer_no_header_toggle() -> None:
    """One click must not switch Charge, Charge now and Smart charging together."""
    devices = [{"id": "d1", "name": "Tesla Model 3", "name_by_user": None}]
    entities = [
        {
            "platform": "enode",
            "device_id": "d1",
            "entity_id": f"switch.tesla_model_3_{key}",
            "original_name": key.replace("_", " ").capitalize(),
        }
        for key in ("charging", "charge_now", "smart_charging")
    ]
    [card] = dashboard_config(devices, entities)["views"][0]["cards"]
    assert card["show_header_toggle"] is False
    assert [row["entity"] for row in card["entities"]] == [e["entity_id"] for e in entities]

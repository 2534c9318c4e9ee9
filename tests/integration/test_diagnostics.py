"""Diagnostics: useful (webhook health, pending actions) and free of secrets and identities."""

from __future__ import annotations

from datetime import datetime
import json
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props
from yarl import URL

from custom_components.enode.diagnostics import async_get_config_entry_diagnostics
from enode_emulator import Emulator

from .conftest import CHARGER, DEMO_USER, WEBHOOK_SECRET, start_charging, user_assets
from .platform_helpers import START, VEHICLE


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """Webhook health and pending actions are there; secrets, ids, VINs and places are not."""
    await start_charging(hass, emulator)
    result = await get_diagnostics_for_config_entry(hass, hass_client, setup_integration)
    text = json.dumps(result)

    assert result["webhook"]["mode"] == "push"
    assert result["webhook"]["push_healthy"] is True
    assert result["webhook"]["deliveries"] >= 1
    assert result["pending_actions"][0]["command"] == "start_charging"
    assert result["pending_actions"][0]["asset"].startswith("charger_")
    assert len(result["assets"]) == len(user_assets(emulator, DEMO_USER))

    vehicle = emulator.asset(VEHICLE)
    secrets = [
        emulator.client_secret,
        emulator.client_id,
        WEBHOOK_SECRET,
        setup_integration.data["webhook_id"],
        setup_integration.data["enode_webhook_id"],
        DEMO_USER,
        CHARGER,
        VEHICLE,
        vehicle["information"]["vin"],
    ]
    for secret in filter(None, secrets):
        assert secret not in text, secret
    for asset in result["assets"].values():
        location = asset.get("location") or {}
        assert location.get("latitude") in (None, "**REDACTED**")
        assert location.get("longitude") in (None, "**REDACTED**")


async def test_diagnostics_environment_and_custom_urls(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """The environment reads `custom`; custom URLs keep scheme and path, not host and port."""
    result = await async_get_config_entry_diagnostics(hass, setup_integration)
    assert result["environment"] == "custom"
    data = result["entry"]["data"]
    assert data["api_url"] == "http://**REDACTED**/"
    assert data["token_url"] == "http://**REDACTED**/oauth2/token"
    port = str(URL(emulator.base_url).port)
    assert port not in json.dumps(result["entry"])


async def test_diagnostics_unparseable_custom_url(
    hass: HomeAssistant, ha_client: TestClient, setup_integration: MockConfigEntry
) -> None:
    """A stored URL yarl cannot parse, or one without a scheme, is redacted whole."""
    data = {**setup_integration.data, "api_url": "http://[::1", "token_url": "proxy.local"}
    hass.config_entries.async_update_entry(setup_integration, data=data)
    result = await async_get_config_entry_diagnostics(hass, setup_integration)
    assert result["entry"]["data"]["api_url"] == "**REDACTED**"
    assert result["entry"]["data"]["token_url"] == "**REDACTED**"
    # Production and sandbox entries store no URLs.
    del data["api_url"], data["token_url"]
    hass.config_entries.async_update_entry(setup_integration, data=data)
    result = await async_get_config_entry_diagnostics(hass, setup_integration)
    assert "api_url" not in result["entry"]["data"]


@pytest.fixture
def emulator_start_time() -> datetime:
    """A fixed emulator clock, so the snapshot is stable."""
    return START


@pytest.mark.freeze_time(START)
@pytest.mark.usefixtures("ha_client")
async def test_diagnostics_snapshot(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    emulator: Emulator,
    setup_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """What a user downloads, as Home Assistant serves it: stable, and without any secret."""
    await start_charging(hass, emulator)
    result = await get_diagnostics_for_config_entry(hass, hass_client, setup_integration)
    # Enode's action id is a random UUID.
    assert result == snapshot(exclude=props("action_id"))
    text = json.dumps(result)
    secrets = [
        emulator.client_secret,
        emulator.client_id,
        WEBHOOK_SECRET,
        setup_integration.data["webhook_id"],
        setup_integration.data["enode_webhook_id"],
        setup_integration.data["enode_webhook_url"],
        str(URL(emulator.base_url).port),
        DEMO_USER,
        *user_assets(emulator, DEMO_USER),
        *(
            str(value)
            for asset_id in user_assets(emulator, DEMO_USER)
            for key, value in flatten(emulator.asset(asset_id))
            if key in {"vin", "serialNumber", "sn", "latitude", "longitude", "displayName"}
            and value not in (None, "")
        ),
    ]
    for secret in secrets:
        assert secret not in text, secret


def flatten(value: Any, key: str = "") -> list[tuple[str, Any]]:
    """Every (key, leaf value) pair in a JSON object."""
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in flatten(v, k)]
    if isinstance(value, list):
        return [pair for item in value for pair in flatten(item, key)]
    return [(key, value)]

"""Diagnostics: useful (webhook health, pending actions) and free of secrets and identities."""

from __future__ import annotations

import json

from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from yarl import URL

from custom_components.enode.diagnostics import async_get_config_entry_diagnostics
from enode_emulator import Emulator

from .conftest import CHARGER, DEMO_USER, WEBHOOK_SECRET, start_charging


async def test_diagnostics(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """Webhook health and pending actions are there; secrets, ids, VINs and places are not."""
    data = setup_integration.runtime_data
    await start_charging(setup_integration)
    result = await async_get_config_entry_diagnostics(hass, setup_integration)
    text = json.dumps(result)

    assert result["webhook"]["mode"] == "push"
    assert result["webhook"]["push_healthy"] is True
    assert result["webhook"]["deliveries"] >= 1
    assert result["pending_actions"][0]["command"] == "start_charging"
    assert result["pending_actions"][0]["asset"].startswith("charger_")
    assert len(result["assets"]) == len(data.coordinator.data.assets)

    vehicle = next(a for a in data.coordinator.data.assets.values() if a.asset_type == "vehicle")
    secrets = [
        emulator.client_secret,
        emulator.client_id,
        WEBHOOK_SECRET,
        setup_integration.data["webhook_id"],
        setup_integration.data["enode_webhook_id"],
        DEMO_USER,
        CHARGER,
        vehicle.information.vin if vehicle.information else None,
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

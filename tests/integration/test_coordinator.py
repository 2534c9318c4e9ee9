"""Polling against the emulator: request budget, token expiry, 401, 429 and 503."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers.update_coordinator import UpdateFailed
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.enode.const import DOMAIN
from enode_emulator import Emulator

from .conftest import DEMO_USER


def api_requests(emulator: Emulator, start: int) -> list[str]:
    """Method and path of the API requests after `start` (token requests separately)."""
    return [f"{e.method} {e.path}" for e in emulator.request_log[start:]]


async def test_poll_budget(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """A poll is the user plus one list per linked asset type: never a request per entity."""
    coordinator = setup_integration.runtime_data.coordinator
    start = len(emulator.request_log)
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    made = api_requests(emulator, start)
    assert made[0] == f"GET /users/{DEMO_USER}"
    lists = sorted(made[1:])
    assert lists == sorted(
        f"GET /users/{DEMO_USER}/{path}"
        for path in (
            "batteries",
            "chargers",
            "hem-systems",
            "hvacs",
            "inverters",
            "meters",
            "vehicles",
        )
    )
    # The cached token was reused: no token request.
    assert "POST /oauth2/token" not in made


async def test_expired_token_is_refreshed_transparently(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """A 401 after Enode expired the token: one token request, one retry, success."""
    coordinator = setup_integration.runtime_data.coordinator
    emulator.expire_tokens()
    start = len(emulator.request_log)
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    made = api_requests(emulator, start)
    assert made.count("POST /oauth2/token") == 1
    statuses = [e.status for e in emulator.request_log[start:]]
    assert statuses[0] == 401


async def test_revoked_credentials_start_reauth(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """When a new token is refused, the entry asks for reauthentication."""
    coordinator = setup_integration.runtime_data.coordinator
    emulator.expire_tokens()
    emulator.add_fault(path="/oauth2/token", status=401, count=5)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert not coordinator.last_update_success
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == ["reauth"]


async def test_rate_limit_honours_retry_after(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """A 429 becomes UpdateFailed(retry_after=...) and keeps the last data."""
    coordinator = setup_integration.runtime_data.coordinator
    held = coordinator.data
    emulator.add_fault(path="/users/*", status=429, retryAfter=120, count=1)
    await coordinator.async_refresh()
    assert not coordinator.last_update_success
    error = coordinator.last_exception
    assert isinstance(error, UpdateFailed)
    assert error.retry_after == 120
    assert coordinator.data is held
    assert setup_integration.state is ConfigEntryState.LOADED


async def test_outage_waits_for_the_next_cycle(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """503s: the client retries a GET at most twice, then the poll fails until the next cycle."""
    coordinator = setup_integration.runtime_data.coordinator
    emulator.add_fault(path="/users/*", status=503, count=3)
    start = len(emulator.request_log)
    await coordinator.async_refresh()
    assert not coordinator.last_update_success
    assert [e.status for e in emulator.request_log[start:]] == [503, 503, 503]
    assert isinstance(coordinator.last_exception, UpdateFailed)
    assert coordinator.last_exception.translation_key == "update_failed"
    await coordinator.async_refresh()
    assert coordinator.last_update_success


async def test_hem_systems_not_enabled(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """A client without the HEM feature (403) stops asking for HEM systems."""
    coordinator = setup_integration.runtime_data.coordinator
    emulator.add_fault(path="/users/*/hem-systems", status=403, count=1)
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    start = len(emulator.request_log)
    await coordinator.async_refresh()
    assert f"GET /users/{DEMO_USER}/hem-systems" not in api_requests(emulator, start)

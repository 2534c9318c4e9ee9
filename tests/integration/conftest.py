"""Fixtures: a real Home Assistant (test harness) talking HTTP to the Enode emulator."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from datetime import datetime
import hashlib
import hmac
import json
from pathlib import Path
import re
from typing import Any, get_args
from unittest.mock import PropertyMock, patch

import aiohttp
from aiohttp.test_utils import TestClient
from homeassistant.const import (
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_WEBHOOK_ID,
    __version__ as ha_version,
)
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion
from syrupy.location import PyTestLocation
from yarl import URL

from custom_components.enode.api import AssetType
from custom_components.enode.config_flow import DEFAULT_OPTIONS
from custom_components.enode.const import (
    CONF_API_URL,
    CONF_ENVIRONMENT,
    CONF_TOKEN_URL,
    CONF_USER_ID,
    CONF_WEBHOOK_SECRET,
    DOMAIN,
)
from custom_components.enode.link import async_register_view as async_register_link_view
from enode_emulator import Emulator, EmulatorConfig
from enode_emulator.catalog import AssetType as EmulatorAssetType

from .platform_helpers import CHARGER

DEMO_USER = "demo-user"
# The Home Assistant release line of .venv (requirements_dev.txt); its snapshots live in snapshots/.
PINNED_HA_LINE = "2026.2"
WEBHOOK_SECRET = "f" * 64


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom_components/enode in every test."""


@pytest.fixture
def hass(hass: HomeAssistant, tmp_path: Path) -> HomeAssistant:
    """Home Assistant with a configuration folder of the test's own.

    Setting up the integration copies its blueprints into <config>/blueprints/ (blueprints.py);
    the harness's default folder is inside the shared site-packages.
    """
    hass.config.config_dir = str(tmp_path)
    return hass


class VersionedSnapshotExtension(HomeAssistantSnapshotExtension):
    """Home Assistant's snapshot format, with a snapshot directory per Home Assistant release.

    Snapshots of the pinned release (2026.2) stay in `snapshots/`; any other release line keeps
    its own in `snapshots-ha<year>.<month>/` (e.g. snapshots-ha2026.10 for the newest harness):
    entity ids, registry fields and state attributes differ between releases, and each suite run
    must compare against its own. After a harness upgrade, create them with `--snapshot-update`
    on that harness (scripts/newest) and review the diff against `snapshots/`.
    """

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        """`snapshots/` for the pinned release, `snapshots-ha<year>.<month>/` for others."""
        line = ".".join(ha_version.split(".")[:2])
        name = "snapshots" if line == PINNED_HA_LINE else f"snapshots-ha{line}"
        return str(Path(test_location.filepath).parent / name)


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Syrupy's snapshot with Home Assistant's serializer and the release's own directory.

    phacc's own `snapshot` override does not take effect on the newest harness (phacc 0.13.375,
    syrupy 6): without this, snapshots fall back to syrupy's plain repr in `__snapshots__/`.
    """
    return snapshot.use_extension(VersionedSnapshotExtension)


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Create every entity enabled, including those disabled by default (as in HA core)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


@pytest.fixture
def emulator_start_time() -> datetime | None:
    """When the emulator's clock starts; None is now. Snapshot tests override it."""
    return None


@pytest.fixture
async def emulator(
    socket_enabled: None, emulator_start_time: datetime | None
) -> AsyncGenerator[Emulator]:
    """The Enode emulator on loopback with a frozen clock (tests move it with advance())."""
    emulator = Emulator(
        EmulatorConfig(
            scenario="demo",
            seed=1,
            speed=0.0,
            action_delay=20.0,
            start_time=emulator_start_time,
        )
    )
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture
async def ha_client(
    hass: HomeAssistant, hass_client_no_auth: Callable[[], Awaitable[TestClient]]
) -> TestClient:
    """Home Assistant's HTTP server on loopback; its URL is the instance's internal URL.

    The test server (aiohttp's TestServer, unlike Home Assistant's own server) freezes the router
    when it starts; on the newest harness (Home Assistant 2026.10, aiohttp 3.14) a route
    registered later fails with "Cannot register a resource into frozen router". So what the
    integration needs is set up first: http, webhook (its dependency) and its Enode Link callback
    view. Components a test sets up later (config, repairs) register views too; for them the
    router is kept unfrozen exactly as Home Assistant's real server does (HomeAssistantHTTP.start).
    """
    assert await async_setup_component(hass, "http", {})
    assert await async_setup_component(hass, "webhook", {})
    async_register_link_view(hass)
    hass.http.app._router.freeze = lambda: None  # type: ignore[method-assign]
    client = await hass_client_no_auth()
    await async_process_ha_core_config(
        hass, {"internal_url": f"http://127.0.0.1:{client.server.port}"}
    )
    return client


def user_assets(emulator: Emulator, user_id: str) -> dict[str, str]:
    """Asset id -> kind of every asset the emulator holds for a user."""
    return {
        asset.data["id"]: kind
        for kind in get_args(EmulatorAssetType)
        for asset in emulator.core.store.assets_of(kind, user_id)
    }


def entry_data(emulator: Emulator, **overrides: Any) -> dict[str, Any]:
    """Config entry data for the emulator's demo user."""
    return {
        CONF_CLIENT_ID: emulator.client_id,
        CONF_CLIENT_SECRET: emulator.client_secret,
        CONF_ENVIRONMENT: "custom",
        CONF_API_URL: emulator.base_url,
        CONF_TOKEN_URL: emulator.token_url,
        CONF_USER_ID: DEMO_USER,
        CONF_WEBHOOK_ID: "a1b2c3d4e5f6",
        CONF_WEBHOOK_SECRET: WEBHOOK_SECRET,
        **overrides,
    }


@pytest.fixture
def config_entry(hass: HomeAssistant, emulator: Emulator) -> MockConfigEntry:
    """A config entry for the emulator's demo household."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Enode (custom)",
        unique_id=f"{emulator.client_id}_{DEMO_USER}",
        data=entry_data(emulator),
        options=DEFAULT_OPTIONS,
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
async def setup_integration(
    hass: HomeAssistant, ha_client: TestClient, config_entry: MockConfigEntry
) -> MockConfigEntry:
    """The demo household set up with push through the test HTTP server."""
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


def sign(body: bytes, secret: str = WEBHOOK_SECRET) -> str:
    """Enode's signature header value, computed independently of the integration."""
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


async def post_webhook(
    ha_client: TestClient,
    entry: MockConfigEntry,
    payload: Any,
    *,
    signature: str | None = None,
    raw: bytes | None = None,
) -> int:
    """Deliver a payload to the entry's webhook as Enode would; returns the HTTP status."""
    body = raw if raw is not None else json.dumps(payload).encode()
    headers = {
        "Content-Type": "application/json",
        "x-enode-signature": signature if signature is not None else sign(body),
        "x-enode-delivery": "test-delivery",
    }
    response = await ha_client.post(
        f"/api/webhook/{entry.data[CONF_WEBHOOK_ID]}", data=body, headers=headers
    )
    return response.status


def event(kind: str, asset: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """An Enode webhook event for the demo user."""
    payload: dict[str, Any] = {
        "event": kind,
        "version": "2024-10-01",
        "createdAt": "2025-06-01T12:00:00Z",
        "user": {"id": DEMO_USER},
        **extra,
    }
    if asset is not None:
        key = kind.split(":")[1]
        payload["hemSystem" if key == "hem-system" else key] = asset
    return payload


async def start_charging(entry: MockConfigEntry) -> str:
    """Send START to the demo charger through the client and track it; returns the action id."""
    data = entry.runtime_data
    action = await data.client.set_charging(AssetType.CHARGER, CHARGER, True)
    data.actions.async_track(
        action,
        asset_type=AssetType.CHARGER,
        asset_id=CHARGER,
        command="start_charging",
        value_key="charging",
        target=True,
    )
    return action.id


async def browse_link(
    link_url: str, ha_client: TestClient, *, cancel: bool = False
) -> aiohttp.ClientResponse:
    """Play the person in the browser: open Enode Link, pick a vendor, confirm or cancel.

    Returns Home Assistant's answer to the redirect back to the callback view.
    """
    async with aiohttp.ClientSession() as browser:
        async with browser.get(link_url) as page:
            html = await page.text()
            assert page.status == 200, html
        vendor = re.search(r'name="vendor" value="([^"]+)"', html)
        form = {"action": "cancel" if cancel else "confirm"}
        if vendor:
            form["vendor"] = vendor.group(1)
        async with browser.post(link_url, data=form, allow_redirects=False) as answer:
            assert answer.status == 302, await answer.text()
            redirect = URL(answer.headers["Location"])
    return await ha_client.get(redirect.path_qs)

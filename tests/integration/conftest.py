"""Fixtures: a real Home Assistant (test harness) talking HTTP to the Enode emulator."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from datetime import datetime, timedelta
import hashlib
import hmac
import json
from pathlib import Path
import re
from typing import Any, cast, get_args
from unittest.mock import PropertyMock, patch

import aiohttp
from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import persistent_notification
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_WEBHOOK_ID,
    SERVICE_TURN_ON,
    __version__ as ha_version,
)
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.helpers.json import ExtendedJSONEncoder
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion
from syrupy.location import PyTestLocation
from yarl import URL

from custom_components.enode.api import EnodeClient
from custom_components.enode.config_flow import DEFAULT_OPTIONS
from custom_components.enode.const import (
    CONF_API_URL,
    CONF_ENVIRONMENT,
    CONF_TOKEN_URL,
    CONF_USER_ID,
    CONF_WEBHOOK_SECRET,
    DOMAIN,
)
from custom_components.enode.diagnostics import async_get_config_entry_diagnostics
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

    Setting up the integration copies its blueprints into <config>/blueprints/ (blueprint_files.py);
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
def enode_client_options() -> dict[str, Any]:
    """Constructor options (aioenode's public ones) for every client the integration builds.

    Tests override it, e.g. `retry_base_delay=0` so 503 retries do not sleep.
    """
    return {}


@pytest.fixture(autouse=True)
def apply_enode_client_options(enode_client_options: dict[str, Any]) -> Generator[None]:
    """Build every EnodeClient with `enode_client_options` on top of the integration's own."""
    if not enode_client_options:
        yield
        return
    original = EnodeClient.__init__

    def init(self: EnodeClient, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **{**kwargs, **enode_client_options})

    with patch.object(EnodeClient, "__init__", init):
        yield


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


CHARGER_SWITCH = "switch.zaptec_go_charge"


EXCEPTIONS: dict[str, str] = {
    key: value["message"]
    for key, value in json.loads(
        (Path(__file__).parents[2] / "custom_components/enode/translations/en.json").read_text()
    )["exceptions"].items()
}


def rendered(key: str, **placeholders: str) -> str:
    """The English message of an exception key as a full-match pattern for pytest.raises.

    Placeholders given are matched exactly; the others match any text. Home Assistant drops
    the final full stop of exception messages.
    """
    pattern = ""
    for part in re.split(r"(\{[a-z_]+\})", EXCEPTIONS[key].removesuffix(".")):
        name = part[1:-1] if part.startswith("{") else None
        if name is None:
            pattern += re.escape(part)
        else:
            pattern += re.escape(placeholders[name]) if name in placeholders else ".+"
    return f"^{pattern}\\.?$"


async def start_charging(hass: HomeAssistant, emulator: Emulator) -> str:
    """Turn on the demo charger's charge switch as a user does; returns Enode's action id."""
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: CHARGER_SWITCH}, blocking=True
    )
    [action_id] = [
        action.data["id"]
        for action in emulator.core.actions.actions.values()
        if action.asset_id == CHARGER and action.pending
    ]
    return action_id


async def diagnostics(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """The entry's diagnostics as a user downloads them (the integration's diagnostics hook).

    Called directly rather than over HTTP: tests move the clock by days, past the lifetime of
    the harness's access token. The JSON round trip is what the download does to the values.
    """
    result = await async_get_config_entry_diagnostics(hass, entry)
    return cast("dict[str, Any]", json.loads(json.dumps(result, cls=ExtendedJSONEncoder)))


def asset_kinds(result: dict[str, Any]) -> Counter[str]:
    """How many assets of each type diagnostics show (aliases are `<type>_<n>`)."""
    return Counter(alias.rsplit("_", 1)[0] for alias in result["assets"])


async def last_update_success(hass: HomeAssistant, entry: MockConfigEntry) -> bool:
    """Whether the last poll succeeded, as diagnostics report it."""
    return bool((await diagnostics(hass, entry))["coordinator"]["last_update_success"])


async def push_healthy(hass: HomeAssistant, entry: MockConfigEntry) -> bool:
    """Whether push is healthy, as diagnostics report it."""
    return bool((await diagnostics(hass, entry))["webhook"]["push_healthy"])


async def pending_commands(hass: HomeAssistant, entry: MockConfigEntry) -> list[str]:
    """The commands Home Assistant still waits for (their overlays), as diagnostics list them."""
    return [item["command"] for item in (await diagnostics(hass, entry))["pending_actions"]]


async def tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta) -> None:
    """Move Home Assistant's clock and run what became due (requests finish before the next)."""
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def poll_now(hass: HomeAssistant, entity_id: str) -> None:
    """Ask for a full poll the way a user does: homeassistant.update_entity on an Enode entity.

    Home Assistant debounces these requests (10 s): move the clock past that between two.
    """
    assert await async_setup_component(hass, "homeassistant", {})
    await hass.services.async_call(
        "homeassistant", "update_entity", {ATTR_ENTITY_ID: entity_id}, blocking=True
    )
    await hass.async_block_till_done()


async def poll_again(hass: HomeAssistant, entity_id: str) -> None:
    """Another update_entity poll: first let the debounce cooldown of the last one pass."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=11))
    await hass.async_block_till_done()
    await poll_now(hass, entity_id)


async def setup_without_push(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set the demo household up on polling: Home Assistant has no URL for Enode to call."""
    assert await async_setup_component(hass, "http", {})
    hass.config.api = None  # no URL for Enode to push to
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert not await push_healthy(hass, entry)


def notifications(hass: HomeAssistant) -> dict[str, dict[str, str]]:
    """Persistent notifications currently shown.

    Home Assistant offers no public reader besides the websocket API; its own tests read this.
    """
    return persistent_notification._async_get_or_create_notifications(hass)


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

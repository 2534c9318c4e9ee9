"""Setup, push registration, restart, removal, foreign entries and devices."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import AsyncMock, patch

from aiohttp.test_utils import TestClient
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.enode.const import (
    CONF_CLOUDHOOK_URL,
    CONF_ENODE_WEBHOOK_ID,
    CONF_ENODE_WEBHOOK_URL,
    DOMAIN,
    POLL_INTERVAL_NO_PUSH,
    PUSH_STALE_AFTER,
)
from enode_emulator import Emulator

from .conftest import DEMO_USER, asset_kinds, diagnostics, poll_now, push_healthy, user_assets
from .platform_helpers import BATTERY, HEM, asset_device


def webhooks(emulator: Emulator) -> list[dict[str, object]]:
    """Webhooks registered at the emulator."""
    return [hook.to_json() for hook in emulator.core.webhooks.webhooks.values()]


def requests(emulator: Emulator, method: str, path: str) -> int:
    """How many requests with this method and path the emulator saw."""
    return sum(1 for e in emulator.request_log if e.method == method and e.path == path)


async def test_setup_registers_push(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """Setup lists the user's assets, registers one Enode webhook and goes push-first."""
    entry = setup_integration
    assert entry.state is ConfigEntryState.LOADED
    result = await diagnostics(hass, entry)
    assert asset_kinds(result) == Counter(user_assets(emulator, DEMO_USER).values())
    hooks = webhooks(emulator)
    assert len(hooks) == 1
    assert hooks[0]["id"] == entry.data[CONF_ENODE_WEBHOOK_ID]
    assert str(hooks[0]["url"]).endswith(f"/api/webhook/{entry.data[CONF_WEBHOOK_ID]}")
    # The test delivery reached us, so push is healthy and polling is only a safety net.
    assert result["webhook"]["mode"] == "push"
    assert result["webhook"]["counts_by_event"].get("enode:webhook:test") == 1
    assert result["webhook"]["push_healthy"]
    # The safety round runs on its own clock: DataUpdateCoordinator's timer is off.
    assert result["coordinator"]["update_interval"] == "None"


async def test_devices_follow_assets(
    hass: HomeAssistant,
    emulator: Emulator,
    device_registry: dr.DeviceRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """One device per asset with brand and model; HEM members point at their HEM system."""
    entry = setup_integration
    devices = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    assert len(devices) == len(user_assets(emulator, DEMO_USER))
    hem = asset_device(device_registry, entry, HEM)
    battery = asset_device(device_registry, entry, BATTERY)
    assert hem is not None
    assert battery is not None
    assert battery.via_device_id == hem.id
    assert battery.manufacturer
    assert battery.model

    # A new asset appears as a device on the next update; a removed one disappears.
    added = emulator.add_asset(DEMO_USER, {"type": "vehicle", "vendor": "VOLKSWAGEN"})
    emulator.remove_asset(BATTERY)
    await poll_now(hass, "sensor.my_model_3_battery")
    assert asset_device(device_registry, entry, added["id"]) is not None
    assert asset_device(device_registry, entry, BATTERY) is None
    assert device_registry.async_get(battery.id) is None  # removed, not only detached


async def test_remove_stale_device(
    hass: HomeAssistant,
    device_registry: dr.DeviceRegistry,
    setup_integration: MockConfigEntry,
) -> None:
    """Only devices whose asset Enode no longer reports can be removed by the user."""
    entry = setup_integration
    assert await async_setup_component(hass, "config", {})
    live = asset_device(device_registry, entry, HEM)
    assert live is not None
    stale = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, "gone")}
    )
    from custom_components.enode import async_remove_config_entry_device  # noqa: PLC0415

    assert not await async_remove_config_entry_device(hass, entry, live)
    assert await async_remove_config_entry_device(hass, entry, stale)


async def test_restart_reuses_the_enode_webhook(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """A reload reuses (and tests) the stored webhook: no second POST /webhooks."""
    entry = setup_integration
    hook_id = entry.data[CONF_ENODE_WEBHOOK_ID]
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.data[CONF_ENODE_WEBHOOK_ID] == hook_id
    assert requests(emulator, "POST", "/webhooks") == 1
    assert requests(emulator, "POST", f"/webhooks/{hook_id}/test") == 2
    assert len(webhooks(emulator)) == 1


async def test_data_written_while_running_does_not_reload(
    hass: HomeAssistant, emulator: Emulator, setup_integration: MockConfigEntry
) -> None:
    """The entry's own data updates (a webhook moving to a cloudhook) keep it running."""
    entry = setup_integration
    start = len(emulator.request_log)
    assert not entry.update_listeners
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_CLOUDHOOK_URL: "https://hooks.nabu.casa/x"}
    )
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    # A reload would have listed the user and the assets again.
    assert emulator.request_log[start:] == []


async def test_restart_recreates_a_deleted_webhook(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """When Enode no longer knows the stored webhook, a new one replaces it."""
    entry = setup_integration
    old = entry.data[CONF_ENODE_WEBHOOK_ID]
    emulator.core.webhooks.webhooks.pop(old)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.data[CONF_ENODE_WEBHOOK_ID] != old
    assert [h["id"] for h in webhooks(emulator)] == [entry.data[CONF_ENODE_WEBHOOK_ID]]
    assert await push_healthy(hass, entry)


async def test_changed_url_updates_the_webhook(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """When Home Assistant's URL changed, the Enode webhook is updated, not duplicated."""
    entry = setup_integration
    hook_id = entry.data[CONF_ENODE_WEBHOOK_ID]
    real_url = entry.data[CONF_ENODE_WEBHOOK_URL]
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_ENODE_WEBHOOK_URL: "http://127.0.0.1:1/old"}
    )
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert requests(emulator, "PATCH", f"/webhooks/{hook_id}") == 1
    assert entry.data[CONF_ENODE_WEBHOOK_URL] == real_url
    assert len(webhooks(emulator)) == 1


async def test_leftover_webhook_with_our_url_is_replaced(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    config_entry: MockConfigEntry,
) -> None:
    """An orphan from an earlier crash (same URL, unknown to the entry) is deleted first."""
    url = f"{hass.config.internal_url}/api/webhook/{config_entry.data[CONF_WEBHOOK_ID]}"
    orphan = emulator.core.webhooks.create({"url": url, "secret": "orphan-secret"})
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert [h["id"] for h in webhooks(emulator)] == [config_entry.data[CONF_ENODE_WEBHOOK_ID]]
    assert orphan.id not in emulator.core.webhooks.webhooks


async def test_no_usable_url_polls_and_raises_repair(
    hass: HomeAssistant, emulator: Emulator, config_entry: MockConfigEntry
) -> None:
    """Without a URL Enode can reach, the entry polls every 5 minutes and says how to fix it."""
    assert await async_setup_component(hass, "http", {})
    hass.config.api = None  # no internal, external or IP-based URL for Home Assistant
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    result = await diagnostics(hass, config_entry)
    assert result["webhook"]["mode"] == "poll"
    assert result["coordinator"]["update_interval"] == str(POLL_INTERVAL_NO_PUSH)
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"webhook_unavailable_{config_entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_key == "webhook_unavailable"
    assert not webhooks(emulator)


async def test_webhook_registration_error_falls_back_to_polling(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    config_entry: MockConfigEntry,
) -> None:
    """If Enode refuses the webhook, the entry still loads and polls."""
    emulator.add_fault(path="/webhooks", status=500, count=5)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    result = await diagnostics(hass, config_entry)
    assert result["webhook"]["mode"] == "poll"
    assert result["coordinator"]["update_interval"] == str(POLL_INTERVAL_NO_PUSH)


async def test_remove_entry_deletes_the_webhook(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """Removing the entry leaves no Enode webhook behind."""
    assert webhooks(emulator)
    assert await hass.config_entries.async_remove(setup_integration.entry_id)
    await hass.async_block_till_done()
    assert not webhooks(emulator)


async def test_unload(
    hass: HomeAssistant,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """Unloading releases the webhook handler."""
    entry = setup_integration
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED
    response = await ha_client.post(f"/api/webhook/{entry.data[CONF_WEBHOOK_ID]}", data=b"[]")
    assert response.status == 200  # HA answers 200 for unknown webhooks; nothing is applied


async def test_foreign_entry_fails_with_repair(hass: HomeAssistant) -> None:
    """An `enode` entry of another custom integration fails cleanly with a repair issue."""
    entry = MockConfigEntry(domain=DOMAIN, data={"client_id": "x", "token": "abc"})
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert entry.reason is not None
    assert entry.reason.startswith("This entry was created by another integration")
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"foreign_entry_{entry.entry_id}")


async def test_foreign_entry_of_newer_version(hass: HomeAssistant) -> None:
    """A version we never wrote is refused at migration, with the same repair issue."""
    entry = MockConfigEntry(domain=DOMAIN, version=3, data={"whatever": 1})
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.MIGRATION_ERROR
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"foreign_entry_{entry.entry_id}")


async def test_first_refresh_auth_failure_starts_reauth(
    hass: HomeAssistant, emulator: Emulator, config_entry: MockConfigEntry
) -> None:
    """Bad credentials at setup: SETUP_ERROR and a reauth flow."""
    emulator.add_fault(path="/oauth2/token", status=401, count=10)
    assert not await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == ["reauth"]


async def test_first_refresh_outage_retries(
    hass: HomeAssistant, emulator: Emulator, config_entry: MockConfigEntry
) -> None:
    """Enode unavailable at setup: SETUP_RETRY, nothing half set up."""
    emulator.add_fault(path="/users/*", status=503, count=10)
    assert not await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    assert not webhooks(emulator)


async def test_poll_interval_falls_back_when_push_goes_quiet(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """No delivery for three heartbeat periods: poll at once, then every 5 minutes."""
    entry = setup_integration
    result = await diagnostics(hass, entry)
    assert result["webhook"]["push_healthy"]
    assert result["webhook"]["last_delivery"] is not None
    start = len(emulator.request_log)
    async_fire_time_changed(hass, dt_util.utcnow() + PUSH_STALE_AFTER + timedelta(seconds=1))
    await hass.async_block_till_done()
    result = await diagnostics(hass, entry)
    assert not result["webhook"]["push_healthy"]
    assert result["coordinator"]["update_interval"] == str(POLL_INTERVAL_NO_PUSH)
    # What push did not bring is fetched at once: one full poll (the user first).
    made = [f"{e.method} {e.path}" for e in emulator.request_log[start:]]
    assert made.count(f"GET /users/{DEMO_USER}") == 1
    # The next delivery (here the emulator's heartbeat) restores the push interval.
    await emulator.advance(emulator.core.config.heartbeat_interval + 1)
    await hass.async_block_till_done()
    result = await diagnostics(hass, entry)
    assert result["webhook"]["push_healthy"]
    assert result["coordinator"]["update_interval"] == "None"


class FakeCloud:
    """Home Assistant Cloud, which cannot be real in tests: subscription, cloudhook, signal."""

    def __init__(self, cloudhook_url: str, *, subscribed: bool) -> None:
        self.cloudhook_url = cloudhook_url
        self.subscribed = subscribed
        self.listeners: list[Callable[[bool], None]] = []
        self.unsubscribed = 0

    def listen(self, hass: HomeAssistant, target: Callable[[bool], None]) -> Callable[[], None]:
        self.listeners.append(target)

        def unsubscribe() -> None:
            self.unsubscribed += 1

        return unsubscribe

    def connection_changed(self, connected: bool) -> None:
        for listener in self.listeners:
            listener(connected)

    @contextmanager
    def installed(self) -> Iterator[None]:
        url, subscription = (
            "custom_components.enode.webhook_url",
            "custom_components.enode.webhook",
        )
        with (
            patch(f"{subscription}.async_listen_cloud_connection", self.listen),
            patch(f"{subscription}.cloud_subscription_active", lambda hass: self.subscribed),
            patch(f"{url}.cloud_subscription_active", lambda hass: self.subscribed),
            patch(f"{url}.async_get_cloudhook_url", AsyncMock(return_value=self.cloudhook_url)),
        ):
            yield


def server_hook(ha_client: TestClient, entry: MockConfigEntry) -> str:
    """A "cloudhook" URL that really reaches the test server's webhook (what Cloud relays)."""
    return f"http://127.0.0.1:{ha_client.server.port}/api/webhook/{entry.data[CONF_WEBHOOK_ID]}"


async def test_active_cloud_subscription_uses_a_cloudhook(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    config_entry: MockConfigEntry,
) -> None:
    """With HA Cloud, Enode delivers to the cloudhook, stored for the next start."""
    cloud = FakeCloud(server_hook(ha_client, config_entry), subscribed=True)
    with cloud.installed():
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
        push = (await diagnostics(hass, config_entry))["webhook"]
        assert (push["mode"], push["url_kind"]) == ("push", "cloudhook")
        assert [hook["url"] for hook in webhooks(emulator)] == [cloud.cloudhook_url]
        assert config_entry.data[CONF_CLOUDHOOK_URL] == cloud.cloudhook_url
        assert push["push_healthy"]  # the test delivery arrived
        assert await hass.config_entries.async_unload(config_entry.entry_id)
    assert cloud.unsubscribed == 1


async def test_cloud_connecting_later_moves_push_to_a_cloudhook(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    config_entry: MockConfigEntry,
) -> None:
    """Polling without a URL, then HA Cloud connects: push starts without a reload."""
    hass.config.internal_url = None
    hass.config.api = None  # no URL Enode could reach
    cloud = FakeCloud(server_hook(ha_client, config_entry), subscribed=False)
    issue_id = f"webhook_unavailable_{config_entry.entry_id}"
    with cloud.installed():
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
        assert (await diagnostics(hass, config_entry))["webhook"]["mode"] == "poll"
        assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

        # Connected without a subscription, or a disconnect: nothing to move to.
        cloud.connection_changed(True)
        cloud.subscribed = True
        cloud.connection_changed(False)
        await hass.async_block_till_done()
        assert (await diagnostics(hass, config_entry))["webhook"]["mode"] == "poll"
        assert not webhooks(emulator)

        cloud.connection_changed(True)
        await hass.async_block_till_done(wait_background_tasks=True)
        push = (await diagnostics(hass, config_entry))["webhook"]
    assert (push["mode"], push["url_kind"]) == ("push", "cloudhook")
    assert [hook["url"] for hook in webhooks(emulator)] == [cloud.cloudhook_url]
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert push["push_healthy"]

"""The Enode integration: EVs, chargers, batteries, HVAC, solar and meters through Enode."""

from __future__ import annotations

from homeassistant.const import CONF_CLIENT_ID, CONF_CLIENT_SECRET, CONF_WEBHOOK_ID, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryError
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.helpers.typing import ConfigType

from .actions import ActionTracker
from .blueprint_files import async_install_blueprints
from .charging_statistics import ChargingStatisticsImporter
from .client_factory import create_client
from .const import CONF_ENVIRONMENT, CONF_USER_ID, CONF_WEBHOOK_SECRET, DOMAIN
from .coordinator import EnodeCoordinator, SafetyPoll
from .devices import async_sync_devices
from .interventions import InterventionIssues, async_delete_entry_issues
from .link import async_register_view
from .models import EnodeConfigEntry, EnodeData
from .push import PushState
from .repairs import async_sync_credentials_issues
from .services import async_setup_services
from .statistics import StatisticsImporter, async_clear_entry_statistics
from .takeover import async_raise_foreign_entry_issue, foreign_issue_id
from .vendor_status import VendorStatus
from .webhook import EnodeWebhook, async_remove_webhooks

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CLIMATE,
    Platform.DEVICE_TRACKER,
    Platform.EVENT,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TIME,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
REQUIRED_KEYS = (
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_ENVIRONMENT,
    CONF_USER_ID,
    CONF_WEBHOOK_ID,
    CONF_WEBHOOK_SECRET,
)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the Link callback view and the actions; explain entries we never wrote."""
    async_register_view(hass)
    async_setup_services(hass)
    # Home Assistant 2026.10+ refuses such entries before async_migrate_entry would run.
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.version > 1:
            _refuse_foreign_entry(hass, entry)
    return True


def _is_ours(entry: EnodeConfigEntry) -> bool:
    """Another custom integration also uses the domain `enode`: recognise our own entries."""
    return entry.version == 1 and all(entry.data.get(key) for key in REQUIRED_KEYS)


def _refuse_foreign_entry(hass: HomeAssistant, entry: EnodeConfigEntry) -> None:
    # The other Enode integration's entries get a fix flow that takes them over (takeover.py).
    async_raise_foreign_entry_issue(hass, entry)


async def async_migrate_entry(hass: HomeAssistant, entry: EnodeConfigEntry) -> bool:
    """1.1 -> 1.2: the "Smart charging" binary sensor became a switch; drop its old entries.

    Entries of a newer major version are not ours (we have only ever had version 1).
    """
    if entry.version > 1:
        _refuse_foreign_entry(hass, entry)
        return False
    if entry.minor_version < 2:
        registry = er.async_get(hass)
        for registry_entry in er.async_entries_for_config_entry(registry, entry.entry_id):
            if registry_entry.domain == Platform.BINARY_SENSOR and (
                registry_entry.unique_id.endswith("_smart_charging")
            ):
                registry.async_remove(registry_entry.entity_id)
        hass.config_entries.async_update_entry(entry, minor_version=2)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: EnodeConfigEntry) -> bool:
    """Set up one Enode user."""
    if not _is_ours(entry):
        _refuse_foreign_entry(hass, entry)
        raise ConfigEntryError(translation_domain=DOMAIN, translation_key="foreign_entry")
    ir.async_delete_issue(hass, DOMAIN, foreign_issue_id(entry.entry_id))
    client = create_client(hass, dict(entry.data))
    push = PushState(hass)
    entry.async_on_unload(push.async_shutdown)
    coordinator = EnodeCoordinator(hass, entry, client, entry.data[CONF_USER_ID], push)
    await coordinator.async_config_entry_first_refresh()
    tracker = ActionTracker(hass, entry, coordinator, push)
    push_webhook = EnodeWebhook(hass, entry, coordinator, tracker, push)
    # Its own cadence from setup on; a failure only lands in diagnostics.
    vendor_status = VendorStatus(hass, entry, client, coordinator)
    await vendor_status.async_refresh()
    statistics = None
    charging = None
    if "recorder" in hass.config.components:  # an after-dependency: the importers need it
        statistics = StatisticsImporter(hass, entry, client, coordinator)
        charging = ChargingStatisticsImporter(hass, entry, client, coordinator)
    entry.runtime_data = EnodeData(
        client=client,
        coordinator=coordinator,
        safety=SafetyPoll(hass, entry, coordinator),
        push=push,
        webhook=push_webhook,
        actions=tracker,
        statistics=statistics,
        interventions=InterventionIssues(hass, entry, client, coordinator),
        vendor_status=vendor_status,
        charging_statistics=charging,
    )
    _async_sync_registry(hass, entry)
    entry.async_on_unload(coordinator.async_add_listener(lambda: _async_sync_registry(hass, entry)))
    await push_webhook.async_start()
    if statistics is not None:
        statistics.async_start()
    if charging is not None:
        charging.async_start()
    # No update listener: the options flow reloads the entry when the settings change
    # (OptionsFlowWithReload), reauth and reconfigure reload it themselves, and data the
    # running entry writes (a webhook moving to a cloudhook) needs no reload.
    await async_install_blueprints(hass)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


@callback
def _async_sync_registry(hass: HomeAssistant, entry: EnodeConfigEntry) -> None:
    """After every update: devices follow assets, repair issues follow vendor links."""
    async_sync_devices(hass, entry)
    async_sync_credentials_issues(hass, entry)
    entry.runtime_data.interventions.async_sync()


async def async_unload_entry(hass: HomeAssistant, entry: EnodeConfigEntry) -> bool:
    """Unload platforms; webhook, listeners and action polls are released via async_on_unload."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: EnodeConfigEntry) -> None:
    """Delete the Enode webhook, the cloudhook, the imported statistics and our repair issues."""
    async_delete_entry_issues(hass, entry.entry_id)
    ir.async_delete_issue(hass, DOMAIN, foreign_issue_id(entry.entry_id))
    if _is_ours(entry):
        await async_remove_webhooks(hass, entry)
        if "recorder" in hass.config.components:
            # The devices still registered and every asset the entry ever imported (a Store);
            # everything of ours when no other entry of ours is left.
            others = [
                other
                for other in hass.config_entries.async_entries(DOMAIN)
                if other.entry_id != entry.entry_id and _is_ours(other)
            ]
            await async_clear_entry_statistics(
                hass, entry.entry_id, _asset_ids(hass, entry), last_entry=not others
            )


def _asset_ids(hass: HomeAssistant, entry: EnodeConfigEntry) -> list[str]:
    """Asset ids of the entry's devices (still registered while async_remove_entry runs)."""
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    return [i for d in devices for domain, i in d.identifiers if domain == DOMAIN]


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: EnodeConfigEntry, device: DeviceEntry
) -> bool:
    """Let the user remove a device whose asset Enode no longer reports."""
    snapshot = entry.runtime_data.coordinator.data
    return not any(
        domain == DOMAIN and identifier in snapshot.assets
        for domain, identifier in device.identifiers
    )

"""Diagnostics: assets, webhook health and pending actions, with secrets and identities redacted."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.const import CONF_CLIENT_ID, CONF_CLIENT_SECRET, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from yarl import URL

from .const import (
    CONF_API_URL,
    CONF_CLOUDHOOK_URL,
    CONF_ENODE_WEBHOOK_ID,
    CONF_ENODE_WEBHOOK_URL,
    CONF_HOME_LOCATION_ID,
    CONF_TOKEN_URL,
    CONF_USER_ID,
    CONF_WEBHOOK_SECRET,
)
from .interventions import active_interventions
from .models import EnodeConfigEntry

TO_REDACT = {
    # Credentials and webhook secrets.
    CONF_CLIENT_SECRET,
    CONF_WEBHOOK_SECRET,
    CONF_WEBHOOK_ID,
    CONF_CLOUDHOOK_URL,
    CONF_ENODE_WEBHOOK_ID,
    CONF_ENODE_WEBHOOK_URL,
    "access_token",
    "token",
    # Identities.
    CONF_CLIENT_ID,
    CONF_USER_ID,
    CONF_HOME_LOCATION_ID,
    "userId",
    "vin",
    "serialNumber",
    "sn",
    "id",  # vendor ids inside `information`; asset ids are replaced by aliases below
    "displayName",
    "siteName",
    # Coordinates.
    "latitude",
    "longitude",
}


def _redact_host(url: str) -> str:
    """A custom URL without its host and port: which emulator or proxy it is stays private."""
    try:
        parsed = URL(url)
    except ValueError:
        return REDACTED
    return f"{parsed.scheme}://{REDACTED}{parsed.raw_path}" if parsed.scheme else REDACTED


def _entry_data(data: dict[str, Any]) -> dict[str, Any]:
    redacted = async_redact_data(data, TO_REDACT)
    for key in (CONF_API_URL, CONF_TOKEN_URL):
        if isinstance(url := redacted.get(key), str):
            redacted[key] = _redact_host(url)
    return redacted


def _replace_ids(value: Any, aliases: dict[str, str]) -> Any:
    """Swap asset ids anywhere (hemSystemId, pairing ids, ...) for their aliases."""
    if isinstance(value, dict):
        return {key: _replace_ids(item, aliases) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_ids(item, aliases) for item in value]
    if isinstance(value, str):
        return aliases.get(value, value)
    return value


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: EnodeConfigEntry
) -> dict[str, Any]:
    """Diagnostics for one Enode user."""
    data = entry.runtime_data
    snapshot = data.coordinator.data
    # Asset ids link to the user's devices; show a stable alias instead.
    aliases = {
        asset_id: f"{asset.asset_type}_{index}"
        for index, (asset_id, asset) in enumerate(sorted(snapshot.assets.items()))
    }
    assets = {
        aliases[asset_id]: _replace_ids(async_redact_data(asset.raw, TO_REDACT), aliases)
        for asset_id, asset in snapshot.assets.items()
    }
    pending = []
    for command in data.actions.pending:
        item = command.as_dict()
        item["asset"] = aliases.get(command.asset_id, "unknown")
        pending.append(item)
    return {
        "entry": {
            "data": _entry_data(dict(entry.data)),
            "options": dict(entry.options),
        },
        "environment": data.client.environment.value,
        "coordinator": {
            "last_update_success": data.coordinator.last_update_success,
            "update_interval": str(data.coordinator.update_interval),
            "last_poll": data.coordinator.last_poll.isoformat()
            if data.coordinator.last_poll
            else None,
        },
        "webhook": {**data.push.as_dict(), **data.webhook.health.as_dict()},
        "linked_vendors": [
            {"vendor": v.vendor, "vendor_type": v.vendor_type, "is_valid": v.is_valid}
            for v in (snapshot.user.linked_vendors if snapshot.user else ())
        ],
        "assets": assets,
        "pending_actions": pending,
        "statistics": data.statistics.as_diagnostics(aliases) if data.statistics else None,
        "charging_statistics": data.charging_statistics.as_diagnostics(aliases)
        if data.charging_statistics
        else None,
        "vendor_status": data.vendor_status.as_diagnostics(),
        "interventions": {
            "language": data.interventions.catalogue.language,
            "catalogue_size": len(data.interventions.catalogue.items),
            "active": sorted(
                f"{aliases.get(asset_id, 'unknown')}: {intervention_id}"
                for asset_id, intervention_id in active_interventions(snapshot.assets.values())
            ),
        },
    }

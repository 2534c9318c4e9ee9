"""Making a failed command visible: one translated message, the event, and a notification.

Every failure fires `enode_action_failed` so automations see all of them. The persistent
notification is only for failures the user could not have seen (an action that failed or timed
out later); a command refused at once was already raised to the caller. The action tracker uses
this, and so can any other part that sends commands (smart charging).
"""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components import persistent_notification
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.translation import async_get_translations

from .api import AssetType
from .const import DOMAIN, EVENT_ACTION_FAILED, LOGGER

STATE_TIMEOUT = "TIMEOUT"  # no outcome within ACTION_TIMEOUT
STATE_ERROR = "ERROR"  # refused at once, or Enode could not be reached


@dataclass(frozen=True, slots=True)
class CommandFailure:
    """One command that did not succeed."""

    asset_type: AssetType
    asset_id: str
    command: str  # e.g. "start_charging"; its name is translated under common.command_*
    state: str  # FAILED, CANCELLED, TIMEOUT or ERROR
    action_id: str | None = None  # None when Enode created no action
    failure_reason: str | None = None  # Enode's failure type, or the kind of error
    failure_detail: str | None = None  # Enode's own words, when it sent any
    error: HomeAssistantError | None = None  # set when the caller was shown this error


async def async_report_command_failure(
    hass: HomeAssistant, entry_id: str, failure: CommandFailure
) -> None:
    """Fire the event and, for failures the user has not seen, notify."""
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry_id)
    device = next((d for d in devices if (DOMAIN, failure.asset_id) in d.identifiers), None)
    texts = await async_get_translations(hass, hass.config.language, "common", [DOMAIN])

    def text(key: str, default: str) -> str:
        return texts.get(f"component.{DOMAIN}.common.{key}", default)

    if failure.error is not None:
        # What the caller was shown (translated now that the translations are loaded).
        reason = str(failure.error)
    elif failure.state == STATE_TIMEOUT:
        reason = text("action_timeout", failure.state)
    else:
        reason = failure.failure_detail or failure.failure_reason or failure.state
    message = text("action_failed_message", "{device}: {command} did not succeed. {reason}").format(
        device=(device.name_by_user or device.name) if device else failure.asset_id,
        command=text(f"command_{failure.command}", failure.command),
        reason=reason,
    )
    if failure.error is None:
        LOGGER.warning("%s", message)
        persistent_notification.async_create(
            hass,
            message,
            title=text("action_failed_title", "Enode"),
            notification_id=f"{DOMAIN}_action_{failure.action_id}",
        )
    hass.bus.async_fire(
        EVENT_ACTION_FAILED,
        {
            "device_id": device.id if device else None,
            "asset_id": failure.asset_id,
            "asset_type": str(failure.asset_type),
            "action_id": failure.action_id,
            "command": failure.command,
            "state": failure.state,
            "reason": reason,
            "failure_reason": failure.failure_reason,
            "failure_detail": failure.failure_detail,
        },
    )

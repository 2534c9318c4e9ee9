"""Track every Enode Action a control creates until it is CONFIRMED, FAILED or CANCELLED.

While an action is pending, entities show the requested value (no flip-back when a poll still
reports the old state). The outcome arrives by push (`user:vendor-action:updated`) while webhooks
are healthy; otherwise the action is polled with backoff for about ten minutes. A failure puts the
entity back on the real state and is made visible: a translated persistent notification and an
`enode_action_failed` event for automations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from homeassistant.components import persistent_notification
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from .api import Action, ActionState, AssetType, EnodeError
from .const import (
    ACTION_POLL_FIRST,
    ACTION_POLL_MAX,
    ACTION_TIMEOUT,
    CONFIRMED_HOLD,
    DOMAIN,
    EVENT_ACTION_FAILED,
    LOGGER,
)

# The event's state when Enode refused the command at once or could not be reached (no action).
STATE_ERROR = "ERROR"

if TYPE_CHECKING:
    from .coordinator import EnodeCoordinator
    from .models import EnodeConfigEntry


@dataclass(slots=True)
class PendingCommand:
    """A control whose Enode Action has not settled (or was confirmed very recently)."""

    action_id: str
    asset_type: AssetType
    asset_id: str
    command: str  # e.g. "start_charging"; names the command in notifications and events
    value_key: str  # which value the entity overlays, e.g. "charging"
    target: Any  # the requested value shown while pending
    created: datetime = field(default_factory=dt_util.utcnow)
    confirmed_at: datetime | None = None
    polls: int = 0
    waited: float = 0.0  # seconds of scheduled poll delays; bounds tracking without push
    cancel_poll: CALLBACK_TYPE | None = None

    def as_dict(self) -> dict[str, Any]:
        """Diagnostics view (no secrets in here)."""
        return {
            "action_id": self.action_id,
            "asset_type": str(self.asset_type),
            "command": self.command,
            "value_key": self.value_key,
            "target": self.target,
            "created": self.created.isoformat(),
            "confirmed_at": self.confirmed_at.isoformat() if self.confirmed_at else None,
            "polls": self.polls,
            "waited": self.waited,
        }


class ActionTracker:
    """Follows pending actions and overlays their requested values."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: EnodeConfigEntry,
        coordinator: EnodeCoordinator,
        push_healthy: Callable[[], bool],
    ) -> None:
        """Create the tracker; push_healthy tells whether webhooks currently deliver."""
        self._hass = hass
        self._entry = entry
        self._coordinator = coordinator
        self._push_healthy = push_healthy
        self._pending: dict[str, PendingCommand] = {}
        self._listeners: list[CALLBACK_TYPE] = []
        entry.async_on_unload(coordinator.async_add_listener(self._async_release_confirmed))
        entry.async_on_unload(self.async_shutdown)

    @property
    def pending(self) -> list[PendingCommand]:
        """Commands still shown as requested."""
        return list(self._pending.values())

    def requested(self, asset_id: str, value_key: str) -> tuple[bool, Any]:
        """(True, value) when a command overlays this value of this asset."""
        newest: PendingCommand | None = None
        for command in self._pending.values():
            if (command.asset_id, command.value_key) == (asset_id, value_key) and (
                newest is None or command.created >= newest.created
            ):
                newest = command
        return (False, None) if newest is None else (True, newest.target)

    @callback
    def async_add_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Entities re-render when an overlay starts or ends."""
        self._listeners.append(update)
        return lambda: self._listeners.remove(update)

    def _notify(self) -> None:
        for update in list(self._listeners):
            update()

    @callback
    def async_track(
        self,
        action: Action,
        *,
        asset_type: AssetType,
        asset_id: str,
        command: str,
        value_key: str,
        target: Any,
    ) -> None:
        """Start following an action a control just created."""
        # A newer action on the same value replaces the older one's overlay (Enode cancels it).
        for other in list(self._pending.values()):
            if other.asset_id == asset_id and other.value_key == value_key:
                self._drop(other.action_id)
        pending = PendingCommand(
            action_id=action.id,
            asset_type=asset_type,
            asset_id=asset_id,
            command=command,
            value_key=value_key,
            target=target,
        )
        self._pending[action.id] = pending
        self._notify()
        if action.state != ActionState.PENDING:
            self.async_handle_action(action)
            return
        self._schedule_poll(pending, ACTION_POLL_FIRST)

    @callback
    def async_handle_action(self, action: Action) -> None:
        """Apply an action update from a webhook or a poll."""
        pending = self._pending.get(action.id)
        if pending is None or pending.confirmed_at is not None:
            return
        state = action.state
        if state == ActionState.PENDING:
            return
        if state == ActionState.CONFIRMED:
            LOGGER.debug("Action %s confirmed", action.id)
            pending.confirmed_at = action.completed_at or dt_util.utcnow()
            self._cancel_poll(pending)
            # Keep the requested value until the asset data agrees or the hold expires.
            pending.cancel_poll = async_call_later(
                self._hass, CONFIRMED_HOLD, callback(lambda _now: self._drop(action.id))
            )
            self._async_release_confirmed()
            return
        self._drop(action.id)
        self._hass.async_create_task(
            self._async_report_failure(
                pending,
                state=str(state),
                reason=action.failure_reason_type,
                detail=action.failure_reason_detail,
            ),
            eager_start=True,
        )

    @callback
    def _async_release_confirmed(self) -> None:
        """Drop confirmed overlays once the asset reported state newer than the confirmation."""
        snapshot = self._coordinator.data
        for pending in list(self._pending.values()):
            if pending.confirmed_at is None:
                continue
            asset = snapshot.assets.get(pending.asset_id)
            if asset is None or (
                asset.last_updated is not None and asset.last_updated >= pending.confirmed_at
            ):
                self._drop(pending.action_id)

    def _drop(self, action_id: str) -> None:
        pending = self._pending.pop(action_id, None)
        if pending is not None:
            self._cancel_poll(pending)
            self._notify()

    @staticmethod
    def _cancel_poll(pending: PendingCommand) -> None:
        if pending.cancel_poll is not None:
            pending.cancel_poll()
            pending.cancel_poll = None

    def _schedule_poll(self, pending: PendingCommand, delay: float) -> None:
        @callback
        def _due(_now: datetime) -> None:
            pending.cancel_poll = None
            self._entry.async_create_task(
                self._hass, self._async_poll(pending), f"{DOMAIN} action {pending.action_id}"
            )

        pending.waited += delay
        pending.cancel_poll = async_call_later(self._hass, delay, _due)

    async def _async_poll(self, pending: PendingCommand) -> None:
        if self._pending.get(pending.action_id) is not pending or pending.confirmed_at:
            return
        if pending.waited >= ACTION_TIMEOUT.total_seconds():
            self._drop(pending.action_id)
            await self._async_report_failure(pending, state="TIMEOUT", reason=None, detail=None)
            return
        # While push is healthy the webhook brings the outcome: no request needed.
        if not self._push_healthy():
            pending.polls += 1
            try:
                action = await self._coordinator.client.get_action(
                    pending.asset_type, pending.action_id
                )
            except EnodeError as err:
                LOGGER.debug("Could not poll action %s: %s", pending.action_id, err)
            else:
                self.async_handle_action(action)
                if pending.action_id not in self._pending or pending.confirmed_at:
                    return
        delay = min(ACTION_POLL_FIRST * 2 ** max(pending.polls, 1), ACTION_POLL_MAX)
        self._schedule_poll(pending, delay)

    async def async_report_rejected(
        self, *, asset_type: AssetType, asset_id: str, command: str, error: HomeAssistantError
    ) -> None:
        """A command failed before Enode created an action: fire the event, no notification.

        The caller saw the error already (it is raised to the UI or the script); the event lets
        automations see this failure like every other one.
        """
        command_failed = PendingCommand(
            action_id="",
            asset_type=asset_type,
            asset_id=asset_id,
            command=command,
            value_key="",
            target=None,
        )
        cause = error.__cause__
        detail = (cause.detail or cause.title) if isinstance(cause, EnodeError) else None
        await self._async_report_failure(
            command_failed,
            state=STATE_ERROR,
            reason=error.translation_key,
            detail=detail,
            error=error,
        )

    async def _async_report_failure(
        self,
        pending: PendingCommand,
        *,
        state: str,
        reason: str | None,
        detail: str | None,
        error: HomeAssistantError | None = None,
    ) -> None:
        """Make a failed command visible: persistent notification and an event."""
        devices = dr.async_entries_for_config_entry(dr.async_get(self._hass), self._entry.entry_id)
        device = next((d for d in devices if (DOMAIN, pending.asset_id) in d.identifiers), None)
        device_name = (device.name_by_user or device.name) if device else None
        strings = await async_get_translations(
            self._hass, self._hass.config.language, "exceptions", [DOMAIN]
        )
        common = await async_get_translations(
            self._hass, self._hass.config.language, "common", [DOMAIN]
        )
        prefix = f"component.{DOMAIN}"
        command_name = common.get(f"{prefix}.common.command_{pending.command}", pending.command)
        if error is not None:
            # What the caller was shown (translated now that the translations are loaded).
            reason_text = str(error)
        elif state == "TIMEOUT":
            reason_text = strings.get(f"{prefix}.exceptions.action_timeout.message", state)
        else:
            reason_text = detail or reason or state
        template = strings.get(
            f"{prefix}.exceptions.action_failed.message",
            "{device}: {command} did not succeed ({reason})",
        )
        title = strings.get(f"{prefix}.exceptions.action_failed_title.message", "Enode")
        message = template.format(
            device=device_name or pending.asset_id, command=command_name, reason=reason_text
        )
        if error is None:
            # Only failures the user could not have seen: a synchronous one was raised to them.
            LOGGER.warning("%s", message)
            persistent_notification.async_create(
                self._hass,
                message,
                title=title,
                notification_id=f"{DOMAIN}_action_{pending.action_id}",
            )
        self._hass.bus.async_fire(
            EVENT_ACTION_FAILED,
            {
                "device_id": device.id if device else None,
                "asset_id": pending.asset_id,
                "asset_type": str(pending.asset_type),
                "action_id": pending.action_id or None,
                "command": pending.command,
                "state": state,
                "reason": reason_text,
                "failure_reason": reason,
                "failure_detail": detail,
            },
        )

    @callback
    def async_shutdown(self) -> None:
        """Cancel every scheduled poll (on unload)."""
        for pending in self._pending.values():
            self._cancel_poll(pending)
        self._pending.clear()

"""Track every Enode Action a control creates until it is CONFIRMED, FAILED or CANCELLED.

While an action is pending, entities show the requested value (no flip-back when a poll still
reports the old state). The outcome arrives by push (`user:vendor-action:updated`) while webhooks
are healthy; otherwise the action is polled with backoff for about ten minutes. A failure puts the
entity back on the real state and is made visible through reporting.py. Entities of the asset
re-render through a per-asset dispatcher signal when its overlay starts or ends.

After CONFIRMED the requested value stays until the asset's data shows it, so the old value never
reappears once the user saw the new one. Without healthy push nothing would bring that data
before the next poll: the asset is fetched once (one GET) right after the confirmation. Data
that never agrees (a vendor reporting late) lets go after CONFIRMED_HOLD and one more fetch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .api import Action, ActionState, Asset, AssetType, EnodeError
from .const import (
    ACTION_POLL_FIRST,
    ACTION_POLL_MAX,
    ACTION_TIMEOUT,
    CONFIRMED_HOLD,
    DOMAIN,
    LOGGER,
    SIGNAL_OVERLAY_CHANGED,
)
from .reporting import STATE_ERROR, STATE_TIMEOUT, CommandFailure, async_report_command_failure

if TYPE_CHECKING:
    from .coordinator import EnodeCoordinator
    from .models import EnodeConfigEntry
    from .push import PushState


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
    # True when the asset's data shows the requested value (None: newer data is enough).
    agrees: Callable[[Asset], bool] | None = None
    fetches: int = 0  # GETs of the asset after the confirmation (push not healthy)

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
            "fetches": self.fetches,
        }


class ActionTracker:
    """Follows pending actions and overlays their requested values."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: EnodeConfigEntry,
        coordinator: EnodeCoordinator,
        push: PushState,
    ) -> None:
        """Create the tracker; while push is healthy, outcomes arrive by webhook (no polling)."""
        self._hass = hass
        self._entry = entry
        self._coordinator = coordinator
        self._push = push
        self._pending: dict[str, PendingCommand] = {}
        entry.async_on_unload(coordinator.async_add_listener(self._async_release_confirmed))
        entry.async_on_unload(self.async_shutdown)

    @property
    def pending(self) -> list[PendingCommand]:
        """Commands still shown as requested."""
        return list(self._pending.values())

    def requested(self, asset_id: str, value_key: str) -> tuple[bool, Any]:
        """(True, value) when a command overlays this value of this asset.

        At most one command per value is pending: a newer one replaces the older (async_track).
        """
        for command in self._pending.values():
            if (command.asset_id, command.value_key) == (asset_id, value_key):
                return True, command.target
        return False, None

    def _notify(self, asset_id: str) -> None:
        """Only the entities of this asset re-render."""
        async_dispatcher_send(
            self._hass,
            SIGNAL_OVERLAY_CHANGED.format(entry_id=self._entry.entry_id, asset_id=asset_id),
        )

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
        agrees: Callable[[Asset], bool] | None = None,
    ) -> None:
        """Start following an action a control just created.

        ``agrees`` tells whether an asset's data shows ``target``; without it, data newer than
        the confirmation releases the overlay.
        """
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
            agrees=agrees,
        )
        self._pending[action.id] = pending
        self._notify(asset_id)
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
            # Keep the requested value until the asset data agrees (at most CONFIRMED_HOLD).
            pending.cancel_poll = async_call_later(
                self._hass, CONFIRMED_HOLD, callback(lambda _now: self._hold_expired(pending))
            )
            self._async_release_confirmed()
            if action.id in self._pending and not self._push.healthy:
                # Nothing would bring the new state before the next poll: fetch the asset now.
                self._fetch_asset(pending)
            return
        self._drop(action.id)
        self._hass.async_create_task(
            self._async_report(
                pending,
                state=str(state),
                reason=action.failure_reason_type,
                detail=action.failure_reason_detail,
            ),
            eager_start=True,
        )

    @callback
    def _async_release_confirmed(self) -> None:
        """Drop confirmed overlays once the asset's data shows the outcome."""
        snapshot = self._coordinator.data
        for pending in list(self._pending.values()):
            if pending.confirmed_at is None:
                continue
            asset = snapshot.assets.get(pending.asset_id)
            if asset is None or self._settled(pending, asset):
                self._drop(pending.action_id)

    def _settled(self, pending: PendingCommand, asset: Asset) -> bool:
        """True when the asset's data may replace the requested value."""
        if pending.agrees is not None and pending.agrees(asset):
            return True
        newer = (
            asset.last_updated is not None
            and pending.confirmed_at is not None
            and asset.last_updated >= pending.confirmed_at
        )
        # With push healthy Enode pushes every change: data newer than the confirmation is the
        # truth even when it disagrees. Without push such data is a vendor reporting late.
        return newer and (pending.agrees is None or self._push.healthy)

    def _fetch_asset(self, pending: PendingCommand, *, then_drop: bool = False) -> None:
        self._entry.async_create_task(
            self._hass,
            self._async_fetch_asset(pending, then_drop=then_drop),
            f"{DOMAIN} fetch {pending.asset_id}",
        )

    async def _async_fetch_asset(self, pending: PendingCommand, *, then_drop: bool) -> None:
        """One GET of the asset; the coordinator merges it (never older than what it holds)."""
        pending.fetches += 1
        try:
            asset = await self._coordinator.client.get_asset(pending.asset_type, pending.asset_id)
        except EnodeError as err:
            LOGGER.debug("Could not fetch %s after its action: %s", pending.asset_id, err)
        else:
            self._coordinator.async_apply_asset(asset)  # its listener runs the release check
        if then_drop:
            self._drop(pending.action_id)

    @callback
    def _hold_expired(self, pending: PendingCommand) -> None:
        """The asset never showed the outcome: fetch it once more (without push), then let go."""
        pending.cancel_poll = None
        if self._pending.get(pending.action_id) is not pending:
            return
        if self._push.healthy:
            self._drop(pending.action_id)
            return
        self._fetch_asset(pending, then_drop=True)

    def _drop(self, action_id: str) -> None:
        pending = self._pending.pop(action_id, None)
        if pending is not None:
            self._cancel_poll(pending)
            self._notify(pending.asset_id)

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
            await self._async_report(pending, state=STATE_TIMEOUT, reason=None, detail=None)
            return
        # While push is healthy the webhook brings the outcome: no request needed.
        if not self._push.healthy:
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
        cause = error.__cause__
        await async_report_command_failure(
            self._hass,
            self._entry.entry_id,
            CommandFailure(
                asset_type=asset_type,
                asset_id=asset_id,
                command=command,
                state=STATE_ERROR,
                failure_reason=error.translation_key,
                failure_detail=(cause.detail or cause.title)
                if isinstance(cause, EnodeError)
                else None,
                error=error,
            ),
        )

    async def _async_report(
        self, pending: PendingCommand, *, state: str, reason: str | None, detail: str | None
    ) -> None:
        await async_report_command_failure(
            self._hass,
            self._entry.entry_id,
            CommandFailure(
                asset_type=pending.asset_type,
                asset_id=pending.asset_id,
                command=pending.command,
                state=state,
                action_id=pending.action_id,
                failure_reason=reason,
                failure_detail=detail,
            ),
        )

    @callback
    def async_shutdown(self) -> None:
        """Cancel every scheduled poll (on unload)."""
        for pending in self._pending.values():
            self._cancel_poll(pending)
        self._pending.clear()

"""Push health: the one owner of "do Enode's webhooks deliver to us right now?".

Only its own methods change it: the webhook's lifecycle (webhook.py) sets the mode, the kind of
URL and why registering failed; the webhook's handler (webhook.py) marks each valid delivery and
heartbeat. Readers: the assets coordinator (its poll interval, a poll when Enode queues) and the
action tracker (no action polling while healthy) listen here instead of asking each other.

Freshness follows Enode's heartbeats (API.md 9.2: `system:heartbeat` is sent periodically):
push goes stale after PUSH_HEARTBEATS_MISSED heartbeat periods without any delivery. The period
is not documented; it is learnt from the gap between two heartbeats (the emulator sends one every
5 minutes) and defaults to PUSH_STALE_AFTER. A heartbeat whose `pendingEvents` stays above zero
for PUSH_QUEUEING_AFTER means Enode is queueing events for us: the queueing listeners poll once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .const import (
    LOGGER,
    PUSH_HEARTBEATS_MISSED,
    PUSH_QUEUEING_AFTER,
    PUSH_STALE_AFTER,
    PUSH_STALE_MAX,
)


class PushMode(StrEnum):
    """Whether an Enode webhook points at this Home Assistant."""

    POLL = "poll"
    PUSH = "push"


class UrlKind(StrEnum):
    """Which URL Enode delivers to."""

    CLOUDHOOK = "cloudhook"
    EXTERNAL = "external"
    LOCAL = "local"  # plain http, custom (emulator) environment only


class PushState:
    """Mode, URL kind and freshness of push; tells listeners when health flips."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Start on polling until an Enode webhook points at us and delivers."""
        self._hass = hass
        self.mode = PushMode.POLL
        self.url_kind: UrlKind | None = None
        self.last_delivery: datetime | None = None
        # Why the Enode webhook could not be registered (an exception name), if it could not.
        self.registration_error: str | None = None
        # True from a valid delivery until PUSH_STALE_AFTER passes without one.
        self._fresh = False
        self._cancel_stale: CALLBACK_TYPE | None = None
        self._listeners: list[CALLBACK_TYPE] = []
        self._healthy_notified = False
        self.last_heartbeat: datetime | None = None
        # The gap between the last two heartbeats, when it looked like Enode's period.
        self.heartbeat_period: timedelta | None = None
        # Since when heartbeats report events Enode still queues for us (None: not queueing).
        self.queueing_since: datetime | None = None
        self._queueing_reported = False
        self._queueing_listeners: list[CALLBACK_TYPE] = []

    @property
    def healthy(self) -> bool:
        """True while Enode's webhook points at us and delivered recently."""
        return self.mode is PushMode.PUSH and self._fresh

    @callback
    def async_add_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call update whenever `healthy` changes; returns the unsubscribe callback."""
        self._listeners.append(update)
        return lambda: self._listeners.remove(update)

    @property
    def stale_after(self) -> timedelta:
        """How long push stays fresh without a delivery: a few heartbeat periods."""
        if self.heartbeat_period is None:
            return PUSH_STALE_AFTER
        return min(
            max(self.heartbeat_period * PUSH_HEARTBEATS_MISSED, PUSH_STALE_AFTER), PUSH_STALE_MAX
        )

    @callback
    def async_add_queueing_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call update once whenever heartbeats show Enode queueing for PUSH_QUEUEING_AFTER."""
        self._queueing_listeners.append(update)
        return lambda: self._queueing_listeners.remove(update)

    @callback
    def async_mark_heartbeat(self, pending_events: int | None) -> None:
        """A heartbeat arrived (after async_mark_delivery); `pending_events` as Enode counts them.

        The caller subtracts the events delivered in the same batch before the heartbeat: they
        were queued when Enode wrote it, and they are here now.
        """
        now = dt_util.utcnow()
        if self.last_heartbeat is not None:
            gap = now - self.last_heartbeat
            # A gap longer than PUSH_STALE_MAX is an outage, not Enode's period.
            if timedelta(0) < gap <= PUSH_STALE_MAX and gap != self.heartbeat_period:
                self.heartbeat_period = gap
                if self._fresh:
                    self._arm_stale_timer()  # measured from the last delivery, which is now
        self.last_heartbeat = now
        if not pending_events:
            self.queueing_since = None
            self._queueing_reported = False
            return
        if self.queueing_since is None:
            self.queueing_since = now
        if not self._queueing_reported and now - self.queueing_since >= PUSH_QUEUEING_AFTER:
            self._queueing_reported = True
            LOGGER.info("Enode reports %s events queued for us; polling once", pending_events)
            for update in list(self._queueing_listeners):
                update()

    @callback
    def async_set_mode(
        self, mode: PushMode, url_kind: UrlKind | None = None, *, error: str | None = None
    ) -> None:
        """The Enode webhook now points at us (push) or not (poll, with why when it failed)."""
        self.mode = mode
        if url_kind is not None:
            self.url_kind = url_kind
        self.registration_error = error
        self._notify_if_changed()

    @callback
    def async_mark_delivery(self) -> None:
        """A valid delivery arrived: push is fresh for another `stale_after`."""
        self.last_delivery = dt_util.utcnow()
        self._fresh = True
        self._arm_stale_timer()
        self._notify_if_changed()

    def _arm_stale_timer(self) -> None:
        self._cancel_stale_timer()
        self._cancel_stale = async_call_later(self._hass, self.stale_after, self._async_went_quiet)

    @callback
    def _async_went_quiet(self, _now: datetime) -> None:
        self._cancel_stale = None
        self._fresh = False
        LOGGER.info("No Enode webhook delivery for %s; polling more often", self.stale_after)
        self._notify_if_changed()

    def _notify_if_changed(self) -> None:
        if self.healthy == self._healthy_notified:
            return
        self._healthy_notified = self.healthy
        for update in list(self._listeners):
            update()

    @callback
    def _cancel_stale_timer(self) -> None:
        if self._cancel_stale is not None:
            self._cancel_stale()
            self._cancel_stale = None

    @callback
    def async_shutdown(self) -> None:
        """Stop the freshness timer (on unload)."""
        self._cancel_stale_timer()
        self._listeners.clear()
        self._queueing_listeners.clear()

    def as_dict(self) -> dict[str, Any]:
        """Diagnostics view (no URL, no secrets)."""
        return {
            "mode": str(self.mode),
            "url_kind": str(self.url_kind) if self.url_kind else None,
            "last_delivery": self.last_delivery.isoformat() if self.last_delivery else None,
            "push_healthy": self.healthy,
            "stale_after": self.stale_after.total_seconds(),
            "last_heartbeat": self.last_heartbeat.isoformat() if self.last_heartbeat else None,
            "queueing_since": self.queueing_since.isoformat() if self.queueing_since else None,
            "registration_error": self.registration_error,
        }

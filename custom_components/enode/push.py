"""Push health: the one owner of "do Enode's webhooks deliver to us right now?".

The Enode webhook's lifecycle (subscription.py) sets the mode and the kind of URL; the delivery
handler (webhook.py) marks each valid delivery. Readers: the coordinator (poll interval), entities
(availability while a safety poll fails) and the action tracker (no action polling while healthy)
listen here instead of asking each other.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .const import LOGGER, PUSH_STALE_AFTER


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

    @property
    def healthy(self) -> bool:
        """True while Enode's webhook points at us and delivered recently."""
        return self.mode is PushMode.PUSH and self._fresh

    @callback
    def async_add_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call update whenever `healthy` changes; returns the unsubscribe callback."""
        self._listeners.append(update)
        return lambda: self._listeners.remove(update)

    @callback
    def async_set_mode(self, mode: PushMode, url_kind: UrlKind | None = None) -> None:
        """The Enode webhook now points at us (push) or not (poll)."""
        self.mode = mode
        if url_kind is not None:
            self.url_kind = url_kind
        self._notify_if_changed()

    @callback
    def async_mark_delivery(self) -> None:
        """A valid delivery arrived: push is fresh for another PUSH_STALE_AFTER."""
        self.last_delivery = dt_util.utcnow()
        self._fresh = True
        self._cancel_stale_timer()
        self._cancel_stale = async_call_later(self._hass, PUSH_STALE_AFTER, self._async_went_quiet)
        self._notify_if_changed()

    @callback
    def _async_went_quiet(self, _now: datetime) -> None:
        self._cancel_stale = None
        self._fresh = False
        LOGGER.info("No Enode webhook delivery for %s; polling more often", PUSH_STALE_AFTER)
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

    def as_dict(self) -> dict[str, Any]:
        """Diagnostics view (no URL, no secrets)."""
        return {
            "mode": str(self.mode),
            "url_kind": str(self.url_kind) if self.url_kind else None,
            "last_delivery": self.last_delivery.isoformat() if self.last_delivery else None,
            "push_healthy": self.healthy,
            "registration_error": self.registration_error,
        }

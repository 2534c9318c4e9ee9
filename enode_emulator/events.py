"""Webhook event construction and fan-out (the one place events are emitted)."""

from __future__ import annotations

from collections.abc import Callable
import copy
from typing import Any

from .catalog import EVENT_KEY
from .clock import SimClock, iso
from .config import API_VERSION
from .models import JSON, Asset

Sink = Callable[[JSON], None]

# Keys kept on `:discovered` events; everything else is null there (API.md 9.3).
_IDENTITY_KEYS = ("id", "userId", "vendor", "information")


class EventBus:
    """Builds event envelopes and hands them to subscribers (the webhook manager)."""

    def __init__(self, clock: SimClock) -> None:
        """Initialise an empty bus."""
        self._clock = clock
        self._sinks: list[Sink] = []
        self.history: list[JSON] = []

    def subscribe(self, sink: Sink) -> None:
        """Register a receiver of every emitted event."""
        self._sinks.append(sink)

    def emit(self, name: str, user_id: str | None, payload: JSON | None = None) -> JSON:
        """Emit one event and return its envelope."""
        envelope: JSON = {
            "event": name,
            "version": API_VERSION,
            "createdAt": iso(self._clock.now()),
        }
        if user_id is not None:
            envelope["user"] = {"id": user_id}
        envelope.update(copy.deepcopy(payload or {}))
        self.history.append(envelope)
        for sink in self._sinks:
            sink(envelope)
        return envelope

    def asset_event(self, asset: Asset, verb: str, updated_fields: list[str] | None = None) -> JSON:
        """Emit `user:<type>:<verb>` for an asset (`discovered`, `updated` or `deleted`)."""
        body: Any = asset.data
        if verb == "discovered":
            body = {key: (value if key in _IDENTITY_KEYS else None) for key, value in body.items()}
        payload: JSON = {EVENT_KEY[asset.kind]: body}
        if verb == "updated":
            payload["updatedFields"] = list(updated_fields or [])
        return self.emit(f"user:{asset.kind}:{verb}", asset.user_id, payload)

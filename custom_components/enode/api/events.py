"""Webhook events, parsed from one item of a delivery's JSON array."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .actions import Action
from .assets import Asset, parse_asset
from .const import AssetType, WebhookEventType
from .parsing import JsonObject, integer, obj, strings, sub, text, timestamp
from .schedules import Schedule, ScheduleStatus
from .smart import SmartChargingStatus

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

_ASSET_CHANGES = frozenset({"discovered", "updated", "deleted"})


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """Any webhook event; unknown event types are returned as this base class."""

    event_type: str
    version: str | None
    created_at: datetime | None
    user_id: str | None
    raw: JsonObject

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WebhookEvent:
        """Parse one event into the most specific class known for its type."""
        return parse_event(data)


@dataclass(frozen=True, slots=True)
class AssetEvent(WebhookEvent):
    """``user:<asset type>:discovered|updated|deleted``.

    ``asset`` is None if the payload lacks the asset object. On ``discovered``
    events only ``information`` is filled in.
    """

    asset_type: AssetType
    change: str
    asset: Asset | None
    updated_fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VendorActionEvent(WebhookEvent):
    """``user:vendor-action:updated``: an action changed state."""

    action: Action | None
    updated_fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CredentialsInvalidatedEvent(WebhookEvent):
    """``user:credentials:invalidated``: the user must relink ``vendor``."""

    vendor: str | None


@dataclass(frozen=True, slots=True)
class HeartbeatEvent(WebhookEvent):
    """``system:heartbeat``; ``pending_events`` estimates Enode's delivery queue."""

    pending_events: int | None


@dataclass(frozen=True, slots=True)
class WebhookTestEvent(WebhookEvent):
    """``enode:webhook:test``, sent by ``POST /webhooks/{id}/test``."""


@dataclass(frozen=True, slots=True)
class SmartChargingStatusEvent(WebhookEvent):
    """``user:vehicle:smart-charging-status-updated``: a vehicle's smart charging changed."""

    status: SmartChargingStatus | None
    updated_fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScheduleExecutionEvent(WebhookEvent):
    """``user:schedule:execution-updated``: a schedule's status changed (SMART.md 5.6)."""

    schedule: Schedule | None
    status: ScheduleStatus | None
    updated_fields: tuple[str, ...]


def parse_event(data: Mapping[str, Any]) -> WebhookEvent:
    """Parse one event object; never raises on unknown or incomplete events."""
    event_type = text(data, "event") or ""
    common: dict[str, Any] = {
        "event_type": event_type,
        "version": text(data, "version"),
        "created_at": timestamp(data, "createdAt"),
        "user_id": text(sub(data, "user"), "id"),
        "raw": dict(data),
    }
    if event_type == WebhookEventType.HEARTBEAT:
        return HeartbeatEvent(**common, pending_events=integer(data, "pendingEvents"))
    if event_type == WebhookEventType.TEST:
        return WebhookTestEvent(**common)
    if event_type == WebhookEventType.VENDOR_ACTION_UPDATED:
        action = obj(data.get("vendorAction"))
        return VendorActionEvent(
            **common,
            action=None if action is None else Action.from_dict(action),
            updated_fields=strings(data, "updatedFields"),
        )
    if event_type == WebhookEventType.CREDENTIALS_INVALIDATED:
        return CredentialsInvalidatedEvent(**common, vendor=text(data, "vendor"))
    if event_type == WebhookEventType.SMART_CHARGING_STATUS_UPDATED:
        status = obj(data.get("smartChargingStatus"))
        return SmartChargingStatusEvent(
            **common,
            status=None if status is None else SmartChargingStatus.from_dict(status),
            updated_fields=strings(data, "updatedFields"),
        )
    if event_type == WebhookEventType.SCHEDULE_EXECUTION_UPDATED:
        schedule, status = obj(data.get("schedule")), obj(data.get("status"))
        return ScheduleExecutionEvent(
            **common,
            schedule=None if schedule is None else Schedule.from_dict(schedule),
            status=None if status is None else ScheduleStatus.from_dict(status),
            updated_fields=strings(data, "updatedFields"),
        )
    parts = event_type.split(":")
    if len(parts) == 3 and parts[0] == "user" and parts[2] in _ASSET_CHANGES:
        asset_type = AssetType.from_event_segment(parts[1])
        if asset_type is not None:
            # The HEM payload key is unconfirmed (API.md 9.3 [?]): try hemSystem, then hem-system.
            payload = obj(data.get(asset_type.payload_key)) or obj(data.get(asset_type.value))
            return AssetEvent(
                **common,
                asset_type=asset_type,
                change=parts[2],
                asset=None if payload is None else parse_asset(asset_type, payload),
                updated_fields=strings(data, "updatedFields"),
            )
    return WebhookEvent(**common)

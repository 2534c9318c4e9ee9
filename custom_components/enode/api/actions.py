"""Vendor actions (asynchronous controls) and smart overrides."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .const import FINAL_ACTION_STATES, ActionState, ChargeActionKind, FailureReasonType
from .parsing import (
    EnodeModel,
    JsonObject,
    alias,
    enum_field,
    obj,
    raw_field,
    sub,
    text_field,
    value,
)


@dataclass(frozen=True, slots=True)
class Action(EnodeModel):
    """A control request that Enode keeps retrying until it is confirmed, fails or is cancelled.

    ``kind`` is set on charge actions (START/STOP). ``target_state`` holds
    ``targetState`` (max current, charge-rate limit, operation mode) or, for HVAC
    actions, ``target`` (mode, setpoints, hold type).
    """

    id: str = text_field("id", "")
    user_id: str | None = text_field("userId")
    kind: ChargeActionKind | str | None = enum_field("kind", ChargeActionKind)
    state: ActionState | str | None = enum_field("state", ActionState)
    target_id: str | None = text_field("targetId")
    target_type: str | None = text_field("targetType")
    target_state: JsonObject | None = field(
        default=None, metadata=alias("_target", deserialize=obj)
    )
    failure_reason_type: FailureReasonType | str | None = enum_field(
        "_failureType", FailureReasonType
    )
    failure_reason_detail: str | None = text_field("_failureDetail")
    created_at: datetime | None = value("createdAt")
    updated_at: datetime | None = value("updatedAt")
    completed_at: datetime | None = value("completedAt")
    raw: JsonObject = raw_field()

    @classmethod
    def _prepare(cls, d: dict[str, Any]) -> dict[str, Any]:
        failure = sub(d, "failureReason")
        return {
            **d,
            "_target": obj(d.get("targetState")) or obj(d.get("target")),
            "_failureType": failure.get("type"),
            "_failureDetail": failure.get("detail"),
        }

    @property
    def is_final(self) -> bool:
        """Return whether the action has left PENDING for good."""
        return self.state in FINAL_ACTION_STATES


@dataclass(frozen=True, slots=True)
class SmartOverride(EnodeModel):
    """A smart override that forces charging while smart charging or a schedule is active."""

    target_id: str | None = text_field("targetId")
    target_type: str | None = text_field("targetType")
    user_id: str | None = text_field("userId")
    vendor: str | None = text_field("vendor")
    vendor_action_id: str | None = text_field("vendorActionId")
    created_at: datetime | None = value("createdAt")
    ended_at: datetime | None = value("endedAt")
    raw: JsonObject = raw_field()

"""Vendor actions (asynchronous controls) and smart overrides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from .const import FINAL_ACTION_STATES, ActionState, ChargeActionKind, FailureReasonType
from .parsing import JsonObject, enum_or_str, obj, sub, text, timestamp

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime


@dataclass(frozen=True, slots=True)
class Action:
    """A control request that Enode keeps retrying until it is confirmed, fails or is cancelled.

    ``kind`` is set on charge actions (START/STOP). ``target_state`` holds
    ``targetState`` (max current, charge-rate limit, operation mode) or, for HVAC
    actions, ``target`` (mode, setpoints, hold type).
    """

    id: str
    user_id: str | None
    kind: ChargeActionKind | str | None
    state: ActionState | str | None
    target_id: str | None
    target_type: str | None
    target_state: JsonObject | None
    failure_reason_type: FailureReasonType | str | None
    failure_reason_detail: str | None
    created_at: datetime | None
    updated_at: datetime | None
    completed_at: datetime | None
    raw: JsonObject

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse any Action variant."""
        failure = sub(data, "failureReason")
        return cls(
            id=text(data, "id") or "",
            user_id=text(data, "userId"),
            kind=enum_or_str(ChargeActionKind, data.get("kind")),
            state=enum_or_str(ActionState, data.get("state")),
            target_id=text(data, "targetId"),
            target_type=text(data, "targetType"),
            target_state=obj(data.get("targetState")) or obj(data.get("target")),
            failure_reason_type=enum_or_str(FailureReasonType, failure.get("type")),
            failure_reason_detail=text(failure, "detail"),
            created_at=timestamp(data, "createdAt"),
            updated_at=timestamp(data, "updatedAt"),
            completed_at=timestamp(data, "completedAt"),
            raw=dict(data),
        )

    @property
    def is_final(self) -> bool:
        """Return whether the action has left PENDING for good."""
        return self.state in FINAL_ACTION_STATES


@dataclass(frozen=True, slots=True)
class SmartOverride:
    """A smart override that forces charging while smart charging or a schedule is active."""

    target_id: str | None
    target_type: str | None
    user_id: str | None
    vendor: str | None
    vendor_action_id: str | None
    created_at: datetime | None
    ended_at: datetime | None
    raw: JsonObject

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a smart override object."""
        return cls(
            target_id=text(data, "targetId"),
            target_type=text(data, "targetType"),
            user_id=text(data, "userId"),
            vendor=text(data, "vendor"),
            vendor_action_id=text(data, "vendorActionId"),
            created_at=timestamp(data, "createdAt"),
            ended_at=timestamp(data, "endedAt"),
            raw=dict(data),
        )

"""Event entities: a vehicle's smart charging plan ended (PLAN:ENDED:*)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import callback

from .api import SmartChargingState, SmartChargingStatus
from .coordinator import is_smart_capable
from .entity import EnodeEntity, async_add_asset_entities
from .smart_charging import smart_status

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .models import EnodeConfigEntry

PARALLEL_UPDATES = 0
ENDED_PREFIX = "PLAN:ENDED:"
# Event types: the PLAN:ENDED:* states in lower case ("finished", "deadline_changed", ...).
PLAN_ENDED_TYPES = [
    state.value.removeprefix(ENDED_PREFIX).lower()
    for state in SmartChargingState
    if state.value.startswith(ENDED_PREFIX)
]
PLAN_ENDED = EventEntityDescription(
    key="smart_charging_plan",
    translation_key="smart_charging_plan",
    event_types=PLAN_ENDED_TYPES,
)


def _ended(status: SmartChargingStatus | None) -> tuple[str, str] | None:
    """(event type, what identifies this ending) when the status is a known PLAN:ENDED:*."""
    if status is None or not status.is_ended or not isinstance(status.state, str):
        return None
    kind = status.state.removeprefix(ENDED_PREFIX).lower()
    if kind not in PLAN_ENDED_TYPES:
        return None
    plan = status.plan
    marker = (plan.id if plan and plan.id else None) or str(status.state_changed_at)
    return kind, f"{status.state}/{marker}"


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EnodeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the plan event of every vehicle Enode can smart charge."""
    async_add_asset_entities(
        entry,
        async_add_entities,
        lambda asset: (
            [EnodeSmartChargingPlanEvent(entry, asset, PLAN_ENDED)]
            if is_smart_capable(asset)
            else []
        ),
    )


class EnodeSmartChargingPlanEvent(EnodeEntity, EventEntity):
    """Fires once per ended plan, with its final state and failure condition."""

    _seen: str | None = None

    async def async_added_to_hass(self) -> None:
        """A plan that had already ended before Home Assistant started is not news."""
        await super().async_added_to_hass()
        ended = _ended(smart_status(self))
        self._seen = ended[1] if ended else None

    @callback
    def _handle_coordinator_update(self) -> None:
        status = smart_status(self)
        ended = _ended(status)
        if status is not None and ended is not None and ended[1] != self._seen:
            self._seen = ended[1]
            self._trigger_event(ended[0], _attributes(status))
        super()._handle_coordinator_update()


def _attributes(status: SmartChargingStatus) -> dict[str, Any]:
    plan = status.plan
    return {
        "final_state": str(plan.final_state or status.state) if plan else str(status.state),
        "failure_condition": (
            str(plan.failure_condition) if plan and plan.failure_condition else None
        ),
        "plan_id": plan.id if plan else None,
        "ended_at": plan.ended_at.isoformat() if plan and plan.ended_at else None,
        "estimated_finish": (
            plan.estimated_finish_at.isoformat() if plan and plan.estimated_finish_at else None
        ),
    }

"""The schedules the coordinator holds: listed once per poll, kept current by push.

Enode has no schedule names, so entities number a target's schedules in list order. Statuses
come with `user:schedule:execution-updated` events; a poll asks for a schedule's status only
when none is held yet or push is not healthy (then nothing else would refresh it).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .api import (
    EnodeClient,
    EnodeForbiddenError,
    EnodeNotFoundError,
    Schedule,
    ScheduleStatus,
)
from .const import LOGGER


@dataclass(frozen=True, slots=True)
class ScheduleSnapshot:
    """Every schedule of the user by id, their statuses, and whether Enode offers schedules."""

    schedules: dict[str, Schedule] = field(default_factory=dict)
    statuses: dict[str, ScheduleStatus] = field(default_factory=dict)
    supported: bool = True

    def of_target(self, target_id: str) -> list[Schedule]:
        """A target's schedules in Enode's list order."""
        return [s for s in self.schedules.values() if s.target_id == target_id]

    def with_schedule(
        self, schedule: Schedule, status: ScheduleStatus | None = None
    ) -> ScheduleSnapshot:
        """A copy holding schedule (and its status, when given)."""
        statuses = dict(self.statuses)
        if status is not None:
            statuses[schedule.id] = status
        return replace(self, schedules={**self.schedules, schedule.id: schedule}, statuses=statuses)

    def without(self, schedule_id: str) -> ScheduleSnapshot:
        """A copy without the schedule."""
        return replace(
            self,
            schedules={k: v for k, v in self.schedules.items() if k != schedule_id},
            statuses={k: v for k, v in self.statuses.items() if k != schedule_id},
        )


async def async_poll_schedules(
    client: EnodeClient, user_id: str, held: ScheduleSnapshot, *, push_healthy: bool
) -> ScheduleSnapshot:
    """List the user's schedules (one request) and fetch the statuses push cannot provide."""
    if not held.supported:
        return held
    try:
        listed = await client.list_schedules(user_id)
    except (EnodeForbiddenError, EnodeNotFoundError):
        # [?] SMART.md 5.1: a client without schedules is assumed to answer 403/404.
        LOGGER.debug("Schedules are not available for this Enode client")
        return ScheduleSnapshot(supported=False)
    schedules = {s.id: s for s in listed if s.id}
    statuses = {k: v for k, v in held.statuses.items() if k in schedules}
    for schedule_id in schedules:
        if schedule_id not in statuses or not push_healthy:
            try:
                statuses[schedule_id] = await client.get_schedule_status(schedule_id)
            except EnodeNotFoundError:
                continue  # deleted between the list and this call
    return ScheduleSnapshot(schedules=schedules, statuses=statuses)

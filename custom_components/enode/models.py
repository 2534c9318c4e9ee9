"""Runtime data of a config entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

if TYPE_CHECKING:
    from .actions import ActionTracker
    from .api import EnodeClient
    from .charging_statistics import ChargingStatisticsImporter
    from .coordinator import EnodeCoordinator, SafetyPoll
    from .interventions import InterventionIssues
    from .push import PushState
    from .statistics import StatisticsImporter
    from .vendor_status import VendorStatus
    from .webhook import EnodeWebhook


@dataclass(slots=True)
class EnodeData:
    """Everything one Enode user's entry needs at runtime."""

    client: EnodeClient
    coordinator: EnodeCoordinator
    safety: SafetyPoll  # the daily full poll, whatever push delivers
    push: PushState  # the one owner of push health
    webhook: EnodeWebhook  # the webhook's lifecycle and its handler
    actions: ActionTracker
    statistics: StatisticsImporter | None  # only when the recorder is loaded
    interventions: InterventionIssues  # repair issues of interventions, and their catalogue
    vendor_status: VendorStatus  # vendor outages (GET /integrations, at most hourly)
    # Vehicle and charger charging energy and cost (only with the recorder).
    charging_statistics: ChargingStatisticsImporter | None


type EnodeConfigEntry = ConfigEntry[EnodeData]

"""Runtime data of a config entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

if TYPE_CHECKING:
    from .actions import ActionTracker
    from .api import EnodeClient
    from .coordinator import EnodeCoordinator
    from .push import PushState
    from .statistics import StatisticsImporter
    from .webhook import WebhookIntake


@dataclass(slots=True)
class EnodeData:
    """Everything one Enode user's entry needs at runtime."""

    client: EnodeClient
    coordinator: EnodeCoordinator
    push: PushState  # the one owner of push health
    webhook: WebhookIntake
    actions: ActionTracker
    statistics: StatisticsImporter | None  # only when the recorder is loaded


type EnodeConfigEntry = ConfigEntry[EnodeData]

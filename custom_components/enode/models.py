"""Runtime data of a config entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

if TYPE_CHECKING:
    from .actions import ActionTracker
    from .api import EnodeClient
    from .coordinator import EnodeCoordinator
    from .statistics import StatisticsImporter
    from .webhook import EnodeWebhookManager


@dataclass(slots=True)
class EnodeData:
    """Everything one Enode user's entry needs at runtime."""

    client: EnodeClient
    coordinator: EnodeCoordinator
    webhook: EnodeWebhookManager
    actions: ActionTracker
    statistics: StatisticsImporter | None = None  # only when the recorder is loaded


type EnodeConfigEntry = ConfigEntry[EnodeData]

"""Vendor availability from `GET /integrations`: a repair issue while a linked vendor is down.

A coordinator of its own cadence: every six hours while all is well (an outage also shows as
unreachable devices and failing commands, so this only names the cause), hourly while an outage
is reported (so its issue clears soon after the vendor recovers). Only the vendors the user
linked are looked at, and a user who linked none is not asked about. A vendor counts as down
when Enode reports `OUTAGE` for any asset type the user linked with it; its listener mirrors
that into repair issues, which clear at the first answer that no longer says so. The last answer
is in diagnostics.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .api import EnodeClient, EnodeError, VendorIntegration
from .const import DOMAIN, LOGGER
from .repairs import async_sweep_issues

if TYPE_CHECKING:
    from .coordinator import EnodeCoordinator
    from .models import EnodeConfigEntry

CHECK_INTERVAL: Final = timedelta(hours=6)
OUTAGE_CHECK_INTERVAL: Final = timedelta(hours=1)

type VendorStatuses = dict[tuple[str, str], VendorIntegration]


def outage_issue_id(entry_id: str, vendor: str) -> str:
    """Issue id of one vendor's outage."""
    return f"vendor_outage_{entry_id}_{vendor}"


class VendorStatus(DataUpdateCoordinator[VendorStatuses]):
    """(vendor, vendor type) -> what Enode last said, for the user's linked vendors only."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: EnodeConfigEntry,
        client: EnodeClient,
        coordinator: EnodeCoordinator,
    ) -> None:
        """Check at setup, then on CHECK_INTERVAL; the listener keeps the issues."""
        self._entry = entry
        super().__init__(
            hass,
            LOGGER,
            # Not the entry's: Home Assistant's "Enable polling for changes" is about device
            # data; this runs whatever it says (its timer ends with the listener, on unload).
            config_entry=None,
            name=f"{DOMAIN} vendor status",
            update_interval=CHECK_INTERVAL,
        )
        entry.async_on_unload(self.async_shutdown)  # as a coordinator of the entry would
        self._client = client
        self._coordinator = coordinator
        self.checked_at: datetime | None = None
        self.error: str | None = None
        entry.async_on_unload(self.async_add_listener(self._async_update_issues))

    def _linked(self) -> set[tuple[str, str]]:
        user = self._coordinator.data.user
        return {
            (linked.vendor, linked.vendor_type or "")
            for linked in (user.linked_vendors if user else ())
            if linked.vendor
        }

    async def _async_update_data(self) -> VendorStatuses:
        held = self.data or {}
        linked = self._linked()
        if not linked:
            return held
        self.checked_at = dt_util.utcnow()
        try:
            listed = await self._client.list_integrations()
        except EnodeError as err:
            # Optional metadata (SMART.md 10): keep the last answer and its issues.
            LOGGER.debug("Could not check Enode's vendor status: %s", err)
            self.error = str(err)
            return held
        self.error = None
        linked_vendors = {vendor for vendor, _ in linked}
        statuses = {
            (item.vendor, item.vendor_type or ""): item
            for item in listed
            if (item.vendor, item.vendor_type or "") in linked
            # An entry without a type speaks for every type of its vendor.
            or (not item.vendor_type and item.vendor in linked_vendors)
        }
        outage = any(item.is_outage for item in statuses.values())
        self.update_interval = OUTAGE_CHECK_INTERVAL if outage else CHECK_INTERVAL
        return statuses

    @callback
    def _async_update_issues(self) -> None:
        entry_id = self._entry_id
        vendors = {vendor for vendor, _ in self._linked()}
        down: dict[str, VendorIntegration] = {}
        for item in (self.data or {}).values():
            if item.is_outage and item.vendor in vendors:
                down.setdefault(item.vendor, item)
        keep = {outage_issue_id(entry_id, vendor) for vendor in down}
        async_sweep_issues(self.hass, outage_issue_id(entry_id, ""), keep)
        for vendor, item in down.items():
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                outage_issue_id(entry_id, vendor),
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key="vendor_outage",
                translation_placeholders={
                    "vendor": item.display_name or vendor.title(),
                    "title": self._entry.title,
                },
            )

    @property
    def _entry_id(self) -> str:
        return self._entry.entry_id

    def as_diagnostics(self) -> dict[str, Any]:
        """The last check: when, any error, and each linked vendor's status."""
        statuses = self.data or {}
        return {
            "checked_at": self.checked_at.isoformat() if self.checked_at else None,
            "error": self.error,
            "vendors": [
                {
                    "vendor": item.vendor,
                    "vendor_type": item.vendor_type,
                    "status": item.status,
                    "linking_status": item.linking_status,
                }
                for _, item in sorted(statuses.items())
            ],
            "outages": sorted({item.vendor for item in statuses.values() if item.is_outage}),
        }

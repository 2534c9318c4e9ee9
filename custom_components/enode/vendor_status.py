"""Vendor availability from `GET /integrations`: a repair issue while a linked vendor is down.

Checked every six hours while all is well (an outage also shows as unreachable devices and
failing commands, so this only names the cause), hourly while an outage issue is open (so it
clears soon after the vendor recovers), and only when the user has linked vendors; only those
vendors are looked at. A vendor counts as down when Enode reports `OUTAGE` for any asset type
the user linked with it; the issue clears itself at the first check that no longer says so. The
last answer is in diagnostics.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .api import EnodeClient, EnodeError, VendorIntegration
from .const import DOMAIN, LOGGER

if TYPE_CHECKING:
    from .coordinator import EnodeCoordinator
    from .models import EnodeConfigEntry

CHECK_INTERVAL: Final = timedelta(hours=6)
OUTAGE_CHECK_INTERVAL: Final = timedelta(hours=1)


def outage_issue_id(entry_id: str, vendor: str) -> str:
    """Issue id of one vendor's outage."""
    return f"vendor_outage_{entry_id}_{vendor}"


class VendorStatus:
    """Checks the linked vendors' status and mirrors outages into repair issues."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: EnodeConfigEntry,
        client: EnodeClient,
        coordinator: EnodeCoordinator,
    ) -> None:
        """Nothing is checked until the first coordinator update."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._coordinator = coordinator
        self.checked_at: datetime | None = None
        self.error: str | None = None
        # (vendor, vendor type) -> what Enode last said, for the user's linked vendors only.
        self.statuses: dict[tuple[str, str], VendorIntegration] = {}
        self._checking = False

    def _linked(self) -> set[tuple[str, str]]:
        user = self._coordinator.data.user
        return {
            (linked.vendor, linked.vendor_type or "")
            for linked in (user.linked_vendors if user else ())
            if linked.vendor
        }

    @callback
    def async_sync(self) -> None:
        """After a coordinator update: check again when the last check is old enough."""
        now = dt_util.utcnow()
        if self._checking or not self._linked():
            return
        interval = OUTAGE_CHECK_INTERVAL if self._outages() else CHECK_INTERVAL
        if self.checked_at is not None and now - self.checked_at < interval:
            return
        self._checking = True
        # Counted from the attempt, so a failing endpoint is not asked more often either.
        self.checked_at = now
        self._entry.async_create_task(
            self._hass, self._async_check(), "enode vendor status", eager_start=False
        )

    def _outages(self) -> bool:
        """True while the last answer reports an outage (its issues are open meanwhile)."""
        return any(item.is_outage for item in self.statuses.values())

    async def _async_check(self) -> None:
        try:
            listed = await self._client.list_integrations()
        except EnodeError as err:
            # Optional metadata (SMART.md 10): keep the last answer and its issues.
            LOGGER.debug("Could not check Enode's vendor status: %s", err)
            self.error = str(err)
            return
        finally:
            self._checking = False
        self.error = None
        linked = self._linked()
        linked_vendors = {vendor for vendor, _ in linked}
        self.statuses = {
            (item.vendor, item.vendor_type or ""): item
            for item in listed
            if (item.vendor, item.vendor_type or "") in linked
            # An entry without a type speaks for every type of its vendor.
            or (not item.vendor_type and item.vendor in linked_vendors)
        }
        down: dict[str, VendorIntegration] = {}
        for item in self.statuses.values():
            if item.is_outage:
                down.setdefault(item.vendor, item)
        self._async_update_issues(linked_vendors, down)

    @callback
    def _async_update_issues(self, vendors: set[str], down: dict[str, VendorIntegration]) -> None:
        entry_id = self._entry.entry_id
        prefix = outage_issue_id(entry_id, "")
        for domain, existing in list(ir.async_get(self._hass).issues):
            if domain != DOMAIN or not existing.startswith(prefix):
                continue
            if existing.removeprefix(prefix) not in down:
                ir.async_delete_issue(self._hass, DOMAIN, existing)
        for vendor, item in down.items():
            if vendor not in vendors:
                continue
            ir.async_create_issue(
                self._hass,
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

    def as_diagnostics(self) -> dict[str, Any]:
        """The last check: when, any error, and each linked vendor's status."""
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
                for _, item in sorted(self.statuses.items())
            ],
            "outages": sorted({item.vendor for item in self.statuses.values() if item.is_outage}),
        }

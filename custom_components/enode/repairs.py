"""Repair issues the user can act on, and the relink fix flow for a lost vendor link."""

from __future__ import annotations

from typing import Any

from homeassistant import data_entry_flow
from homeassistant.components.repairs import ConfirmRepairFlow, RepairsFlow
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
import voluptuous as vol

from .api import AssetType, EnodeBadRequestError, EnodeError, EnodeNotFoundError
from .const import DOMAIN, LOGGER
from .link import (
    async_forget_flow,
    async_link_url,
    async_relink_url,
    link_error,
    relink_scopes,
)
from .models import EnodeConfigEntry
from .takeover import TakeoverFlow

# Home Assistant 2026.3+ types repair results as RepairsFlowResult, which older releases lack;
# this alias is assignable from both.
type RepairsResult = data_entry_flow.FlowResult[Any, str]


def credentials_issue_id(entry: EnodeConfigEntry, vendor: str) -> str:
    """Issue id of a lost vendor link."""
    return f"credentials_invalidated_{entry.entry_id}_{vendor}"


@callback
def async_raise_credentials_issue(
    hass: HomeAssistant, entry: EnodeConfigEntry, vendor: str
) -> None:
    """A vendor link was lost (`user:credentials:invalidated`): the fix is a relink."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        credentials_issue_id(entry, vendor),
        is_fixable=True,
        severity=ir.IssueSeverity.ERROR,
        translation_key="credentials_invalidated",
        translation_placeholders={"vendor": vendor.title(), "title": entry.title},
        data={"entry_id": entry.entry_id, "vendor": vendor},
    )


@callback
def async_sync_credentials_issues(hass: HomeAssistant, entry: EnodeConfigEntry) -> None:
    """Mirror linkedVendors[].isValid into repair issues (covers a missed webhook, too)."""
    user = entry.runtime_data.coordinator.data.user
    if user is None:
        return
    for linked in user.linked_vendors:
        if not linked.vendor:
            continue
        if linked.is_valid is False:
            async_raise_credentials_issue(hass, entry, linked.vendor)
        else:
            ir.async_delete_issue(hass, DOMAIN, credentials_issue_id(entry, linked.vendor))


class RelinkVendorFlow(RepairsFlow):
    """Relink one vendor (or one of its assets) through Enode Link, inside Home Assistant.

    Where the vendor has an asset, Enode's relink session for it (`POST /assets/{id}/relink`)
    is used: it restores access with the scopes the asset already had. Otherwise (no asset, or
    Enode does not offer relinking it) a new Link session for the vendor asks only for the
    scopes the integration uses.
    """

    def __init__(
        self,
        entry_id: str,
        vendor: str,
        asset_id: str | None = None,
        placeholders: dict[str, str] | None = None,
    ) -> None:
        """Remember which entry and vendor (and, for an intervention, asset) to relink.

        ``placeholders`` are the issue's (an intervention's Enode title and description), shown
        by the confirm step.
        """
        self._entry_id = entry_id
        self._vendor = vendor
        self._asset_id = asset_id
        self._placeholders = dict(placeholders or {})
        self._error: str | None = None

    def _entry(self) -> EnodeConfigEntry | None:
        entry: EnodeConfigEntry | None = self.hass.config_entries.async_get_entry(self._entry_id)
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return None
        return entry

    async def async_step_init(self, user_input: dict[str, str] | None = None) -> RepairsResult:
        """Start with the explanation."""
        return await self.async_step_confirm()

    async def async_step_confirm(self, user_input: dict[str, str] | None = None) -> RepairsResult:
        """Explain, then open Enode Link for this vendor."""
        if user_input is not None:
            return await self.async_step_link_open()
        errors = {"base": "link_failed"} if self._error is not None else {}
        placeholders = {
            **self._placeholders,
            "vendor": self._placeholders.get("vendor") or self._vendor.title(),
            "error": self._error or "",
        }
        self._error = None
        return self.async_show_form(
            step_id="confirm",
            data_schema=vol.Schema({}),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_link_open(self, user_input: dict[str, Any] | None = None) -> RepairsResult:
        """External step: Enode Link; the callback view resumes it."""
        if user_input is not None:
            self._error = link_error(user_input)
            next_step = "done" if self._error is None else "confirm"
            return self.async_external_step_done(next_step_id=next_step)
        if (entry := self._entry()) is None:
            return self.async_abort(reason="entry_not_loaded")
        try:
            url = await self._async_url(entry)
        except EnodeError as err:
            LOGGER.debug("Could not create an Enode Link session: %s", err)
            self._error = str(err)
            return await self.async_step_confirm()
        return self.async_external_step(step_id="link_open", url=url)

    def _relink_asset_id(self, entry: EnodeConfigEntry) -> str | None:
        """The asset to relink: the intervention's, else the vendor's first (not a HEM system)."""
        assets = entry.runtime_data.coordinator.data.assets
        if self._asset_id is not None:
            return self._asset_id if self._asset_id in assets else None
        return next(
            (
                asset.id
                for asset in sorted(assets.values(), key=lambda a: a.id)
                if asset.vendor == self._vendor and asset.asset_type is not AssetType.HEM_SYSTEM
            ),
            None,
        )

    async def _async_url(self, entry: EnodeConfigEntry) -> str:
        data = entry.runtime_data
        if (asset_id := self._relink_asset_id(entry)) is not None:
            try:
                return await async_relink_url(
                    self.hass, "repairs", self.flow_id, data.client, asset_id
                )
            except (EnodeNotFoundError, EnodeBadRequestError) as err:
                # Not offered for this asset (or gone): link the vendor anew instead.
                LOGGER.debug("Enode offers no relink of %s: %s", asset_id, err)
        user = data.coordinator.data.user
        types = sorted(
            {
                linked.vendor_type
                for linked in (user.linked_vendors if user else ())
                if linked.vendor == self._vendor and linked.vendor_type
            }
        )
        return await async_link_url(
            self.hass,
            "repairs",
            self.flow_id,
            data.client,
            data.coordinator.user_id,
            scopes=relink_scopes(types),
            vendor=self._vendor,
        )

    @callback
    def async_remove(self) -> None:
        """The flow ended (finished or aborted): its Link state can never be used again."""
        async_forget_flow(self.hass, self.flow_id)

    async def async_step_done(self, user_input: dict[str, Any] | None = None) -> RepairsResult:
        """Relinked: refresh so the vendor shows as valid again, and close the issue."""
        if (entry := self._entry()) is not None:
            await entry.runtime_data.coordinator.async_refresh()
        return self.async_create_entry(data={})


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Create the fix flow of a fixable issue."""
    if issue_id.startswith("credentials_invalidated_") and data:
        return RelinkVendorFlow(str(data["entry_id"]), str(data["vendor"]))
    if issue_id.startswith("intervention_") and data:
        # An intervention Enode Link resolves: relink that asset.
        issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
        return RelinkVendorFlow(
            str(data["entry_id"]),
            str(data["vendor"]),
            asset_id=str(data["asset_id"]),
            placeholders=issue.translation_placeholders if issue else None,
        )
    if issue_id.startswith("foreign_entry_") and data:
        # An entry of the other Enode integration: take it over.
        return TakeoverFlow(str(data["entry_id"]))
    return ConfirmRepairFlow()

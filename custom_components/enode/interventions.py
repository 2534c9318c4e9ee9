"""Repair issues for Enode interventions: one per (intervention, device), in the user's language.

Assets list intervention ids on their capabilities when the user must act (accept new terms,
add a virtual key, ...). Enode describes each id in `GET /interventions`, translated. The
catalogue changes rarely, so it is a coordinator of its own: cached per language, listed once,
then refreshed at most daily, and only while some intervention is active; an id it lacks is asked
for once by id. A poll with only known ids makes no request. Issues follow the assets: raised
when an id appears, deleted when it is gone (or the asset is).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    Asset,
    EnodeClient,
    EnodeError,
    EnodeNotFoundError,
    Intervention,
    intervention_language,
)
from .const import DOMAIN, LOGGER
from .devices import async_shown_name
from .repairs import async_sweep_issues

if TYPE_CHECKING:
    from .coordinator import EnodeCoordinator
    from .models import EnodeConfigEntry

# The catalogue is listed again after this long (only while interventions are active).
CATALOGUE_MAX_AGE: Final = timedelta(days=1)
# After a failed request, wait this long before asking again (never once per poll).
RETRY_AFTER_FAILURE: Final = timedelta(hours=1)


def issue_prefix(entry_id: str) -> str:
    """Prefix of every intervention issue id of an entry."""
    return f"intervention_{entry_id}_"


def issue_id(entry_id: str, asset_id: str, intervention_id: str) -> str:
    """The issue id of one intervention on one device."""
    return f"{issue_prefix(entry_id)}{asset_id}_{intervention_id}"


def active_interventions(assets: Iterable[Asset]) -> dict[tuple[str, str], Asset]:
    """Every (asset id, intervention id) the assets' capabilities list, with the asset.

    Ids are taken whether or not `isCapable` is false: Enode lists them for the user to act on,
    and one id on several capabilities of a device is one issue.
    """
    active: dict[tuple[str, str], Asset] = {}
    for asset in assets:
        for capability in asset.capabilities.values():
            for intervention_id in capability.intervention_ids:
                active[(asset.id, intervention_id)] = asset
    return active


def markdown(description: str) -> str:
    """Enode's Markdown with its `<br>` line breaks as Markdown line breaks."""
    return description.replace("<br/>", "\n").replace("<br />", "\n").replace("<br>", "\n")


@dataclass(slots=True)
class Catalogue:
    """The interventions Enode described, in one language."""

    language: str
    items: dict[str, Intervention] = field(default_factory=dict)
    # Ids Enode did not know (404) when last asked: not asked again until the next listing.
    missing: set[str] = field(default_factory=set)
    listed_at: datetime | None = None

    def is_stale(self, now: datetime) -> bool:
        """True before the first listing and a day after the last."""
        return self.listed_at is None or now - self.listed_at >= CATALOGUE_MAX_AGE


class InterventionIssues(DataUpdateCoordinator[Catalogue]):
    """The catalogue (a coordinator of its own cadence) and the issues that follow the assets.

    Its refresh lists the catalogue when it is stale and asks for ids it lacks; it is requested
    when the assets show an id the catalogue does not describe, and runs daily by itself (no
    request while no intervention is active). A failure waits RETRY_AFTER_FAILURE
    (``UpdateFailed(retry_after=...)``); meanwhile the issues say what is known.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: EnodeConfigEntry,
        client: EnodeClient,
        coordinator: EnodeCoordinator,
    ) -> None:
        """Start with an empty catalogue; nothing is fetched until an intervention appears."""
        self._entry = entry
        super().__init__(
            hass,
            LOGGER,
            # Not the entry's: Home Assistant's "Enable polling for changes" is about device
            # data; this runs whatever it says (its timer ends with the listener, on unload).
            config_entry=None,
            name=f"{DOMAIN} interventions",
            update_interval=CATALOGUE_MAX_AGE,
        )
        entry.async_on_unload(self.async_shutdown)  # as a coordinator of the entry would
        self._client = client
        self._assets = coordinator
        self._empty = Catalogue(language=intervention_language(hass.config.language))
        self._failed_at: datetime | None = None
        self._fetching = False
        entry.async_on_unload(self.async_add_listener(self._async_catalogue_updated))

    @property
    def catalogue(self) -> Catalogue:
        """The cached catalogue in Home Assistant's language (for diagnostics and the issues)."""
        language = intervention_language(self.hass.config.language)
        held = self.data
        return held if held is not None and held.language == language else self._empty_in(language)

    def _empty_in(self, language: str) -> Catalogue:
        if self._empty.language != language:
            self._empty = Catalogue(language=language)
        return self._empty

    def _active(self) -> dict[tuple[str, str], Asset]:
        return active_interventions(self._assets.data.assets.values())

    @callback
    def async_sync(self) -> None:
        """After every assets update: issues follow the assets' intervention ids."""
        active = self._active()
        self._async_delete_gone(active)
        if not active:
            return
        if self._needs_fetch({intervention_id for _, intervention_id in active}):
            self._fetching = True
            self._entry.async_create_task(
                self.hass, self.async_refresh(), "enode interventions catalogue"
            )
        self._async_raise(active)

    def _needs_fetch(self, wanted: set[str]) -> bool:
        now = dt_util.utcnow()
        if self._fetching or (
            self._failed_at is not None and now - self._failed_at < RETRY_AFTER_FAILURE
        ):
            return False
        catalogue = self.catalogue
        unknown = wanted - catalogue.items.keys() - catalogue.missing
        return bool(unknown) or catalogue.is_stale(now)

    async def _async_update_data(self) -> Catalogue:
        """List the catalogue when stale, else ask for each unknown id (only while active)."""
        try:
            return await self._async_fetch()
        except EnodeError as err:
            self._failed_at = dt_util.utcnow()
            raise UpdateFailed(
                retry_after=RETRY_AFTER_FAILURE.total_seconds(),
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        finally:
            self._fetching = False

    async def _async_fetch(self) -> Catalogue:
        held = self.catalogue
        wanted = {intervention_id for _, intervention_id in self._active()}
        if not wanted:
            return held
        catalogue = Catalogue(held.language, dict(held.items), set(held.missing), held.listed_at)
        if catalogue.is_stale(dt_util.utcnow()):
            listed = await self._client.list_interventions(language=catalogue.language)
            catalogue.items = {item.id: item for item in listed}
            catalogue.missing = set()
            catalogue.listed_at = dt_util.utcnow()
        for intervention_id in sorted(wanted - catalogue.items.keys() - catalogue.missing):
            try:
                catalogue.items[intervention_id] = await self._client.get_intervention(
                    intervention_id, language=catalogue.language
                )
            except EnodeNotFoundError:
                catalogue.missing.add(intervention_id)
        self._failed_at = None
        return catalogue

    @callback
    def _async_catalogue_updated(self) -> None:
        """The catalogue answered (or failed): raise the issues with what is known now."""
        self._async_raise(self._active())

    @callback
    def _async_delete_gone(self, active: dict[tuple[str, str], Asset]) -> None:
        entry_id = self._entry.entry_id
        keep = {issue_id(entry_id, a, i) for a, i in active}
        async_sweep_issues(self.hass, issue_prefix(entry_id), keep)

    @callback
    def _async_raise(self, active: dict[tuple[str, str], Asset]) -> None:
        """Create (or update) the issue of each active intervention."""
        for (_, intervention_id), asset in active.items():
            name = async_shown_name(self.hass, self._entry.entry_id, asset)
            intervention = self.catalogue.items.get(intervention_id)
            if intervention is None and self._fetching:
                continue  # raised once the catalogue answered (no placeholder text meanwhile)
            self._async_create(asset, intervention_id, name, intervention)

    @callback
    def _async_create(
        self,
        asset: Asset,
        intervention_id: str,
        device: str,
        intervention: Intervention | None,
    ) -> None:
        vendor = (intervention.brand if intervention else None) or asset.brand or asset.vendor
        placeholders = {"device": device, "vendor": vendor or "", "id": intervention_id}
        resolution = intervention.resolution if intervention else None
        if resolution is not None and resolution.title:
            key = "intervention"
            placeholders["title"] = resolution.title
            placeholders["description"] = markdown(resolution.description or "")
        else:
            # Enode did not describe it (yet): say what we know.
            key = "intervention_unknown"
        fixable = intervention is not None and intervention.resolvable_by_link
        if fixable:
            key = "intervention_link"  # its text is the fix flow's (hassfest: not both)
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id(self._entry.entry_id, asset.id, intervention_id),
            is_fixable=fixable,
            severity=ir.IssueSeverity.WARNING,
            translation_key=key,
            translation_placeholders=placeholders,
            # The fix (a relink of this asset) needs to know which one.
            data={
                "entry_id": self._entry.entry_id,
                "asset_id": asset.id,
                "vendor": asset.vendor,
            }
            if fixable
            else None,
        )


@callback
def async_delete_entry_issues(hass: HomeAssistant, entry_id: str) -> None:
    """Remove the intervention and vendor outage issues of a removed entry."""
    async_sweep_issues(hass, (issue_prefix(entry_id), f"vendor_outage_{entry_id}_"))

"""Interventions as repair issues: one per (intervention, device), translated, cached, cleared."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.translation import async_get_translations
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.enode.const import DOMAIN
from enode_emulator import Emulator

from .conftest import DEMO_USER, browse_link
from .platform_helpers import CHARGER, VEHICLE, asset_device

VIRTUAL_KEY = "3f1c2a9e-7b4d-4e21-9c55-1a2b3c4d5e01"
MOBILE_ACCESS = "3f1c2a9e-7b4d-4e21-9c55-1a2b3c4d5e02"
ZAPTEC_ACCESS = "3f1c2a9e-7b4d-4e21-9c55-1a2b3c4d5e04"
RECONNECT = "3f1c2a9e-7b4d-4e21-9c55-1a2b3c4d5e05"


def issue_id(entry: MockConfigEntry, asset_id: str, intervention_id: str) -> str:
    """The repair issue id of an intervention on a device."""
    return f"intervention_{entry.entry_id}_{asset_id}_{intervention_id}"


def intervention_issues(hass: HomeAssistant) -> dict[str, ir.IssueEntry]:
    """Every intervention issue now raised."""
    return {
        key: issue
        for (domain, key), issue in ir.async_get(hass).issues.items()
        if domain == DOMAIN and key.startswith("intervention_") and issue.active
    }


def catalogue_requests(emulator: Emulator) -> list[str]:
    """Paths of every request for Enode's intervention catalogue."""
    return [e.path for e in emulator.request_log if e.path.startswith("/interventions")]


async def rendered(hass: HomeAssistant, issue: ir.IssueEntry) -> tuple[str, str]:
    """The issue's title and description as the frontend shows them (en.json + placeholders)."""
    strings = await async_get_translations(hass, "en", "issues", [DOMAIN])
    prefix = f"component.{DOMAIN}.issues.{issue.translation_key}"
    placeholders = issue.translation_placeholders or {}
    return (
        strings[f"{prefix}.title"].format(**placeholders),
        strings[f"{prefix}.description"].format(**placeholders),
    )


async def setup_with_language(
    hass: HomeAssistant, entry: MockConfigEntry, language: str
) -> MockConfigEntry:
    """Set the entry up with Home Assistant in a language."""
    hass.config.language = language
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def update(hass: HomeAssistant, emulator: Emulator) -> None:
    """One coordinator update, brought by push: the vehicle's battery level moves."""
    level = emulator.asset(VEHICLE)["chargeState"]["batteryLevel"]
    emulator.patch_asset(VEHICLE, {"chargeState": {"batteryLevel": (level + 1) % 100}})
    await emulator.advance(1)
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    ("language", "title", "description_start"),
    [
        ("nb", "Legg til en virtuell nøkkel i Teslaen din", "For å styre ladingen"),
        ("sv", "Lägg till en virtuell nyckel i din Tesla", "För att styra laddningen"),
        ("de", "Fügen Sie Ihrem Tesla einen virtuellen Schlüssel hinzu", "Um das Laden"),
        ("en-GB", "Add a virtual key to your Tesla", "To control charging"),
        # Enode offers these codes, the emulator has no translation: English, as Enode does.
        ("fr", "Add a virtual key to your Tesla", "To control charging"),
        # Enode does not offer Chinese: the integration asks for English.
        ("zh-Hans", "Add a virtual key to your Tesla", "To control charging"),
    ],
)
async def test_intervention_raises_translated_issue_and_clears(  # noqa: PLR0917 - fixtures
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    config_entry: MockConfigEntry,
    language: str,
    title: str,
    description_start: str,
) -> None:
    """One issue per intervention and device, in Home Assistant's language, gone when it is."""
    emulator.set_interventions(VEHICLE, [VIRTUAL_KEY])
    await setup_with_language(hass, config_entry, language)
    issues = intervention_issues(hass)
    assert list(issues) == [issue_id(config_entry, VEHICLE, VIRTUAL_KEY)]
    issue = issues[issue_id(config_entry, VEHICLE, VIRTUAL_KEY)]
    assert issue.translation_key == "intervention"
    assert issue.severity is ir.IssueSeverity.WARNING
    assert not issue.is_fixable
    placeholders = issue.translation_placeholders or {}
    assert placeholders["title"] == title
    assert placeholders["device"] == "My Model 3"
    # Enode's <br> line breaks became Markdown line breaks.
    assert placeholders["description"].startswith(description_start)
    assert "<br>" not in placeholders["description"]
    assert "\n1. " in placeholders["description"]
    shown_title, shown_description = await rendered(hass, issue)
    assert shown_title == f"My Model 3: {title}"
    assert shown_description == placeholders["description"]
    # Enode no longer lists it: the issue goes with the next update (pushed here).
    emulator.set_interventions(VEHICLE, [])
    await emulator.advance(1)
    await hass.async_block_till_done()
    assert intervention_issues(hass) == {}


async def test_one_issue_per_intervention_and_device(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """An id on several capabilities is one issue; each device and intervention has its own."""
    emulator.set_interventions(VEHICLE, [VIRTUAL_KEY, MOBILE_ACCESS])
    emulator.set_interventions(CHARGER, [ZAPTEC_ACCESS])
    await setup_with_language(hass, config_entry, "en")
    assert set(intervention_issues(hass)) == {
        issue_id(config_entry, VEHICLE, VIRTUAL_KEY),
        issue_id(config_entry, VEHICLE, MOBILE_ACCESS),
        issue_id(config_entry, CHARGER, ZAPTEC_ACCESS),
    }
    charger_issue = intervention_issues(hass)[issue_id(config_entry, CHARGER, ZAPTEC_ACCESS)]
    assert (charger_issue.translation_placeholders or {})["device"] == "Zaptec Go"
    # The device name follows the user's rename.
    charger = asset_device(device_registry, config_entry, CHARGER)
    assert charger is not None
    device_registry.async_update_device(charger.id, name_by_user="Garage charger")
    emulator.set_interventions(VEHICLE, [VIRTUAL_KEY])
    await emulator.advance(1)
    await hass.async_block_till_done()
    issues = intervention_issues(hass)
    assert set(issues) == {
        issue_id(config_entry, VEHICLE, VIRTUAL_KEY),
        issue_id(config_entry, CHARGER, ZAPTEC_ACCESS),
    }
    renamed = issues[issue_id(config_entry, CHARGER, ZAPTEC_ACCESS)]
    assert (renamed.translation_placeholders or {})["device"] == "Garage charger"
    # A removed device takes its issues along.
    emulator.remove_asset(CHARGER)
    await emulator.advance(1)
    await hass.async_block_till_done()
    assert set(intervention_issues(hass)) == {issue_id(config_entry, VEHICLE, VIRTUAL_KEY)}


async def test_catalogue_is_cached_not_fetched_per_poll(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Listed once; polls with known ids ask nothing; a day later it is listed again."""
    await setup_with_language(hass, config_entry, "en")
    # No intervention anywhere: the catalogue is not even fetched.
    assert catalogue_requests(emulator) == []
    emulator.set_interventions(VEHICLE, [VIRTUAL_KEY])
    await emulator.advance(1)
    await hass.async_block_till_done()
    assert catalogue_requests(emulator) == ["/interventions"]
    for _ in range(5):
        await update(hass, emulator)
    # A second intervention the cached catalogue already describes: still no request.
    emulator.set_interventions(VEHICLE, [VIRTUAL_KEY, MOBILE_ACCESS])
    await update(hass, emulator)
    assert catalogue_requests(emulator) == ["/interventions"]
    assert len(intervention_issues(hass)) == 2
    freezer.tick(timedelta(days=1, seconds=1))
    await update(hass, emulator)
    assert catalogue_requests(emulator) == ["/interventions", "/interventions"]
    # The language changes: at the next update the catalogue in that language is listed.
    hass.config.language = "nb"
    await update(hass, emulator)
    assert len(catalogue_requests(emulator)) == 3
    issue = intervention_issues(hass)[issue_id(config_entry, VEHICLE, VIRTUAL_KEY)]
    assert (issue.translation_placeholders or {})["title"].startswith("Legg til")


async def test_unknown_intervention_is_asked_once_and_still_shown(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    config_entry: MockConfigEntry,
) -> None:
    """An id the catalogue lacks: asked for by id once (404), raised with what is known."""
    unknown = "00000000-0000-4000-8000-000000000099"
    emulator.set_interventions(VEHICLE, [VIRTUAL_KEY])
    await setup_with_language(hass, config_entry, "en")
    capability: dict[str, Any] = {"isCapable": False, "interventionIds": [unknown]}
    emulator.patch_asset(VEHICLE, {"capabilities": {"odometer": capability}})
    await emulator.advance(1)
    await hass.async_block_till_done()
    for _ in range(3):
        await update(hass, emulator)
    assert catalogue_requests(emulator) == ["/interventions", f"/interventions/{unknown}"]
    issue = intervention_issues(hass)[issue_id(config_entry, VEHICLE, unknown)]
    assert issue.translation_key == "intervention_unknown"
    expected = {"device": "My Model 3", "vendor": "Tesla", "id": unknown}
    assert issue.translation_placeholders == expected
    title, description = await rendered(hass, issue)
    assert title == "My Model 3 needs your attention"
    assert f"(Enode intervention {unknown})" in description
    assert "Tesla app" in description


async def test_failed_catalogue_request_is_not_retried_every_poll(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Enode fails the listing: a plain issue now, another try an hour later."""
    emulator.set_interventions(VEHICLE, [VIRTUAL_KEY])
    emulator.add_fault(path="/interventions*", status=500)
    await setup_with_language(hass, config_entry, "en")
    issue = intervention_issues(hass)[issue_id(config_entry, VEHICLE, VIRTUAL_KEY)]
    assert issue.translation_key == "intervention_unknown"
    await update(hass, emulator)
    assert len(catalogue_requests(emulator)) == 1
    emulator.core.faults.clear()
    freezer.tick(timedelta(hours=1, seconds=1))
    await update(hass, emulator)
    assert len(catalogue_requests(emulator)) == 2
    issue = intervention_issues(hass)[issue_id(config_entry, VEHICLE, VIRTUAL_KEY)]
    assert issue.translation_key == "intervention"


async def test_link_intervention_is_fixed_by_relinking_the_asset(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    config_entry: MockConfigEntry,
) -> None:
    """An intervention Enode Link resolves is fixable: the fix relinks that very asset."""
    emulator.set_interventions(VEHICLE, [RECONNECT])
    await setup_with_language(hass, config_entry, "en")
    key = issue_id(config_entry, VEHICLE, RECONNECT)
    issue = intervention_issues(hass)[key]
    assert issue.is_fixable
    assert issue.translation_key == "intervention_link"
    assert (issue.translation_placeholders or {})["title"] == "Reconnect your Tesla account"
    from homeassistant.components.repairs import repairs_flow_manager  # noqa: PLC0415

    assert await async_setup_component(hass, "repairs", {})
    manager = repairs_flow_manager(hass)
    assert manager is not None
    result = await manager.async_init(DOMAIN, data={"issue_id": key})
    assert result["step_id"] == "confirm"
    assert result["description_placeholders"]["vendor"] == "Tesla"
    assert result["description_placeholders"]["title"] == "Reconnect your Tesla account"
    assert result["description_placeholders"]["description"].startswith("Tesla no longer")
    result = await manager.async_configure(result["flow_id"], {})
    assert result["type"] == "external"
    relinks = [e.path for e in emulator.request_log if e.method == "POST" and "link" in e.path]
    assert relinks == [f"/assets/{VEHICLE}/relink"]
    assert (await browse_link(result["url"], ha_client)).status == 200
    result = await manager.async_configure(result["flow_id"])
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()
    assert intervention_issues(hass) == {}
    # Capable again: the charge switch (it needs startCharging) is available.
    assert emulator.asset(VEHICLE)["capabilities"]["startCharging"]["isCapable"]
    assert hass.states.get("switch.my_model_3_charge").state != STATE_UNAVAILABLE


@pytest.mark.parametrize("status", [400, 404])
async def test_link_fix_falls_back_to_a_vendor_link_when_enode_offers_no_relink(
    hass: HomeAssistant,
    emulator: Emulator,
    config_entry: MockConfigEntry,
    status: int,
) -> None:
    """Enode refusing the asset's relink opens a Link session for the vendor, used scopes only."""
    emulator.set_interventions(VEHICLE, [RECONNECT])
    emulator.core.faults.add({"path": f"/assets/{VEHICLE}/relink", "status": status})
    await setup_with_language(hass, config_entry, "en")
    from homeassistant.components.repairs import repairs_flow_manager  # noqa: PLC0415

    assert await async_setup_component(hass, "repairs", {})
    manager = repairs_flow_manager(hass)
    assert manager is not None
    before = {id(session) for session in emulator.core.links.sessions.values()}
    result = await manager.async_init(
        DOMAIN, data={"issue_id": issue_id(config_entry, VEHICLE, RECONNECT)}
    )
    result = await manager.async_configure(result["flow_id"], {})
    assert result["type"] == "external"
    posts = [e.path for e in emulator.request_log if e.method == "POST" and "link" in e.path]
    assert posts == [f"/assets/{VEHICLE}/relink", f"/users/{DEMO_USER}/link"]
    (session,) = [s for s in emulator.core.links.sessions.values() if id(s) not in before]
    assert session.vendor == "TESLA"
    assert session.relink_asset_id is None
    assert sorted(session.scopes) == sorted(
        ["vehicle:read:data", "vehicle:control:charging", "vehicle:read:location"]
    )


async def test_removing_the_entry_removes_its_issues(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    config_entry: MockConfigEntry,
) -> None:
    """No intervention or outage issue outlives its entry."""
    emulator.set_interventions(VEHICLE, [VIRTUAL_KEY])
    emulator.set_vendor_status("TESLA", "OUTAGE")
    await setup_with_language(hass, config_entry, "en")
    registry = ir.async_get(hass)
    outage = f"vendor_outage_{config_entry.entry_id}_TESLA"
    assert registry.async_get_issue(DOMAIN, outage) is not None
    assert intervention_issues(hass)
    assert await hass.config_entries.async_remove(config_entry.entry_id)
    await hass.async_block_till_done()
    assert intervention_issues(hass) == {}
    assert registry.async_get_issue(DOMAIN, outage) is None

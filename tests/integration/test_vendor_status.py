"""Vendor outages (GET /integrations) as repair issues, and the relink repair's Enode requests."""

from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.translation import async_get_translations
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.enode.const import DOMAIN
from custom_components.enode.diagnostics import async_get_config_entry_diagnostics
from custom_components.enode.link import relink_scopes
from enode_emulator import Emulator

from .conftest import DEMO_USER, browse_link
from .platform_helpers import BATTERY, INVERTER, METER, VEHICLE


def integration_requests(emulator: Emulator) -> int:
    """How often Enode was asked for its vendor status."""
    return sum(1 for e in emulator.request_log if e.path == "/integrations")


def outage_issue(hass: HomeAssistant, entry: MockConfigEntry, vendor: str) -> ir.IssueEntry | None:
    """The outage issue of a vendor, if raised."""
    return ir.async_get(hass).async_get_issue(DOMAIN, f"vendor_outage_{entry.entry_id}_{vendor}")


async def poll(hass: HomeAssistant, emulator: Emulator) -> None:
    """An update with new data (the vendor status check runs after updates)."""
    await emulator.advance(61)  # a physics step changes the assets
    await hass.async_block_till_done()


async def test_vendor_outage_raises_and_clears(
    hass: HomeAssistant,
    emulator: Emulator,
    freezer: FrozenDateTimeFactory,  # before the setup: its clocks start on frozen time
    setup_integration: MockConfigEntry,
) -> None:
    """Checked every six hours; an outage is an issue until the first hourly check after it ends."""
    assert integration_requests(emulator) == 1  # checked at setup
    assert outage_issue(hass, setup_integration, "TESLA") is None
    emulator.set_vendor_status("TESLA", "OUTAGE")
    for _ in range(5):
        freezer.tick(timedelta(hours=1, seconds=1))
        await poll(hass, emulator)
    # Not six hours yet: no new check, no issue.
    assert integration_requests(emulator) == 1
    assert outage_issue(hass, setup_integration, "TESLA") is None
    freezer.tick(timedelta(hours=1, seconds=1))
    await poll(hass, emulator)
    assert integration_requests(emulator) == 2
    issue = outage_issue(hass, setup_integration, "TESLA")
    assert issue is not None
    assert not issue.is_fixable
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_key == "vendor_outage"
    assert issue.translation_placeholders == {"vendor": "Tesla", "title": "Enode (custom)"}
    strings = await async_get_translations(hass, "en", "issues", [DOMAIN])
    title = strings[f"component.{DOMAIN}.issues.vendor_outage.title"]
    assert title.format(**issue.translation_placeholders) == "Tesla is unavailable"
    description = strings[f"component.{DOMAIN}.issues.vendor_outage.description"]
    assert "Enode reports an outage at Tesla" in description.format(
        **issue.translation_placeholders
    )
    diagnostics = await async_get_config_entry_diagnostics(hass, setup_integration)
    assert diagnostics["vendor_status"]["outages"] == ["TESLA"]
    assert {"vendor": "TESLA", "vendor_type": "vehicle", "status": "OUTAGE",
            "linking_status": "OUTAGE"} in diagnostics["vendor_status"]["vendors"]  # fmt: skip
    # Only the user's vendors are looked at (the emulator lists many more).
    assert {v["vendor"] for v in diagnostics["vendor_status"]["vendors"]} == {
        "TESLA",
        "ZAPTEC",
        "HUAWEI",
        "DAIKIN",
    }
    # Recovered: the issue stays until the next hourly check, then goes.
    emulator.set_vendor_status("TESLA", "READY")
    await poll(hass, emulator)
    assert outage_issue(hass, setup_integration, "TESLA") is not None
    freezer.tick(timedelta(hours=1, seconds=1))
    await poll(hass, emulator)
    assert integration_requests(emulator) == 3
    assert outage_issue(hass, setup_integration, "TESLA") is None


async def test_outage_of_a_vendor_not_linked_raises_nothing(
    hass: HomeAssistant,
    emulator: Emulator,
    config_entry: MockConfigEntry,
    ha_client: TestClient,
) -> None:
    """Another vendor's outage is none of the user's business; nor an elevated error rate."""
    emulator.set_vendor_status("EASEE", "OUTAGE")
    emulator.set_vendor_status("ZAPTEC", "ELEVATED_ERROR_RATE")
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    issues = [key for (domain, key) in ir.async_get(hass).issues if domain == DOMAIN]
    assert not [key for key in issues if key.startswith("vendor_outage_")]
    diagnostics = await async_get_config_entry_diagnostics(hass, config_entry)
    statuses = {v["vendor"]: v["status"] for v in diagnostics["vendor_status"]["vendors"]}
    assert statuses["ZAPTEC"] == "ELEVATED_ERROR_RATE"
    assert "EASEE" not in statuses


async def test_failed_status_check_keeps_issues_and_waits_an_hour(
    hass: HomeAssistant,
    emulator: Emulator,
    freezer: FrozenDateTimeFactory,  # before the setup: its clocks start on frozen time
    setup_integration: MockConfigEntry,
) -> None:
    """GET /integrations is optional: a failure is in diagnostics, not retried every update."""
    emulator.set_vendor_status("HUAWEI", "OUTAGE")
    freezer.tick(timedelta(hours=6, seconds=1))
    await poll(hass, emulator)
    assert outage_issue(hass, setup_integration, "HUAWEI") is not None
    emulator.add_fault(path="/integrations", status=500)  # not retried
    freezer.tick(timedelta(hours=1, seconds=1))
    await poll(hass, emulator)
    await poll(hass, emulator)
    failed = integration_requests(emulator)
    diagnostics = await async_get_config_entry_diagnostics(hass, setup_integration)
    assert diagnostics["vendor_status"]["error"]
    assert outage_issue(hass, setup_integration, "HUAWEI") is not None
    await poll(hass, emulator)
    assert integration_requests(emulator) == failed


async def test_no_linked_vendors_no_check(
    hass: HomeAssistant, emulator: Emulator, ha_client: TestClient, config_entry: MockConfigEntry
) -> None:
    """A user who has linked nothing yet is not checked for outages."""
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, "user_id": "nobody-yet"}
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert integration_requests(emulator) == 0


def test_relink_scopes_are_the_ones_the_integration_uses() -> None:
    """Read and control scopes for every type; coordinates for vehicles only."""
    assert relink_scopes(["vehicle"]) == [
        "vehicle:read:data",
        "vehicle:control:charging",
        "vehicle:read:location",
    ]
    assert relink_scopes(["battery", "inverter", "meter"]) == [
        "battery:read:data",
        "battery:control:operation_mode",
        "inverter:read:data",
        "meter:read:data",
    ]


async def _run_relink_flow(hass: HomeAssistant, ha_client: TestClient, issue_id: str) -> None:
    from homeassistant.components.repairs import repairs_flow_manager  # noqa: PLC0415

    assert await async_setup_component(hass, "repairs", {})
    manager = repairs_flow_manager(hass)
    assert manager is not None
    result = await manager.async_init(DOMAIN, data={"issue_id": issue_id})
    result = await manager.async_configure(result["flow_id"], {})
    assert result["type"] == "external"
    assert (await browse_link(result["url"], ha_client)).status == 200
    result = await manager.async_configure(result["flow_id"])
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()


def link_posts(emulator: Emulator) -> list[str]:
    """Every link or relink session Enode was asked for."""
    return [e.path for e in emulator.request_log if e.method == "POST" and "link" in e.path]


async def test_lost_vendor_relinks_through_the_asset_endpoint(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """With an asset of the vendor, the repair asks Enode for that asset's relink session."""
    emulator.invalidate_credentials(DEMO_USER, "TESLA")
    await emulator.advance(1)
    await hass.async_block_till_done()
    issue_id = f"credentials_invalidated_{setup_integration.entry_id}_TESLA"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    await _run_relink_flow(hass, ha_client, issue_id)
    assert link_posts(emulator) == [f"/assets/{VEHICLE}/relink"]
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


@pytest.mark.parametrize("vendor", ["HUAWEI"])
async def test_lost_vendor_without_assets_links_with_used_scopes_only(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
    vendor: str,
) -> None:
    """No asset left to relink: a new Link session asks only for the scopes in use."""
    for asset_id in (BATTERY, INVERTER, METER):
        emulator.remove_asset(asset_id)
    emulator.invalidate_credentials(DEMO_USER, vendor)
    await emulator.advance(1)
    await hass.async_block_till_done()
    issue_id = f"credentials_invalidated_{setup_integration.entry_id}_{vendor}"
    await _run_relink_flow(hass, ha_client, issue_id)
    assert link_posts(emulator) == [f"/users/{DEMO_USER}/link"]
    (session,) = emulator.core.links.sessions.values()
    assert session.vendor == vendor
    assert sorted(session.scopes) == [
        "battery:control:operation_mode",
        "battery:read:data",
        "inverter:read:data",
        "meter:read:data",
    ]

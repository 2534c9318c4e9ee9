"""Behaviour that must hold whatever the machinery looks like (issue 25): the config flow's
custom step, a thermostat hold without push, and a vendor-wide outage entry.

Asserted through the public surface only: the config flow's HTTP API as the frontend uses it,
service calls, `hass.states`, diagnostics, the issue registry and the emulator's request log.
"""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.components.climate import (
    ATTR_HVAC_MODE,
    DOMAIN as CLIMATE_DOMAIN,
    SERVICE_SET_TEMPERATURE,
    HVACMode,
)
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_TEMPERATURE,
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.enode.config_flow import SECTION_ADVANCED
from custom_components.enode.const import (
    CONF_API_URL,
    CONF_ENVIRONMENT,
    CONF_TOKEN_URL,
    CONFIRMED_HOLD,
    DOMAIN,
)
from custom_components.enode.diagnostics import async_get_config_entry_diagnostics
from custom_components.enode.link import async_register_view as async_register_link_view
from enode_emulator import Emulator

from .platform_helpers import HVAC, entity_id

FLOWS = "/api/config/config_entries/flow"


def field_errors(status: int, answer: dict[str, Any]) -> dict[str, str]:
    """The field errors the frontend shows for an answer to a submitted step.

    Either the schema refused the input (400, `errors`) or the step showed its form again with
    errors; anything else (a 500 from an exception, a next step) is no form error at all.
    """
    if status == HTTPStatus.BAD_REQUEST:
        return dict(answer["errors"])
    assert status == HTTPStatus.OK, (status, answer)
    assert (answer["type"], answer["step_id"]) == ("form", "custom"), answer
    return dict(answer["errors"] or {})


async def test_custom_step_without_the_token_url_is_a_form_error(
    hass: HomeAssistant, emulator: Emulator, hass_client: ClientSessionGenerator
) -> None:
    """Only the API URL submitted: the token URL field is in error, the flow goes on."""
    # What registers views comes before the test server starts (see conftest.ha_client).
    for component in ("http", "webhook", "config"):
        assert await async_setup_component(hass, component, {})
    async_register_link_view(hass)
    client = await hass_client()
    answer = await client.post(FLOWS, json={"handler": DOMAIN, "show_advanced_options": False})
    flow_id = (await answer.json())["flow_id"]
    credentials = {
        CONF_CLIENT_ID: emulator.client_id,
        CONF_CLIENT_SECRET: emulator.client_secret,
        CONF_ENVIRONMENT: "custom",
        SECTION_ADVANCED: {},
    }
    answer = await client.post(f"{FLOWS}/{flow_id}", json=credentials)
    assert (await answer.json())["step_id"] == "custom"
    answer = await client.post(f"{FLOWS}/{flow_id}", json={CONF_API_URL: emulator.base_url})
    assert set(field_errors(answer.status, await answer.json())) == {CONF_TOKEN_URL}
    assert not hass.config_entries.async_entries(DOMAIN)
    # The same flow still takes both URLs.
    urls = {CONF_API_URL: emulator.base_url, CONF_TOKEN_URL: emulator.token_url}
    answer = await client.post(f"{FLOWS}/{flow_id}", json=urls)
    assert answer.status == HTTPStatus.OK
    assert (await answer.json())["step_id"] == "link_menu"


def hvac_gets(emulator: Emulator) -> int:
    """GET requests of the demo HVAC unit itself (not of its list)."""
    return sum(1 for e in emulator.request_log if (e.method, e.path) == ("GET", f"/hvacs/{HVAC}"))


async def run_timers(hass: HomeAssistant, seconds: float) -> None:
    """Run Home Assistant's timers due within `seconds` and what they start."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await hass.async_block_till_done()


async def test_hold_without_push_ends_when_the_unit_shows_what_was_asked(
    hass: HomeAssistant,
    emulator: Emulator,
    entity_registry: er.EntityRegistry,
    config_entry: MockConfigEntry,
) -> None:
    """Heat 23.5 °C confirmed; the unit reports it, and a cool setpoint of 24 the hold did not
    set: that agrees, so the requested value is let go after the one fetch (none at 15 min)."""
    assert await async_setup_component(hass, "http", {})
    hass.config.api = None  # no URL for Enode to push to: polling
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    climate = entity_id(entity_registry, "climate", HVAC, "thermostat")
    assert hass.states.get(climate).state == HVACMode.HEAT
    await hass.services.async_call(
        CLIMATE_DOMAIN,
        SERVICE_SET_TEMPERATURE,
        {ATTR_ENTITY_ID: climate, ATTR_TEMPERATURE: 23.5, ATTR_HVAC_MODE: HVACMode.HEAT},
        blocking=True,
    )
    await emulator.advance(25)  # Enode confirms the hold
    emulator.patch_asset(HVAC, {"thermostatState": {"coolSetpoint": 24.0}})
    assert hvac_gets(emulator) == 0
    await run_timers(hass, 6)  # the action poll: CONFIRMED, then one GET of the unit
    assert hvac_gets(emulator) == 1
    assert hass.states.get(climate).attributes[ATTR_TEMPERATURE] == 23.5
    diagnostics = await async_get_config_entry_diagnostics(hass, config_entry)
    assert diagnostics["pending_actions"] == []
    await run_timers(hass, (CONFIRMED_HOLD + timedelta(minutes=1)).total_seconds())
    assert hvac_gets(emulator) == 1


async def test_outage_of_a_vendor_wide_entry_raises_the_repair(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    config_entry: MockConfigEntry,
) -> None:
    """`/integrations` lists the linked vendor once, without a type, with OUTAGE: the issue."""
    emulator.set_vendor_status("TESLA", "OUTAGE", untyped=True)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert [e.path for e in emulator.request_log].count("/integrations") == 1
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"vendor_outage_{config_entry.entry_id}_TESLA"
    )
    assert issue is not None
    assert issue.translation_key == "vendor_outage"
    assert issue.translation_placeholders == {"vendor": "Tesla", "title": "Enode (custom)"}

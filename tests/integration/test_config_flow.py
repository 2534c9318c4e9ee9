"""Config flow, options flow, reauth and reconfigure, through the real Link callback view."""

from __future__ import annotations

from collections import Counter
import string
from typing import Any
from unittest.mock import patch

from aiohttp.test_utils import TestClient
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_CLIENT_ID, CONF_CLIENT_SECRET, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.translation import async_get_translations
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from yarl import URL

from custom_components.enode.api import EnodeAuthenticationError, EnodeServerError
from custom_components.enode.client_factory import create_client
from custom_components.enode.config_flow import SECTION_ADVANCED
from custom_components.enode.const import (
    CONF_API_URL,
    CONF_ASSET_TYPES,
    CONF_BACKFILL_DAYS,
    CONF_CONTROL,
    CONF_CREATE_HOME_LOCATION,
    CONF_ENODE_WEBHOOK_ID,
    CONF_ENVIRONMENT,
    CONF_LOCATION,
    CONF_MAX_CHARGE_CURRENT,
    CONF_TOKEN_URL,
    CONF_USER_ID,
    CONF_WEBHOOK_SECRET,
    DOMAIN,
)
from custom_components.enode.link import DATA_LINK
from enode_emulator import Emulator

from .conftest import DEMO_USER, asset_kinds, browse_link, diagnostics, entry_data, user_assets

USER = {"source": SOURCE_USER}
SANDBOX = {
    CONF_CLIENT_ID: "sandbox-client",
    CONF_CLIENT_SECRET: "s",
    CONF_ENVIRONMENT: "sandbox",
    SECTION_ADVANCED: {},
}


def credentials(emulator: Emulator, user_id: str = "", **overrides: Any) -> dict[str, Any]:
    """What a person types in the user step for the emulator (the custom environment)."""
    return {
        CONF_CLIENT_ID: emulator.client_id,
        CONF_CLIENT_SECRET: emulator.client_secret,
        CONF_ENVIRONMENT: "custom",
        SECTION_ADVANCED: {CONF_USER_ID: user_id} if user_id else {},
        **overrides,
    }


def urls(emulator: Emulator, **overrides: str) -> dict[str, str]:
    """What a person types in the custom step for the emulator."""
    return {CONF_API_URL: emulator.base_url, CONF_TOKEN_URL: emulator.token_url, **overrides}


def fields(result: Any) -> set[str]:
    """The top-level fields of a form."""
    return {str(key) for key in result["data_schema"].schema}


async def error_text(hass: HomeAssistant, result: Any, field: str = "base") -> str:
    """The English error message the form shows, its placeholders filled in.

    Fails when the form does not provide a placeholder that the message uses.
    """
    strings = await async_get_translations(hass, "en", "config", [DOMAIN])
    template = strings[f"component.{DOMAIN}.config.error.{result['errors'][field]}"]
    placeholders = result["description_placeholders"] or {}
    wanted = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    assert wanted <= set(placeholders), (template, placeholders)
    return template.format(**placeholders)


async def start_flow(
    hass: HomeAssistant, emulator: Emulator, user_id: str = "", **url_overrides: str
) -> dict[str, Any]:
    """Run the user and custom steps and return the link menu."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context=USER)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], credentials(emulator, user_id)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "custom"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], urls(emulator, **url_overrides)
    )
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "link_menu"
    return result


async def custom_step(hass: HomeAssistant, emulator: Emulator, **overrides: Any) -> Any:
    """Run the user step for the custom environment; returns the custom step's form."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context=USER)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], credentials(emulator, **overrides)
    )
    assert result["step_id"] == "custom"
    return result


async def open_link(hass: HomeAssistant, flow_id: str, manager: Any = None) -> dict[str, Any]:
    """Choose vehicles and chargers with control, and open Enode Link (external step)."""
    manager = manager or hass.config_entries.flow
    result = await manager.async_configure(flow_id, {"next_step_id": "link"})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "link"
    result = await manager.async_configure(
        flow_id,
        {CONF_ASSET_TYPES: ["vehicle", "charger"], CONF_CONTROL: True, CONF_LOCATION: False},
    )
    assert result["type"] is FlowResultType.EXTERNAL_STEP
    assert result["step_id"] == "link_open"
    return result


async def skip_home_location(hass: HomeAssistant, flow_id: str) -> dict[str, Any]:
    """Back from Link, the flow offers the home Location: skip it; the entry is created."""
    result = await hass.config_entries.flow.async_configure(flow_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "home_location"
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_CREATE_HOME_LOCATION: False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    return result


async def link_more_devices(hass: HomeAssistant, ha_client: TestClient, entry: Any) -> None:
    """Options > Link more devices, through Enode Link and back; the flow ends."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await open_link(hass, result["flow_id"], hass.config_entries.options)
    assert (await browse_link(result["url"], ha_client)).status == 200
    result = await hass.config_entries.options.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def test_user_link_and_create_entry(
    hass: HomeAssistant, emulator: Emulator, ha_client: TestClient
) -> None:
    """Credentials, then Link through the emulator's page and back through our callback."""
    result = await start_flow(hass, emulator)
    flow_id = result["flow_id"]
    result = await open_link(hass, flow_id)
    link_url = result["url"]
    assert link_url.startswith(emulator.base_url)

    answer = await browse_link(link_url, ha_client)
    assert answer.status == 200
    assert "window.close()" in await answer.text()
    # Checking the credentials and opening Link share one client and so one token request.
    assert [e.path for e in emulator.request_log].count("/oauth2/token") == 1

    result = await skip_home_location(hass, flow_id)
    data = result["data"]
    assert data[CONF_CLIENT_SECRET] == emulator.client_secret
    assert data[CONF_ENVIRONMENT] == "custom"
    assert len(data[CONF_WEBHOOK_SECRET]) >= 32  # at least 128 bits of randomness
    assert data[CONF_WEBHOOK_ID]
    user_id = data[CONF_USER_ID]
    assert result["result"].unique_id == f"{emulator.client_id}_{user_id}"
    # The Link session asked for exactly the chosen scopes, for a new random user.
    link_requests = [e for e in emulator.request_log if e.path == f"/users/{user_id}/link"]
    assert [e.status for e in link_requests] == [200]
    assert set(user_assets(emulator, user_id).values()) == {"vehicle", "charger"}


async def test_link_cancel_shows_enode_error_then_retry(
    hass: HomeAssistant, emulator: Emulator, ha_client: TestClient
) -> None:
    """Cancelling in Enode Link shows Enode's error_message and lets the user try again."""
    result = await start_flow(hass, emulator)
    flow_id = result["flow_id"]
    result = await open_link(hass, flow_id)
    answer = await browse_link(result["url"], ha_client, cancel=True)
    assert answer.status == 200

    result = await hass.config_entries.flow.async_configure(flow_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "link"
    assert result["errors"] == {"base": "link_failed"}
    assert result["description_placeholders"]["error"]
    assert (await error_text(hass, result)).startswith("Linking did not finish: ")

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_ASSET_TYPES: ["battery"], CONF_CONTROL: False, CONF_LOCATION: True}
    )
    assert result["type"] is FlowResultType.EXTERNAL_STEP
    assert (await browse_link(result["url"], ha_client)).status == 200
    await skip_home_location(hass, flow_id)


async def test_forged_and_replayed_state_are_refused(
    hass: HomeAssistant, emulator: Emulator, ha_client: TestClient
) -> None:
    """A tampered or reused state changes nothing."""
    result = await start_flow(hass, emulator)
    flow_id = result["flow_id"]
    result = await open_link(hass, flow_id)
    session_url = URL(result["url"])
    redirect_uri = emulator.core.links.sessions[session_url.name].redirect_uri
    callback = URL(redirect_uri)
    state = callback.query["state"]

    forged = callback.update_query(state=state[:-2] + ("AA" if state[-2:] != "AA" else "BB"))
    assert (await ha_client.get(forged.path_qs)).status == 400
    assert (await ha_client.get(callback.with_query(state="garbage").path_qs)).status == 400
    assert (await ha_client.get(callback.with_query(None).path_qs)).status == 400
    # Nothing moved: the flow still waits for Enode Link.
    progress = hass.config_entries.flow.async_get(flow_id)
    assert progress["step_id"] == "link_open"

    assert (await ha_client.get(callback.path_qs)).status == 200
    # Replaying the same redirect is refused.
    assert (await ha_client.get(callback.path_qs)).status == 400


async def test_expired_state_is_refused(
    hass: HomeAssistant, emulator: Emulator, ha_client: TestClient
) -> None:
    """A state older than its lifetime is refused."""
    result = await start_flow(hass, emulator)
    result = await open_link(hass, result["flow_id"])
    redirect_uri = emulator.core.links.sessions[URL(result["url"]).name].redirect_uri
    with patch("custom_components.enode.link.time.time", return_value=4_000_000_000):
        assert (await ha_client.get(URL(redirect_uri).path_qs)).status == 400
    progress = hass.config_entries.flow.async_get(result["flow_id"])
    assert progress["step_id"] == "link_open"


async def test_callback_for_ended_flow(
    hass: HomeAssistant, emulator: Emulator, ha_client: TestClient
) -> None:
    """A valid state whose flow was closed answers that the flow ended."""
    result = await start_flow(hass, emulator)
    result = await open_link(hass, result["flow_id"])
    redirect_uri = emulator.core.links.sessions[URL(result["url"]).name].redirect_uri
    assert result["flow_id"] in hass.data[DATA_LINK].outstanding
    hass.config_entries.flow.async_abort(result["flow_id"])
    # The ended flow's single-use state is dropped at once, not kept until it expires.
    assert result["flow_id"] not in hass.data[DATA_LINK].outstanding
    answer = await ha_client.get(URL(redirect_uri).path_qs)
    assert answer.status == 400
    assert "ended" in await answer.text()


async def test_skip_linking(hass: HomeAssistant, emulator: Emulator) -> None:
    """The user may finish without linking and link later."""
    result = await start_flow(hass, emulator, user_id="someone")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "finish"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Enode (custom)"
    assert result["data"][CONF_USER_ID] == "someone"
    assert result["options"] == {CONF_MAX_CHARGE_CURRENT: 32, CONF_BACKFILL_DAYS: 30}


async def test_link_needs_an_asset_type(
    hass: HomeAssistant, emulator: Emulator, ha_client: TestClient
) -> None:
    """Submitting no device type asks again."""
    result = await start_flow(hass, emulator)
    flow_id = result["flow_id"]
    await hass.config_entries.flow.async_configure(flow_id, {"next_step_id": "link"})
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_ASSET_TYPES: [], CONF_CONTROL: True, CONF_LOCATION: True}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "no_asset_types"}
    assert await error_text(hass, result) == "Choose at least one device type."


async def test_link_session_error_is_shown(
    hass: HomeAssistant, emulator: Emulator, ha_client: TestClient
) -> None:
    """When Enode cannot create a Link session, the form says so and nothing is stored."""
    result = await start_flow(hass, emulator)
    flow_id = result["flow_id"]
    emulator.add_fault(path="/users/*/link", status=503, count=1)
    await hass.config_entries.flow.async_configure(flow_id, {"next_step_id": "link"})
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_ASSET_TYPES: ["vehicle"], CONF_CONTROL: True, CONF_LOCATION: True}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "link_failed"}
    assert not hass.config_entries.async_entries(DOMAIN)


async def test_production_and_sandbox_show_no_urls(hass: HomeAssistant) -> None:
    """No URL fields for production or sandbox: credentials, environment, collapsed user ID."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context=USER)
    assert fields(result) == {
        CONF_CLIENT_ID,
        CONF_CLIENT_SECRET,
        CONF_ENVIRONMENT,
        SECTION_ADVANCED,
    }
    selector = result["data_schema"].schema[CONF_ENVIRONMENT]
    assert selector.config["options"] == ["production", "sandbox", "custom"]
    advanced = result["data_schema"].schema[SECTION_ADVANCED]
    assert advanced.options == {"collapsed": True}
    assert {str(key) for key in advanced.schema.schema} == {CONF_USER_ID}
    # Sandbox goes straight on to linking (the token request is the only stand-in here:
    # the real sandbox is out of reach in tests).
    with patch("custom_components.enode.config_flow.EnodeClient.async_get_token", return_value="t"):
        result = await hass.config_entries.flow.async_configure(result["flow_id"], SANDBOX)
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "finish"}
    )
    assert result["title"] == "Enode (sandbox)"
    assert CONF_API_URL not in result["data"]
    assert CONF_TOKEN_URL not in result["data"]


async def test_sandbox_refused_shows_the_host(hass: HomeAssistant) -> None:
    """Production and sandbox errors name Enode's token host."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context=USER)
    with patch(
        "custom_components.enode.config_flow.EnodeClient.async_get_token",
        side_effect=EnodeAuthenticationError("refused", status=401),
    ):
        result = await hass.config_entries.flow.async_configure(result["flow_id"], SANDBOX)
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": "invalid_auth"}
    assert (await error_text(hass, result)).startswith(
        "oauth.sandbox.enode.io refused these client credentials."
    )


async def test_custom_asks_for_the_urls(hass: HomeAssistant, emulator: Emulator) -> None:
    """The custom environment continues with a step for exactly its two URLs."""
    result = await custom_step(hass, emulator)
    assert fields(result) == {CONF_API_URL, CONF_TOKEN_URL}
    assert not hass.config_entries.async_entries(DOMAIN)


async def test_wrong_secret_goes_back_to_the_credentials(
    hass: HomeAssistant, emulator: Emulator
) -> None:
    """Refused credentials return to the credentials form; the URLs typed stay filled in."""
    result = await custom_step(hass, emulator, **{CONF_CLIENT_SECRET: "wrong"})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], urls(emulator))
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": "invalid_auth"}
    assert result["description_placeholders"] == {"host": "127.0.0.1"}
    assert (await error_text(hass, result)).startswith(
        "127.0.0.1 refused these client credentials."
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], credentials(emulator)
    )
    assert result["step_id"] == "custom"
    suggested = {
        str(key): key.description["suggested_value"] for key in result["data_schema"].schema
    }
    assert suggested == urls(emulator)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], urls(emulator))
    assert result["type"] is FlowResultType.MENU


@pytest.mark.parametrize(
    ("token_url", "fault", "error", "message"),
    [
        (
            "http://127.0.0.1:9/oauth2/token",
            None,
            "cannot_connect",
            "Could not reach 127.0.0.1. Check that Home Assistant can connect to it",
        ),
        (
            "{base}/not-a-token-endpoint",
            None,
            "not_token_endpoint",
            "127.0.0.1 answered, but it is not an Enode token endpoint.",
        ),
        (None, 403, "not_token_endpoint", "127.0.0.1 answered, but it is not an Enode"),
        (None, 503, "server_error", "127.0.0.1 is unavailable right now"),
        (None, 500, "server_error", "127.0.0.1 is unavailable right now"),
        (None, 429, "server_error", "127.0.0.1 is unavailable right now"),
    ],
    ids=["unreachable", "not-a-token-endpoint", "403", "503", "500", "429"],
)
async def test_token_endpoint_errors_then_recover(
    hass: HomeAssistant,
    emulator: Emulator,
    *,
    token_url: str | None,
    fault: int | None,
    error: str,
    message: str,
) -> None:
    """What went wrong with the token URL is said, on the URL form, and nothing is stored."""
    if fault is not None:
        emulator.add_fault(path="/oauth2/token", status=fault, count=1)
    result = await custom_step(hass, emulator)
    change = {CONF_TOKEN_URL: token_url.format(base=emulator.base_url)} if token_url else {}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], urls(emulator, **change)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "custom"
    assert result["errors"] == {"base": error}
    assert result["description_placeholders"] == {"host": "127.0.0.1"}
    assert (await error_text(hass, result)).startswith(message)
    assert not hass.config_entries.async_entries(DOMAIN)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], urls(emulator))
    assert result["type"] is FlowResultType.MENU


async def test_answer_without_a_token_is_not_a_token_endpoint(
    hass: HomeAssistant, emulator: Emulator, ha_client: TestClient
) -> None:
    """A URL that answers 200 without an access token (here Home Assistant's webhook API)."""
    result = await custom_step(hass, emulator)
    webhook_url = f"http://127.0.0.1:{ha_client.server.port}/api/webhook/nothing"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], urls(emulator, **{CONF_TOKEN_URL: webhook_url})
    )
    assert result["errors"] == {"base": "not_token_endpoint"}


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({CONF_API_URL: "emulator"}, {CONF_API_URL: "invalid_url"}),
        ({CONF_TOKEN_URL: "ftp://127.0.0.1/token"}, {CONF_TOKEN_URL: "invalid_url"}),
        ({CONF_TOKEN_URL: "http://[::1"}, {CONF_TOKEN_URL: "invalid_url"}),
    ],
    ids=["no-scheme", "ftp", "unparseable"],
)
async def test_malformed_urls(
    hass: HomeAssistant, emulator: Emulator, change: dict[str, str], errors: dict[str, str]
) -> None:
    """URLs must be absolute http(s) URLs; the field says so before any request."""
    result = await custom_step(hass, emulator)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], urls(emulator, **change)
    )
    assert result["step_id"] == "custom"
    assert result["errors"] == errors
    assert await error_text(hass, result, next(iter(errors))) == (
        "Enter an absolute URL with the scheme http or https and a host."
    )
    assert not [e for e in emulator.request_log if e.path == "/oauth2/token"]


async def test_unexpected_error_is_unknown(hass: HomeAssistant, emulator: Emulator) -> None:
    """A bug while validating shows `unknown` (the only mock: an impossible failure)."""
    result = await custom_step(hass, emulator)
    with patch(
        "custom_components.enode.config_flow.EnodeClient.async_get_token",
        side_effect=RuntimeError("boom"),
    ):
        result = await hass.config_entries.flow.async_configure(result["flow_id"], urls(emulator))
    assert result["errors"] == {"base": "unknown"}
    assert await error_text(hass, result) == "Unexpected error. See the logs for details."


async def test_duplicate_aborts(
    hass: HomeAssistant, emulator: Emulator, config_entry: MockConfigEntry
) -> None:
    """The same client ID and user ID cannot be added twice."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context=USER)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], credentials(emulator, DEMO_USER)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reauth(hass: HomeAssistant, emulator: Emulator, ha_client: TestClient) -> None:
    """A wrong secret is refused; the right one updates the entry and reloads it."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=f"{emulator.client_id}_{DEMO_USER}",
        data=entry_data(emulator, **{CONF_CLIENT_SECRET: "old"}),
    )
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_CLIENT_SECRET: "still-wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    assert result["description_placeholders"]["client_id"] == emulator.client_id
    assert (await error_text(hass, result)).startswith("127.0.0.1 refused")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_CLIENT_SECRET: emulator.client_secret}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_CLIENT_SECRET] == emulator.client_secret


def reconfigure_input(emulator: Emulator, **overrides: str) -> dict[str, str]:
    """The reconfigure form for the emulator (the user ID is not on it)."""
    return {
        CONF_CLIENT_ID: emulator.client_id,
        CONF_CLIENT_SECRET: emulator.client_secret,
        CONF_ENVIRONMENT: "custom",
        **overrides,
    }


async def reconfigure(
    hass: HomeAssistant, entry: MockConfigEntry, emulator: Emulator, **overrides: str
) -> Any:
    """Reconfigure to the emulator: credentials, then the URLs step (prefilled) submitted."""
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    assert fields(result) == {CONF_CLIENT_ID, CONF_CLIENT_SECRET, CONF_ENVIRONMENT}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], reconfigure_input(emulator, **overrides)
    )
    assert result["step_id"] == "reconfigure_custom"
    suggested = {
        str(key): key.description["suggested_value"] for key in result["data_schema"].schema
    }
    assert suggested == {CONF_API_URL: emulator.base_url, CONF_TOKEN_URL: emulator.token_url}
    return await hass.config_entries.flow.async_configure(result["flow_id"], urls(emulator))


async def test_reconfigure(hass: HomeAssistant, emulator: Emulator, ha_client: TestClient) -> None:
    """Changing credentials keeps the user; a new endpoint forgets the old Enode webhook."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=f"old-client_{DEMO_USER}",
        data=entry_data(
            emulator, **{CONF_CLIENT_ID: "old-client", CONF_ENODE_WEBHOOK_ID: "hook-1"}
        ),
    )
    entry.add_to_hass(hass)
    result = await reconfigure(hass, entry, emulator, **{CONF_CLIENT_SECRET: "wrong"})
    # Refused: back to the credentials, which now work (the URLs stay as entered).
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {"base": "invalid_auth"}
    assert (await error_text(hass, result)).startswith("127.0.0.1 refused")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], reconfigure_input(emulator)
    )
    assert result["step_id"] == "reconfigure_custom"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], urls(emulator))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.unique_id == f"{emulator.client_id}_{DEMO_USER}"
    assert entry.data[CONF_CLIENT_ID] == emulator.client_id
    assert entry.data[CONF_USER_ID] == DEMO_USER
    assert CONF_ENODE_WEBHOOK_ID not in entry.data


async def test_reconfigure_url_error_stays_on_the_urls(
    hass: HomeAssistant, emulator: Emulator
) -> None:
    """An unreachable token URL is reported on the URL form of reconfigure."""
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=f"{emulator.client_id}_{DEMO_USER}", data=entry_data(emulator)
    )
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], reconfigure_input(emulator)
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], urls(emulator, **{CONF_TOKEN_URL: "http://127.0.0.1:9/token"})
    )
    assert result["step_id"] == "reconfigure_custom"
    assert result["errors"] == {"base": "cannot_connect"}
    assert (await error_text(hass, result)).startswith("Could not reach 127.0.0.1.")
    assert entry.data[CONF_TOKEN_URL] == emulator.token_url


async def test_reconfigure_to_sandbox_drops_custom_urls(
    hass: HomeAssistant, emulator: Emulator
) -> None:
    """Leaving the custom environment removes its URLs (sandbox validated over the network).

    The Enode webhook of the old environment is deleted there with the old credentials.
    """
    old_client = create_client(hass, entry_data(emulator))
    hook = await old_client.create_webhook("http://127.0.0.1:9/api/webhook/x", "s" * 32)
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=f"{emulator.client_id}_{DEMO_USER}",
        data=entry_data(emulator, **{CONF_ENODE_WEBHOOK_ID: hook.id}),
    )
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    with patch(
        "custom_components.enode.config_flow.EnodeClient.async_get_token",
        side_effect=EnodeServerError("down", status=503),
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], reconfigure_input(emulator, **{CONF_ENVIRONMENT: "sandbox"})
        )
    # Errors of production and sandbox stay on the credentials form (it has no URLs).
    assert result["step_id"] == "reconfigure"
    assert (await error_text(hass, result)).startswith("oauth.sandbox.enode.io is unavailable")
    with patch("custom_components.enode.config_flow.EnodeClient.async_get_token", return_value="t"):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], reconfigure_input(emulator, **{CONF_ENVIRONMENT: "sandbox"})
        )
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_ENVIRONMENT] == "sandbox"
    assert CONF_API_URL not in entry.data
    assert CONF_ENODE_WEBHOOK_ID not in entry.data
    assert hook.id not in emulator.core.webhooks.webhooks


async def test_reconfigure_same_endpoint_keeps_webhook(
    hass: HomeAssistant, emulator: Emulator
) -> None:
    """A new secret for the same client keeps the Enode webhook."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=f"{emulator.client_id}_{DEMO_USER}",
        data=entry_data(emulator, **{CONF_ENODE_WEBHOOK_ID: "hook-1"}),
    )
    entry.add_to_hass(hass)
    result = await reconfigure(hass, entry, emulator)
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_ENODE_WEBHOOK_ID] == "hook-1"


async def test_reconfigure_onto_another_entry_aborts(
    hass: HomeAssistant, emulator: Emulator
) -> None:
    """Reconfiguring into an existing (client, user) pair is refused."""
    MockConfigEntry(
        domain=DOMAIN, unique_id=f"{emulator.client_id}_{DEMO_USER}", data=entry_data(emulator)
    ).add_to_hass(hass)
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=f"other_{DEMO_USER}",
        data=entry_data(emulator, **{CONF_CLIENT_ID: "other"}),
    )
    entry.add_to_hass(hass)
    result = await reconfigure(hass, entry, emulator)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_CLIENT_ID] == "other"


async def test_options_settings(
    hass: HomeAssistant, emulator: Emulator, setup_integration: MockConfigEntry
) -> None:
    """Settings are stored in the options; the reload brings them to the entities."""
    entry = setup_integration
    start = len(emulator.request_log)
    assert not entry.update_listeners  # OptionsFlowWithReload reloads; no listener of ours
    assert hass.states.get("number.zaptec_go_max_current").attributes["max"] == 32
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )
    assert result["step_id"] == "settings"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_MAX_CHARGE_CURRENT: 40, CONF_BACKFILL_DAYS: 60}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_MAX_CHARGE_CURRENT: 40, CONF_BACKFILL_DAYS: 60}
    await hass.async_block_till_done()
    # Reloaded: the setup listed the user again.
    assert f"GET /users/{DEMO_USER}" in [
        f"{e.method} {e.path}" for e in emulator.request_log[start:]
    ]
    assert hass.states.get("number.zaptec_go_max_current").attributes["max"] == 40


async def test_options_max_current_text_covers_vehicles(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """The highest current caps vehicles too, not only chargers (issue #18)."""
    strings = await async_get_translations(hass, "en", "options", [DOMAIN])
    text = strings[
        f"component.{DOMAIN}.options.step.settings.data_description.{CONF_MAX_CHARGE_CURRENT}"
    ]
    assert "vehicles and chargers" in text
    assert "a charger's maximum current" not in text


async def test_options_link_more_devices(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """Link more devices from the options; they appear without a reload."""
    entry = setup_integration
    # Which object holds the running entry's data is the one sign of a reload that makes
    # no request of its own to tell it apart.
    running = entry.runtime_data
    before = user_assets(emulator, DEMO_USER)
    await link_more_devices(hass, ha_client, entry)
    assert entry.runtime_data is running  # options unchanged: no reload
    after = user_assets(emulator, DEMO_USER)
    assert len(after) > len(before)
    assert asset_kinds(await diagnostics(hass, entry)) == Counter(after.values())


async def test_finish_and_link_later_with_a_new_user(
    hass: HomeAssistant, emulator: Emulator, ha_client: TestClient
) -> None:
    """Enode creates a user with its first Link session: until then the entry loads empty.

    Then "Link more devices" in the options links the first devices, without a reload.
    """
    result = await start_flow(hass, emulator)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "finish"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    entry = hass.config_entries.async_get_entry(result["result"].entry_id)
    assert entry is not None
    user_id = entry.data[CONF_USER_ID]
    assert user_id not in emulator.core.store.users  # Enode does not know this user yet
    assert entry.state is ConfigEntryState.LOADED
    assert (await diagnostics(hass, entry))["assets"] == {}

    await link_more_devices(hass, ha_client, entry)
    linked = user_assets(emulator, user_id)
    assert linked
    assert asset_kinds(await diagnostics(hass, entry)) == Counter(linked.values())

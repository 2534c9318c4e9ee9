"""The same first steps with Home Assistant in Norwegian (Bokmål), in headless Chromium.

A Home Assistant of its own (one start) with the system language `nb` and a browser whose
language is Norwegian (`nb-NO`). In order: log in, add Enode through the config flow (every text
checked in Norwegian; Enode Link must be asked for `nb-NO`), open a vehicle's device page (entity
names in Norwegian), and send a command Enode refuses (the error shows in Norwegian). Screenshots
land in artifacts/e2e with the prefix `nb-`.
"""

from __future__ import annotations

from collections.abc import Iterator
import re
import shutil
from typing import Any

import aiohttp
from playwright.sync_api import Browser, Locator, Page, expect
import pytest

from scripts.devstack import (
    DEMO_ENODE_USER,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    EMULATOR_CLIENT_ID,
    EMULATOR_CLIENT_SECRET,
    HomeAssistantApi,
    Stack,
    StackSettings,
    free_port,
)

from .conftest import (
    ARTIFACTS,
    Screenshots,
    call_api,
    emulator_get,
    integration_log_problems,
    prepare_owner,
    run_async,
    selected_ha,
)
from .test_browser import LINKED_VENDOR, demo_asset, entity_row, labelled, requests_to

LANGUAGE = "nb"  # Home Assistant's system language
BROWSER_LOCALE = "nb-NO"  # the browser's (the frontend follows it)
LINK_LANGUAGE = "nb-NO"  # what Enode Link must be asked for
# The Norwegian names of the five device types the journey does not link.
OTHER_TYPES = (
    "Elbilladere",
    "Hjemmebatterier",
    "Varmepumper og termostater",
    "Solcelleomformere",
    "Strømmålere",
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackSettings]:
    """A Norwegian Home Assistant and the emulator, onboarded, Enode not yet added."""
    settings = StackSettings(
        config_dir=tmp_path_factory.mktemp("ha-config-nb"),
        ha_port=free_port(),
        emulator_port=free_port(),
        skip_pip=True,
        ha=selected_ha(),
    )
    with Stack(settings):
        run_async(prepare_owner(settings))
        call_api(settings, _speak_norwegian)
        yield settings
    for log in ("home-assistant.log", "emulator.log"):
        if (settings.config_dir / log).exists():
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(settings.config_dir / log, ARTIFACTS / f"nb-{log}")


async def _speak_norwegian(api: HomeAssistantApi) -> None:
    """Settings > System > General > Language: Norwegian Bokmål (before Enode is added)."""
    await api.ws([{"type": "config/core/update", "language": LANGUAGE}])
    config = await api.request("GET", "/api/config")
    assert config["language"] == LANGUAGE


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    """A browser tab whose language is Norwegian."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale=BROWSER_LOCALE)
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


def emulator_post(settings: StackSettings, path: str, body: dict[str, Any]) -> Any:
    """POST to the emulator's admin API."""

    async def run() -> Any:
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"{settings.emulator_url}{path}", json=body) as answer,
        ):
            answer.raise_for_status()
            return await answer.json()

    return run_async(run())


def submit(dialog: Locator) -> None:
    """The flow dialog's submit button ("Send inn")."""
    dialog.get_by_role("button", name="Send inn").click()


def test_log_in_in_norwegian(page: Page, stack: StackSettings, shot: Screenshots) -> None:
    page.goto(stack.ha_url)
    page.locator("input[name=username]").fill(DEMO_USERNAME)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name=re.compile("Logg inn", re.IGNORECASE)).click()
    page.wait_for_url("**/home/**")
    expect(page.locator("html")).to_have_attribute("lang", LANGUAGE)
    expect(page.locator("ha-sidebar")).to_contain_text("Innstillinger")
    shot(page, "nb-logged-in")


def test_config_flow_in_norwegian(page: Page, stack: StackSettings, shot: Screenshots) -> None:
    # What "Add integration" > Enode opens (and what a my.home-assistant.io link opens).
    page.goto(f"{stack.ha_url}/config/integrations/dashboard/add?domain=enode")
    expect(page.get_by_role("heading", name="Vil du sette opp Enode?")).to_be_visible()
    page.get_by_role("button", name="OK").click()
    dialog = page.locator("dialog-data-entry-flow")
    expect(dialog).to_contain_text("Koble til Enode-API-et")
    expect(dialog).to_contain_text("Enodes utviklerportal")
    labelled(dialog, "textbox", "Klient-ID").fill(EMULATOR_CLIENT_ID)
    labelled(dialog, "textbox", "Klienthemmelighet").fill(EMULATOR_CLIENT_SECRET)
    labelled(dialog, "radio", "Egendefinert (emulator eller mellomtjener)").check()
    dialog.get_by_text("Avanserte alternativer").click()
    labelled(dialog, "textbox", "Enode-bruker-ID").fill(DEMO_ENODE_USER)
    shot(page, "nb-credentials")
    submit(dialog)

    expect(dialog).to_contain_text("Egendefinert Enode-miljø")
    labelled(dialog, "textbox", "API-URL").fill(stack.emulator_url)
    labelled(dialog, "textbox", "Token-URL").fill(f"{stack.emulator_url}/oauth2/token")
    submit(dialog)

    expect(dialog).to_contain_text("Påloggingsinformasjonen virker")
    shot(page, "nb-link-menu")
    dialog.get_by_text("Koble til enheter nå").click()
    expect(dialog).to_contain_text("Velg hva som skal kobles til")
    expect(dialog).to_contain_text("Tillat styring")
    for other in OTHER_TYPES:
        # Each chip's remove button; its "Remove" comes from the chip component itself.
        dialog.get_by_role("button", name=re.compile(rf"^(Remove|Fjern) {other}$")).click()
    expect(dialog).to_contain_text("Elbiler")
    shot(page, "nb-link-choices")
    submit(dialog)

    expect(dialog).to_contain_text("Åpne Enode Link, velg leverandør og logg inn")
    with page.expect_popup() as popup_info:
        dialog.get_by_text("Åpne nettsted").click()
    link_page = popup_info.value
    expect(link_page).to_have_url(re.compile(rf"{re.escape(stack.emulator_url)}/link/"))
    # Enode Link shows Norwegian, and it was asked for it (not only the browser's language).
    expect(link_page.locator("html")).to_have_attribute("lang", LINK_LANGUAGE)
    expect(link_page.locator("#title")).to_have_text("Koble til enhetene dine")
    sessions = emulator_get(stack, "/_emulator/link-sessions")
    assert [(s["language"], s["shownLanguage"]) for s in sessions] == [
        (LINK_LANGUAGE, LINK_LANGUAGE)
    ]
    link_page.locator(f"#vendor-{LINKED_VENDOR}").check()
    shot(link_page, "nb-enode-link")
    with link_page.expect_event("close"):
        link_page.locator("button#confirm").click()

    expect(dialog).to_contain_text("Hjemmet som Enode-sted")
    expect(dialog).to_contain_text("tidssone Europe/Oslo")
    shot(page, "nb-home-location")
    submit(dialog)
    expect(dialog).to_contain_text("Polestar 2")
    shot(page, "nb-created")
    dialog.get_by_role("button", name="Fullfør").click()
    link_calls = requests_to(stack, "POST", f"/users/{DEMO_ENODE_USER}/link")
    assert [entry["status"] for entry in link_calls] == [200]


async def _device_id(api: HomeAssistantApi, asset_id: str) -> str:
    [devices] = await api.ws([{"type": "config/device_registry/list"}])
    return next(
        str(device["id"])
        for device in devices
        if ["enode", asset_id] in [list(pair) for pair in device["identifiers"]]
    )


def test_device_page_in_norwegian(page: Page, stack: StackSettings, shot: Screenshots) -> None:
    vehicle = demo_asset(stack, "vehicle", "TESLA")
    device = call_api(stack, lambda api: _device_id(api, vehicle))
    page.goto(f"{stack.ha_url}/config/devices/device/{device}")
    expect(page.get_by_text("My Model 3").first).to_be_visible()
    for name in ("Lad", "Lad nå", "Smartlading", "Klar innen", "Lader", "Koblet til", "Batteri"):
        expect(page.get_by_text(name, exact=True).first).to_be_visible()
    for english in ("Charge now", "Plugged in", "Ready by"):
        expect(page.get_by_text(english, exact=True)).to_have_count(0)
    shot(page, "nb-device-page")


def test_command_error_in_norwegian(page: Page, stack: StackSettings, shot: Screenshots) -> None:
    vehicle = demo_asset(stack, "vehicle", "TESLA")
    path = f"/vehicles/{vehicle}/charging"
    # Enode is unavailable for the next charging command.
    emulator_post(stack, "/_emulator/faults", {"path": path, "status": 503, "count": 1})
    charge = entity_row(page.locator("body"), "hui-toggle-entity-row", "Lad").get_by_role("switch")
    expect(charge).not_to_be_checked()
    charge.click(force=True)  # the thumb covers the input from 2026.11 on
    toast = page.locator("ha-toast, notification-manager").filter(has_text="Enode")
    # The frontend's own words and the integration's, both Norwegian; Enode's reason follows.
    expect(toast.first).to_contain_text(re.compile(r"Enode hadde et problem: \S"))
    expect(toast.first).not_to_contain_text("Enode had a problem")
    shot(page, "nb-command-error")
    assert [entry["status"] for entry in requests_to(stack, "POST", path)] == [503]
    expect(charge).not_to_be_checked()


def test_log_has_no_warning_or_error_from_the_integration(stack: StackSettings) -> None:
    """A refused command is the caller's error, not a log entry; nothing else went wrong."""
    assert integration_log_problems(stack.config_dir / "home-assistant.log") == []

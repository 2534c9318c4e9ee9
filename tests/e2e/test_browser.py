"""A person's first hour with the integration, in a real Home Assistant in headless Chromium.

The steps run in order on one browser tab: log in, add Enode through the UI config flow (Enode
Link included), open the Enode dashboard, start charging, change the battery's operation mode and
set the heat pump's target temperature, then smart charging (Ready by, a plan, Charge now). Each
step is checked in the UI and in the emulator's request log, and leaves a screenshot in
artifacts/e2e.
"""

from __future__ import annotations

import re
import time
from typing import Any

from playwright.sync_api import Locator, Page, expect

from scripts.devstack import (
    DASHBOARD_PATH,
    DEMO_ENODE_USER,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    EMULATOR_CLIENT_ID,
    EMULATOR_CLIENT_SECRET,
    HomeAssistantApi,
    StackSettings,
    add_demo_schedule,
    install_dashboard,
)

from .conftest import Screenshots, call_api, emulator_get, integration_log_problems

LINKED_VENDOR = "POLESTAR"  # the demo household has a Tesla; linking adds a Polestar 2
CONFIRM_TIMEOUT = 30_000  # ms: action delay (3 s) + webhook delivery, with room for a slow CI


def demo_asset(stack: StackSettings, kind: str, vendor: str | None = None) -> str:
    """The emulator's id of the demo user's asset of a kind (and vendor)."""
    assets = emulator_get(stack, "/_emulator/state")["assets"]
    return next(
        str(asset["id"])
        for asset in assets
        if asset["type"] == kind
        and asset["userId"] == DEMO_ENODE_USER
        and (vendor is None or asset["vendor"] == vendor)
    )


def requests_to(stack: StackSettings, method: str, path: str) -> list[dict[str, Any]]:
    """Entries of the emulator's request log for one method and path."""
    return [
        entry
        for entry in emulator_get(stack, "/_emulator/requests")
        if entry["method"] == method and entry["path"] == path
    ]


def wait_for_requests(
    stack: StackSettings, method: str, path: str, timeout: float = CONFIRM_TIMEOUT / 1000
) -> list[dict[str, Any]]:
    """Requests Home Assistant sent to one path, waiting for the first to arrive."""
    deadline = time.monotonic() + timeout
    while not (found := requests_to(stack, method, path)) and time.monotonic() < deadline:
        time.sleep(0.25)
    return found


def delivered_events(stack: StackSettings) -> list[str]:
    """Event names of every webhook delivery Home Assistant accepted."""
    return [
        event
        for delivery in emulator_get(stack, "/_emulator/deliveries")
        if delivery["outcome"] == "delivered"
        for event in delivery["events"]
    ]


def wait_for_event(stack: StackSettings, event: str, *, after: int) -> None:
    """Wait until Home Assistant accepted a webhook delivery carrying the event."""
    deadline = time.monotonic() + CONFIRM_TIMEOUT / 1000
    while event not in delivered_events(stack)[after:]:
        assert time.monotonic() < deadline, f"no {event} delivered to Home Assistant"
        time.sleep(0.25)


def card(page: Page, title: str) -> Locator:
    """The dashboard's entities card of one device."""
    return page.locator("hui-entities-card").filter(
        has=page.locator(".card-header, h1", has_text=title)
    )


def entity_row(entities_card: Locator, row_type: str, name: str) -> Locator:
    """One row of an entities card by its exact name ("Charging", not "Smart charging")."""
    return entities_card.locator(row_type).filter(
        has=entities_card.page.get_by_text(name, exact=True)
    )


def labelled(scope: Page | Locator, role: str, name: str) -> Locator:
    """A form control by its label: a <label> up to 2026.2, an accessible name from 2026.11 on."""
    return scope.get_by_label(name).or_(scope.get_by_role(role, name=name)).first  # type: ignore[arg-type]


def test_log_in_through_the_login_page(page: Page, stack: StackSettings, shot: Screenshots) -> None:
    page.goto(stack.ha_url)
    expect(page).to_have_url(re.compile(rf"{re.escape(stack.ha_url)}/auth/authorize\?"))
    page.locator("input[name=username]").fill(DEMO_USERNAME)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    shot(page, "login")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/home/**")
    expect(page.locator("ha-sidebar")).to_contain_text("Settings")
    shot(page, "logged-in")


def test_add_enode_through_the_ui_config_flow(
    page: Page, stack: StackSettings, shot: Screenshots
) -> None:
    page.goto(f"{stack.ha_url}/config/integrations/dashboard")
    page.get_by_role("button", name="Add integration").click()
    # A labelled field up to 2026.2, a placeholder from 2026.11 on.
    search = page.get_by_label("Search for a brand name").or_(
        page.get_by_placeholder("Search for a brand name")
    )
    search.first.fill("Enode")
    page.locator("ha-integration-list-item", has_text="Enode").first.click()

    # The credentials step, typed as a person would.
    dialog = page.locator("dialog-data-entry-flow")
    expect(dialog).to_contain_text("Connect to the Enode API")
    labelled(dialog, "textbox", "Client ID").fill(EMULATOR_CLIENT_ID)
    labelled(dialog, "textbox", "Client secret").fill(EMULATOR_CLIENT_SECRET)
    labelled(dialog, "radio", "Custom (emulator or proxy)").check()
    dialog.get_by_text("Advanced options").click()  # the collapsed section with the user ID
    labelled(dialog, "textbox", "Enode user ID").fill(DEMO_ENODE_USER)
    shot(page, "credentials")
    dialog.get_by_role("button", name="Submit").click()

    # The custom environment asks for its URLs next.
    expect(dialog).to_contain_text("Custom Enode environment")
    labelled(dialog, "textbox", "API URL").fill(stack.emulator_url)
    labelled(dialog, "textbox", "Token URL").fill(f"{stack.emulator_url}/oauth2/token")
    shot(page, "custom-urls")
    dialog.get_by_role("button", name="Submit").click()

    # The credentials work: link devices now, only vehicles this time.
    expect(dialog).to_contain_text("Link your devices")
    shot(page, "link-menu")
    dialog.get_by_text("Link devices now").click()
    expect(dialog).to_contain_text("Choose what to link")
    for other in (
        "EV chargers",
        "Home batteries",
        "Heat pumps and thermostats",
        "Solar inverters",
        "Grid meters",
    ):
        # A multiple select of six shows chips; each chip has its remove button.
        dialog.get_by_role("button", name=f"Remove {other}").click()
    expect(dialog.get_by_role("button", name="Remove Electric vehicles")).to_be_visible()
    expect(dialog.get_by_role("button", name="Remove EV chargers")).to_have_count(0)
    shot(page, "link-choices")
    dialog.get_by_role("button", name="Submit").click()

    # Enode Link opens in a new window: pick the vendor, connect, come back.
    open_website = dialog.get_by_text("Open website")
    expect(open_website).to_be_visible()
    shot(page, "link-open")
    with page.expect_popup() as popup_info:
        open_website.click()
    link_page = popup_info.value
    expect(link_page).to_have_url(re.compile(rf"{re.escape(stack.emulator_url)}/link/"))
    link_page.locator(f"#vendor-{LINKED_VENDOR}").check()
    shot(link_page, "enode-link")
    # Enode sends the window back to Home Assistant's callback, which resumes the flow and
    # closes the window it was opened in.
    with link_page.expect_event("close"):
        link_page.locator("button#confirm").click()

    # Back in Home Assistant the flow offers Home as an Enode Location, with the home's name,
    # coordinates and time zone; one click makes it (here: takes over the emulator household's).
    expect(dialog).to_contain_text("Home as an Enode Location")
    expect(dialog).to_contain_text("(59.91390, 10.75220, time zone Europe/Oslo)")
    shot(page, "home-location")
    dialog.get_by_role("button", name="Submit").click()
    # "Devices created" up to 2026.2; from 2026.11 on a "Name and assign" step for the devices.
    expect(dialog).to_contain_text(re.compile("Devices created|Name and assign"))
    expect(dialog).to_contain_text("Polestar 2")
    shot(page, "created")
    dialog.get_by_role("button", name="Finish").click()
    # Up to 2026.2 the integrations dashboard shows Enode's card; from 2026.11 on Finish opens
    # the integration's own page.
    expect(
        page.locator("ha-integration-card", has_text="Enode")
        .or_(page.get_by_role("heading", name="Enode", level=1, exact=True))
        .first
    ).to_be_visible()
    shot(page, "integration-card")

    link_calls = requests_to(stack, "POST", f"/users/{DEMO_ENODE_USER}/link")
    assert [entry["status"] for entry in link_calls] == [200]
    assert requests_to(stack, "POST", "/webhooks"), "the integration registered its webhook"
    assert "enode:webhook:test" in delivered_events(stack)


def test_enode_dashboard_shows_every_device(
    page: Page, stack: StackSettings, shot: Screenshots
) -> None:
    url = call_api(stack, install_dashboard)
    page.goto(url)
    for device in (
        "My Model 3",
        "Polestar 2",
        "Zaptec Go",
        "Huawei LUNA2000",
        "Daikin heat pump",
        "Demo household energy system",
    ):
        expect(card(page, device)).to_be_visible()
    expect(page.locator("hui-thermostat-card")).to_be_visible()
    shot(page, "dashboard")
    assert url.endswith(f"/{DASHBOARD_PATH}/0")


def test_start_charging_is_confirmed_after_the_webhook(
    page: Page, stack: StackSettings, shot: Screenshots
) -> None:
    vehicle = demo_asset(stack, "vehicle", "TESLA")
    tesla = card(page, "My Model 3")
    charging_state = entity_row(tesla, "hui-simple-entity-row", "Charging")
    charging_switch = entity_row(tesla, "hui-toggle-entity-row", "Charge").get_by_role("switch")
    expect(charging_state).to_contain_text("Not charging")
    events_before = len(delivered_events(stack))

    expect(charging_switch).not_to_be_checked()
    # From 2026.11 on the switch's thumb covers its input and takes the pointer: click through.
    charging_switch.click(force=True)
    shot(page, "charging-requested")

    # Confirmed only once the vehicle reports it: the emulator's webhook carries the news.
    expect(charging_state).not_to_contain_text("Not charging", timeout=CONFIRM_TIMEOUT)
    expect(charging_state).to_contain_text("Charging")
    expect(charging_switch).to_be_checked()
    shot(page, "charging-confirmed")

    assert [e["status"] for e in requests_to(stack, "POST", f"/vehicles/{vehicle}/charging")] == [
        200
    ]
    wait_for_event(stack, "user:vehicle:updated", after=events_before)


def test_change_battery_operation_mode(page: Page, stack: StackSettings, shot: Screenshots) -> None:
    battery = demo_asset(stack, "battery")
    luna = card(page, "Huawei LUNA2000")
    mode_row = luna.locator("hui-select-entity-row")
    expect(mode_row).to_contain_text("Self reliance")

    events_before = len(delivered_events(stack))
    mode_row.locator("ha-select").click()
    # Listbox options up to 2026.2, menu items from 2026.11 on.
    page.get_by_role("option", name="Time of use").or_(
        page.get_by_role("menuitem", name="Time of use")
    ).first.click()
    shot(page, "battery-mode-requested")

    path = f"/batteries/{battery}/operation-mode"
    assert [entry["status"] for entry in wait_for_requests(stack, "POST", path)] == [200]
    expect(mode_row).to_contain_text("Time of use", timeout=CONFIRM_TIMEOUT)
    wait_for_event(stack, "user:battery:updated", after=events_before)
    # Still the new mode once the battery's own report has replaced the pending overlay.
    expect(mode_row).to_contain_text("Time of use")
    shot(page, "battery-mode-confirmed")


def test_set_hvac_target_temperature(page: Page, stack: StackSettings, shot: Screenshots) -> None:
    hvac = demo_asset(stack, "hvac")
    thermostat = page.locator("hui-thermostat-card")
    target = thermostat.locator("ha-big-number")
    expect(target).to_contain_text("21")

    # The card's minus and plus buttons carry no accessible name; plus is the second.
    events_before = len(delivered_events(stack))
    thermostat.locator(".buttons ha-outlined-icon-button").nth(1).click()
    shot(page, "hvac-target-requested")
    expect(target).to_contain_text("21.5")

    # The card sends the new target after a short pause; then Enode's permanent hold follows.
    path = f"/hvacs/{hvac}/permanent-hold"
    assert [entry["status"] for entry in wait_for_requests(stack, "POST", path)] == [200]
    wait_for_event(stack, "user:hvac:updated", after=events_before)
    daikin = card(page, "Daikin heat pump")
    expect(daikin).to_contain_text("21.5 °C")
    # A permanent hold replaced the schedule.
    expect(daikin).not_to_contain_text("Schedule")
    shot(page, "hvac-target-confirmed")


async def _ready_by_state(api: HomeAssistantApi) -> str:
    state = await api.request("GET", "/api/states/time.my_model_3_ready_by")
    return str(state["state"])


def test_smart_charging_ready_by_plan_and_charge_now(
    page: Page, stack: StackSettings, shot: Screenshots
) -> None:
    vehicle = demo_asset(stack, "vehicle", "TESLA")
    tesla = card(page, "My Model 3")
    policy_path = f"/vehicles/{vehicle}/smart-charging-policy"

    # Ready by: the time row's hour and minute fields; the change is sent when focus leaves.
    ready_by = entity_row(tesla, "hui-time-entity-row", "Ready by")
    ready_by.locator('input[name="hours"]').fill("7")
    minutes = ready_by.locator('input[name="minutes"]')
    minutes.fill("00")
    minutes.press("Tab")
    assert [e["status"] for e in wait_for_requests(stack, "PUT", policy_path)] == [200]
    # Shown once Enode confirmed it (the policy PUT is synchronous).
    assert call_api(stack, _ready_by_state) == "07:00:00"
    shot(page, "smart-ready-by")

    # Smart charging on: Enode plans the cheapest hours and stops the charge Charge started.
    events_before = len(delivered_events(stack))
    smart = entity_row(tesla, "hui-toggle-entity-row", "Smart charging").get_by_role("switch")
    smart.click(force=True)
    expect(smart).to_be_checked()
    wait_for_event(stack, "user:vehicle:smart-charging-status-updated", after=events_before)
    state = entity_row(tesla, "hui-sensor-entity-row", "Smart charging status")
    expect(state).to_contain_text("Waiting for cheaper power", timeout=CONFIRM_TIMEOUT)
    expect(entity_row(tesla, "hui-sensor-entity-row", "Planned start")).to_contain_text("In ")
    charging_state = entity_row(tesla, "hui-simple-entity-row", "Charging")
    expect(charging_state).to_contain_text("Not charging", timeout=CONFIRM_TIMEOUT)
    shot(page, "smart-plan")

    # Charge now: a smart override; the vehicle charges although the plan waits.
    charge_now = entity_row(tesla, "hui-toggle-entity-row", "Charge now").get_by_role("switch")
    charge_now.click(force=True)
    expect(charge_now).to_be_checked()
    expect(charging_state).not_to_contain_text("Not charging", timeout=CONFIRM_TIMEOUT)
    expect(state).to_contain_text("Charging now (override)", timeout=CONFIRM_TIMEOUT)
    expect(charge_now).to_be_checked()
    shot(page, "smart-charge-now")
    override = f"/vehicles/{vehicle}/smart-override"
    assert [e["status"] for e in requests_to(stack, "POST", override)] == [200]


def test_enable_the_demo_charging_schedule(
    page: Page, stack: StackSettings, shot: Screenshots
) -> None:
    """A schedule made through enode.create_schedule shows on the charger; its switch enables it."""
    schedule = call_api(stack, add_demo_schedule)
    page.goto(call_api(stack, install_dashboard))
    zaptec = card(page, "Zaptec Go")
    switch = entity_row(zaptec, "hui-toggle-entity-row", "Schedule 1").get_by_role("switch")
    expect(switch).not_to_be_checked()
    switch.click(force=True)  # the thumb covers the input from 2026.11 on
    expect(switch).to_be_checked(timeout=CONFIRM_TIMEOUT)
    shot(page, "schedule-enabled")
    assert [e["status"] for e in wait_for_requests(stack, "PUT", f"/schedules/{schedule}")] == [200]
    # Disabled again: an enabled schedule makes Enode refuse the charger's own commands.
    switch.click(force=True)
    expect(switch).not_to_be_checked(timeout=CONFIRM_TIMEOUT)


def test_log_has_no_warning_or_error_from_the_integration(stack: StackSettings) -> None:
    """After every step above, Home Assistant logged nothing wrong about Enode (no deprecation)."""
    assert integration_log_problems(stack.config_dir / "home-assistant.log") == []

"""Fixtures of the browser end-to-end test: the emulator and a real Home Assistant as
subprocesses (scripts/devstack.py, shared with scripts/develop) and Debian's headless Chromium."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
import contextlib
import os
from pathlib import Path
import re
import shutil
from typing import Any

import aiohttp
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
import pytest

from scripts.devstack import (
    HA_CHOICES,
    HA_NEWEST,
    ROOT,
    HomeAssistantApi,
    Stack,
    StackSettings,
    confirm_http_config,
    enable_advanced_mode,
    ensure_logged_in,
    free_port,
    ha_version,
)

ARTIFACTS = ROOT / "artifacts" / "e2e"
# Debian's Chromium, never a browser downloaded by a test tool. Flags as these machines need them.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# One record of Home Assistant's log: "2026-12-02 06:30:00.123 WARNING (MainThread) [logger] text"
# on 2026.2; 2026.11 adds the UTC offset to the timestamp ("... 20:32:32.896+00:00 WARNING ...").
LOG_RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+(?:[+-]\d\d:?\d\d|Z)? "
    r"(?P<level>[A-Z]+) \([^)]*\) \[(?P<logger>[^\]]+)\] (?P<message>.*)$"
)
# Home Assistant says this of every custom integration; it is not about our code.
UNTESTED_CUSTOM_INTEGRATION = "which has not been tested by Home Assistant"
# A test's own fault injection (the emulator's 503 text): the websocket API logs the translated
# error the user saw; that the error is raised and shown is what those tests assert.
INJECTED_FAULT = "Injected fault"


def integration_log_problems(log: Path) -> list[str]:
    """Warnings and errors in a Home Assistant log that come from or name the integration.

    Covers our own loggers and Home Assistant's reports about us (deprecations detected by the
    frame helper name "custom integration 'enode'", failed platforms name "enode").
    """
    problems = []
    records = 0
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    for line in lines:
        record = LOG_RECORD.match(line)
        if record is None:
            continue
        records += 1
        if record["level"] not in {"WARNING", "ERROR", "CRITICAL"}:
            continue
        logger, message = record["logger"], record["message"]
        ours = logger.startswith("custom_components.enode")
        names_us = re.search(r"\benode\b", message, re.IGNORECASE) is not None
        expected = UNTESTED_CUSTOM_INTEGRATION in message or (
            logger.startswith("homeassistant.components.websocket_api")
            and INJECTED_FAULT in message
        )
        if (ours or names_us) and not expected:
            problems.append(line)
    if lines and not records:
        # A log none of whose lines parse means the format changed: a check that sees nothing
        # must not pass.
        problems.append(f"no line of {log.name} is a log record in a known format: {lines[0]!r}")
    return problems


def selected_ha() -> str:
    """Which Home Assistant the e2e tests run: ENODE_E2E_HA, by default the newest release.

    "newest" runs inside the Python 3.14 root of scripts/setup (scripts/newest); "2026.2" is the
    pinned release in .venv.
    """
    ha = os.environ.get("ENODE_E2E_HA", HA_NEWEST)
    assert ha in HA_CHOICES, f"ENODE_E2E_HA must be one of {HA_CHOICES}, not {ha!r}"
    return ha


def pytest_report_header() -> str:
    """Name the Home Assistant release under test in pytest's header."""
    settings = StackSettings(ha=selected_ha())
    return f"Home Assistant ({settings.ha}): {ha_version(settings)}"


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackSettings]:
    """Emulator + Home Assistant on free loopback ports, onboarded, Enode not yet added."""
    settings = StackSettings(
        config_dir=tmp_path_factory.mktemp("ha-config"),
        ha_port=free_port(),
        emulator_port=free_port(),
        skip_pip=True,
        ha=selected_ha(),
    )
    with Stack(settings):
        run_async(prepare_owner(settings))
        yield settings
    for log in ("home-assistant.log", "emulator.log"):
        # Kept next to the screenshots: the first place to look when a step failed.
        if (settings.config_dir / log).exists():
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(settings.config_dir / log, ARTIFACTS / log)


async def prepare_owner(settings: StackSettings) -> None:
    """Log in (onboarding first), confirm the HTTP settings, turn on advanced mode."""
    async with aiohttp.ClientSession() as session:
        api = HomeAssistantApi(session, settings.ha_url)
        await ensure_logged_in(api)
        # Home Assistant 2026.11+ would otherwise ask in the browser to confirm the HTTP port.
        await confirm_http_config(api)
        # Custom Enode URLs (the emulator) are an advanced option of the config flow.
        await enable_advanced_mode(api)


def call_api(settings: StackSettings, action: Any) -> Any:
    """Run `action(api)` with a logged-in Home Assistant API session."""

    async def run() -> Any:
        async with aiohttp.ClientSession() as session:
            api = HomeAssistantApi(session, settings.ha_url)
            await ensure_logged_in(api)
            return await action(api)

    return run_async(run())


def emulator_get(settings: StackSettings, path: str) -> Any:
    """GET a JSON document from the emulator's admin API."""

    async def run() -> Any:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{settings.emulator_url}{path}") as answer,
        ):
            answer.raise_for_status()
            return await answer.json()

    return run_async(run())


def run_async[T](coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on a thread of its own.

    Playwright's sync API keeps an event loop running on the test's thread, so asyncio.run
    cannot be used there.
    """
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """The Playwright driver (it only drives; the browser is Debian's)."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Headless Debian Chromium."""
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    assert Path(executable).exists(), "install Debian's chromium (scripts/setup does)"
    browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def page(browser: Browser) -> Iterator[Page]:
    """One browser tab shared by the steps of the journey, in order."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


class Screenshots:
    """Numbered screenshots of each step in artifacts/e2e (git-ignored)."""

    def __init__(self) -> None:
        self.count = 0
        if ARTIFACTS.exists():
            for old in [*ARTIFACTS.glob("*.png"), *ARTIFACTS.glob("failed-*")]:
                old.unlink(missing_ok=True)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def __call__(self, page: Page, name: str) -> Path:
        self.count += 1
        path = ARTIFACTS / f"{self.count:02d}-{name}.png"
        page.screenshot(path=path, full_page=True)
        return path


@pytest.fixture(scope="session")
def shot() -> Screenshots:
    """Take a numbered screenshot."""
    return Screenshots()


@pytest.fixture(scope="session", autouse=True)
def _without_home_assistant_test_plugin(request: pytest.FixtureRequest) -> None:
    """The test plugin blocks sockets and patches Home Assistant; this test needs neither."""
    if request.config.pluginmanager.has_plugin("homeassistant"):
        pytest.fail("run the browser test as `python -m pytest -p no:homeassistant tests/e2e`")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On a failed step, a screenshot of the page as it was (artifacts/e2e/failed-<test>.png)."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    page = getattr(item, "funcargs", {}).get("page")
    if report.when == "call" and report.failed and page is not None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(Exception):
            page.screenshot(path=ARTIFACTS / f"failed-{item.name}.png", full_page=True)
        with contextlib.suppress(Exception):
            # The accessibility tree: what role and label locators can see.
            (ARTIFACTS / f"failed-{item.name}.aria.yaml").write_text(
                page.locator("body").aria_snapshot()
            )

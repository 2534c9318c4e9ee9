"""The end-to-end log check sees problems in the log formats of both supported releases.

A check that parses nothing passes whatever the log says, so these feed it real lines.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import integration_log_problems

# Real records as Home Assistant 2026.11 and 2026.2 write them (the frame helper's report of a
# deprecated call by a custom integration, and a record of our own logger).
DEPRECATION_2026_11 = (
    "2026-12-07 20:32:32.896+00:00 WARNING (MainThread) [homeassistant.helpers.frame] Detected "
    "that custom integration 'enode' calls `device_registry.async_get_device`, which is "
    "deprecated because device identifiers and connections are no longer unique across config "
    "entries; use `async_get_device_by_identifier`, `async_get_device_by_connection` or "
    "`async_get_devices` instead at custom_components/enode/pairing.py, line 95: device = "
    "dr.async_get(self.hass).async_get_device(identifiers={(DOMAIN, asset.id)}). This will stop "
    "working in Home Assistant 2027.8.0, please create a bug report at "
    "https://github.com/enode-ha/ha-enode/issues"
)
OWN_ERROR_2026_2 = (
    "2026-12-07 20:32:33.101 ERROR (MainThread) [custom_components.enode.coordinator] "
    "Error fetching enode data: boom"
)
UNTESTED_NOTICE = (
    "2026-12-07 20:32:30.001+00:00 WARNING (SyncWorker_0) [homeassistant.loader] We found a "
    "custom integration enode which has not been tested by Home Assistant. This component "
    "might cause stability problems, be sure to disable it if you experience issues with Home "
    "Assistant"
)
INJECTED_BY_A_TEST = (
    "2026-12-07 21:39:19.265+00:00 ERROR (MainThread) "
    "[homeassistant.components.websocket_api.http.connection] [140054995713888] Error during "
    "service call to switch.turn_on: Enode had a problem: Service Unavailable: Injected fault "
    "(HTTP 503)"
)
OTHER_WARNING = (
    "2026-12-07 20:32:31.000+00:00 WARNING (MainThread) [homeassistant.components.http] "
    "Configured trusted proxies"
)
INFO_ABOUT_US = (
    "2026-12-07 20:32:31.500+00:00 INFO (MainThread) [custom_components.enode] Set up enode"
)


def _log(tmp_path: Path, *lines: str) -> Path:
    log = tmp_path / "home-assistant.log"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return log


@pytest.mark.parametrize("problem", [DEPRECATION_2026_11, OWN_ERROR_2026_2])
def test_a_warning_about_the_integration_fails_the_check(tmp_path: Path, problem: str) -> None:
    log = _log(tmp_path, UNTESTED_NOTICE, OTHER_WARNING, problem, INFO_ABOUT_US)
    assert integration_log_problems(log) == [problem]


def test_a_clean_log_of_either_format_passes(tmp_path: Path) -> None:
    log = _log(
        tmp_path,
        UNTESTED_NOTICE,
        OTHER_WARNING,
        INFO_ABOUT_US,
        INJECTED_BY_A_TEST,
        "Traceback line, no record",
    )
    assert integration_log_problems(log) == []


def test_a_log_in_an_unknown_format_is_a_problem(tmp_path: Path) -> None:
    log = _log(tmp_path, "20:32:32 [custom_components.enode] WARNING something changed")
    [problem] = integration_log_problems(log)
    assert "no line of home-assistant.log is a log record in a known format" in problem

"""Home Assistant's language: Enode Link opens in it, and the integration speaks it.

The mapping from Home Assistant's language tag to Enode's codes is tested over arbitrary tags;
each flow that opens Enode Link (config, options, the relink repair) is run against the emulator,
which validates `language` as Enode does and declares the language it shows the Link page in.
"""

from __future__ import annotations

import re
import string
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient
from homeassistant.components import persistent_notification
from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.translation import async_get_translations
from homeassistant.setup import async_setup_component
from hypothesis import given, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.enode.api.languages import (
    LINK_BROWSER,
    LINK_LANGUAGES,
    TEXT_LANGUAGES,
    link_language,
    text_language,
)
from custom_components.enode.const import DOMAIN
from enode_emulator import Emulator
from enode_emulator.links import LANGUAGES as EMULATOR_LANGUAGES

from .conftest import CHARGER, DEMO_USER, browse_link
from .test_config_flow import open_link, start_flow

# Home Assistant's language -> what Enode Link is asked for.
EXAMPLES = {
    "nb": "nb-NO",
    "nb-NO": "nb-NO",
    "no": "nb-NO",
    "nn": "nb-NO",
    "nn-NO": "nb-NO",
    "sv": "sv-SE",
    "sv-FI": "sv-SE",
    "da": "da-DK",
    "fi": "fi-FI",
    "de": "de-DE",
    "de-CH": "de-DE",
    "de-AT": "de-DE",
    "nl": "nl-NL",
    "nl-BE": "nl-BE",
    "nl_be": "nl-BE",
    "fr": "fr-FR",
    "fr-CA": "fr-FR",
    "en": "en-US",
    "en-GB": "en-GB",
    "EN-gb": "en-GB",
    "en-AU": "en-US",
    "es-419": "es-ES",
    "pt-BR": "pt-PT",
    "it": "it-IT",
    "ro": "ro-RO",
    "lt": "lt-LT",
    "lv": "lv-LV",
    "nb-Latn-NO": "nb-NO",
    "zh-Hans": LINK_BROWSER,
    "pl": "pl-PL",  # 2024-10-01 added lt-LT, lv-LV, ja-JP and pl-PL
    "ko": LINK_BROWSER,
    "": LINK_BROWSER,
    "-": LINK_BROWSER,
}
KNOWN = [
    *("da", "de", "en", "es", "fi", "fr", "it", "ja", "lt", "lv", "nb", "nl", "nn", "no", "pl"),
    *("pt", "ro"),
]
NORWEGIAN = {"nb", "nn", "no"}


@pytest.mark.parametrize(("tag", "expected"), EXAMPLES.items())
def test_link_language_examples(tag: str, expected: str) -> None:
    """Home Assistant's languages map to Enode's list; what Enode lacks opens in the browser's."""
    assert link_language(tag) == expected


def test_link_language_without_a_language() -> None:
    """No language at all (never set) is the browser's."""
    assert link_language(None) == LINK_BROWSER
    assert text_language(None) is None


def test_enode_codes_map_to_themselves() -> None:
    """Every Enode code is its own best match; the emulator accepts exactly Enode's list."""
    for code in LINK_LANGUAGES:
        assert link_language(code) == code
        assert link_language(code.lower().replace("-", "_")) == code
    assert LINK_LANGUAGES | {LINK_BROWSER} == EMULATOR_LANGUAGES


def test_text_language_omits_what_enode_does_not_translate() -> None:
    """Interventions know fewer languages: those fall back (None: leave the parameter out)."""
    assert text_language("nb") == "nb-NO"
    assert text_language("en-GB") == "en-GB"
    assert text_language("it") is None  # Enode Link has it-IT, interventions do not
    assert text_language("lv") == "lv-LV"  # 2024-10-01 translates interventions into Latvian
    assert text_language("ko") is None
    assert text_language("zh-Hant") is None


@given(st.text(max_size=20))
def test_any_tag_maps_to_a_code_enode_accepts(tag: str) -> None:
    """Whatever Home Assistant holds, Enode gets a value from its list (never a 400)."""
    assert link_language(tag) in LINK_LANGUAGES | {LINK_BROWSER}
    assert text_language(tag) in TEXT_LANGUAGES | {None}


@given(
    language=st.sampled_from(KNOWN),
    script=st.none() | st.sampled_from(["Latn", "latn", "Cyrl"]),
    region=st.none() | st.text(alphabet=string.ascii_letters, min_size=2, max_size=2),
    separator=st.sampled_from(["-", "_"]),
    upper=st.booleans(),
)
def test_language_and_region_are_kept(
    language: str, script: str | None, region: str | None, separator: str, upper: bool
) -> None:
    """A known language keeps its language; its region too when Enode has that pair."""
    tag = separator.join(part for part in (language, script, region) if part)
    code = link_language(tag.upper() if upper else tag)
    expected_language = "nb" if language in NORWEGIAN else language
    assert code.split("-")[0] == expected_language
    if region is not None and f"{expected_language}-{region.upper()}" in LINK_LANGUAGES:
        assert code == f"{expected_language}-{region.upper()}"
    text = text_language(tag)
    assert text is None or text == code


def _page_language(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', html)
    assert match is not None, html
    return match.group(1)


async def _open_page(url: str, accept_language: str | None = None) -> str:
    """The Link page as a browser sees it."""
    headers = {"Accept-Language": accept_language} if accept_language else {}
    async with aiohttp.ClientSession() as browser, browser.get(url, headers=headers) as page:
        assert page.status == 200
        return await page.text()


def _last_session_language(emulator: Emulator) -> str:
    sessions = list(emulator.core.links.sessions.values())
    return sessions[-1].language


async def test_config_flow_opens_link_in_home_assistants_language(
    hass: HomeAssistant, emulator: Emulator, ha_client: TestClient
) -> None:
    """Norwegian Home Assistant: Enode Link is asked for nb-NO and shows Norwegian."""
    hass.config.language = "nb"
    result = await start_flow(hass, emulator)
    result = await open_link(hass, result["flow_id"])
    assert _last_session_language(emulator) == "nb-NO"
    page = await _open_page(result["url"], accept_language="en-US")
    assert _page_language(page) == "nb-NO"  # the session's language wins over the browser's
    assert "Koble til enhetene dine" in page
    assert (await browse_link(result["url"], ha_client)).status == 200


async def test_unsupported_language_lets_the_browser_choose(
    hass: HomeAssistant, emulator: Emulator, ha_client: TestClient
) -> None:
    """A language Enode lacks asks for `browser`: the browser's Accept-Language decides."""
    hass.config.language = "zh-Hant"
    result = await start_flow(hass, emulator)
    result = await open_link(hass, result["flow_id"])
    assert _last_session_language(emulator) == LINK_BROWSER
    page = await _open_page(result["url"], accept_language="zh-TW, sv;q=0.8, en;q=0.5")
    assert _page_language(page) == "sv-SE"
    assert "Anslut dina enheter" in page
    page = await _open_page(result["url"])
    assert _page_language(page) == "en-US"  # Enode's fallback


async def test_options_flow_opens_link_in_home_assistants_language(
    hass: HomeAssistant, emulator: Emulator, setup_integration: MockConfigEntry
) -> None:
    """Link more devices: a Swiss German Home Assistant asks for de-DE."""
    hass.config.language = "de-CH"
    result = await hass.config_entries.options.async_init(setup_integration.entry_id)
    result = await open_link(hass, result["flow_id"], hass.config_entries.options)
    assert _last_session_language(emulator) == "de-DE"
    page = await _open_page(result["url"])
    assert _page_language(page) == "de-DE"
    assert "Geräte verbinden" in page
    await hass.config_entries.options.async_configure(result["flow_id"], {"linked": False})


async def test_relink_repair_opens_link_in_home_assistants_language(
    hass: HomeAssistant,
    emulator: Emulator,
    ha_client: TestClient,
    setup_integration: MockConfigEntry,
) -> None:
    """The relink repair of a lost vendor: a Finnish Home Assistant asks for fi-FI."""
    hass.config.language = "fi"
    emulator.invalidate_credentials(DEMO_USER, "HUAWEI")
    await emulator.advance(1)
    await hass.async_block_till_done()
    issue_id = f"credentials_invalidated_{setup_integration.entry_id}_HUAWEI"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    assert await async_setup_component(hass, "repairs", {})
    manager = repairs_flow_manager(hass)
    assert manager is not None
    result = await manager.async_init(DOMAIN, data={"issue_id": issue_id})
    result = await manager.async_configure(result["flow_id"], {})
    assert result["type"] == "external"
    session = list(emulator.core.links.sessions.values())[-1]
    assert (session.language, session.vendor) == ("fi-FI", "HUAWEI")
    page = await _open_page(result["url"])
    assert _page_language(page) == "fi-FI"
    assert "Yhdistä laitteesi" in page
    assert (await browse_link(result["url"], ha_client)).status == 200


async def _texts(hass: HomeAssistant, language: str, category: str) -> dict[str, Any]:
    return await async_get_translations(hass, language, category, [DOMAIN])


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("nb", "Koble til Enode-API-et"),
        ("sv", "Anslut till Enode-API:t"),
        ("da", "Forbind til Enode-API'et"),
        ("fi", "Yhdistä Enode-rajapintaan"),
        ("de", "Mit der Enode-API verbinden"),
        ("nl", "Verbinden met de Enode-API"),
        ("fr", "Se connecter à l'API Enode"),
    ],
)
async def test_home_assistant_loads_each_language(
    hass: HomeAssistant, language: str, title: str
) -> None:
    """Home Assistant's translation loader finds every file: the config flow's first title."""
    texts = await _texts(hass, language, "config")
    assert texts[f"component.{DOMAIN}.config.step.user.title"] == title


async def test_norwegian_entity_names_and_states(
    hass: HomeAssistant, ha_client: TestClient, config_entry: MockConfigEntry
) -> None:
    """With Home Assistant in Norwegian the entities carry Norwegian names."""
    hass.config.language = "nb"
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    names = {state.attributes.get("friendly_name") for state in hass.states.async_all()}
    for name in ("Zaptec Go Lad", "Zaptec Go Lader", "Zaptec Go Koblet til", "My Model 3 Batteri"):
        assert name in names, sorted(str(n) for n in names)
    assert not {"Zaptec Go Charge", "Zaptec Go Plugged in"} & names


async def test_norwegian_command_error_and_notification(
    hass: HomeAssistant, emulator: Emulator, setup_integration: MockConfigEntry
) -> None:
    """A refused command's error reads in Norwegian; a later failure notifies in Norwegian."""
    hass.config.language = "nb"
    assert await async_setup_component(hass, "persistent_notification", {})
    emulator.add_fault(path=f"/chargers/{CHARGER}/charging", status=503, count=1)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            SWITCH_DOMAIN,
            SERVICE_TURN_ON,
            {ATTR_ENTITY_ID: "switch.zaptec_go_charge"},
            blocking=True,
        )
    # The frontend shows the error from its key and placeholders in the user's language.
    exceptions = await _texts(hass, "nb", "exceptions")
    template = exceptions[f"component.{DOMAIN}.exceptions.{err.value.translation_key}.message"]
    message = template.format(**(err.value.translation_placeholders or {}))
    assert message.startswith("Enode hadde et problem: ")

    emulator.set_action_outcome(CHARGER, "fail")
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: "switch.zaptec_go_charge"}, blocking=True
    )
    await emulator.advance(25)
    await hass.async_block_till_done()
    shown = [
        notification
        for notification_id, notification in (
            persistent_notification._async_get_or_create_notifications(hass).items()
        )
        if notification_id.startswith("enode_action_")
    ]
    assert [(n["title"], n["message"]) for n in shown] == [
        # Enode's own reason stays in Enode's words.
        (
            "Enode-kommando mislyktes",
            "Zaptec Go: Start lading lyktes ikke. The device did not respond in time.",
        )
    ]


@pytest.mark.parametrize("language", ["nb", "sv", "da", "fi", "de", "nl", "fr"])
async def test_every_exception_formats_in_every_language(
    hass: HomeAssistant, language: str
) -> None:
    """Each exception text fills with English's placeholders in every language (no KeyError)."""
    english = await _texts(hass, "en", "exceptions")
    translated = await _texts(hass, language, "exceptions")
    assert english.keys() == translated.keys()
    for key, text in english.items():
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        values = {name: f"<{name}>" for name in names}
        assert translated[key].format(**values) != text.format(**values)

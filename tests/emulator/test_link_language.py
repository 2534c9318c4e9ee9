"""The Link page's language: the session's, or the browser's for `browser`; recorded for tests."""

from __future__ import annotations

import re

from hypothesis import given, strategies as st
import pytest

from enode_emulator.link_texts import FALLBACK, page_language, texts
from enode_emulator.links import LANGUAGES

from .conftest import METER, Api

REDIRECT = "https://app.example/done"


async def _open(api: Api, url: str, accept_language: str | None = None) -> str:
    headers = {"Accept-Language": accept_language} if accept_language else {}
    async with api.session.get(url, headers=headers) as response:
        assert response.status == 200
        return await response.text()


def _lang(page: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', page)
    assert match is not None
    return match.group(1)


async def _link(api: Api, user: str, language: str) -> str:
    session = await api.post(
        f"/users/{user}/link",
        {"scopes": ["vehicle:read:data"], "language": language, "redirectUri": REDIRECT},
    )
    return str(session["linkUrl"])


async def test_session_language_is_shown_and_recorded(api: Api) -> None:
    """nb-NO: the page is Norwegian whatever the browser prefers; the admin API records both."""
    url = await _link(api, "nordic", "nb-NO")
    page = await _open(api, url, accept_language="de-DE,de;q=0.9")
    assert _lang(page) == "nb-NO"
    assert "Koble til enhetene dine" in page
    assert ">Koble til</button>" in page
    assert ">Avbryt</button>" in page
    sessions = await api.get("/_emulator/link-sessions")
    assert [(s["userId"], s["language"], s["shownLanguage"], s["used"]) for s in sessions] == [
        ("nordic", "nb-NO", "nb-NO", False)
    ]


async def test_browser_language_follows_accept_language(api: Api) -> None:
    """`browser`: the best supported language of Accept-Language, else en-US (as Enode does)."""
    url = await _link(api, "anyone", "browser")
    assert _lang(await _open(api, url, "nl")) == "nl-NL"
    assert _lang(await _open(api, url, "zh-TW, fr-CA;q=0.8, en;q=0.5")) == "fr-FR"
    assert _lang(await _open(api, url)) == FALLBACK
    sessions = await api.get("/_emulator/link-sessions")
    assert (sessions[-1]["language"], sessions[-1]["shownLanguage"]) == ("browser", FALLBACK)


async def test_relink_page_in_the_session_language(api: Api) -> None:
    """A relink session shows its own title in its language; a fixed vendor is labelled too."""
    session = await api.post(
        f"/assets/{METER}/relink", {"language": "sv-SE", "redirectUri": REDIRECT}
    )
    page = await _open(api, session["linkUrl"])
    assert _lang(page) == "sv-SE"
    assert "Anslut din enhet igen" in page
    assert "Leverantör: " in page
    sessions = await api.get("/_emulator/link-sessions")
    assert sessions[-1]["relinkAssetId"] == METER


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("nb-NO,nb;q=0.9", "nb-NO"),
        ("no", "nb-NO"),
        ("nn-NO", "nb-NO"),
        ("en", "en-US"),
        ("en-GB", "en-GB"),
        ("EN-gb", "en-GB"),
        ("de-CH, de;q=0.7", "de-DE"),
        ("fr;q=0, it;q=0.5", "it-IT"),
        ("sv;q=oops, da;q=0.4", "da-DK"),
        ("zh-CN, ja", "ja-JP"),  # ja-JP is in 2024-10-01's list
        ("zh-CN, ko", FALLBACK),
        ("*", FALLBACK),
        ("", FALLBACK),
    ],
)
def test_accept_language_examples(header: str, expected: str) -> None:
    """Quality order, bare languages, q=0 and unparsable qualities."""
    assert page_language("browser", header, LANGUAGES) == expected


@given(st.text(max_size=60))
def test_any_accept_language_gives_a_supported_language(header: str) -> None:
    """Whatever the browser sends, the page is in a supported language, never "browser"."""
    shown = page_language("browser", header, LANGUAGES)
    assert shown in LANGUAGES
    assert shown != "browser"


def test_untranslated_languages_show_english_texts() -> None:
    """Languages the emulator does not translate keep English texts (their lang is still set)."""
    assert texts("it-IT")["confirm"] == "Connect"
    assert texts("fi-FI")["confirm"] == "Yhdistä"
    assert page_language("it-IT", "nb", LANGUAGES) == "it-IT"

"""Which Enode language to ask for, from a BCP 47 tag such as Home Assistant's language.

Enode takes a short fixed list of language codes (API.md 7.1): Enode Link accepts them or
`browser` (the browser's Accept-Language, else en-US); texts Enode writes itself, such as
interventions, accept the same list without `browser` and `it-IT`, and fall back to en-US when the
parameter is left out. Home Assistant's language is a BCP 47 tag such as
"nb", "en-GB", "pt-BR" or "zh-Hant". The mapping is pure, the one used for Enode Link and for
Enode's texts (``interventions.intervention_language``), and can be tested over arbitrary tags.
"""

from __future__ import annotations

import re
from typing import Final

LINK_BROWSER: Final = "browser"
# Enode Link's `language` values besides "browser" (2024-10-01 `LinkUserPayload.language`).
LINK_LANGUAGES: Final = frozenset(
    {
        "da-DK", "de-DE", "en-US", "en-GB", "es-ES", "fi-FI", "fr-FR", "it-IT", "ja-JP", "lt-LT",
        "lv-LV", "nb-NO", "nl-NL", "nl-BE", "pl-PL", "pt-PT", "ro-RO", "sv-SE",
    }
)  # fmt: skip
# The `language` values of GET /interventions (2024-10-01 `ListInterventionsRequest`): Link's
# list without it-IT; others fall back (leave the parameter out, Enode answers in en-US).
TEXT_LANGUAGES: Final = LINK_LANGUAGES - {"it-IT"}

# A language without a region goes to the country Enode names for it. Norwegian: "no" is the
# macrolanguage and Nynorsk readers read Bokmål, so all three go to Bokmål rather than the browser.
_DEFAULT_REGION: Final = {
    "da": "da-DK",
    "de": "de-DE",
    "en": "en-US",
    "es": "es-ES",
    "fi": "fi-FI",
    "fr": "fr-FR",
    "it": "it-IT",
    "ja": "ja-JP",
    "lt": "lt-LT",
    "lv": "lv-LV",
    "nb": "nb-NO",
    "nn": "nb-NO",
    "no": "nb-NO",
    "nl": "nl-NL",
    "pl": "pl-PL",
    "pt": "pt-PT",
    "ro": "ro-RO",
    "sv": "sv-SE",
}
_REGION: Final = re.compile(r"^(?:[a-z]{2}|\d{3})$")


def _candidates(tag: str | None) -> list[str]:
    """Enode codes for a tag, best first: language with its region, then its default region."""
    subtags = (tag or "").strip().replace("_", "-").lower().split("-")
    language = subtags[0]
    if language not in _DEFAULT_REGION:
        return []
    # The region is the first two-letter or three-digit subtag after the language (a script
    # such as "Latn" may come between, as in nb-Latn-NO).
    region = next((sub for sub in subtags[1:] if _REGION.match(sub)), None)
    candidates = []
    if region is not None and region.isalpha():
        candidates.append(f"{language}-{region.upper()}")
    candidates.append(_DEFAULT_REGION[language])
    return candidates


def link_language(tag: str | None) -> str:
    """Enode Link's `language` for Home Assistant's language; `browser` when Enode lacks it."""
    return next((code for code in _candidates(tag) if code in LINK_LANGUAGES), LINK_BROWSER)


def text_language(tag: str | None) -> str | None:
    """The `language` for texts Enode writes (interventions); None means leave it out (en-US)."""
    return next((code for code in _candidates(tag) if code in TEXT_LANGUAGES), None)

"""Languages with a script subtag between language and region (issue 25).

The property test in tests/integration/test_language.py draws random regions and almost never
one Enode supports; these tags carry a script and a region Enode has, so the region must be
found past the script, for Enode Link and for the texts Enode writes alike.
"""

from __future__ import annotations

import pytest

from aioenode.languages import link_language, text_language


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("en-Latn-GB", "en-GB"), ("nl-Latn-BE", "nl-BE"), ("en_latn_gb", "en-GB")],
)
def test_region_after_a_script_is_kept(tag: str, expected: str) -> None:
    """The region after the script subtag wins over the language's default region."""
    assert link_language(tag) == expected
    assert text_language(tag) == expected

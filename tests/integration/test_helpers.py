"""The one error-mapping helper: every Enode error becomes a translated error."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.enode.api import (
    EnodeAuthenticationError,
    EnodeBadRequestError,
    EnodeConflictError,
    EnodeConnectionError,
    EnodeControlledEntityError,
    EnodeError,
    EnodeForbiddenError,
    EnodeInvalidResponseError,
    EnodeNotFoundError,
    EnodeRateLimitError,
    EnodeServerError,
    EnodeTimeoutError,
)
from custom_components.enode.const import DOMAIN
from custom_components.enode.helpers import async_call_enode, enode_error_to_ha


@pytest.mark.parametrize(
    ("error", "key", "placeholders"),
    [
        (EnodeControlledEntityError(status=422), "controlled_entity", {}),
        (
            EnodeBadRequestError(
                status=400, title="Action Rejected", detail="The vehicle is already charging."
            ),
            "bad_request",
            {"detail": "The vehicle is already charging."},
        ),
        (EnodeAuthenticationError(status=401), "authentication_failed", {}),
        (EnodeForbiddenError(status=403), "forbidden", {}),
        (EnodeNotFoundError(status=404), "not_found", {}),
        (EnodeConflictError(status=409), "conflict", {}),
        (EnodeRateLimitError(status=429, retry_after=30.4), "rate_limited", {"retry_after": "30"}),
        (EnodeRateLimitError(status=429), "rate_limited", {"retry_after": "?"}),
        (EnodeConnectionError("refused"), "cannot_connect", {}),
        (EnodeTimeoutError("slow"), "cannot_connect", {}),
        (EnodeServerError(status=503), "server_error", {}),
        (EnodeInvalidResponseError("not json"), "unknown_error", {}),
    ],
)
def test_error_mapping(error: EnodeError, key: str, placeholders: dict[str, str]) -> None:
    """Each error class has its own translated message."""
    mapped = enode_error_to_ha(error)
    assert mapped.translation_domain == DOMAIN
    assert mapped.translation_key == key
    assert mapped.translation_placeholders is not None
    assert mapped.translation_placeholders.items() >= placeholders.items()


async def test_auth_error_starts_reauth(hass: HomeAssistant) -> None:
    """A command failing on credentials raises a translated error and starts reauth."""
    entry = MockConfigEntry(domain=DOMAIN, data={"client_id": "client"})
    entry.add_to_hass(hass)

    async def refused() -> None:
        raise EnodeAuthenticationError(status=401)

    with pytest.raises(HomeAssistantError) as err:
        await async_call_enode(hass, entry, refused())
    assert err.value.translation_key == "authentication_failed"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == ["reauth"]


async def test_success_passes_through(hass: HomeAssistant) -> None:
    """A successful request returns its value."""
    entry = MockConfigEntry(domain=DOMAIN, data={})

    async def fine() -> int:
        return 7

    assert await async_call_enode(hass, entry, fine()) == 7

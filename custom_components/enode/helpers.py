"""The one place that turns Enode client errors into translated Home Assistant errors."""

from __future__ import annotations

from collections.abc import Awaitable
import math
from typing import TYPE_CHECKING

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .api import (
    EnodeAuthenticationError,
    EnodeBadRequestError,
    EnodeConflictError,
    EnodeConnectionError,
    EnodeControlledEntityError,
    EnodeError,
    EnodeForbiddenError,
    EnodeNotFoundError,
    EnodeRateLimitError,
    EnodeServerError,
)
from .const import DOMAIN

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .models import EnodeConfigEntry


def format_number(value: float) -> str:
    """A number as a person writes it in a message: 6, 32, 22.1, 0.5 (never 32.0)."""
    return f"{value:g}"


def validate_setting(
    value: float, minimum: float, maximum: float, step: float, *, kind: str = "value"
) -> None:
    """Refuse a value outside its range or not a multiple of its step.

    Raises a translated ServiceValidationError before anything reaches Enode: the keys are
    ``<kind>_out_of_range`` and ``<kind>_not_on_step`` with the placeholders value, min, max
    and step, each formatted by ``format_number``.
    """
    placeholders = {
        "value": format_number(value),
        "min": format_number(minimum),
        "max": format_number(maximum),
        "step": format_number(step),
    }
    if not minimum <= value <= maximum:
        key = f"{kind}_out_of_range"
    elif not math.isclose(steps := value / step, round(steps), rel_tol=0.0, abs_tol=1e-6):
        key = f"{kind}_not_on_step"
    else:
        return
    raise ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def retry_after_text(err: EnodeRateLimitError) -> str:
    """Retry-After in whole seconds for messages ("?" when Enode sent none)."""
    return str(round(err.retry_after)) if err.retry_after is not None else "?"


def enode_error_to_ha(err: EnodeError, *, not_found: str = "not_found") -> HomeAssistantError:
    """Map an Enode error to a translated HomeAssistantError.

    ``not_found`` is the translation key of a 404 (what was not found depends on the call).
    """
    placeholders: dict[str, str] = {"error": str(err)}
    match err:
        case EnodeControlledEntityError():
            key = "controlled_entity"
        case EnodeBadRequestError():
            key = "bad_request"
            placeholders["detail"] = err.detail or err.title or str(err)
        case EnodeAuthenticationError():
            key = "authentication_failed"
        case EnodeForbiddenError():
            key = "forbidden"
        case EnodeNotFoundError():
            key = not_found
        case EnodeConflictError():
            key = "conflict"
        case EnodeRateLimitError():
            key = "rate_limited"
            placeholders["retry_after"] = retry_after_text(err)
        case EnodeConnectionError():
            key = "cannot_connect"
        case EnodeServerError():
            key = "server_error"
        case _:
            key = "unknown_error"
    return HomeAssistantError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


async def async_call_enode[T](
    hass: HomeAssistant,
    entry: EnodeConfigEntry,
    request: Awaitable[T],
    *,
    not_found: str = "not_found",
) -> T:
    """Await an Enode request; failures become translated errors, bad credentials start reauth."""
    try:
        return await request
    except EnodeError as err:
        if isinstance(err, EnodeAuthenticationError):
            entry.async_start_reauth(hass)
        raise enode_error_to_ha(err, not_found=not_found) from err

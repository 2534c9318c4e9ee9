"""The one place that builds an Enode API client from an entry's (or a flow's) connection data."""

from __future__ import annotations

from typing import Any

from homeassistant.const import CONF_CLIENT_ID, CONF_CLIENT_SECRET
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from yarl import URL

from .api import (
    EnodeAuthenticationError,
    EnodeClient,
    EnodeConnectionError,
    EnodeError,
    EnodeRateLimitError,
    EnodeServerError,
    Environment,
)
from .const import CONF_API_URL, CONF_ENVIRONMENT, CONF_TOKEN_URL, LOGGER

# Form errors, the placeholders their texts use ({host}), and the client when the check passed.
type CheckResult = tuple[dict[str, str], dict[str, str], EnodeClient | None]


def create_client(hass: HomeAssistant, data: dict[str, Any]) -> EnodeClient:
    """Build the API client for the connection data of an entry (or of a flow)."""
    environment = Environment(data[CONF_ENVIRONMENT])
    return EnodeClient(
        async_get_clientsession(hass),
        data[CONF_CLIENT_ID],
        data[CONF_CLIENT_SECRET],
        environment=environment,
        api_url=data.get(CONF_API_URL) if environment is Environment.CUSTOM else None,
        token_url=data.get(CONF_TOKEN_URL) if environment is Environment.CUSTOM else None,
    )


async def async_check_credentials(hass: HomeAssistant, data: dict[str, Any]) -> CheckResult:
    """Test-before-configure: obtain a token with the credentials.

    Returns the form errors (`invalid_auth`, `cannot_connect`, `server_error`,
    `not_token_endpoint`, `unknown`), the placeholders their texts use ({host}: the token
    endpoint's host) and, when the credentials work, the client holding the token it obtained.
    """
    client = create_client(hass, data)
    placeholders = {"host": URL(client.token_url).host or client.token_url}
    try:
        await client.async_get_token()
    except EnodeAuthenticationError:
        error = "invalid_auth"
    except EnodeConnectionError as err:
        LOGGER.debug("Could not reach the Enode token endpoint: %s", err)
        error = "cannot_connect"
    except (EnodeServerError, EnodeRateLimitError) as err:
        LOGGER.debug("The Enode token endpoint is unavailable: %s", err)
        error = "server_error"
    except EnodeError as err:
        # It answered, but not as an OAuth token endpoint does (404, HTML, no access token).
        LOGGER.debug("Not an Enode token endpoint: %s", err)
        error = "not_token_endpoint"
    except Exception:  # noqa: BLE001 - test-before-configure reports anything as unknown
        LOGGER.exception("Unexpected error while checking Enode credentials")
        error = "unknown"
    else:
        return {}, placeholders, client
    return {"base": error}, placeholders, None

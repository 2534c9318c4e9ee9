"""The one place that builds an Enode API client from an entry's (or a flow's) connection data."""

from __future__ import annotations

from typing import Any

from homeassistant.const import CONF_CLIENT_ID, CONF_CLIENT_SECRET
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .api import EnodeClient, Environment
from .const import CONF_API_URL, CONF_ENVIRONMENT, CONF_TOKEN_URL


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

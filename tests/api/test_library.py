"""The client as a library: its own session when none is given, loggers, plain pytest."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from aioenode import EnodeClient, EnodeConnectionError
from tests.api.conftest import CLIENT_ID, CLIENT_SECRET, FakeEnode, reply


async def test_own_session_is_created_and_closed(fake: FakeEnode) -> None:
    """Without a session the client makes one on first use and closes it at the end."""
    fake.on("GET", "/users/u", reply({"id": "u", "linkedVendors": []}))
    async with EnodeClient(
        None, CLIENT_ID, CLIENT_SECRET, api_url=fake.base_url, token_url=fake.token_url
    ) as client:
        assert client._session is None  # nothing is opened before it is needed
        assert (await client.get_user("u")).id == "u"
        session = client._session
        assert isinstance(session, aiohttp.ClientSession)
        assert not session.closed
    assert session.closed
    assert [r.path for r in fake.requests] == ["/oauth2/token", "/users/u"]
    # Used again after close: a fresh session, closed by the next close().
    assert (await client.get_user("u")).id == "u"
    assert client._session is not None
    assert client._session is not session
    await client.close()
    assert client._session is None


async def test_a_given_session_is_left_to_its_owner(
    session: aiohttp.ClientSession, fake: FakeEnode
) -> None:
    fake.on("GET", "/users/u", reply({"id": "u"}))
    async with EnodeClient(
        session, CLIENT_ID, CLIENT_SECRET, api_url=fake.base_url, token_url=fake.token_url
    ) as client:
        await client.get_user("u")
    assert not session.closed


async def test_loggers_follow_the_package_name(
    fake: FakeEnode, caplog: pytest.LogCaptureFixture
) -> None:
    """Loggers are named after the package: `aioenode.*` once published."""
    caplog.set_level(logging.DEBUG, logger="aioenode")
    fake.on("GET", "/users/u", reply({"id": "u"}))
    async with EnodeClient(
        None, CLIENT_ID, CLIENT_SECRET, api_url=fake.base_url, token_url="http://127.0.0.1:9/t"
    ) as client:
        with pytest.raises(EnodeConnectionError):
            await client.get_user("u")
    names = {record.name for record in caplog.records}
    assert names
    assert all(name.startswith("aioenode.") for name in names)

"""Token endpoint, bearer auth, versions and problem+json errors."""

from __future__ import annotations

import aiohttp

from enode_emulator import Emulator

from .conftest import Api


async def test_token_shape_and_bad_credentials(emulator: Emulator) -> None:
    async with aiohttp.ClientSession() as session:
        api = Api(emulator, session)
        await api.authenticate()
        async with session.post(
            emulator.token_url,
            data={"grant_type": "client_credentials"},
            auth=aiohttp.BasicAuth(emulator.client_id, emulator.client_secret),
        ) as response:
            body = await response.json()
        assert body["expires_in"] == 3599
        assert body["scope"] == ""
        assert body["token_type"] == "bearer"
        assert body["access_token"] != api.token
        async with session.post(
            emulator.token_url,
            data={"grant_type": "client_credentials"},
            auth=aiohttp.BasicAuth(emulator.client_id, "wrong"),
        ) as response:
            assert response.status == 401
            assert response.content_type == "application/problem+json"
        async with session.post(
            emulator.token_url, data={"grant_type": "client_credentials"}
        ) as response:
            assert response.status == 401
        async with session.post(
            emulator.token_url,
            headers={"Authorization": "Basic !!notbase64"},
            data={"grant_type": "client_credentials"},
        ) as response:
            assert response.status == 401
        async with session.post(
            emulator.token_url,
            data={"grant_type": "password"},
            auth=aiohttp.BasicAuth(emulator.client_id, emulator.client_secret),
        ) as response:
            assert response.status == 400


async def test_requests_need_a_valid_token(api: Api) -> None:
    token = api.token
    api.token = ""
    status, body, headers = await api.call("GET", "/vehicles")
    assert status == 401
    assert headers["Content-Type"].startswith("application/problem+json")
    assert set(body) == {"type", "title", "detail"}
    api.token = "bogus"
    assert (await api.call("GET", "/vehicles"))[0] == 401
    api.token = token
    assert (await api.call("GET", "/vehicles"))[0] == 200


async def test_token_expires_by_simulation_clock(api: Api, emulator: Emulator) -> None:
    await emulator.advance(3598)
    assert (await api.call("GET", "/users"))[0] == 200
    await emulator.advance(2)
    assert (await api.call("GET", "/users"))[0] == 401
    await api.authenticate()
    assert (await api.call("GET", "/users"))[0] == 200


async def test_enode_version_header_and_user_id_header(api: Api) -> None:
    _, _, headers = await api.call("GET", "/vehicles")
    assert headers["Enode-Version"] == "2024-10-01"
    _, _, headers = await api.call("GET", "/vehicles", headers={"Enode-Version": "2024-01-01"})
    assert headers["Enode-Version"] == "2024-01-01"
    status, body, headers = await api.call("GET", "/vehicles", headers={"Enode-User-Id": "x"})
    assert status == 400
    assert "Enode-User-Id" in body["detail"]
    assert headers["Enode-Version"] == "2024-10-01"


async def test_unknown_path_and_method(api: Api) -> None:
    status, body, headers = await api.call("GET", "/nope")
    assert status == 404
    assert headers["Content-Type"].startswith("application/problem+json")
    assert body["type"].endswith("not-found")
    status, body, _ = await api.call("PUT", "/vehicles")
    assert status == 405
    assert body["title"] == "Method Not Allowed"


async def test_invalid_json_body(api: Api) -> None:
    status, body, _ = await api.call(
        "POST", "/webhooks", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert status == 400
    assert "Invalid JSON" in body["detail"]
    status, body, _ = await api.call("POST", "/webhooks")
    assert status == 400
    assert "required" in body["detail"]


async def test_health_and_request_log(api: Api, emulator: Emulator) -> None:
    status, _, _ = await api.call("GET", "/health/ready")
    assert status == 204
    entry = emulator.request_log[-1]
    assert (entry.method, entry.path, entry.status) == ("GET", "/health/ready", 204)
    assert entry.time.endswith("Z")

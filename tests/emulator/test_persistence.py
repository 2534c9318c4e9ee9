"""The state survives a restart when a state file is given; a bad file means a fresh start."""

from __future__ import annotations

import os
from pathlib import Path
import signal
import subprocess
import sys

import aiohttp

from enode_emulator import Emulator

from .conftest import make_config
from .test_cli import ROOT, _free_port


async def test_state_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "emulator.pickle"
    first = Emulator(make_config(state_file=state))
    await first.start()
    meter = first.add_asset("user-persist", {"type": "meter", "vendor": "HUAWEI"})["id"]
    await first.advance(600)
    saved_at = first.clock.now()
    await first.stop()
    assert state.is_file()

    second = Emulator(make_config(state_file=state))
    await second.start()
    try:
        assert second.core.store.find_asset(meter).user_id == "user-persist"
        # The clock goes on from where it was, never back to the scenario's start.
        assert second.clock.now() >= saved_at
        async with aiohttp.ClientSession() as session:
            token = await session.post(
                second.token_url,
                data={"grant_type": "client_credentials"},
                auth=aiohttp.BasicAuth(second.client_id, second.client_secret),
            )
            access = (await token.json())["access_token"]
            answer = await session.get(
                f"{second.base_url}/users/user-persist/meters",
                headers={"Authorization": f"Bearer {access}"},
            )
            assert [m["id"] for m in (await answer.json())["data"]] == [meter]
    finally:
        await second.stop()


async def test_without_a_state_file_nothing_is_kept(tmp_path: Path) -> None:
    first = Emulator(make_config())
    await first.start()
    meter = first.add_asset("user-persist", {"type": "meter", "vendor": "HUAWEI"})["id"]
    await first.stop()
    second = Emulator(make_config())
    assert meter not in {a.id for a in second.core.store.assets.values()}
    assert list(tmp_path.iterdir()) == []


async def test_an_unreadable_state_file_starts_afresh(tmp_path: Path) -> None:
    state = tmp_path / "emulator.pickle"
    state.write_bytes(b"not a pickle")
    emulator = Emulator(make_config(state_file=state))
    assert emulator.core.store.assets  # the demo scenario, not an empty core
    assert (tmp_path / "emulator.pickle.unreadable").read_bytes() == b"not a pickle"
    await emulator.start()
    await emulator.stop()
    assert state.is_file()  # the fresh state replaced it


def test_cli_saves_the_state_on_sigterm(tmp_path: Path) -> None:
    state = tmp_path / "emulator.pickle"
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "enode_emulator", "--port", str(_free_port()), "--state", state],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert process.stdout is not None
    assert process.stdout.readline().startswith("client id:")
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0
    assert state.is_file()
    assert state.stat().st_size > 0

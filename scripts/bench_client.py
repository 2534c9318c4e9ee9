"""Benchmark of the Enode API client against the in-process emulator (not a test).

Prints:
- the requests needed to list 500 assets across 10 pages (must be 10 + at most 1 token request);
- the token requests made by 100 concurrent calls on a cold client (must be 1);
- wall-clock times of both.

Run: .venv/bin/python scripts/bench_client.py
"""

from __future__ import annotations

import asyncio
from pathlib import Path
import sys
import time

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from custom_components.enode.api import EnodeClient
from enode_emulator import Emulator, EmulatorConfig

USER = "bench-user"
ASSETS = 500
PAGE_SIZE = 50
CONCURRENT = 100


def _client(session: aiohttp.ClientSession, emulator: Emulator) -> EnodeClient:
    return EnodeClient(
        session,
        emulator.client_id,
        emulator.client_secret,
        api_url=emulator.base_url,
        token_url=emulator.token_url,
        page_size=PAGE_SIZE,
    )


def _requests_since(emulator: Emulator, start: int) -> tuple[int, int]:
    """Return (API requests, token requests) logged after index ``start``."""
    entries = emulator.request_log[start:]
    tokens = sum(1 for e in entries if e.path == "/oauth2/token")
    return len(entries) - tokens, tokens


async def main() -> int:
    """Run both measurements and print the figures; exit non-zero if a bound is broken."""
    emulator = Emulator(EmulatorConfig(scenario={"users": []}, seed=1, speed=0))
    await emulator.start(host="127.0.0.1", port=0)
    failed = False
    try:
        for _ in range(ASSETS):
            emulator.add_asset(USER, {"type": "meter", "vendor": "HUAWEI"})
        async with aiohttp.ClientSession() as session:
            client = _client(session, emulator)
            start = len(emulator.request_log)
            began = time.perf_counter()
            meters = await client.list_meters(USER)
            elapsed = time.perf_counter() - began
            api, tokens = _requests_since(emulator, start)
            ok = len(meters) == ASSETS and api == ASSETS // PAGE_SIZE and tokens <= 1
            failed |= not ok
            print(
                f"list {len(meters)} assets in pages of {PAGE_SIZE}: {api} API requests "
                f"+ {tokens} token request(s), {elapsed * 1000:.1f} ms "
                f"[{'OK' if ok else 'FAIL'}: expected {ASSETS // PAGE_SIZE} + at most 1]"
            )

            cold = _client(session, emulator)
            start = len(emulator.request_log)
            began = time.perf_counter()
            await asyncio.gather(*(cold.get_user(USER) for _ in range(CONCURRENT)))
            elapsed = time.perf_counter() - began
            api, tokens = _requests_since(emulator, start)
            ok = tokens == 1 and api == CONCURRENT
            failed |= not ok
            print(
                f"{CONCURRENT} concurrent calls on a cold client: {tokens} token request(s), "
                f"{api} API requests, {elapsed * 1000:.1f} ms "
                f"[{'OK' if ok else 'FAIL'}: expected 1 token request]"
            )
    finally:
        await emulator.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

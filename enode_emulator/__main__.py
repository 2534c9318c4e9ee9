"""Command line: `python -m enode_emulator [--host] [--port] [--scenario] [--speed] [--seed]`.

`--state FILE` keeps the state across restarts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from pathlib import Path
import signal
import sys

from .config import EmulatorConfig
from .emulator import Emulator


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m enode_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--scenario", default="demo", help="demo or a JSON scenario file")
    parser.add_argument("--speed", type=float, default=1.0, help="simulated seconds per second")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--state",
        type=Path,
        default=None,
        help="keep the state in this file across restarts (written every 30 s and on exit)",
    )
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> None:
    config = EmulatorConfig(
        scenario=args.scenario, speed=args.speed, seed=args.seed, state_file=args.state
    )
    emulator = Emulator(config)
    stopped = asyncio.Event()
    # SIGTERM (how scripts/develop stops us) ends as cleanly as Ctrl-C: the state is saved.
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopped.set)
    await emulator.start(host=args.host, port=args.port)
    lines = [
        f"client id:     {emulator.client_id}",
        f"client secret: {emulator.client_secret}",
        f"API base URL:  {emulator.base_url}",
        f"token URL:     {emulator.token_url}",
        f"admin API:     {emulator.base_url}/_emulator/state",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    try:
        await stopped.wait()
    finally:
        await emulator.stop()


def main(argv: list[str] | None = None) -> None:
    """Run the emulator until interrupted."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(_parse(argv)))


if __name__ == "__main__":
    main()

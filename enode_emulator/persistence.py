"""Keep the emulator's state across restarts (the demo's linked devices, webhooks, history).

The whole core is pickled to one local file the user chose (the demo keeps it in its own
configuration directory); it is written atomically, periodically and on stop. A file that cannot
be read (corrupt, or written by an incompatible emulator) is set aside and the scenario starts
afresh, so a restart never fails because of it. Pickle runs code on load: only load a file this
emulator wrote.
"""

from __future__ import annotations

import logging
from pathlib import Path
import pickle
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .core import Core

_LOGGER = logging.getLogger(__name__)
# Bumped when the core's shape changes incompatibly; older files are set aside.
FORMAT = 1


def save_core(core: Core, path: Path) -> None:
    """Write the core to path atomically (a crash mid-write leaves the previous file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(pickle.dumps((FORMAT, core), protocol=pickle.HIGHEST_PROTOCOL))
    partial.replace(path)


def load_core(path: Path) -> Core | None:
    """The core saved at path, or None when there is none or it cannot be used."""
    if not path.is_file():
        return None
    try:
        version, core = pickle.loads(path.read_bytes())  # noqa: S301 - our own local file
    except Exception:  # noqa: BLE001 - any unreadable file means "start afresh"
        _LOGGER.warning("Could not read the emulator state in %s; starting afresh", path)
        version, core = None, None
    if version != FORMAT:
        if core is not None:
            _LOGGER.warning("The emulator state in %s is of another format; starting afresh", path)
        path.replace(path.with_name(path.name + ".unreadable"))
        return None
    return core  # type: ignore[no-any-return]

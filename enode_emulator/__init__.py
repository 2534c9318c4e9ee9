"""A faithful local emulator of the Enode API (version 2024-10-01)."""

from .config import EmulatorConfig
from .emulator import Emulator

__all__ = ["Emulator", "EmulatorConfig"]

"""Tests of the Home Assistant integration against the Enode emulator."""

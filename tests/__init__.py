"""Tests for the Enode integration, its API client and the Enode emulator."""

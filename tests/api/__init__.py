"""Tests of the Enode API client package."""

"""Tests of app/db/ (mirrors the tree)."""

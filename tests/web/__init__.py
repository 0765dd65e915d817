"""Tests of app/web/ (mirrors the tree)."""

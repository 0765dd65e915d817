"""Tests of app/dev/ (mirrors the tree)."""

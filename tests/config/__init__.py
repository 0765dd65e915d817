"""Tests of config/: settings and logging."""

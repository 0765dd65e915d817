"""Operators' `flask --app wsgi …` commands."""

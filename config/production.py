"""What APP_ENV=production refuses even when it is set: development stand-ins (issue 19)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

DEV_ACCOUNT_SID = "AC" + "0" * 32
DEV_AUTH_TOKEN = "dev-auth-token-not-secret"  # noqa: S105
DEV_KEYSET_NAME = "dev-master-keyset.json"


def production_refusals(env: Mapping[str, str]) -> list[str]:
    """Each development stand-in in `env`, named, that production must not run with."""
    refused = []
    if env.get("DATABASE_URL", "").lower().startswith("sqlite"):
        refused.append("DATABASE_URL is SQLite (use PostgreSQL)")
    if env.get("STORAGE_URL", "").lower().startswith("file:"):
        refused.append("STORAGE_URL is a local file:// store (use s3://)")
    base_url = env.get("PUBLIC_BASE_URL", "")
    if base_url and not base_url.lower().startswith("https://"):
        refused.append("PUBLIC_BASE_URL is not https://")
    if env.get("TWILIO_AUTH_TOKEN") == DEV_AUTH_TOKEN:
        refused.append("TWILIO_AUTH_TOKEN is the development token")
    if env.get("TWILIO_ACCOUNT_SID") == DEV_ACCOUNT_SID:
        refused.append("TWILIO_ACCOUNT_SID is the development account")
    if Path(env.get("MASTER_KEYSET_FILE", "")).name == DEV_KEYSET_NAME:
        refused.append(f"MASTER_KEYSET_FILE is the development keyset ({DEV_KEYSET_NAME})")
    return refused

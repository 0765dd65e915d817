"""Where encrypted recordings live: one ``Storage`` interface, a local and an S3 backend.

``base`` holds the interface (errors, keys, the streaming ``ObjectWriter`` that stores an
object only when its ``with`` block exits cleanly, the ``Storage`` protocol); ``local`` and
``s3`` are the backends; this module builds the one STORAGE_URL names.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

from config.settings import DEFAULT_ALLOWED_REGIONS, Settings
from recordings.storage.base import (
    ObjectNotFound,
    ObjectWriter,
    Storage,
    StorageConfigError,
    StorageError,
    StorageVerificationError,
    StoredObject,
    validate_key,
)
from recordings.storage.local import LocalStorage
from recordings.storage.s3 import (
    DEFAULT_PART_SIZE,
    DEFAULT_UPLOAD_CONCURRENCY,
    DELETE_BATCH_SIZE,
    S3Storage,
)

__all__ = [
    "DEFAULT_ALLOWED_REGIONS",
    "DEFAULT_PART_SIZE",
    "DEFAULT_UPLOAD_CONCURRENCY",
    "DELETE_BATCH_SIZE",
    "LocalStorage",
    "ObjectNotFound",
    "ObjectWriter",
    "S3Storage",
    "Storage",
    "StorageConfigError",
    "StorageError",
    "StorageVerificationError",
    "StoredObject",
    "make_s3_client",
    "storage_from_settings",
    "storage_from_url",
    "validate_key",
]


def storage_from_url(
    url: str,
    *,
    endpoint_url: str | None = None,
    region: str | None = None,
    allowed_regions: Iterable[str] = DEFAULT_ALLOWED_REGIONS,
    part_size: int = DEFAULT_PART_SIZE,
) -> Storage:
    """Build the storage named by ``file:///dir`` or ``s3://bucket/prefix``."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return _local_from_url(url, parts.netloc, parts.path)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise StorageConfigError(f"STORAGE_URL {url!r} names no bucket")
        region = _allowed_region(region, tuple(allowed_regions))
        client = make_s3_client(region, endpoint_url)
        return S3Storage(parts.netloc, parts.path, client, part_size=part_size)
    raise StorageConfigError(
        f"STORAGE_URL scheme {parts.scheme!r} is not supported: use s3:// or file://"
    )


def _local_from_url(url: str, host: str, path: str) -> LocalStorage:
    if host not in {"", "localhost"} or not path.startswith("/"):
        raise StorageConfigError(f"STORAGE_URL {url!r} must be file:///absolute/directory")
    root = Path(path)
    root.mkdir(parents=True, exist_ok=True)
    return LocalStorage(root)


def _allowed_region(region: str | None, allowed: tuple[str, ...]) -> str:
    region = region or boto3.session.Session().region_name
    if not region:
        raise StorageConfigError("S3 storage needs a region: set AWS_REGION")
    if region not in allowed:
        raise StorageConfigError(
            f"S3 region {region!r} is not allowed for recordings; "
            f"allowed regions: {', '.join(allowed)} (STORAGE_ALLOWED_REGIONS)"
        )
    return region


def make_s3_client(
    region: str, endpoint_url: str | None = None, session: boto3.session.Session | None = None
) -> Any:
    """Return a boto3 S3 client with retries; path-style addressing for a custom endpoint."""
    options: dict[str, Any] = {
        "retries": {"max_attempts": 5, "mode": "standard"},
        # Every call's parameters are built by our own code: botocore's check of each against
        # the API model walks every key of a 1,000-key DeleteObjects (in-process, a sixth of
        # the client's CPU for one). S3 still refuses a malformed request.
        "parameter_validation": False,
    }
    if endpoint_url:
        options["s3"] = {"addressing_style": "path"}
        # Many S3-compatible stores reject the CRC trailers boto3 now sends by default; every
        # upload carries a Content-MD5 instead.
        options["request_checksum_calculation"] = "when_required"
        options["response_checksum_validation"] = "when_required"
    session = session or boto3.session.Session()
    return session.client(
        "s3", endpoint_url=endpoint_url, region_name=region, config=Config(**options)
    )


def storage_from_settings(settings: Settings) -> Storage:
    """The recording store named by STORAGE_URL (UK/EEA region allow-list enforced)."""
    return storage_from_url(
        settings.storage_url,
        endpoint_url=settings.s3_endpoint_url,
        region=settings.aws_region,
        allowed_regions=settings.storage_allowed_regions,
    )

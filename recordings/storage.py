"""Where encrypted recordings live: one ``Storage`` interface, a local and an S3 backend.

Writing streams through ``writer(key)``; the object appears only when the ``with`` block exits
cleanly, and the writer's ``result`` then describes what was stored::

    with storage.writer(key) as out:
        shutil.copyfileobj(source, out)
    stored = out.result  # StoredObject(key, size, digest)
    storage.verify(stored.key, stored.size, stored.digest)
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import IO, Any, BinaryIO, Protocol
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from config.settings import DEFAULT_ALLOWED_REGIONS, Settings

__all__ = [
    "DEFAULT_ALLOWED_REGIONS",
    "DEFAULT_PART_SIZE",
    "LocalStorage",
    "ObjectNotFound",
    "ObjectWriter",
    "S3Storage",
    "Storage",
    "StorageConfigError",
    "StorageError",
    "StorageVerificationError",
    "StoredObject",
    "storage_from_settings",
    "storage_from_url",
    "make_s3_client",
    "validate_key",
]

# UK/EEA data residency: London first, then the EU regions.
DEFAULT_PART_SIZE = 8 * 1024 * 1024
DEFAULT_UPLOAD_CONCURRENCY = 2  # parts in flight per object; RAM is about (this + 1) parts
DELETE_BATCH_SIZE = 1000  # S3's DeleteObjects limit (not enforced by moto)
_READ_CHUNK = 1024 * 1024
_KEY_PATTERN = re.compile(r"[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)*")
# Tags written next to each S3 object; see S3Storage.verify.
_SHA256_TAG = "sha256"
_ETAG_TAG = "md5-etag"

_Bytes = bytes | bytearray | memoryview


class StorageError(Exception):
    """The store failed or refused an operation."""


class ObjectNotFound(StorageError):
    """No object under that key."""


class StorageVerificationError(StorageError):
    """The stored object is not exactly what was written."""


class StorageConfigError(StorageError):
    """The storage URL or region is not acceptable."""


@dataclass(frozen=True)
class StoredObject:
    """What a writer stored: key, size in bytes and SHA-256 hex digest of the bytes."""

    key: str
    size: int
    digest: str


def validate_key(key: str) -> str:
    """Return ``key`` if it is a safe relative object key, else raise ValueError."""
    if not _KEY_PATTERN.fullmatch(key) or any(part in {".", ".."} for part in key.split("/")):
        raise ValueError(f"invalid storage key: {key!r}")
    return key


class ObjectWriter:
    """Writable stream for one object; a context manager that commits on clean exit.

    ``close()`` commits and sets ``result``; leaving the ``with`` block by an exception (or
    calling ``abort()``) discards everything written.
    """

    def __init__(self, key: str) -> None:
        self.key = key
        self.result: StoredObject | None = None
        self.closed = False
        self._size = 0
        self._sha256 = hashlib.sha256()

    def writable(self) -> bool:
        """Return True: this is a writable stream."""
        return True

    def flush(self) -> None:
        """Do nothing: data is committed by ``close()``."""

    def write(self, data: _Bytes) -> int:
        """Append ``data`` to the object."""
        if self.closed:
            raise ValueError("write to a closed object writer")
        size = memoryview(data).nbytes
        self._size += size
        self._write(data)
        return size

    def close(self) -> None:
        """Commit the object and set ``result``; a no-op once closed."""
        if self.closed:
            return
        self.closed = True
        try:
            self._commit()
        except BaseException:
            self._discard_after_failure()
            raise
        self.result = StoredObject(self.key, self._size, self._sha256.hexdigest())

    def abort(self) -> None:
        """Discard everything written; nothing appears in the store."""
        if not self.closed:
            self.closed = True
            self._discard()

    def __enter__(self) -> ObjectWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        elif not self.closed:
            self.closed = True
            self._discard_after_failure()

    def _discard_after_failure(self) -> None:
        # The failure being handled is the error to report; if cleaning up fails too, the
        # leftover is a temporary file or an unfinished upload, never a visible object.
        with suppress(StorageError, OSError):
            self._discard()

    def _write(self, data: _Bytes) -> None:
        raise NotImplementedError

    def _commit(self) -> None:
        raise NotImplementedError

    def _discard(self) -> None:
        raise NotImplementedError


class Storage(Protocol):
    """A store of opaque objects under validated keys."""

    def writer(self, key: str) -> ObjectWriter:
        """Return a writer whose object appears only when its ``with`` block exits cleanly."""
        ...

    def verify(self, key: str, size: int, digest: str) -> None:
        """Raise StorageVerificationError unless the object has that size and SHA-256 digest."""
        ...

    def open(self, key: str) -> BinaryIO:
        """Return a readable stream of the object; raise ObjectNotFound if missing."""
        ...

    def exists(self, key: str) -> bool:
        """Return whether an object is stored under ``key``."""
        ...

    def delete(self, key: str) -> None:
        """Delete the object; a missing object is fine."""
        ...

    def delete_many(self, keys: Iterable[str]) -> int:
        """Delete the objects and return how many deletions were requested."""
        ...

    def remove_abandoned_writes(self, started_before: datetime) -> int:
        """Remove writes a killed process never finished (begun before the cutoff); how many."""
        ...


# --- local files -------------------------------------------------------------------------


class _LocalWriter(ObjectWriter):
    """Writes to a temporary file in the target directory, renamed into place on commit."""

    def __init__(self, key: str, path: Path) -> None:
        super().__init__(key)
        self._path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[bytes] = tempfile.NamedTemporaryFile(
            dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False
        )

    def _write(self, data: _Bytes) -> None:
        self._sha256.update(data)
        self._file.write(data)

    def _commit(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())  # Twilio's copy is deleted next: make ours durable
        self._file.close()
        os.replace(self._file.name, self._path)
        _fsync_directory(self._path.parent)

    def _discard(self) -> None:
        self._file.close()
        Path(self._file.name).unlink(missing_ok=True)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalStorage:
    """Objects as files under a root directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / validate_key(key)

    def writer(self, key: str) -> ObjectWriter:
        """Return a writer that renames a temporary file into place on commit."""
        return _LocalWriter(key, self._path(key))

    def verify(self, key: str, size: int, digest: str) -> None:
        """Check the size, then re-hash the whole file.

        A local file has no checksum kept by the store, so re-reading it is the only honest
        check; it reads from the page cache just after writing, far faster than the fetch.
        """
        path = self._path(key)
        try:
            actual_size = path.stat().st_size
            actual_digest = _sha256_file(path) if actual_size == size else None
        except FileNotFoundError:
            raise StorageVerificationError(f"{key}: object is missing") from None
        _check(key, size, digest, actual_size, actual_digest)

    def open(self, key: str) -> BinaryIO:
        """Return the file opened for reading."""
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise ObjectNotFound(key) from None

    def exists(self, key: str) -> bool:
        """Return whether the file exists."""
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        """Remove the file if present."""
        self._path(key).unlink(missing_ok=True)

    def delete_many(self, keys: Iterable[str]) -> int:
        """Remove the files and return how many were requested."""
        paths = [self._path(key) for key in keys]
        for path in paths:
            path.unlink(missing_ok=True)
        return len(paths)

    def remove_abandoned_writes(self, started_before: datetime) -> int:
        """Delete temporary `.part` files last written before the cutoff (never objects)."""
        cutoff = started_before.timestamp()
        removed = 0
        for path in self.root.rglob(".*.part"):
            with suppress(FileNotFoundError):  # finished or removed meanwhile
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
        return removed


def _sha256_file(path: Path) -> str:
    sha256 = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_READ_CHUNK):
            sha256.update(chunk)
    return sha256.hexdigest()


def _check(
    key: str, size: int, digest: str, actual_size: int | None, actual_digest: str | None
) -> None:
    if actual_size != size:
        raise StorageVerificationError(f"{key}: stored size {actual_size}, expected {size}")
    if actual_digest != digest:
        raise StorageVerificationError(f"{key}: stored digest differs from {digest}")


# --- S3 ------------------------------------------------------------------------------------


def _md5(data: bytes = b"") -> Any:
    return hashlib.md5(data, usedforsecurity=False)  # S3's ETag algorithm, not for security


class _S3Writer(ObjectWriter):
    """Uploads parts on worker threads as the buffer fills; a small object is a single PUT.

    Uploads (and their MD5s) overlap with fetching and encrypting; at most ``concurrency``
    parts are in flight plus one filling, so memory does not depend on the object's size.
    """

    def __init__(self, storage: S3Storage, key: str) -> None:
        super().__init__(key)
        self._s3 = storage
        self._name = storage.object_name(key)
        self._chunks: list[bytes] = []
        self._buffered = 0
        self._upload_id: str | None = None
        self._uploader: ThreadPoolExecutor | None = None
        self._in_flight: deque[Future[_Part]] = deque()
        self._parts: list[_Part] = []
        self._completed = False

    def _write(self, data: _Bytes) -> None:
        self._chunks.append(data if isinstance(data, bytes) else bytes(data))
        self._buffered += len(self._chunks[-1])
        if self._buffered >= self._s3.part_size:
            self._send_part(self._take_buffer())

    def _take_buffer(self) -> bytes:
        body = b"".join(self._chunks)
        self._chunks, self._buffered = [], 0
        self._sha256.update(body)
        return body

    def _send_part(self, body: bytes) -> None:
        if self._uploader is None:
            created = self._s3.call("create_multipart_upload", Key=self._name, **self._s3.sse)
            self._upload_id = created["UploadId"]
            self._uploader = ThreadPoolExecutor(self._s3.concurrency, "s3-upload")
        while len(self._in_flight) >= self._s3.concurrency:
            self._parts.append(self._in_flight.popleft().result())
        number = len(self._parts) + len(self._in_flight) + 1
        self._in_flight.append(self._uploader.submit(self._upload_part, number, body))

    def _upload_part(self, number: int, body: bytes) -> _Part:
        md5 = _md5(body).digest()
        uploaded = self._s3.call(
            "upload_part",
            Key=self._name,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=body,
            ContentMD5=base64.b64encode(md5).decode(),
        )
        return _Part(number, uploaded["ETag"], md5)

    def _finish_uploads(self) -> None:
        try:
            while self._in_flight:
                self._parts.append(self._in_flight.popleft().result())
        finally:
            self._stop_uploads()

    def _stop_uploads(self) -> None:
        """Wait for running part uploads, cancel queued ones; their errors are not re-raised."""
        if self._uploader is not None:
            self._uploader.shutdown(wait=True, cancel_futures=True)
        self._in_flight.clear()

    def _commit(self) -> None:
        if self._upload_id is None:
            etag = self._put_whole(self._take_buffer())
        else:
            if self._buffered:
                self._send_part(self._take_buffer())
            self._finish_uploads()
            parts = [{"PartNumber": p.number, "ETag": p.etag} for p in self._parts]
            self._s3.call(
                "complete_multipart_upload",
                Key=self._name,
                UploadId=self._upload_id,
                MultipartUpload={"Parts": parts},
            )
            etag = _multipart_etag([p.md5 for p in self._parts])
        self._completed = True
        self._s3.tag(self._name, sha256=self._sha256.hexdigest(), etag=etag)

    def _put_whole(self, body: bytes) -> str:
        md5 = _md5(body)
        content_md5 = base64.b64encode(md5.digest()).decode()
        self._s3.call(
            "put_object", Key=self._name, Body=body, ContentMD5=content_md5, **self._s3.sse
        )
        return md5.hexdigest()

    def _discard(self) -> None:
        self._chunks, self._buffered = [], 0
        self._stop_uploads()
        if self._completed:  # stored but not tagged: an object that could never verify
            self._s3.call("delete_object", Key=self._name)
        elif self._upload_id is not None:
            self._s3.call("abort_multipart_upload", Key=self._name, UploadId=self._upload_id)


@dataclass(frozen=True)
class _Part:
    number: int
    etag: str
    md5: bytes


def _multipart_etag(part_md5s: list[bytes]) -> str:
    """S3's ETag of a multipart object: MD5 of the concatenated part MD5s, then "-N"."""
    md5 = _md5(b"".join(part_md5s))
    return f"{md5.hexdigest()}-{len(part_md5s)}"


class S3Storage:
    """Objects in an S3 (or S3-compatible) bucket under a key prefix, with SSE-S3."""

    def __init__(
        self,
        bucket: str,
        prefix: str,
        client: Any,
        *,
        part_size: int = DEFAULT_PART_SIZE,
        concurrency: int = DEFAULT_UPLOAD_CONCURRENCY,
    ) -> None:
        prefix = prefix.strip("/")
        if prefix:
            validate_key(prefix)
        self.bucket = bucket
        self.prefix = prefix
        self.client = client
        self.part_size = part_size
        self.concurrency = concurrency
        self.sse = {"ServerSideEncryption": "AES256"}

    def object_name(self, key: str) -> str:
        """Return the bucket key for ``key``: prefix plus the validated key."""
        validate_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        """Call an S3 operation on our bucket, turning client errors into StorageError."""
        try:
            return getattr(self.client, operation)(Bucket=self.bucket, **params)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            if error.get("Code") in {"NoSuchKey", "404"}:
                raise ObjectNotFound(params.get("Key", "")) from exc
            raise StorageError(f"S3 {operation} failed: {error.get('Code')}") from exc
        except BotoCoreError as exc:  # connection failures, timeouts after retries, ...
            raise StorageError(f"S3 {operation} failed: {exc}") from exc

    def tag(self, name: str, *, sha256: str, etag: str) -> None:
        """Record the SHA-256 and the locally computed ETag of the bytes written."""
        tags = [{"Key": _SHA256_TAG, "Value": sha256}, {"Key": _ETAG_TAG, "Value": etag}]
        self.call("put_object_tagging", Key=name, Tagging={"TagSet": tags})

    def writer(self, key: str) -> ObjectWriter:
        """Return a writer that uploads part by part; an aborted upload leaves nothing."""
        self.object_name(key)
        return _S3Writer(self, key)

    def verify(self, key: str, size: int, digest: str) -> None:
        """Check size and content against what the store itself reports, without a download.

        While writing we hash the bytes twice: SHA-256 (the ``digest``) and S3's own ETag
        algorithm (MD5, or MD5 of part MD5s for multipart). Both are saved as object tags.
        Here S3's ETag, computed by the server from the bytes it received, must equal ours, and
        the tagged SHA-256 must equal ``digest``: so the stored bytes are the ones whose SHA-256
        is ``digest``. A HEAD and a tag read cost two small requests, where re-reading the
        object would roughly double the transfer. This relies on the store reporting MD5-based
        ETags, as AWS does for SSE-S3 and unencrypted objects.
        """
        name = self.object_name(key)
        try:
            head = self.call("head_object", Key=name)
            tag_set = self.call("get_object_tagging", Key=name)["TagSet"]
        except ObjectNotFound:
            raise StorageVerificationError(f"{key}: object is missing") from None
        tags = {tag["Key"]: tag["Value"] for tag in tag_set}
        etag = head["ETag"].strip('"')
        if tags.get(_ETAG_TAG) != etag:
            raise StorageVerificationError(f"{key}: stored ETag {etag} is not the one written")
        _check(key, size, digest, head["ContentLength"], tags.get(_SHA256_TAG))

    def open(self, key: str) -> BinaryIO:
        """Return the streaming body of the object."""
        return self.call("get_object", Key=self.object_name(key))["Body"]

    def exists(self, key: str) -> bool:
        """Return whether the object exists (HEAD)."""
        try:
            self.call("head_object", Key=self.object_name(key))
        except ObjectNotFound:
            return False
        return True

    def delete(self, key: str) -> None:
        """Delete the object; S3 treats a missing key as success."""
        self.call("delete_object", Key=self.object_name(key))

    def delete_many(self, keys: Iterable[str]) -> int:
        """Delete in batches of at most 1,000 keys; raise StorageError if S3 reports errors."""
        names = [self.object_name(key) for key in keys]
        for batch in _batches(names, DELETE_BATCH_SIZE):
            objects = [{"Key": name} for name in batch]
            response = self.call("delete_objects", Delete={"Objects": objects, "Quiet": True})
            if errors := response.get("Errors"):
                failed = ", ".join(f"{e.get('Key')} ({e.get('Code')})" for e in errors[:5])
                raise StorageError(f"S3 could not delete {len(errors)} objects: {failed}")
        return len(names)

    def remove_abandoned_writes(self, started_before: datetime) -> int:
        """Abort multipart uploads under our prefix begun before the cutoff.

        S3 keeps (and bills) the parts of an upload that was neither completed nor aborted,
        as after a SIGKILL mid-ingest, invisibly and forever unless a lifecycle rule or this
        sweep removes them.
        """
        prefix = f"{self.prefix}/" if self.prefix else ""
        params: dict[str, Any] = {"Prefix": prefix}
        aborted = 0
        while True:
            page = self.call("list_multipart_uploads", **params)
            for upload in page.get("Uploads", []):
                if upload["Initiated"] < started_before:
                    self.call(
                        "abort_multipart_upload", Key=upload["Key"], UploadId=upload["UploadId"]
                    )
                    aborted += 1
            if not page.get("IsTruncated"):
                return aborted
            params.update(
                KeyMarker=page["NextKeyMarker"], UploadIdMarker=page["NextUploadIdMarker"]
            )


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


# --- configuration -------------------------------------------------------------------------


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
    options: dict[str, Any] = {"retries": {"max_attempts": 5, "mode": "standard"}}
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

"""Recordings in an S3 (or S3-compatible) bucket: multipart uploads, verified without a download."""

from __future__ import annotations

import base64
import hashlib
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any, BinaryIO

from botocore.exceptions import BotoCoreError, ClientError

from recordings.storage.base import (
    BytesLike,
    ObjectNotFound,
    ObjectWriter,
    StorageError,
    StorageVerificationError,
    check_stored,
    validate_key,
)

__all__ = ["DEFAULT_PART_SIZE", "DEFAULT_UPLOAD_CONCURRENCY", "DELETE_BATCH_SIZE", "S3Storage"]

DEFAULT_PART_SIZE = 8 * 1024 * 1024
DEFAULT_UPLOAD_CONCURRENCY = 2  # parts in flight per object; RAM is about (this + 1) parts
DELETE_BATCH_SIZE = 1000  # S3's DeleteObjects limit (not enforced by moto)
# The digests saved with each S3 object (metadata, or tags after a multipart upload); see
# S3Storage.verify.
_SHA256_KEY = "sha256"
_ETAG_KEY = "md5-etag"


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

    def _write(self, data: BytesLike) -> None:
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
        if self._upload_id is None:  # one PUT, which carries its digests itself
            self._put_whole(self._take_buffer())
            return
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
        self._completed = True
        # The digests are known only now, after the upload began: tags, written next.
        etag = _multipart_etag([p.md5 for p in self._parts])
        self._s3.tag(self._name, sha256=self._sha256.hexdigest(), etag=etag)

    def _put_whole(self, body: bytes) -> None:
        """PUT the object with its digests as metadata: known before the PUT, so no tagging
        request follows and `verify` reads them from its HEAD (two requests, not four)."""
        md5 = _md5(body)
        self._s3.call(
            "put_object",
            Key=self._name,
            Body=body,
            ContentMD5=base64.b64encode(md5.digest()).decode(),
            Metadata={_SHA256_KEY: self._sha256.hexdigest(), _ETAG_KEY: md5.hexdigest()},
            **self._s3.sse,
        )

    def _discard(self) -> None:
        self._chunks, self._buffered = [], 0
        self._stop_uploads()
        if self._completed:  # a multipart upload completed but not tagged: it could never verify
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
        tags = [{"Key": _SHA256_KEY, "Value": sha256}, {"Key": _ETAG_KEY, "Value": etag}]
        self.call("put_object_tagging", Key=name, Tagging={"TagSet": tags})

    def writer(self, key: str) -> ObjectWriter:
        """Return a writer that uploads part by part; an aborted upload leaves nothing."""
        self.object_name(key)
        return _S3Writer(self, key)

    def verify(self, key: str, size: int, digest: str) -> None:
        """Check size and content against what the store itself reports, without a download.

        While writing we hash the bytes twice: SHA-256 (the ``digest``) and S3's own ETag
        algorithm (MD5, or MD5 of part MD5s for multipart). Both are saved with the object: as
        its metadata when it was one PUT (they were known before it), else as its tags. Here
        S3's ETag, computed by the server from the bytes it received, must equal ours, and the
        saved SHA-256 must equal ``digest``: so the stored bytes are the ones whose SHA-256 is
        ``digest``. A HEAD (and, after a multipart upload, a tag read) is one or two small
        requests, where re-reading the object would roughly double the transfer. This relies
        on the store reporting MD5-based ETags, as AWS does for SSE-S3 and unencrypted objects.
        """
        name = self.object_name(key)
        try:
            head = self.call("head_object", Key=name)
            saved = head.get("Metadata") or {}
            if _SHA256_KEY not in saved:  # a multipart upload's: in its tags
                tag_set = self.call("get_object_tagging", Key=name)["TagSet"]
                saved = {tag["Key"]: tag["Value"] for tag in tag_set}
        except ObjectNotFound:
            raise StorageVerificationError(f"{key}: object is missing") from None
        etag = head["ETag"].strip('"')
        if saved.get(_ETAG_KEY) != etag:
            raise StorageVerificationError(f"{key}: stored ETag {etag} is not the one written")
        check_stored(key, size, digest, head["ContentLength"], saved.get(_SHA256_KEY))

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

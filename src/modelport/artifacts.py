"""The artifact store: content-addressed files (models, datasets, results, logs) on fsspec.

An artifact lives at ``<root>/sha256/<first two hex>/<full hex>``, where ``root`` is a local folder or
``s3://bucket/prefix`` (S3, MinIO). Writes are atomic: a stream is first spooled to a local temp file
while it is hashed; a local store then moves it into place with ``os.replace``, an S3 store uploads the
finished file in one call (an S3 object becomes visible only once complete). So no half-written file is
ever visible under its final name (local spools live in ``<root>/.tmp``, which listings ignore; a crashed
process may leave one there). Every read is verified against the sha256 it was asked for. Files are
created with ``tempfile.mkstemp``, so they are readable by their owner only (mode 0600).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import fsspec
from fsspec import AbstractFileSystem

from modelport.errors import CorruptArtifact, InvalidArgument, NotFound, PayloadTooLarge
from modelport.settings import Settings

CHUNK_SIZE = 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class ArtifactRef:
    """Where an artifact is stored (``file:///...`` or ``s3://...``), its sha256 (hex) and size in bytes."""

    uri: str
    sha256: str
    size: int


def sha256_file(path: Path) -> str:
    """The sha256 (hex) of a local file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def _check_sha(sha256: str) -> str:
    """Return ``sha256`` if it is 64 lowercase hex digits; raise InvalidArgument otherwise (no traversal)."""
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise InvalidArgument("sha256 must be 64 lowercase hexadecimal digits", field="sha256")
    return sha256


def _chunks(stream: BinaryIO | Iterable[bytes]) -> Iterator[bytes]:
    """Yield the bytes of a file-like object (read in CHUNK_SIZE pieces) or of an iterable of bytes."""
    read = getattr(stream, "read", None)
    if callable(read):
        while chunk := read(CHUNK_SIZE):
            yield bytes(chunk)
    else:
        for chunk in stream:
            if chunk:
                yield bytes(chunk)


def _unlink(path: str | Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


class ArtifactStore:
    """Content-addressed, atomically written, verified-on-read file store on a local folder or S3."""

    def __init__(self, root: str, storage_options: dict[str, Any] | None = None) -> None:
        """Open the store at ``root`` (a local folder or ``s3://bucket/prefix``); nothing is created yet.

        ``storage_options`` go to the fsspec filesystem (for S3: key, secret, client_kwargs...).
        Filesystem instances are never shared (``skip_instance_cache``), so listings stay fresh.
        """
        options = {"skip_instance_cache": True, **(storage_options or {})}
        fs, path = fsspec.core.url_to_fs(root, **options)
        self._fs: AbstractFileSystem = fs
        self._root: str = str(path).rstrip("/")
        protocols = (fs.protocol,) if isinstance(fs.protocol, str) else tuple(fs.protocol)
        self._local: bool = "file" in protocols

    @classmethod
    def from_settings(cls, settings: Settings) -> ArtifactStore:
        """Build the store of ``settings.resolved_artifact_root()``, with S3 credentials for an s3:// root."""
        root = settings.resolved_artifact_root()
        options: dict[str, Any] = {}
        if root.startswith(("s3://", "s3a://")):
            if settings.s3_access_key_id:
                options["key"] = settings.s3_access_key_id
            if settings.s3_secret_access_key is not None:
                options["secret"] = settings.s3_secret_access_key.get_secret_value()
            client_kwargs: dict[str, str] = {}
            if settings.s3_endpoint_url:
                client_kwargs["endpoint_url"] = settings.s3_endpoint_url
            if settings.s3_region:
                client_kwargs["region_name"] = settings.s3_region
            if client_kwargs:
                options["client_kwargs"] = client_kwargs
        return cls(root, options)

    @property
    def root_uri(self) -> str:
        """The root of the store as a full URI (``file:///...`` or ``s3://...``)."""
        return str(self._fs.unstrip_protocol(self._root))

    def _path(self, sha256: str) -> str:
        return f"{self._root}/sha256/{sha256[:2]}/{sha256}"

    def _ref(self, sha256: str, size: int) -> ArtifactRef:
        return ArtifactRef(uri=str(self._fs.unstrip_protocol(self._path(sha256))), sha256=sha256, size=size)

    def _info_size(self, path: str) -> int | None:
        """Size of the object at ``path``, or None if there is none (listing caches are bypassed)."""
        self._fs.invalidate_cache(path)
        try:
            info = self._fs.info(path)
        except FileNotFoundError:
            return None
        return int(info["size"]) if info.get("type") == "file" else None

    # -- writing -------------------------------------------------------------------------------------

    def put_file(self, path: Path) -> ArtifactRef:
        """Store the local file ``path``; return its ref. Idempotent: stored content is not re-uploaded.

        The file is copied while it is hashed, so a file changed during the call cannot be stored under
        a wrong address. Raises InvalidArgument for an empty file, FileNotFoundError if ``path`` is absent.
        """
        with open(path, "rb") as f:
            return self.put_stream(f)

    def put_bytes(self, data: bytes) -> ArtifactRef:
        """Store ``data``; return its ref. Raises InvalidArgument if ``data`` is empty."""
        return self.put_stream([data])

    def put_stream(self, stream: BinaryIO | Iterable[bytes], max_bytes: int | None = None) -> ArtifactRef:
        """Store everything read from ``stream`` (a binary file or an iterable of bytes); return its ref.

        The stream is spooled to a local temp file while hashed, then moved (local) or uploaded in one
        put (S3) under its content address; if that address already holds an object of the same size,
        nothing is written. Raises PayloadTooLarge once more than ``max_bytes`` were read, and
        InvalidArgument for an empty stream; on any error (also one raised by the stream) nothing is
        stored and the temp file is removed.
        """
        spool_dir = f"{self._root}/.tmp" if self._local else None
        if spool_dir:
            os.makedirs(spool_dir, exist_ok=True)
        fd, spool = tempfile.mkstemp(prefix="spool-", suffix=".part", dir=spool_dir)
        try:
            digest, size = hashlib.sha256(), 0
            with os.fdopen(fd, "wb") as out:
                for chunk in _chunks(stream):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise PayloadTooLarge(
                            f"file is larger than the limit of {max_bytes} bytes",
                            field="file",
                            details={"max_bytes": max_bytes},
                        )
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if size == 0:
                raise InvalidArgument("empty file", field="file")
            sha = digest.hexdigest()
            final = self._path(sha)
            if self._info_size(final) != size:
                self._publish(spool, final)
            return self._ref(sha, size)
        finally:
            _unlink(spool)

    def _publish(self, spool: str, final: str) -> None:
        """Make the finished local file ``spool`` visible at ``final`` in one atomic step."""
        if self._local:
            os.makedirs(os.path.dirname(final), exist_ok=True)
            os.replace(spool, final)  # same file system: the spool lives under <root>/.tmp
        else:
            self._fs.put_file(spool, final)  # one put (or one multipart upload): visible only once complete
            self._fs.invalidate_cache(final)

    def delete(self, sha256: str) -> None:
        """Remove the artifact ``sha256``; no error if it is absent. Raises InvalidArgument for a bad sha."""
        path = self._path(_check_sha(sha256))
        with contextlib.suppress(FileNotFoundError):
            self._fs.rm_file(path)
        self._fs.invalidate_cache(path)

    # -- reading -------------------------------------------------------------------------------------

    def exists(self, sha256: str) -> bool:
        """Whether the artifact ``sha256`` is stored (content not verified). InvalidArgument for a bad sha."""
        return self._info_size(self._path(_check_sha(sha256))) is not None

    def size(self, sha256: str) -> int:
        """Size in bytes of the stored artifact ``sha256``. Raises NotFound if absent, InvalidArgument."""
        size = self._info_size(self._path(_check_sha(sha256)))
        if size is None:
            raise NotFound(f"artifact {sha256} not found", field="sha256")
        return size

    def open_verified(self, sha256: str) -> Iterator[bytes]:
        """Iterate over the content of ``sha256`` in 1 MiB chunks, hashing it on the way.

        NotFound (absent) and InvalidArgument (bad sha) are raised at the call, before any chunk. A
        streaming reader learns of corruption only at the end: CorruptArtifact is raised after the last
        chunk, so a consumer must not act on the data before the iterator is exhausted (or use fetch()).
        """
        self.size(sha256)
        return self._verified_chunks(sha256)

    def _verified_chunks(self, sha256: str) -> Iterator[bytes]:
        digest = hashlib.sha256()
        try:
            block = {} if self._local else {"block_size": 8 * CHUNK_SIZE}  # S3: one GET per 8 MiB
            with self._fs.open(self._path(sha256), "rb", **block) as f:
                while chunk := f.read(CHUNK_SIZE):
                    digest.update(chunk)
                    yield chunk
        except FileNotFoundError:
            raise NotFound(f"artifact {sha256} not found", field="sha256") from None
        if digest.hexdigest() != sha256:
            raise CorruptArtifact(
                f"artifact {sha256} does not match its sha256",
                details={"expected": sha256, "actual": digest.hexdigest()},
            )

    def read_bytes(self, sha256: str) -> bytes:
        """The verified content of ``sha256``. Raises NotFound, CorruptArtifact, InvalidArgument."""
        return b"".join(self.open_verified(sha256))

    def fetch(self, sha256: str, dest: Path) -> Path:
        """Download ``sha256`` to ``dest`` atomically (temp file + os.replace), verified; return ``dest``.

        Raises NotFound, CorruptArtifact or InvalidArgument; then ``dest`` is neither created nor changed.
        """
        dest = Path(dest)
        chunks = self.open_verified(sha256)
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, dest)
        finally:
            _unlink(tmp)
        return dest

    def local_cache_path(self, sha256: str, cache_dir: Path) -> Path:
        """A verified local copy of ``sha256`` at ``cache_dir/<sha256>``, downloaded once and re-hashed
        (locally) on each call. Raises NotFound, CorruptArtifact, InvalidArgument."""
        target = Path(cache_dir) / _check_sha(sha256)
        if target.is_file() and sha256_file(target) == sha256:
            return target
        return self.fetch(sha256, target)

    def list_shas(self) -> list[str]:
        """Every stored sha256, sorted (temp files and foreign names are ignored)."""
        base = f"{self._root}/sha256"
        self._fs.invalidate_cache(base)
        shas = []
        for path in self._fs.find(base):
            parent, _, name = str(path).rstrip("/").rpartition("/")
            if _SHA256.fullmatch(name) and parent.endswith(f"/{name[:2]}"):
                shas.append(name)
        return sorted(shas)

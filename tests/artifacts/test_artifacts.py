"""The artifact store, on a local folder and on a real S3 protocol server (moto)."""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fsspec
import pytest
from fsspec import AbstractFileSystem

from modelport.artifacts import CHUNK_SIZE, ArtifactRef, ArtifactStore
from modelport.errors import CorruptArtifact, InvalidArgument, NotFound, PayloadTooLarge
from modelport.settings import Settings

BUCKET = "modelport-artifacts"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Backend:
    """A store, plus a raw file system to look at (and damage) its objects behind its back."""

    kind: str
    store: ArtifactStore
    raw: AbstractFileSystem
    root: str  # root path without protocol

    def object_path(self, sha256: str) -> str:
        return f"{self.root}/sha256/{sha256[:2]}/{sha256}"

    def overwrite(self, sha256: str, data: bytes) -> None:
        self.raw.pipe_file(self.object_path(sha256), data)
        self.raw.invalidate_cache()

    def all_files(self) -> list[str]:
        self.raw.invalidate_cache()
        return sorted(str(p) for p in self.raw.find(self.root))


def s3_options(endpoint: str) -> dict[str, Any]:
    return {"key": "test", "secret": "test", "client_kwargs": {"endpoint_url": endpoint}}


@pytest.fixture(scope="session")
def s3_bucket(s3_server: str) -> str:
    fs = fsspec.filesystem("s3", skip_instance_cache=True, **s3_options(s3_server))
    fs.mkdir(BUCKET)
    return BUCKET


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "local":
        root = str(tmp_path / "store")
        return Backend("local", ArtifactStore(root), fsspec.filesystem("file", auto_mkdir=True), root)
    endpoint: str = request.getfixturevalue("s3_server")
    bucket: str = request.getfixturevalue("s3_bucket")
    root = f"{bucket}/{uuid.uuid4().hex}"
    raw = fsspec.filesystem("s3", skip_instance_cache=True, **s3_options(endpoint))
    return Backend("s3", ArtifactStore(f"s3://{root}", s3_options(endpoint)), raw, root)


@pytest.fixture
def store(backend: Backend) -> ArtifactStore:
    return backend.store


def failing_stream(chunks: list[bytes], check: Callable[[], None] = lambda: None) -> Iterator[bytes]:
    for chunk in chunks:
        check()
        yield chunk
    raise OSError("connection reset by peer")


# -- round trips --------------------------------------------------------------------------------------


def test_put_bytes_round_trip(backend: Backend, tmp_path: Path) -> None:
    store, data = backend.store, b"model bytes \x00\xff" * 100
    ref = store.put_bytes(data)
    assert ref == ArtifactRef(uri=ref.uri, sha256=sha(data), size=len(data))
    prefix = "file:///" if backend.kind == "local" else f"s3://{backend.root}/"
    assert ref.uri.startswith(prefix)
    assert ref.uri.endswith(f"/sha256/{ref.sha256[:2]}/{ref.sha256}")
    assert store.exists(ref.sha256)
    assert store.size(ref.sha256) == len(data)
    assert store.read_bytes(ref.sha256) == data
    assert b"".join(store.open_verified(ref.sha256)) == data
    dest = store.fetch(ref.sha256, tmp_path / "out" / "model.bin")
    assert dest == tmp_path / "out" / "model.bin"
    assert dest.read_bytes() == data
    assert os.listdir(dest.parent) == ["model.bin"]
    assert store.list_shas() == [ref.sha256]


def test_local_uri_is_absolute_file_uri(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    ref = ArtifactStore("relative/store").put_bytes(b"x")
    assert ref.uri == f"file://{tmp_path}/relative/store/sha256/{ref.sha256[:2]}/{ref.sha256}"
    assert Path(ref.uri.removeprefix("file://")).read_bytes() == b"x"


def test_multi_chunk_stream_round_trip(store: ArtifactStore) -> None:
    data = os.urandom(2 * CHUNK_SIZE + 12345)
    ref = store.put_stream(io.BytesIO(data))
    assert (ref.sha256, ref.size) == (sha(data), len(data))
    chunks = list(store.open_verified(ref.sha256))
    assert len(chunks) == 3
    assert all(len(c) <= CHUNK_SIZE for c in chunks)
    assert b"".join(chunks) == data


def test_put_stream_accepts_iterable_of_bytes(store: ArtifactStore) -> None:
    ref = store.put_stream([b"abc", b"", b"def"])
    assert store.read_bytes(ref.sha256) == b"abcdef"


def test_put_file_is_idempotent(
    store: ArtifactStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "model.onnx"
    src.write_bytes(b"onnx model" * 1000)
    publishes: list[str] = []
    publish = store._publish

    def spy(spool: str, final: str) -> None:
        publishes.append(final)
        publish(spool, final)

    monkeypatch.setattr(store, "_publish", spy)
    first = store.put_file(src)
    assert store.put_file(src) == first
    assert store.put_bytes(src.read_bytes()) == first
    assert len(publishes) == 1
    assert store.list_shas() == [first.sha256]


def test_put_repairs_a_truncated_object(backend: Backend) -> None:
    store, data = backend.store, b"0123456789" * 50
    ref = store.put_bytes(data)
    backend.overwrite(ref.sha256, data[:10])
    with pytest.raises(CorruptArtifact):
        store.read_bytes(ref.sha256)
    assert store.put_bytes(data) == ref
    assert store.read_bytes(ref.sha256) == data


def test_distinct_contents_are_listed(store: ArtifactStore) -> None:
    refs = [store.put_bytes(bytes([i]) * (i + 1)) for i in range(5)]
    assert store.list_shas() == sorted(r.sha256 for r in refs)


def test_delete(store: ArtifactStore) -> None:
    keep, gone = store.put_bytes(b"keep"), store.put_bytes(b"gone")
    store.delete(gone.sha256)
    assert not store.exists(gone.sha256)
    assert store.list_shas() == [keep.sha256]
    store.delete(gone.sha256)  # absent: no error


def test_list_shas_ignores_foreign_files(backend: Backend) -> None:
    ref = backend.store.put_bytes(b"real")
    backend.raw.pipe_file(f"{backend.root}/sha256/{ref.sha256[:2]}/{ref.sha256}.part", b"temp")
    backend.raw.pipe_file(f"{backend.root}/sha256/00/{ref.sha256}", b"misplaced")
    backend.raw.pipe_file(f"{backend.root}/sha256/notes.txt", b"readme")
    backend.raw.invalidate_cache()
    assert backend.store.list_shas() == [ref.sha256]


def test_empty_store(store: ArtifactStore) -> None:
    assert store.list_shas() == []
    assert not store.exists("0" * 64)


# -- limits and refusals ------------------------------------------------------------------------------


def test_put_stream_size_limit(backend: Backend) -> None:
    store = backend.store
    with pytest.raises(PayloadTooLarge) as err:
        store.put_stream(iter([b"a" * 1000] * 3), max_bytes=2500)
    assert err.value.field == "file"
    assert err.value.details == {"max_bytes": 2500}
    assert store.list_shas() == []
    assert backend.all_files() == []
    assert store.put_stream(iter([b"a" * 1000] * 3), max_bytes=3000).size == 3000


PUT_EMPTY: dict[str, Callable[[ArtifactStore], object]] = {
    "bytes": lambda store: store.put_bytes(b""),
    "file object": lambda store: store.put_stream(io.BytesIO(b"")),
    "iterable": lambda store: store.put_stream([b"", b""]),
}


@pytest.mark.parametrize("put", PUT_EMPTY.values(), ids=PUT_EMPTY.keys())
def test_empty_content_is_refused(
    backend: Backend, tmp_path: Path, put: Callable[[ArtifactStore], object]
) -> None:
    store = backend.store
    with pytest.raises(InvalidArgument, match="empty file") as err:
        put(store)
    assert err.value.field == "file"
    empty_file = tmp_path / "empty.bin"
    empty_file.touch()
    with pytest.raises(InvalidArgument, match="empty file"):
        store.put_file(empty_file)
    assert backend.all_files() == []


BAD_SHAS = ["../../etc/passwd", "A" * 64, "a" * 63, "a" * 65, "g" * 64, "", f"../{'a' * 61}", "a" * 64 + "\n"]


@pytest.mark.parametrize("bad", BAD_SHAS)
def test_bad_sha_is_refused(store: ArtifactStore, tmp_path: Path, bad: str) -> None:
    calls: list[Callable[[], object]] = [
        lambda: store.exists(bad),
        lambda: store.size(bad),
        lambda: store.read_bytes(bad),
        lambda: store.open_verified(bad),
        lambda: store.fetch(bad, tmp_path / "x"),
        lambda: store.delete(bad),
        lambda: store.local_cache_path(bad, tmp_path / "cache"),
    ]
    for call in calls:
        with pytest.raises(InvalidArgument) as err:
            call()
        assert err.value.field == "sha256"
    assert not (tmp_path / "x").exists()
    assert not (tmp_path / "cache").exists()


def test_not_found(store: ArtifactStore, tmp_path: Path) -> None:
    absent = sha(b"never stored")
    store.put_bytes(b"something else")
    assert not store.exists(absent)
    for call in (
        lambda: store.size(absent),
        lambda: store.read_bytes(absent),
        lambda: store.open_verified(absent),  # raised at the call, before any chunk
        lambda: store.fetch(absent, tmp_path / "out" / "x"),
        lambda: store.local_cache_path(absent, tmp_path / "cache"),
    ):
        with pytest.raises(NotFound):
            call()
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "cache").exists()


# -- corruption -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["same size", "other size"])
def test_corrupt_object_is_detected(backend: Backend, tmp_path: Path, damage: str) -> None:
    store, data = backend.store, os.urandom(CHUNK_SIZE + 100)
    ref = store.put_bytes(data)
    bad = bytes([data[0] ^ 1]) + data[1:] if damage == "same size" else data + b"tail"
    backend.overwrite(ref.sha256, bad)

    with pytest.raises(CorruptArtifact) as err:
        store.read_bytes(ref.sha256)
    assert err.value.details == {"expected": ref.sha256, "actual": sha(bad)}

    dest = tmp_path / "out" / "model.bin"
    with pytest.raises(CorruptArtifact):
        store.fetch(ref.sha256, dest)
    assert os.listdir(dest.parent) == []  # no dest, no temp file left

    dest.write_bytes(b"previous version")
    with pytest.raises(CorruptArtifact):
        store.fetch(ref.sha256, dest)
    assert dest.read_bytes() == b"previous version"
    assert os.listdir(dest.parent) == ["model.bin"]

    # A streaming reader gets the chunks, then learns of the corruption at the end.
    received: list[bytes] = []
    with pytest.raises(CorruptArtifact):
        received.extend(store.open_verified(ref.sha256))
    assert b"".join(received) == bad

    with pytest.raises(CorruptArtifact):
        store.local_cache_path(ref.sha256, tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


# -- atomicity ------------------------------------------------------------------------------------------


def test_failed_stream_leaves_nothing(backend: Backend) -> None:
    store = backend.store
    chunks = [os.urandom(CHUNK_SIZE), os.urandom(1000)]
    with pytest.raises(OSError, match="connection reset"):
        store.put_stream(failing_stream(chunks))
    assert store.list_shas() == []
    assert backend.all_files() == []
    assert not store.exists(sha(b"".join(chunks)))


def test_object_invisible_until_complete(backend: Backend) -> None:
    store, chunks = backend.store, [b"a" * 1000, b"b" * 1000, b"c" * 1000]
    full = sha(b"".join(chunks))

    def nothing_visible() -> None:
        assert not store.exists(full)
        assert store.list_shas() == []

    def stream() -> Iterator[bytes]:
        for chunk in chunks:
            nothing_visible()
            yield chunk

    assert store.put_stream(stream()).sha256 == full
    assert store.list_shas() == [full]
    assert [p for p in backend.all_files() if not p.endswith(full)] == []


def test_failed_publish_leaves_nothing(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(spool: str, final: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(backend.store, "_publish", broken)
    with pytest.raises(OSError, match="disk full"):
        backend.store.put_bytes(b"data")
    assert backend.all_files() == []


def test_fetch_failure_midway_keeps_dest(
    backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = backend.store
    ref = store.put_bytes(os.urandom(3 * CHUNK_SIZE))
    dest = tmp_path / "out" / "model.bin"
    dest.parent.mkdir()
    dest.write_bytes(b"old")

    def interrupted(sha256: str) -> Iterator[bytes]:
        yield b"partial"
        raise OSError("connection reset by peer")

    monkeypatch.setattr(store, "_verified_chunks", interrupted)
    with pytest.raises(OSError, match="connection reset"):
        store.fetch(ref.sha256, dest)
    assert dest.read_bytes() == b"old"
    assert os.listdir(dest.parent) == ["model.bin"]


# -- local cache ----------------------------------------------------------------------------------------


def test_local_cache_path(backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store, data = backend.store, b"weights" * 1000
    ref = store.put_bytes(data)
    cache = tmp_path / "cache"
    fetches: list[str] = []
    fetch = store.fetch

    def spy(sha256: str, dest: Path) -> Path:
        fetches.append(sha256)
        return fetch(sha256, dest)

    monkeypatch.setattr(store, "fetch", spy)

    path = store.local_cache_path(ref.sha256, cache)
    assert path == cache / ref.sha256
    assert path.read_bytes() == data
    assert store.local_cache_path(ref.sha256, cache) == path
    assert fetches == [ref.sha256]  # downloaded once

    path.write_bytes(b"tampered")  # a damaged cache copy is replaced, never returned
    assert store.local_cache_path(ref.sha256, cache).read_bytes() == data
    assert len(fetches) == 2
    assert sorted(os.listdir(cache)) == [ref.sha256]


# -- settings -------------------------------------------------------------------------------------------


@pytest.mark.s3
def test_from_settings_s3(s3_server: str, s3_bucket: str) -> None:
    prefix = uuid.uuid4().hex
    settings = Settings(
        artifact_root=f"s3://{s3_bucket}/{prefix}",
        s3_endpoint_url=s3_server,
        s3_access_key_id="test",
        s3_secret_access_key="test",
        s3_region="us-east-1",
    )
    store = ArtifactStore.from_settings(settings)
    ref = store.put_bytes(b"from settings")
    assert ref.uri == f"s3://{s3_bucket}/{prefix}/sha256/{ref.sha256[:2]}/{ref.sha256}"
    assert ArtifactStore.from_settings(settings).read_bytes(ref.sha256) == b"from settings"


def test_from_settings_s3_options() -> None:
    settings = Settings(
        artifact_root="s3://bucket/some/prefix",
        s3_endpoint_url="http://minio:9000",
        s3_access_key_id="access",
        s3_secret_access_key="s3cr3t",
        s3_region="eu-west-3",
    )
    store = ArtifactStore.from_settings(settings)  # builds a client lazily: no connection here
    assert store.root_uri == "s3://bucket/some/prefix"
    fs: Any = store._fs
    assert (fs.key, fs.secret) == ("access", "s3cr3t")
    assert fs.client_kwargs == {"endpoint_url": "http://minio:9000", "region_name": "eu-west-3"}
    bare: Any = ArtifactStore.from_settings(Settings(artifact_root="s3://bucket"))._fs
    assert (bare.key, bare.secret, bare.client_kwargs) == (None, None, {})


def test_from_settings_local_default(tmp_path: Path) -> None:
    store = ArtifactStore.from_settings(Settings(home=tmp_path, artifact_root=None))
    assert store.root_uri == f"file://{tmp_path}/artifacts"
    ref = store.put_bytes(b"local")
    assert (tmp_path / "artifacts" / "sha256" / ref.sha256[:2] / ref.sha256).read_bytes() == b"local"

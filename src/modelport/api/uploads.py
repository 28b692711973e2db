"""Receiving uploaded files: copied to a temporary file with a size limit, removed afterwards."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath

from starlette.datastructures import UploadFile

from modelport.batch.cleanup import owned_prefix
from modelport.errors import InvalidArgument, PayloadTooLarge


@contextmanager
def spooled(upload: UploadFile, tmp_dir: Path, max_bytes: int, field: str) -> Iterator[Path]:
    """Copy ``upload`` to a temporary file (refusing empty or oversized files) and remove it at the end.
    The file keeps the upload's extension (:func:`safe_suffix`): readers and model flavors that go by
    a file's name (openpyxl, MLflow) see ``data.xlsx``, not ``data``.
    The folder is named after this process, so that a sweep after a kill removes it
    (:func:`modelport.batch.cleanup.sweep`)."""
    folder = Path(tempfile.mkdtemp(prefix=owned_prefix("upload"), dir=tmp_dir))
    path = folder / f"data{safe_suffix(upload.filename)}"
    try:
        size = 0
        with path.open("wb") as out:
            while chunk := upload.file.read(1 << 20):
                size += len(chunk)
                if size > max_bytes:
                    raise PayloadTooLarge(
                        f"{upload.filename or field} is larger than the {max_bytes} byte upload limit",
                        field=field,
                    )
                out.write(chunk)
        if size == 0:
            raise InvalidArgument(f"{upload.filename or field} is empty", field=field)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


_SUFFIX = re.compile(r"^\.[a-z0-9]{1,16}$")


def safe_suffix(filename: str | None) -> str:
    """The extension of an uploaded file's name, lower case, when it is a plain one (``.xlsx``,
    ``.csv``, ``.parquet``); else ``""``. Never a path: the name itself is not trusted."""
    suffix = PurePath((filename or "").replace("\\", "/")).suffix.lower()
    return suffix if _SUFFIX.match(suffix) else ""

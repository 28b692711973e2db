"""Files sent to browsers and spreadsheets."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from fastapi.responses import StreamingResponse

EXCEL_CSV = "csv-excel"
"""The download format of a CSV file for Excel: UTF-8 with a byte-order mark."""


def csv_for_excel(path: Path, filename: str) -> StreamingResponse:
    """The UTF-8 CSV file at ``path`` with a byte-order mark in front, sent as ``filename``.

    Excel opens a CSV file in the system's legacy code page (Windows-1252 in Western Europe) unless it
    starts with a UTF-8 byte-order mark, so without one "Société" shows as "SociÃ©tÃ©". The file is
    streamed; the stored one is left as it is (plain UTF-8, for every other reader)."""

    def chunks() -> Iterator[bytes]:
        yield codecs.BOM_UTF8
        with path.open("rb") as fh:
            while block := fh.read(1 << 20):
                yield block

    size = path.stat().st_size + len(codecs.BOM_UTF8)
    quoted = quote(filename)
    disposition = (
        f'attachment; filename="{filename}"'
        if quoted == filename
        else f"attachment; filename*=utf-8''{quoted}"
    )
    return StreamingResponse(
        chunks(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition, "Content-Length": str(size)},
    )

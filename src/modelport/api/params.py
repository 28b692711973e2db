"""Shared parameter types: ids and page numbers stay inside what the database columns hold."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

MAX_ID = 2**31 - 1  # the id columns are 32-bit integers

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="A numeric id.")]
PageNo = Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1.")]

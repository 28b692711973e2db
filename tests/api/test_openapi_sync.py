"""The web app's client types are generated from ``frontend/openapi.json``: it must be the app's schema.

``npm --prefix frontend run gen:api`` writes that file from ``create_app(...).openapi()`` and generates
``frontend/src/api/schema.d.ts`` from it; an API change committed without running it would leave the
web client typed against an API that no longer exists.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from modelport.api.app import create_app
from modelport.settings import Settings

COMMITTED = Path(__file__).resolve().parents[2] / "frontend" / "openapi.json"
REGENERATE = (
    "run `npm --prefix frontend run gen:api` and commit frontend/openapi.json"
    " and frontend/src/api/schema.d.ts"
)


def differences(committed: Any, live: Any, where: str = "") -> list[str]:
    """Where two JSON documents differ, as JSON-pointer-like paths (the first difference of each branch)."""
    if isinstance(committed, dict) and isinstance(live, dict):
        found: list[str] = []
        for key in sorted(committed.keys() | live.keys()):
            here = f"{where}/{key}"
            if key not in live:
                found.append(f"{here} (only in the committed file)")
            elif key not in committed:
                found.append(f"{here} (only in the app)")
            else:
                found.extend(differences(committed[key], live[key], here))
        return found
    return [] if committed == live else [where or "/"]


def test_differences_name_where_documents_part() -> None:
    committed = {"paths": {"/a": {"get": 1}, "/b": {}}, "info": {"version": "1"}}
    live = {"paths": {"/a": {"get": 2}, "/c": {}}, "info": {"version": "1"}}
    assert differences(committed, live) == [
        "/paths//a/get",
        "/paths//b (only in the committed file)",
        "/paths//c (only in the app)",
    ]
    assert differences(committed, committed) == []


def test_committed_openapi_is_the_apps_schema(tmp_path: Path) -> None:
    # Through JSON and back, as gen:api writes it (tuples become lists, keys become strings).
    live = json.loads(json.dumps(create_app(Settings(home=tmp_path)).openapi()))
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    found = differences(committed, live)
    shown = ", ".join(found[:12]) + (f" and {len(found) - 12} more" if len(found) > 12 else "")
    assert not found, f"frontend/openapi.json is not the API's schema ({shown}): {REGENERATE}"

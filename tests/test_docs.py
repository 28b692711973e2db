"""The README's configuration table lists every setting, so docs cannot drift from the code."""

from __future__ import annotations

from pathlib import Path

from modelport.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_lists_every_setting() -> None:
    text = README.read_text()
    missing = [name for name in Settings.model_fields if f"`MODELPORT_{name.upper()}`" not in text]
    assert missing == []
    assert text.index("make run") < text.index("## Configuration")
    assert text.index("make test") < text.index("## Configuration")

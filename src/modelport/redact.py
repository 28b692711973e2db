"""Secrets never reach the logs: every log record is scrubbed of tokens, passwords and codes.

The scrubbing runs where records are made (``logging.setLogRecordFactory``), so it covers every
logger and handler of the process: ours, uvicorn's access log (which prints query strings, hence
OAuth ``code`` and ``state``), httpx's request lines, and any library that logs a header by mistake.
"""

from __future__ import annotations

import logging
import re
from typing import Any

MASK = "***"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # modelport API tokens: keep the public prefix, which identifies the token without revealing it.
    (re.compile(r"\b(mp_[A-Za-z0-9]{8}_)[A-Za-z0-9_-]{6,}"), r"\1" + MASK),
    # JSON Web Tokens (ID and access tokens, signed state).
    (re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), "<jwt " + MASK + ">"),
    # Authorization header values (modelport tokens were handled above, keeping their prefix).
    (re.compile(r"(?i)\b(bearer|basic)\s+(?!mp_)[A-Za-z0-9._~+/=-]{6,}"), r"\1 " + MASK),
    # Query parameters and cookies that carry secrets.
    (
        re.compile(
            r"(?i)([?&;]\s*(?:code|state|code_verifier|token|access_token|id_token|refresh_token|password"
            r"|client_secret)=)[^&\s'\";]+"
        ),
        r"\1" + MASK,
    ),
    (re.compile(r"\b(modelport_(?:session|csrf|sso)=)[^;\s'\"]+"), r"\1" + MASK),
    # "password": "...", secret=..., csrf_token: ... (JSON, key=value, headers).
    (
        re.compile(
            r"""(?i)(["']?[\w-]*(?:password|passwd|secret|token|code_verifier)["']?\s*[:=]\s*)"""
            r"""(?:"[^"]*"|'[^']*'|[^\s,;&}'"]+)"""
        ),
        r"\1" + MASK,
    ),
]


def redact(text: str) -> str:
    """``text`` with every secret-looking value replaced by ``***``."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _scrub_arg(value: Any) -> Any:
    if value is None or isinstance(value, (int, float)):
        return value  # keeps %d and %f formatting intact
    text = str(value)
    cleaned = redact(text)
    return value if cleaned == text else cleaned


def scrub(record: logging.LogRecord) -> logging.LogRecord:
    """Redact a record's message and arguments in place (and return it)."""
    if isinstance(record.msg, str):
        record.msg = redact(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(_scrub_arg(a) for a in record.args)
    elif isinstance(record.args, dict):
        record.args = {k: _scrub_arg(v) for k, v in record.args.items()}
    return record


def install() -> None:
    """Scrub every log record made from now on in this process (idempotent)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "modelport_redacting", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return scrub(current(*args, **kwargs))

    factory.modelport_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)

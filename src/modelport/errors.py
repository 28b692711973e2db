"""The one error hierarchy of modelport.

Every error a user can cause is a :class:`ModelportError` with a stable ``code`` and an HTTP status.
The API maps them to one body shape (``{"error": {"code", "message", "field", "details"}}``) in one
exception handler, and the SDK maps status codes back to the same classes.
"""

from __future__ import annotations

from typing import Any


class ModelportError(Exception):
    """Base class: ``code`` is a stable machine name, ``http_status`` the HTTP answer."""

    code: str = "internal_error"
    http_status: int = 500

    def __init__(self, message: str, *, field: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        if self.details is not None:
            body["details"] = self.details
        return {"error": body}


class InvalidArgument(ModelportError):
    code = "invalid_argument"
    http_status = 422


class BadRequest(ModelportError):
    code = "bad_request"
    http_status = 400


class Unauthenticated(ModelportError):
    code = "unauthenticated"
    http_status = 401


class Forbidden(ModelportError):
    code = "forbidden"
    http_status = 403


class NotFound(ModelportError):
    code = "not_found"
    http_status = 404


class AlreadyExists(ModelportError):
    code = "already_exists"
    http_status = 409


class Conflict(ModelportError):
    code = "conflict"
    http_status = 409


class PayloadTooLarge(ModelportError):
    code = "payload_too_large"
    http_status = 413


class UnsupportedMediaType(ModelportError):
    """A request body of another media type (Content-Type) than the route takes."""

    code = "unsupported_media_type"
    http_status = 415


class TooManyRequests(ModelportError):
    code = "too_many_requests"
    http_status = 429


class CorruptArtifact(ModelportError):
    """A stored file no longer matches its sha256: it is reported, never loaded."""

    code = "corrupt_artifact"
    http_status = 500


class UnsupportedModel(InvalidArgument):
    """An uploaded file is not a model modelport can load (or is corrupt)."""

    code = "unsupported_model"


ERRORS_BY_CODE: dict[str, type[ModelportError]] = {
    cls.code: cls
    for cls in (
        ModelportError,
        InvalidArgument,
        BadRequest,
        Unauthenticated,
        Forbidden,
        NotFound,
        AlreadyExists,
        Conflict,
        PayloadTooLarge,
        UnsupportedMediaType,
        TooManyRequests,
        CorruptArtifact,
        UnsupportedModel,
    )
}

ERRORS_BY_STATUS: dict[int, type[ModelportError]] = {
    400: BadRequest,
    401: Unauthenticated,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    422: InvalidArgument,
    429: TooManyRequests,
}

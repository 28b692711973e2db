"""Domain objects and API bodies (pydantic). Stores return these, never ORM rows."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from modelport.columns import ModelSchema

T = TypeVar("T")

SLUG = r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$"
USERNAME = r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$"
ALIAS = r"^[a-z][a-z0-9_-]{0,63}$"
LABEL = r"^[A-Za-z0-9][A-Za-z0-9 ._&/+-]{0,99}$"

DEPARTMENTS = ("rd", "marketing", "supply-chain", "sales", "hr", "finance")


class Role(enum.StrEnum):
    """The four roles; each one can do what the one before it can, and more."""

    viewer = "viewer"
    business_user = "business_user"
    data_scientist = "data_scientist"
    admin = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


class Strict(BaseModel):
    """Request bodies refuse unknown fields, so a typo is a 422 that names it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


# --- users and tokens -------------------------------------------------------------------------


class User(BaseModel):
    id: int
    username: str
    email: str | None = None
    display_name: str | None = None
    role: Role
    department: str | None = None
    auth_source: str = "local"
    is_active: bool = True
    created_at: datetime
    last_login_at: datetime | None = None


class UserCreate(Strict):
    username: str = Field(pattern=USERNAME)
    password: str | None = Field(default=None, min_length=10, max_length=200)
    role: Role = Role.viewer
    department: str | None = Field(default=None, pattern=SLUG)
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    display_name: str | None = Field(default=None, max_length=200)


class UserUpdate(Strict):
    password: str | None = Field(default=None, min_length=10, max_length=200)
    role: Role | None = None
    department: str | None = Field(default=None, pattern=SLUG)
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    display_name: str | None = Field(default=None, max_length=200)
    is_active: bool | None = None


class LoginRequest(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class LoginResponse(BaseModel):
    user: User
    csrf_token: str


class ApiToken(BaseModel):
    id: int
    user_id: int
    username: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class ApiTokenCreate(Strict):
    name: str = Field(min_length=1, max_length=100)
    expires_in_days: int | None = Field(default=None, gt=0)


class ApiTokenCreated(BaseModel):
    token: str = Field(description="The secret token. Shown once: only its hash is stored.")
    api_token: ApiToken


# --- catalog ------------------------------------------------------------------------------------

Visibility = Literal["company", "restricted"]


def _labels(values: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        seen.setdefault(v.strip(), None)
    return list(seen)


class ModelCreate(Strict):
    name: str = Field(pattern=SLUG, description="Unique slug: lowercase letters, digits and hyphens.")
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=100_000, description="Model card in Markdown.")
    department: str = Field(pattern=SLUG)
    markets: list[str] = Field(default_factory=list, max_length=100)
    brands: list[str] = Field(default_factory=list, max_length=100)
    use_case: str | None = Field(default=None, max_length=200)
    tags: list[str] = Field(default_factory=list, max_length=50)
    visibility: Visibility = "company"

    @field_validator("markets", "brands", "tags")
    @classmethod
    def _check_labels(cls, values: list[str]) -> list[str]:
        import re

        for v in values:
            if not re.match(LABEL, v.strip()):
                raise ValueError(f"{v!r} is not a valid label (letters, digits, spaces and ._&/+- only)")
        return _labels(values)

    @field_validator("markets")
    @classmethod
    def _upper_markets(cls, values: list[str]) -> list[str]:
        return _labels([v.upper() for v in values])


class ModelUpdate(Strict):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=100_000)
    department: str | None = Field(default=None, pattern=SLUG)
    markets: list[str] | None = Field(default=None, max_length=100)
    brands: list[str] | None = Field(default=None, max_length=100)
    use_case: str | None = Field(default=None, max_length=200)
    tags: list[str] | None = Field(default=None, max_length=50)
    visibility: Visibility | None = None
    owner: str | None = Field(default=None, pattern=USERNAME, description="Hand the model to another user.")

    _check = field_validator("markets", "brands", "tags")(ModelCreate._check_labels.__func__)  # type: ignore[attr-defined]

    @field_validator("markets")
    @classmethod
    def _upper_markets(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else _labels([v.upper() for v in values])


class Model(BaseModel):
    id: int
    name: str
    title: str
    description: str
    department: str
    markets: list[str]
    brands: list[str]
    use_case: str | None
    tags: list[str]
    visibility: Visibility
    owner: str
    latest_version: int
    version_count: int
    flavors: list[str] = Field(default_factory=list)
    aliases: dict[str, int] = Field(default_factory=dict, description="alias -> version number")
    created_at: datetime
    updated_at: datetime


class Artifact(BaseModel):
    uri: str
    sha256: str
    size: int


class ModelVersion(BaseModel):
    id: int
    model: str
    version: int
    description: str
    flavor: str
    format: str
    safe_format: bool = Field(description="True when loading the file cannot run code (ONNX, skops, native).")
    model_type: str
    filename: str
    artifact: Artifact
    input_schema: ModelSchema
    output_schema: ModelSchema
    example: dict[str, Any]
    metrics: dict[str, float]
    params: dict[str, Any]
    training_data: str | None
    source_version: str | None
    created_by: str
    created_at: datetime
    aliases: list[str] = Field(default_factory=list)


class VersionMeta(Strict):
    """The card of a new version, sent beside its file."""

    description: str = Field(default="", max_length=100_000)
    metrics: dict[str, float] = Field(default_factory=dict)
    params: dict[str, Any] = Field(default_factory=dict)
    training_data: str | None = Field(default=None, max_length=1024)
    source_version: str | None = Field(default=None, max_length=255)
    flavor: str | None = Field(default=None, description="Force a flavor instead of detecting it.")
    aliases: list[str] = Field(default_factory=list, description="Aliases to point at the new version.")

    @field_validator("aliases")
    @classmethod
    def _check_aliases(cls, values: list[str]) -> list[str]:
        import re

        for v in values:
            if not re.match(ALIAS, v):
                raise ValueError(f"{v!r} is not a valid alias (lowercase letter first, then a-z 0-9 _ -)")
        return values


class AliasSet(Strict):
    version: int = Field(gt=0)


class FacetCount(BaseModel):
    value: str
    count: int


class ModelSearch(BaseModel):
    items: list[Model]
    total: int
    page: int
    page_size: int
    facets: dict[str, list[FacetCount]]


SortKey = Literal["relevance", "name", "-name", "updated", "-updated", "created", "-created"]


class SearchQuery(BaseModel):
    q: str | None = None
    department: list[str] = Field(default_factory=list)
    market: list[str] = Field(default_factory=list)
    brand: list[str] = Field(default_factory=list)
    flavor: list[str] = Field(default_factory=list)
    owner: list[str] = Field(default_factory=list)
    tag: list[str] = Field(default_factory=list)
    sort: SortKey = "-updated"
    page: int = Field(default=1, ge=1)
    page_size: int = Field(default=20, ge=1)


# --- audit --------------------------------------------------------------------------------------


class AuditEvent(BaseModel):
    id: int
    at: datetime
    actor: str | None
    action: str
    target_type: str
    target: str | None
    details: dict[str, Any]
    ip: str | None
    user_agent: str | None

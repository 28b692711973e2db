"""Domain objects and API bodies (pydantic). Stores return these, never ORM rows."""

from __future__ import annotations

import enum
import re
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

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


def _check_labels(values: list[str] | None) -> list[str] | None:
    """Markets, brands and tags: plain labels, deduplicated in order."""
    if values is None:
        return None
    for v in values:
        if not re.match(LABEL, v.strip()):
            raise ValueError(f"{v!r} is not a valid label (letters, digits, spaces and ._&/+- only)")
    return _labels(values)


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

    _check = field_validator("markets", "brands", "tags")(_check_labels)

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

    _check = field_validator("markets", "brands", "tags")(_check_labels)

    @field_validator("markets")
    @classmethod
    def _upper_markets(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else _labels([v.upper() for v in values])


ModelState = Literal["active", "archived"]


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
    state: ModelState = Field(
        default="active", description="archived: hidden from search unless asked for, and not deployable."
    )
    archived_at: datetime | None = None


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
    lineage: Lineage | None = Field(default=None, description="The dataset and training it came from.")
    reference: ReferenceData | None = Field(default=None, description="Training-data sample for drift.")


def _aliases(values: list[str]) -> list[str]:
    """Refuse a name that is not a valid alias (the aliases a new version gets)."""
    for v in values:
        if not re.match(ALIAS, v):
            raise ValueError(f"{v!r} is not a valid alias (lowercase letter first, then a-z 0-9 _ -)")
    return values


class VersionMeta(Strict):
    """The card of a new version, sent beside its file."""

    description: str = Field(default="", max_length=100_000)
    metrics: dict[str, float] = Field(default_factory=dict)
    params: dict[str, Any] = Field(default_factory=dict)
    training_data: str | None = Field(default=None, max_length=1024)
    source_version: str | None = Field(default=None, max_length=255)
    flavor: str | None = Field(default=None, description="Force a flavor instead of detecting it.")
    aliases: list[str] = Field(default_factory=list, description="Aliases to point at the new version.")

    _check_aliases = field_validator("aliases")(_aliases)


class MlflowRegister(Strict):
    """Register an MLflow model of the configured tracking server as a new version."""

    uri: str = Field(
        min_length=1,
        max_length=2048,
        description="runs:/<run id>/<path>, models:/<name>/<version> or models:/<name>@<alias>.",
    )
    description: str = Field(default="", max_length=100_000)
    aliases: list[str] = Field(default_factory=list, description="Aliases to point at the new version.")

    _check_aliases = field_validator("aliases")(_aliases)


class ColumnEdit(Strict):
    """Changes to one column of a version's input schema; a field left out is left as it is."""

    name: str = Field(min_length=1, max_length=256, description="The column to change.")
    nullable: bool | None = Field(
        default=None, description="true: the column may be left blank; false: a value is required."
    )
    categories: list[Annotated[str, Field(min_length=1, max_length=256)]] | None = Field(
        default=None,
        min_length=1,
        max_length=10_000,
        description="Allowed values of a string or integer column (others are flagged); null removes them.",
    )
    description: str | None = Field(default=None, max_length=2_000, description="null removes it.")


class SchemaEdit(Strict):
    """Changes to a version's input schema, column by column (its columns and types stay)."""

    columns: list[ColumnEdit] = Field(min_length=1, max_length=10_000)


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
    facets: bool = True
    state: Literal["active", "archived", "all"] = "active"


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


# --- deployments and executions ---------------------------------------------------------------


class ScheduleSpec(Strict):
    """A cron schedule (5 fields, croniter syntax) in a time zone (IANA name)."""

    cron: str = Field(min_length=1, max_length=120, examples=["0 6 * * 1"])
    timezone: str = Field(default="UTC", max_length=64, examples=["Europe/Paris"])

    @field_validator("cron")
    @classmethod
    def _check_cron(cls, value: str) -> str:
        from croniter import croniter

        if len(value.split()) != 5 or not croniter.is_valid(value):
            raise ValueError(
                f"{value!r} is not a cron expression of 5 fields (minute hour day month weekday)"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _check_tz(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone name such as Europe/Paris") from None
        return value


class InputSpec(Strict):
    """Where a scheduled or API-triggered execution reads its rows.

    ``dataset``: a file uploaded to ``/datasets`` (by sha256); ``sql``: a query on a configured
    connection, where ``:market`` is bound to the deployment's market; ``upload``: each run brings its file.
    """

    kind: Literal["upload", "dataset", "sql"] = "upload"
    dataset: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$", description="sha256 of a dataset.")
    filename: str | None = Field(default=None, max_length=255)
    connection: str | None = Field(default=None, max_length=64)
    query: str | None = Field(default=None, max_length=20_000)


class OutputSpec(Strict):
    """Where results go: always a results file; optionally rows appended to a SQL table."""

    format: Literal["parquet", "csv"] = "parquet"
    connection: str | None = Field(default=None, max_length=64)
    table: str | None = Field(
        default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$"
    )


Engine = Literal["local", "spark"]


BadRows = Literal["reject", "skip"]
"""What a run does with rows that do not fit the model's input schema."""


class DeploymentSettings(Strict):
    """What a new deployment runs with, besides its model and market: shared by one deployment's
    creation and a deployment for several markets at once."""

    description: str = Field(default="", max_length=10_000)
    params: dict[str, Any] = Field(default_factory=dict)
    schedule: ScheduleSpec | None = None
    input: InputSpec = Field(default_factory=InputSpec)
    output: OutputSpec = Field(default_factory=OutputSpec)
    engine: Engine = "local"
    on_bad_rows: BadRows = Field(
        default="reject",
        description="A row that does not fit the model's input schema: reject fails the run (default); "
        "skip scores the other rows and lists the bad ones in the run's errors file (local engine only).",
    )


class DeploymentCreate(DeploymentSettings):
    name: str = Field(pattern=SLUG)
    model: str = Field(pattern=SLUG)
    version: int | None = Field(default=None, gt=0, description="A fixed version; or give alias.")
    alias: str | None = Field(default=None, pattern=ALIAS, description="An alias the deployment follows.")
    market: str = Field(pattern=LABEL)


class DeploymentUpdate(Strict):
    version: int | None = Field(default=None, gt=0)
    alias: str | None = Field(default=None, pattern=ALIAS)
    market: str | None = Field(default=None, pattern=LABEL)
    description: str | None = Field(default=None, max_length=10_000)
    params: dict[str, Any] | None = None
    schedule: ScheduleSpec | None = Field(default=None, description="null removes the schedule.")
    input: InputSpec | None = None
    output: OutputSpec | None = None
    engine: Engine | None = None
    on_bad_rows: BadRows | None = None


DeploymentState = Literal["active", "paused"]


class Deployment(BaseModel):
    id: int
    name: str
    model: str
    model_title: str
    version: int | None
    alias: str | None
    resolved_version: int | None = Field(description="The version that answers now (alias resolved).")
    market: str
    description: str
    owner: str
    params: dict[str, Any]
    schedule: ScheduleSpec | None
    input: InputSpec
    output: OutputSpec
    engine: Engine
    on_bad_rows: BadRows = "reject"
    state: DeploymentState
    next_run_at: datetime | None
    created_at: datetime
    updated_at: datetime


# --- self-service markets (a business user deploys an opened model for a market) ---------------

ALL_MARKETS = "*"
MarketRequestStatus = Literal["pending", "approved", "declined"]


def _market(value: str) -> str:
    """A market label, upper-cased (``fr`` and ``FR`` are one market)."""
    value = value.strip()
    if not re.match(LABEL, value):
        raise ValueError(f"{value!r} is not a valid market (letters, digits, spaces and ._&/+- only)")
    return value.upper()


def _market_or_all(value: str) -> str:
    return ALL_MARKETS if value.strip() == ALL_MARKETS else _market(value)


Market = Annotated[str, AfterValidator(_market)]
MarketOrAll = Annotated[str, AfterValidator(_market_or_all)]


def _distinct_markets(markets: list[str]) -> list[str]:
    """A list of markets without repeats, where ``*`` (all markets) stands alone."""
    if ALL_MARKETS in markets and len(markets) > 1:
        raise ValueError("'*' (all markets) cannot be combined with other markets")
    repeated = sorted({m for m in markets if markets.count(m) > 1})
    if repeated:
        raise ValueError(f"market {repeated[0]!r} is listed twice")
    return markets


class _VersionOrAlias(Strict):
    version: int | None = Field(default=None, gt=0, description="A fixed version; or give alias.")
    alias: str | None = Field(default=None, pattern=ALIAS, description="An alias to follow, e.g. champion.")


class SelfServiceOpen(_VersionOrAlias):
    """Open a model's version or alias to self-service for some markets (``["*"]``: every market)."""

    markets: list[MarketOrAll] = Field(min_length=1, max_length=200, examples=[["FR", "DE"], ["*"]])

    _check_markets = field_validator("markets")(_distinct_markets)

    @model_validator(mode="after")
    def _one_target(self) -> SelfServiceOpen:
        if (self.version is None) == (self.alias is None):
            raise ValueError("give either version or alias (exactly one)")
        return self


class SelfServiceOpening(BaseModel):
    """A model's opening to self-service, as stored."""

    model: str
    version: int | None
    alias: str | None
    markets: list[str] = Field(description='Open markets, sorted; ["*"] when every market is open.')
    all_markets: bool
    opened_by: str
    opened_at: datetime
    updated_by: str
    updated_at: datetime


class MarketDeployment(BaseModel):
    """A deployment of the model, for the model page's market list."""

    name: str
    market: str
    owner: str
    state: DeploymentState


class SelfService(BaseModel):
    """What the model page shows about self-service: the open markets and what the caller may do."""

    model: str
    open: bool = Field(description="False: no market is open (version, alias, markets are empty).")
    version: int | None
    alias: str | None
    resolved_version: int | None = Field(description="The version a new deployment would serve now.")
    markets: list[str] = Field(description='Open markets, sorted; ["*"] when every market is open.')
    all_markets: bool
    opened_by: str | None
    opened_at: datetime | None
    updated_by: str | None
    updated_at: datetime | None
    deployments: list[MarketDeployment] = Field(description="Existing deployments of the model, by market.")
    suggested_names: dict[str, str] = Field(
        description="Free deployment name per open market (``{model}-{market}``, a suffix if taken)."
    )
    can_manage: bool = Field(description="The caller may open, edit, close and approve (owner or admin).")
    can_deploy: bool = Field(description="The caller may deploy an open market (business_user and up).")
    can_request: bool = Field(description="The caller may request a market (business_user and up).")
    pending_requests: int | None = Field(description="Pending market requests (only for can_manage).")


class SelfServiceInput(Strict):
    """A self-service deployment's input: a file with each run, or a stored dataset (by sha256)."""

    kind: Literal["upload", "dataset"] = "upload"
    dataset: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$", description="sha256 of a dataset.")
    filename: str | None = Field(default=None, max_length=255)


class SelfServiceDeploy(Strict):
    """Deploy an open model for one market: the deployment follows the opened version or alias."""

    market: Market = Field(examples=["FR"])
    name: str | None = Field(
        default=None, pattern=SLUG, description="Default: ``{model}-{market}``, with a suffix if taken."
    )
    description: str = Field(default="", max_length=10_000)
    input: SelfServiceInput = Field(default_factory=SelfServiceInput)
    schedule: ScheduleSpec | None = Field(default=None, description="Needs a stored input (a dataset).")
    on_bad_rows: BadRows = Field(
        default="reject",
        description="A row that does not fit the model's input schema: reject fails the run (default); "
        "skip scores the other rows and lists the bad ones in the run's errors file.",
    )


class DeploymentBulkCreate(DeploymentSettings):
    """Deploy one model for several markets at once: one deployment per market, all or none."""

    model: str = Field(pattern=SLUG)
    markets: list[Market] = Field(min_length=1, max_length=100, examples=[["FR", "DE", "IT"]])
    name_prefix: str | None = Field(
        default=None,
        pattern=SLUG,
        description="Deployments are named ``{name_prefix}-{market}`` (lowercase); default: the model name.",
    )
    version: int | None = Field(default=None, gt=0, description="A fixed version; or give alias.")
    alias: str | None = Field(default=None, pattern=ALIAS, description="An alias the deployments follow.")

    _check_markets = field_validator("markets")(_distinct_markets)


class MarketRequestCreate(Strict):
    """Ask a model's owner to open a market to self-service."""

    market: Market = Field(examples=["IT"])
    message: str = Field(default="", max_length=2000)


class MarketRequestApprove(_VersionOrAlias):
    """Approve in one click (empty body). Only when the model is not open yet: the version or alias to
    open it with."""

    @model_validator(mode="after")
    def _at_most_one(self) -> MarketRequestApprove:
        if self.version is not None and self.alias is not None:
            raise ValueError("give version or alias, not both")
        return self


class MarketRequestDecline(Strict):
    reason: str = Field(min_length=1, max_length=2000, description="Told to the requester.")


class MarketRequest(BaseModel):
    id: int
    model: str
    model_title: str
    market: str
    message: str
    status: MarketRequestStatus
    requested_by: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None = Field(description="Why it was declined.")


class PredictionWarning(BaseModel):
    """A value that was scored but deserves a look: outside its column's known categories."""

    row: int = Field(description="0-based position of the row in the request.")
    column: str
    value: Any
    reason: str = Field(examples=["not one of the 3 known values ('phone', 'shop', 'web')"])


class LoggedPrediction(BaseModel):
    """One logged online prediction request (a sample of them is logged, at most 100 rows each)."""

    id: int
    deployment: str
    version: int = Field(description="The model version that answered.")
    request_id: str = Field(description="As in the prediction's answer.")
    at: datetime
    inputs: list[dict[str, Any]] = Field(description="The request's rows, as checked against the schema.")
    outputs: list[Any] = Field(description="The predictions, one per row.")
    latency_ms: float = Field(description="Time to answer, in milliseconds.")


class PredictResponse(BaseModel):
    predictions: list[Any]
    probabilities: list[dict[str, float]] | None
    version: int
    deployment: str
    request_id: str
    warnings: list[PredictionWarning] = Field(
        default_factory=list,
        description="Values scored although the model does not know them (unknown categories).",
    )


ExecutionStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
TERMINAL_STATUSES = frozenset({"succeeded", "failed", "cancelled"})


ExecutionKind = Literal["score", "profile", "train"]


class Execution(BaseModel):
    """A unit of work on the queue: a run of a deployment (``score``), a dataset profile (``profile``) or
    a training (``train``); the deployment fields are None for the last two."""

    id: int
    kind: ExecutionKind = "score"
    deployment_id: int | None
    deployment: str | None
    model: str | None
    market: str | None
    dataset: str | None = None
    dataset_version: int | None = None
    training: int | None = None
    trigger: Literal["manual", "schedule", "api"]
    triggered_by: str | None
    scheduled_for: datetime | None
    status: ExecutionStatus
    version: int | None
    engine: Engine
    input: dict[str, Any]
    output: dict[str, Any]
    rows_read: int
    rows_written: int
    rows_total: int | None
    progress: float
    error: str | None
    summary: dict[str, Any]
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ExecutionRows(Strict):
    """Rows typed in by hand (the run form)."""

    rows: list[dict[str, Any]] = Field(min_length=1, max_length=10_000)


class ExecutionLog(BaseModel):
    id: int
    at: datetime
    level: str
    message: str


class SchedulePreview(BaseModel):
    cron: str
    timezone: str
    next: list[datetime]


# --- datasets -------------------------------------------------------------------------------------


class HeaderRename(BaseModel):
    original: str = Field(description="The header as the file had it ('' for an empty one).")
    name: str = Field(description="The column's name in the dataset.")
    reason: Literal["duplicate", "padding", "empty"]


class ParseReport(BaseModel):
    """What reading the file changed or guessed, shown beside every upload."""

    format: Literal["csv", "xlsx", "parquet"]
    encoding: str | None = Field(default=None, description="Detected text encoding (CSV only).")
    delimiter: str | None = None
    decimal: str = "."
    thousands: str | None = None
    rows: int
    columns: int
    renamed_headers: list[HeaderRename] = Field(default_factory=list)
    missing_tokens: dict[str, int] = Field(
        default_factory=dict, description="Token -> number of cells read as missing because of it."
    )
    dropped_empty_columns: list[str] = Field(default_factory=list)
    skipped_rows: int = Field(default=0, description="Blank lines and title rows left out.")
    notes: list[str] = Field(default_factory=list, description="Other findings, one sentence each.")


ColumnKind = Literal["number", "integer", "boolean", "category", "date", "text", "id"]


class HistogramBin(BaseModel):
    start: float
    end: float
    count: int


class ValueCount(BaseModel):
    value: str
    count: int


ProfileWarningCode = Literal[
    "constant",
    "all_missing",
    "many_missing",
    "id_like",
    "high_cardinality",
    "mixed_types",
    "infinities",
    "duplicated_rows",
    "class_imbalance",
    "target_leak",
]


class ProfileWarning(BaseModel):
    code: ProfileWarningCode
    column: str | None = None
    message: str


class ColumnProfile(BaseModel):
    name: str
    kind: ColumnKind
    dtype: str
    missing: int
    missing_share: float
    distinct: int
    min: float | str | None = None
    max: float | str | None = None
    mean: float | None = None
    std: float | None = None
    quantiles: dict[str, float] | None = Field(default=None, description="p5, p25, p50, p75, p95.")
    histogram: list[HistogramBin] | None = None
    top_values: list[ValueCount] | None = None


class DatasetProfile(BaseModel):
    rows: int
    columns: list[ColumnProfile]
    duplicated_rows: int
    warnings: list[ProfileWarning]
    suggested_targets: list[str]
    target: str | None = Field(default=None, description="The target the leak and imbalance checks used.")


# Cleaning steps: recorded on a dataset version, replayed by a training. Column steps become the first
# stage of the trained pipeline (the served model takes the raw columns); row steps (drop_duplicates,
# filter_rows) apply to the training data only.
CastTo = Literal["number", "integer", "boolean", "category", "date", "text"]


class DropColumnsStep(Strict):
    op: Literal["drop_columns"] = "drop_columns"
    columns: list[str] = Field(min_length=1)


class CastStep(Strict):
    op: Literal["cast"] = "cast"
    column: str
    to: CastTo


class MissingTokensStep(Strict):
    op: Literal["missing_tokens"] = "missing_tokens"
    column: str | None = Field(default=None, description="None: every column.")
    tokens: list[str] = Field(min_length=1)


class ImputeStep(Strict):
    op: Literal["impute"] = "impute"
    column: str
    strategy: Literal["mean", "median", "most_frequent", "constant"]
    value: float | str | bool | None = Field(default=None, description="For strategy 'constant'.")


class ClipStep(Strict):
    op: Literal["clip"] = "clip"
    column: str
    lower: float | None = None
    upper: float | None = None
    quantiles: bool = Field(
        default=False, description="Read lower/upper as quantiles (0-1) learnt from the training data."
    )


DatePart = Literal["year", "month", "day", "weekday", "hour", "dayofyear"]


_DEFAULT_DATE_PARTS: list[DatePart] = ["year", "month", "day", "weekday"]


class DatePartsStep(Strict):
    op: Literal["date_parts"] = "date_parts"
    column: str
    parts: list[DatePart] = Field(default_factory=lambda: _DEFAULT_DATE_PARTS.copy(), min_length=1)
    drop: bool = True


class DropDuplicatesStep(Strict):
    op: Literal["drop_duplicates"] = "drop_duplicates"
    columns: list[str] | None = None


FilterOp = Literal["==", "!=", "<", "<=", ">", ">=", "in", "not_in", "is_missing", "not_missing"]


class FilterRowsStep(Strict):
    op: Literal["filter_rows"] = "filter_rows"
    column: str
    operator: FilterOp
    value: Any = None


CleaningStep = Annotated[
    DropColumnsStep
    | CastStep
    | MissingTokensStep
    | ImputeStep
    | ClipStep
    | DatePartsStep
    | DropDuplicatesStep
    | FilterRowsStep,
    Field(discriminator="op"),
]


class CleaningSteps(Strict):
    steps: list[CleaningStep] = Field(default_factory=list, max_length=200)


class StepEffect(BaseModel):
    step: int
    op: str
    message: str = Field(description="What the step did, e.g. '12 rows removed' or 'column age cast'.")


class CleaningPreview(BaseModel):
    columns: list[str]
    rows: list[dict[str, Any]]
    rows_before: int
    rows_after: int
    effects: list[StepEffect]


class DatasetSource(BaseModel):
    kind: Literal["upload", "sql"]
    connection: str | None = None
    query: str | None = None


class Dataset(BaseModel):
    """A dataset seen at one version: the record (name, owner, visibility) and that version's content."""

    id: int = 0
    name: str = ""
    description: str = ""
    visibility: Visibility = "company"
    owner: str = ""
    version: int = 0
    latest_version: int = 0
    sha256: str = Field(description="The stored file (what a deployment that reads this dataset reads).")
    filename: str
    format: str
    size: int
    rows: int | None = None
    columns: list[str]
    preview: list[dict[str, Any]]
    source: DatasetSource = Field(default_factory=lambda: DatasetSource(kind="upload"))
    parse_report: ParseReport | None = None
    profile: DatasetProfile | None = None
    profile_execution: int | None = Field(default=None, description="The execution computing the profile.")
    steps: list[CleaningStep] = Field(default_factory=list)
    created_by: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class DatasetSummary(BaseModel):
    id: int
    name: str
    description: str
    visibility: Visibility
    owner: str
    latest_version: int
    filename: str
    rows: int | None
    columns: int
    updated_at: datetime


class DatasetSqlCreate(Strict):
    name: str = Field(pattern=SLUG)
    connection: str = Field(min_length=1, max_length=100)
    query: str = Field(min_length=1, max_length=100_000)
    description: str = Field(default="", max_length=10_000)


class DatasetUpdate(Strict):
    description: str | None = Field(default=None, max_length=10_000)
    visibility: Visibility | None = None


# --- training -------------------------------------------------------------------------------------

Task = Literal["binary", "multiclass", "regression"]
MetricName = Literal["accuracy", "f1", "macro_f1", "roc_auc", "log_loss", "r2", "rmse", "mae"]
CandidateName = Literal[
    "linear", "random_forest", "extra_trees", "hist_gradient_boosting", "lightgbm", "xgboost", "ensemble"
]


class TrainingCreate(Strict):
    dataset: str = Field(description="The dataset's name.")
    version: int | None = Field(default=None, ge=1, le=2**31 - 1, description="Default: the latest version.")
    target: str = Field(min_length=1)
    task: Task | None = Field(default=None, description="Default: detected from the target.")
    metric: MetricName | None = Field(default=None, description="Default: one that fits the task.")
    budget_s: int = Field(default=60, ge=5, le=24 * 3600, description="Wall-clock budget of the search.")
    steps: list[CleaningStep] | None = Field(
        default=None, description="Cleaning steps; default: the ones recorded on the dataset version."
    )
    time_column: str | None = Field(default=None, description="Time-ordered folds and holdout on this date.")
    folds: int = Field(default=5, ge=2, le=10)
    holdout: float = Field(default=0.2, gt=0.0, lt=0.5)
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    candidates: list[CandidateName] | None = Field(default=None, description="Default: all of them.")


class LeaderboardEntry(BaseModel):
    rank: int
    trial: int
    candidate: str
    params: dict[str, Any]
    fold_scores: list[float]
    mean: float
    std: float
    fit_seconds: float
    predict_seconds: float


class ConfusionMatrix(BaseModel):
    labels: list[str]
    matrix: list[list[int]]


class Curve(BaseModel):
    x: list[float]
    y: list[float]
    area: float | None = None


class Residuals(BaseModel):
    predicted: list[float]
    residual: list[float]


class Importance(BaseModel):
    feature: str
    mean: float
    std: float


class Evaluation(BaseModel):
    """Holdout evaluation of the best pipeline (the holdout took no part in any search)."""

    rows: int
    metrics: dict[str, float]
    threshold: float | None = Field(default=None, description="Tuned decision threshold (binary).")
    confusion_matrix: ConfusionMatrix | None = None
    roc: Curve | None = Field(default=None, description="x: false-positive rate, y: true-positive rate.")
    precision_recall: Curve | None = Field(default=None, description="x: recall, y: precision.")
    calibration: Curve | None = Field(default=None, description="x: mean predicted, y: observed share.")
    residuals: Residuals | None = None
    importance: list[Importance] = Field(default_factory=list)


class ChallengerReport(BaseModel):
    champion_version: int | None
    metric: str
    challenger: dict[str, float]
    champion: dict[str, float] | None
    better: bool | None = Field(description="None when there is no champion to compare with.")


class RegisteredAs(BaseModel):
    model: str
    version: int


class Training(BaseModel):
    id: int
    execution: int
    status: ExecutionStatus
    progress: float
    dataset: str
    dataset_version: int
    dataset_sha256: str
    target: str
    task: Task | None
    metric: MetricName | None
    budget_s: int
    steps: list[CleaningStep]
    options: dict[str, Any] = Field(description="folds, holdout, seed, time_column, candidates.")
    leaderboard: list[LeaderboardEntry]
    best: LeaderboardEntry | None
    evaluation: Evaluation | None
    challenger: ChallengerReport | None = None
    registered: list[RegisteredAs] = Field(default_factory=list)
    mlflow_run_id: str | None = None
    code_version: str
    error: str | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class TrainingRegister(Strict):
    """Register a training's best pipeline as a new version; the card fields create the model if new."""

    model: str = Field(pattern=SLUG)
    description: str = Field(default="", max_length=100_000)
    title: str | None = Field(default=None, max_length=200)
    department: str | None = None
    markets: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    visibility: Visibility = "company"
    aliases: list[str] = Field(default_factory=list)


class Lineage(BaseModel):
    dataset: str
    dataset_version: int
    dataset_sha256: str
    training: int
    target: str
    steps: list[CleaningStep] = Field(default_factory=list)


class ReferenceData(BaseModel):
    """A sample of the training data (raw columns, Parquet in the artifact store) and its statistics."""

    sample_sha256: str
    rows: int
    stats: list[ColumnProfile]


class ResultPage(BaseModel):
    columns: list[str]
    rows: list[dict[str, Any]]
    total: int
    page: int
    page_size: int


# --- notifications ------------------------------------------------------------------------------

NotificationKind = Literal[
    "execution_failed",
    "schedule_skipped",
    "market_requested",
    "market_approved",
    "market_declined",
    "market_deployed",
    "webhook_test",
]
NOTIFICATION_KINDS: tuple[str, ...] = (
    "execution_failed",
    "schedule_skipped",
    "market_requested",
    "market_approved",
    "market_declined",
    "market_deployed",
    "webhook_test",
)
SubjectType = Literal["deployment", "model"]


class Subject(BaseModel):
    """What an event is about: a deployment or a model."""

    type: SubjectType
    id: int
    name: str


class Notification(BaseModel):
    id: int
    event_id: str = Field(description="Shared by every copy of one event (in-app, e-mail, webhook).")
    kind: NotificationKind
    title: str
    body: str
    link: str | None = Field(description="Path in the web app, e.g. /runs/42.")
    subject: Subject | None
    created_at: datetime
    read_at: datetime | None


class UnreadCount(BaseModel):
    unread: int


class MarkedRead(BaseModel):
    updated: int = Field(description="How many notifications were marked read.")


class Subscription(BaseModel):
    id: int
    subject: Subject
    created_at: datetime


class SubscriptionCreate(Strict):
    """Follow exactly one of a deployment (id or name) or a model (name)."""

    deployment: str | None = Field(default=None, min_length=1, max_length=100)
    model: str | None = Field(default=None, pattern=SLUG)

    @model_validator(mode="after")
    def _one_subject(self) -> SubscriptionCreate:
        if (self.deployment is None) == (self.model is None):
            raise ValueError("give exactly one of deployment or model")
        return self


WebhookScope = Literal["own", "all"]
WEBHOOK_URL = r"^https?://[^\s/?#]+[^\s]*$"


class WebhookCreate(Strict):
    name: str = Field(min_length=1, max_length=100)
    url: str = Field(max_length=2000, pattern=WEBHOOK_URL, examples=["https://hooks.example.com/modelport"])
    secret: SecretStr = Field(
        min_length=16,
        max_length=255,
        description="Key of the HMAC-SHA256 signature of each call. Write-only: never returned.",
    )
    events: list[NotificationKind] = Field(
        default_factory=list, max_length=20, description="Kinds to send; empty: every kind."
    )
    scope: WebhookScope = Field(
        default="own",
        description="own: the events its owner hears about (deployments they own or follow); "
        "all: every event (admins only).",
    )
    active: bool = True


class WebhookUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    url: str | None = Field(default=None, max_length=2000, pattern=WEBHOOK_URL)
    secret: SecretStr | None = Field(default=None, min_length=16, max_length=255)
    events: list[NotificationKind] | None = Field(default=None, max_length=20)
    scope: WebhookScope | None = None
    active: bool | None = None


class Webhook(BaseModel):
    """A webhook endpoint; its secret is write-only and never part of this object."""

    id: int
    name: str
    url: str
    events: list[NotificationKind]
    scope: WebhookScope
    active: bool
    owner: str
    pending_deliveries: int
    failed_deliveries: int
    created_at: datetime
    updated_at: datetime


DeliveryStatus = Literal["pending", "delivered", "failed"]
DeliveryChannel = Literal["email", "webhook"]


class Delivery(BaseModel):
    """One e-mail or webhook call and its attempts. ``pending`` with ``last_error``: failed, will retry."""

    id: int
    event_id: str
    kind: NotificationKind
    channel: DeliveryChannel
    webhook_id: int | None
    address: str | None = Field(description="The e-mail address (e-mail deliveries).")
    status: DeliveryStatus
    attempts: int
    response_status: int | None = Field(description="HTTP status of the last webhook attempt.")
    last_error: str | None
    payload: dict[str, Any]
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None

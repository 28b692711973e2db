"""Catalog and registry: models, versions, aliases, downloads."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse
from pydantic import ValidationError

from modelport.api.params import PageNo
from modelport.api.security import get_context, requires
from modelport.api.uploads import spooled
from modelport.errors import InvalidArgument
from modelport.principal import Principal
from modelport.schemas import (
    AliasSet,
    MlflowRegister,
    Model,
    ModelCreate,
    ModelSearch,
    ModelUpdate,
    ModelVersion,
    Role,
    SchemaEdit,
    SearchQuery,
    SortKey,
    VersionMeta,
)
from modelport.services.catalog import CatalogService, read_sample
from modelport.serving.body import parse_json

router = APIRouter(prefix="/api/v1/models", tags=["models"])

SEARCH_PARAMS = {
    "q",
    "department",
    "market",
    "brand",
    "flavor",
    "owner",
    "tag",
    "sort",
    "page",
    "page_size",
    "facets",
    "state",
}
ListParam = Annotated[list[str], Query()]


@router.get("", operation_id="searchModels", response_model=ModelSearch)
def search_models(
    request: Request,
    q: Annotated[
        str | None, Query(max_length=200, description="Words to find in name, title, description, tags.")
    ] = None,
    department: ListParam = [],  # noqa: B006 - FastAPI copies defaults
    market: ListParam = [],  # noqa: B006
    brand: ListParam = [],  # noqa: B006
    flavor: ListParam = [],  # noqa: B006
    owner: ListParam = [],  # noqa: B006
    tag: ListParam = [],  # noqa: B006
    sort: SortKey = "-updated",
    page: PageNo = 1,
    page_size: Annotated[int, Query(ge=1)] = 20,
    facets: Annotated[bool, Query(description="Count facet values (skip when paging to go faster).")] = True,
    state: Annotated[
        Literal["active", "archived", "all"],
        Query(description="Archived models are left out unless asked for: archived (only) or all."),
    ] = "active",
    principal: Principal = requires(Role.viewer),
) -> ModelSearch:
    """Search the catalog: full text, filters (repeat a filter for OR), sorting, pages and facet counts."""
    unknown = sorted(set(request.query_params.keys()) - SEARCH_PARAMS)
    if unknown:
        raise InvalidArgument(
            f"unknown filter {unknown[0]!r}; known: {', '.join(sorted(SEARCH_PARAMS))}", field=unknown[0]
        )
    query = SearchQuery(
        q=q,
        department=department,
        market=market,
        brand=brand,
        flavor=flavor,
        owner=owner,
        tag=tag,
        sort=sort,
        page=page,
        page_size=page_size,
        facets=facets,
        state=state,
    )
    return CatalogService(get_context(request)).search(query, principal)


@router.post("", operation_id="createModel", response_model=Model, status_code=201)
def create_model(
    body: ModelCreate, request: Request, principal: Principal = requires(Role.data_scientist)
) -> Model:
    """Add a model to the catalog (its card); versions are uploaded next."""
    return CatalogService(get_context(request)).create_model(body, principal)


@router.get("/{name}", operation_id="getModel", response_model=Model)
def get_model(name: str, request: Request, principal: Principal = requires(Role.viewer)) -> Model:
    return CatalogService(get_context(request)).get_model(name, principal)


@router.patch("/{name}", operation_id="updateModel", response_model=Model)
def update_model(
    name: str, body: ModelUpdate, request: Request, principal: Principal = requires(Role.data_scientist)
) -> Model:
    return CatalogService(get_context(request)).update_model(name, body, principal)


@router.delete("/{name}", operation_id="deleteModel", status_code=204)
def delete_model(
    name: str, request: Request, principal: Principal = requires(Role.data_scientist)
) -> Response:
    """Delete a model and its versions (owner or admin). Refused (409, naming them) while deployments
    use it: delete those first, or archive the model instead once they are gone."""
    CatalogService(get_context(request)).delete_model(name, principal)
    return Response(status_code=204)


@router.post("/{name}/archive", operation_id="archiveModel", response_model=Model)
def archive_model(name: str, request: Request, principal: Principal = requires(Role.data_scientist)) -> Model:
    """Archive a model: left out of search unless ``state=archived`` or ``all`` is asked for, still
    readable by name, not deployable. Refused (409, naming them) while deployments use it."""
    return CatalogService(get_context(request)).archive_model(name, principal)


@router.post("/{name}/restore", operation_id="restoreModel", response_model=Model)
def restore_model(name: str, request: Request, principal: Principal = requires(Role.data_scientist)) -> Model:
    """Bring an archived model back: searchable and deployable again."""
    return CatalogService(get_context(request)).archive_model(name, principal, archived=False)


@router.get("/{name}/versions", operation_id="listVersions", response_model=list[ModelVersion])
def list_versions(
    name: str, request: Request, principal: Principal = requires(Role.viewer)
) -> list[ModelVersion]:
    return CatalogService(get_context(request)).list_versions(name, principal)


@router.post("/{name}/versions", operation_id="uploadVersion", response_model=ModelVersion, status_code=201)
def upload_version(
    name: str,
    request: Request,
    file: Annotated[UploadFile, File(description="The model file (or an MLflow model as a .zip).")],
    sample: Annotated[
        UploadFile | None, File(description="A CSV with the feature columns and a few rows.")
    ] = None,
    meta: Annotated[
        str | None,
        Form(
            description="JSON: description, metrics, params, training_data, source_version, flavor, aliases."
        ),
    ] = None,
    principal: Principal = requires(Role.data_scientist),
) -> ModelVersion:
    """Upload a new version: the file is loaded and predicts on an example row before it is accepted."""
    ctx = get_context(request)
    try:
        version_meta = VersionMeta.model_validate(parse_json(meta, "meta")) if meta else VersionMeta()
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "meta"
        raise InvalidArgument(f"meta.{where}: {err['msg']}", field=f"meta.{where}") from exc
    limit = ctx.settings.max_upload_bytes
    with ExitStack() as stack:
        path = stack.enter_context(spooled(file, ctx.tmp_dir, limit, "file"))
        frame = None
        if sample is not None and sample.filename:
            sample_path = stack.enter_context(spooled(sample, ctx.tmp_dir, limit, "sample"))
            frame = read_sample(sample_path, sample.filename)
        return CatalogService(ctx).register_version(
            name, principal, path, file.filename or "", version_meta, frame
        )


@router.post(
    "/{name}/versions/mlflow", operation_id="registerFromMlflow", response_model=ModelVersion, status_code=201
)
def register_from_mlflow(
    name: str, body: MlflowRegister, request: Request, principal: Principal = requires(Role.data_scientist)
) -> ModelVersion:
    """Register a model of the MLflow tracking server (``MODELPORT_MLFLOW_TRACKING_URI``) as a new
    version: its folder is downloaded, loaded and tried on an example row like an uploaded MLflow zip."""
    meta = VersionMeta(description=body.description, aliases=body.aliases)
    return CatalogService(get_context(request)).register_from_mlflow(name, principal, body.uri, meta)


@router.get("/{name}/versions/{ref}", operation_id="getVersion", response_model=ModelVersion)
def get_version(
    name: str, ref: str, request: Request, principal: Principal = requires(Role.viewer)
) -> ModelVersion:
    """A version by number, alias (e.g. ``champion``) or ``latest``."""
    return CatalogService(get_context(request)).get_version(name, ref, principal)


@router.patch("/{name}/versions/{ref}/schema", operation_id="editVersionSchema", response_model=ModelVersion)
def edit_version_schema(
    name: str,
    ref: str,
    body: SchemaEdit,
    request: Request,
    principal: Principal = requires(Role.data_scientist),
) -> ModelVersion:
    """Change a version's input schema column by column: required or not (``nullable``), allowed
    values (``categories``: others are flagged when scored), ``description``. Its columns and types
    stay. Taken by the model's owner, its department's data scientists or an admin; audited."""
    return CatalogService(get_context(request)).edit_schema(name, ref, body, principal)


@router.get(
    "/{name}/versions/{ref}/download",
    operation_id="downloadVersion",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def download_version(
    name: str, ref: str, request: Request, principal: Principal = requires(Role.viewer)
) -> FileResponse:
    """The version's file, checked against its sha256 before it is sent."""
    version, path = CatalogService(get_context(request)).download_path(name, ref, principal)
    return FileResponse(
        path,
        media_type="application/octet-stream",
        filename=version.filename,
        headers={"X-Content-SHA256": version.artifact.sha256},
    )


@router.put("/{name}/aliases/{alias}", operation_id="setAlias", response_model=ModelVersion)
def set_alias(
    name: str,
    alias: str,
    body: AliasSet,
    request: Request,
    principal: Principal = requires(Role.data_scientist),
) -> ModelVersion:
    """Point an alias (``champion``, ``challenger``, any name) at a version; it moves if it existed."""
    return CatalogService(get_context(request)).set_alias(name, alias, body, principal)


@router.delete("/{name}/aliases/{alias}", operation_id="deleteAlias", status_code=204)
def delete_alias(
    name: str, alias: str, request: Request, principal: Principal = requires(Role.data_scientist)
) -> Response:
    CatalogService(get_context(request)).delete_alias(name, alias, principal)
    return Response(status_code=204)

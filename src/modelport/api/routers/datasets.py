"""Datasets: uploads and SQL snapshots with versions, their profile, rows and cleaning steps."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Request, Response, UploadFile

from modelport.api.params import PageNo
from modelport.api.security import get_context, requires
from modelport.api.uploads import spooled
from modelport.principal import Principal
from modelport.schemas import (
    CleaningPreview,
    CleaningSteps,
    Dataset,
    DatasetSqlCreate,
    DatasetSummary,
    DatasetUpdate,
    Execution,
    Page,
    ResultPage,
    Role,
)
from modelport.services.datasets import DatasetService

router = APIRouter(prefix="/api/v1", tags=["datasets"])

Name = Annotated[str, Path(min_length=1, max_length=100, description="The dataset's name.")]
Version = Annotated[
    str,
    Path(pattern=r"^(latest|[0-9]{1,9})$", description="A version number, or 'latest'."),
]


@router.post("/datasets", operation_id="uploadDataset", response_model=Dataset, status_code=201)
def upload_dataset(
    request: Request,
    file: Annotated[UploadFile, File(description="CSV, Excel (.xlsx) or Parquet.")],
    name: Annotated[
        str | None,
        Form(
            max_length=100,
            description="The dataset's name (a new version when it exists); default: the file's name.",
        ),
    ] = None,
    description: Annotated[str, Form(max_length=10_000)] = "",
    principal: Principal = requires(Role.business_user),
) -> Dataset:
    """Store a file as a version of a dataset (read whole, with a report of how), for trainings and for
    deployments that read a dataset (its ``sha256``)."""
    ctx = get_context(request)
    with spooled(file, ctx.tmp_dir, ctx.settings.max_upload_bytes, "file") as path:
        return DatasetService(ctx).upload(
            path, file.filename or "", principal, name=(name or "").strip() or None, description=description
        )


@router.post("/datasets/sql", operation_id="snapshotDataset", response_model=Dataset, status_code=201)
def snapshot_dataset(
    body: DatasetSqlCreate, request: Request, principal: Principal = requires(Role.data_scientist)
) -> Dataset:
    """Run a query on a named connection and keep its rows as a version of a dataset."""
    return DatasetService(get_context(request)).snapshot_sql(body, principal)


@router.get("/datasets", operation_id="listDatasets", response_model=Page[DatasetSummary])
def list_datasets(
    request: Request,
    q: Annotated[str | None, Query(max_length=200, description="Words of the name or description.")] = None,
    page: PageNo = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
    principal: Principal = requires(Role.viewer),
) -> Page[DatasetSummary]:
    """The datasets the caller may see, most recently changed first."""
    return DatasetService(get_context(request)).list_datasets(principal, page, page_size, q)


@router.get("/datasets/{name}", operation_id="getDataset", response_model=Dataset)
def get_dataset(name: Name, request: Request, principal: Principal = requires(Role.viewer)) -> Dataset:
    """The dataset at its latest version."""
    return DatasetService(get_context(request)).get(name, None, principal)


@router.get("/datasets/{name}/versions/{version}", operation_id="getDatasetVersion", response_model=Dataset)
def get_dataset_version(
    name: Name, version: Version, request: Request, principal: Principal = requires(Role.viewer)
) -> Dataset:
    return DatasetService(get_context(request)).get(name, version, principal)


@router.patch("/datasets/{name}", operation_id="updateDataset", response_model=Dataset)
def update_dataset(
    name: Name, body: DatasetUpdate, request: Request, principal: Principal = requires(Role.business_user)
) -> Dataset:
    """Change the description or the visibility."""
    return DatasetService(get_context(request)).update(name, body, principal)


@router.delete("/datasets/{name}", operation_id="deleteDataset", status_code=204, response_class=Response)
def delete_dataset(
    name: Name, request: Request, principal: Principal = requires(Role.business_user)
) -> Response:
    """Delete the dataset, its versions, and the profiles and trainings that read them."""
    DatasetService(get_context(request)).delete(name, principal)
    return Response(status_code=204)


@router.post(
    "/datasets/{name}/versions/{version}/profile",
    operation_id="profileDataset",
    response_model=Execution,
    status_code=202,
)
def profile_dataset(
    name: Name, version: Version, request: Request, principal: Principal = requires(Role.business_user)
) -> Execution:
    """Compute the version's profile on a worker (the execution already doing it when there is one)."""
    return DatasetService(get_context(request)).profile(name, version, principal)


@router.get("/datasets/{name}/versions/{version}/rows", operation_id="datasetRows", response_model=ResultPage)
def dataset_rows(
    name: Name,
    version: Version,
    request: Request,
    page: PageNo = 1,
    page_size: Annotated[int, Query(ge=1, le=1000)] = 100,
    principal: Principal = requires(Role.viewer),
) -> ResultPage:
    """One page of the version's rows, as read."""
    return DatasetService(get_context(request)).rows(name, version, principal, page, page_size)


@router.post(
    "/datasets/{name}/versions/{version}/preview",
    operation_id="previewCleaning",
    response_model=CleaningPreview,
)
def preview_cleaning(
    name: Name,
    version: Version,
    body: CleaningSteps,
    request: Request,
    principal: Principal = requires(Role.business_user),
) -> CleaningPreview:
    """What the cleaning steps do to the version's rows: each step's effect and the first rows after."""
    return DatasetService(get_context(request)).preview(name, version, body.steps, principal)


@router.put("/datasets/{name}/versions/{version}/steps", operation_id="saveCleaning", response_model=Dataset)
def save_cleaning(
    name: Name,
    version: Version,
    body: CleaningSteps,
    request: Request,
    principal: Principal = requires(Role.business_user),
) -> Dataset:
    """Record the cleaning steps on the version; a training replays them unless it brings its own."""
    return DatasetService(get_context(request)).save_steps(name, version, body.steps, principal)

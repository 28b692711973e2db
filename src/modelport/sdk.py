"""The Python SDK: ``modelport.Client(url, token)``.

Register a fitted model from a notebook in two lines::

    client = modelport.Client("http://127.0.0.1:8000", token="mp_...")
    client.register(pipeline, name="churn-fr", title="Churn FR", department="marketing", sample=X.head())

Errors come back as the same :mod:`modelport.errors` classes the server raised.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TypeVar, overload

import httpx
from pydantic import BaseModel

from modelport.errors import ERRORS_BY_CODE, ERRORS_BY_STATUS, InvalidArgument, ModelportError
from modelport.schemas import (
    ApiToken,
    ApiTokenCreated,
    CleaningPreview,
    Dataset,
    DatasetProfile,
    DatasetSummary,
    Delivery,
    Deployment,
    Execution,
    ExecutionLog,
    LoggedPrediction,
    MarketRequest,
    Model,
    ModelSearch,
    ModelVersion,
    Notification,
    Page,
    PredictResponse,
    ResultPage,
    SelfService,
    Subscription,
    Training,
    User,
    Webhook,
)

M = TypeVar("M", bound=BaseModel)

Progress = Callable[[int, int], None]
"""Called with (bytes done, bytes in all) while a file moves."""


class _ProgressReader(io.RawIOBase):
    """A file wrapper that reports how much was read (httpx reads uploads in chunks)."""

    def __init__(self, fh: io.BufferedReader, total: int, progress: Progress) -> None:
        self._fh, self._total, self._progress, self._done = fh, total, progress, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._fh.seek(offset, whence)

    def tell(self) -> int:
        return self._fh.tell()

    def fileno(self) -> int:
        return self._fh.fileno()

    def read(self, size: int = -1) -> bytes:
        data = self._fh.read(size)
        self._done = min(self._total, self._done + len(data))
        self._progress(self._done, self._total)
        return data


FINISHED = ("succeeded", "failed", "cancelled")
"""The statuses an execution (a run, a profile, a training) ends in."""

DATASET_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".parquet", ".pq")


def _is_frame(data: Any) -> bool:
    """Whether ``data`` is a pandas DataFrame (pandas is not imported for it)."""
    return hasattr(data, "to_parquet") and hasattr(data, "columns")


def _looks_like_path(data: Any) -> bool:
    """Whether a string names a file rather than a dataset (names are slugs: no dot, no slash)."""
    return isinstance(data, str) and (
        Path(data).is_file() or "/" in data or os.sep in data or data.lower().endswith(DATASET_SUFFIXES)
    )


def _frame_file(frame: Any, folder: Path, name: str | None) -> Path:
    """``frame`` written into ``folder`` as Parquet (types kept), or as CSV when Parquet cannot hold a
    column (mixed types in one column); the file is named after the dataset."""
    frame = frame.rename(columns=str)
    stem = name or "dataframe"
    path = folder / f"{stem}.parquet"
    try:
        frame.to_parquet(path, index=False)
    except (ValueError, TypeError, NotImplementedError, ImportError):  # pyarrow's errors derive from these
        path.unlink(missing_ok=True)
        path = folder / f"{stem}.csv"
        frame.to_csv(path, index=False)
    return path


def _dumped(items: list[Any]) -> list[Any]:
    """Schemas as their JSON dumps (dicts pass as they are)."""
    return [i.model_dump(mode="json") if isinstance(i, BaseModel) else i for i in items]


def _is_folder(dest: str | Path) -> bool:
    """Whether a download destination names a folder: an existing one, a path ending in a separator,
    or a path that does not exist and has no file extension (``models``, ``./out/v2``)."""
    text = os.fspath(dest)
    path = Path(text)
    if path.is_dir() or text.endswith(("/", os.sep)):
        return True
    return not path.exists() and path.suffix == ""


def _raise_for(response: httpx.Response) -> None:
    if response.is_success:
        return
    try:
        body = response.json().get("error", {})
    except ValueError:
        body = {}
    cls = ERRORS_BY_CODE.get(body.get("code", "")) or ERRORS_BY_STATUS.get(
        response.status_code, ModelportError
    )
    message = body.get("message") or f"HTTP {response.status_code}: {response.text[:200]}"
    error = cls(message, field=body.get("field"), details=body.get("details"))
    error.http_status = response.status_code
    raise error


class Client:
    """A typed client of the modelport REST API."""

    def __init__(self, url: str | None = None, token: str | None = None, *, timeout: float = 300.0) -> None:
        self.url = (url or os.environ.get("MODELPORT_URL") or "http://127.0.0.1:8000").rstrip("/")
        token = token or os.environ.get("MODELPORT_TOKEN")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, path, **kwargs)
        _raise_for(response)
        return None if response.status_code == 204 else response.json()

    def _validated(self, model: type[M], method: str, path: str, **kwargs: Any) -> M:
        """The answer of a call, read as ``model`` (a schema, or ``Page[schema]``)."""
        return model.model_validate(self._call(method, path, **kwargs))

    def _list(self, model: type[M], path: str, **kwargs: Any) -> list[M]:
        """The JSON array a GET answers, each item read as ``model``."""
        return [model.model_validate(item) for item in self._call("GET", path, **kwargs)]

    # --- identity --------------------------------------------------------------------------------

    def me(self) -> User:
        return self._validated(User, "GET", "/api/v1/auth/me")

    def create_token(self, name: str, expires_in_days: int | None = None) -> ApiTokenCreated:
        body = {"name": name, "expires_in_days": expires_in_days}
        return self._validated(ApiTokenCreated, "POST", "/api/v1/tokens", json=body)

    def tokens(self, all_users: bool = False) -> list[ApiToken]:
        """Your API tokens (admins: ``all_users=True`` for everyone's); secrets are never shown again."""
        return self._list(ApiToken, "/api/v1/tokens", params={"all_users": all_users})

    def revoke_token(self, token_id: int) -> ApiToken:
        """Revoke one of your tokens (admins: anyone's); it is refused at once from then on."""
        return self._validated(ApiToken, "DELETE", f"/api/v1/tokens/{token_id}")

    def update_user(self, username: str, **changes: Any) -> User:
        """Admins: change a user's role, department (None clears it), e-mail, display name, is_active."""
        return self._validated(User, "PATCH", f"/api/v1/users/{username}", json=changes)

    # --- catalog ---------------------------------------------------------------------------------

    def search(
        self,
        q: str | None = None,
        *,
        page: int = 1,
        page_size: int = 20,
        sort: str = "-updated",
        **filters: str | list[str],
    ) -> ModelSearch:
        """Search the catalog; filters: department, market, brand, flavor, owner, tag (a value or a list)."""
        params: list[tuple[str, str | int]] = [("page", page), ("page_size", page_size), ("sort", sort)]
        if q:
            params.append(("q", q))
        for key, value in filters.items():
            for v in [value] if isinstance(value, str) else value:
                params.append((key, v))
        return self._validated(ModelSearch, "GET", "/api/v1/models", params=params)

    def models(
        self, q: str | None = None, page_size: int = 100, **filters: str | list[str]
    ) -> Iterator[Model]:
        """Every model matching the search, page after page."""
        page = 1
        while True:
            result = self.search(q, page=page, page_size=page_size, sort="name", **filters)
            yield from result.items
            if page * page_size >= result.total or not result.items:
                return
            page += 1

    def get_model(self, name: str) -> Model:
        return self._validated(Model, "GET", f"/api/v1/models/{name}")

    def create_model(self, name: str, title: str, department: str, **card: Any) -> Model:
        """Add a model card: description (Markdown), markets, brands, use_case, tags, visibility."""
        body = {"name": name, "title": title, "department": department, **card}
        return self._validated(Model, "POST", "/api/v1/models", json=body)

    def update_model(self, name: str, **changes: Any) -> Model:
        return self._validated(Model, "PATCH", f"/api/v1/models/{name}", json=changes)

    def delete_model(self, name: str) -> None:
        """Delete a model and its versions; Conflict while deployments use it (they are named)."""
        self._call("DELETE", f"/api/v1/models/{name}")

    def archive_model(self, name: str) -> Model:
        """Archive a model: left out of search (``search(state="archived")`` finds it), not deployable.
        Conflict while deployments use it (they are named)."""
        return self._validated(Model, "POST", f"/api/v1/models/{name}/archive")

    def restore_model(self, name: str) -> Model:
        """Bring an archived model back."""
        return self._validated(Model, "POST", f"/api/v1/models/{name}/restore")

    # --- versions --------------------------------------------------------------------------------

    def list_versions(self, name: str) -> list[ModelVersion]:
        return self._list(ModelVersion, f"/api/v1/models/{name}/versions")

    def get_version(self, name: str, ref: str | int = "latest") -> ModelVersion:
        return self._validated(ModelVersion, "GET", f"/api/v1/models/{name}/versions/{ref}")

    def upload_version(
        self,
        name: str,
        path: str | Path,
        *,
        sample: Any = None,
        progress: Progress | None = None,
        **meta: Any,
    ) -> ModelVersion:
        """Upload a model file as the next version of ``name``.

        ``sample`` is a pandas DataFrame or a CSV path with the feature columns (needed when the model
        does not know its column names). ``meta``: description, metrics, params, training_data,
        source_version, flavor, aliases.
        """
        path = Path(path)
        total = path.stat().st_size
        with path.open("rb") as fh, tempfile.TemporaryDirectory() as tmp:
            reader: Any = _ProgressReader(fh, total, progress) if progress else fh
            files: dict[str, Any] = {"file": (path.name, reader, "application/octet-stream")}
            if sample is not None:
                sample_path = Path(tmp) / "sample.csv"
                if hasattr(sample, "to_csv"):
                    sample.head(1000).to_csv(sample_path, index=False)
                else:
                    sample_path = Path(sample)
                files["sample"] = ("sample.csv", sample_path.read_bytes(), "text/csv")
            data = {"meta": json.dumps({k: v for k, v in meta.items() if v is not None})}
            body = self._call("POST", f"/api/v1/models/{name}/versions", files=files, data=data)
        return ModelVersion.model_validate(body)

    def register(
        self,
        model: Any,
        name: str,
        *,
        title: str | None = None,
        department: str | None = None,
        sample: Any = None,
        progress: Progress | None = None,
        description: str = "",
        markets: list[str] | None = None,
        brands: list[str] | None = None,
        use_case: str | None = None,
        tags: list[str] | None = None,
        visibility: str = "company",
        **meta: Any,
    ) -> ModelVersion:
        """Register a fitted model object (or a model file path) as the next version of ``name``.

        The model's card is created first when ``name`` is new (``title`` and ``department`` needed).
        """
        from modelport.errors import NotFound

        try:
            self.get_model(name)
        except NotFound:
            if not title or not department:
                raise ModelportError(f"{name!r} is a new model: give title= and department=") from None
            self.create_model(
                name,
                title,
                department,
                description=description,
                markets=markets or [],
                brands=brands or [],
                use_case=use_case,
                tags=tags or [],
                visibility=visibility,
            )
        if isinstance(model, str | Path):
            return self.upload_version(name, model, sample=sample, progress=progress, **meta)
        from modelport.flavors import serialize_model

        with tempfile.TemporaryDirectory() as tmp:
            path = serialize_model(model, Path(tmp))
            return self.upload_version(name, path, sample=sample, progress=progress, **meta)

    def edit_schema(
        self, name: str, ref: str | int, columns: Mapping[str, Mapping[str, Any]]
    ) -> ModelVersion:
        """Change a version's input schema column by column, e.g.
        ``{"tenure": {"nullable": True}, "plan": {"categories": ["basic", "pro"], "description": "..."}}``:
        ``nullable`` (may be left blank), ``categories`` (allowed values; None removes them),
        ``description``. A column the schema lacks is an InvalidArgument naming it."""
        body = {"columns": [{"name": column, **dict(changes)} for column, changes in columns.items()]}
        answer = self._call("PATCH", f"/api/v1/models/{name}/versions/{ref}/schema", json=body)
        return ModelVersion.model_validate(answer)

    def set_alias(self, name: str, alias: str, version: int) -> ModelVersion:
        """Point ``alias`` (e.g. ``champion``) at ``version``; it moves if it pointed elsewhere."""
        body = self._call("PUT", f"/api/v1/models/{name}/aliases/{alias}", json={"version": version})
        return ModelVersion.model_validate(body)

    def delete_alias(self, name: str, alias: str) -> None:
        self._call("DELETE", f"/api/v1/models/{name}/aliases/{alias}")

    def download(
        self,
        name: str,
        ref: str | int = "latest",
        dest: str | Path = ".",
        *,
        progress: Progress | None = None,
    ) -> Path:
        """Download a version's file into ``dest``, checking its sha256; returns the file's path.

        ``dest`` is a folder (one that exists, a path ending in ``/``, or a path without a file
        extension: created when missing, the file keeps its name) or a file path (its folder is
        created when missing)."""
        as_folder = _is_folder(dest)
        dest = Path(dest)
        with self._http.stream("GET", f"/api/v1/models/{name}/versions/{ref}/download") as response:
            if not response.is_success:
                response.read()
                _raise_for(response)
            filename = response.headers.get("content-disposition", "").rpartition("filename=")[2].strip('"')
            target = dest / (Path(filename).name or "model.bin") if as_folder else dest
            target.parent.mkdir(parents=True, exist_ok=True)
            expected = response.headers.get("x-content-sha256")
            total = int(response.headers.get("content-length", "0"))
            digest = hashlib.sha256()
            part = target.with_name(target.name + ".part")
            try:
                with part.open("wb") as out:
                    for chunk in response.iter_bytes(1 << 20):
                        out.write(chunk)
                        digest.update(chunk)
                        if progress:
                            progress(response.num_bytes_downloaded, total)
                if expected and digest.hexdigest() != expected:
                    raise ModelportError(f"the download of {name} {ref} does not match its sha256")
                part.replace(target)
            finally:
                part.unlink(missing_ok=True)
        return target

    # --- deployments and runs --------------------------------------------------------------------

    @overload
    def deploy(
        self,
        name: str,
        model: str,
        market: str,
        *,
        version: int | None = None,
        alias: str | None = None,
        cron: str | None = None,
        timezone: str = "UTC",
        dataset: str | Path | None = None,
        query: str | None = None,
        connection: str | None = None,
        **fields: Any,
    ) -> Deployment: ...

    @overload
    def deploy(
        self,
        name: str,
        model: str,
        *,
        markets: list[str],
        version: int | None = None,
        alias: str | None = None,
        cron: str | None = None,
        timezone: str = "UTC",
        dataset: str | Path | None = None,
        query: str | None = None,
        connection: str | None = None,
        **fields: Any,
    ) -> list[Deployment]: ...

    def deploy(
        self,
        name: str,
        model: str,
        market: str | None = None,
        *,
        markets: list[str] | None = None,
        version: int | None = None,
        alias: str | None = None,
        cron: str | None = None,
        timezone: str = "UTC",
        dataset: str | Path | None = None,
        query: str | None = None,
        connection: str | None = None,
        **fields: Any,
    ) -> Deployment | list[Deployment]:
        """Deploy a version (or an alias to follow, e.g. ``champion``) for a market, optionally on a cron.

        A ``cron`` schedule needs a stored input: ``dataset``, a CSV, Excel or Parquet file uploaded
        here once (or the sha256 of one already uploaded), or a SQL ``query`` on a ``connection``
        (``:market`` is bound to the market). Without either, each run takes a file.

        With ``markets=[...]`` instead of ``market``: one deployment per market, named
        ``{name}-{market}`` (lowercase), all created or none (the error names the market)."""
        if (market is None) == (markets is None):
            raise ValueError("give market or markets (exactly one)")
        body: dict[str, Any] = {"model": model, "version": version, "alias": alias, **fields}
        stored = self._stored_input(dataset, query, connection)
        if stored is not None:
            body["input"] = stored
        if cron:
            body["schedule"] = {"cron": cron, "timezone": timezone}
        if markets is not None:
            created = self._call(
                "POST", "/api/v1/deployments/bulk", json={**body, "name_prefix": name, "markets": markets}
            )
            return [Deployment.model_validate(d) for d in created]
        body.update(name=name, market=market)
        return self._validated(Deployment, "POST", "/api/v1/deployments", json=body)

    # --- self-service markets --------------------------------------------------------------------

    def self_service(self, model: str) -> SelfService:
        """Which markets of ``model`` are open to self-service, and what you may do there."""
        return self._validated(SelfService, "GET", f"/api/v1/models/{model}/self-service")

    def open_markets(
        self, model: str, markets: list[str], *, alias: str | None = None, version: int | None = None
    ) -> SelfService:
        """Open ``model``'s alias (or version) to self-service for ``markets`` (``["*"]``: every market);
        replaces the opening when there was one (owner or admin)."""
        body = {"markets": markets, "alias": alias, "version": version}
        return self._validated(SelfService, "PUT", f"/api/v1/models/{model}/self-service", json=body)

    def close_markets(self, model: str) -> None:
        """Close ``model`` to self-service (its deployments stay)."""
        self._call("DELETE", f"/api/v1/models/{model}/self-service")

    def deploy_market(
        self,
        model: str,
        market: str,
        *,
        name: str | None = None,
        dataset: str | None = None,
        cron: str | None = None,
        timezone: str = "UTC",
        description: str = "",
    ) -> Deployment:
        """Deploy an open ``model`` for ``market`` yourself (business users too): it follows the opened
        version or alias; ``name`` defaults to ``{model}-{market}``; ``dataset`` (the sha256 of a file
        uploaded to ``/api/v1/datasets``) is the stored input a ``cron`` schedule needs."""
        body: dict[str, Any] = {"market": market, "name": name, "description": description}
        if dataset:
            body["input"] = {"kind": "dataset", "dataset": dataset}
        if cron:
            body["schedule"] = {"cron": cron, "timezone": timezone}
        return self._validated(
            Deployment, "POST", f"/api/v1/models/{model}/self-service/deployments", json=body
        )

    def request_market(self, model: str, market: str, message: str = "") -> MarketRequest:
        """Ask ``model``'s owner to open ``market`` to self-service (they are notified)."""
        body = {"market": market, "message": message}
        return self._validated(MarketRequest, "POST", f"/api/v1/models/{model}/market-requests", json=body)

    def market_requests(
        self, view: str = "received", *, model: str | None = None, status: str | None = None
    ) -> list[MarketRequest]:
        """``received``: requests for your models (all for admins); ``sent``: yours. Newest first."""
        params = {k: v for k, v in {"view": view, "model": model, "status": status}.items() if v}
        page = self._validated(Page[MarketRequest], "GET", "/api/v1/market-requests", params=params)
        return page.items

    def approve_market(
        self, request_id: int, *, alias: str | None = None, version: int | None = None
    ) -> MarketRequest:
        """Approve a request: its market opens. ``alias``/``version``: only for a model not open yet."""
        body = {k: v for k, v in {"alias": alias, "version": version}.items() if v is not None}
        return self._validated(
            MarketRequest, "POST", f"/api/v1/market-requests/{request_id}/approve", json=body or None
        )

    def decline_market(self, request_id: int, reason: str) -> MarketRequest:
        """Decline a request; ``reason`` is told to the requester."""
        return self._validated(
            MarketRequest, "POST", f"/api/v1/market-requests/{request_id}/decline", json={"reason": reason}
        )

    def deployments(self, **filters: Any) -> list[Deployment]:
        page = self._validated(Page[Deployment], "GET", "/api/v1/deployments", params=filters)
        return page.items

    def get_deployment(self, ref: str | int) -> Deployment:
        return self._validated(Deployment, "GET", f"/api/v1/deployments/{ref}")

    def pause(self, ref: str | int) -> Deployment:
        return self._validated(Deployment, "POST", f"/api/v1/deployments/{ref}/pause")

    def resume(self, ref: str | int) -> Deployment:
        return self._validated(Deployment, "POST", f"/api/v1/deployments/{ref}/resume")

    def set_input(
        self,
        ref: str | int,
        dataset: str | Path | None = None,
        *,
        query: str | None = None,
        connection: str | None = None,
    ) -> Deployment:
        """Replace what a deployment's schedule and file-less runs read: a file (uploaded and made its
        dataset in one call), the sha256 of a dataset already uploaded, or a SQL ``query`` on a
        ``connection``."""
        if dataset is not None and query is None and Path(dataset).is_file():
            path = Path(dataset)
            with path.open("rb") as fh:
                body = self._call("PUT", f"/api/v1/deployments/{ref}/input", files={"file": (path.name, fh)})
            return Deployment.model_validate(body)
        stored = self._stored_input(dataset, query, connection)
        if stored is None:
            raise InvalidArgument(
                "give a file (dataset=...) or a SQL query (query=..., connection=...)", field="dataset"
            )
        return self._validated(Deployment, "PATCH", f"/api/v1/deployments/{ref}", json={"input": stored})

    def _stored_input(
        self, dataset: str | Path | None, query: str | None, connection: str | None
    ) -> dict[str, Any] | None:
        """The ``input`` of a deployment for ``dataset`` (a file, uploaded now, or a sha256) or ``query``."""
        if dataset is not None and query is not None:
            raise InvalidArgument("give a dataset or a query, not both", field="dataset")
        if query is not None:
            if not connection:
                raise InvalidArgument(
                    "a query needs the connection it runs on (connection=...)", field="connection"
                )
            return {"kind": "sql", "query": query, "connection": connection}
        if connection is not None:
            raise InvalidArgument("connection=... goes with query=...", field="query")
        if dataset is None:
            return None
        path = Path(dataset)
        if path.is_file():
            uploaded = self.upload_dataset(path)
            return {"kind": "dataset", "dataset": uploaded.sha256, "filename": uploaded.filename}
        if re.fullmatch(r"[0-9a-f]{64}", str(dataset)):
            return {"kind": "dataset", "dataset": str(dataset)}
        raise InvalidArgument(
            f"no file {str(dataset)!r} (nor the sha256 of an uploaded dataset)", field="dataset"
        )

    def predictions(
        self,
        ref: str | int,
        *,
        version: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        request_id: str | None = None,
        page: int = 1,
        page_size: int = 50,
    ) -> Page[LoggedPrediction]:
        """A page of the deployment's logged online predictions, newest first (a sample of them is
        logged), filtered by model version, time (``since`` included, ``until`` excluded), request id."""
        params: dict[str, Any] = {"page": page, "page_size": page_size}
        for key, value in (("version", version), ("request_id", request_id)):
            if value is not None:
                params[key] = value
        for key, when in (("since", since), ("until", until)):
            if when is not None:
                params[key] = when.isoformat()
        return self._validated(
            Page[LoggedPrediction], "GET", f"/api/v1/deployments/{ref}/predictions", params=params
        )

    def predict(self, ref: str | int, rows: Any) -> PredictResponse:
        """Online predictions for a list of records (or a pandas DataFrame)."""
        if hasattr(rows, "to_dict"):
            rows = json.loads(rows.to_json(orient="records", date_format="iso"))
        body = {"inputs": rows}
        return self._validated(PredictResponse, "POST", f"/api/v1/deployments/{ref}/predict", json=body)

    def run(
        self,
        ref: str | int,
        file: str | Path | None = None,
        rows: list[dict[str, Any]] | None = None,
        *,
        wait: bool = False,
        timeout: float = 3600,
    ) -> Execution:
        """Start a run on a file, on typed rows, or on the deployment's configured input."""
        path = f"/api/v1/deployments/{ref}/executions"
        if file is not None:
            file = Path(file)
            with file.open("rb") as fh:
                body = self._call("POST", path, files={"file": (file.name, fh)})
        elif rows is not None:
            body = self._call("POST", path, json={"rows": rows})
        else:
            body = self._call("POST", path)
        execution = Execution.model_validate(body)
        return self.wait(execution.id, timeout) if wait else execution

    def execution(self, execution_id: int) -> Execution:
        return self._validated(Execution, "GET", f"/api/v1/executions/{execution_id}")

    def executions(self, **filters: Any) -> list[Execution]:
        return self._validated(Page[Execution], "GET", "/api/v1/executions", params=filters).items

    def wait(
        self,
        execution_id: int,
        timeout: float = 3600,
        poll: float = 0.5,
        progress: Callable[[Execution], None] | None = None,
    ) -> Execution:
        """Poll until the run ends (succeeded, failed or cancelled); ``progress(execution)`` after each
        poll."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            execution = self.execution(execution_id)
            if progress:
                progress(execution)
            if execution.status in FINISHED:
                return execution
            if time.monotonic() > deadline:
                raise TimeoutError(f"execution {execution_id} still {execution.status} after {timeout} s")
            time.sleep(poll)

    def cancel(self, execution_id: int) -> Execution:
        return self._validated(Execution, "POST", f"/api/v1/executions/{execution_id}/cancel")

    def logs(self, execution_id: int, after: int = 0) -> list[ExecutionLog]:
        return self._list(ExecutionLog, f"/api/v1/executions/{execution_id}/logs", params={"after": after})

    def download_results(self, execution_id: int, dest: str | Path, fmt: str = "csv") -> Path:
        """Save a run's results to ``dest`` (its folder is created when missing): ``csv``, ``csv-excel``
        (CSV with a UTF-8 byte-order mark, so that Excel shows accents right), ``parquet`` or ``xlsx``."""
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        with self._http.stream(
            "GET", f"/api/v1/executions/{execution_id}/results/download", params={"format": fmt}
        ) as response:
            if not response.is_success:
                response.read()
                _raise_for(response)
            with dest.open("wb") as out:
                for chunk in response.iter_bytes(1 << 20):
                    out.write(chunk)
        return dest

    def download_errors(self, execution_id: int, dest: str | Path) -> Path:
        """Save the rows a run left out (deployments with ``on_bad_rows="skip"``) to ``dest`` as CSV:
        row, column, value, reason (only the header when it left none out)."""
        return self._save(f"/api/v1/executions/{execution_id}/errors", dest, {})

    def download_template(self, ref: str | int, dest: str | Path, fmt: str = "csv") -> Path:
        """Save a file to fill in for a run of deployment ``ref`` (csv or xlsx): the model's columns and
        an example row."""
        return self._save(f"/api/v1/deployments/{ref}/template", dest, {"format": fmt})

    def _save(self, path: str, dest: str | Path, params: dict[str, Any]) -> Path:
        """Save a download to ``dest``: a file path, or a folder (one without a file extension is
        created) that gets the server's file name."""
        dest = Path(dest)
        with self._http.stream("GET", path, params=params) as response:
            if not response.is_success:
                response.read()
                _raise_for(response)
            if dest.is_dir() or (not dest.exists() and not dest.suffix):  # a folder, made if need be
                name = response.headers.get("content-disposition", "").rpartition("filename=")[2].strip('"')
                dest = dest / (Path(name).name or "download")
            dest.parent.mkdir(parents=True, exist_ok=True)
            with dest.open("wb") as out:
                for chunk in response.iter_bytes(1 << 20):
                    out.write(chunk)
        return dest

    # --- datasets and training -------------------------------------------------------------------

    def upload_dataset(
        self,
        path_or_dataframe: Any = None,
        name: str | None = None,
        description: str = "",
        *,
        file: str | Path | None = None,
        progress: Progress | None = None,
    ) -> Dataset:
        """Upload a CSV, Excel or Parquet file, or a pandas DataFrame (sent as Parquet, or as CSV when
        Parquet cannot hold its columns), as a dataset; ``name`` (default: the file's name, slugged) gets
        a new version when it exists (the same file again: its latest version). The answer holds the
        parse report; its ``sha256`` names the file in a deployment's input."""
        data = file if path_or_dataframe is None else path_or_dataframe
        if data is None:
            raise InvalidArgument("give a file path or a DataFrame to upload", field="file")
        form = {k: v for k, v in {"name": name, "description": description}.items() if v}
        with tempfile.TemporaryDirectory() as tmp:
            path = _frame_file(data, Path(tmp), name) if _is_frame(data) else Path(data)
            if not path.is_file():
                raise InvalidArgument(f"no file {str(path)!r}", field="file")
            with path.open("rb") as fh:
                reader: Any = _ProgressReader(fh, path.stat().st_size, progress) if progress else fh
                return self._validated(
                    Dataset, "POST", "/api/v1/datasets", files={"file": (path.name, reader)}, data=form
                )

    def dataset(self, name: str, version: int | str | None = None) -> Dataset:
        """A dataset at one version (default: its latest), with its parse report and profile if any."""
        if version is None:
            return self._validated(Dataset, "GET", f"/api/v1/datasets/{name}")
        return self._validated(Dataset, "GET", f"/api/v1/datasets/{name}/versions/{version}")

    def datasets(self, q: str | None = None, page: int = 1, page_size: int = 50) -> Page[DatasetSummary]:
        """A page of the datasets you may see, searched by words of their name and description."""
        params: dict[str, Any] = {"page": page, "page_size": page_size}
        if q:
            params["q"] = q
        return self._validated(Page[DatasetSummary], "GET", "/api/v1/datasets", params=params)

    def snapshot_dataset(self, name: str, query: str, connection: str, description: str = "") -> Dataset:
        """Store the result of a SQL ``query`` on a ``connection`` (MODELPORT_CONNECTIONS) as a version of
        dataset ``name`` (data scientists)."""
        body = {"name": name, "query": query, "connection": connection, "description": description}
        return self._validated(Dataset, "POST", "/api/v1/datasets/sql", json=body)

    def update_dataset(self, name: str, **changes: Any) -> Dataset:
        """Change a dataset's ``description`` or ``visibility``."""
        return self._validated(Dataset, "PATCH", f"/api/v1/datasets/{name}", json=changes)

    def delete_dataset(self, name: str) -> None:
        """Delete a dataset, its versions and their trainings (its owner or an admin)."""
        self._call("DELETE", f"/api/v1/datasets/{name}")

    def dataset_rows(
        self, name: str, version: int | None = None, page: int = 1, page_size: int = 100
    ) -> ResultPage:
        """A page of a dataset version's rows as read (default: the latest version)."""
        params = {"page": page, "page_size": page_size}
        return self._validated(
            ResultPage, "GET", f"/api/v1/datasets/{name}/versions/{version or 'latest'}/rows", params=params
        )

    def preview_cleaning(self, name: str, steps: list[Any], version: int | None = None) -> CleaningPreview:
        """What cleaning ``steps`` (schemas such as ``DropColumnsStep(columns=["id"])``, or dicts with an
        ``op``) do to a dataset version: each step's effect, rows before and after, the first rows."""
        return self._validated(
            CleaningPreview,
            "POST",
            f"/api/v1/datasets/{name}/versions/{version or 'latest'}/preview",
            json={"steps": _dumped(steps)},
        )

    def save_steps(self, name: str, steps: list[Any], version: int | None = None) -> Dataset:
        """Record cleaning ``steps`` on a dataset version: its trainings replay them unless given others."""
        return self._validated(
            Dataset,
            "PUT",
            f"/api/v1/datasets/{name}/versions/{version or 'latest'}/steps",
            json={"steps": _dumped(steps)},
        )

    @overload
    def profile_dataset(
        self,
        name: str,
        version: int | None = None,
        wait: Literal[True] = True,
        timeout: float = 1800,
        progress: Callable[[Execution], None] | None = None,
    ) -> DatasetProfile: ...

    @overload
    def profile_dataset(
        self,
        name: str,
        version: int | None = None,
        *,
        wait: Literal[False],
        timeout: float = 1800,
        progress: Callable[[Execution], None] | None = None,
    ) -> Execution: ...

    def profile_dataset(
        self,
        name: str,
        version: int | None = None,
        wait: bool = True,
        timeout: float = 1800,
        progress: Callable[[Execution], None] | None = None,
    ) -> DatasetProfile | Execution:
        """Compute a dataset version's profile on a worker (default: the latest version). ``wait``:
        poll until it is done (``progress(execution)`` after each poll) and return the profile; else
        return the queued execution."""
        if version is None:
            version = self.dataset(name).version
        execution = self._validated(Execution, "POST", f"/api/v1/datasets/{name}/versions/{version}/profile")
        if not wait:
            return execution
        execution = self.wait(execution.id, timeout, progress=progress)
        if execution.status != "succeeded":
            raise ModelportError(
                f"the profile of {name} version {version} {execution.status}"
                + (f": {execution.error}" if execution.error else "")
            )
        profile = self.dataset(name, version).profile
        if profile is None:
            raise ModelportError(f"the profile of {name} version {version} was not saved")
        return profile

    def train(
        self,
        dataset: Any,
        target: str,
        task: str | None = None,
        metric: str | None = None,
        budget_s: int = 60,
        wait: bool = True,
        steps: list[Any] | None = None,
        *,
        version: int | None = None,
        name: str | None = None,
        progress: Callable[[Training], None] | None = None,
        timeout: float | None = None,
        poll: float = 1.0,
        **options: Any,
    ) -> Training:
        """Train a model on ``dataset``: a :class:`Dataset`, a dataset's name, or a file path or a
        DataFrame (uploaded first, as ``name``). ``task`` (binary, multiclass, regression) and ``metric``
        (accuracy, f1, macro_f1, roc_auc, log_loss, r2, rmse, mae) are chosen from the target when not
        given; ``budget_s`` is the search's wall-clock budget; ``steps``: cleaning steps (default: the
        ones recorded on the dataset version). ``options``: folds, holdout, seed, time_column,
        candidates.

        ``wait``: poll until the training ends (``progress(training)`` after each poll, with the live
        leaderboard) and return it; check ``.status`` (``.error`` says why one failed)."""
        if isinstance(dataset, Dataset):
            dataset_name, version = dataset.name, version or dataset.version
        elif _is_frame(dataset) or isinstance(dataset, Path) or _looks_like_path(dataset):
            uploaded = self.upload_dataset(dataset, name=name)
            dataset_name, version = uploaded.name, uploaded.version
        elif isinstance(dataset, str) and dataset:
            dataset_name = dataset
        else:
            raise InvalidArgument(
                "dataset: give a Dataset, a dataset's name, a file path or a DataFrame", field="dataset"
            )
        body: dict[str, Any] = {
            "dataset": dataset_name,
            "version": version,
            "target": target,
            "task": task,
            "metric": metric,
            "budget_s": budget_s,
            **options,
        }
        if steps is not None:
            body["steps"] = _dumped(steps)
        training = self._validated(
            Training, "POST", "/api/v1/trainings", json={k: v for k, v in body.items() if v is not None}
        )
        if not wait:
            return training
        return self.wait_training(
            training.id, timeout=timeout or max(3600.0, 3.0 * budget_s), poll=poll, progress=progress
        )

    def wait_training(
        self,
        training_id: int,
        *,
        timeout: float = 3600,
        poll: float = 1.0,
        progress: Callable[[Training], None] | None = None,
    ) -> Training:
        """Poll until a training ends (succeeded, failed or cancelled); ``progress(training)`` after
        each poll. TimeoutError after ``timeout`` seconds (the training goes on)."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            training = self.training(training_id)
            if progress:
                progress(training)
            if training.status in FINISHED:
                return training
            if time.monotonic() > deadline:
                raise TimeoutError(f"training {training_id} still {training.status} after {timeout} s")
            time.sleep(poll)

    def training(self, training_id: int) -> Training:
        """A training: status, progress, live leaderboard, best candidate, holdout evaluation."""
        return self._validated(Training, "GET", f"/api/v1/trainings/{training_id}")

    def trainings(
        self,
        dataset: str | None = None,
        status: str | None = None,
        page: int = 1,
        page_size: int = 50,
    ) -> Page[Training]:
        """A page of trainings, newest first, filtered by dataset name and status."""
        params: dict[str, Any] = {"page": page, "page_size": page_size}
        params.update({k: v for k, v in {"dataset": dataset, "status": status}.items() if v})
        return self._validated(Page[Training], "GET", "/api/v1/trainings", params=params)

    def cancel_training(self, training_id: int) -> Training:
        """Cancel a queued or running training."""
        return self._validated(Training, "POST", f"/api/v1/trainings/{training_id}/cancel")

    def register_training(self, training_id: int, model: str, **card: Any) -> ModelVersion:
        """Register a finished training's best pipeline (cleaning steps first, so it takes the raw
        columns) as the next version of ``model``; ``card``: description, aliases, and for a new model
        title, department, markets, tags, visibility."""
        body = {"model": model, **card}
        return self._validated(ModelVersion, "POST", f"/api/v1/trainings/{training_id}/register", json=body)

    def register_from_mlflow(
        self, model: str, uri: str, description: str = "", aliases: list[str] | None = None
    ) -> ModelVersion:
        """Register the MLflow model at ``uri`` (``runs:/<run>/model``, ``models:/<name>/<version>``) of
        the server's MLflow tracking server as the next version of ``model`` (which must exist)."""
        body = {"uri": uri, "description": description, "aliases": aliases or []}
        return self._validated(ModelVersion, "POST", f"/api/v1/models/{model}/versions/mlflow", json=body)

    # --- notifications ---------------------------------------------------------------------------

    def notifications(
        self, *, unread: bool | None = None, page: int = 1, page_size: int = 50
    ) -> Page[Notification]:
        """Your notifications, newest first (``unread=True``: only the unread ones)."""
        params: dict[str, Any] = {"page": page, "page_size": page_size}
        if unread is not None:
            params["unread"] = str(unread).lower()
        return self._validated(Page[Notification], "GET", "/api/v1/notifications", params=params)

    def unread_count(self) -> int:
        return int(self._call("GET", "/api/v1/notifications/unread-count")["unread"])

    def mark_read(self, notification_id: int) -> Notification:
        return self._validated(Notification, "POST", f"/api/v1/notifications/{notification_id}/read")

    def mark_all_read(self, up_to: int | None = None) -> int:
        """Mark your unread notifications read (those up to id ``up_to``); returns how many."""
        params = {"up_to": up_to} if up_to is not None else {}
        return int(self._call("POST", "/api/v1/notifications/read-all", params=params)["updated"])

    def subscribe(self, *, deployment: str | int | None = None, model: str | None = None) -> Subscription:
        """Follow a deployment (id or name) or a model: hear about its failed runs and skipped schedules."""
        body = {"deployment": str(deployment) if deployment is not None else None, "model": model}
        return self._validated(Subscription, "POST", "/api/v1/subscriptions", json=body)

    def subscriptions(
        self, *, deployment: str | int | None = None, model: str | None = None
    ) -> list[Subscription]:
        given = {"deployment": deployment, "model": model}
        params = {k: str(v) for k, v in given.items() if v is not None}
        return self._list(Subscription, "/api/v1/subscriptions", params=params)

    def unsubscribe(self, subscription_id: int) -> None:
        self._call("DELETE", f"/api/v1/subscriptions/{subscription_id}")

    # --- webhooks --------------------------------------------------------------------------------

    def add_webhook(
        self,
        name: str,
        url: str,
        secret: str,
        *,
        events: list[str] | None = None,
        scope: str = "own",
        active: bool = True,
    ) -> Webhook:
        """Register an endpoint for events (``events``: kinds to send, all when empty). Each call is signed:
        ``X-Modelport-Signature: sha256=HMAC(secret, "<X-Modelport-Timestamp>.<body>")``."""
        body = {
            "name": name,
            "url": url,
            "secret": secret,
            "events": events or [],
            "scope": scope,
            "active": active,
        }
        return self._validated(Webhook, "POST", "/api/v1/webhooks", json=body)

    def webhooks(self) -> list[Webhook]:
        """Every webhook you manage (an admin: all of them)."""
        found: list[Webhook] = []
        page = 1
        while True:
            batch = self._validated(
                Page[Webhook], "GET", "/api/v1/webhooks", params={"page": page, "page_size": 200}
            )
            found += batch.items
            if page * batch.page_size >= batch.total:
                return found
            page += 1

    def update_webhook(self, webhook_id: int, **changes: Any) -> Webhook:
        """Change ``name``, ``url``, ``secret``, ``events``, ``scope`` or ``active``."""
        return self._validated(Webhook, "PATCH", f"/api/v1/webhooks/{webhook_id}", json=changes)

    def delete_webhook(self, webhook_id: int) -> None:
        self._call("DELETE", f"/api/v1/webhooks/{webhook_id}")

    def test_webhook(self, webhook_id: int) -> Delivery:
        """Send a ``webhook_test`` event now; the delivery after its first attempt."""
        return self._validated(Delivery, "POST", f"/api/v1/webhooks/{webhook_id}/test")

    def deliveries(
        self,
        *,
        webhook_id: int | None = None,
        channel: str | None = None,
        status: str | None = None,
        page: int = 1,
        page_size: int = 50,
    ) -> Page[Delivery]:
        """E-mails and webhook calls with their attempts and last error, newest first."""
        filters = {"webhook_id": webhook_id, "channel": channel, "status": status}
        params: dict[str, Any] = {"page": page, "page_size": page_size}
        params.update({k: v for k, v in filters.items() if v is not None})
        return self._validated(Page[Delivery], "GET", "/api/v1/deliveries", params=params)

    def retry_delivery(self, delivery_id: int) -> Delivery:
        return self._validated(Delivery, "POST", f"/api/v1/deliveries/{delivery_id}/retry")

"""Datasets: uploads and SQL snapshots become versioned records; their profile is computed on a worker;
cleaning steps are previewed and recorded on a version.

An upload is read whole (:func:`modelport.tabular.parsing.read_dataset`): the file as sent is stored
(its sha256 is what a deployment reading the dataset names), and so is its parsed rows' Parquet copy
(what profiles and trainings read). A name that exists gets a new version, when the caller may change
that dataset and the file differs from its latest version. An upload does not queue a profile: input
files of deployments stay cheap; the web app asks for one when a dataset page has none.

Roles: viewers read; business users upload, profile and clean (the datasets of their department);
data scientists also snapshot SQL queries.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path, PurePath
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
from sqlalchemy.exc import SQLAlchemyError

from modelport.context import Context
from modelport.errors import AlreadyExists, Conflict, Forbidden, InvalidArgument, NotFound
from modelport.principal import Principal
from modelport.schemas import (
    SLUG,
    CleaningPreview,
    CleaningStep,
    Dataset,
    DatasetSource,
    DatasetSqlCreate,
    DatasetSummary,
    DatasetUpdate,
    Execution,
    Page,
    ResultPage,
    Role,
)
from modelport.services.auth import require
from modelport.services.catalog import check_filename
from modelport.stores.audit import AuditStore, record
from modelport.stores.datasets import DatasetRecord, DatasetStore, VersionFiles
from modelport.stores.executions import ExecutionStore
from modelport.tabular import parsing
from modelport.tabular.readers import detect_format, preview
from modelport.tabular.sql import read_query
from modelport.training import cleaning

PREVIEW_ROWS = 10
"""Rows of a version kept with it (shown beside an upload)."""

_NAME_ATTEMPTS = 50


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as JSON-ready dicts (missing values None, dates ISO 8601)."""
    return list(json.loads(frame.to_json(orient="records", date_format="iso")))


def store_dataset(ctx: Context, path: Path, filename: str) -> Dataset:
    """Store an input file of a deployment (CSV, Excel, Parquet) in the artifact store, after reading its
    first rows (refused, naming the line, when they cannot be read). No dataset record is made."""
    check_filename(filename)
    fmt = detect_format(filename, path)
    head = preview(path, fmt, rows=PREVIEW_ROWS)
    ref = ctx.artifacts.put_file(path)
    return Dataset(
        sha256=ref.sha256,
        filename=filename,
        format=fmt,
        size=ref.size,
        columns=[str(c) for c in head.columns],
        preview=json_records(head),
    )


def name_from_filename(filename: str) -> str:
    """A dataset name from a file name: ``Customers 2024 (v2).csv`` -> ``customers-2024-v2``."""
    stem = PurePath(filename.replace("\\", "/")).stem.lower()
    slug = re.sub(r"[^a-z0-9]+", "-", stem).strip("-")[:90].strip("-")
    return slug or "dataset"


def check_name(name: str) -> str:
    """Refuse a dataset name that is not a slug (InvalidArgument naming ``name``)."""
    if not re.match(SLUG, name):
        raise InvalidArgument(
            f"{name!r} is not a valid dataset name: lowercase letters, digits and hyphens", field="name"
        )
    return name


def may_change(dataset: DatasetRecord, principal: Principal) -> None:
    """Forbidden unless ``principal`` is a business user (or more) who owns the dataset, belongs to its
    owner's department, or is an admin."""
    require(principal, Role.business_user)
    same_department = principal.department is not None and principal.department == dataset.owner_department
    if not (principal.is_admin or dataset.owner_id == principal.user_id or same_department):
        raise Forbidden(
            f"only the owner of dataset {dataset.name!r}, its department or an admin may change it",
            field="name",
        )


def load_frame(ctx: Context, data_sha256: str) -> pd.DataFrame:
    """The parsed rows of a dataset version (its Parquet copy), read from the artifact store."""
    return parsing.read_parquet(ctx.artifacts.local_cache_path(data_sha256, ctx.cache_dir))


def parquet_page(path: Path, page: int, page_size: int) -> ResultPage:
    """One page of a Parquet file's rows, reading only the row groups it needs."""
    pf = pq.ParquetFile(path)
    total = pf.metadata.num_rows
    offset = (page - 1) * page_size
    frames, seen = [], 0
    for group in range(pf.num_row_groups):
        n = pf.metadata.row_group(group).num_rows
        if seen + n > offset and seen < offset + page_size:
            frames.append(pf.read_row_group(group).to_pandas().iloc[max(0, offset - seen) :])
        seen += n
    frame = pd.concat(frames).head(page_size) if frames else pd.DataFrame(columns=pf.schema_arrow.names)
    return ResultPage(
        columns=[str(c) for c in frame.columns],
        rows=json_records(frame),
        total=total,
        page=page,
        page_size=page_size,
    )


class DatasetService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # --- new versions ----------------------------------------------------------------------------

    def upload(
        self,
        path: Path,
        filename: str,
        principal: Principal,
        name: str | None = None,
        description: str = "",
    ) -> Dataset:
        """Read, store and record an uploaded file as a new version of dataset ``name`` (default: named
        after the file). InvalidArgument (``file``) for a file that cannot be read as a dataset."""
        require(principal, Role.business_user)
        check_filename(filename)
        if name:
            check_name(name)
        frame, report = parsing.read_dataset(path, filename)
        original = self.ctx.artifacts.put_file(path)
        data_sha256 = self._store_parquet(frame)
        fields = {
            "sha256": original.sha256,
            "data_sha256": data_sha256,
            "filename": filename,
            "format": report.format,
            "size": original.size,
            "rows": len(frame),
            "columns": [str(c) for c in frame.columns],
            "preview": json_records(frame.head(PREVIEW_ROWS)),
            "source": {"kind": "upload"},
            "parse_report": report.model_dump(mode="json"),
            "steps": [],
        }
        with self.ctx.db.session() as s:
            dataset, created = self._add_version(
                DatasetStore(s),
                name or name_from_filename(filename),
                bool(name),
                principal,
                description,
                fields,
            )
            record(
                AuditStore(s),
                principal,
                "dataset.upload",
                "dataset",
                dataset.name,
                version=dataset.version,
                sha256=dataset.sha256,
                filename=filename,
                size=dataset.size,
                rows=dataset.rows,
                new_version=created,
            )
            return dataset

    def snapshot_sql(self, body: DatasetSqlCreate, principal: Principal) -> Dataset:
        """Run ``body.query`` on a named connection and record its rows as a new version of dataset
        ``body.name``. InvalidArgument for an unknown connection or a query that fails."""
        require(principal, Role.data_scientist)
        connections = self.ctx.settings.connections
        url = connections.get(body.connection)
        if url is None:
            known = ", ".join(sorted(connections)) or "none configured"
            raise InvalidArgument(
                f"no connection named {body.connection!r} (MODELPORT_CONNECTIONS knows: {known})",
                field="connection",
            )
        with tempfile.TemporaryDirectory(dir=self.ctx.tmp_dir) as tmp:
            path = Path(tmp) / "query.parquet"
            try:
                read_query(url, body.query, {}, path, self.ctx.settings.batch_chunk_rows)
            except SQLAlchemyError as exc:
                reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:500]
                raise InvalidArgument(f"the query failed: {reason}", field="query") from None
            if not path.exists():
                raise InvalidArgument("the query returned no rows", field="query")
            frame, report = parsing.read_dataset(path, "query.parquet")
            original = self.ctx.artifacts.put_file(path)
        fields = {
            "sha256": original.sha256,
            "data_sha256": self._store_parquet(frame),
            "filename": f"{body.name}.parquet",
            "format": "parquet",
            "size": original.size,
            "rows": len(frame),
            "columns": [str(c) for c in frame.columns],
            "preview": json_records(frame.head(PREVIEW_ROWS)),
            "source": {"kind": "sql", "connection": body.connection, "query": body.query},
            "parse_report": report.model_dump(mode="json"),
            "steps": [],
        }
        with self.ctx.db.session() as s:
            dataset, created = self._add_version(
                DatasetStore(s), body.name, True, principal, body.description, fields
            )
            record(
                AuditStore(s),
                principal,
                "dataset.snapshot",
                "dataset",
                dataset.name,
                version=dataset.version,
                connection=body.connection,
                rows=dataset.rows,
                new_version=created,
            )
            return dataset

    def _store_parquet(self, frame: pd.DataFrame) -> str:
        with tempfile.TemporaryDirectory(dir=self.ctx.tmp_dir) as tmp:
            path = Path(tmp) / "data.parquet"
            parsing.write_parquet(frame, path)
            return self.ctx.artifacts.put_file(path).sha256

    def _add_version(
        self,
        store: DatasetStore,
        base: str,
        explicit: bool,
        principal: Principal,
        description: str,
        fields: dict[str, Any],
    ) -> tuple[Dataset, bool]:
        """The new version (or the latest one when it holds the same file), and whether it is new. A name
        given by the caller is theirs to extend or refused; a name made from a file name that belongs to
        someone else becomes ``name-2``, ``name-3``..."""
        candidate = base
        for n in range(2, _NAME_ATTEMPTS + 2):
            try:
                existing = store.record(candidate, principal)
            except NotFound:
                if store.name_taken(candidate):  # someone else's, unseen by the caller
                    if explicit:
                        raise AlreadyExists(
                            f"a dataset named {candidate!r} already exists", field="name"
                        ) from None
                    candidate = f"{base[:90]}-{n}"
                    continue
                dataset_id = store.create_dataset(candidate, principal.user_id, description)
                return store.add_version(dataset_id, principal.user_id, **fields), True
            try:
                may_change(existing, principal)
            except Forbidden:
                if explicit:
                    raise
                candidate = f"{base[:90]}-{n}"
                continue
            latest = store.get(candidate, None, None)
            if latest.sha256 == fields["sha256"] and latest.source == DatasetSource(**fields["source"]):
                return latest, False
            return store.add_version(existing.id, principal.user_id, **fields), True
        raise Conflict(f"no free dataset name after {base!r}-{_NAME_ATTEMPTS}: give one", field="name")

    # --- reads -----------------------------------------------------------------------------------

    def list_datasets(
        self, principal: Principal, page: int, page_size: int, q: str | None = None
    ) -> Page[DatasetSummary]:
        with self.ctx.db.session() as s:
            return DatasetStore(s).list_datasets(principal, page, page_size, q)

    def get(self, name: str, version: int | str | None, principal: Principal) -> Dataset:
        with self.ctx.db.session() as s:
            return DatasetStore(s).get(name, version, principal)

    def files(self, name: str, version: int | str | None, principal: Principal) -> VersionFiles:
        """Where the content of ``name`` at ``version`` lives (NotFound unless the caller may see it)."""
        with self.ctx.db.session() as s:
            return DatasetStore(s).files(name, version, principal)

    def rows(
        self, name: str, version: int | str | None, principal: Principal, page: int, page_size: int
    ) -> ResultPage:
        """One page of a version's parsed rows."""
        files = self.files(name, version, principal)
        path = self.ctx.artifacts.local_cache_path(files.data_sha256, self.ctx.cache_dir)
        return parquet_page(path, page, page_size)

    # --- changes ---------------------------------------------------------------------------------

    def update(self, name: str, body: DatasetUpdate, principal: Principal) -> Dataset:
        with self.ctx.db.session() as s:
            store = DatasetStore(s)
            may_change(store.record(name, principal), principal)
            values = body.model_dump(exclude_unset=True, exclude_none=True)
            dataset = store.update(name, values, principal)
            record(AuditStore(s), principal, "dataset.update", "dataset", name, fields=sorted(values))
            return dataset

    def delete(self, name: str, principal: Principal) -> None:
        """Delete a dataset, its versions and the profiles and trainings that read them (the files stay
        in the artifact store: deployments may read them). Taken by those who may change it; Conflict
        while a profile or a training of it is queued or running."""
        with self.ctx.db.session() as s:
            store = DatasetStore(s)
            dataset = store.record(name, principal)
            may_change(dataset, principal)
            busy = store.busy(name)
            if busy:
                raise Conflict(
                    f"dataset {name!r} is being read by execution(s) {', '.join(map(str, busy))}: "
                    "cancel them or wait for them to end",
                    field="name",
                    details={"executions": busy},
                )
            store.delete(name, principal)
            record(
                AuditStore(s), principal, "dataset.delete", "dataset", name, versions=dataset.latest_version
            )

    def profile(self, name: str, version: int | str | None, principal: Principal) -> Execution:
        """Queue the profile of a version on the worker; the execution already computing it when there
        is one."""
        require(principal, Role.business_user)
        with self.ctx.db.session() as s:
            store = DatasetStore(s)
            dataset = store.get(name, version, principal)
            files = store.files(name, dataset.version, principal)
            executions = ExecutionStore(s)
            if dataset.profile_execution is not None:
                try:
                    current = executions.get(dataset.profile_execution)
                except NotFound:
                    current = None
                if current is not None and current.status in ("queued", "running"):
                    return current
            execution_id = executions.create_job(
                "profile",
                files.version_id,
                triggered_by=principal.username,
                input_ref={"kind": "dataset", "dataset": name, "version": dataset.version},
            )
            store.set_profile_execution(files.version_id, execution_id)
            executions.log(
                execution_id, f"profile of {name} version {dataset.version} queued by {principal.username}"
            )
            record(
                AuditStore(s),
                principal,
                "dataset.profile",
                "dataset",
                name,
                version=dataset.version,
                execution=execution_id,
            )
            return executions.get(execution_id)

    def preview(
        self, name: str, version: int | str | None, steps: list[CleaningStep], principal: Principal
    ) -> CleaningPreview:
        """What ``steps`` do to a version's rows (checked first: InvalidArgument naming the step)."""
        require(principal, Role.business_user)
        files = self.files(name, version, principal)
        cleaning.check_steps(files.columns, steps)
        return cleaning.preview(load_frame(self.ctx, files.data_sha256), steps)

    def save_steps(
        self, name: str, version: int | str | None, steps: list[CleaningStep], principal: Principal
    ) -> Dataset:
        """Record ``steps`` on a version (checked first: InvalidArgument naming the step); a training
        replays them unless it brings its own."""
        with self.ctx.db.session() as s:
            store = DatasetStore(s)
            may_change(store.record(name, principal), principal)
            files = store.files(name, version, principal)
            cleaning.check_steps(files.columns, steps)
            store.set_steps(files.version_id, [step.model_dump(mode="json") for step in steps])
            record(
                AuditStore(s),
                principal,
                "dataset.steps",
                "dataset",
                name,
                version=files.version,
                steps=[step.op for step in steps],
            )
            return store.get(name, files.version, principal)

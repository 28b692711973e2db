"""Catalog and registry rules: who may change what, how an uploaded file becomes a version.

A version is accepted only after its file was loaded by its flavor and predicted on an example row;
then the file goes to the artifact store and the row to the metadata store. If the row cannot be
written, a file no other version uses is removed again, so a refused upload leaves nothing behind.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from modelport.artifacts import sha256_file
from modelport.batch.cleanup import owned_prefix
from modelport.columns import ColumnSpec, ModelSchema
from modelport.context import Context
from modelport.errors import Conflict, Forbidden, InvalidArgument
from modelport.flavors import Inspection, inspect_model
from modelport.principal import Principal
from modelport.schemas import (
    AliasSet,
    Model,
    ModelCreate,
    ModelSearch,
    ModelUpdate,
    ModelVersion,
    Role,
    SchemaEdit,
    SearchQuery,
    VersionMeta,
)
from modelport.services.auth import require
from modelport.stores.audit import AuditStore, record
from modelport.stores.catalog import CatalogStore
from modelport.tabular.readers import preview
from modelport.training.tracking import fetch_model

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ ()+-]{0,200}$")
SAMPLE_MAX_ROWS = 1000


def check_filename(filename: str | None, field: str = "file") -> str:
    """Refuse empty names, paths and traversal: an uploaded name is a plain file name."""
    if not filename:
        raise InvalidArgument("the upload has no file name", field=field)
    if "/" in filename or "\\" in filename or ".." in filename or not _SAFE_NAME.match(filename):
        raise InvalidArgument(
            f"{filename!r} is not an acceptable file name: use a plain name without folders or '..'",
            field=field,
        )
    return filename


def read_sample(path: Path, filename: str) -> pd.DataFrame:
    """Read the sample CSV given beside a model file (its first rows only), as batch files are read:
    the same dialect sniffing (a one-column file included), encodings and column types."""
    check_filename(filename, "sample")
    try:
        return preview(path, "csv", rows=SAMPLE_MAX_ROWS)
    except InvalidArgument as exc:
        raise InvalidArgument(f"the sample CSV: {exc.message}", field="sample", details=exc.details) from None


def apply_schema_edit(schema: ModelSchema, edit: SchemaEdit) -> tuple[ModelSchema, dict[str, list[str]]]:
    """``schema`` with ``edit`` applied, and the fields changed per column. InvalidArgument naming
    ``columns[i].name`` for a column the schema lacks or one given twice, ``columns[i].categories``
    for allowed values on a column that is not text or integer (or that are not integers there)."""
    by_name = {column.name: column for column in schema.columns}
    updates: dict[str, dict[str, Any]] = {}
    changed: dict[str, list[str]] = {}
    for i, change in enumerate(edit.columns):
        column = by_name.get(change.name)
        if column is None:
            names = ", ".join(list(by_name)[:30]) + (", ..." if len(by_name) > 30 else "")
            raise InvalidArgument(
                f"the input schema has no column {change.name!r} (its columns: {names})",
                field=f"columns[{i}].name",
            )
        if change.name in updates:
            raise InvalidArgument(f"column {change.name!r} is given twice", field=f"columns[{i}].name")
        given = change.model_fields_set - {"name"}
        update: dict[str, Any] = {}
        if "nullable" in given and change.nullable is not None:
            update["nullable"] = change.nullable
        if "description" in given:
            update["description"] = change.description or None
        if "categories" in given:
            update["categories"] = _checked_categories(column, change.categories, i)
        updates[change.name] = update
        changed[change.name] = sorted(k for k, v in update.items() if getattr(column, k) != v)
    columns = [c.model_copy(update=updates.get(c.name, {})) for c in schema.columns]
    return ModelSchema(columns=columns), {k: v for k, v in changed.items() if v}


def _checked_categories(column: ColumnSpec, values: list[str] | None, i: int) -> list[str] | None:
    if values is None:
        return None
    field = f"columns[{i}].categories"
    if column.type not in ("string", "integer"):
        raise InvalidArgument(
            f"column {column.name!r} is of type {column.type}: allowed values apply to string and "
            "integer columns",
            field=field,
        )
    if len(set(values)) != len(values):
        twice = next(v for v in values if values.count(v) > 1)
        raise InvalidArgument(f"the allowed value {twice!r} is given twice", field=field)
    if column.type == "integer":
        for value in values:
            if not re.fullmatch(r"[+-]?\d{1,19}", value.strip()):
                raise InvalidArgument(
                    f"column {column.name!r} holds integers: {value!r} is not one", field=field
                )
        return list(dict.fromkeys(str(int(v)) for v in values))  # "007" and "7" are one value
    return list(values)


def _inspect(
    path: Path, filename: str, sample: pd.DataFrame | None, flavor: str | None, latest: ModelVersion | None
) -> Inspection:
    """Inspect a new version's file; without a sample, the model's latest version stands in for one.

    Its example row is the sample (so a model that knows its column names but not their types, such
    as a pipeline with a target encoder, is not tried on a number in a text column), and its input
    schema is kept when the new file takes the same columns of the same types (with the descriptions,
    required columns and allowed values it may have been given). A file with other columns is
    inspected as if the model had no version yet."""
    if latest is None or not latest.example.get("input"):
        return inspect_model(path, filename, sample, flavor)
    stand_in = pd.DataFrame([latest.example["input"]])
    for column in latest.input_schema.columns:
        if column.type == "datetime" and column.name in stand_in:
            stand_in[column.name] = pd.to_datetime(stand_in[column.name])
    try:
        inspection = inspect_model(path, filename, stand_in, flavor)
    except InvalidArgument:
        return inspect_model(path, filename, None, flavor)
    new = [(c.name, c.type) for c in inspection.input_schema.columns]
    if new == [(c.name, c.type) for c in latest.input_schema.columns]:
        inspection = dataclasses.replace(inspection, input_schema=latest.input_schema)
    return inspection


class CatalogService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _may_change(self, store: CatalogStore, name: str, principal: Principal) -> Model:
        model = store.get_model(name, principal)
        require(principal, Role.data_scientist)
        same_dept = principal.department is not None and principal.department == model.department
        if not (principal.is_admin or model.owner == principal.username or same_dept):
            raise Forbidden(
                f"only the owner of {name!r}, its department's data scientists or an admin may change it"
            )
        return model

    # --- models ----------------------------------------------------------------------------------

    def create_model(self, data: ModelCreate, principal: Principal) -> Model:
        require(principal, Role.data_scientist)
        with self.ctx.db.session() as s:
            model = CatalogStore(s).create_model(data, principal.user_id)
            record(AuditStore(s), principal, "model.create", "model", model.name, visibility=model.visibility)
            return model

    def get_model(self, name: str, principal: Principal) -> Model:
        with self.ctx.db.session() as s:
            return CatalogStore(s).get_model(name, principal)

    def update_model(self, name: str, data: ModelUpdate, principal: Principal) -> Model:
        with self.ctx.db.session() as s:
            store = CatalogStore(s)
            self._may_change(store, name, principal)
            model = store.update_model(name, data, principal)
            record(
                AuditStore(s), principal, "model.update", "model", name, fields=sorted(data.model_fields_set)
            )
            return model

    def _refuse_while_deployed(self, store: CatalogStore, name: str, principal: Principal, what: str) -> None:
        deployments = store.deployments_of(name, principal)
        if deployments:
            shown = ", ".join(repr(d) for d in deployments[:20])
            more = f" and {len(deployments) - 20} more" if len(deployments) > 20 else ""
            raise Conflict(
                f"{name!r} cannot be {what}: deployments use it ({shown}{more}); delete them first",
                field="name",
                details={"deployments": deployments},
            )

    def archive_model(self, name: str, principal: Principal, archived: bool = True) -> Model:
        """Archive a model (hidden from search unless asked for, not deployable) or restore it.

        Taken by those who may change it; Conflict (409, naming them) while deployments use it."""
        with self.ctx.db.session() as s:
            store = CatalogStore(s)
            self._may_change(store, name, principal)
            if archived:
                self._refuse_while_deployed(store, name, principal, "archived")
            model = store.set_archived(name, archived, principal)
            record(AuditStore(s), principal, "model.archive" if archived else "model.restore", "model", name)
            return model

    def delete_model(self, name: str, principal: Principal) -> None:
        """Delete a model, its versions and their files no other version uses.

        Taken by its owner or an admin; Conflict (409, naming them) while deployments use it."""
        with self.ctx.db.session() as s:
            store = CatalogStore(s)
            model = store.get_model(name, principal)
            if not (
                principal.is_admin
                or (model.owner == principal.username and principal.role.allows(Role.data_scientist))
            ):
                raise Forbidden(f"only the owner of {name!r} or an admin may delete it")
            self._refuse_while_deployed(store, name, principal, "deleted")
            shas = store.delete_model(name, principal)
            record(AuditStore(s), principal, "model.delete", "model", name, versions=len(shas))
            orphans = [sha for sha in set(shas) if not store.sha_in_use(sha)]
        for sha in orphans:
            self.ctx.artifacts.delete(sha)

    def search(self, query: SearchQuery, principal: Principal) -> ModelSearch:
        if query.page_size > self.ctx.settings.search_max_page_size:
            raise InvalidArgument(
                f"page_size must be at most {self.ctx.settings.search_max_page_size}", field="page_size"
            )
        with self.ctx.db.session() as s:
            return CatalogStore(s).search(query, principal)

    # --- versions --------------------------------------------------------------------------------

    def register_version(
        self,
        name: str,
        principal: Principal,
        file_path: Path,
        filename: str,
        meta: VersionMeta,
        sample: pd.DataFrame | None = None,
    ) -> ModelVersion:
        """Check, store and record a new version of ``name`` from the file at ``file_path``."""
        check_filename(filename)
        with self.ctx.db.session() as s:
            model = self._may_change(CatalogStore(s), name, principal)
            latest = None
            if sample is None and model.latest_version > 0:
                latest = CatalogStore(s).get_version(name, "latest", principal)
        inspection = _inspect(file_path, filename, sample, meta.flavor, latest)
        existed_before = False
        ref = None
        try:
            ref_sha = sha256_file(file_path)
            existed_before = self.ctx.artifacts.exists(ref_sha)
            ref = self.ctx.artifacts.put_file(file_path)
            with self.ctx.db.session() as s:
                store = CatalogStore(s)
                version = store.create_version(
                    name,
                    principal,
                    description=meta.description,
                    flavor=inspection.flavor,
                    format=inspection.format,
                    safe_format=inspection.safe,
                    model_type=inspection.model_type,
                    filename=filename,
                    artifact_uri=ref.uri,
                    artifact_sha256=ref.sha256,
                    artifact_size=ref.size,
                    input_schema=inspection.input_schema.model_dump(exclude_none=True),
                    output_schema=inspection.output_schema.model_dump(exclude_none=True),
                    example={"input": inspection.example_input, "output": inspection.example_output},
                    metrics=meta.metrics,
                    params=meta.params,
                    training_data=meta.training_data,
                    source_version=meta.source_version,
                )
                for alias in meta.aliases:
                    store.set_alias(name, alias, version.version, principal)
                record(
                    AuditStore(s),
                    principal,
                    "version.upload",
                    "model",
                    name,
                    version=version.version,
                    sha256=ref.sha256,
                    size=ref.size,
                    flavor=inspection.flavor,
                    safe_format=inspection.safe,
                    aliases=meta.aliases,
                )
                if meta.aliases:
                    return store.get_version(name, str(version.version), principal)
                return version
        except BaseException:
            if ref is not None and not existed_before:
                with self.ctx.db.session() as s:
                    in_use = CatalogStore(s).sha_in_use(ref.sha256)
                if not in_use:
                    self.ctx.artifacts.delete(ref.sha256)
            raise

    def register_from_mlflow(
        self, name: str, principal: Principal, uri: str, meta: VersionMeta
    ) -> ModelVersion:
        """Register the MLflow model at ``uri`` (``runs:/...``, ``models:/...``) of the configured MLflow
        tracking server as a new version of ``name``: downloaded, zipped as an upload of the MLflow flavor
        and registered like one. Refusals (no server configured, server down, bad scheme, unknown run or
        model) are 4xx naming ``uri``; ``source_version`` defaults to the URI."""
        tracking_uri = self.ctx.settings.mlflow_tracking_uri
        with self.ctx.db.session() as s:
            self._may_change(CatalogStore(s), name, principal)
        folder = Path(tempfile.mkdtemp(prefix=owned_prefix("mlflow"), dir=self.ctx.tmp_dir))
        try:
            archive, filename = fetch_model(tracking_uri, uri, folder, self.ctx.settings.max_upload_bytes)
            meta = meta.model_copy(
                update={"flavor": "mlflow", "source_version": meta.source_version or uri.strip()[:255]}
            )
            return self.register_version(name, principal, archive, filename, meta)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def list_versions(self, name: str, principal: Principal) -> list[ModelVersion]:
        with self.ctx.db.session() as s:
            return CatalogStore(s).list_versions(name, principal)

    def get_version(self, name: str, ref: str, principal: Principal) -> ModelVersion:
        with self.ctx.db.session() as s:
            return CatalogStore(s).get_version(name, ref, principal)

    def edit_schema(self, name: str, ref: str, edit: SchemaEdit, principal: Principal) -> ModelVersion:
        """Change a version's input schema column by column (required or not, allowed values,
        description); its columns and types stay. Audited as ``version.schema``."""
        with self.ctx.db.session() as s:
            store = CatalogStore(s)
            self._may_change(store, name, principal)
            version = store.get_version(name, ref, principal)
            schema, changed = apply_schema_edit(version.input_schema, edit)
            updated = store.set_input_schema(name, str(version.version), schema.model_dump(), principal)
            record(
                AuditStore(s),
                principal,
                "version.schema",
                "model",
                name,
                version=version.version,
                columns=changed,
            )
            return updated

    def set_alias(self, name: str, alias: str, body: AliasSet, principal: Principal) -> ModelVersion:
        if not re.match(r"^[a-z][a-z0-9_-]{0,63}$", alias) or alias == "latest":
            raise InvalidArgument(
                f"{alias!r} is not a valid alias (lowercase letter first, then a-z 0-9 _ -)", field="alias"
            )
        with self.ctx.db.session() as s:
            store = CatalogStore(s)
            self._may_change(store, name, principal)
            previous = store.set_alias(name, alias, body.version, principal)
            record(
                AuditStore(s),
                principal,
                "alias.move",
                "model",
                name,
                alias=alias,
                version=body.version,
                previous=previous,
            )
            return store.get_version(name, alias, principal)

    def delete_alias(self, name: str, alias: str, principal: Principal) -> None:
        with self.ctx.db.session() as s:
            store = CatalogStore(s)
            self._may_change(store, name, principal)
            store.delete_alias(name, alias, principal)
            record(AuditStore(s), principal, "alias.delete", "model", name, alias=alias)

    def download_path(self, name: str, ref: str, principal: Principal) -> tuple[ModelVersion, Path]:
        """A verified local copy of a version's file (CorruptArtifact if the stored file was altered)."""
        version = self.get_version(name, ref, principal)
        path = self.ctx.artifacts.local_cache_path(version.artifact.sha256, self.ctx.cache_dir)
        with self.ctx.db.session() as s:
            record(AuditStore(s), principal, "version.download", "model", name, version=version.version)
        return version, path
